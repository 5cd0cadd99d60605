//! `perf.caching`: hot data or responses are served from a cache.
//!
//! A cache is a cache crate used in service code (moka, mini-moka,
//! quick_cache, cached's `#[cached]`, lru, stretto, foyer, schnellru), a
//! shared cache server (redis, fred, memcached clients), or an in-process map
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
    "^redis",
    "^fred",
    "^deadpool_redis",
    "^bb8_redis",
    "^memcache",
    "^async_memcached",
    "^axum_response_cache",
    "LruCache",
    "TtlCache",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let mut used: Vec<Hit> = facts.refs(CACHE_PATHS);
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
    let unused = facts.dep_hits(CACHE_CRATES);
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
        .looked_for(looked)
}
