//! `sec.encryption`: sensitive data is encrypted in transit and at rest, with
//! sound algorithms.
//!
//! - **in transit**: a TLS stack the service uses — rustls/native-tls/openssl
//!   crates, TLS server setup (`RustlsConfig`, `bind_rustls`, `bind_openssl`,
//!   `TlsAcceptor`, tonic `ServerTlsConfig`), TLS features of HTTP/database
//!   clients (`reqwest` with its default TLS, `sqlx` `tls-*`/`runtime-*-rustls`,
//!   `sslmode=require`), or TLS terminated at a shipped ingress (`tls:` in a
//!   Kubernetes Ingress);
//! - **at rest**: authenticated encryption crates (aes-gcm, chacha20poly1305,
//!   ring `aead`, orion, age, sodiumoxide) and password hashes (see
//!   sec.password-hashing);
//! - **broken**: certificate checks switched off
//!   (`danger_accept_invalid_certs(true)`, `SslVerifyMode::NONE`,
//!   `dangerous().set_certificate_verifier`), DES/RC4/ECB ciphers, md5/sha1
//!   applied to passwords; a database client connected with `NoTls`
//!   (plaintext to the database) weakens the result.
//!
//! fail: something broken · pass: TLS in use and nothing broken · partial: TLS
//! in use but a plaintext database connection · manual: no TLS visible (it may be
//! terminated by a proxy this repository does not ship) · n/a: no server.

use super::common;
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const TLS_CRATES: &[&str] = &[
    "rustls",
    "tokio-rustls",
    "hyper-rustls",
    "rustls-pemfile",
    "axum-server",
    "native-tls",
    "tokio-native-tls",
    "hyper-tls",
    "openssl",
    "tokio-openssl",
    "actix-tls",
    "rustls-acme",
    "tokio-rustls-acme",
    "instant-acme",
];

/// Crates whose default features speak TLS to their peers.
const TLS_CLIENTS: &[&str] = &[
    "reqwest",
    "ureq",
    "isahc",
    "surf",
    "lettre",
    "aws-config",
    "rusoto_core",
];

const AT_REST: &[&str] = &[
    "aes-gcm",
    "aes-gcm-siv",
    "chacha20poly1305",
    "xchacha20poly1305",
    "orion",
    "age",
    "sodiumoxide",
    "libsodium-sys",
    "dryoc",
    "aead",
    "crypto_box",
    "cocoon",
];

/// Path segments of TLS server/client setup in code.
const TLS_SETUP: &[&str] = &[
    "RustlsConfig",
    "bind_rustls",
    "bind_rustls_0_23",
    "bind_rustls_021",
    "bind_openssl",
    "TlsAcceptor",
    "ServerTlsConfig",
    "ClientTlsConfig",
    "ServerConfig",
    "ClientConfig",
    "tls_config",
    "use_rustls_tls",
    "use_native_tls",
    "PgSslMode",
    "SslMode",
    "MakeRustlsConnect",
    "MakeTlsConnector",
    "TlsConnector",
    "HttpsConnector",
    "HttpsConnectorBuilder",
];

/// Broken ciphers.
const BROKEN_SEGS: &[&str] = &[
    "des", "Des", "TdesEde3", "rc4", "Rc4", "Ecb", "ecb", "Blowfish", "Md4", "md4",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let broken = broken(facts);
    let tls = tls(facts);
    let rest: Vec<Evidence> = facts
        .dep_hits(AT_REST)
        .into_iter()
        .take(3)
        .map(Evidence::from)
        .collect();
    let (plaintext_db, fallback) = plaintext_db(facts);
    let looked = "a TLS stack in use (rustls/native-tls, TLS server config, TLS features of HTTP and database clients, ingress TLS), encryption crates for data at rest, and no disabled certificate checks or broken ciphers";
    if !broken.is_empty() {
        return Outcome::fail(format!(
            "weak or disabled encryption: {}",
            broken[0].message
        ))
        .with(broken)
        .with_found(tls.into_iter().take(3))
        .looked_for(looked);
    }
    let notes = opt_in_notes(facts);
    let tls: Vec<Evidence> = tls.into_iter().chain(fallback).collect();
    if tls.is_empty() {
        return Outcome::manual(
            "no TLS visible in the service or its manifests; if a proxy or load balancer terminates TLS, attest it",
        )
        .with(rest)
        .with(plaintext_db);
    }
    if !plaintext_db.is_empty() {
        return Outcome::partial(format!(
            "TLS is used ({}), but a database connection is made without it",
            tls[0].message
        ))
        .with(plaintext_db)
        .with_found(tls.into_iter().take(5))
        .with_found(rest)
        .looked_for(looked);
    }
    let rest_note = if rest.is_empty() {
        String::new()
    } else {
        "; encryption crates for data at rest".to_string()
    };
    Outcome::pass(format!(
        "TLS in use ({}){rest_note}; no weak or disabled encryption",
        tls[0].message
    ))
    .with(tls.into_iter().take(6))
    .with(rest)
    .with(notes)
}

