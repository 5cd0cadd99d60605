//! What a function's body does, read from the facts: the paths, method calls,
//! macros and literals the Rust extractor recorded inside it. Shared by the API
//! rules that judge handlers (what a GET handler writes, which status a create
//! handler returns, whether a handler validates its body) and error types
//! (how `into_response` renders).

use crate::extract::rust::{FnFact, ImplFact, MacroCall, MethodCall, PathRef, RustFile, StrLit};
use crate::facts::{Facts, Route};
use crate::location::Location;

/// One function and the facts recorded inside it.
#[derive(Clone, Copy)]
pub struct Body<'a> {
    pub file: &'a RustFile,
    pub func: &'a FnFact,
    idx: u32,
}

impl<'a> Body<'a> {
    pub fn new(file: &'a RustFile, ni: usize) -> Self {
        Body {
            file,
            func: &file.fns[ni],
            idx: ni as u32,
        }
    }

    /// The handler of a route, when it resolved to a function.
    pub fn of_route(facts: &'a Facts, route: &Route) -> Option<Self> {
        route
            .handler_fn
            .map(|(fi, ni)| Body::new(&facts.rust[fi], ni))
    }

    pub fn refs(&self) -> impl Iterator<Item = &'a PathRef> + '_ {
        self.file
            .refs
            .iter()
            .filter(move |r| r.in_fn == Some(self.idx))
    }

    pub fn methods(&self) -> impl Iterator<Item = &'a MethodCall> + '_ {
        self.file
            .methods
            .iter()
            .filter(move |m| m.in_fn == Some(self.idx))
    }

    pub fn macros(&self) -> impl Iterator<Item = &'a MacroCall> + '_ {
        self.file
            .macros
            .iter()
            .filter(move |m| m.in_fn == Some(self.idx))
    }

    /// Calls of functions by a bare name (`purge(&db, id)`).
    pub fn calls(&self) -> impl Iterator<Item = &'a crate::extract::rust::LocalCall> + '_ {
        self.file
            .calls
            .iter()
            .filter(move |c| c.in_fn == Some(self.idx))
    }

    pub fn literals(&self) -> impl Iterator<Item = &'a StrLit> + '_ {
        self.file
            .literals
            .iter()
            .filter(move |l| l.in_fn == Some(self.idx))
    }

    /// Where the function is defined.
    pub fn location(&self) -> Location {
        self.at(self.func.line)
    }

    pub fn at(&self, line: u32) -> Location {
        Location::new(self.file.path.clone(), line)
    }

    /// The first reference whose path's last two segments satisfy `pred`
    /// (`StatusCode::CREATED` → `("StatusCode", "CREATED")`).
    pub fn find_ref(&self, pred: impl Fn(&str, &str) -> bool) -> Option<&'a PathRef> {
        self.refs().find(|r| {
            let (owner, last) = tail2(&r.path);
            pred(owner, last)
        })
    }

    /// The first method call named any of `names`.
    pub fn find_method(&self, names: &[&str]) -> Option<&'a MethodCall> {
        self.methods().find(|m| names.contains(&m.name.as_str()))
    }
}

/// The last two segments of a path: `a::StatusCode::CREATED` →
/// `("StatusCode", "CREATED")`, `json` → `("", "json")`.
pub fn tail2(path: &str) -> (&str, &str) {
    let mut it = path.rsplit("::");
    let last = it.next().unwrap_or("");
    let owner = it.next().unwrap_or("");
    (owner, last)
}

/// The functions of an `impl` block in its file: methods it lists, defined on
/// its self type at or after its line (the nearest one, when a type has several
/// impls defining the same name).
pub fn impl_fns<'a>(file: &'a RustFile, imp: &ImplFact) -> Vec<Body<'a>> {
    let mut out = Vec::new();
    for name in &imp.methods {
        let best = file
            .fns
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                &f.name == name
                    && f.line >= imp.line
                    && f.self_ty.as_deref().map(base_type) == Some(base_type(&imp.self_ty))
            })
            .min_by_key(|(_, f)| f.line);
        if let Some((ni, _)) = best {
            out.push(Body::new(file, ni));
        }
    }
    out
}

