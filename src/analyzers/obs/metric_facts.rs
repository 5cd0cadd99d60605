//! What the service measures and how the measurements leave it: shared by
//! `obs.metrics`, `obs.perf-metrics`, `obs.error-rate` and
//! `obs.business-metrics`.
//!
//! Metrics are seen where code names them: `metrics` macros
//! (`counter!("orders_created_total")`, `histogram!`), `prometheus` registration
//! macros and constructors (`register_int_counter_vec!`, `Opts::new("…")`,
//! `HistogramOpts::new`), and OpenTelemetry instruments
//! (`meter.u64_counter("…")`, `f64_histogram`). Label names written next to
//! them (`"status" => …`, `&["method", "status"]`) are kept. Exposition is a
//! `/metrics` route, an exporter that serves HTTP itself
//! (`PrometheusBuilder::install`, `with_http_listener`), a text encoder or
//! `handle.render()` in a handler, or a metrics middleware that mounts its own
//! endpoint (actix-web-prom).

use crate::facts::query::{path_matches, Hit};
use crate::facts::Facts;
use crate::location::Location;

/// Counter, gauge or histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// A metric the code records.
#[derive(Debug, Clone)]
pub struct Metric {
    /// The metric's name when written as a literal.
    pub name: Option<String>,
    pub kind: Kind,
    pub location: Location,
    /// Label names written with it.
    pub labels: Vec<String>,
}

impl Metric {
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        match &self.name {
            Some(n) => format!("{kind} `{n}`"),
            None => format!("{kind} (name not a literal)"),
        }
    }

    pub fn hit(&self) -> Hit {
        let labels = if self.labels.is_empty() {
            String::new()
        } else {
            format!(" labelled {}", self.labels.join(", "))
        };
        Hit::new(
            self.location.clone(),
            format!("{}{labels}", self.describe()),
        )
    }
}

fn kind_of_macro(last: &str) -> Option<Kind> {
    let l = last.to_ascii_lowercase();
    if l.contains("histogram") {
        Some(Kind::Histogram)
    } else if l.contains("counter") {
        Some(Kind::Counter)
    } else if l.contains("gauge") {
        Some(Kind::Gauge)
    } else {
        None
    }
}

const LABEL_WORDS: &[&str] = &[
    "status",
    "status_code",
    "code",
    "outcome",
    "result",
    "error",
    "method",
    "path",
    "route",
    "endpoint",
    "kind",
    "type",
];

