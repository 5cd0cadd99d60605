//! YAML read with line numbers (saphyr, with an alias budget and a depth limit):
//! GitHub workflows, GitLab CI, compose and Kubernetes files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::extract::{ci, yaml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ci::github(".github/workflows/ci.yml", text);
    let _ = ci::gitlab(".gitlab-ci.yml", text);
    let _ = yaml::load(text);
    let _ = yaml::sniff("k8s/deploy.yaml", text);
});
