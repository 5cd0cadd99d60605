//! CircleCI pipelines (`.circleci/config.yml`), as the same jobs and steps as
//! GitHub and GitLab ([`super::ci`]).
//!
//! A CircleCI step is `checkout`, `run: cmd`, `run: {command, name}`, an orb
//! command (`codecov/upload`, `docker/build-and-push`) or a command defined
//! under the file's own `commands:`. Reusable commands are expanded into the
//! job that calls them, one level of `<< parameters.x >>` substituted with the
//! argument (or the parameter's default), so `cargo test` run through a
//! `run_with_coverage` command is seen where the job runs it. Orb commands
//! become steps that `uses` the orb command, with their arguments as inputs.
//! The steps of a `when:`/`unless:` block are read as the job's own.

use super::ci::{first_doc, with_inputs, CiFile, CiJob, CiStep, CiSystem};
use super::yaml::YNode;
use crate::diagnostics::Diagnostic;

/// How deep reusable commands calling reusable commands are followed.
const MAX_EXPANSION: usize = 4;

/// Most steps one job expands to: commands calling commands many times each
/// must not blow up a hostile config.
const MAX_STEPS: usize = 2_000;

/// Read a `.circleci/config.yml`.
pub fn read(path: &str, text: &str) -> Result<CiFile, Diagnostic> {
    let doc = first_doc(path, text)?;
    let commands = doc.get("commands");
    let mut jobs = Vec::new();
    for (name, job) in doc.get("jobs").map(|j| j.entries()).unwrap_or(&[]) {
        let mut steps = Vec::new();
        for step in job.get("steps").map(|s| s.items()).unwrap_or(&[]) {
            expand(step, commands, &[], 0, &mut steps);
        }
        jobs.push(CiJob {
            name: name.clone(),
            line: job.line,
            allow_failure: false,
            template: false,
            steps,
        });
    }
    Ok(CiFile {
        path: path.to_string(),
        system: CiSystem::Circleci,
        jobs,
    })
}

/// Push the steps `step` stands for: itself, or a reusable command's steps
/// with `args` substituted.
fn expand(
    step: &YNode,
    commands: Option<&YNode>,
    args: &[(String, String)],
    depth: usize,
    out: &mut Vec<CiStep>,
) {
    if out.len() >= MAX_STEPS {
        return;
    }
    let (key, body) = match step.as_str() {
        Some(s) => (s, None),
        None => match step.entries().first() {
            Some((k, v)) => (k.clone(), Some(v)),
            None => return,
        },
    };
    if key == "run" {
        let Some(body) = body else { return };
        let (name, command, line) = match body.as_str() {
            Some(cmd) => (None, Some(cmd), body.line),
            None => (
                body.get("name").and_then(|n| n.as_str()),
                body.get("command").and_then(|c| c.as_str()),
                body.get("command").map_or(body.line, |c| c.line),
            ),
        };
        out.push(CiStep {
            name,
            line,
            run: command.map(|c| substitute(&c, args)),
            uses: None,
            with: Vec::new(),
            allow_failure: false,
        });
        return;
    }
    // `when:`/`unless:` run their steps on a condition: they are the job's steps.
    if key == "when" || key == "unless" {
        for inner in body
            .and_then(|b| b.get("steps"))
            .map(|s| s.items())
            .unwrap_or(&[])
        {
            expand(inner, commands, args, depth + 1, out);
        }
        return;
    }
    let reusable = commands.and_then(|c| c.get(&key));
    match reusable {
        Some(def) if depth < MAX_EXPANSION => {
            let call_args = arguments(def, body, args);
            for inner in def.get("steps").map(|s| s.items()).unwrap_or(&[]) {
                let before = out.len();
                expand(inner, commands, &call_args, depth + 1, out);
                // Evidence points at the call in the job, where the command runs.
                for s in &mut out[before..] {
                    s.line = step.line;
                }
            }
        }
        _ => out.push(CiStep {
            name: None,
            line: step.line,
            run: None,
            uses: Some(key),
            with: with_inputs(body)
                .into_iter()
                .map(|(k, v)| (k, substitute(&v, args)))
                .collect(),
            allow_failure: false,
        }),
    }
}

