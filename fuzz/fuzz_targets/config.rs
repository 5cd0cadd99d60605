//! The config loader: `seaworthy.toml` or `[package.metadata.seaworthy]` from
//! the audited repository (untrusted text). Any input loads, or gives a
//! one-line `file:line: message` error; never a panic. The input is parsed both
//! ways and loaded (parsed and validated against the built-in catalog) from a
//! file, the way `seaworthy audit --config FILE` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::config::{self, Where};
use seaworthy::rules::Catalog;
use std::sync::OnceLock;

struct Fixture {
    dir: tempfile::TempDir,
    catalog: Catalog,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture {
        dir: tempfile::tempdir().expect("temp dir"),
        catalog: Catalog::load(None).expect("built-in catalog"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for place in [Where::Whole, Where::CargoMetadata] {
        if let Err(e) = config::parse("seaworthy.toml", text, &place) {
            assert!(!e.contains('\n'), "a config error is one line: {e:?}");
        }
    }
    let f = fixture();
    let file = f.dir.path().join("seaworthy.toml");
    std::fs::write(&file, text).expect("write config");
    if let Err(e) = config::load(f.dir.path(), Some(&file), &f.catalog) {
        assert!(!e.contains('\n'), "a config error is one line: {e:?}");
    }
});
