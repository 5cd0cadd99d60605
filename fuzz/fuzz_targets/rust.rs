//! The Rust extractor (tokenize, bound the depth, parse with syn, collect facts).
//! It runs on a thread with the parse pool's stack, as in an audit: a stack
//! overflow here is a real crash (the depth bound let something through).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::classify::Role;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(seaworthy::audit::PARSE_STACK)
            .spawn_scoped(s, || {
                let _ = seaworthy::extract::rust::extract("src/main.rs", Role::Service, text);
            })
            .expect("thread starts")
            .join()
            .expect("no panic");
    });
});
