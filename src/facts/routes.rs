//! Joining router fragments into the service's routes.
//!
//! Fragments are found per function by the Rust extractor. Here they are joined
//! the way the framework would at run time: a `Mount` of a function's router is
//! replaced by that function's fragment under the prefix (with the call's
//! arguments put in place of the function's parameters, so helpers such as
//! `route(path, method_router)` or `get_internal(handler)` expand to the routes
//! they build), `HandlerRef`s are replaced by the handler's attribute routes
//! (`#[get("/x")]`, or utoipa's `#[utoipa::path]` for utoipa-axum `routes!`),
//! paths named through constants or route tables are resolved to their literals,
//! and layers accumulate from the outside in. Roots are fragments nothing else
//! mounts. Attribute-routed handlers that no fragment mounts are still reported,
//! with the path their attribute gives and `mounted: false`.

use super::packages::{package_of, Package};
use crate::extract::rust::router::join_prefix;
use crate::extract::rust::{
    CallArg, FnFact, LayerFact, MountTarget, RefKind, RouteAttr, RouteItem, RustFile,
};
use crate::location::Location;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

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
    /// Query parameters named in the route itself (rocket `?<limit>`) or by the
    /// query type its registration states (warp `query::<T>()`).
    pub query: Vec<String>,
    /// Reachable from a router root with its full prefix known.
    pub mounted: bool,
    /// A gRPC service rather than an HTTP route.
    pub grpc: bool,
    /// A fallback for everything under `path` (`.fallback(h)`, actix
    /// `default_service`) rather than a route of its own.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
    /// Registered through an OpenAPI-documenting router (aide `api_route`).
    #[serde(skip)]
    pub documented: bool,
}

impl Route {
    /// A mounted HTTP route with nothing else known yet.
    fn at(
        method: &str,
        path: &str,
        handler: Option<String>,
        framework: String,
        location: Location,
    ) -> Route {
        Route {
            method: method.to_string(),
            path: path.to_string(),
            handler,
            framework,
            location,
            handler_fn: None,
            layers: Vec::new(),
            query: Vec::new(),
            mounted: true,
            grpc: false,
            fallback: false,
            documented: false,
        }
    }
}

/// What a handler takes from the request or the application, read from its
/// parameter types (`Query<ListParams>`, `State<AppState>`, `Claims`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extractor {
    pub kind: ExtractorKind,
    /// The bound name, when there is one.
    pub name: Option<String>,
    pub ty: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtractorKind {
    Query,
    Path,
    Body,
    Header,
    /// Shared application state: a pool, a client, configuration.
    State,
    /// An authenticated caller: claims, a session, an API key.
    Auth,
    Other,
}

impl Route {
    /// The extractors of the route's handler, in parameter order. A rocket
    /// parameter the route's query names (`?<limit>`) is a query extractor.
    pub fn extractors(&self, files: &[RustFile]) -> Vec<Extractor> {
        let Some((fi, ni)) = self.handler_fn else {
            return Vec::new();
        };
        let Some(func) = files.get(fi).and_then(|f| f.fns.get(ni)) else {
            return Vec::new();
        };
        func.params
            .iter()
            .map(|p| {
                let named_in_query = p.name.as_ref().is_some_and(|n| self.query.contains(n));
                Extractor {
                    kind: if named_in_query {
                        ExtractorKind::Query
                    } else {
                        extractor_kind(&p.ty)
                    },
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                }
            })
            .collect()
    }
}

/// The kind of extractor a parameter type is, by the wrapper that names it.
pub fn extractor_kind(ty: &str) -> ExtractorKind {
    let t = ty.trim_start_matches('&').trim_start_matches("mut ");
    let base = t.split('<').next().unwrap_or(t);
    let base = base.rsplit("::").next().unwrap_or(base);
    match base {
        "Query" | "QueryParam" | "RawQuery" => return ExtractorKind::Query,
        "Path" | "PathParam" | "MatchedPath" => return ExtractorKind::Path,
        "Json" | "Form" | "JsonBody" | "FormBody" | "Multipart" | "Bytes" | "Payload" | "Body" => {
            return ExtractorKind::Body
        }
        "TypedHeader" | "HeaderMap" | "Header" | "HeaderParam" | "CookieJar" | "Cookie" => {
            return ExtractorKind::Header
        }
        "State" | "Data" | "Extension" | "Depot" | "Connection" | "Db" | "Pool" | "PgPool" => {
            return ExtractorKind::State
        }
        _ => {}
    }
    let inner = t.trim_start_matches("Option<");
    let name = inner.split('<').next().unwrap_or(inner);
    let name = name.rsplit("::").next().unwrap_or(name);
    const AUTH: &[&str] = &[
        "Auth",
        "Claims",
        "Jwt",
        "Bearer",
        "Session",
        "Identity",
        "ApiKey",
        "Token",
        "User",
        "Principal",
        "Credentials",
    ];
    if AUTH.iter().any(|a| name.contains(a)) {
        ExtractorKind::Auth
    } else {
        ExtractorKind::Other
    }
}

