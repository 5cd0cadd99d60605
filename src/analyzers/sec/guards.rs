//! Which types and handlers authenticate a request: guard extractors, guard
//! parameters, auth middleware, and handlers that refuse a missing credential
//! themselves.
//!
//! A guard is judged by what its extractor does, not by its name. An
//! `impl FromRequestParts`/`FromRequest` (axum, actix-web, rocket, poem) whose
//! extraction refuses with 401/403 (`StatusCode::UNAUTHORIZED`,
//! `ErrorUnauthorized`, `Status::Forbidden`, an error variant such as
//! `AuthError::InvalidToken`) or redirects to a login page is a guard whatever it
//! is called (`MaybeUser`). One whose rejection type is `Infallible` lets every
//! request through and is no guard, even when it is called `BearerAuth`. Only
//! when the extractor says neither do names decide: a principal name
//! (`AuthUser`, `Claims`) and an extraction that reads a credential.
//!
//! `Option<credential>` parameters reject nobody by themselves; they count when
//! the handler turns `None` into a 401/403 (`.ok_or(Unauthorized)`).

use super::common::{clip, has_word, is_auth_layer, last_seg, type_idents, words, ROLE_WORDS};
use crate::extract::rust::{FnFact, ImplFact, LayerFact, RustFile};
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::Evidence;

/// A type that authenticates the request when a handler takes it.
#[derive(Debug, Clone)]
pub struct GuardType {
    pub name: String,
    pub location: Location,
    /// Its extraction lets every request through (`Rejection = Infallible`), or
    /// its name says so (`MaybeUser`) and nothing in its extraction refuses.
    pub optional: bool,
    /// Its name says it also checks a role (`AdminUser`, `RequireAdmin`).
    pub role: bool,
    /// What decided it, for the evidence.
    pub how: String,
}

/// Words in a type name that say it is an authenticated principal.
const PRINCIPAL_WORDS: &[&str] = &[
    "user",
    "admin",
    "auth",
    "authenticated",
    "authed",
    "claims",
    "token",
    "session",
    "identity",
    "principal",
    "account",
    "login",
    "logged",
    "apikey",
    "bearer",
    "jwt",
    "credential",
    "credentials",
    "caller",
    "member",
    "owner",
    "moderator",
    "staff",
    "superuser",
    "operator",
    "viewer",
    "subject",
];

/// Extractor types from auth crates. A service type or import of the same name
/// is judged by its own impl instead.
const CRATE_GUARDS: &[&str] = &[
    "Identity",
    "BearerAuth",
    "BasicAuth",
    "AuthSession",
    "JwtClaims",
    "AuthUser",
    "AuthenticatedUser",
    "CurrentUser",
    "Claims",
    "RequireAuth",
];

/// Traits whose implementation makes a type a request extractor or guard.
/// (`OptionalFromRequestParts` only makes `Option<T>` extractable, which
/// rejects nobody.)
const EXTRACTOR_TRAITS: &[&str] = &["FromRequestParts", "FromRequest", "FromRequestSync"];

/// What an extractor does with a request it cannot authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// Answers 401/403 or redirects to a login page: what was seen.
    Auth(String),
    /// Its rejection type is `Infallible`: every request gets through.
    Never(String),
    /// It may fail, with no visible auth status.
    Unknown,
}

