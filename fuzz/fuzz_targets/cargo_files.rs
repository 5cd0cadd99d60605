//! Cargo.toml and Cargo.lock read directly (toml, cargo-lock), with lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::extract::cargo;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = cargo::read_manifest("crates/svc/Cargo.toml", text);
    let _ = cargo::read_lock("Cargo.lock", text);
});