/// A router nothing else mounts: where a service's routes start.
#[derive(Debug, Clone, Serialize)]
pub struct RouterRoot {
    pub location: Location,
    pub owner: String,
    /// Routes reachable from it.
    pub routes: usize,
}

type Key = (usize, usize);

/// A call argument bound to a callee's parameter, with the caller's context.
struct Bound<'a> {
    arg: &'a CallArg,
    fi: usize,
    env: Rc<Env<'a>>,
}

/// Parameter name → the argument the caller passed.
type Env<'a> = HashMap<&'a str, Bound<'a>>;

struct Index<'a> {
    files: &'a [RustFile],
    /// `const NAME: &str = "/x"` values.
    consts: HashMap<&'a str, &'a str>,
    /// Field name → literals assigned to it that look like paths (route tables:
    /// `Auth { login: "/api/v1/signin", .. }`), with their file.
    fields: HashMap<&'a str, Vec<(usize, usize)>>,
    /// fn name → fragments in service code.
    fragments: HashMap<&'a str, Vec<Key>>,
    /// fn name → functions with route attributes.
    attr_fns: HashMap<&'a str, Vec<Key>>,
    /// fn name → functions with a `#[utoipa::path]` operation, and its index.
    op_fns: HashMap<&'a str, Vec<(usize, usize, usize)>>,
    /// fn name → all service functions.
    fns: HashMap<&'a str, Vec<Key>>,
    packages: &'a [Package],
    /// The package of each file, looked up once rather than per candidate.
    file_pkg: Vec<Option<usize>>,
}

/// The service's routes joined from its router fragments.
#[derive(Debug, Default)]
pub struct Joined {
    pub routes: Vec<Route>,
    /// Router roots, largest first.
    pub roots: Vec<RouterRoot>,
    /// Routes of routers that are built but never used: their function is not
    /// called, passed or mounted anywhere in service code, nor an entry point.
    /// `mounted: false`; no route-based item counts them.
    pub unmounted: Vec<Route>,
}

/// Resolve every route of the service code in `files`, and the router roots
/// (largest first).
pub fn resolve(files: &[RustFile], packages: &[Package]) -> (Vec<Route>, Vec<RouterRoot>) {
    let j = join(files, packages);
    (j.routes, j.roots)
}

/// Resolve every route of the service code in `files`: the routes a live
/// router serves, the roots, and the routes of routers nothing uses.
pub fn join(files: &[RustFile], packages: &[Package]) -> Joined {
    let idx = Index::new(files, packages);

    // Which fragments are mounted by others, and which attribute handlers are referenced.
    let mut mounted: HashSet<Key> = HashSet::new();
    let mut referenced: HashSet<Key> = HashSet::new();
    for list in idx.fragments.values() {
        for &(fi, gi) in list {
            let g = &files[fi].fragments[gi];
            let mut refs = Refs::default();
            collect_refs(&g.items, &mut refs);
            for (tname, qual) in refs.targets {
                if let Some(t) = idx.pick_fragment(&tname, qual.as_deref(), fi) {
                    if t != (fi, gi) {
                        mounted.insert(t);
                    }
                }
            }
            for (h, qual) in refs.handlers {
                if let Some(t) = idx.pick(&idx.attr_fns, &h, qual.as_deref(), fi) {
                    referenced.insert(t);
                }
            }
            for ty in refs.impls {
                referenced.extend(idx.impl_fns(&ty));
            }
        }
    }

    let mut routes = Vec::new();
    let mut roots: Vec<Key> = idx
        .fragments
        .values()
        .flatten()
        .copied()
        .filter(|k| !mounted.contains(k) || files[k.0].fragments[k.1].owner == "main")
        .collect();
    roots.sort();
    let used = idx.used_roots(&roots);
    let mut expanded = Vec::new();
    for &(fi, gi) in &roots {
        let g = &files[fi].fragments[gi];
        let mut visiting = HashSet::new();
        visiting.insert((fi, gi));
        let ctx = Ctx {
            prefix: String::new(),
            layers: Vec::new(),
            fi,
            env: Rc::new(Env::new()),
            depth: 0,
            site: None,
        };
        let mut out = Vec::new();
        idx.expand(&g.items, &ctx, &mut visiting, &mut out);
        if !out.is_empty() {
            expanded.push(((fi, gi), out));
        }
    }
    // A root nothing uses is dead only when a used root of the same package
    // serves routes: otherwise the entry point is out of sight (a macro, a
    // crate of another repository calling a library's `pub fn`) and every
    // root is taken as mounted.
    let live_pkgs: HashSet<Option<usize>> = expanded
        .iter()
        .filter(|(k, _)| used.contains(k))
        .map(|((fi, _), _)| idx.file_pkg[*fi])
        .collect();
    let mut router_roots = Vec::new();
    let mut unmounted = Vec::new();
    for ((fi, gi), out) in expanded {
        if !used.contains(&(fi, gi)) && live_pkgs.contains(&idx.file_pkg[fi]) {
            unmounted.extend(out.into_iter().map(|r| Route {
                mounted: false,
                ..r
            }));
            continue;
        }
        let g = &files[fi].fragments[gi];
        router_roots.push(RouterRoot {
            location: Location::new(files[fi].path.clone(), g.line),
            owner: g.owner.clone(),
            routes: out.len(),
        });
        routes.extend(out);
    }
    router_roots.sort_by(|a, b| {
        b.routes
            .cmp(&a.routes)
            .then((b.owner == "main").cmp(&(a.owner == "main")))
            .then(a.location.cmp(&b.location))
    });
    // Attribute routes nothing mounts.
    let mut lone: Vec<Key> = idx
        .attr_fns
        .values()
        .flatten()
        .copied()
        .filter(|k| !referenced.contains(k))
        .collect();
    lone.sort();
    let ctx = Ctx {
        prefix: String::new(),
        layers: Vec::new(),
        fi: 0,
        env: Rc::new(Env::new()),
        depth: 0,
        site: None,
    };
    for (fi, ni) in lone {
        let func = &files[fi].fns[ni];
        for ra in &func.route_attrs {
            idx.push_attr_route(&mut routes, (fi, ni), func, ra, &ctx, false);
        }
    }
    sort_dedup(&mut routes);
    // A route a live router also serves is not dead.
    let live: HashSet<(&str, &Location)> = routes
        .iter()
        .map(|r| (r.method.as_str(), &r.location))
        .collect();
    unmounted.retain(|r| !live.contains(&(r.method.as_str(), &r.location)));
    sort_dedup(&mut unmounted);
    Joined {
        routes,
        roots: router_roots,
        unmounted,
    }
}

