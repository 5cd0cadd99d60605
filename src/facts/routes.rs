//! Joining router fragments into the service's routes.
//!
//! Fragments are found per function by the Rust extractor. Here they are joined
//! the way the framework would at run time: a `Mount` of a function's router is
//! replaced by that function's fragment under the prefix, `HandlerRef`s are
//! replaced by the handler's attribute routes (`#[get("/x")]`), and layers
//! accumulate from the outside in. Roots are fragments nothing else mounts.
//! Attribute-routed handlers that no fragment mounts are still reported, with the
//! path their attribute gives and `mounted: false`.

use super::packages::{package_of, Package};
use crate::extract::rust::router::join_prefix;
use crate::extract::rust::{FnFact, LayerFact, MountTarget, RouteItem, RustFile};
use crate::location::Location;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A route of the service.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub method: String,
    /// Full path, parameters normalised to `{name}`.
    pub path: String,
    pub handler: Option<String>,
    pub framework: String,
    /// Where the route is registered.
    pub location: Location,
    /// The handler function: (file index, fn index) into `Facts::rust`.
    #[serde(skip)]
    pub handler_fn: Option<(usize, usize)>,
    /// Middleware applied to it, outermost first.
    #[serde(skip)]
    pub layers: Vec<LayerFact>,
    /// Query parameters named in the route itself (rocket `?<limit>`).
    pub query: Vec<String>,
    /// Reachable from a router root with its full prefix known.
    pub mounted: bool,
    /// A gRPC service rather than an HTTP route.
    pub grpc: bool,
}

struct Index<'a> {
    files: &'a [RustFile],
    /// `const NAME: &str = "/x"` values, for routes registered with a constant path.
    consts: HashMap<&'a str, &'a str>,
    /// fn name → (file, fragment) of fragments in service code.
    fragments: HashMap<&'a str, Vec<(usize, usize)>>,
    /// fn name → (file, fn) of functions with route attributes.
    attr_fns: HashMap<&'a str, Vec<(usize, usize)>>,
    /// fn name → (file, fn) of all service functions.
    fns: HashMap<&'a str, Vec<(usize, usize)>>,
    packages: &'a [Package],
    /// The package of each file (looked up once, not per candidate per pick).
    file_pkg: Vec<Option<usize>>,
}

/// A router nothing else mounts: where a service's routes start.
#[derive(Debug, Clone, Serialize)]
pub struct RouterRoot {
    pub location: Location,
    pub owner: String,
    /// Routes reachable from it.
    pub routes: usize,
}

