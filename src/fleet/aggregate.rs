//! Folding reports into the fleet summary, one report at a time.
//!
//! The first pass keeps, per report, only a history point (file, time,
//! commit, score) and, per service, the statuses of its two newest runs: a
//! report is parsed into that and dropped, so memory grows with the number of
//! services and by a few dozen bytes per report, not with report size. The
//! newest runs are known only when every report is in, so the second pass
//! ([`Acc::finish`]) reads each service's latest report again for its
//! findings, and the previous one for its fingerprints.
//!
//! Runs of a service are ordered by `(timestamp, input position)`, with runs
//! without a timestamp first: a fleet whose CI never passes `--timestamp` is
//! ordered as its files are (natural path order), and one that starts passing
//! it later keeps its older, untimed runs before the timed ones.

use super::model::*;
use super::read::{self, Counts, Finding as RawFinding, Lite, Read};
use crate::score::{self, Level};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// Order of a run within its service: timestamp (absent first), then input position.
type Key = (Option<i64>, u32);

/// An item's standing in one report.
#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    word: &'static str,
    score: Option<f64>,
}

/// The statuses of one run, kept for a service's two newest runs.
#[derive(Debug)]
struct Snapshot {
    key: Key,
    path: PathBuf,
    run: Run,
    sections: Vec<(usize, Option<f64>)>,
    items: Vec<(usize, State)>,
    level: Option<Level>,
    counts: Counts,
    profile: Option<String>,
    tool_version: Option<String>,
    catalog_version: Option<String>,
}

struct ServiceAcc {
    name: String,
    history: Vec<(Key, Run)>,
    /// The newest run first, then the one before it.
    top: Vec<Snapshot>,
}

/// Ids in first-seen order, with a title and (for items) a section.
#[derive(Default)]
struct Interner {
    index: HashMap<String, usize>,
    entries: Vec<(String, String, usize)>,
}

impl Interner {
    fn get(&mut self, id: &str, title: impl FnOnce() -> String, section: usize) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.entries.len();
        self.index.insert(id.to_string(), i);
        self.entries.push((id.to_string(), title(), section));
        i
    }
}

/// The fleet so far.
#[derive(Default)]
pub struct Acc {
    inputs: Inputs,
    sections: Interner,
    items: Interner,
    services: Vec<ServiceAcc>,
    by_name: HashMap<String, usize>,
}

/// The fixed status words; anything else a report says is `other`.
fn word(s: &str) -> &'static str {
    match s {
        "pass" => "pass",
        "partial" => "partial",
        "fail" => "fail",
        "n/a" => "n/a",
        "manual" => "manual",
        "waived" => "waived",
        "attested" => "attested",
        _ => "other",
    }
}

/// How far short an item falls: 0 ok or not counted, 1 partial, 2 fail.
fn shortfall(score: Option<f64>) -> u8 {
    match score {
        Some(s) if s <= 0.0 => 2,
        Some(s) if s < 1.0 => 1,
        _ => 0,
    }
}

impl Acc {
    /// Record a file left out.
    pub fn ignore(&mut self, path: String, reason: String) {
        self.inputs.ignored.push(Ignored { path, reason });
    }

    /// Fold in what one candidate file turned out to be; `seq` is its input position.
    pub fn add(&mut self, seq: u32, path: PathBuf, read: Read<Lite>) {
        self.inputs.files += 1;
        let shown = path.display().to_string();
        match read {
            Read::Report(r) => self.add_report(seq, path, *r),
            Read::Ignored(reason) => self.ignore(shown, reason),
            Read::Corrupt(message) => self.inputs.corrupt.push(Problem {
                path: shown,
                message,
            }),
            Read::Refused { version, message } => self.inputs.refused.push(Refused {
                path: shown,
                schema_version: version,
                message,
            }),
        }
    }