/// Service types that authenticate: request extractors whose extraction
/// refuses with 401/403 or a login redirect, or (when their refusal is not
/// visible) whose name says principal and whose extraction reads a credential;
/// plus poem-openapi `SecurityScheme` types. Extractors that never reject are
/// listed as `optional`.
pub fn guard_types(facts: &Facts) -> Vec<GuardType> {
    let mut out: Vec<GuardType> = Vec::new();
    for (_, f) in facts.service_rust() {
        for imp in f.impls.iter().filter(|i| !i.test) {
            let Some(tp) = &imp.trait_path else { continue };
            if !EXTRACTOR_TRAITS.contains(&last_seg(tp)) {
                continue;
            }
            if out.iter().any(|g| g.name == imp.self_ty) {
                continue;
            }
            let fns = extraction_fns(f, imp);
            let w = words(&imp.self_ty);
            let named = w.iter().any(|x| PRINCIPAL_WORDS.contains(&x.as_str()));
            let reads = reads_credentials(f, &fns);
            let role = w.iter().any(|x| ROLE_WORDS.contains(&x.as_str()));
            let at = Location::new(f.path.clone(), imp.line);
            let guard = |optional: bool, how: String| GuardType {
                name: imp.self_ty.clone(),
                location: at.clone(),
                optional,
                role,
                how,
            };
            match refusal(f, imp, &fns) {
                Refusal::Auth(what) => out.push(guard(
                    false,
                    format!("its extractor refuses unauthenticated requests ({what})"),
                )),
                Refusal::Never(what) if named || reads => out.push(guard(
                    true,
                    format!("its extractor never rejects ({what}): it lets every request through"),
                )),
                Refusal::Never(_) => {}
                Refusal::Unknown if reads && named => {
                    let optional = w
                        .first()
                        .is_some_and(|x| matches!(x.as_str(), "maybe" | "optional" | "option"));
                    out.push(guard(
                        optional,
                        if optional {
                            "its extractor reads a credential (optional: it rejects nobody)"
                                .to_string()
                        } else {
                            "its extractor reads a credential".to_string()
                        },
                    ));
                }
                Refusal::Unknown => {}
            }
        }
        for t in f.types.iter().filter(|t| !t.test) {
            if t.derives.iter().any(|d| last_seg(d) == "SecurityScheme") {
                out.push(GuardType {
                    name: t.name.clone(),
                    location: Location::new(f.path.clone(), t.line),
                    optional: false,
                    role: false,
                    how: "a poem-openapi security scheme".to_string(),
                });
            }
        }
    }
    out
}