/// Every metric recorded in service code.
pub fn metrics(facts: &Facts) -> Vec<Metric> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        let label_near = |line: u32, in_fn: Option<u32>| -> Vec<String> {
            let mut v: Vec<String> = f
                .literals
                .iter()
                .filter(|l| l.in_fn == in_fn && l.line >= line && l.line <= line + 12)
                .map(|l| l.value.to_ascii_lowercase())
                .filter(|v| LABEL_WORDS.contains(&v.as_str()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        for m in f.macros.iter().filter(|m| !m.test) {
            let last = m.path.rsplit("::").next().unwrap_or(&m.path);
            let from_metrics =
                m.path.starts_with("metrics::") || m.path.starts_with("prometheus::");
            let Some(kind) = kind_of_macro(last) else {
                continue;
            };
            if !from_metrics || last.starts_with("describe_") {
                continue;
            }
            // `register_int_counter_vec!(opts!("name", "help"), &[..])`: the name is in `opts!`.
            let name = m.first_lit.clone().or_else(|| {
                f.macros
                    .iter()
                    .find(|o| o.line == m.line && o.path.ends_with("opts") && o.first_lit.is_some())
                    .and_then(|o| o.first_lit.clone())
            });
            out.push(Metric {
                name,
                kind,
                location: Location::new(f.path.clone(), m.line),
                labels: label_near(m.line, m.in_fn),
            });
        }
        // OpenTelemetry instruments named with `format!("{PREFIX}.response_time")`.
        for m in f.methods.iter().filter(|m| !m.test) {
            let Some(kind) = otel_kind(&m.name) else {
                continue;
            };
            let named = f
                .macros
                .iter()
                .find(|x| x.line == m.line && x.path.ends_with("format") && x.first_lit.is_some());
            if let Some(x) = named {
                let name = strip_placeholders(x.first_lit.as_deref().unwrap_or(""));
                if looks_like_metric_name(&name) {
                    out.push(Metric {
                        name: Some(name),
                        kind,
                        location: Location::new(f.path.clone(), m.line),
                        labels: label_near(m.line, m.in_fn),
                    });
                }
            }
        }
        // prometheus constructors and OpenTelemetry instruments: the literal name.
        for l in f.literals.iter().filter(|l| !l.test) {
            let ctx = l.context.as_deref().unwrap_or("");
            let otel = otel_kind(ctx);
            let prom = (ctx == "new" || ctx == "with_opts")
                .then(|| {
                    f.refs
                        .iter()
                        .filter(|r| {
                            r.line <= l.line
                                && r.line + 2 >= l.line
                                && r.path.contains("prometheus")
                        })
                        .find_map(|r| {
                            let t = r.path.to_ascii_lowercase();
                            if t.contains("histogram") {
                                Some(Kind::Histogram)
                            } else if t.contains("counter") {
                                Some(Kind::Counter)
                            } else if t.contains("gauge") {
                                Some(Kind::Gauge)
                            } else if t.ends_with("opts::new") {
                                Some(Kind::Counter)
                            } else {
                                None
                            }
                        })
                })
                .flatten();
            let Some(kind) = otel.or(prom) else { continue };
            if !looks_like_metric_name(&l.value) {
                continue;
            }
            out.push(Metric {
                name: Some(l.value.clone()),
                kind,
                location: Location::new(f.path.clone(), l.line),
                labels: label_near(l.line, l.in_fn),
            });
        }
    }
    out.sort_by(|a, b| a.location.cmp(&b.location));
    out.dedup_by(|a, b| a.location == b.location && a.name == b.name);
    out
}

/// The kind of an OpenTelemetry instrument builder (`u64_counter`, `f64_histogram`).
fn otel_kind(method: &str) -> Option<Kind> {
    match method {
        c if c.ends_with("_counter") => Some(Kind::Counter),
        c if c.ends_with("_histogram") => Some(Kind::Histogram),
        c if c.ends_with("_gauge") => Some(Kind::Gauge),
        _ => None,
    }
}

/// `{PREFIX}.response_time` → `response_time`: the literal part of a
/// formatted metric name.
fn strip_placeholders(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_matches(|c| c == '.' || c == '_' || c == ':' || c == '-')
        .to_string()
}

fn looks_like_metric_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// Middleware that records per-request metrics (count, latency, status) by itself.
pub const REQUEST_METRIC_LAYERS: &[&str] = &[
    "axum_prometheus",
    "PrometheusMetricLayer",
    "PrometheusMetricLayerBuilder",
    "actix_web_prom",
    "PrometheusMetricsBuilder",
    "axum_otel_metrics",
    "HttpMetricsLayer",
    "HttpMetricsLayerBuilder",
    "tower_otel_http_metrics",
    "poem::middleware::OpenTelemetryMetrics",
    "OpenTelemetryMetrics",
    "salvo::otel::Metrics",
    "actix_web_opentelemetry::RequestMetrics",
    "RequestMetrics",
    "tonic_prometheus_layer",
];

/// Request-level metric middleware wired in service code.
pub fn request_metric_layers(facts: &Facts) -> Vec<Hit> {
    let mut hits = facts.refs(REQUEST_METRIC_LAYERS);
    // `#[autometrics]` on handlers records calls, errors and latency per function.
    for (_, f) in facts.service_rust() {
        for func in f.fns.iter().filter(|x| !x.test) {
            if func
                .attrs
                .iter()
                .any(|a| path_matches(&a.path, "autometrics"))
            {
                hits.push(Hit::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`#[autometrics]` on `{}`", func.name),
                ));
            }
        }
    }
    hits
}