fn sort_dedup(routes: &mut Vec<Route>) {
    routes.sort_by(|a, b| {
        (&a.path, &a.method, &a.location, !a.mounted).cmp(&(
            &b.path,
            &b.method,
            &b.location,
            !b.mounted,
        ))
    });
    routes.dedup_by(|a, b| a.path == b.path && a.method == b.method && a.location == b.location);
}

/// Attributes that say nothing about who calls a function. Any other attribute
/// (`#[launch]`, `#[shuttle_runtime::main]`, a framework's registration macro)
/// may make it an entry point.
fn inert_attr(path: &str) -> bool {
    let last = path.rsplit("::").next().unwrap_or(path);
    matches!(
        last,
        "doc"
            | "allow"
            | "warn"
            | "deny"
            | "expect"
            | "forbid"
            | "cfg"
            | "cfg_attr"
            | "inline"
            | "must_use"
            | "deprecated"
            | "instrument"
            | "track_caller"
            | "cold"
            | "skip"
    ) || path.starts_with("clippy::")
}

/// What a fragment refers to: functions it mounts, handlers it names, types
/// whose attribute routes it serves.
#[derive(Default)]
struct Refs {
    targets: Vec<(String, Option<String>)>,
    handlers: Vec<(String, Option<String>)>,
    impls: Vec<String>,
}

fn collect_refs(items: &[RouteItem], refs: &mut Refs) {
    for item in items {
        match item {
            RouteItem::Mount { target, args, .. } => {
                match target {
                    MountTarget::Fn { name, qualifier }
                    | MountTarget::MethodFn {
                        name, qualifier, ..
                    } => refs.targets.push((name.clone(), qualifier.clone())),
                    MountTarget::Inline { items } => collect_refs(items, refs),
                    MountTarget::Impl { self_ty } => refs.impls.push(self_ty.clone()),
                    MountTarget::Param { .. } | MountTarget::Opaque { .. } => {}
                }
                for a in args {
                    if let CallArg::Items(inner) = a {
                        collect_refs(inner, refs);
                    }
                }
            }
            RouteItem::HandlerRef {
                name, qualifier, ..
            } => refs.handlers.push((name.clone(), qualifier.clone())),
            _ => {}
        }
    }
}

/// Where an expansion is: the prefix and layers so far, the file whose names
/// are resolved, and the arguments bound to the current fragment's parameters.
struct Ctx<'a> {
    prefix: String,
    layers: Vec<LayerFact>,
    fi: usize,
    env: Rc<Env<'a>>,
    depth: u32,
    /// Where routes are registered when a method-router helper is expanded
    /// (`.route("/x", get_internal(h))`): the call site, not the helper's body.
    site: Option<(usize, u32)>,
}

