//! `docker.volumes`: data the service keeps lives on a volume, not in the
//! container.
//!
//! A service is stateful when it embeds a database (rusqlite, sled, RocksDB,
//! redb, LMDB, Tantivy, DuckDB, a SQLite pool) or writes files
//! (`std::fs::write`, `tokio::fs::write`, `File::create`, `create_dir_all`).
//! Its data must be on a volume: `VOLUME` in the runtime stage, a compose
//! volume or bind mount, a Kubernetes persistent volume (claim template,
//! `persistentVolumeClaim`, `emptyDir` for scratch data). Written to the
//! container's writable layer, it is lost whenever the container is replaced.
//! Data files copied into the image (`COPY app.db`) are state baked into it.
//!
//! pass: volumes declared for the service · partial: file writes with no
//! volume · fail: an embedded database with no volume, or data baked into the
//! image · n/a: the service keeps no local data (or no Dockerfile).

use super::{app_containers, image, workload_label};
use crate::analyzers::tally::Tally;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const EMBEDDED: &[&str] = &[
    "rusqlite",
    "sled",
    "rocksdb",
    "rust-rocksdb",
    "redb",
    "heed",
    "lmdb",
    "lmdb-rkv",
    "tantivy",
    "fjall",
    "persy",
    "duckdb",
    "native_db",
    "polodb_core",
    "jammdb",
    "libsql",
    "limbo",
    "sqlite",
    "surrealkv",
    "canopydb",
];

const FILE_WRITES: &[&str] = &[
    "std::fs::write",
    "fs::write",
    "tokio::fs::write",
    "File::create",
    "fs::create_dir_all",
    "tokio::fs::create_dir_all",
    "OpenOptions",
    "tokio::fs::OpenOptions",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let mut declared: Vec<Hit> = Vec::new();
    let mut baked = Vec::new();
    for d in &judged.files {
        for s in image::runtime_stages(d) {
            for st in image::chain(d, s) {
                for i in st.find("VOLUME") {
                    declared.push(Hit::new(
                        Location::new(d.path.clone(), i.line),
                        format!("`VOLUME {}`", i.text),
                    ));
                }
            }
            for i in s
                .instructions
                .iter()
                .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
            {
                let words: Vec<&str> = i.text.split_whitespace().collect();
                let srcs = &words[..words.len().saturating_sub(1)];
                if srcs.iter().any(|w| {
                    [".db", ".sqlite", ".sqlite3", ".mdb", ".redb"]
                        .iter()
                        .any(|e| w.ends_with(e))
                }) {
                    baked.push(Hit::new(
                        Location::new(d.path.clone(), i.line),
                        format!(
                            "`{} {}` bakes a data file into the image",
                            i.keyword, i.text
                        ),
                    ));
                }
            }
        }
    }
    for (w, c) in app_containers(facts) {
        for v in &w.volumes {
            declared.push(Hit::new(
                Location::new(w.path.clone(), v.line),
                format!("{}: volume {}", workload_label(w), v.value),
            ));
        }
        if w.volumes.is_empty() {
            for m in &c.mounts {
                declared.push(Hit::new(
                    Location::new(w.path.clone(), m.line),
                    format!("{}: mount at {}", workload_label(w), m.value),
                ));
            }
        }
    }
    let scoped = |hits: Vec<Hit>| -> Vec<Hit> {
        hits.into_iter()
            .filter(|h| super::in_service_scope(facts, &h.location.path))
            .collect()
    };
    let embedded = scoped(facts.dep_hits(EMBEDDED));
    let sqlite_pool = scoped(facts.refs(&[
        "SqlitePool",
        "sqlx::sqlite",
        "SqlitePoolOptions",
        "SqliteConnectOptions",
    ]));
    // Writes in the service's sources (not build-script helpers under `build/`).
    let writes: Vec<Hit> = scoped(facts.refs(FILE_WRITES))
        .into_iter()
        .filter(|h| h.location.path.starts_with("src/") || h.location.path.contains("/src/"))
        .collect();
    let looked = "VOLUME in the runtime stage, or a compose/Kubernetes volume mounted where the service writes its data";
    let mut t = Tally::default();
    for b in &baked {
        t.bad(b.location.clone(), b.what.clone());
    }
    let stateful: Vec<&Hit> = embedded.iter().chain(&sqlite_pool).collect();
    let image_volume = declared.iter().any(|d| d.what.starts_with("`VOLUME"));
    if stateful.is_empty() && writes.is_empty() && !image_volume {
        if t.has_bad() {
            return t.outcome(looked);
        }
        return Outcome::na("the service keeps no local data: no embedded database and no file writes in service code");
    }
    if !declared.is_empty() {
        for d in &declared {
            t.good(d.location.clone(), format!("data on a volume: {}", d.what));
        }
        for e in stateful.iter().copied().chain(writes.iter()).take(3) {
            t.note(e.location.clone(), format!("keeps data: {}", e.what));
        }
        return t.outcome(looked);
    }
    if let Some(first) = stateful.first() {
        t.bad(
            first.location.clone(),
            format!("{} keeps data on local disk and no volume is declared: it is lost whenever the container is replaced", first.what),
        );
        t.note(
            image::stage_loc(judged.files[0], image::runtime_stages(judged.files[0])[0]),
            "no VOLUME in the runtime stage",
        );
        return t.outcome(looked);
    }
    let first = &writes[0];
    t.half(
        first.location.clone(),
        format!("the service writes files ({}) and no volume is declared; if they are data, they vanish with the container", first.what),
    );
    for w in writes.iter().skip(1).take(4) {
        t.note(w.location.clone(), format!("writes files: {}", w.what));
    }
    t.outcome(looked)
}