/// The parameters a call to the reusable command `def` binds: its arguments,
/// else the parameters' defaults.
fn arguments(
    def: &YNode,
    call: Option<&YNode>,
    outer: &[(String, String)],
) -> Vec<(String, String)> {
    let given = with_inputs(call);
    def.get("parameters")
        .map(|p| p.entries())
        .unwrap_or(&[])
        .iter()
        .filter_map(|(name, spec)| {
            let value = given
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .or_else(|| spec.get("default").and_then(|d| d.as_str()))?;
            Some((name.clone(), substitute(&value, outer)))
        })
        .collect()
}

/// Replace `<< parameters.x >>` with x's value; other template text is kept.
fn substitute(text: &str, args: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<<") {
        let Some(len) = rest[start..].find(">>") else {
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        let value = inner
            .strip_prefix("parameters.")
            .and_then(|p| args.iter().find(|(k, _)| k == p.trim()));
        out.push_str(&rest[..start]);
        match value {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "version: 2.1
orbs:
  codecov: codecov/codecov@4
commands:
  with_coverage:
    parameters:
      cmd:
        type: string
      flags:
        type: string
        default: -Cinstrument-coverage
    steps:
      - run: |
          export RUSTFLAGS=\"<< parameters.flags >>\"
          << parameters.cmd >>
jobs:
  test:
    docker:
      - image: cimg/rust:1.80
    steps:
      - checkout
      - run: cargo fmt --check
      - with_coverage:
          cmd: cargo test --workspace
      - run:
          name: image
          command: docker build -t svc .
      - codecov/upload:
          file: lcov.info
      - when:
          condition: << pipeline.git.tag >>
          steps:
            - run: docker push svc
";

    #[test]
    fn jobs_steps_commands_and_orbs() {
        let ci = read(".circleci/config.yml", CONFIG).unwrap();
        assert_eq!(ci.system, CiSystem::Circleci);
        let job = &ci.jobs[0];
        assert_eq!(job.name, "test");
        let texts: Vec<String> = job.steps.iter().map(|s| s.text()).collect();
        assert_eq!(texts[0], "checkout\n");
        assert_eq!(texts[1], "cargo fmt --check");
        // The reusable command, expanded at its call with its arguments.
        assert!(texts[2].contains("cargo test --workspace"), "{texts:?}");
        assert!(texts[2].contains("RUSTFLAGS=\"-Cinstrument-coverage\""));
        assert_eq!(job.steps[2].line, 23);
        assert_eq!(job.steps[3].name.as_deref(), Some("image"));
        assert_eq!(job.steps[3].run.as_deref(), Some("docker build -t svc ."));
        assert_eq!(job.steps[3].line, 27);
        assert_eq!(job.steps[4].uses.as_deref(), Some("codecov/upload"));
        assert_eq!(job.steps[4].with, vec![("file".into(), "lcov.info".into())]);
        // A conditional step's steps are the job's.
        assert_eq!(job.steps[5].run.as_deref(), Some("docker push svc"));
        assert_eq!(job.steps[5].line, 33);
    }

    #[test]
    fn commands_fanning_out_are_capped() {
        let calls = "      - c\n".repeat(50);
        let text = format!(
            "version: 2.1\ncommands:\n  c:\n    steps:\n{calls}jobs:\n  j:\n    steps:\n{calls}"
        );
        let ci = read(".circleci/config.yml", &text).unwrap();
        assert!(ci.jobs[0].steps.len() <= MAX_STEPS);
    }

    #[test]
    fn a_command_calling_itself_stops() {
        let text = "version: 2.1\ncommands:\n  loop:\n    steps:\n      - loop\njobs:\n  j:\n    steps:\n      - loop\n";
        let ci = read(".circleci/config.yml", text).unwrap();
        assert_eq!(ci.jobs[0].steps.len(), 1);
        assert_eq!(ci.jobs[0].steps[0].uses.as_deref(), Some("loop"));
    }
}