    fn add_report(&mut self, seq: u32, path: PathBuf, r: read::Report<Lite>) {
        self.inputs.reports += 1;
        let target = r.target.unwrap_or_else(|| unreachable!("checked by read"));
        let name = target
            .name
            .filter(|n| !n.trim().is_empty())
            .or(target.path)
            .unwrap_or_else(|| "(unnamed)".into());
        let epoch = r
            .timestamp
            .as_deref()
            .and_then(crate::provenance::parse_rfc3339);
        let summary = r.summary.unwrap_or_else(|| unreachable!("checked by read"));
        let vcs = target.vcs;
        let run = Run {
            file: path.display().to_string(),
            timestamp: epoch.map(crate::provenance::rfc3339),
            commit: vcs.as_ref().and_then(|v| v.commit.clone()),
            branch: vcs.and_then(|v| v.branch),
            score: summary.score,
            grade: summary.score.map(score::grade),
        };
        let key = (epoch, seq);
        let svc = match self.by_name.get(&name) {
            Some(&i) => i,
            None => {
                self.by_name.insert(name.clone(), self.services.len());
                self.services.push(ServiceAcc {
                    name,
                    history: Vec::new(),
                    top: Vec::new(),
                });
                self.services.len() - 1
            }
        };
        self.services[svc].history.push((key, run.clone()));
        // Only the two newest runs keep their statuses.
        let top = &self.services[svc].top;
        if top.len() == 2 && top.iter().all(|t| t.key > key) {
            return;
        }
        let mut sections = Vec::new();
        for s in r.sections.into_iter().flatten() {
            let title = s.title;
            let i = self
                .sections
                .get(&s.id, || title.unwrap_or_else(|| s.id.clone()), 0);
            sections.push((i, s.score));
        }
        let mut items = Vec::new();
        for it in r.items.into_iter().flatten() {
            if it.same_as.is_some() {
                continue;
            }
            let section_id = it.section.clone().unwrap_or_else(|| "other".into());
            let section = self.sections.get(&section_id, || section_id.clone(), 0);
            let title = it.title.clone();
            let i = self
                .items
                .get(&it.id, || title.unwrap_or_else(|| it.id.clone()), section);
            items.push((
                i,
                State {
                    word: word(it.word()),
                    score: it.score,
                },
            ));
        }
        let tool = r.tool;
        let snap = Snapshot {
            key,
            path,
            run,
            sections,
            items,
            level: summary.level.and_then(|l| l.achieved()),
            counts: summary.counts.unwrap_or_default(),
            profile: r.profile,
            tool_version: tool.as_ref().and_then(|t| t.version.clone()),
            catalog_version: tool.and_then(|t| t.catalog_version),
        };
        let top = &mut self.services[svc].top;
        top.push(snap);
        top.sort_by_key(|t| std::cmp::Reverse(t.key));
        top.truncate(2);
    }