/// `NoTls` database connections: always plaintext, or only as a fallback next
/// to a TLS connector in the same function (`if prod { tls } else { NoTls }`).
fn plaintext_db(facts: &Facts) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut always = Vec::new();
    let mut fallback = Vec::new();
    for (_, f) in facts.service_rust() {
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && r.kind != crate::extract::rust::RefKind::Use)
        {
            if common::last_seg(&r.path) != "NoTls" {
                continue;
            }
            let with_tls = f.refs.iter().any(|x| {
                x.in_fn == r.in_fn
                    && matches!(
                        common::last_seg(&x.path),
                        "MakeTlsConnector"
                            | "MakeRustlsConnect"
                            | "TlsConnector"
                            | "MakeTlsConnect"
                    )
            }) || f
                .refs
                .iter()
                .any(|x| x.in_fn == r.in_fn && x.path.contains("TlsConnector"));
            let loc = Location::new(f.path.clone(), r.line);
            if with_tls {
                fallback.push(Evidence::new(
                    loc,
                    format!(
                        "note: `{}` is a fallback next to a TLS connector in the same function",
                        r.path
                    ),
                ));
            } else {
                always.push(Evidence::new(
                    loc,
                    format!("`{}`: the database connection is not encrypted", r.path),
                ));
            }
        }
    }
    always.truncate(3);
    fallback.truncate(2);
    (always, fallback)
}