impl<'a> Ctx<'a> {
    fn under(&self, prefix: String, fi: usize, env: Rc<Env<'a>>) -> Ctx<'a> {
        Ctx {
            prefix,
            layers: self.layers.clone(),
            fi,
            env,
            depth: self.depth + 1,
            site: self.site,
        }
    }
}

impl<'a> Index<'a> {
    fn new(files: &'a [RustFile], packages: &'a [Package]) -> Index<'a> {
        let mut idx = Index {
            files,
            consts: HashMap::new(),
            fields: HashMap::new(),
            fragments: HashMap::new(),
            attr_fns: HashMap::new(),
            op_fns: HashMap::new(),
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
            for (li, l) in f.literals.iter().enumerate() {
                let Some(ctx) = &l.context else { continue };
                if l.test || !l.value.starts_with('/') {
                    continue;
                }
                if ctx
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                {
                    if l.in_fn.is_none() {
                        idx.consts.entry(ctx.as_str()).or_insert(l.value.as_str());
                    }
                } else {
                    idx.fields.entry(ctx.as_str()).or_default().push((fi, li));
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
            for (oi, op) in f.api_ops.iter().enumerate() {
                if let Some(func) = f.fns.get(op.fn_idx as usize).filter(|f| !f.test) {
                    idx.op_fns.entry(func.name.as_str()).or_default().push((
                        fi,
                        op.fn_idx as usize,
                        oi,
                    ));
                }
            }
        }
        idx
    }

    /// The roots among `roots` that something uses: built in `main`, an entry
    /// point (a function with a framework attribute, a trait method the
    /// framework calls), or named anywhere in service code outside tests —
    /// called, passed as a value, named in a macro.
    fn used_roots(&self, roots: &[Key]) -> HashSet<Key> {
        let mut used = HashSet::new();
        let mut names: HashSet<&str> = HashSet::new();
        for &(fi, gi) in roots {
            let f = &self.files[fi];
            let g = &f.fragments[gi];
            if g.owner == "main" || self.is_entry(f, g) {
                used.insert((fi, gi));
            } else {
                names.insert(g.owner.as_str());
            }
        }
        if names.is_empty() {
            return used;
        }
        const METHOD: &str = "<method>";
        let mut mark = |name: &str, qualifier: Option<&str>| {
            if !names.contains(name) {
                return;
            }
            if qualifier == Some(METHOD) {
                let methods = self.fragments.get(name).into_iter().flatten();
                used.extend(
                    methods
                        .filter(|&&(fi, gi)| self.files[fi].fragments[gi].owner_self_ty.is_some()),
                );
            } else {
                used.extend(self.named_by(name, qualifier));
            }
        };
        for f in self.files {
            if !f.role.is_service() {
                continue;
            }
            for r in f.refs.iter().filter(|r| !r.test && r.kind == RefKind::Expr) {
                match r.path.rsplit_once("::") {
                    Some((q, n)) => mark(n, Some(q)),
                    None => mark(&r.path, None),
                }
            }
            for c in f.calls.iter().filter(|c| !c.test) {
                mark(&c.name, None);
            }
            // A method call can only mean a function with a receiver type.
            for m in f.methods.iter().filter(|m| !m.test) {
                mark(&m.name, Some(METHOD));
            }
            for v in &f.fn_values {
                mark(v, None);
            }
            for m in f.macros.iter().filter(|m| !m.test) {
                for id in &m.idents {
                    let n = id.rsplit("::").next().unwrap_or(id);
                    mark(n, None);
                }
            }
        }
        used
    }

    /// Whether the function owning `g` is called by a framework rather than by
    /// service code: it carries an attribute other than documentation, lints
    /// and instrumentation, or implements a trait method.
    fn is_entry(&self, f: &RustFile, g: &crate::extract::rust::RouterFragment) -> bool {
        let owner = f.fns.iter().find(|func| {
            func.name == g.owner
                && func.self_ty == g.owner_self_ty
                && func.line <= g.line
                && g.line <= func.end_line.max(func.line)
        });
        if owner.is_some_and(|func| func.attrs.iter().any(|a| !inert_attr(&a.path))) {
            return true;
        }
        g.owner_self_ty.as_deref().is_some_and(|ty| {
            f.impls
                .iter()
                .any(|i| i.trait_path.is_some() && i.self_ty == ty && i.methods.contains(&g.owner))
        })
    }

    /// The fragments a mention of `name` may mean: the one its qualifier
    /// names (by module path or type) when it names one, else every fragment so
    /// called — a mention that could mean several keeps them all.
    fn named_by(&self, name: &str, qualifier: Option<&str>) -> Vec<Key> {
        let Some(list) = self.fragments.get(name) else {
            return Vec::new();
        };
        let Some(q) = qualifier.filter(|_| list.len() > 1) else {
            return list.clone();
        };
        let last_q = q.rsplit("::").next().unwrap_or(q);
        let score = |&(fi, gi): &Key| {
            let by_type =
                u8::from(self.files[fi].fragments[gi].owner_self_ty.as_deref() == Some(last_q));
            let by_module = module_match(&self.files[fi].path, q);
            by_type.max(by_module)
        };
        let best = list.iter().map(score).max().unwrap_or(0);
        if best == 0 {
            return list.clone();
        }
        list.iter().copied().filter(|k| score(k) == best).collect()
    }

    fn framework(&self, fi: usize) -> String {
        self.file_pkg[fi]
            .and_then(|p| self.packages[p].frameworks.first().cloned())
            .unwrap_or_default()
    }

    /// Choose among same-named candidates: a qualifier naming the file's module
    /// path (`routes::posts` → `src/routes/posts.rs`) or the method's type wins,
    /// then the same file, then the same package.
    fn pick(
        &self,
        map: &HashMap<&'a str, Vec<Key>>,
        name: &str,
        qualifier: Option<&str>,
        from_file: usize,
    ) -> Option<Key> {
        let list = map.get(name)?;
        self.best(list, qualifier, from_file, |(fi, ni)| {
            self.files[fi]
                .fns
                .get(ni)
                .and_then(|f| f.self_ty.as_deref())
        })
    }

    fn pick_fragment(&self, name: &str, qualifier: Option<&str>, from: usize) -> Option<Key> {
        let list = self.fragments.get(name)?;
        self.best(list, qualifier, from, |(fi, gi)| {
            self.files[fi].fragments[gi].owner_self_ty.as_deref()
        })
    }

    fn best<'s>(
        &'s self,
        list: &[Key],
        qualifier: Option<&str>,
        from: usize,
        self_ty: impl Fn(Key) -> Option<&'s str>,
    ) -> Option<Key> {
        if list.len() == 1 {
            return list.first().copied();
        }
        let pkg = self.file_pkg[from];
        let last_q = qualifier.map(|q| q.rsplit("::").next().unwrap_or(q));
        let score = |&k: &Key| {
            let path = &self.files[k.0].path;
            let by_type = u8::from(last_q.is_some() && self_ty(k) == last_q);
            let by_module = qualifier.map(|q| module_match(path, q)).unwrap_or(0);
            let same_file = u8::from(k.0 == from);
            let same_pkg = u8::from(pkg.is_some() && self.file_pkg[k.0] == pkg);
            (by_type, by_module, same_file, same_pkg)
        };
        list.iter()
            .copied()
            .max_by_key(|c| (score(c), std::cmp::Reverse(*c)))
    }

