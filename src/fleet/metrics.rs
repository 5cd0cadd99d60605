//! The fleet as an OpenMetrics text exposition, for Prometheus and Grafana.
//!
//! Every family is a gauge of the services' latest reports (Prometheus keeps
//! the history itself). Label values come from the reports — service names,
//! section and item ids, commits — so they are escaped as the format demands
//! (`\\`, `\"`, `\n`); metric and label names are fixed words. The output ends
//! with `# EOF`, which an OpenMetrics scraper requires and a Prometheus text
//! parser (a node_exporter textfile collector) reads as a comment. Serve it
//! with `Content-Type: application/openmetrics-text; version=1.0.0`.

use super::model::Fleet;
use std::fmt::Write;

/// A label value, escaped.
pub fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// One metric family being written; its `# TYPE`/`# HELP` lines go out with
/// its first sample, so a family without samples is left out.
struct Family<'a> {
    out: &'a mut String,
    name: &'static str,
    header: Option<String>,
}

impl Family<'_> {
    fn sample(&mut self, labels: &[(&str, &str)], value: f64) {
        if let Some(h) = self.header.take() {
            self.out.push_str(&h);
        }
        let labels: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        let _ = writeln!(self.out, "{}{{{}}} {}", self.name, labels.join(","), value);
    }
}

fn family<'a>(out: &'a mut String, name: &'static str, kind: &str, help: &str) -> Family<'a> {
    Family {
        out,
        name,
        header: Some(format!("# TYPE {name} {kind}\n# HELP {name} {help}\n")),
    }
}

pub fn render(fleet: &Fleet) -> String {
    let mut out = String::new();
    let services = &fleet.services;

    let mut f = family(
        &mut out,
        "seaworthy_score",
        "gauge",
        "Overall readiness score (0-100) of the service's latest report.",
    );
    for s in services {
        if let Some(v) = s.latest.run.score {
            f.sample(&[("service", &s.name)], v);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_section_score",
        "gauge",
        "Readiness score (0-100) of one checklist section in the service's latest report.",
    );
    for s in services {
        for sec in &s.sections {
            if let Some(v) = sec.score {
                f.sample(&[("service", &s.name), ("section", &sec.id)], v);
            }
        }
    }
    let mut f = family(&mut out, "seaworthy_item_status", "gauge", "1 for the status each checklist item has in the service's latest report (pass, partial, fail, n/a, manual, waived, attested).");
    for s in services {
        for i in &s.items {
            f.sample(
                &[("service", &s.name), ("item", &i.id), ("status", i.status)],
                1.0,
            );
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_items",
        "gauge",
        "Items of the service's latest report per status.",
    );
    for s in services {
        let c = &s.latest.counts;
        for (status, n) in [
            ("pass", c.pass),
            ("partial", c.partial),
            ("fail", c.fail),
            ("n/a", c.not_applicable),
            ("manual", c.manual),
            ("waived", c.waived),
            ("attested", c.attested),
        ] {
            f.sample(&[("service", &s.name), ("status", status)], n as f64);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_level",
        "gauge",
        "1 for the bronze/silver/gold level the service's latest report reached.",
    );
    for s in services {
        if let Some(l) = s.latest.level {
            f.sample(&[("service", &s.name), ("level", l.as_str())], 1.0);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_score_change",
        "gauge",
        "Change of the overall score since the service's previous report.",
    );
    for s in services {
        if let Some(d) = s.change.as_ref().and_then(|c| c.score_delta) {
            f.sample(&[("service", &s.name)], d);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_items_worse",
        "gauge",
        "Items that got worse since the service's previous report.",
    );
    for s in services {
        if let Some(c) = &s.change {
            f.sample(&[("service", &s.name)], c.worse.len() as f64);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_report_timestamp_seconds",
        "gauge",
        "When the service's latest report was made (seconds since 1970), when it recorded it.",
    );
    for s in services {
        if let Some(t) = s
            .latest
            .run
            .timestamp
            .as_deref()
            .and_then(crate::provenance::parse_rfc3339)
        {
            f.sample(&[("service", &s.name)], t as f64);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_runs",
        "gauge",
        "Reports (runs) read per service.",
    );
    for s in services {
        f.sample(&[("service", &s.name)], s.runs as f64);
    }
    // A gauge rather than an OpenMetrics `info`: the Prometheus text format
    // (node_exporter's textfile collector) has no info type.
    let mut f = family(
        &mut out,
        "seaworthy_report_info",
        "gauge",
        "1, labelled with the commit and branch of the service's latest report.",
    );
    for s in services {
        let r = &s.latest.run;
        let labels = [
            ("service", s.name.as_str()),
            ("commit", r.commit.as_deref().unwrap_or("")),
            ("branch", r.branch.as_deref().unwrap_or("")),
        ];
        f.sample(&labels, 1.0);
    }
    let mut f = family(
        &mut out,
        "seaworthy_fleet_item_passing_ratio",
        "gauge",
        "Share (0-1) of the services where the item counts that pass it.",
    );
    for i in &fleet.items {
        if let Some(v) = i.share_passing {
            f.sample(&[("item", &i.id), ("section", &i.section)], v);
        }
    }
    let mut f = family(
        &mut out,
        "seaworthy_fleet_files",
        "gauge",
        "Files the fleet view was given, by what they turned out to be.",
    );
    let inputs = &fleet.inputs;
    for (state, n) in [
        ("report", inputs.reports),
        ("corrupt", inputs.corrupt.len()),
        ("refused", inputs.refused.len()),
        ("ignored", inputs.ignored.len()),
    ] {
        f.sample(&[("state", state)], n as f64);
    }
    out.push_str("# EOF\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        assert_eq!(escape("a\\b\"c\nd}e,f=g"), "a\\\\b\\\"c\\nd}e,f=g");
    }
}