/// A type's name without generics, references or module path:
/// `&'a crate::error::ApiError<T>` → `ApiError`.
pub fn base_type(ty: &str) -> &str {
    let t = ty.trim_start_matches('&').trim_start();
    let t = t
        .strip_prefix('\'')
        .map(|rest| rest.split_once(' ').map(|(_, r)| r).unwrap_or(rest))
        .unwrap_or(t);
    let t = t.trim_start_matches("mut ").trim();
    let t = t.split('<').next().unwrap_or(t);
    t.rsplit("::").next().unwrap_or(t)
}

/// The generic arguments of the outermost type: `Result<Json<T>,E>` →
/// `["Json<T>", "E"]`. Top-level commas only.
pub fn generic_args(ty: &str) -> Vec<&str> {
    let Some(open) = ty.find('<') else {
        return Vec::new();
    };
    let Some(close) = ty.rfind('>') else {
        return Vec::new();
    };
    if close <= open {
        return Vec::new();
    }
    let inner = &ty[open + 1..close];
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = inner[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// The error type of a `Result<T, E>` return (through `std::result::Result`
/// and crate aliases named `Result` with two arguments).
pub fn result_error(ret: &str) -> Option<&str> {
    if base_type(ret) != "Result" {
        return None;
    }
    let args = generic_args(ret);
    (args.len() == 2).then(|| args[1])
}

/// What an SQL literal does, when it writes.
pub fn sql_write(text: &str) -> Option<&'static str> {
    let up = text.trim_start().to_ascii_uppercase();
    let up = up.as_str();
    const WRITES: &[(&str, &str)] = &[
        ("INSERT ", "INSERT"),
        ("UPDATE ", "UPDATE"),
        ("DELETE ", "DELETE"),
        ("REPLACE ", "REPLACE"),
        ("UPSERT ", "UPSERT"),
        ("MERGE ", "MERGE"),
        ("TRUNCATE ", "TRUNCATE"),
        ("DROP ", "DROP"),
    ];
    for (prefix, what) in WRITES {
        if up.starts_with(prefix) {
            // `UPDATE` must be a statement (`UPDATE t SET`), not a word in prose.
            if *what == "UPDATE" && !up.contains(" SET ") {
                continue;
            }
            if *what == "DELETE" && !up.contains(" FROM ") && !up.contains("DELETE FROM") {
                continue;
            }
            if *what == "INSERT" && !up.contains(" INTO ") {
                continue;
            }
            return Some(what);
        }
    }
    if up.starts_with("WITH ") {
        for (needle, what) in [
            ("INSERT INTO ", "INSERT"),
            ("DELETE FROM ", "DELETE"),
            (" UPDATE ", "UPDATE"),
        ] {
            if up.contains(needle) && (what != "UPDATE" || up.contains(" SET ")) {
                return Some(what);
            }
        }
    }
    None
}

/// Split an identifier into lower-case words: `createUser` / `create-user` /
/// `create_user` → `["create", "user"]`.
pub fn words(ident: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in ident.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Service-code files, types and impls gathered once, for analyzers that look
/// them up per handler (`Facts::service_rust` re-derives every file's package
/// on each call, which adds up over hundreds of handlers).
pub struct ServiceIndex<'a> {
    facts: &'a Facts,
    pub files: Vec<(usize, &'a RustFile)>,
    types: std::collections::HashMap<&'a str, Vec<(usize, &'a crate::extract::rust::TypeFact)>>,
    /// Impl blocks by the base name of their self type.
    impls: std::collections::HashMap<&'a str, Vec<(&'a RustFile, &'a ImplFact)>>,
}

impl<'a> ServiceIndex<'a> {
    pub fn new(facts: &'a Facts) -> Self {
        let files: Vec<(usize, &RustFile)> = facts.service_rust().collect();
        let mut types: std::collections::HashMap<&str, Vec<_>> = std::collections::HashMap::new();
        let mut impls: std::collections::HashMap<&str, Vec<_>> = std::collections::HashMap::new();
        for (fi, f) in &files {
            for t in f.types.iter().filter(|t| !t.test) {
                types.entry(t.name.as_str()).or_default().push((*fi, t));
            }
            for i in f.impls.iter().filter(|i| !i.test) {
                impls
                    .entry(base_type(&i.self_ty))
                    .or_default()
                    .push((*f, i));
            }
        }
        ServiceIndex {
            facts,
            files,
            types,
            impls,
        }
    }

    /// A struct or enum named `name`, preferring `near_file`, then its package
    /// (as [`Facts::type_named`]).
    pub fn type_named(
        &self,
        name: &str,
        near_file: usize,
    ) -> Option<(&'a RustFile, &'a crate::extract::rust::TypeFact)> {
        let list = self.types.get(name)?;
        let pick = |fi: usize, t| (&self.facts.rust[fi], t);
        if let Some((fi, t)) = list.iter().find(|(fi, _)| *fi == near_file) {
            return Some(pick(*fi, *t));
        }
        if list.len() > 1 {
            let pkgs = &self.facts.packages;
            let near = crate::facts::packages::package_of(pkgs, &self.facts.rust[near_file].path);
            if let Some((fi, t)) = list.iter().find(|(fi, _)| {
                near.is_some()
                    && crate::facts::packages::package_of(pkgs, &self.facts.rust[*fi].path) == near
            }) {
                return Some(pick(*fi, *t));
            }
        }
        list.first().map(|(fi, t)| pick(*fi, *t))
    }

    /// The `impl` blocks of service code (not tests) for the type named `name`.
    pub fn impls_of(&self, name: &str) -> impl Iterator<Item = (&'a RustFile, &'a ImplFact)> + '_ {
        self.impls.get(name).into_iter().flatten().copied()
    }
}