/// Resolve every route of the service code in `files`, and the router roots
/// (largest first).
pub fn resolve(files: &[RustFile], packages: &[Package]) -> (Vec<Route>, Vec<RouterRoot>) {
    let mut idx = Index {
        files,
        consts: HashMap::new(),
        fragments: HashMap::new(),
        attr_fns: HashMap::new(),
        fns: HashMap::new(),
        packages,
        file_pkg: files
            .iter()
            .map(|f| package_of(packages, &f.path))
            .collect(),
    };
    for (fi, f) in files.iter().enumerate() {
        if !f.role.is_service() {
            continue;
        }
        for l in &f.literals {
            if let Some(ctx) = &l.context {
                if l.in_fn.is_none()
                    && l.value.starts_with('/')
                    && ctx
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                {
                    idx.consts.entry(ctx.as_str()).or_insert(l.value.as_str());
                }
            }
        }
        for (gi, g) in f.fragments.iter().enumerate() {
            if !g.test {
                idx.fragments
                    .entry(g.owner.as_str())
                    .or_default()
                    .push((fi, gi));
            }
        }
        for (ni, func) in f.fns.iter().enumerate() {
            if func.test {
                continue;
            }
            idx.fns
                .entry(func.name.as_str())
                .or_default()
                .push((fi, ni));
            if !func.route_attrs.is_empty() {
                idx.attr_fns
                    .entry(func.name.as_str())
                    .or_default()
                    .push((fi, ni));
            }
        }
    }

    // Which fragments are mounted by others, and which attribute handlers are referenced.
    let mut mounted: HashSet<(usize, usize)> = HashSet::new();
    let mut referenced: HashSet<(usize, usize)> = HashSet::new();
    for (name, list) in &idx.fragments {
        for &(fi, gi) in list {
            let g = &files[fi].fragments[gi];
            let mut targets = Vec::new();
            let mut handlers = Vec::new();
            collect_refs(&g.items, &mut targets, &mut handlers);
            for (tname, qual) in targets {
                if tname == *name {
                    continue;
                }
                if let Some(t) = idx.pick_fragment(&tname, qual.as_deref(), fi) {
                    mounted.insert(t);
                }
            }
            for h in handlers {
                if let Some(t) = idx.pick(&idx.attr_fns, &h, None, fi) {
                    referenced.insert(t);
                }
            }
        }
    }

    let mut routes = Vec::new();
    let mut roots: Vec<(usize, usize)> = idx
        .fragments
        .values()
        .flatten()
        .copied()
        .filter(|k| !mounted.contains(k) || files[k.0].fragments[k.1].owner == "main")
        .collect();
    roots.sort();
    let mut router_roots = Vec::new();
    for (fi, gi) in roots {
        let g = &files[fi].fragments[gi];
        let mut visiting = HashSet::new();
        visiting.insert((fi, gi));
        let before = routes.len();
        idx.expand(&g.items, "", &[], fi, &mut visiting, &mut routes, 0);
        if routes.len() > before {
            router_roots.push(RouterRoot {
                location: Location::new(files[fi].path.clone(), g.line),
                owner: g.owner.clone(),
                routes: routes.len() - before,
            });
        }
    }
    router_roots.sort_by(|a, b| {
        b.routes
            .cmp(&a.routes)
            .then((b.owner == "main").cmp(&(a.owner == "main")))
            .then(a.location.cmp(&b.location))
    });
    // Attribute routes nothing mounts.
    let mut lone: Vec<(usize, usize)> = idx
        .attr_fns
        .values()
        .flatten()
        .copied()
        .filter(|k| !referenced.contains(k))
        .collect();
    lone.sort();
    for (fi, ni) in lone {
        let func = &files[fi].fns[ni];
        for ra in &func.route_attrs {
            push_attr_route(&idx, &mut routes, fi, ni, func, ra, "", &[], false);
        }
    }
    routes
        .sort_by(|a, b| (&a.path, &a.method, &a.location).cmp(&(&b.path, &b.method, &b.location)));
    routes.dedup_by(|a, b| a.path == b.path && a.method == b.method && a.location == b.location);
    (routes, router_roots)
}

