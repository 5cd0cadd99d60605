//! The synthetic service workspace: many crates of axum and actix-web services,
//! written until the tree holds the requested number of lines of Rust.
//!
//! Every service crate has a router (axum `Router::nest`/`merge`, or actix
//! `web::scope` + `.configure`), handlers with extractors, sqlx queries and
//! tracing, models, domain rules with unit tests, integration tests, a
//! migration, a Cargo.toml and a Dockerfile. The root has the workspace
//! manifest, CI workflows, a compose file and one OpenAPI 3.0 gateway spec with
//! an operation per route. Crate `i` depends only on the seed and `i`, so a
//! smaller tree is a prefix of a larger one and sizes compare like for like.
//! About one resource in six has a `format!`-built SQL search and one in eight
//! logs with `println!`: what the peers' rules and seaworthy both look for.

use super::rng::Rng;
use super::templates::{self as t, fill};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Resources (plural, singular type name).
const RESOURCES: &[(&str, &str)] = &[
    ("users", "User"),
    ("orders", "Order"),
    ("invoices", "Invoice"),
    ("payments", "Payment"),
    ("products", "Product"),
    ("carts", "Cart"),
    ("shipments", "Shipment"),
    ("reviews", "Review"),
    ("coupons", "Coupon"),
    ("accounts", "Account"),
    ("sessions", "Session"),
    ("webhooks", "Webhook"),
    ("events", "Event"),
    ("notifications", "Notification"),
    ("subscriptions", "Subscription"),
    ("plans", "Plan"),
    ("teams", "Team"),
    ("projects", "Project"),
    ("tasks", "Task"),
    ("comments", "Comment"),
    ("attachments", "Attachment"),
    ("tags", "Tag"),
    ("categories", "Category"),
    ("inventories", "Inventory"),
    ("warehouses", "Warehouse"),
    ("suppliers", "Supplier"),
    ("refunds", "Refund"),
    ("disputes", "Dispute"),
    ("ledgers", "Ledger"),
    ("transfers", "Transfer"),
    ("reports", "Report"),
    ("exports", "Export"),
    ("jobs", "Job"),
    ("schedules", "Schedule"),
    ("devices", "Device"),
    ("locations", "Location"),
    ("vendors", "Vendor"),
    ("contracts", "Contract"),
    ("quotes", "Quote"),
    ("tickets", "Ticket"),
];

/// Field kinds an entity can have: (Rust type, SQL type, sample value).
const KINDS: &[(&str, &str, &str)] = &[
    ("String", "TEXT", "\"sample\".to_string()"),
    ("i64", "BIGINT", "42"),
    ("i32", "INTEGER", "7"),
    ("bool", "BOOLEAN", "true"),
    ("Uuid", "UUID", "Uuid::nil()"),
];

/// Field names to draw from.
const FIELD_NAMES: &[&str] = &[
    "name",
    "title",
    "status",
    "note",
    "email",
    "currency",
    "amount_cents",
    "quantity",
    "priority",
    "position",
    "active",
    "archived",
    "owner_id",
    "parent_id",
    "region",
    "code",
    "label",
    "version",
    "retries",
    "score",
];

/// What was written.
#[derive(Debug, Default, Clone)]
pub struct TreeStats {
    pub crates: usize,
    pub rust_files: usize,
    pub rust_lines: usize,
    pub rust_bytes: usize,
    pub other_files: usize,
    pub routes: usize,
    pub spec_operations: usize,
    pub spec_bytes: usize,
    pub dockerfiles: usize,
    pub format_sql: usize,
    pub println: usize,
}

/// The largest OpenAPI document written: seaworthy skips files over 4 MiB by default.
const SPEC_LIMIT: usize = 3_800_000;

/// Marker file naming the parameters a tree was generated with.
const MARKER: &str = ".seaworthy-bench-tree";