/// The extraction functions of one impl block: `from_request*` functions of
/// its type between it and the next impl in the file.
fn extraction_fns(f: &RustFile, imp: &ImplFact) -> Vec<u32> {
    let end = f
        .impls
        .iter()
        .map(|i| i.line)
        .filter(|l| *l > imp.line)
        .min()
        .unwrap_or(u32::MAX);
    f.fns
        .iter()
        .enumerate()
        .filter(|(_, x)| {
            x.self_ty.as_deref() == Some(imp.self_ty.as_str())
                && x.name.starts_with("from_request")
                && x.line > imp.line
                && x.line < end
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// How an extractor refuses: a 401/403 or login redirect in its extraction,
/// a rejection type named for auth, or a rejection type that cannot happen.
fn refusal(f: &RustFile, imp: &ImplFact, fns: &[u32]) -> Refusal {
    if let Some(what) = fns.iter().find_map(|&ni| auth_refusal_in(f, ni)) {
        return Refusal::Auth(what);
    }
    let Some((name, t)) = imp
        .assoc_types
        .iter()
        .find(|(n, _)| n == "Rejection" || n == "Error")
    else {
        return Refusal::Unknown;
    };
    let t = t.as_str();
    if (t == "Infallible" || t.ends_with("::Infallible") || t == "!") && !rocket_refuses(f, fns) {
        return Refusal::Never(format!("`type {name} = {t}`"));
    }
    if type_idents(t).iter().any(|i| is_auth_error_name(i)) {
        return Refusal::Auth(format!("its rejection type is `{}`", clip(t, 40)));
    }
    Refusal::Unknown
}

/// A rocket extractor that forwards or fails even with an infallible error type.
fn rocket_refuses(f: &RustFile, fns: &[u32]) -> bool {
    let inside = |i: Option<u32>| i.is_some_and(|i| fns.contains(&i));
    f.refs.iter().any(|r| {
        inside(r.in_fn)
            && r.path.contains("Outcome::")
            && matches!(last_seg(&r.path), "Forward" | "Failure" | "Error")
    }) || f.methods.iter().any(|m| {
        inside(m.in_fn) && matches!(m.name.as_str(), "or_forward" | "or_error" | "into_outcome")
    })
}

/// A type or variant name that says the request is refused for lack of
/// authentication: `Unauthorized`, `AuthError`, `InvalidToken`,
/// `MissingCredentials`, `NotLoggedIn`.
fn is_auth_error_name(name: &str) -> bool {
    let w = words(name);
    let has = |set: &[&str]| w.iter().any(|x| set.contains(&x.as_str()));
    has(&[
        "unauthorized",
        "unauthorised",
        "unauthenticated",
        "forbidden",
        "notloggedin",
    ]) || has(&["auth", "authentication", "authn"]) && has(&["error", "rejection", "failure"])
        || has(&["invalid", "missing", "expired", "bad", "wrong", "no"])
            && has(&[
                "token",
                "credentials",
                "credential",
                "session",
                "auth",
                "jwt",
                "password",
                "apikey",
                "signature",
                "cookie",
            ])
        || has(&["not"]) && has(&["logged", "authenticated", "authorized"])
}

/// Whether function `ni` of `f` refuses a request for lack of authentication:
/// it names a 401/403 status or an auth error (`StatusCode::UNAUTHORIZED`,
/// `ErrorForbidden`, `AxumNope::Unauthorized`, `AuthError::InvalidToken`), or
/// redirects to a login page. Returns what was seen.
pub fn auth_refusal_in(f: &RustFile, ni: u32) -> Option<String> {
    let inside = |i: Option<u32>| i == Some(ni);
    if let Some(r) = f
        .refs
        .iter()
        .find(|r| inside(r.in_fn) && is_auth_error_name(last_seg(&r.path)))
    {
        return Some(format!("`{}`", short_path(&r.path)));
    }
    if let Some(m) = f
        .methods
        .iter()
        .find(|m| inside(m.in_fn) && is_auth_error_name(&m.name))
    {
        return Some(format!("`.{}()`", m.name));
    }
    let redirect = f.refs.iter().find(|r| {
        inside(r.in_fn)
            && (words(last_seg(&r.path)).iter().any(|w| w == "redirect")
                || r.path.contains("Redirect::")
                || matches!(
                    last_seg(&r.path),
                    "Found" | "SeeOther" | "FOUND" | "SEE_OTHER"
                ))
    });
    let login = f
        .literals
        .iter()
        .any(|l| inside(l.in_fn) && has_word(&l.value, LOGIN_WORDS))
        || f.macros
            .iter()
            .any(|m| inside(m.in_fn) && m.idents.iter().any(|i| has_word(i, LOGIN_WORDS)))
        || f.refs
            .iter()
            .any(|r| inside(r.in_fn) && has_word(last_seg(&r.path), LOGIN_WORDS));
    match redirect {
        Some(r) if login => Some(format!("`{}` to the login page", short_path(&r.path))),
        _ => None,
    }
}

/// Words of a login page's path or name.
const LOGIN_WORDS: &[&str] = &["login", "signin", "logon", "sign_in"];

/// The last two segments of a path: `crate::error::AxumNope::Unauthorized` →
/// `AxumNope::Unauthorized`.
fn short_path(p: &str) -> String {
    let segs: Vec<&str> = p.rsplit("::").take(2).collect();
    segs.into_iter().rev().collect::<Vec<_>>().join("::")
}

/// Whether the extraction functions read a credential: an authorization
/// header, a cookie or session, a token, or decode a JWT.
fn reads_credentials(f: &RustFile, fns: &[u32]) -> bool {
    if fns.is_empty() {
        return false;
    }
    let inside = |in_fn: Option<u32>| in_fn.is_some_and(|i| fns.contains(&i));
    const CRED: &[&str] = &[
        "authorization",
        "bearer",
        "token",
        "cookie",
        "cookies",
        "session",
        "jwt",
        "apikey",
        "api",
        "decode",
        "verify",
        "identity",
        "user",
        "auth",
    ];
    f.literals
        .iter()
        .filter(|l| inside(l.in_fn))
        .any(|l| has_word(&l.value, CRED))
        || f.refs
            .iter()
            .filter(|r| inside(r.in_fn))
            .any(|r| has_word(last_seg(&r.path), CRED) || r.path.contains("AUTHORIZATION"))
        || f.methods
            .iter()
            .filter(|m| inside(m.in_fn))
            .any(|m| has_word(&m.name, CRED))
}

/// How a route is authenticated, if it is: a layer on it, or a guard in its
/// handler.
pub fn route_guard(facts: &Facts, route: &Route, guards: &[GuardType]) -> Option<String> {
    if let Some(l) = route.layers.iter().find(|l| is_auth_layer(l)) {
        return Some(format!("auth middleware `{}`", clip(&l.text, 70)));
    }
    handler_guard(facts, route.handler_fn?, guards)
}

/// Headers that carry a credential or a webhook signature.
pub fn is_credential_header(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "authorization"
            | "x-api-key"
            | "api-key"
            | "x-auth-token"
            | "x-gitlab-token"
            | "x-access-token"
    ) || (l.contains("signature") && (l.starts_with("x-") || l.contains('-')))
}

/// How a handler function is authenticated: middleware named in its route
/// attribute (`#[get("/x", wrap = "RequireLogin")]`), a guard parameter, an
/// optional credential it refuses itself when missing, or a credential header
/// it reads.
pub fn handler_guard(
    facts: &Facts,
    (fi, ni): (usize, usize),
    guards: &[GuardType],
) -> Option<String> {
    let (f, func) = facts.func((fi, ni));
    for a in &func.attrs {
        if let Some(at) = a.args.find("wrap") {
            let text = &a.args[at..];
            let l = LayerFact {
                text: text.to_string(),
                paths: Vec::new(),
                methods: Vec::new(),
                line: 0,
            };
            if is_auth_layer(&l) {
                return Some(format!(
                    "auth middleware in its route attribute `{}`",
                    clip(text, 60)
                ));
            }
        }
    }
    if let Some((p, _)) = guard_param(facts, (fi, ni), guards) {
        return Some(format!("guard parameter `{p}`"));
    }
    if let Some(p) = func
        .params
        .iter()
        .find(|p| optional_credential(&p.ty, guards))
    {
        if let Some(what) = auth_refusal_in(f, ni as u32) {
            return Some(format!(
                "optional credential `{}` refused by the handler ({what})",
                p.ty
            ));
        }
    }
    f.literals
        .iter()
        .find(|l| l.in_fn == Some(ni as u32) && is_credential_header(&l.value))
        .map(|l| format!("checks the `{}` header in the handler", l.value))
}

/// A parameter that may carry a credential but does not require one:
/// `Option<TypedHeader<Authorization<Bearer>>>`, `Option<AuthUser>`, an
/// optional guard type (`MaybeUser` that never rejects).
fn optional_credential(ty: &str, guards: &[GuardType]) -> bool {
    let idents = type_idents(ty);
    let credential = idents
        .iter()
        .any(|i| matches!(*i, "Authorization" | "Bearer" | "Basic") || CRATE_GUARDS.contains(i))
        || guards.iter().any(|g| idents.contains(&g.name.as_str()));
    let optional = ty.starts_with("Option<")
        || guards
            .iter()
            .any(|g| g.optional && idents.contains(&g.name.as_str()));
    credential && optional
}

/// Whether a function is a handler by its attribute (`#[get(..)]`,
/// `#[post(..)]`, `#[route(..)]`, `#[oai(..)]`), even when the route path is an
/// expression seaworthy cannot read.
pub fn is_attr_handler(func: &FnFact) -> bool {
    !func.route_attrs.is_empty()
        || func.attrs.iter().any(|a| {
            matches!(
                last_seg(&a.path),
                "get" | "post" | "put" | "delete" | "patch" | "head" | "route" | "oai" | "handler"
            ) && !a.args.is_empty()
        })
}

/// A handler parameter that authenticates (not an optional one), and whether it
/// also checks a role.
pub fn guard_param(
    facts: &Facts,
    (fi, ni): (usize, usize),
    guards: &[GuardType],
) -> Option<(String, bool)> {
    let (f, func) = facts.func((fi, ni));
    for p in &func.params {
        let ty = p.ty.as_str();
        let idents = type_idents(ty);
        // A service extractor is judged by its impl, whatever its name.
        if let Some(g) = guards.iter().find(|g| idents.contains(&g.name.as_str())) {
            if !g.optional && !ty.starts_with("Option<") {
                return Some((ty.to_string(), g.role));
            }
            continue;
        }
        if ty.starts_with("Option<")
            || idents.iter().any(|i| {
                i.starts_with("Maybe")
                    || i.starts_with("Optional")
                    || *i == "OptionalFromRequestParts"
            })
        {
            continue;
        }
        let crate_guard = idents
            .iter()
            .any(|i| CRATE_GUARDS.contains(i) && !defined_here(facts, f, i))
            || (ty.contains("Authorization<Bearer") || ty.contains("Authorization<Basic"));
        if crate_guard {
            let role = idents.iter().any(|i| has_word(i, ROLE_WORDS));
            return Some((ty.to_string(), role));
        }
        // `Extension<CurrentUser>`/`ReqData<Claims>` put there by auth middleware.
        if (ty.starts_with("Extension<") || ty.starts_with("ReqData<") || ty.contains("::ReqData<"))
            && idents.iter().skip(1).any(|i| {
                words(i).iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "claims" | "user" | "principal" | "identity" | "session" | "auth"
                    )
                })
            })
        {
            let role = idents.iter().any(|i| has_word(i, ROLE_WORDS));
            return Some((ty.to_string(), role));
        }
    }
    None
}

