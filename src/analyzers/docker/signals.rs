//! `docker.graceful-shutdown`: the stop signal reaches the server, and the
//! server listens for it.
//!
//! The container's PID 1 receives the stop signal (SIGTERM, or `STOPSIGNAL`).
//! It reaches the server when `ENTRYPOINT`/`CMD` are in exec form (JSON
//! array), through an init (`tini`, `dumb-init`), or through a wrapper that
//! `exec`s the server (`sh -c "exec /app"`, an entrypoint script ending in
//! `exec "$@"`). Shell form (`CMD /app --flag`) runs `/bin/sh -c`, which does
//! not forward signals: the server is killed after the grace period with its
//! requests in flight. `cargo run` as the command also compiles at start.
//!
//! Joined with the code (`svc.graceful-shutdown`): a server that stops
//! gracefully only on Ctrl-C (SIGINT) ignores the SIGTERM `docker stop` and
//! Kubernetes send unless `STOPSIGNAL SIGINT` (or compose `stop_signal`) says
//! otherwise.
//!
//! pass: the signal reaches a server that handles it · partial: an entrypoint
//! script that may not exec, or a signal the server does not handle · fail:
//! shell form, or `sh -c` without exec · n/a: no Dockerfile.

use super::{app_containers, image};
use crate::analyzers::svc::shutdown;
use crate::analyzers::tally::Tally;
use crate::extract::docker::{Dockerfile, Instr, Stage};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const INITS: &[&str] = &[
    "tini",
    "dumb-init",
    "catatonit",
    "docker-init",
    "s6-svscan",
    "init",
    "runit",
    "supervisord",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let server = shutdown(facts);
    let compose_signal = app_containers(facts).into_iter().find_map(|(w, _)| {
        w.stop_signal
            .as_ref()
            .map(|s| (s.value.clone(), Location::new(w.path.clone(), s.line)))
    });
    let mut t = Tally::default();
    for d in &judged.files {
        for s in image::runtime_stages(d) {
            judge_command(facts, d, s, &mut t);
            // STOPSIGNAL ↔ the server's handler.
            let (signal, at) = match (&compose_signal, image::inherited(d, s, "STOPSIGNAL")) {
                (Some((sig, loc)), _) => (normal_signal(sig), loc.clone()),
                (None, Some((_, i))) => (
                    normal_signal(&i.text),
                    Location::new(d.path.clone(), i.line),
                ),
                (None, None) => ("SIGTERM".to_string(), image::stage_loc(d, s)),
            };
            let handled = match signal.as_str() {
                "SIGTERM" => server.handles_sigterm(),
                "SIGINT" => server.handles_sigint(),
                _ => false,
            };
            if !server.any() {
                t.note(at, format!("{signal} is sent on stop; the server sets up no shutdown handling (see svc.graceful-shutdown)"));
            } else if handled {
                t.note(
                    at,
                    format!("stop signal {signal} is one the server handles"),
                );
            } else if signal == "SIGTERM" && server.handles_sigint() {
                t.half(
                    at,
                    "the container is stopped with SIGTERM, but the server drains only on Ctrl-C (SIGINT): handle SIGTERM or set `STOPSIGNAL SIGINT`",
                );
                for h in server.sigint.iter().take(2) {
                    t.note(h.location.clone(), format!("server listens for {}", h.what));
                }
            } else {
                t.half(
                    at,
                    format!(
                        "the container is stopped with {signal}, which the server does not handle"
                    ),
                );
            }
        }
    }
    t.outcome("exec-form ENTRYPOINT/CMD (or tini/dumb-init) so the stop signal reaches the server, and a stop signal the server handles")
}

fn normal_signal(s: &str) -> String {
    let u = s.trim().to_ascii_uppercase();
    match u.as_str() {
        "15" | "TERM" => "SIGTERM".into(),
        "2" | "INT" => "SIGINT".into(),
        "3" | "QUIT" => "SIGQUIT".into(),
        _ if u.starts_with("SIG") => u,
        _ => format!("SIG{u}"),
    }
}

/// Grade how PID 1 is started in a runtime stage.
fn judge_command(facts: &Facts, d: &Dockerfile, s: &Stage, t: &mut Tally) {
    let entry = image::inherited(d, s, "ENTRYPOINT").map(|(_, i)| i);
    let cmd = image::inherited(d, s, "CMD").map(|(_, i)| i);
    let label = image::stage_label(d, s);
    let Some(first) = entry.or(cmd) else {
        t.half(
            image::stage_loc(d, s),
            format!("{label} sets no ENTRYPOINT or CMD: the base image's command runs"),
        );
        return;
    };
    judge_instr(facts, d, first, &label, t);
    if entry.is_some() {
        if let Some(c) = cmd {
            if c.exec_form == Some(false) && entry.and_then(|e| e.exec_form) == Some(false) {
                t.note(
                    Location::new(d.path.clone(), c.line),
                    "CMD is ignored after a shell-form ENTRYPOINT",
                );
            }
        }
    }
}

