//! `sec.password-hashing`: stored passwords go through a slow, salted password
//! hash — argon2, bcrypt, scrypt or pbkdf2 — never a fast digest.
//!
//! Applies when the service stores passwords: a database model (`FromRow`,
//! `Queryable`, `Insertable`, sea-orm `Model`, …) or a migration column named
//! for a password, a password-hash crate in use, or a sign-up/registration
//! request that carries one. A `password` field on a *config* type (the
//! database's own password) is a credential, not a stored user password.
//!
//! - **good**: argon2 (`Argon2::default().hash_password`), bcrypt
//!   (`bcrypt::hash`), scrypt, pbkdf2, `password_hash::PasswordHasher`, libpasta;
//! - **weak**: md5, sha1, plain sha2/sha3/blake2/blake3 digests, `DefaultHasher`
//!   applied in a function that handles a password (its name, a parameter, or
//!   the value a method is called on says password) without a password hash in
//!   the same function.
//!
//! fail: a weak digest on passwords, or a plain `password` column/field stored
//! with no password hash anywhere · pass: a password hash is used, nothing weak ·
//! manual: passwords are stored as `*_hash` but nothing visible computes the hash
//! · n/a: the service stores no passwords.

use super::common;
use crate::extract::rust::RustFile;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Parts of password-hash crate names (`argon2`, `rust-argon2`, `argon2-creds`).
pub const HASH_CRATES: &[&str] = &[
    "argon2",
    "bcrypt",
    "scrypt",
    "pbkdf2",
    "password-hash",
    "libpasta",
    "pwhash",
    "djangohashers",
    "sha-crypt",
    "password-auth",
];

/// Path segments of password-hash APIs.
const STRONG_SEGS: &[&str] = &[
    "argon2",
    "Argon2",
    "bcrypt",
    "scrypt",
    "pbkdf2",
    "password_hash",
    "PasswordHasher",
    "PasswordHash",
    "PasswordVerifier",
    "libpasta",
    "pwhash",
    "djangohashers",
    "sha_crypt",
    "password_auth",
    "hash_encoded",
    "verify_encoded",
];

/// Path segments of fast digests.
pub const WEAK_SEGS: &[&str] = &[
    "md5",
    "sha256",
    "sha512",
    "sha1",
    "Md5",
    "md_5",
    "Sha1",
    "sha1_smol",
    "sha2",
    "Sha256",
    "Sha512",
    "Sha384",
    "Sha224",
    "sha3",
    "Sha3_256",
    "Sha3_512",
    "blake2",
    "Blake2b",
    "Blake2s",
    "blake3",
    "DefaultHasher",
    "crc32fast",
    "SHA256",
    "SHA512",
    "SHA1_FOR_LEGACY_USE_ONLY",
];

/// Derives that make a struct a database row.
const MODEL_DERIVES: &[&str] = &[
    "FromRow",
    "Queryable",
    "Insertable",
    "Selectable",
    "AsChangeset",
    "Identifiable",
    "DeriveEntityModel",
];

/// Names of stored password fields and columns.
fn password_field(name: &str) -> bool {
    let w = common::words(name);
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "password" | "passwd" | "pwd" | "passhash" | "pw"
        )
    })
}

/// Names of a password value itself, not of a reset token, a policy or a URL.
fn password_value(name: &str) -> bool {
    password_field(name)
        && !common::words(name).iter().any(|x| {
            matches!(
                x.as_str(),
                "token"
                    | "reset"
                    | "url"
                    | "link"
                    | "policy"
                    | "min"
                    | "max"
                    | "length"
                    | "len"
                    | "rule"
                    | "rules"
                    | "expiry"
                    | "expires"
            )
        })
}

fn hashed_name(name: &str) -> bool {
    let w = common::words(name);
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "hash" | "hashed" | "digest" | "encrypted" | "crypt"
        )
    })
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let stored = stored_passwords(facts);
    let strong = strong_uses(facts);
    let crates = common::deps_containing(facts, HASH_CRATES);
    let signup = signup_passwords(facts);
    let weak = weak_on_passwords(facts);
    if stored.is_empty()
        && strong.is_empty()
        && crates.is_empty()
        && signup.is_empty()
        && weak.is_empty()
    {
        return Outcome::na("the service stores no passwords: no password column, model field, sign-up password or password-hash crate");
    }
    let looked = "argon2/bcrypt/scrypt/pbkdf2 hashing where passwords are stored, and no md5/sha1/sha2 digest applied to passwords";
    if !weak.is_empty() {
        return Outcome::fail(format!(
            "passwords go through a fast digest: {}",
            weak[0].message
        ))
        .with(weak)
        .with_found(stored.into_iter().take(3).map(|(e, _)| e))
        .looked_for(looked);
    }
    if !strong.is_empty() {
        return Outcome::pass(format!(
            "passwords are hashed with a password hash: {}",
            strong[0].message
        ))
        .with(strong.into_iter().take(5))
        .with(stored.into_iter().take(3).map(|(e, _)| e))
        .with(crates.into_iter().take(2).map(Evidence::from));
    }
    let plain: Vec<&(Evidence, bool)> = stored.iter().filter(|(_, hashed)| !hashed).collect();
    let stored_ev: Vec<Evidence> = stored.iter().map(|(e, _)| e.clone()).collect();
    if !plain.is_empty() {
        return Outcome::fail(format!(
            "passwords are stored ({}) and no password hash is used anywhere",
            plain[0].0.message
        ))
        .with(stored_ev)
        .with(signup)
        .with(crates.into_iter().map(Evidence::from))
        .looked_for(looked);
    }
    if !stored_ev.is_empty() {
        return Outcome::manual(format!(
            "passwords are stored hashed ({}) but nothing visible in service code computes the hash; check which algorithm does",
            stored_ev[0].message
        ))
        .with(stored_ev)
        .with(crates.into_iter().map(Evidence::from));
    }
    if !crates.is_empty() {
        return Outcome::partial(format!(
            "{} — but service code never calls it, and no stored password is visible",
            crates[0].what
        ))
        .with(crates.into_iter().map(Evidence::from))
        .with(signup)
        .looked_for(looked);
    }
    Outcome::fail("sign-up takes a password, but no password hash is used anywhere")
        .with(signup)
        .looked_for(looked)
}

