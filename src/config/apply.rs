//! Applying a config: rule overrides to the catalog before the audit, and
//! waivers, attestations and inline suppressions to the report after it.
//!
//! Nothing is dropped: a waived item keeps its status and evidence and gains a
//! `waiver`; an attested manual item gains an `attestation`. A waiver,
//! suppression or attestation that matches nothing, and a waiver past its
//! expiry date, become notices in the report so stale exceptions get cleaned up.

use super::inline::Suppression;
use super::{Loaded, Waiver};
use crate::report::{AttestationNote, ConfigNotice, Item, Report, WaiverNote};
use crate::rules::{Catalog, Status};

/// Turn rules off and change weights, severities and levels. Returns the ids
/// turned off (with the restatements of those ids, which cannot stand alone).
pub fn to_catalog(catalog: &mut Catalog, loaded: &Loaded) -> Vec<String> {
    let mut off: Vec<String> = Vec::new();
    for (id, o) in &loaded.config.rules {
        if o.enabled == Some(false) {
            off.push(id.get_ref().clone());
        }
        if let Some(rule) = catalog.rules.iter_mut().find(|r| &r.id == id.get_ref()) {
            if let Some(w) = &o.weight {
                rule.weight = *w.get_ref();
            }
            if let Some(s) = o.severity {
                rule.severity = s;
            }
            if let Some(l) = o.level {
                rule.level = Some(l);
            }
        }
    }
    let restating: Vec<String> = catalog
        .rules
        .iter()
        .filter(|r| r.same_as.as_ref().is_some_and(|t| off.contains(t)))
        .map(|r| r.id.clone())
        .collect();
    off.extend(restating);
    catalog.rules.retain(|r| !off.contains(&r.id));
    off.sort();
    off.dedup();
    off
}

/// The ids a waiver or suppression may name to reach this item: its own, and
/// the rule it restates.
fn names(item: &Item) -> impl Iterator<Item = &str> {
    std::iter::once(item.id.as_str()).chain(item.same_as.as_deref())
}

fn waiver_note(loaded: &Loaded, w: &toml::Spanned<Waiver>, today: &str) -> WaiverNote {
    let v = w.get_ref();
    WaiverNote {
        kind: "config",
        reason: v.reason.0.clone(),
        source: loaded.at(w.span()),
        expires: Some(v.expires.0.clone()),
        expired: v.expires.0.as_str() < today,
    }
}