/// Whether `name` is the service's own type rather than an auth crate's: the
/// file imports it from the service (`use crate::BearerAuth`, a workspace
/// crate), or the service defines a type or extractor of that name.
fn defined_here(facts: &Facts, f: &RustFile, name: &str) -> bool {
    let local_crates: Vec<String> = facts
        .service_packages()
        .map(|p| p.name.replace('-', "_"))
        .collect();
    let imported_locally = f.refs.iter().any(|r| {
        last_seg(&r.path) == name && {
            let first = r.path.split("::").next().unwrap_or("");
            matches!(first, "crate" | "super" | "self") || local_crates.iter().any(|c| c == first)
        }
    });
    imported_locally
        || facts.service_rust().any(|(_, g)| {
            g.types.iter().any(|t| t.name == name) || g.impls.iter().any(|i| i.self_ty == name)
        })
}

/// Auth middleware applied with `.layer(..)`/`.wrap(..)`/`.route_layer(..)`
/// in service code that no joined route carries: the router it guards was
/// built where seaworthy could not follow (`app = app.layer(
/// ValidateRequestHeaderLayer::bearer(key))` on a router returned by another
/// function).
pub fn unjoined_auth_layers(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            if !matches!(
                m.name.as_str(),
                "layer" | "route_layer" | "wrap" | "with" | "hoop"
            ) {
                continue;
            }
            let Some(p) = &m.arg_path else { continue };
            let l = LayerFact {
                text: p.clone(),
                paths: vec![p.clone()],
                methods: Vec::new(),
                line: m.line,
            };
            if !is_auth_layer(&l) {
                continue;
            }
            let joined = facts.routes.iter().any(|r| {
                r.layers
                    .iter()
                    .any(|x| x.line == m.line && x.paths.contains(p))
            });
            if !joined {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!(
                        "auth middleware `{}` is applied to a router here",
                        clip(p, 70)
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_error_names() {
        for yes in [
            "UNAUTHORIZED",
            "Unauthorized",
            "ErrorForbidden",
            "InvalidToken",
            "MissingCredentials",
            "AuthError",
            "NotLoggedIn",
            "WrongPassword",
        ] {
            assert!(is_auth_error_name(yes), "{yes}");
        }
        for no in [
            "NotFound",
            "BAD_REQUEST",
            "Author",
            "TokenStream",
            "Infallible",
        ] {
            assert!(!is_auth_error_name(no), "{no}");
        }
    }

    #[test]
    fn short_paths() {
        assert_eq!(
            short_path("crate::error::AxumNope::Unauthorized"),
            "AxumNope::Unauthorized"
        );
        assert_eq!(short_path("Unauthorized"), "Unauthorized");
    }
}