/// Evidence of TLS on connections the service makes or accepts.
fn tls(facts: &Facts) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = facts
        .dep_hits(TLS_CRATES)
        .into_iter()
        .map(|h| Evidence::new(h.location, format!("{} (TLS)", h.what)))
        .collect();
    for h in common::first_per_file(
        common::refs_by(facts, |p| {
            let lower = p.to_ascii_lowercase();
            common::has_seg(p, TLS_SETUP)
                && (lower.contains("tls") || lower.contains("ssl") || lower.contains("https"))
        }),
        1,
    )
    .into_iter()
    .take(4)
    {
        out.push(Evidence::new(
            h.location,
            format!("{} configures TLS", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            if matches!(
                m.name.as_str(),
                "bind_rustls"
                    | "bind_rustls_0_23"
                    | "bind_openssl"
                    | "use_rustls_tls"
                    | "use_native_tls"
                    | "tls_config"
                    | "https_only"
                    | "add_root_certificate"
            ) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` sets up TLS", m.name),
                ));
            }
        }
    }
    for (pkg, dep) in facts.deps(TLS_CLIENTS) {
        if let Some(tls_feature) = manifest_tls_feature(facts, &pkg.manifest, &dep.key) {
            out.push(Evidence::new(
                facts.dep_location(pkg, dep),
                format!("`{}` uses TLS ({tls_feature})", dep.name),
            ));
        }
    }
    for (pkg, dep) in facts.deps(&[
        "sqlx",
        "sea-orm",
        "diesel-async",
        "mongodb",
        "redis",
        "lapin",
        "async-nats",
    ]) {
        if let Some(f) =
            manifest_tls_feature(facts, &pkg.manifest, &dep.key).filter(|f| f != "default features")
        {
            out.push(Evidence::new(
                facts.dep_location(pkg, dep),
                format!("`{}` connects with TLS ({f})", dep.name),
            ));
        }
    }
    for t in facts.texts.iter().filter(|t| t.role.is_service()) {
        if t.text.contains("kind: Ingress") {
            if let Some(line) = crate::location::find_line(&t.text, "tls:") {
                out.push(Evidence::new(
                    Location::new(t.path.clone(), line),
                    "the Ingress terminates TLS",
                ));
            }
        }
        for needle in [
            "sslmode=require",
            "sslmode=verify-full",
            "sslmode=verify-ca",
            "ssl-mode=REQUIRED",
        ] {
            if let Some(line) = crate::location::find_line(&t.text, needle) {
                out.push(Evidence::new(
                    Location::new(t.path.clone(), line),
                    format!("`{needle}` on the database URL"),
                ));
                break;
            }
        }
    }
    out
}

/// Whether the manifest enables TLS for a dependency: a TLS feature in its
/// entry (`features = ["rustls-tls"]`, also through `workspace = true` and the
/// root's `[workspace.dependencies]`), or its default features (reqwest's
/// `default-tls`) left on.
fn manifest_tls_feature(facts: &Facts, manifest: &str, key: &str) -> Option<String> {
    let text = &facts.texts.iter().find(|t| t.path == manifest)?.text;
    let mut entry = dep_entry(text, key)?.to_ascii_lowercase();
    if entry.contains("workspace = true") || entry.contains("workspace=true") {
        let root = facts
            .texts
            .iter()
            .filter(|t| t.kind == crate::classify::FileKind::CargoManifest)
            .find(|t| t.text.contains("[workspace.dependencies]"))?;
        let section = &root.text[root.text.find("[workspace.dependencies]")?..];
        entry.push(' ');
        entry.push_str(&dep_entry(section, key)?.to_ascii_lowercase());
    }
    for f in ["rustls", "native-tls", "openssl", "tls"] {
        if entry.contains(f) {
            return Some(format!("feature with `{f}`"));
        }
    }
    if entry.contains("default-features = false") || entry.contains("default-features=false") {
        return None;
    }
    Some("default features".into())
}

/// The text of a dependency's entry in a manifest: its line, and the lines
/// after it while its braces or brackets stay open.
fn dep_entry(text: &str, key: &str) -> Option<String> {
    let mut lines = text.lines();
    let first = lines.by_ref().find(|l| {
        let l = l.trim_start();
        l.starts_with(key) && l[key.len()..].trim_start().starts_with(['=', '.'])
    })?;
    let mut out = first.to_string();
    let depth = |s: &str| {
        s.chars().filter(|c| matches!(c, '{' | '[')).count() as i64
            - s.chars().filter(|c| matches!(c, '}' | ']')).count() as i64
    };
    let mut open = depth(first);
    while open > 0 {
        let Some(next) = lines.next() else { break };
        open += depth(next);
        out.push(' ');
        out.push_str(next.trim());
    }
    Some(out)
}

/// Certificate checks switched off only behind an explicit opt-in in the same
/// function (`if env::var("TLS_INSECURE_SKIP_VERIFY") { .. }`,
/// `if config.insecure { .. }`), and replaced verifiers: reported, not failed.
fn opt_in(f: &crate::extract::rust::RustFile, b: &crate::extract::rust::BoolSetting) -> bool {
    let in_fn = b.in_fn;
    let flag = |text: &str| {
        common::has_word(text, &["insecure", "unverified", "noverify"])
            || (common::has_word(text, &["skip", "disable", "no"])
                && common::has_word(
                    text,
                    &["verify", "verification", "tls", "ssl", "cert", "certs"],
                ))
    };
    b.guard.as_deref().is_some_and(flag)
        || f.literals
            .iter()
            .any(|l| l.in_fn == in_fn && flag(&l.value))
        || f.methods
            .iter()
            .any(|m| m.in_fn == in_fn && m.root.as_deref().is_some_and(flag))
}

/// Certificate verification switched off behind an opt-in flag, or replaced.
fn opt_in_notes(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for b in f.bool_settings.iter().filter(|b| !b.test && b.value) {
            if b.name.contains("accept_invalid") && opt_in(f, b) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), b.line),
                    format!(
                        "note: `{}(true)` only behind an explicit insecure opt-in",
                        b.name
                    ),
                ));
            }
        }
        for m in f.methods.iter().filter(|m| !m.test) {
            if m.name == "set_certificate_verifier" || m.name == "with_custom_certificate_verifier"
            {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!(
                        "note: `.{}()` replaces certificate verification; check it verifies",
                        m.name
                    ),
                ));
            }
        }
    }
    out.truncate(3);
    out
}

/// Disabled certificate checks, broken ciphers, fast digests on passwords.
fn broken(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for b in f.bool_settings.iter().filter(|b| !b.test && b.value) {
            if b.name.contains("accept_invalid") && !opt_in(f, b) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), b.line),
                    format!("`{}(true)` turns certificate verification off", b.name),
                ));
            }
        }
        for b in f.bool_settings.iter().filter(|b| !b.test && !b.value) {
            if matches!(
                b.name.as_str(),
                "verify_ssl" | "verify_certs" | "tls_verify"
            ) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), b.line),
                    format!("`{} = false` turns certificate verification off", b.name),
                ));
            }
        }
    }
    for h in common::refs_by(facts, |p| {
        p.ends_with("SslVerifyMode::NONE")
            || p.ends_with("NoCertificateVerification")
            || p.ends_with("SSL_VERIFY_NONE")
    }) {
        out.push(Evidence::new(
            h.location,
            format!("{} turns certificate verification off", h.what),
        ));
    }
    for h in common::refs_by(facts, |p| {
        let mut segs = p.split("::");
        let first = segs.next().unwrap_or("");
        (matches!(first, "des" | "rc4" | "blowfish" | "md4")
            || p.split("::")
                .any(|s| matches!(s, "Ecb" | "Rc4" | "TdesEde3" | "Des")))
            && common::has_seg(p, BROKEN_SEGS)
    }) {
        out.push(Evidence::new(
            h.location,
            format!("{} is a broken cipher", h.what),
        ));
    }
    out.extend(super::password_hashing::weak_on_passwords(facts));
    out
}