    fn handler_fn(&self, handler: &str, from: usize) -> Option<Key> {
        let (qualifier, name) = match handler.rsplit_once("::") {
            Some((q, n)) => (Some(q), n),
            None => (None, handler),
        };
        self.pick(&self.fns, name, qualifier, from)
    }

    /// Route-attributed methods of a type (poem-openapi `#[OpenApi] impl Api`).
    fn impl_fns(&self, self_ty: &str) -> Vec<Key> {
        let mut out: Vec<Key> = self
            .attr_fns
            .values()
            .flatten()
            .copied()
            .filter(|(fi, ni)| self.files[*fi].fns[*ni].self_ty.as_deref() == Some(self_ty))
            .collect();
        out.sort();
        out
    }

    /// The value of a path text in context: `@param` is replaced by the caller's
    /// argument and `${NAME}` markers by the constants or route-table fields they
    /// name. `None` when a parameter is unbound.
    fn subst_path(&self, path: &str, fi: usize, env: &Env<'a>) -> Option<String> {
        if let Some(param) = path.strip_prefix('@') {
            let b = env.get(param)?;
            return match b.arg {
                CallArg::Str(s) => self.subst_path(s, b.fi, &b.env),
                CallArg::Param(q) => self.subst_path(&format!("@{q}"), b.fi, &b.env),
                _ => None,
            };
        }
        if !path.contains("${") {
            return Some(path.to_string());
        }
        // An unresolved marker is a runtime part (a configured base path such as
        // `cfg.base_uri`) and is left out, unless it is the whole path and names a
        // constant: then the name stays as a placeholder segment.
        let whole =
            path.starts_with("${") && path.ends_with('}') && path.matches("${").count() == 1;
        let mut out = String::new();
        let mut rest = path;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[at..]);
                rest = "";
                break;
            };
            let expr = &after[..end];
            match self.resolve_expr(expr, fi) {
                Some(v) => out.push_str(v),
                None if whole
                    && expr.rsplit("::").next().is_some_and(|e| {
                        e.split('.').next().is_some_and(|root| {
                            root.chars()
                                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                        })
                    }) =>
                {
                    out.push_str(&format!("/{{{}}}", expr.rsplit('.').next().unwrap_or(expr)))
                }
                None => {}
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// A constant (`API_PREFIX`) or a route-table field chain
    /// (`V1_API_ROUTES.auth.login`) as the literal it holds.
    fn resolve_expr(&self, expr: &str, fi: usize) -> Option<&'a str> {
        let expr = expr.rsplit("::").next().unwrap_or(expr);
        let segs: Vec<&str> = expr.split('.').collect();
        if segs.len() == 1 {
            return self.consts.get(expr).copied();
        }
        let field = *segs.last()?;
        let list = self.fields.get(field)?;
        if list.len() == 1 {
            let (lf, li) = list[0];
            return Some(self.files[lf].literals[li].value.as_str());
        }
        // Several tables have this field: the parent field's type names the one.
        let parent = segs[segs.len() - 2];
        let parent_ty: Option<&str> = self.files.iter().find_map(|f| {
            f.types.iter().find_map(|t| {
                t.fields
                    .iter()
                    .find(|fl| fl.name == parent)
                    .map(|fl| fl.ty.as_str())
            })
        });
        // Then the table defined nearest the code that names it.
        let here = &self.files[fi].path;
        let score = |&(lf, li): &(usize, usize)| {
            let file = &self.files[lf];
            let lit = &file.literals[li];
            let owner_ty = lit
                .in_fn
                .and_then(|i| file.fns.get(i as usize))
                .and_then(|f| f.self_ty.as_deref());
            let typed = u8::from(owner_ty.is_some() && owner_ty == parent_ty)
                + u8::from(owner_ty.is_some_and(|t| t.eq_ignore_ascii_case(parent)));
            let near = here
                .split('/')
                .zip(file.path.split('/'))
                .take_while(|(a, b)| a == b)
                .count();
            (typed, near)
        };
        list.iter()
            .max_by_key(|c| (score(c), std::cmp::Reverse(**c)))
            .map(|&(lf, li)| self.files[lf].literals[li].value.as_str())
    }

