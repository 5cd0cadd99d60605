//! Where and when a report was made: the commit and branch audited, and the time.
//!
//! A fleet dashboard follows each service over time, so a report says which
//! commit it describes. The commit is read from the `.git` files themselves
//! (HEAD, refs, packed-refs; worktrees and `gitdir:` files included) — seaworthy
//! never runs git, whose config in an audited repository could run programs.
//! Without a `.git`, or on a detached HEAD, CI variables fill in (GitHub Actions,
//! GitLab CI). Time is recorded only when asked for (`--timestamp`) or given by
//! `SOURCE_DATE_EPOCH`, so the default output stays byte-identical.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// The commit and branch of the audited tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vcs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Where they came from: `git` (the .git files) or the CI variable names.
    pub source: String,
}

/// Read the commit and branch of `root` (or the repository containing it),
/// completing them from CI variables read through `env`.
pub fn detect(root: &Path, env: &dyn Fn(&str) -> Option<String>) -> Option<Vcs> {
    let mut vcs = from_git(root).unwrap_or(Vcs {
        commit: None,
        branch: None,
        source: String::new(),
    });
    let mut sources: Vec<&str> = Vec::new();
    if !vcs.source.is_empty() {
        sources.push("git");
    }
    let pick = |names: &[&'static str]| -> Option<(String, &'static str)> {
        names
            .iter()
            .find_map(|n| env(n).filter(|v| !v.trim().is_empty()).map(|v| (v, *n)))
    };
    if vcs.commit.is_none() {
        if let Some((c, n)) = pick(&["GITHUB_SHA", "CI_COMMIT_SHA"]).filter(|(c, _)| is_hex(c)) {
            vcs.commit = Some(c);
            sources.push(n);
        }
    }
    if vcs.branch.is_none() {
        let names = [
            "GITHUB_HEAD_REF",
            "GITHUB_REF_NAME",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
            "CI_COMMIT_BRANCH",
            "CI_COMMIT_REF_NAME",
        ];
        if let Some((b, n)) = pick(&names) {
            vcs.branch = Some(b);
            sources.push(n);
        }
    }
    vcs.source = sources.join(",");
    (vcs.commit.is_some() || vcs.branch.is_some()).then_some(vcs)
}

/// The commit and branch from the `.git` of `root` or of its nearest ancestor.
fn from_git(root: &Path) -> Option<Vcs> {
    let start = root.canonicalize().ok()?;
    let dot_git = start
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|p| p.exists())?;
    let git_dir = if dot_git.is_file() {
        // A worktree or submodule: `gitdir: <path>`.
        let text = std::fs::read_to_string(&dot_git).ok()?;
        let rel = text.strip_prefix("gitdir:")?.trim();
        dot_git.parent()?.join(rel)
    } else {
        dot_git
    };
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(c) => git_dir.join(c.trim()),
        Err(_) => git_dir.clone(),
    };
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let (commit, branch) = match head.strip_prefix("ref:") {
        Some(r) => {
            let r = r.trim();
            let commit = resolve_ref(&[&git_dir, &common], r);
            (commit, r.strip_prefix("refs/heads/").map(str::to_string))
        }
        None => (is_hex(head).then(|| head.to_string()), None),
    };
    Some(Vcs {
        commit,
        branch,
        source: "git".into(),
    })
}

/// The commit a ref names: a loose ref file, else a line of packed-refs.
fn resolve_ref(dirs: &[&PathBuf], name: &str) -> Option<String> {
    if name.split('/').any(|p| p == ".." || p.is_empty()) {
        return None;
    }
    for dir in dirs {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            let c = text.trim();
            if is_hex(c) {
                return Some(c.to_string());
            }
        }
    }
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join("packed-refs")) else {
            continue;
        };
        for line in text.lines() {
            if let Some((c, r)) = line.split_once(' ') {
                if r == name && is_hex(c) {
                    return Some(c.to_string());
                }
            }
        }
    }
    None
}

