//! CI pipelines: GitHub Actions workflows and GitLab CI jobs, as jobs and steps
//! (CircleCI in [`super::circleci`]).
//!
//! Each step keeps its command text (`run:` / `script:`), the action it uses and
//! the action's inputs (`with:`), and its line, so a rule can say "coverage runs
//! in `.github/workflows/ci.yml:42`". Whether a failing step fails the job
//! (`continue-on-error`, `allow_failure`) is kept too: a step that may fail
//! gates nothing.

use super::yaml::{self, YNode};
use crate::diagnostics::Diagnostic;
use crate::location::Location;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CiSystem {
    Github,
    Gitlab,
    Circleci,
}

/// One CI configuration file.
#[derive(Debug, Clone, Serialize)]
pub struct CiFile {
    pub path: String,
    pub system: CiSystem,
    pub jobs: Vec<CiJob>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CiJob {
    pub name: String,
    pub line: u32,
    /// The job may fail without failing the pipeline.
    pub allow_failure: bool,
    /// A GitLab template job (name starts with `.`) or a job that only runs by hand.
    pub template: bool,
    pub steps: Vec<CiStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CiStep {
    pub name: Option<String>,
    pub line: u32,
    /// Shell command text.
    pub run: Option<String>,
    /// A GitHub action (`taiki-e/install-action@v2`) or reusable workflow.
    pub uses: Option<String>,
    /// The action's inputs.
    pub with: Vec<(String, String)>,
    pub allow_failure: bool,
}

impl CiStep {
    /// Everything the step says, for pattern matching: command, action and inputs.
    pub fn text(&self) -> String {
        let mut t = String::new();
        if let Some(u) = &self.uses {
            t.push_str(u);
            t.push('\n');
        }
        for (k, v) in &self.with {
            t.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(r) = &self.run {
            t.push_str(r);
        }
        t
    }
}

/// Read a GitHub Actions workflow.
pub fn github(path: &str, text: &str) -> Result<CiFile, Diagnostic> {
    let doc = first_doc(path, text)?;
    let mut jobs = Vec::new();
    if let Some(js) = doc.get("jobs") {
        for (id, job) in js.entries() {
            let mut steps = Vec::new();
            if let Some(uses) = job.get("uses").and_then(|u| u.as_str()) {
                steps.push(CiStep {
                    name: None,
                    line: job.get("uses").map(|u| u.line).unwrap_or(job.line),
                    run: None,
                    uses: Some(uses),
                    with: with_inputs(job.get("with")),
                    allow_failure: false,
                });
            }
            for step in job.get("steps").map(|s| s.items()).unwrap_or(&[]) {
                steps.push(CiStep {
                    name: step.get("name").and_then(|n| n.as_str()),
                    line: step.line,
                    run: step.get("run").and_then(|r| r.as_str()),
                    uses: step.get("uses").and_then(|u| u.as_str()),
                    with: with_inputs(step.get("with")),
                    allow_failure: truthy(step.get("continue-on-error")),
                });
            }
            jobs.push(CiJob {
                name: job
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or_else(|| id.clone()),
                line: job.line,
                allow_failure: truthy(job.get("continue-on-error")),
                template: false,
                steps,
            });
        }
    }
    Ok(CiFile {
        path: path.to_string(),
        system: CiSystem::Github,
        jobs,
    })
}

/// GitLab CI keys that are not jobs.
const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages",
];

/// Read a `.gitlab-ci.yml`.
pub fn gitlab(path: &str, text: &str) -> Result<CiFile, Diagnostic> {
    let doc = first_doc(path, text)?;
    let mut jobs = Vec::new();
    let global_before = doc.get("before_script").and_then(|s| s.as_text());
    for (name, job) in doc.entries() {
        let not_a_job = GITLAB_RESERVED.contains(&name.as_str())
            || (job.get("script").is_none()
                && job.get("extends").is_none()
                && job.get("trigger").is_none());
        if not_a_job && name != "pages" {
            continue;
        }
        let mut steps = Vec::new();
        for key in ["before_script", "script", "after_script"] {
            if let Some(s) = job.get(key) {
                steps.push(CiStep {
                    name: Some(key.to_string()),
                    line: s.line,
                    run: s.as_text(),
                    uses: None,
                    with: Vec::new(),
                    allow_failure: false,
                });
            }
        }
        if job.get("before_script").is_none() {
            if let Some(b) = &global_before {
                steps.insert(
                    0,
                    CiStep {
                        name: Some("before_script".into()),
                        line: doc.get("before_script").map(|n| n.line).unwrap_or(job.line),
                        run: Some(b.clone()),
                        uses: None,
                        with: Vec::new(),
                        allow_failure: false,
                    },
                );
            }
        }
        if let Some(img) = job.get("image").and_then(|i| {
            i.as_str()
                .or_else(|| i.get("name").and_then(|n| n.as_str()))
        }) {
            steps.push(CiStep {
                name: Some("image".into()),
                line: job.get("image").map(|n| n.line).unwrap_or(job.line),
                run: None,
                uses: Some(img),
                with: Vec::new(),
                allow_failure: false,
            });
        }
        let manual = job
            .get("when")
            .and_then(|w| w.as_str())
            .is_some_and(|w| w == "manual");
        jobs.push(CiJob {
            name: name.clone(),
            line: job.line,
            allow_failure: truthy(job.get("allow_failure")),
            template: name.starts_with('.') || manual,
            steps,
        });
    }
    Ok(CiFile {
        path: path.to_string(),
        system: CiSystem::Gitlab,
        jobs,
    })
}

pub(super) fn first_doc(path: &str, text: &str) -> Result<YNode, Diagnostic> {
    let mut docs = yaml::load_marked(text).map_err(|e| {
        Diagnostic::error(
            Location::new(path, e.line.unwrap_or(0)),
            "ci",
            format!(
                "CI file could not be read: {}; its jobs are missing from this audit",
                e.message
            ),
        )
    })?;
    if docs.is_empty() {
        return Ok(YNode {
            line: 1,
            val: yaml::YVal::Null,
        });
    }
    Ok(docs.swap_remove(0))
}

pub(super) fn with_inputs(node: Option<&YNode>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?)))
            .collect()
    })
    .unwrap_or_default()
}