    /// A handler name in context: a parameter of a helper is replaced by the
    /// handler its caller passed, resolved in the caller's file; `None` when the
    /// caller passed a closure or an expression.
    fn subst_handler(&self, handler: &str, fi: usize, env: &Env<'a>) -> Option<(String, usize)> {
        if !handler.contains("::") {
            if let Some(b) = env.get(handler) {
                return match b.arg {
                    CallArg::Path(p) => self.subst_handler(p, b.fi, &b.env),
                    CallArg::Param(q) => self.subst_handler(q, b.fi, &b.env),
                    _ => None,
                };
            }
        }
        Some((handler.to_string(), fi))
    }

    /// The query parameters a type's fields name.
    fn query_fields(&self, ty: &str, fi: usize) -> Vec<String> {
        let base = ty.split('<').next().unwrap_or(ty);
        let base = base.rsplit("::").next().unwrap_or(base);
        let pkg = self.file_pkg[fi];
        let mut best: Option<(&crate::extract::rust::TypeFact, u8)> = None;
        for (tfi, f) in self.files.iter().enumerate() {
            for t in f.types.iter().filter(|t| t.name == base && !t.test) {
                let s = if tfi == fi {
                    2
                } else {
                    u8::from(pkg.is_some() && self.file_pkg[tfi] == pkg)
                };
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((t, s));
                }
            }
        }
        best.map(|(t, _)| t.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default()
    }

