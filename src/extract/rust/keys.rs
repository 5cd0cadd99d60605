//! Calls that take key material or credentials, and where their argument comes from.
//!
//! A JWT signing key written as `EncodingKey::from_secret(b"secret")`, an HMAC
//! key in `Hmac::new_from_slice(b"..")`, a client built with
//! `.bearer_auth("ghp_..")` or a database connection with `.password("..")` are
//! secrets in code, however the literal looks. The same calls fed from
//! `env::var`, a config struct or a secret store are the good pattern. This
//! module records each such call with what its arguments are made of: literals
//! (string or byte string), `SCREAMING_CASE` constants, embedded files
//! (`include_bytes!`), environment reads, or other expressions.

use super::model::{BoolSetting, KeyArg};
use super::resolve::{compact_tokens, last_ident, line_of, path_text, UseMap};
use super::sql::is_const_name;
use syn::visit::{self, Visit};

/// Constructors taking key material, matched on the last path segment.
const KEY_FNS: &[&str] = &[
    "from_secret",
    "from_base64_secret",
    "from_rsa_pem",
    "from_ec_pem",
    "from_ed_pem",
    "from_rsa_der",
    "from_ec_der",
    "from_ed_der",
    "new_from_slice",
    "from_keys",
];

/// Constructors taking credentials, matched on the type and function, with the
/// argument positions that carry the secret (the others are names and options).
const KEY_CTORS: &[(&str, &str, &[usize])] = &[
    ("Credentials", "new", &[0, 1]),
    ("ClientSecret", "new", &[0]),
    ("HS256Key", "from_bytes", &[0]),
    ("HS384Key", "from_bytes", &[0]),
    ("HS512Key", "from_bytes", &[0]),
    ("StaticProvider", "new", &[0, 1]),
];

/// Cookie-signing keys: `Key::from(..)`/`Key::derive_from(..)` of the cookie crate
/// (re-exported by actix-web, axum-extra, tower-cookies, rocket).
const COOKIE_KEY_FNS: &[&str] = &["from", "derive_from", "try_from"];

/// Builder and client methods taking a credential.
const KEY_METHODS: &[&str] = &[
    "bearer_auth",
    "basic_auth",
    "password",
    "personal_token",
    "api_key",
    "with_api_key",
    "set_api_key",
    "client_secret",
    "auth_token",
    "secret_key",
    "access_token",
];

/// A call of a key constructor, if `c` is one.
pub fn on_call(c: &syn::ExprCall, uses: &UseMap) -> Option<KeyArg> {
    let syn::Expr::Path(p) = c.func.as_ref() else {
        return None;
    };
    let resolved = uses.resolve(&path_text(&p.path));
    let last = last_ident(&p.path);
    let segs: Vec<&str> = resolved.rsplit("::").take(2).collect();
    let owner = segs.get(1).copied().unwrap_or("");
    let positions: &[usize] = if KEY_FNS.contains(&last.as_str()) {
        if last == "from_keys" {
            &[0, 1]
        } else {
            &[0]
        }
    } else if let Some((_, _, pos)) = KEY_CTORS.iter().find(|(o, f, _)| *o == owner && *f == last) {
        pos
    } else if owner == "Key"
        && COOKIE_KEY_FNS.contains(&last.as_str())
        && resolved.contains("cookie")
    {
        &[0]
    } else {
        return None;
    };
    Some(describe(
        resolved,
        line_of(&c.func),
        c.args.iter(),
        positions,
    ))
}

/// A method call taking a credential, if `m` is one.
pub fn on_method(m: &syn::ExprMethodCall) -> Option<KeyArg> {
    let name = m.method.to_string();
    if !KEY_METHODS.contains(&name.as_str()) || m.args.is_empty() {
        return None;
    }
    // `basic_auth(user, Some(password))`: the user name is not the secret.
    let positions: &[usize] = if name == "basic_auth" { &[1] } else { &[0] };
    Some(describe(
        format!(".{name}"),
        line_of(&m.method),
        m.args.iter(),
        positions,
    ))
}

fn describe<'a>(
    callee: String,
    line: u32,
    args: impl Iterator<Item = &'a syn::Expr>,
    positions: &[usize],
) -> KeyArg {
    let mut scan = Scan::default();
    let mut texts = Vec::new();
    for (i, a) in args.enumerate() {
        texts.push(compact_tokens(a, 80));
        if positions.contains(&i) {
            scan.visit_expr(a);
        }
    }
    KeyArg {
        callee,
        line,
        test: false,
        in_fn: None,
        args: texts.join(", "),
        literal: scan.literal,
        constant: scan.constant,
        include: scan.include,
        from_env: scan.from_env,
    }
}

#[derive(Default)]
struct Scan {
    literal: Option<String>,
    constant: Option<String>,
    include: Option<String>,
    from_env: bool,
}

impl Scan {
    fn literal(&mut self, v: String) {
        if self.literal.as_ref().is_none_or(|l| v.len() > l.len()) {
            self.literal = Some(v);
        }
    }
}