fn judge_instr(facts: &Facts, d: &Dockerfile, i: &Instr, label: &str, t: &mut Tally) {
    let at = Location::new(d.path.clone(), i.line);
    let text = i.text.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    let prog = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or("");
    if words.windows(2).any(|w| w[0] == "cargo" && w[1] == "run") {
        t.bad(at.clone(), format!("{label} starts with `cargo run`: it compiles at start-up and the stop signal goes to cargo"));
        return;
    }
    if i.exec_form != Some(true) {
        if text.starts_with("exec ") {
            t.good(
                at,
                format!(
                    "{} `{}` execs the server, so it receives the stop signal",
                    i.keyword,
                    clip(text)
                ),
            );
        } else {
            t.bad(
                at,
                format!("shell-form {} `{}` runs under /bin/sh -c, which does not forward SIGTERM to the server", i.keyword, clip(text)),
            );
        }
        return;
    }
    if INITS.contains(&prog) {
        t.good(
            at,
            format!(
                "{} runs `{prog}`, which forwards signals to the server",
                i.keyword
            ),
        );
        return;
    }
    if matches!(prog, "sh" | "bash" | "ash" | "dash") && words.get(1) == Some(&"-c") {
        let script = words[2..].join(" ");
        if script.starts_with("exec ") || script.contains("&& exec ") || script.contains("; exec ")
        {
            t.good(
                at,
                format!("{} `{}` execs the server", i.keyword, clip(text)),
            );
        } else {
            t.bad(
                at,
                format!("{} `{}` runs the server under a shell that does not forward SIGTERM: prefix the command with `exec`", i.keyword, clip(text)),
            );
        }
        return;
    }
    if prog.ends_with(".sh") || prog.contains("entrypoint") {
        match script_text(facts, d, words[0]) {
            Some((path, text)) if execs(&text) => t.good(at, format!("entrypoint script {path} `exec`s the server")),
            Some((path, _)) => t.half(
                at,
                format!("entrypoint script {path} does not `exec` the server: the shell stays PID 1 and may not forward SIGTERM"),
            ),
            None if execs(&inline_script(d, words[0])) => t.good(at, format!("entrypoint script {} (written in the Dockerfile) `exec`s the server", words[0])),
            None => t.half(at, format!("entrypoint script {} was not found in the repository: whether it `exec`s the server is unknown", words[0])),
        }
        return;
    }
    t.good(
        at,
        format!(
            "exec-form {}: the server is PID 1 and receives the stop signal",
            i.keyword
        ),
    );
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Whether a shell script hands PID 1 to the server.
fn execs(text: &str) -> bool {
    text.lines().map(str::trim).any(|l| {
        !l.starts_with('#')
            && (l.starts_with("exec ") || l.contains(" exec ") || l.starts_with("exec\t"))
    })
}

/// The script an ENTRYPOINT runs, found by the file `COPY`ed to that path.
fn script_text(facts: &Facts, d: &Dockerfile, target: &str) -> Option<(String, String)> {
    let name = target.rsplit('/').next()?;
    // The COPY source that lands at `target`, else any file of that name.
    let mut sources: Vec<String> = d
        .stages
        .iter()
        .flat_map(|s| s.find("COPY").chain(s.find("ADD")))
        .filter(|i| !i.flags.iter().any(|(k, _)| k == "from"))
        .filter_map(|i| {
            let words: Vec<&str> = i.text.split_whitespace().collect();
            let (dest, srcs) = words.split_last()?;
            (dest == &target || dest.ends_with('/') && target.starts_with(dest)).then(|| {
                srcs.iter()
                    .map(|s| s.trim_start_matches("./").to_string())
                    .collect::<Vec<_>>()
            })
        })
        .flatten()
        .collect();
    sources.push(name.to_string());
    for src in sources {
        if let Some(t) = facts
            .texts
            .iter()
            .find(|t| t.path == src || t.path.ends_with(&format!("/{src}")))
        {
            return Some((t.path.clone(), t.text.clone()));
        }
    }
    None
}

/// A script written by a `RUN echo '…' > /path` in the Dockerfile.
fn inline_script(d: &Dockerfile, target: &str) -> String {
    d.stages
        .iter()
        .flat_map(|s| s.find("RUN"))
        .filter(|i| {
            i.text.contains(&format!("> {target}")) || i.text.contains(&format!(">{target}"))
        })
        .map(|i| i.text.replace("\\n", "\n"))
        .collect::<Vec<_>>()
        .join("\n")
}