    /// Order everything, read the latest reports' details, and build the summary.
    pub fn finish(self) -> Fleet {
        let Acc {
            mut inputs,
            sections,
            items,
            services,
            ..
        } = self;
        inputs.services = services.len();
        let section_anchors = anchors(sections.entries.iter().map(|e| e.0.as_str()), "sec-");
        let fleet_sections: Vec<SectionInfo> = sections
            .entries
            .iter()
            .zip(section_anchors)
            .map(|((id, title, _), anchor)| SectionInfo {
                id: id.clone(),
                title: title.clone(),
                anchor,
            })
            .collect();
        // Items in catalog order: by section, then as first seen.
        let mut item_order: Vec<usize> = (0..items.entries.len()).collect();
        item_order.sort_by_key(|&i| (items.entries[i].2, i));
        let item_slugs = anchors(items.entries.iter().map(|e| e.0.as_str()), "");
        let service_anchors = anchors(services.iter().map(|s| s.name.as_str()), "svc-");

        let built: Vec<Service> = services
            .into_par_iter()
            .zip(service_anchors)
            .map(|(acc, anchor)| {
                build_service(
                    acc,
                    anchor,
                    &fleet_sections,
                    &items,
                    &item_order,
                    &item_slugs,
                )
            })
            .collect();
        let mut services = built;
        // Best score first, unscored last, then by name.
        services.sort_by(|a, b| {
            let key = |s: &Service| s.latest.run.score.unwrap_or(-1.0);
            key(b).total_cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
        });
        for (i, s) in services.iter_mut().enumerate() {
            s.rank = i + 1;
        }

        let by_id: Vec<HashMap<&str, &ServiceItem>> = services
            .iter()
            .map(|s| s.items.iter().map(|i| (i.id.as_str(), i)).collect())
            .collect();
        let fleet_items = item_order
            .iter()
            .map(|&i| {
                let (id, title, section) = &items.entries[i];
                let mut statuses = StatusCounts::default();
                let (mut scored, mut passing) = (0, 0);
                for lookup in &by_id {
                    let it = lookup.get(id.as_str());
                    statuses.add(it.map(|x| x.status));
                    if let Some(score) = it.and_then(|x| x.score) {
                        scored += 1;
                        passing += usize::from(score >= 1.0);
                    }
                }
                FleetItem {
                    id: id.clone(),
                    title: title.clone(),
                    section: fleet_sections[*section].id.clone(),
                    anchor: format!("item-{}", item_slugs[i]),
                    statuses,
                    scored,
                    passing,
                    share_passing: (scored > 0)
                        .then(|| (passing as f64 / scored as f64 * 10_000.0).round() / 10_000.0),
                }
            })
            // An item only an evicted older run had is in no latest report.
            .filter(|fi| fi.statuses.absent < services.len())
            .collect();

        let mut regressions: Vec<Regression> = services
            .iter()
            .filter_map(|s| {
                let c = s.change.as_ref().filter(|c| c.regressed())?;
                Some(Regression {
                    service: s.name.clone(),
                    anchor: s.anchor.clone(),
                    score_before: c.previous.score,
                    score_after: s.latest.run.score,
                    score_delta: c.score_delta,
                    worse: c.worse.len(),
                    new_findings: c.new_findings.len(),
                })
            })
            .collect();
        regressions.sort_by(|a, b| {
            let delta = |r: &Regression| r.score_delta.unwrap_or(0.0);
            delta(a)
                .total_cmp(&delta(b))
                .then(b.worse.cmp(&a.worse))
                .then(b.new_findings.cmp(&a.new_findings))
                .then_with(|| a.service.cmp(&b.service))
        });

        Fleet {
            schema_version: SCHEMA_VERSION,
            kind: super::KIND,
            tool: Tool {
                name: "seaworthy",
                version: env!("CARGO_PKG_VERSION"),
            },
            inputs,
            sections: fleet_sections,
            items: fleet_items,
            services,
            regressions,
        }
    }
}

