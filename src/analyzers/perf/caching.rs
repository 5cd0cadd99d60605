//! `perf.caching`: hot data or responses are served from a cache.
//!
//! A cache is a cache crate used in service code (moka, mini-moka,
//! quick_cache, cached's `#[cached]`, lru, stretto, foyer, schnellru), a
//! shared cache server (memcached clients; redis/fred when the file using
//! them writes with an expiry — `set_ex`, `expire`, `get_ex` — or is named
//! for a cache: redis as a queue, a store or a stream connector caches
//! nothing), or an in-process map
//! held in a field named for a cache (`cache: RwLock<HashMap<..>>`). HTTP
//! caching (`Cache-Control`/`ETag` on responses) lets clients and CDNs cache
//! and counts half. A cache crate in Cargo.toml that no code uses caches
//! nothing.
//!
//! pass: a cache used in code · partial: only HTTP cache headers, or a cache
//! crate nothing uses · fail: none · n/a: no HTTP/gRPC server.

use crate::analyzers::{scan, unless_server};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const CACHE_CRATES: &[&str] = &[
    "moka",
    "mini-moka",
    "quick_cache",
    "cached",
    "lru",
    "stretto",
    "foyer",
    "schnellru",
    "clru",
    "retainer",
    "ttl_cache",
    "redis",
    "fred",
    "deadpool-redis",
    "bb8-redis",
    "memcache",
    "async-memcached",
    "axum-response-cache",
];

const CACHE_PATHS: &[&str] = &[
    "^moka",
    "^mini_moka",
    "^quick_cache",
    "^cached",
    "^lru",
    "^stretto",
    "^foyer",
    "^schnellru",
    "^clru",
    "^retainer",
    "^ttl_cache",
    "^memcache",
    "^async_memcached",
    "^axum_response_cache",
    "LruCache",
    "TtlCache",
];

/// Key-value servers that are a cache only when used as one.
const KV_PATHS: &[&str] = &["^redis", "^fred", "^deadpool_redis", "^bb8_redis"];

/// Writes that expire: what makes a key-value server a cache.
const EXPIRING: &[&str] = &[
    "set_ex",
    "pset_ex",
    "setex",
    "expire",
    "pexpire",
    "expire_at",
    "get_ex",
    "getex",
];

/// Redis/fred uses in files that write with an expiry or are named for a
/// cache, and the other uses (a store, a queue, a connector).
fn kv_uses(facts: &Facts) -> (Vec<Hit>, Vec<Hit>) {
    let expiring: std::collections::HashSet<&str> = facts
        .rust
        .iter()
        .filter(|f| {
            f.methods
                .iter()
                .any(|m| EXPIRING.contains(&m.name.to_ascii_lowercase().as_str()))
        })
        .map(|f| f.path.as_str())
        .collect();
    facts.refs(KV_PATHS).into_iter().partition(|h| {
        h.location.path.to_ascii_lowercase().contains("cache")
            || expiring.contains(h.location.path.as_str())
    })
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let mut used: Vec<Hit> = facts.refs(CACHE_PATHS);
    let (kv_cache, kv_other) = kv_uses(facts);
    used.extend(kv_cache);
    // In-process maps named for a cache.
    let map = scan::re(r"HashMap<|BTreeMap<|DashMap<|Cache<|LruCache<|IndexMap<");
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            for fld in t
                .fields
                .iter()
                .filter(|x| x.name.to_ascii_lowercase().contains("cache") && map.is_match(&x.ty))
            {
                used.push(Hit::new(
                    Location::new(f.path.clone(), fld.line),
                    format!("in-process cache `{}.{}`", t.name, fld.name),
                ));
            }
        }
    }
    let looked = "a cache in front of hot data or responses: moka / cached / lru in process, or redis / memcached shared; Cache-Control/ETag for HTTP caching";
    if !used.is_empty() {
        return Outcome::pass(format!("cache in use: {}", used[0].what)).with_hits(used);
    }
    let mut http = facts.refs(&[
        "header::CACHE_CONTROL",
        "CACHE_CONTROL",
        "header::ETAG",
        "ETAG",
        "CacheControl",
        "IF_NONE_MATCH",
        "ETag",
    ]);
    http.extend(scan::literal_hits(
        facts,
        &scan::re(r"(?i)^cache-control$|max-age=\d+|s-maxage="),
    ));
    // A key-value crate used as a store is used, just not as a cache.
    let kv_crates = ["redis", "fred", "deadpool-redis", "bb8-redis"];
    let unused_candidates: Vec<&str> = CACHE_CRATES
        .iter()
        .copied()
        .filter(|c| kv_other.is_empty() || !kv_crates.contains(c))
        .collect();
    let unused = facts.dep_hits(&unused_candidates);
    if !http.is_empty() {
        return Outcome::partial(format!(
            "responses carry HTTP cache headers ({}), but the service caches nothing itself",
            http[0].what
        ))
        .with_found_hits(http)
        .looked_for(looked);
    }
    if !unused.is_empty() {
        return Outcome::partial(format!("{}, but no service code uses it", unused[0].what))
            .with_hits(unused)
            .looked_for(looked);
    }
    Outcome::fail("no caching layer: every request recomputes or refetches its data")
        .at(
            facts.anchor(),
            "no cache crate, cache server client or cache headers",
        )
        .with(kv_other.into_iter().take(3).map(|h| {
            crate::rules::Evidence::new(
                h.location,
                format!(
                    "{} — a key-value store used without expiring writes (set_ex/expire), not as a cache",
                    h.what
                ),
            )
        }))
        .looked_for(looked)
}
