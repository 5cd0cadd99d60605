CREATE TABLE transfers (
    id UUID PRIMARY KEY,
    from_account UUID NOT NULL,
    to_account UUID NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE transfers
    ADD CONSTRAINT transfers_from_fkey FOREIGN KEY (from_account) REFERENCES accounts (id),
    ADD CONSTRAINT transfers_to_fkey FOREIGN KEY (to_account) REFERENCES accounts (id);

CREATE INDEX transfers_from_account_idx ON transfers (from_account, created_at);
CREATE INDEX transfers_to_account_idx ON transfers (to_account);

-- Consumed event ids, so a redelivered event is applied once.
CREATE TABLE processed_events (
    event_id UUID PRIMARY KEY,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