fn collect_refs(
    items: &[RouteItem],
    targets: &mut Vec<(String, Option<String>)>,
    handlers: &mut Vec<String>,
) {
    for item in items {
        match item {
            RouteItem::Mount { target, .. } => match target {
                MountTarget::Fn { name, qualifier } => {
                    targets.push((name.clone(), qualifier.clone()))
                }
                MountTarget::Inline { items } => collect_refs(items, targets, handlers),
                MountTarget::Opaque { .. } => {}
            },
            RouteItem::HandlerRef { name, .. } => handlers.push(name.clone()),
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn push_attr_route(
    idx: &Index<'_>,
    routes: &mut Vec<Route>,
    fi: usize,
    ni: usize,
    func: &FnFact,
    ra: &crate::extract::rust::RouteAttr,
    prefix: &str,
    layers: &[LayerFact],
    mounted: bool,
) {
    let (path, query) = normalise(&join_prefix(prefix, &ra.path));
    for method in ra.method.split(',') {
        routes.push(Route {
            method: method.to_string(),
            path: path.clone(),
            handler: Some(func.name.clone()),
            framework: idx.framework(fi),
            location: Location::new(idx.files[fi].path.clone(), ra.line),
            handler_fn: Some((fi, ni)),
            layers: layers.to_vec(),
            query: query.clone(),
            mounted,
            grpc: false,
        });
    }
}

impl<'a> Index<'a> {
    fn framework(&self, fi: usize) -> String {
        self.file_pkg[fi]
            .and_then(|p| self.packages[p].frameworks.first().cloned())
            .unwrap_or_default()
    }

    /// Choose among same-named candidates: a qualifier naming the file's module
    /// or the method's type wins, then the same file, then the same package.
    fn pick(
        &self,
        map: &HashMap<&'a str, Vec<(usize, usize)>>,
        name: &str,
        qualifier: Option<&str>,
        from_file: usize,
    ) -> Option<(usize, usize)> {
        let list = map.get(name)?;
        if list.len() == 1 {
            return list.first().copied();
        }
        let pkg = self.file_pkg[from_file];
        let score = |&(fi, _): &(usize, usize)| {
            let path = &self.files[fi].path;
            let mut s = 0;
            if let Some(q) = qualifier {
                if names_module(path, q) {
                    s += 4;
                }
            }
            if fi == from_file {
                s += 2;
            }
            if pkg.is_some() && self.file_pkg[fi] == pkg {
                s += 1;
            }
            s
        };
        list.iter()
            .copied()
            .max_by_key(|c| (score(c), std::cmp::Reverse(*c)))
    }

    fn pick_fragment(
        &self,
        name: &str,
        qualifier: Option<&str>,
        from: usize,
    ) -> Option<(usize, usize)> {
        if let Some(q) = qualifier {
            // `Type::method` — prefer a fragment whose owner is a method of `q`.
            if let Some(list) = self.fragments.get(name) {
                if let Some(hit) = list.iter().find(|(fi, gi)| {
                    self.files[*fi].fragments[*gi].owner_self_ty.as_deref() == Some(q)
                }) {
                    return Some(*hit);
                }
            }
        }
        self.pick(&self.fragments, name, qualifier, from)
    }

    fn handler_fn(&self, handler: &str, from: usize) -> Option<(usize, usize)> {
        let mut segs: Vec<&str> = handler.split("::").collect();
        let name = segs.pop()?;
        let qualifier = segs.pop();
        if let (Some(q), Some(list)) = (qualifier, self.fns.get(name)) {
            if let Some(hit) = list
                .iter()
                .find(|(fi, ni)| self.files[*fi].fns[*ni].self_ty.as_deref() == Some(q))
            {
                return Some(*hit);
            }
        }
        self.pick(&self.fns, name, qualifier, from)
    }

    #[allow(clippy::too_many_arguments)]
    fn expand(
        &self,
        items: &[RouteItem],
        prefix: &str,
        outer_layers: &[LayerFact],
        fi: usize,
        visiting: &mut HashSet<(usize, usize)>,
        out: &mut Vec<Route>,
        depth: u32,
    ) {
        if depth > 32 {
            return;
        }
        let mut layers = outer_layers.to_vec();
        layers.extend(items.iter().filter_map(|i| match i {
            RouteItem::Layer(l) => Some(l.clone()),
            _ => None,
        }));
        for item in items {
            match item {
                RouteItem::Route {
                    methods,
                    path,
                    handler,
                    line,
                    layers: own,
                    ..
                } => {
                    let path = match path.strip_prefix('$') {
                        Some(name) => self.consts.get(name).copied().unwrap_or(path),
                        None => path,
                    };
                    let (full, query) = normalise(&join_prefix(prefix, path));
                    let mut all = layers.clone();
                    all.extend(own.iter().cloned());
                    let handler_fn = handler.as_deref().and_then(|h| self.handler_fn(h, fi));
                    for m in methods {
                        out.push(Route {
                            method: m.clone(),
                            path: full.clone(),
                            handler: handler.clone(),
                            framework: self.framework(fi),
                            location: Location::new(self.files[fi].path.clone(), *line),
                            handler_fn,
                            layers: all.clone(),
                            query: query.clone(),
                            mounted: true,
                            grpc: false,
                        });
                    }
                }
                RouteItem::Mount {
                    prefix: p, target, ..
                } => {
                    let joined = join_prefix(prefix, p);
                    let joined = if p.is_empty() {
                        prefix.to_string()
                    } else {
                        joined
                    };
                    match target {
                        MountTarget::Inline { items } => {
                            self.expand(items, &joined, &layers, fi, visiting, out, depth + 1)
                        }
                        MountTarget::Fn { name, qualifier } => {
                            if let Some(key) = self.pick_fragment(name, qualifier.as_deref(), fi) {
                                if visiting.insert(key) {
                                    let g = &self.files[key.0].fragments[key.1];
                                    self.expand(
                                        &g.items,
                                        &joined,
                                        &layers,
                                        key.0,
                                        visiting,
                                        out,
                                        depth + 1,
                                    );
                                    visiting.remove(&key);
                                }
                            }
                        }
                        MountTarget::Opaque { .. } => {}
                    }
                }
                RouteItem::HandlerRef { name, .. } => {
                    if let Some((hf, hn)) = self.pick(&self.attr_fns, name, None, fi) {
                        let func = &self.files[hf].fns[hn];
                        for ra in &func.route_attrs {
                            push_attr_route(self, out, hf, hn, func, ra, prefix, &layers, true);
                        }
                    }
                }
                RouteItem::GrpcService { service, line } => out.push(Route {
                    method: "GRPC".into(),
                    path: format!("/{service}"),
                    handler: Some(service.clone()),
                    framework: "tonic".into(),
                    location: Location::new(self.files[fi].path.clone(), *line),
                    handler_fn: None,
                    layers: layers.clone(),
                    query: Vec::new(),
                    mounted: true,
                    grpc: true,
                }),
                RouteItem::Layer(_) => {}
            }
        }
    }
}

/// `path.ends_with("/{q}.rs") || path.contains("/{q}/")`, without building
/// either pattern (this runs for every candidate of every handler lookup).
fn names_module(path: &str, q: &str) -> bool {
    let (p, q) = (path.as_bytes(), q.as_bytes());
    let file = p.len() >= 3
        && p.ends_with(b".rs")
        && p[..p.len() - 3].ends_with(q)
        && p[..p.len() - 3 - q.len()].ends_with(b"/");
    file || p
        .windows(q.len() + 2)
        .any(|w| w[0] == b'/' && w[w.len() - 1] == b'/' && &w[1..w.len() - 1] == q)
}

/// Normalise path parameters to `{name}` (axum `:id`/`*rest`, rocket and salvo
/// `<id>`, actix `{id:\d+}`) and split off a rocket query (`?<limit>&<offset>`).
pub fn normalise(path: &str) -> (String, Vec<String>) {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path, ""),
    };
    let query: Vec<String> = query
        .split('&')
        .map(|q| {
            q.trim_matches(|c| c == '<' || c == '>')
                .trim_end_matches("..")
                .to_string()
        })
        .filter(|q| !q.is_empty())
        .collect();
    let segs: Vec<String> = path
        .split('/')
        .map(|s| {
            if let Some(name) = s.strip_prefix(':') {
                format!("{{{name}}}")
            } else if let Some(name) = s.strip_prefix('*') {
                format!("{{*{name}}}")
            } else if s.starts_with('<') && s.ends_with('>') {
                let inner = s.trim_matches(|c| c == '<' || c == '>');
                let inner = inner
                    .split(':')
                    .next()
                    .unwrap_or(inner)
                    .trim_end_matches("..");
                format!("{{{inner}}}")
            } else if s.starts_with('{') && s.ends_with('}') {
                let inner = &s[1..s.len() - 1];
                let inner = inner.split(':').next().unwrap_or(inner);
                format!("{{{inner}}}")
            } else {
                s.to_string()
            }
        })
        .collect();
    let mut out = segs.join("/");
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    if out.is_empty() {
        out.push('/');
    }
    (out, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_match_the_patterns_they_replace() {
        let paths = [
            "src/api/users.rs",
            "src/users/mod.rs",
            "users.rs",
            "src/a/b.rs",
            "x//y.rs",
            "src/userss/a.rs",
            "src/aaa/aa/x.rs",
            "/aa/",
            ".rs",
        ];
        for path in paths {
            for q in ["users", "a", "aa", "b", "", "src", "y"] {
                let old = path.ends_with(&format!("/{q}.rs")) || path.contains(&format!("/{q}/"));
                assert_eq!(names_module(path, q), old, "{path} {q}");
            }
        }
    }

    #[test]
    fn normalises_parameters_and_rocket_queries() {
        assert_eq!(normalise("/users/:id").0, "/users/{id}");
        assert_eq!(normalise("/files/*rest").0, "/files/{*rest}");
        assert_eq!(normalise("/u/<id>").0, "/u/{id}");
        assert_eq!(normalise(r"/u/{id:\d+}").0, "/u/{id}");
        assert_eq!(
            normalise("/items?<limit>&<offset>"),
            (
                "/items".to_string(),
                vec!["limit".to_string(), "offset".to_string()]
            )
        );
        assert_eq!(normalise("/api/").0, "/api");
    }
}