/// Where metrics leave the service over a scrape endpoint.
pub fn exposition(facts: &Facts) -> Vec<Hit> {
    let mut out: Vec<Hit> = facts
        .routes
        .iter()
        .filter(|r| {
            let last = r
                .path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            let read = matches!(r.method.as_str(), "GET" | "ANY") || r.method.contains("GET");
            read && (last == "metrics" || last == "prometheus")
        })
        .map(|r| Hit::new(r.location.clone(), format!("route {} {}", r.method, r.path)))
        .collect();
    // Exporters that serve their own endpoint.
    for (f, m) in facts.methods(&["install", "with_http_listener", "endpoint"]) {
        let prometheus_root = m.root.as_deref().is_some_and(|r| {
            r.contains("PrometheusBuilder")
                || r.contains("PrometheusMetricsBuilder")
                || r.contains("prometheus")
        });
        if prometheus_root {
            out.push(Hit::new(
                Location::new(f.path.clone(), m.line),
                format!(
                    "`.{}()` on the Prometheus exporter serves the scrape endpoint",
                    m.name
                ),
            ));
        }
    }
    // Handlers that render the text format.
    out.extend(
        facts
            .refs(&[
                "prometheus::TextEncoder",
                "TextEncoder",
                "prometheus::Encoder",
                "prometheus_client::encoding::text::encode",
                "autometrics::prometheus_exporter::encode_http_response",
                "encode_to_string",
            ])
            .into_iter()
            .map(|h| {
                Hit::new(
                    h.location,
                    format!("{} renders the Prometheus text format", h.what),
                )
            }),
    );
    for (f, m) in facts.methods(&["render"]) {
        let handle = m.root.as_deref().is_some_and(|r| {
            let l = r.to_ascii_lowercase();
            l.contains("handle")
                || l.contains("prometheus")
                || l.contains("metric")
                || l.contains("recorder")
        });
        if handle {
            out.push(Hit::new(
                Location::new(f.path.clone(), m.line),
                "`handle.render()` renders the Prometheus text format",
            ));
        }
    }
    out
}

/// Exporters that push metrics elsewhere (OTLP, StatsD, Datadog).
pub fn push_exporters(facts: &Facts) -> Vec<Hit> {
    facts.refs(&[
        "opentelemetry_otlp::MetricExporter",
        "opentelemetry_otlp::new_pipeline::metrics",
        "MetricsExporterBuilder",
        "metrics_exporter_statsd",
        "StatsdBuilder",
        "cadence",
        "dogstatsd",
        "metrics_exporter_dogstatsd",
        "PeriodicReader",
    ])
}

/// Metric crates in Cargo.toml.
pub const METRIC_CRATES: &[&str] = &[
    "metrics",
    "metrics-exporter-prometheus",
    "prometheus",
    "prometheus-client",
    "autometrics",
    "opentelemetry-prometheus",
    "axum-prometheus",
    "actix-web-prom",
    "axum-otel-metrics",
    "metrics-exporter-statsd",
    "cadence",
];

/// Generic metric name parts: HTTP, runtime and process metrics, not the business.
const GENERIC: &[&str] = &[
    "http",
    "request",
    "requests",
    "response",
    "responses",
    "latency",
    "duration",
    "process",
    "tokio",
    "runtime",
    "go",
    "memory",
    "cpu",
    "uptime",
    "build_info",
    "in_flight",
    "inflight",
    "db",
    "database",
    "sql",
    "pool",
    "connections",
    "grpc",
    "rpc",
    "server",
    "hyper",
    "axum",
    "actix",
    "tower",
    "cache",
    "errors",
    "error",
    "panics",
    "threads",
    "heap",
    "gc",
    "queue_depth",
    "up",
];

/// Whether a metric name is about the domain rather than the plumbing.
pub fn is_business(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(['_', '.', ':', '-'])
        .filter(|t| {
            !t.is_empty()
                && !matches!(
                    *t,
                    "total" | "count" | "seconds" | "bytes" | "ms" | "sum" | "bucket"
                )
        })
        .collect();
    !tokens.is_empty() && !tokens.iter().any(|t| GENERIC.contains(t))
}

#[cfg(test)]
mod tests {
    use super::is_business;

    #[test]
    fn formatted_names() {
        assert_eq!(
            super::strip_placeholders("{PREFIX}.response_time"),
            "response_time"
        );
        assert_eq!(super::strip_placeholders("{}_{}_total"), "total");
    }

    #[test]
    fn business_names() {
        assert!(is_business("orders_created_total"));
        assert!(is_business("payments.refunded"));
        assert!(!is_business("http_requests_total"));
        assert!(!is_business("http_request_duration_seconds"));
        assert!(!is_business("process_cpu_seconds_total"));
        assert!(!is_business("db_pool_connections"));
    }
}