/// One service of the summary, with its latest report's details read again.
fn build_service(
    acc: ServiceAcc,
    anchor: String,
    sections: &[SectionInfo],
    items: &Interner,
    item_order: &[usize],
    item_slugs: &[String],
) -> Service {
    let ServiceAcc {
        name,
        mut history,
        mut top,
    } = acc;
    history.sort_by_key(|h| h.0);
    let order = if history.iter().all(|(k, _)| k.0.is_some()) {
        "time"
    } else {
        "input"
    };
    let previous = (top.len() > 1).then(|| top.pop()).flatten();
    let latest = top.pop().expect("a service has a report");
    let (details, mut details_error) = match read_details(&latest.path) {
        Ok(d) => (d, None),
        Err(e) => (HashMap::new(), Some(e)),
    };
    let state_of =
        |snap: &Snapshot, i: usize| snap.items.iter().find(|(x, _)| *x == i).map(|(_, s)| *s);
    let service_items: Vec<ServiceItem> = item_order
        .iter()
        .filter_map(|&i| {
            let st = state_of(&latest, i)?;
            let id = &items.entries[i].0;
            let (summary, findings) = details.get(id).cloned().unwrap_or_default();
            Some(ServiceItem {
                id: id.clone(),
                anchor: format!("{anchor}--item-{}", item_slugs[i]),
                status: st.word,
                score: st.score,
                summary,
                findings: if shortfall(st.score) > 0 {
                    findings
                } else {
                    Vec::new()
                },
            })
        })
        .collect();
    let change = previous.map(|prev| {
        // Without both reports' findings, no finding can be called new.
        let before_fingerprints = match read_details(&prev.path) {
            Ok(d) if details_error.is_none() => Some(d),
            Ok(_) => None,
            Err(e) => {
                details_error = Some(format!("{e}; findings were not compared"));
                None
            }
        };
        let mut c = Change {
            score_delta: match (prev.run.score, latest.run.score) {
                (Some(b), Some(a)) => Some(score::round1(a - b)),
                _ => None,
            },
            previous: prev.run.clone(),
            worse: Vec::new(),
            better: Vec::new(),
            new_findings: Vec::new(),
            fixed_findings: 0,
        };
        for &i in item_order {
            let Some(now) = state_of(&latest, i) else {
                continue;
            };
            let id = &items.entries[i].0;
            let before = state_of(&prev, i);
            let (was, is) = (before.map(|b| shortfall(b.score)), shortfall(now.score));
            let change = ItemChange {
                item: id.clone(),
                from: before.map(|b| b.word),
                to: now.word,
            };
            match was {
                None if is > 0 => c.worse.push(change),
                Some(w) if is > w => c.worse.push(change),
                Some(w) if is < w => c.better.push(change),
                Some(w) if w > 0 => {
                    let Some(before_fingerprints) = &before_fingerprints else {
                        continue;
                    };
                    let old: BTreeSet<&str> = before_fingerprints
                        .get(id)
                        .map(|(_, f)| f.iter().map(|f| f.fingerprint.as_str()).collect())
                        .unwrap_or_default();
                    let new: Vec<&Finding> = details
                        .get(id)
                        .map(|(_, f)| f.iter().collect())
                        .unwrap_or_default();
                    let current: BTreeSet<&str> =
                        new.iter().map(|f| f.fingerprint.as_str()).collect();
                    c.fixed_findings += old.difference(&current).count();
                    c.new_findings.extend(
                        new.into_iter()
                            .filter(|f| !old.contains(f.fingerprint.as_str()))
                            .map(|f| NewFinding {
                                item: id.clone(),
                                finding: f.clone(),
                            }),
                    );
                }
                _ => {}
            }
        }
        c
    });
    let section_scores = sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let score = latest
                .sections
                .iter()
                .find(|(x, _)| *x == i)
                .and_then(|(_, sc)| *sc);
            SectionScore {
                id: s.id.clone(),
                score,
                grade: score.map(score::grade),
            }
        })
        .collect();
    Service {
        name,
        rank: 0,
        anchor,
        runs: history.len(),
        order,
        latest: Latest {
            run: latest.run,
            level: latest.level,
            counts: latest.counts,
            profile: latest.profile,
            tool_version: latest.tool_version,
            catalog_version: latest.catalog_version,
        },
        sections: section_scores,
        history: history.into_iter().map(|(_, r)| r).collect(),
        change,
        items: service_items,
        details_error,
    }
}

/// Item id → (summary, unsuppressed findings) of the report at `path`.
type Details = HashMap<String, (String, Vec<Finding>)>;

fn read_details(path: &std::path::Path) -> Result<Details, String> {
    let r = match read::read::<read::Full>(path) {
        Read::Report(r) => r,
        _ => return Err(format!("{} could not be read again", path.display())),
    };
    let mut out = HashMap::new();
    for it in r.items.into_iter().flatten() {
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let findings = it
            .evidence
            .unwrap_or_default()
            .into_iter()
            .map(|f: RawFinding| {
                let n = seen
                    .entry((f.path.clone(), crate::report::stable_message(&f.message)))
                    .or_default();
                *n += 1;
                (f, *n)
            })
            .filter(|(f, _)| f.suppressed.is_none())
            .map(|(f, n)| Finding {
                fingerprint: f
                    .fingerprint
                    .unwrap_or_else(|| crate::report::fingerprint(&it.id, &f.path, &f.message, n)),
                path: f.path,
                line: f.line,
                message: f.message,
            })
            .collect();
        out.insert(it.id, (it.summary.unwrap_or_default(), findings));
    }
    Ok(out)
}