fn truthy(node: Option<&YNode>) -> bool {
    match node.map(|n| &n.val) {
        Some(yaml::YVal::Bool(b)) => *b,
        Some(yaml::YVal::Str(s)) => s == "true",
        Some(yaml::YVal::Map(_)) => true, // `allow_failure: { exit_codes: .. }`
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_steps_with_lines_and_inputs() {
        let text = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: taiki-e/install-action@v2\n        with:\n          tool: cargo-llvm-cov\n      - name: Coverage\n        run: cargo llvm-cov --fail-under-lines 80\n        continue-on-error: true\n";
        let ci = github(".github/workflows/ci.yml", text).unwrap();
        let job = &ci.jobs[0];
        assert_eq!(job.name, "test");
        assert_eq!(job.steps.len(), 3);
        assert_eq!(
            job.steps[1].with,
            vec![("tool".into(), "cargo-llvm-cov".into())]
        );
        assert_eq!(job.steps[2].line, 10);
        assert!(job.steps[2].allow_failure);
    }

    #[test]
    fn gitlab_jobs_and_scripts() {
        let text = "stages: [test]\nbefore_script:\n  - rustup component add clippy\ntest:\n  stage: test\n  script:\n    - cargo test --all\n.tmpl:\n  script: echo\n";
        let ci = gitlab(".gitlab-ci.yml", text).unwrap();
        let test = ci.jobs.iter().find(|j| j.name == "test").unwrap();
        assert!(test
            .steps
            .iter()
            .any(|s| s.run.as_deref() == Some("cargo test --all")));
        assert!(ci.jobs.iter().find(|j| j.name == ".tmpl").unwrap().template);
    }
}