/// References in service code (not tests; imports only when `imports`) whose
/// path matches any of `patterns` ([`crate::facts::query::path_matches`]).
/// A reference is only matched against the patterns when one of its segments
/// is the first segment of a pattern (a set lookup): these run over every
/// reference of large trees.
pub fn find_refs(facts: &Facts, patterns: &[&str], imports: bool) -> Vec<crate::facts::query::Hit> {
    let mut firsts = std::collections::HashSet::new();
    let mut globbed = false;
    for p in patterns {
        let first = p.trim_start_matches('^').split("::").next().unwrap_or("");
        if first.contains('*') {
            globbed = true;
        }
        firsts.insert(first.replace('-', "_"));
    }
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for r in f.refs.iter().filter(|r| !r.test) {
            if !imports && r.kind == crate::extract::rust::RefKind::Use {
                continue;
            }
            let candidate = globbed || r.path.split("::").any(|seg| firsts.contains(seg));
            if candidate
                && patterns
                    .iter()
                    .any(|p| crate::facts::query::path_matches(&r.path, p))
            {
                out.push(crate::facts::query::Hit::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}`", r.path),
                ));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_generics() {
        assert_eq!(base_type("&'a crate::error::ApiError<T>"), "ApiError");
        assert_eq!(base_type("web::Json<Item>"), "Json");
        assert_eq!(
            generic_args("Result<(StatusCode,Json<Order>),ApiError>"),
            ["(StatusCode,Json<Order>)", "ApiError"]
        );
        assert_eq!(
            result_error("Result<Json<Vec<Order>>,ApiError>"),
            Some("ApiError")
        );
        assert_eq!(result_error("io::Result<()>"), None);
    }

    #[test]
    fn sql_writes() {
        assert_eq!(
            sql_write("  delete from users where id = $1"),
            Some("DELETE")
        );
        assert_eq!(sql_write("UPDATE t SET a = 1"), Some("UPDATE"));
        assert_eq!(sql_write("INSERT INTO t VALUES (1)"), Some("INSERT"));
        assert_eq!(
            sql_write("WITH x AS (SELECT 1) DELETE FROM t USING x"),
            Some("DELETE")
        );
        assert_eq!(sql_write("SELECT * FROM t"), None);
        assert_eq!(sql_write("Update available"), None);
        assert_eq!(sql_write("Delete this item?"), None);
    }

    #[test]
    fn identifier_words() {
        assert_eq!(words("createUser"), ["create", "user"]);
        assert_eq!(words("delete-item_now"), ["delete", "item", "now"]);
        assert_eq!(words("HTTPServer"), ["httpserver"]);
    }
}