/// Stored password fields and columns, with whether the name says hashed.
fn stored_passwords(facts: &Facts) -> Vec<(Evidence, bool)> {
    let mut out = Vec::new();
    for f in common::model_rust(facts) {
        for t in f.types.iter().filter(|t| !t.test) {
            let model = t
                .derives
                .iter()
                .any(|d| MODEL_DERIVES.contains(&common::last_seg(d)))
                || t.attrs
                    .iter()
                    .any(|a| a.path.contains("sea_orm") || common::last_seg(&a.path) == "diesel");
            if !model {
                continue;
            }
            for fld in t.fields.iter().filter(|x| password_field(&x.name)) {
                let hashed = hashed_name(&fld.name);
                out.push((
                    Evidence::new(
                        Location::new(f.path.clone(), fld.line),
                        format!("database model `{}` stores `{}`", t.name, fld.name),
                    ),
                    hashed,
                ));
            }
        }
    }
    for t in common::sql_tables(facts) {
        for c in t.columns.iter().filter(|c| password_field(c)) {
            out.push((
                Evidence::new(
                    t.location.clone(),
                    format!("table `{}` has a password column `{c}`", t.name),
                ),
                hashed_name(c),
            ));
        }
    }
    out
}

/// Whether a path names a password-hash API (`argon2::Argon2`,
/// `argon2_creds::Config`, `bcrypt::hash`, `password_hash::PasswordHasher`).
fn is_strong(p: &str) -> bool {
    common::has_seg(p, STRONG_SEGS)
        || p.split("::").any(|s| {
            let l = s.to_ascii_lowercase();
            ["argon2", "bcrypt", "scrypt", "pbkdf2"]
                .iter()
                .any(|x| l.contains(x))
        })
}

/// Calls of password-hash APIs in service code.
fn strong_uses(facts: &Facts) -> Vec<Evidence> {
    let hits = common::refs_by(facts, is_strong);
    common::first_per_file(hits, 1)
        .into_iter()
        .map(|h| Evidence::new(h.location, format!("{} hashes passwords", h.what)))
        .collect()
}

/// Request types of sign-up/registration/password routes that carry a password.
fn signup_passwords(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for r in facts.routes.iter().filter(|r| {
        common::has_word(
            &r.path,
            &[
                "signup",
                "register",
                "registration",
                "users",
                "user",
                "password",
                "accounts",
            ],
        ) && matches!(r.method.as_str(), "POST" | "PUT" | "PATCH")
    }) {
        let Some((fi, ni)) = r.handler_fn else {
            continue;
        };
        let func = &facts.rust[fi].fns[ni];
        for p in &func.params {
            for id in common::type_idents(&p.ty) {
                if let Some((tf, t)) = facts.type_named(id, fi) {
                    if let Some(fld) = t
                        .fields
                        .iter()
                        .find(|x| password_field(&x.name) && !hashed_name(&x.name))
                    {
                        out.push(Evidence::new(
                            Location::new(tf.path.clone(), fld.line),
                            format!("{} {} takes `{}.{}`", r.method, r.path, t.name, fld.name),
                        ));
                    }
                }
            }
        }
    }
    out.truncate(3);
    out
}

/// Functions that apply a fast digest to a password.
pub fn weak_on_passwords(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for (ni, func) in f.fns.iter().enumerate().filter(|(_, x)| !x.test) {
            let ni = ni as u32;
            if !handles_password(f, ni) {
                continue;
            }
            let in_fn = |x: Option<u32>| x == Some(ni);
            if f.refs.iter().any(|r| in_fn(r.in_fn) && is_strong(&r.path)) {
                continue;
            }
            if let Some(r) = f.refs.iter().find(|r| {
                in_fn(r.in_fn)
                    && r.kind != crate::extract::rust::RefKind::Use
                    && common::has_seg(&r.path, WEAK_SEGS)
            }) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}` applies `{}` to a password", func.name, r.path),
                ));
            }
        }
    }
    out
}

/// Whether function `ni` of `f` handles a password: its name, a parameter, or
/// the value a method is called on.
fn handles_password(f: &RustFile, ni: u32) -> bool {
    let func = &f.fns[ni as usize];
    password_value(&func.name)
        || func
            .params
            .iter()
            .any(|p| p.name.as_deref().is_some_and(password_value))
        || f.methods.iter().any(|m| {
            m.in_fn == Some(ni)
                && m.root
                    .as_deref()
                    .is_some_and(|r| password_value(common::last_seg(r)))
        })
}
