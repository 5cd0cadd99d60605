//! `cargo seaworthy …`: the cargo subcommand. Cargo runs it as
//! `cargo-seaworthy seaworthy …`; the CLI drops that leading `seaworthy`.

fn main() {
    std::process::exit(seaworthy::cli::main());
}
