//! The same tree gives byte-identical JSON on any number of threads, for the
//! hostile corpora as for a larger tree (tests/report_json.rs checks the
//! samples).

mod robustness_support;
use robustness_support::*;

use std::path::Path;

fn json(tree: &Path, threads: Option<&str>) -> Vec<u8> {
    let mut cmd = seaworthy_cmd();
    cmd.args(["audit", "--format", "json"]).arg(tree);
    if let Some(j) = threads {
        cmd.args(["-j", j]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Two runs on one thread, one on all threads, one on more threads than cores.
fn assert_deterministic(tree: &Path) {
    let one = json(tree, Some("1"));
    assert!(!one.is_empty());
    assert!(
        one == json(tree, Some("1")),
        "{tree:?}: two runs on 1 thread differ"
    );
    assert!(
        one == json(tree, None),
        "{tree:?}: 1 thread and all threads differ"
    );
    assert!(
        one == json(tree, Some("8")),
        "{tree:?}: 1 and 8 threads differ"
    );
}

#[test]
fn hostile_corpora_give_identical_json_on_any_thread_count() {
    for fixture in ["bad-input", "untrusted/exec-trap", "untrusted/injection"] {
        let (_dir, tree) = scratch_copy(fixture);
        // Deep and refused files too: they take other code paths.
        std::fs::write(
            tree.join("deep.rs"),
            format!("fn f() {{ {}1{} }}", "(".repeat(2500), ")".repeat(2500)),
        )
        .unwrap();
        std::fs::write(
            tree.join("deeper.rs"),
            format!("fn f() {{ {}1{} }}", "(".repeat(9000), ")".repeat(9000)),
        )
        .unwrap();
        assert_deterministic(&tree);
    }
}

#[test]
fn a_larger_tree_gives_identical_json_on_any_thread_count() {
    // Every sample and fixture, eight times over, in one tree (~600 files).
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for i in 0..8 {
        for entry in std::fs::read_dir(root.join("sample-projects")).unwrap() {
            let entry = entry.unwrap();
            copy_tree(
                &entry.path(),
                &dir.path().join(format!("svc{i}")).join(entry.file_name()),
            );
        }
        copy_tree(
            &root.join("tests/fixtures"),
            &dir.path().join(format!("svc{i}/fixtures")),
        );
    }
    assert_deterministic(dir.path());
}