/// A full SHA-1 or SHA-256 object name.
fn is_hex(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The time to record, as RFC 3339 UTC: `--timestamp VALUE` (`now`, seconds
/// since the epoch, or an RFC 3339 time), else `SOURCE_DATE_EPOCH` when set,
/// else none. `requested` is `Some("")` for a bare `--timestamp` (now).
pub fn timestamp(
    requested: Option<&str>,
    source_date_epoch: Option<&str>,
    now: impl Fn() -> i64,
) -> Result<Option<String>, String> {
    let epoch = source_date_epoch
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| format!("SOURCE_DATE_EPOCH `{s}` is not a number of seconds"))
        })
        .transpose()?;
    match requested.map(str::trim) {
        None => Ok(epoch.map(rfc3339)),
        Some("" | "now") => Ok(Some(rfc3339(epoch.unwrap_or_else(now)))),
        Some(v) if v.bytes().all(|b| b.is_ascii_digit()) => v
            .parse::<i64>()
            .map(|s| Some(rfc3339(s)))
            .map_err(|_| format!("--timestamp {v}: too large")),
        Some(v) => parse_rfc3339(v).map(|s| Some(rfc3339(s))).ok_or_else(|| {
            format!(
                "--timestamp {v}: give `now`, seconds since 1970, or a time like 2026-11-24T10:00:00Z"
            )
        }),
    }
}

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Format seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parse `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` to seconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let (date, time) = s.split_once(['T', 't', ' '])?;
    let days = parse_date(date)?;
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => return None,
    };
    let clock = clock.split('.').next()?;
    let hms: Vec<i64> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, mi, sec] = hms[..] else { return None };
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let off = match offset {
        "Z" | "z" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':')?;
            let (oh, om): (i64, i64) = (oh.parse().ok()?, om.parse().ok()?);
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - off)
}

/// Days since the epoch of a `YYYY-MM-DD` date, if it is a real date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next().filter(|p| p.len() == 4)?.parse().ok()?;
    let m: i64 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    let d: i64 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// Today's date (UTC) as `YYYY-MM-DD`, from seconds since the epoch.
pub fn date_of(secs: i64) -> String {
    rfc3339(secs)[..10].to_string()
}

// Howard Hinnant's civil-calendar algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(
            parse_rfc3339("2023-11-15T00:13:20+02:00"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_rfc3339("2023-02-30T00:00:00Z"), None);
        assert_eq!(
            parse_date("2024-02-29").map(|d| d * 86_400),
            Some(1_709_164_800)
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(date_of(1_700_000_000), "2023-11-14");
    }

    #[test]
    fn timestamp_is_absent_unless_asked_or_given() {
        let now = || 1_700_000_000;
        assert_eq!(timestamp(None, None, now), Ok(None));
        assert_eq!(
            timestamp(None, Some("0"), now),
            Ok(Some("1970-01-01T00:00:00Z".into()))
        );
        assert_eq!(
            timestamp(Some(""), None, now),
            Ok(Some("2023-11-14T22:13:20Z".into()))
        );
        assert_eq!(
            timestamp(Some("now"), Some("86400"), now),
            Ok(Some("1970-01-02T00:00:00Z".into()))
        );
        assert!(timestamp(Some("yesterday"), None, now).is_err());
        assert!(timestamp(None, Some("soon"), now).is_err());
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn reads_branch_and_commit_from_git_files() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), ".git/HEAD", "ref: refs/heads/main\n");
        write(
            t.path(),
            ".git/packed-refs",
            &format!("# pack\n{SHA} refs/heads/main\n"),
        );
        std::fs::create_dir_all(t.path().join("svc")).unwrap();
        let v = detect(&t.path().join("svc"), &|_| None).unwrap();
        assert_eq!(v.commit.as_deref(), Some(SHA));
        assert_eq!(v.branch.as_deref(), Some("main"));
        assert_eq!(v.source, "git");
    }

    #[test]
    fn worktree_gitdir_and_detached_head_with_ci_branch() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "repo/.git", "gitdir: ../meta/worktrees/wt\n");
        write(t.path(), "meta/worktrees/wt/HEAD", &format!("{SHA}\n"));
        let env = |k: &str| (k == "GITHUB_HEAD_REF").then(|| "feature/x".to_string());
        let v = detect(&t.path().join("repo"), &env).unwrap();
        assert_eq!(v.commit.as_deref(), Some(SHA));
        assert_eq!(v.branch.as_deref(), Some("feature/x"));
        assert_eq!(v.source, "git,GITHUB_HEAD_REF");
    }

    #[test]
    fn ci_variables_without_git() {
        let t = tempfile::tempdir().unwrap();
        let env = |k: &str| match k {
            "CI_COMMIT_SHA" => Some(SHA.to_string()),
            "CI_COMMIT_REF_NAME" => Some("main".to_string()),
            _ => None,
        };
        // A tempdir may sit inside a git checkout; only assert when it does not.
        if t.path().ancestors().any(|d| d.join(".git").exists()) {
            return;
        }
        let v = detect(t.path(), &env).unwrap();
        assert_eq!(v.commit.as_deref(), Some(SHA));
        assert_eq!(v.source, "CI_COMMIT_SHA,CI_COMMIT_REF_NAME");
        assert!(detect(t.path(), &|_| None).is_none());
    }
}
