//! The Dockerfile reader: any text gives facts or a diagnostic, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = seaworthy::extract::docker::extract("Dockerfile", text);
    }
});
