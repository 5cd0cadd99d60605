//! Analyzers for the Performance section (`perf.*` rules), and the facts
//! several of them share: state kept in the process, in-memory sessions.
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod async_offload;
pub mod caching;
pub mod horizontal_scaling;
pub mod latency_budget;
pub mod load_balancing;
pub mod pooling;
pub mod query_optimization;

use super::Decide;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("perf_latency_budget", latency_budget::decide),
    ("perf_query_optimization", query_optimization::decide),
    ("perf_caching", caching::decide),
    ("perf_pooling", pooling::decide),
    ("perf_async_offload", async_offload::decide),
    ("perf_load_balancing", load_balancing::decide),
    ("perf_horizontal_scaling", horizontal_scaling::decide),
];

/// Session stores that keep sessions in the process's memory.
const MEMORY_SESSIONS: &[&str] = &[
    "tower_sessions::MemoryStore",
    "tower_sessions_memory_store",
    "async_session::MemoryStore",
    "axum_sessions::async_session::MemoryStore",
    "poem::session::MemoryStorage",
    "salvo::session::MemoryStore",
    "salvo_session::MemoryStore",
    "actix_session::storage::MemoryStore",
];

/// Sessions held in the process: a user's next request must reach the same
/// replica, and a restart logs everyone out.
pub fn memory_sessions(facts: &Facts) -> Vec<Hit> {
    facts
        .refs(MEMORY_SESSIONS)
        .into_iter()
        .map(|h| Hit::new(h.location, format!("in-memory session store {}", h.what)))
        .collect()
}

/// Field names that hold caches, limiters or handles rather than data.
fn benign(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "cache", "limit", "rate", "metric", "pool", "client", "conn", "counter", "stat", "config",
        "template", "lock",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Mutable collections in the application state handlers receive
/// (`State<AppState>`, `web::Data<Store>`, `Extension<..>`): data that lives in
/// one replica's memory only.
pub fn in_process_state(facts: &Facts) -> Vec<Hit> {
    let wrapper =
        crate::analyzers::scan::re(r"(?:State|Data|Extension)<\s*(?:Arc<\s*)?(?:[\w:]+::)?(\w+)");
    let mutable = crate::analyzers::scan::re(
        r"(Mutex|RwLock)<\s*(std::collections::)?(HashMap|Vec|BTreeMap|HashSet|BTreeSet|VecDeque|IndexMap)\b|DashMap<|DashSet<",
    );
    let mut state_types: Vec<(usize, String)> = Vec::new();
    for (fi, ni) in crate::analyzers::scan::handlers(facts) {
        for p in &facts.rust[fi].fns[ni].params {
            if let Some(c) = wrapper.captures(&p.ty) {
                let name = c[1].to_string();
                if !state_types.iter().any(|(_, n)| n == &name) {
                    state_types.push((fi, name));
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut queue = state_types;
    let mut depth = 0;
    while !queue.is_empty() && depth < 2 {
        let mut next = Vec::new();
        for (fi, name) in queue {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some((file, ty)) = facts.type_named(&name, fi) else {
                continue;
            };
            for field in &ty.fields {
                if mutable.is_match(&field.ty) && !benign(&field.name) {
                    out.push(Hit::new(
                        Location::new(file.path.clone(), field.line),
                        format!(
                            "`{}.{}: {}` keeps data in the process",
                            ty.name,
                            field.name,
                            crate::analyzers::scan::clip(&field.ty, 60)
                        ),
                    ));
                } else if let Some(inner) = field
                    .ty
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .rfind(|w| {
                        w.chars().next().is_some_and(char::is_uppercase)
                            && !["Arc", "Mutex", "RwLock", "Option", "Box", "String", "Vec"]
                                .contains(w)
                    })
                {
                    let fi = facts
                        .rust
                        .iter()
                        .position(|f| f.path == file.path)
                        .unwrap_or(0);
                    next.push((fi, inner.to_string()));
                }
            }
        }
        queue = next;
        depth += 1;
    }
    out
}
