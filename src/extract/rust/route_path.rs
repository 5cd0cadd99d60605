//! Route paths as code states them: literals, constants, route-table fields and
//! templates.
//!
//! A path argument is kept as text. Literals are kept as they are; a constant
//! (`USERS_PATH`), a field of a routes table (`ROUTES.auth.login`) or a
//! `format!`/`concat!` of those becomes a template with `${NAME}` markers,
//! resolved to the literals they hold when facts are joined
//! ([`crate::facts::routes`]), since the constant may live in any file.

use super::resolve::{last_ident, lit_str};

/// A path given as a constant or a field of a routes table (`route(ANSI_UP_URL,
/// ..)`, `ROUTES.auth.login`): recorded as `${NAME}` / `${ROUTES.auth.login}`
/// and resolved to the literal when facts are joined.
pub fn const_path(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) => {
            let name = last_ident(&p.path);
            is_const_name(&name).then(|| format!("${{{name}}}"))
        }
        syn::Expr::Field(_) => {
            let chain = field_chain(expr)?;
            let first = chain.split('.').next().unwrap_or("");
            (chain.contains('.') && first != "self").then(|| format!("${{{chain}}}"))
        }
        syn::Expr::Reference(r) => const_path(&r.expr),
        syn::Expr::Paren(p) => const_path(&p.expr),
        _ => None,
    }
}

fn is_const_name(name: &str) -> bool {
    name.len() > 1
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && name.chars().any(|c| c.is_ascii_uppercase())
}

/// `a.b.c` for a field-access chain rooted at a path.
fn field_chain(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Field(f) => {
            let base = field_chain(&f.base)?;
            let member = match &f.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(_) => return None,
            };
            Some(format!("{base}.{member}"))
        }
        syn::Expr::Path(p) => Some(last_ident(&p.path)),
        _ => None,
    }
}

/// `format!("{}/users", API)`, `format!("{API}/users")`, `concat!(API, "/x")`:
/// a path template with `${NAME}` where constants go; `None` when an argument is
/// neither a literal nor a constant.
pub(super) fn format_path(mac: &syn::Macro) -> Option<String> {
    use syn::punctuated::Punctuated;
    let name = mac.path.segments.last()?.ident.to_string();
    let args = mac
        .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    let parts: Vec<String> = args
        .iter()
        .map(|a| lit_str(a).or_else(|| const_path(a)))
        .collect::<Option<Vec<_>>>()?;
    match name.as_str() {
        "concat" => Some(parts.concat()),
        "format" => {
            let (fmt, rest) = parts.split_first()?;
            let mut out = String::new();
            let mut rest = rest.iter();
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' {
                    if chars.peek() == Some(&'{') {
                        chars.next();
                        out.push('{');
                        continue;
                    }
                    let mut inner = String::new();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        inner.push(d);
                    }
                    let inner = inner.split(':').next().unwrap_or("");
                    if inner.is_empty() {
                        out.push_str(rest.next()?);
                    } else if is_const_name(inner) {
                        out.push_str(&format!("${{{inner}}}"));
                    } else {
                        return None;
                    }
                } else if c == '}' && chars.peek() == Some(&'}') {
                    chars.next();
                    out.push('}');
                } else {
                    out.push(c);
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// Join a mount prefix and a path the way frameworks do: exactly one `/` between.
pub fn join_prefix(prefix: &str, path: &str) -> String {
    let a = prefix.trim_end_matches('/');
    let b = path.trim_start_matches('/');
    match (a.is_empty(), b.is_empty()) {
        (true, true) => "/".to_string(),
        (true, false) => format!("/{b}"),
        (false, true) => {
            if a.starts_with('/') {
                a.to_string()
            } else {
                format!("/{a}")
            }
        }
        (false, false) => {
            if a.starts_with('/') {
                format!("{a}/{b}")
            } else {
                format!("/{a}/{b}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> syn::Expr {
        syn::parse_str(src).unwrap()
    }

    fn mac(src: &str) -> syn::Macro {
        match expr(src) {
            syn::Expr::Macro(m) => m.mac,
            _ => panic!("not a macro"),
        }
    }

    #[test]
    fn constants_and_route_tables_become_markers() {
        assert_eq!(
            const_path(&expr("USERS_PATH")).as_deref(),
            Some("${USERS_PATH}")
        );
        assert_eq!(
            const_path(&expr("&paths::USERS")).as_deref(),
            Some("${USERS}")
        );
        assert_eq!(
            const_path(&expr("crate::V1_API_ROUTES.auth.login")).as_deref(),
            Some("${V1_API_ROUTES.auth.login}")
        );
        assert_eq!(const_path(&expr("self.path")), None);
        assert_eq!(const_path(&expr("path")), None);
    }

    #[test]
    fn templates_keep_literals_and_mark_constants() {
        assert_eq!(
            format_path(&mac(r#"format!("{}/users/{{id}}", API)"#)).as_deref(),
            Some("${API}/users/{id}")
        );
        assert_eq!(
            format_path(&mac(r#"format!("{API_V1}/users")"#)).as_deref(),
            Some("${API_V1}/users")
        );
        assert_eq!(
            format_path(&mac(r#"concat!(API, "/health")"#)).as_deref(),
            Some("${API}/health")
        );
        // A runtime value: the caller treats the path as unknown.
        assert_eq!(format_path(&mac(r#"format!("{}/x", base)"#)), None);
    }

    #[test]
    fn prefixes_join_with_one_slash() {
        assert_eq!(join_prefix("/api/", "/users"), "/api/users");
        assert_eq!(join_prefix("api", "users"), "/api/users");
        assert_eq!(join_prefix("", ""), "/");
        assert_eq!(join_prefix("/api", ""), "/api");
    }
}