impl<'ast> Visit<'ast> for Scan {
    fn visit_lit(&mut self, l: &'ast syn::Lit) {
        match l {
            syn::Lit::Str(s) => self.literal(s.value()),
            syn::Lit::ByteStr(b) => self.literal(String::from_utf8_lossy(&b.value()).into_owned()),
            _ => {}
        }
    }

    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        let last = last_ident(&p.path);
        if is_const_name(&last) && self.constant.is_none() {
            self.constant = Some(last);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = c.func.as_ref() {
            let path = path_text(&p.path);
            let last = last_ident(&p.path);
            if (last == "var" || last == "var_os")
                && (path.contains("env") || path.contains("dotenv") || path == "var")
            {
                self.from_env = true;
                return;
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        match name.as_str() {
            "include_bytes" | "include_str" => {
                if let Ok(s) = m.parse_body::<syn::LitStr>() {
                    self.include = Some(s.value());
                }
            }
            "env" | "option_env" | "dotenv" => self.from_env = true,
            other => {
                if let Ok(args) = m.parse_body_with(
                    syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
                ) {
                    // A format string is a template, not a credential.
                    let skip = usize::from(matches!(other, "format" | "format_args"));
                    for a in args.iter().skip(skip) {
                        self.visit_expr(a);
                    }
                }
            }
        }
    }
}

/// Settings whose literal value matters to security.
const WATCHED_SETTINGS: &[&str] = &[
    "validate_exp",
    "validate_nbf",
    "validate_aud",
    "danger_accept_invalid_certs",
    "danger_accept_invalid_hostnames",
    "danger_accept_invalid_hostname",
    "accept_invalid_certs",
    "accept_invalid_hostnames",
    "allow_credentials",
    "supports_credentials",
    "secure",
    "with_secure",
    "set_secure",
    "cookie_secure",
    "http_only",
    "with_http_only",
    "set_http_only",
    "https_only",
    "verify_ssl",
    "verify_certs",
    "tls_verify",
];

fn bool_lit(e: &syn::Expr) -> Option<bool> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) => Some(b.value),
        syn::Expr::Paren(p) => bool_lit(&p.expr),
        syn::Expr::Group(g) => bool_lit(&g.expr),
        _ => None,
    }
}

fn setting(name: String, value: &syn::Expr, line: u32) -> Option<BoolSetting> {
    if !WATCHED_SETTINGS.contains(&name.as_str()) {
        return None;
    }
    Some(BoolSetting {
        name,
        value: bool_lit(value)?,
        line,
        test: false,
        in_fn: None,
        guard: None,
    })
}

/// `.danger_accept_invalid_certs(true)`
pub fn method_setting(m: &syn::ExprMethodCall) -> Option<BoolSetting> {
    if m.args.len() != 1 {
        return None;
    }
    setting(m.method.to_string(), &m.args[0], line_of(&m.method))
}

/// `validation.validate_exp = false`
pub fn assign_setting(a: &syn::ExprAssign) -> Option<BoolSetting> {
    let syn::Expr::Field(f) = a.left.as_ref() else {
        return None;
    };
    let syn::Member::Named(name) = &f.member else {
        return None;
    };
    setting(name.to_string(), &a.right, line_of(name))
}

/// `Cookie { secure: false, .. }`
pub fn field_setting(fv: &syn::FieldValue) -> Option<BoolSetting> {
    let syn::Member::Named(name) = &fv.member else {
        return None;
    };
    setting(name.to_string(), &fv.expr, line_of(name))
}

#[cfg(test)]
mod tests {
    use crate::classify::Role;
    use crate::extract::rust::RustFile;

    fn file(src: &str) -> RustFile {
        crate::extract::rust::extract("src/auth.rs", Role::Service, src).expect("parses")
    }

    #[test]
    fn key_arguments_are_classified() {
        let f = file(
            r#"use jsonwebtoken::EncodingKey;
            const SECRET: &str = "s3cr3t-value";
            fn keys(cfg: &Config) {
                let a = EncodingKey::from_secret(b"literal-key");
                let b = EncodingKey::from_secret(SECRET.as_bytes());
                let c = EncodingKey::from_secret(std::env::var("JWT").unwrap().as_bytes());
                let d = EncodingKey::from_rsa_pem(include_bytes!("../keys/private.pem"));
                let e = EncodingKey::from_secret(cfg.jwt_secret.as_bytes());
                client.basic_auth("admin", Some("hunter22"));
                client.bearer_auth(format!("{}", cfg.token));
            }"#,
        );
        let k = &f.key_args;
        assert_eq!(k.len(), 7, "{k:?}");
        assert_eq!(k[0].callee, "jsonwebtoken::EncodingKey::from_secret");
        assert_eq!(k[0].literal.as_deref(), Some("literal-key"));
        assert_eq!(k[1].constant.as_deref(), Some("SECRET"));
        assert!(k[2].from_env && k[2].literal.is_none());
        assert_eq!(k[3].include.as_deref(), Some("../keys/private.pem"));
        assert!(k[4].literal.is_none() && k[4].constant.is_none() && !k[4].from_env);
        // The user name is not the secret; the password is.
        assert_eq!(k[5].literal.as_deref(), Some("hunter22"));
        // A format string is a template, not a credential.
        assert!(k[6].literal.is_none());
    }

    #[test]
    fn literal_settings_keep_their_guard() {
        let f = file(
            r#"fn client(skip_tls_verify: bool) {
                let mut b = reqwest::Client::builder();
                if skip_tls_verify {
                    b = b.danger_accept_invalid_certs(true);
                }
                let mut v = Validation::default();
                v.validate_exp = false;
            }"#,
        );
        let s = &f.bool_settings;
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].name, "danger_accept_invalid_certs");
        assert!(s[0].value);
        assert_eq!(s[0].guard.as_deref(), Some("skip_tls_verify"));
        assert_eq!(s[1].name, "validate_exp");
        assert!(!s[1].value && s[1].guard.is_none());
    }
}