/// Write a tree of at least `lines` lines of Rust into `dir` (replacing an
/// earlier generated tree there), unless one with the same parameters is there.
pub fn generate(dir: &Path, lines: usize, seed: u64) -> std::io::Result<TreeStats> {
    let stamp = format!("lines={lines} seed={seed} generator=2\n");
    let marker = dir.join(MARKER);
    if let Ok(old) = std::fs::read_to_string(&marker) {
        if let Some((params, stats)) = old.split_once("\n--\n") {
            if format!("{params}\n") == stamp {
                if let Some(s) = TreeStats::parse(stats) {
                    return Ok(s);
                }
            }
        }
    }
    if dir.exists() {
        if !marker.exists() {
            return Err(std::io::Error::other(format!(
                "{} exists and was not written by this benchmark; choose another --dir",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut w = Writer {
        root: dir.to_path_buf(),
        stats: TreeStats::default(),
    };
    let mut services = Vec::new();
    let mut i = 0;
    while w.stats.rust_lines < lines {
        services.push(w.service(i, seed)?);
        i += 1;
    }
    w.root_files(&services)?;
    std::fs::write(&marker, format!("{}--\n{}", stamp, w.stats.render()))?;
    Ok(w.stats)
}

/// One generated service: its crate name and its routes (method, path, op id).
struct Service {
    name: String,
    resources: Vec<Resource>,
}

#[derive(Clone)]
struct Resource {
    plural: &'static str,
    entity: &'static str,
    fields: Vec<(&'static str, usize)>,
    search: bool,
}

struct Writer {
    root: PathBuf,
    stats: TreeStats,
}

impl Writer {
    fn write(&mut self, rel: &str, text: &str) -> std::io::Result<()> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        if rel.ends_with(".rs") {
            self.stats.rust_files += 1;
            self.stats.rust_lines += text.lines().count();
            self.stats.rust_bytes += text.len();
        } else {
            self.stats.other_files += 1;
        }
        Ok(())
    }

    fn service(&mut self, i: usize, seed: u64) -> std::io::Result<Service> {
        let mut rng = Rng::new(seed ^ (i as u64 + 1).wrapping_mul(0x5851_F42D_4C95_7F2D));
        let name = format!("svc-{i:04}");
        let krate = name.replace('-', "_");
        let axum = i % 3 != 2;
        let n_res = rng.range(6, 10);
        let start = rng.range(0, RESOURCES.len() - 1);
        let resources: Vec<Resource> = (0..n_res)
            .map(|k| {
                let (plural, entity) = RESOURCES[(start + k * 7) % RESOURCES.len()];
                let n_fields = rng.range(3, 7);
                let mut fields: Vec<(&'static str, usize)> = Vec::new();
                while fields.len() < n_fields {
                    let f = *rng.pick(FIELD_NAMES);
                    if !fields.iter().any(|(n, _)| *n == f) {
                        fields.push((f, rng.range(0, KINDS.len() - 1)));
                    }
                }
                // The first field is text, so searches and sorting have a column.
                fields[0].1 = 0;
                Resource {
                    plural,
                    entity,
                    fields,
                    search: rng.one_in(6),
                }
            })
            .collect();
        let base = format!("crates/{name}");
        let deps = if axum {
            "axum = { workspace = true }\ntower = { workspace = true }\ntower-http = { workspace = true }\n"
        } else {
            "actix-web = { workspace = true }\ntracing-actix-web = { workspace = true }\n"
        };
        self.write(
            &format!("{base}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{deps}\
                 serde = {{ workspace = true }}\nserde_json = {{ workspace = true }}\nsqlx = {{ workspace = true }}\n\
                 thiserror = {{ workspace = true }}\ntokio = {{ workspace = true }}\ntracing = {{ workspace = true }}\n\
                 tracing-subscriber = {{ workspace = true }}\nuuid = {{ workspace = true }}\nchrono = {{ workspace = true }}\n"
            ),
        )?;
        let sloppy = rng.one_in(5);
        let docker = if sloppy {
            t::DOCKERFILE_SLOPPY
        } else {
            t::DOCKERFILE
        };
        self.write(
            &format!("{base}/Dockerfile"),
            &fill(docker, &[("__SVC__", &name)]),
        )?;
        self.stats.dockerfiles += 1;
        let svc_upper = krate.to_ascii_uppercase();
        let maxconn = rng.range(5, 40).to_string();
        let common = [
            ("__SVC_UPPER__", svc_upper.as_str()),
            ("__SVC__", name.as_str()),
            ("__CRATE__", krate.as_str()),
            ("__MAXCONN__", maxconn.as_str()),
        ];
        let main = if axum {
            let merges: Vec<String> = resources
                .iter()
                .map(|r| format!("        .merge(handlers::{}::router())", r.plural))
                .collect();
            fill(t::AXUM_MAIN, &[("__MERGES__", &merges.join("\n"))])
        } else {
            let configures: Vec<String> = resources
                .iter()
                .map(|r| {
                    format!(
                        "                    .configure(handlers::{}::config)",
                        r.plural
                    )
                })
                .collect();
            fill(t::ACTIX_MAIN, &[("__CONFIGURES__", &configures.join("\n"))])
        };
        self.write(&format!("{base}/src/main.rs"), &fill(&main, &common))?;
        let error = if axum { t::AXUM_ERROR } else { t::ACTIX_ERROR };
        self.write(&format!("{base}/src/error.rs"), error)?;
        self.write(&format!("{base}/src/config.rs"), &fill(t::CONFIG, &common))?;
        self.write(&format!("{base}/src/db.rs"), t::DB)?;
        self.write(&format!("{base}/src/telemetry.rs"), t::TELEMETRY)?;
        let mods: String = resources
            .iter()
            .map(|r| format!("pub mod {};\n", r.plural))
            .collect();
        let entity_mods: String = resources
            .iter()
            .map(|r| format!("pub mod {};\n", snake(r.entity)))
            .collect();
        self.write(
            &format!("{base}/src/handlers/mod.rs"),
            &format!("//! One module of handlers per resource.\n\n{mods}"),
        )?;
        self.write(
            &format!("{base}/src/models/mod.rs"),
            &format!("//! Records as stored, and request bodies.\n\n{entity_mods}"),
        )?;
        self.write(
            &format!("{base}/src/domain/mod.rs"),
            &format!("//! Business rules, free of HTTP and SQL.\n\n{mods}"),
        )?;
        let mut migration = String::new();
        let mut it_cases = String::new();
        for r in &resources {
            let e = snake(r.entity);
            let pairs = resource_pairs(r, &mut rng);
            let pairs_ref: Vec<(&str, &str)> =
                pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let println = rng.one_in(8);
            let created_log = if println {
                self.stats.println += 1;
                "println!(\"created __e__ {}\", row.id);"
            } else {
                "info!(id = %row.id, \"created __e__\");"
            };
            let (handlers, search) = if axum {
                (t::AXUM_HANDLERS, t::AXUM_SEARCH)
            } else {
                (t::ACTIX_HANDLERS, t::ACTIX_SEARCH)
            };
            let extra = match (r.search, axum) {
                (false, _) => String::new(),
                (true, true) => format!(
                    "\n        .route(\"/{}/search\", get(search_{}))",
                    r.plural, r.plural
                ),
                (true, false) => format!("\n            .service(search_{})", r.plural),
            };
            let text = fill(
                handlers,
                &[
                    ("__SEARCH__", if r.search { search } else { "" }),
                    ("__EXTRA_ROUTES__", &extra),
                    ("__CREATED_LOG__", created_log),
                ],
            );
            let text = fill(&text, t::SHARED);
            self.write(
                &format!("{base}/src/handlers/{}.rs", r.plural),
                &fill(&text, &pairs_ref),
            )?;
            self.stats.routes += 5 + usize::from(r.search);
            self.stats.format_sql += usize::from(r.search);
            self.write(&format!("{base}/src/models/{e}.rs"), &model(r, &pairs_ref))?;
            self.write(
                &format!("{base}/src/domain/{}.rs", r.plural),
                &domain(r, &pairs_ref, &mut rng),
            )?;
            let _ = writeln!(
                migration,
                "CREATE TABLE {} (\n    id UUID PRIMARY KEY,\n{}    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n",
                r.plural,
                r.fields
                    .iter()
                    .map(|(n, k)| format!("    {n} {} NOT NULL,\n", KINDS[*k].1))
                    .collect::<String>()
            );
            it_cases.push_str(&fill(t::AXUM_IT_CASE, &pairs_ref));
        }
        self.write(&format!("{base}/migrations/0001_init.sql"), &migration)?;
        if axum {
            self.write(
                &format!("{base}/tests/api.rs"),
                &fill(t::AXUM_IT, &[("__IT_CASES__", &it_cases)])
                    .replace("__SVC__", &name)
                    .replace("__CRATE__", &krate),
            )?;
        }
        // `/healthz` and `/readyz` in main.rs.
        self.stats.routes += 2;
        self.stats.crates += 1;
        Ok(Service { name, resources })
    }

    fn root_files(&mut self, services: &[Service]) -> std::io::Result<()> {
        self.write(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n\
             actix-web = \"4\"\naxum = \"0.8\"\nchrono = { version = \"0.4\", features = [\"serde\"] }\n\
             serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n\
             sqlx = { version = \"0.8\", features = [\"runtime-tokio\", \"postgres\", \"uuid\", \"chrono\", \"migrate\"] }\n\
             thiserror = \"2\"\ntokio = { version = \"1\", features = [\"full\"] }\ntower = \"0.5\"\n\
             tower-http = { version = \"0.6\", features = [\"cors\", \"trace\", \"timeout\", \"request-id\"] }\n\
             tracing = \"0.1\"\ntracing-actix-web = \"0.7\"\n\
             tracing-subscriber = { version = \"0.3\", features = [\"json\", \"env-filter\"] }\n\
             uuid = { version = \"1\", features = [\"v4\", \"serde\"] }\n",
        )?;
        self.write(".github/workflows/ci.yml", t::CI)?;
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        self.write(
            ".github/workflows/images.yml",
            &fill(t::DOCKER_WORKFLOW, &[("__SERVICES__", &names.join(", "))]),
        )?;
        self.write(
            "deny.toml",
            "[advisories]\nversion = 2\n\n[licenses]\nallow = [\"MIT\", \"Apache-2.0\"]\n",
        )?;
        let mut compose = String::from("services:\n  postgres:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n");
        for s in services.iter().take(50) {
            let _ = write!(
                compose,
                "  {0}:\n    build:\n      context: .\n      dockerfile: crates/{0}/Dockerfile\n    environment:\n      DATABASE_URL: postgres://postgres:postgres@postgres/postgres\n    depends_on: [postgres]\n",
                s.name
            );
        }
        self.write("docker-compose.yml", &compose)?;
        let spec = spec(services);
        self.stats.spec_operations = spec.1;
        self.stats.spec_bytes = spec.0.len();
        self.write("openapi/gateway.yaml", &spec.0)?;
        self.write(
            "README.md",
            "# platform\n\nSynthetic service workspace written by seaworthy's benchmark.\n",
        )
    }
}

/// Placeholder values of one resource.
fn resource_pairs(r: &Resource, rng: &mut Rng) -> Vec<(&'static str, String)> {
    let names: Vec<&str> = r.fields.iter().map(|(n, _)| *n).collect();
    let cols = format!("id, {}, created_at", names.join(", "));
    let ins_cols = format!("id, {}", names.join(", "));
    let placeholders = (1..=names.len() + 1)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sets = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{n} = ${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let binds_new: String = r
        .fields
        .iter()
        .map(|(n, k)| {
            if KINDS[*k].0 == "String" {
                format!("\n    .bind(&input.{n})")
            } else {
                format!("\n    .bind(input.{n})")
            }
        })
        .collect();
    let binds_cur = binds_new.replace("input.", "current.");
    vec![
        ("__BINDS_NEW__", binds_new),
        ("__BINDS_CUR__", binds_cur),
        ("__COLS__", cols),
        ("__INSCOLS__", ins_cols),
        ("__PLACEHOLDERS__", placeholders),
        ("__SETS__", sets),
        ("__SEARCHCOL__", names[0].to_string()),
        (
            "__MAXPAGE__",
            [50, 100, 200, 500][rng.range(0, 3)].to_string(),
        ),
        ("__es__", r.plural.to_string()),
        ("__E__", r.entity.to_string()),
        ("__e__", snake(r.entity)),
    ]
}

fn model(r: &Resource, pairs: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "//! The __e__ record and its request bodies.\n\nuse chrono::{DateTime, Utc};\nuse serde::{Deserialize, Serialize};\nuse uuid::Uuid;\n\n\
         /// A __e__ as stored.\n#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]\npub struct __E__ {\n    pub id: Uuid,\n",
    );
    for (n, k) in &r.fields {
        let _ = writeln!(s, "    pub {n}: {},", KINDS[*k].0);
    }
    s.push_str("    pub created_at: DateTime<Utc>,\n}\n\n/// Body of `POST /__es__`.\n#[derive(Debug, Clone, Deserialize)]\npub struct New__E__ {\n");
    for (n, k) in &r.fields {
        let _ = writeln!(s, "    pub {n}: {},", KINDS[*k].0);
    }
    s.push_str("}\n\n/// Body of `PUT /__es__/{id}`: only the fields to change.\n#[derive(Debug, Default, Deserialize)]\npub struct __E__Patch {\n");
    for (n, k) in &r.fields {
        let _ = writeln!(s, "    pub {n}: Option<{}>,", KINDS[*k].0);
    }
    s.push_str("}\n\nimpl __E__Patch {\n    pub fn is_empty(&self) -> bool {\n        ");
    s.push_str(
        &r.fields
            .iter()
            .map(|(n, _)| format!("self.{n}.is_none()"))
            .collect::<Vec<_>>()
            .join("\n            && "),
    );
    s.push_str("\n    }\n\n    pub fn apply_to(self, target: &mut __E__) {\n");
    for (n, _) in &r.fields {
        let _ = writeln!(
            s,
            "        if let Some(v) = self.{n} {{\n            target.{n} = v;\n        }}"
        );
    }
    s.push_str("    }\n}\n\nimpl __E__ {\n    /// A record built from a creation request.\n    pub fn from_new(id: Uuid, new: New__E__, now: DateTime<Utc>) -> Self {\n        __E__ {\n            id,\n");
    for (n, _) in &r.fields {
        let _ = writeln!(s, "            {n}: new.{n},");
    }
    s.push_str("            created_at: now,\n        }\n    }\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn empty_patch_changes_nothing() {\n        let patch = __E__Patch::default();\n        assert!(patch.is_empty());\n        let mut e = __E__::from_new(Uuid::nil(), sample(), Utc::now());\n        let before = e.clone();\n        patch.apply_to(&mut e);\n        assert_eq!(e, before);\n    }\n\n    fn sample() -> New__E__ {\n        New__E__ {\n");
    for (n, k) in &r.fields {
        let _ = writeln!(s, "            {n}: {},", KINDS[*k].2);
    }
    s.push_str("        }\n    }\n}\n");
    fill(&s, pairs)
}

fn domain(r: &Resource, pairs: &[(&str, &str)], rng: &mut Rng) -> String {
    let text_fields: Vec<&str> = r
        .fields
        .iter()
        .filter(|(_, k)| *k == 0)
        .map(|(n, _)| *n)
        .collect();
    let num_fields: Vec<&str> = r
        .fields
        .iter()
        .filter(|(_, k)| *k == 1 || *k == 2)
        .map(|(n, _)| *n)
        .collect();
    let mut s = String::from(
        "//! Rules for __es__ that hold whatever the transport.\n\nuse crate::models::__e__::{New__E__, __E__};\nuse std::collections::BTreeMap;\n\n",
    );
    let sortable: Vec<String> = text_fields.iter().map(|f| format!("\"{f}\"")).collect();
    let _ = writeln!(
        s,
        "/// Columns a client may sort by.\nconst SORTABLE: &[&str] = &[\"created_at\", {}];\n\n/// Longest text a field may hold.\nconst MAX_TEXT: usize = {};\n",
        sortable.join(", "),
        rng.range(64, 512)
    );
    s.push_str("/// The column to sort by: a known one, or the creation time.\npub fn sort_column(requested: Option<&str>) -> &'static str {\n    requested\n        .and_then(|r| SORTABLE.iter().copied().find(|c| *c == r))\n        .unwrap_or(\"created_at\")\n}\n\n");
    s.push_str("/// Check a creation request.\npub fn validate_new(input: &New__E__) -> Result<(), String> {\n");
    for f in &text_fields {
        let _ = writeln!(
            s,
            "    if input.{f}.trim().is_empty() {{\n        return Err(\"{f} must not be empty\".to_string());\n    }}\n    if input.{f}.len() > MAX_TEXT {{\n        return Err(format!(\"{f} is longer than {{MAX_TEXT}} bytes\"));\n    }}"
        );
    }
    for f in &num_fields {
        let _ = writeln!(
            s,
            "    if input.{f} < 0 {{\n        return Err(format!(\"{f} must not be negative, got {{}}\", input.{f}));\n    }}"
        );
    }
    s.push_str("    Ok(())\n}\n\n/// Check a stored record after a change.\npub fn validate(e: &__E__) -> Result<(), String> {\n");
    for f in &text_fields {
        let _ = writeln!(
            s,
            "    if e.{f}.len() > MAX_TEXT {{\n        return Err(\"{f} is too long\".into());\n    }}"
        );
    }
    s.push_str("    Ok(())\n}\n\n");
    s.push_str("/// Counts and totals over a page of __es__.\n#[derive(Debug, Default, PartialEq)]\npub struct Summary {\n    pub count: usize,\n    pub by_day: BTreeMap<String, usize>,\n");
    for f in &num_fields {
        let _ = writeln!(s, "    pub total_{f}: i64,");
    }
    s.push_str("}\n\npub fn summarize(items: &[__E__]) -> Summary {\n    let mut out = Summary::default();\n    for item in items {\n        out.count += 1;\n        *out\n            .by_day\n            .entry(item.created_at.format(\"%Y-%m-%d\").to_string())\n            .or_insert(0) += 1;\n");
    for f in &num_fields {
        let _ = writeln!(s, "        out.total_{f} += i64::from(item.{f});");
    }
    s.push_str("    }\n    out\n}\n\n");
    // A few helpers of varying length, as real domain code has.
    for h in 0..rng.range(1, 4) {
        let f = text_fields[h % text_fields.len()];
        let _ = write!(
            s,
            "/// Items grouped by their {f}, largest group first.\npub fn group_by_{f}_{h}(items: &[__E__]) -> Vec<(String, Vec<&__E__>)> {{\n    let mut groups: BTreeMap<String, Vec<&__E__>> = BTreeMap::new();\n    for item in items {{\n        let key = item.{f}.to_lowercase();\n        groups.entry(key).or_default().push(item);\n    }}\n    let mut out: Vec<_> = groups.into_iter().collect();\n    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));\n    out\n}}\n\n"
        );
        let _ = write!(
            s,
            "/// A stable slug of the {f}.\npub fn slug_{f}_{h}(e: &__E__) -> String {{\n    let mut out = String::with_capacity(e.{f}.len());\n    let mut dash = false;\n    for c in e.{f}.chars() {{\n        match c {{\n            'a'..='z' | '0'..='9' => {{\n                out.push(c);\n                dash = false;\n            }}\n            'A'..='Z' => {{\n                out.push(c.to_ascii_lowercase());\n                dash = false;\n            }}\n            _ if !dash && !out.is_empty() => {{\n                out.push('-');\n                dash = true;\n            }}\n            _ => {{}}\n        }}\n    }}\n    out.trim_end_matches('-').to_string()\n}}\n\n"
        );
    }
    s.push_str("#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn unknown_sort_falls_back() {\n        assert_eq!(sort_column(Some(\"password\")), \"created_at\");\n        assert_eq!(sort_column(None), \"created_at\");\n    }\n\n    #[test]\n    fn summary_of_nothing_is_empty() {\n        assert_eq!(summarize(&[]), Summary::default());\n    }\n}\n");
    fill(&s, pairs)
}

/// The gateway spec: an operation per route, as long as it fits under [`SPEC_LIMIT`].
fn spec(services: &[Service]) -> (String, usize) {
    let mut s = String::from(
        "openapi: 3.0.3\ninfo:\n  title: Platform gateway\n  version: 1.0.0\n  description: Every service behind the gateway.\n  contact:\n    name: Platform team\n    email: platform@example.com\n  license:\n    name: Apache-2.0\nservers:\n  - url: https://api.example.com\ntags:\n",
    );
    let mut tags: Vec<&str> = RESOURCES.iter().map(|(p, _)| *p).collect();
    tags.sort();
    for t in &tags {
        let _ = writeln!(s, "  - name: {t}\n    description: Operations on {t}.");
    }
    s.push_str("paths:\n");
    let mut ops = 0;
    let mut entities: Vec<&str> = Vec::new();
    'outer: for svc in services {
        for r in &svc.resources {
            let mut block = String::new();
            let base = format!("/{}/v1/{}", svc.name, r.plural);
            let id = format!("{}_{}", svc.name.replace('-', "_"), r.plural);
            let e = r.entity;
            let _ = write!(
                block,
                "  {base}:\n    get:\n      operationId: {id}_list\n      summary: List {plural}.\n      tags: [{plural}]\n      parameters:\n        - $ref: '#/components/parameters/Limit'\n        - $ref: '#/components/parameters/Offset'\n      responses:\n        '200':\n          description: A page of {plural}.\n          content:\n            application/json:\n              schema:\n                type: array\n                maxItems: 100\n                items:\n                  $ref: '#/components/schemas/{e}'\n        '429':\n          $ref: '#/components/responses/TooMany'\n    post:\n      operationId: {id}_create\n      summary: Create a {e}.\n      tags: [{plural}]\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/{e}'\n      responses:\n        '201':\n          description: Created.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/{e}'\n        '422':\n          $ref: '#/components/responses/Problem'\n  {base}/{{id}}:\n    parameters:\n      - $ref: '#/components/parameters/Id'\n    get:\n      operationId: {id}_get\n      summary: Fetch a {e}.\n      tags: [{plural}]\n      responses:\n        '200':\n          description: The {e}.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/{e}'\n        '404':\n          $ref: '#/components/responses/Problem'\n    put:\n      operationId: {id}_update\n      summary: Change a {e}.\n      tags: [{plural}]\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/{e}'\n      responses:\n        '200':\n          description: The changed {e}.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/{e}'\n        '404':\n          $ref: '#/components/responses/Problem'\n    delete:\n      operationId: {id}_delete\n      summary: Delete a {e}.\n      tags: [{plural}]\n      responses:\n        '204':\n          description: Deleted.\n        '404':\n          $ref: '#/components/responses/Problem'\n",
                plural = r.plural
            );
            if s.len() + block.len() > SPEC_LIMIT - 40_000 {
                break 'outer;
            }
            s.push_str(&block);
            ops += 5;
            if !entities.contains(&e) {
                entities.push(e);
            }
        }
    }
    s.push_str("components:\n  parameters:\n    Limit:\n      name: limit\n      in: query\n      schema:\n        type: integer\n        minimum: 1\n        maximum: 100\n    Offset:\n      name: offset\n      in: query\n      schema:\n        type: integer\n        minimum: 0\n    Id:\n      name: id\n      in: path\n      required: true\n      schema:\n        type: string\n        format: uuid\n  responses:\n    Problem:\n      description: A problem.\n      content:\n        application/problem+json:\n          schema:\n            $ref: '#/components/schemas/Problem'\n    TooMany:\n      description: Too many requests.\n      headers:\n        Retry-After:\n          schema:\n            type: integer\n  schemas:\n    Problem:\n      type: object\n      properties:\n        type:\n          type: string\n        title:\n          type: string\n        status:\n          type: integer\n");
    entities.sort();
    for e in entities {
        let _ = write!(
            s,
            "    {e}:\n      type: object\n      required: [id]\n      properties:\n        id:\n          type: string\n          format: uuid\n        created_at:\n          type: string\n          format: date-time\n"
        );
    }
    (s, ops)
}

/// `Order` → `order`, `UserProfile` → `user_profile`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl TreeStats {
    fn fields(&self) -> [(&'static str, usize); 11] {
        [
            ("crates", self.crates),
            ("rust_files", self.rust_files),
            ("rust_lines", self.rust_lines),
            ("rust_bytes", self.rust_bytes),
            ("other_files", self.other_files),
            ("routes", self.routes),
            ("spec_operations", self.spec_operations),
            ("spec_bytes", self.spec_bytes),
            ("dockerfiles", self.dockerfiles),
            ("format_sql", self.format_sql),
            ("println", self.println),
        ]
    }

    fn render(&self) -> String {
        self.fields()
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }

    fn parse(text: &str) -> Option<TreeStats> {
        let mut s = TreeStats::default();
        let mut n = 0;
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            let v: usize = v.parse().ok()?;
            let slot = match k {
                "crates" => &mut s.crates,
                "rust_files" => &mut s.rust_files,
                "rust_lines" => &mut s.rust_lines,
                "rust_bytes" => &mut s.rust_bytes,
                "other_files" => &mut s.other_files,
                "routes" => &mut s.routes,
                "spec_operations" => &mut s.spec_operations,
                "spec_bytes" => &mut s.spec_bytes,
                "dockerfiles" => &mut s.dockerfiles,
                "format_sql" => &mut s.format_sql,
                "println" => &mut s.println,
                _ => return None,
            };
            *slot = v;
            n += 1;
        }
        (n == s.fields().len()).then_some(s)
    }
}