/// Fragment ids from untrusted names: `prefix` + the name's letters, digits,
/// `.` and `_`, with any run of other characters as one `-`, made unique with
/// `-2`, `-3`, …. A slug never holds `--`, which joins a service's anchor to
/// its sections' and items' (`svc-billing--item-api.pagination`).
fn anchors<'a>(names: impl Iterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    let mut used: std::collections::HashSet<String> = Default::default();
    names
        .map(|n| {
            let mut slug = String::new();
            for c in n.chars().take(64) {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
                    slug.push(c.to_ascii_lowercase());
                } else if !slug.ends_with('-') {
                    slug.push('-');
                }
            }
            let slug = match slug.trim_matches('-') {
                "" => "_",
                s => s,
            };
            let base = format!("{prefix}{slug}");
            let mut anchor = base.clone();
            let mut n = 1;
            while !used.insert(anchor.clone()) {
                n += 1;
                anchor = format!("{base}-{n}");
            }
            anchor
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(day: u32, status: &str, score: f64) -> Read<Lite> {
        let item_score = match status {
            "pass" => "1",
            "partial" => "0.5",
            _ => "0",
        };
        let json = format!(
            r#"{{"schema_version":"1.0","tool":{{"name":"seaworthy"}},
            "target":{{"name":"svc","vcs":{{"commit":"c{day}"}}}},
            "timestamp":"2026-01-0{day}T00:00:00Z","summary":{{"score":{score}}},
            "sections":[{{"id":"api","title":"API","score":{score}}}],
            "items":[{{"id":"api.x","title":"X","section":"api","status":"{status}",
              "score":{item_score},"summary":"s","evidence":[]}},
              {{"id":"api.y","title":"Y","section":"api","status":"manual","score":null,
              "same_as":"api.x","summary":"s","evidence":[]}}]}}"#
        );
        read::parse(json.as_bytes())
    }

    #[test]
    fn runs_fold_in_any_order_and_the_newest_two_are_compared() {
        let mut acc = Acc::default();
        // Read out of time order; the files do not exist, so details cannot be read again.
        for (seq, (day, status, score)) in
            [(3, "fail", 0.0), (1, "partial", 50.0), (2, "pass", 100.0)]
                .into_iter()
                .enumerate()
        {
            let path = PathBuf::from(format!("/nonexistent/run-{day}.json"));
            acc.add(seq as u32, path, report(day, status, score));
        }
        let fleet = acc.finish();
        let s = &fleet.services[0];
        let commits: Vec<_> = s
            .history
            .iter()
            .map(|r| r.commit.as_deref().unwrap())
            .collect();
        assert_eq!(commits, ["c1", "c2", "c3"]);
        assert_eq!((s.order, s.runs), ("time", 3));
        assert_eq!(s.latest.run.commit.as_deref(), Some("c3"));
        let c = s.change.as_ref().unwrap();
        assert_eq!(c.previous.commit.as_deref(), Some("c2"));
        assert_eq!(c.score_delta, Some(-100.0));
        assert_eq!(c.worse.len(), 1);
        assert_eq!((c.worse[0].from, c.worse[0].to), (Some("pass"), "fail"));
        // The restatement (same_as) is left out everywhere.
        assert_eq!(fleet.items.len(), 1);
        assert_eq!(s.items.len(), 1);
        // Without the files, no finding is called new, and the service says why.
        assert!(c.new_findings.is_empty());
        assert!(s
            .details_error
            .as_deref()
            .unwrap()
            .contains("could not be read again"));
        assert_eq!(fleet.regressions[0].service, "svc");
    }

    #[test]
    fn anchors_are_unique_and_never_hold_the_joining_dashes() {
        let names = ["Billing API", "billing-api", "a--sec-b", "<script>", ""];
        let got = anchors(names.into_iter(), "svc-");
        assert_eq!(
            got,
            [
                "svc-billing-api",
                "svc-billing-api-2",
                "svc-a-sec-b",
                "svc-script",
                "svc-_"
            ]
        );
    }
}