    fn push_attr_route(
        &self,
        routes: &mut Vec<Route>,
        (fi, ni): Key,
        func: &FnFact,
        ra: &RouteAttr,
        ctx: &Ctx<'a>,
        mounted: bool,
    ) {
        let Some(path) = self.subst_path(&ra.path, fi, &Env::new()) else {
            return;
        };
        self.push_handler_route(
            routes,
            (fi, ni),
            func,
            &ra.method,
            &path,
            ra.line,
            ctx,
            mounted,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn push_handler_route(
        &self,
        routes: &mut Vec<Route>,
        (fi, ni): Key,
        func: &FnFact,
        methods: &str,
        path: &str,
        line: u32,
        ctx: &Ctx<'a>,
        mounted: bool,
    ) {
        let (path, query) = normalise(&join_prefix(&ctx.prefix, path));
        for method in methods.split(',') {
            routes.push(Route {
                handler_fn: Some((fi, ni)),
                layers: ctx.layers.clone(),
                query: query.clone(),
                mounted,
                ..Route::at(
                    method,
                    &path,
                    Some(func.name.clone()),
                    self.framework(fi),
                    Location::new(self.files[fi].path.clone(), line),
                )
            });
        }
    }

    fn expand(
        &self,
        items: &'a [RouteItem],
        ctx: &Ctx<'a>,
        visiting: &mut HashSet<Key>,
        out: &mut Vec<Route>,
    ) {
        if ctx.depth > 32 {
            return;
        }
        let mut layers = ctx.layers.clone();
        layers.extend(items.iter().filter_map(|i| match i {
            RouteItem::Layer(l) => Some(l.clone()),
            _ => None,
        }));
        let here = Ctx {
            prefix: ctx.prefix.clone(),
            layers,
            fi: ctx.fi,
            env: ctx.env.clone(),
            depth: ctx.depth,
            site: ctx.site,
        };
        for item in items {
            match item {
                RouteItem::Route {
                    methods,
                    path,
                    handler,
                    line,
                    layers: own,
                    query_type,
                    documented,
                    fallback,
                    ..
                } => {
                    let Some(path) = self.subst_path(path, here.fi, &here.env) else {
                        continue;
                    };
                    let (full, mut query) = normalise(&join_prefix(&here.prefix, &path));
                    if let Some(t) = query_type.as_deref().filter(|t| !t.is_empty()) {
                        query.extend(self.query_fields(t, here.fi));
                    }
                    let mut all = here.layers.clone();
                    all.extend(own.iter().cloned());
                    let handler = handler
                        .as_deref()
                        .and_then(|h| self.subst_handler(h, here.fi, &here.env));
                    let handler_fn = handler.as_ref().and_then(|(h, hf)| self.handler_fn(h, *hf));
                    let (sf, sl) = here.site.unwrap_or((here.fi, *line));
                    for m in methods {
                        out.push(Route {
                            handler_fn,
                            layers: all.clone(),
                            query: query.clone(),
                            fallback: *fallback,
                            documented: *documented,
                            ..Route::at(
                                m,
                                &full,
                                handler.as_ref().map(|(h, _)| h.clone()),
                                self.framework(here.fi),
                                Location::new(self.files[sf].path.clone(), sl),
                            )
                        });
                    }
                }
                RouteItem::Mount {
                    prefix: p,
                    target,
                    args,
                    line,
                } => {
                    let p = self.subst_path(p, here.fi, &here.env).unwrap_or_default();
                    let joined = if p.is_empty() {
                        here.prefix.clone()
                    } else {
                        join_prefix(&here.prefix, &p)
                    };
                    self.expand_mount(target, args, *line, joined, &here, visiting, out);
                }
                RouteItem::HandlerRef {
                    name, qualifier, ..
                } => {
                    if let Some((hf, hn)) =
                        self.pick(&self.attr_fns, name, qualifier.as_deref(), here.fi)
                    {
                        let func = &self.files[hf].fns[hn];
                        for ra in &func.route_attrs {
                            self.push_attr_route(out, (hf, hn), func, ra, &here, true);
                        }
                    } else if let Some((hf, hn, oi)) =
                        self.pick_op(name, qualifier.as_deref(), here.fi)
                    {
                        // utoipa-axum `routes!(handler)`: the route is the one
                        // `#[utoipa::path]` states.
                        let op = &self.files[hf].api_ops[oi];
                        let func = &self.files[hf].fns[hn];
                        if let Some(path) = self.subst_path(&op.path, hf, &Env::new()) {
                            self.push_handler_route(
                                out,
                                (hf, hn),
                                func,
                                &op.methods.join(","),
                                &path,
                                op.line,
                                &here,
                                true,
                            );
                        }
                    }
                }
                RouteItem::GrpcService { service, line } => out.push(Route {
                    layers: here.layers.clone(),
                    grpc: true,
                    ..Route::at(
                        "GRPC",
                        // `GreeterServer` serves the `Greeter` service.
                        &format!(
                            "/{}",
                            service
                                .strip_suffix("Server")
                                .filter(|s| !s.is_empty())
                                .unwrap_or(service)
                        ),
                        Some(service.clone()),
                        "tonic".into(),
                        Location::new(self.files[here.fi].path.clone(), *line),
                    )
                }),
                RouteItem::Layer(_) => {}
            }
        }
    }

    fn pick_op(
        &self,
        name: &str,
        qualifier: Option<&str>,
        from: usize,
    ) -> Option<(usize, usize, usize)> {
        let list = self.op_fns.get(name)?;
        let keyed: HashMap<&'a str, Vec<Key>> =
            HashMap::from([("", list.iter().map(|&(f, n, _)| (f, n)).collect())]);
        let (f, n) = self.pick(&keyed, "", qualifier, from)?;
        list.iter().copied().find(|&(lf, ln, _)| (lf, ln) == (f, n))
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_mount(
        &self,
        target: &'a MountTarget,
        args: &'a [CallArg],
        line: u32,
        prefix: String,
        here: &Ctx<'a>,
        visiting: &mut HashSet<Key>,
        out: &mut Vec<Route>,
    ) {
        match target {
            MountTarget::Inline { items } => {
                let ctx = here.under(prefix, here.fi, here.env.clone());
                self.expand(items, &ctx, visiting, out);
            }
            MountTarget::Fn { name, qualifier }
            | MountTarget::MethodFn {
                name, qualifier, ..
            } => {
                if let Some(key) = self.pick_fragment(name, qualifier.as_deref(), here.fi) {
                    if visiting.insert(key) {
                        let g = &self.files[key.0].fragments[key.1];
                        let env: Env<'a> = g
                            .params
                            .iter()
                            .zip(args)
                            .map(|(p, a)| {
                                (
                                    p.as_str(),
                                    Bound {
                                        arg: a,
                                        fi: here.fi,
                                        env: here.env.clone(),
                                    },
                                )
                            })
                            .collect();
                        let mut ctx = here.under(prefix, key.0, Rc::new(env));
                        if matches!(target, MountTarget::MethodFn { .. }) {
                            ctx.site = Some((here.fi, line));
                        }
                        self.expand(&g.items, &ctx, visiting, out);
                        visiting.remove(&key);
                    }
                } else if let MountTarget::MethodFn { methods, .. } = target {
                    // An unknown helper returning a method router: the route is
                    // still there, with the methods its name suggests.
                    let handler = args.iter().find_map(|a| match a {
                        CallArg::Path(p) => self.subst_handler(p, here.fi, &here.env),
                        _ => None,
                    });
                    let (full, query) = normalise(&prefix);
                    let handler_fn = handler.as_ref().and_then(|(h, hf)| self.handler_fn(h, *hf));
                    for m in methods {
                        out.push(Route {
                            handler_fn,
                            layers: here.layers.clone(),
                            query: query.clone(),
                            ..Route::at(
                                m,
                                &full,
                                handler.as_ref().map(|(h, _)| h.clone()),
                                self.framework(here.fi),
                                Location::new(self.files[here.fi].path.clone(), line),
                            )
                        });
                    }
                }
            }
            MountTarget::Param { name } => {
                self.expand_param(name, prefix, here, visiting, out);
            }
            MountTarget::Impl { self_ty } => {
                let ctx = here.under(prefix, here.fi, here.env.clone());
                for (fi, ni) in self.impl_fns(self_ty) {
                    let func = &self.files[fi].fns[ni];
                    for ra in &func.route_attrs {
                        self.push_attr_route(out, (fi, ni), func, ra, &ctx, true);
                    }
                }
            }
            MountTarget::Opaque { .. } => {}
        }
    }

    /// Whatever the caller passed for parameter `name`, expanded under `prefix`.
    fn expand_param(
        &self,
        name: &str,
        prefix: String,
        here: &Ctx<'a>,
        visiting: &mut HashSet<Key>,
        out: &mut Vec<Route>,
    ) {
        let Some(b) = here.env.get(name) else {
            return;
        };
        match b.arg {
            CallArg::Items(items) => {
                let ctx = here.under(prefix, b.fi, b.env.clone());
                self.expand(items, &ctx, visiting, out);
            }
            CallArg::Param(q) if here.depth < 32 => {
                let outer = here.under(here.prefix.clone(), b.fi, b.env.clone());
                self.expand_param(q, prefix, &outer, visiting, out);
            }
            CallArg::Path(p) => {
                let mut segs: Vec<&str> = p.split("::").collect();
                let name = segs.pop().unwrap_or("");
                if let Some(key) = self.pick_fragment(name, segs.pop(), b.fi) {
                    if visiting.insert(key) {
                        let g = &self.files[key.0].fragments[key.1];
                        let ctx = here.under(prefix, key.0, Rc::new(Env::new()));
                        self.expand(&g.items, &ctx, visiting, out);
                        visiting.remove(&key);
                    }
                }
            }
            _ => {}
        }
    }
}

/// How many trailing segments of a module path (`routes::posts`) the file's
/// module path (`src/routes/posts.rs` → `src::routes::posts`) ends with.
fn module_match(path: &str, qualifier: &str) -> u8 {
    let stem = path.strip_suffix(".rs").unwrap_or(path);
    let mut file: Vec<&str> = stem.split('/').collect();
    if matches!(file.last(), Some(&("mod" | "lib" | "main"))) {
        file.pop();
    }
    let n = file
        .iter()
        .rev()
        .zip(qualifier.rsplit("::"))
        .take_while(|(a, b)| **a == *b)
        .count();
    u8::try_from(n).unwrap_or(u8::MAX)
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
                let inner = inner.split(':').next().unwrap_or(inner);
                let wild =
                    inner.starts_with('*') || inner.starts_with('+') || inner.ends_with("..");
                let inner = inner
                    .trim_start_matches(['*', '+', '?'])
                    .trim_end_matches("..");
                if wild {
                    format!("{{*{inner}}}")
                } else {
                    format!("{{{inner}}}")
                }
            } else if s.starts_with('{') && s.ends_with('}') {
                let inner = &s[1..s.len() - 1];
                let inner = inner.split(':').next().unwrap_or(inner);
                let wild = inner.starts_with('*') || inner.ends_with("..");
                let inner = inner.trim_start_matches(['*', '+']).trim_end_matches("..");
                if wild {
                    format!("{{*{inner}}}")
                } else {
                    format!("{{{inner}}}")
                }
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
#[path = "routes_tests.rs"]
mod join_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractor_kinds_follow_the_wrapper() {
        assert_eq!(extractor_kind("Query<ListParams>"), ExtractorKind::Query);
        assert_eq!(
            extractor_kind("web::Path<(u32,String)>"),
            ExtractorKind::Path
        );
        assert_eq!(extractor_kind("Json<NewUser>"), ExtractorKind::Body);
        assert_eq!(extractor_kind("State<AppState>"), ExtractorKind::State);
        assert_eq!(extractor_kind("web::Data<Pool>"), ExtractorKind::State);
        assert_eq!(extractor_kind("&mut Depot"), ExtractorKind::State);
        assert_eq!(extractor_kind("AuthUser"), ExtractorKind::Auth);
        assert_eq!(extractor_kind("Option<Claims>"), ExtractorKind::Auth);
        assert_eq!(
            extractor_kind("TypedHeader<Authorization<Bearer>>"),
            ExtractorKind::Header
        );
        assert_eq!(extractor_kind("u32"), ExtractorKind::Other);
    }

    #[test]
    fn normalises_parameters_and_rocket_queries() {
        assert_eq!(normalise("/users/:id").0, "/users/{id}");
        assert_eq!(normalise("/files/*rest").0, "/files/{*rest}");
        assert_eq!(normalise("/u/<id>").0, "/u/{id}");
        assert_eq!(normalise("/u/<id:num>").0, "/u/{id}");
        assert_eq!(normalise("/static/<**path>").0, "/static/{*path}");
        assert_eq!(normalise("/static/<path..>").0, "/static/{*path}");
        assert_eq!(normalise("/static/{*path}").0, "/static/{*path}");
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
