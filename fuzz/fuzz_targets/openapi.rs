//! The OpenAPI loader (JSON or YAML by the first byte, validated with openapiv3 /
//! oas3, then normalised with `$ref` resolution): facts or a diagnostic, never a
//! panic, never unbounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = seaworthy::extract::openapi::extract("api/openapi.yaml", text);
    }
});
