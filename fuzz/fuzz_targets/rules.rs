//! The rule loader (`--rules DIR`): a rule file of any content loads or gives an
//! error naming the file, never a panic. The input is written as one `.yaml`
//! file in a private directory and loaded on top of the built-in catalog, the way
//! `seaworthy audit --rules DIR` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let d = dir();
    std::fs::write(d.path().join("fuzz.yaml"), text).expect("write rule file");
    let _ = seaworthy::rules::Catalog::load(Some(d.path()));
});