/// Apply waivers, suppressions (when `suppressions` is given) and attestations
/// to `report`, record notices, and rescore. `today` is `YYYY-MM-DD`.
pub fn to_report(
    report: &mut Report,
    loaded: &Loaded,
    suppressions: Option<&[Suppression]>,
    today: &str,
) {
    let cfg = &loaded.config;
    let mut waiver_used = vec![false; cfg.waivers.len()];
    let sup = suppressions.unwrap_or(&[]);
    let mut sup_used = vec![false; sup.len()];
    for item in report
        .items
        .iter_mut()
        .filter(|i| matches!(i.status, Status::Fail | Status::Partial))
    {
        let ids: Vec<String> = names(item).map(str::to_string).collect();
        let mut rule_wide: Option<WaiverNote> = None;
        let mut expired: Option<WaiverNote> = None;
        for (k, w) in cfg.waivers.iter().enumerate() {
            let v = w.get_ref();
            if !ids.contains(v.rule.get_ref()) {
                continue;
            }
            let note = waiver_note(loaded, w, today);
            if note.expired {
                let reaches = v.path.as_ref().is_none_or(|g| {
                    item.evidence
                        .iter()
                        .any(|f| g.matcher.is_match(&f.location.path))
                });
                if reaches {
                    expired.get_or_insert(note);
                }
                continue;
            }
            match &v.path {
                None => {
                    waiver_used[k] = true;
                    rule_wide.get_or_insert(note);
                }
                Some(glob) => {
                    for f in item.evidence.iter_mut() {
                        if f.suppressed.is_none() && glob.matcher.is_match(&f.location.path) {
                            waiver_used[k] = true;
                            f.suppressed = Some(note.clone());
                        }
                    }
                }
            }
        }
        for (k, s) in sup.iter().enumerate() {
            if s.reason.is_empty() {
                continue;
            }
            for f in item.evidence.iter_mut() {
                if f.suppressed.is_none()
                    && ids
                        .iter()
                        .any(|n| s.covers(n, &f.location.path, f.location.line))
                {
                    sup_used[k] = true;
                    f.suppressed = Some(WaiverNote {
                        kind: "inline",
                        reason: s.reason.clone(),
                        source: s.source(),
                        expires: None,
                        expired: false,
                    });
                }
            }
        }
        let all_findings =
            !item.evidence.is_empty() && item.evidence.iter().all(|f| f.suppressed.is_some());
        item.waiver = rule_wide
            .or_else(|| {
                all_findings
                    .then(|| item.evidence[0].suppressed.clone())
                    .flatten()
            })
            .or(expired);
    }
    let mut notices = Vec::new();
    for (k, w) in cfg.waivers.iter().enumerate() {
        let note = waiver_note(loaded, w, today);
        let rule = w.get_ref().rule.get_ref().clone();
        if note.expired {
            notices.push(ConfigNotice {
                kind: "expired-waiver",
                rule,
                source: note.source,
                message: format!(
                    "expired on {}: it no longer applies; fix the item or renew the waiver with a new date",
                    note.expires.unwrap_or_default()
                ),
            });
        } else if !waiver_used[k] {
            notices.push(ConfigNotice {
                kind: "unused-waiver",
                rule,
                source: note.source,
                message: "matches no failing finding: remove it".into(),
            });
        }
    }
    for (_, s) in sup.iter().enumerate().filter(|(k, _)| !sup_used[*k]) {
        let message = if s.reason.is_empty() {
            "no reason given, so it does not apply: write `seaworthy:allow(RULE) why`".to_string()
        } else if !report.items.iter().any(|i| i.id == s.rule) {
            format!("no rule `{}` in the catalog", s.rule)
        } else {
            "matches no failing finding on this line or the next: remove it".to_string()
        };
        notices.push(ConfigNotice {
            kind: "unused-suppression",
            rule: s.rule.clone(),
            source: s.source(),
            message,
        });
    }
    for a in &cfg.attestations {
        let v = a.get_ref();
        let source = loaded.at(a.span());
        let item = report.items.iter_mut().find(|i| &i.id == v.rule.get_ref());
        let problem = match item {
            Some(i) if i.status == Status::Manual && i.attestation.is_none() => {
                i.attestation = Some(AttestationNote {
                    by: v.by.0.clone(),
                    reason: v.reason.0.clone(),
                    date: v.date.0.clone(),
                    source: source.clone(),
                });
                None
            }
            Some(i) if i.status == Status::Manual => Some("attested twice: the first counts".into()),
            Some(i) => Some(format!(
                "the item is decided from evidence (status {}); attestations apply to manual items only",
                i.status.as_str()
            )),
            None => Some("the rule is disabled".into()),
        };
        if let Some(message) = problem {
            notices.push(ConfigNotice {
                kind: "unused-attestation",
                rule: v.rule.get_ref().clone(),
                source,
                message,
            });
        }
    }
    // Restatements carry their target's attestation.
    let attested: Vec<(String, AttestationNote)> = report
        .items
        .iter()
        .filter_map(|i| Some((i.id.clone(), i.attestation.clone()?)))
        .collect();
    for i in report
        .items
        .iter_mut()
        .filter(|i| i.status == Status::Manual)
    {
        if let Some((_, a)) = attested
            .iter()
            .find(|(id, _)| Some(id) == i.same_as.as_ref())
        {
            i.attestation.get_or_insert_with(|| a.clone());
        }
    }
    notices.sort();
    report.config.source = loaded.source.clone();
    report.config.inline_suppressions = suppressions.is_some();
    report.config.notices = notices;
    if let Some(p) = cfg.preview {
        report.config.preview_scored = p;
    }
    report.rescore();
}
