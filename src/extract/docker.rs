//! Dockerfiles and Containerfiles: stages and the instructions rules ask about.
//!
//! Parsed with `parse-dockerfile`, which understands heredocs and parser
//! directives and gives byte spans (turned into lines here). Every instruction is
//! kept as its keyword, line and argument text, plus the two facts rules need most:
//! whether a command is in exec form (signals reach the process) and the flags.

use crate::diagnostics::Diagnostic;
use crate::location::{LineIndex, Location};
use parse_dockerfile::{Command, HealthcheckArguments, Instruction, JsonOrStringArray, Source};
use serde::Serialize;

/// One Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct Dockerfile {
    pub path: String,
    pub stages: Vec<Stage>,
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<Instr>,
}

/// One build stage (`FROM … [AS name]` and what follows).
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub index: usize,
    pub name: Option<String>,
    /// The image reference as written (`rust:1.82-slim`, `${BASE}`, `builder`).
    pub image: String,
    pub line: u32,
    /// `--platform` and other flags on FROM.
    pub flags: Vec<(String, Option<String>)>,
    pub instructions: Vec<Instr>,
}

/// One instruction after FROM.
#[derive(Debug, Clone, Serialize)]
pub struct Instr {
    /// Upper-case keyword: `USER`, `EXPOSE`, `HEALTHCHECK`, `CMD`, …
    pub keyword: String,
    pub line: u32,
    /// Arguments as text (exec-form arrays joined with spaces).
    pub text: String,
    /// Exec (JSON array) form for CMD/ENTRYPOINT/RUN/HEALTHCHECK CMD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec_form: Option<bool>,
    pub flags: Vec<(String, Option<String>)>,
}

impl Dockerfile {
    /// The stage the image is built from: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }
}

impl Stage {
    /// Instructions with a keyword.
    pub fn find<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Instr> + 'a {
        self.instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }
}

/// Parse one Dockerfile.
pub fn extract(path: &str, text: &str) -> Result<Dockerfile, Diagnostic> {
    let df = parse_dockerfile::parse(text).map_err(|e| {
        Diagnostic::error(
            Location::new(path, e.line() as u32),
            "dockerfile",
            format!("Dockerfile does not parse: {e}; its facts are missing from this audit"),
        )
    })?;
    let idx = LineIndex::new(text);
    let mut out = Dockerfile {
        path: path.to_string(),
        stages: Vec::new(),
        global_args: Vec::new(),
    };
    for ins in &df.instructions {
        let from = if let Instruction::From(f) = ins {
            Some(f)
        } else {
            None
        };
        if let Some(from) = from {
            out.stages.push(Stage {
                index: out.stages.len(),
                name: from.as_.as_ref().map(|(_, n)| n.value.to_string()),
                image: from.image.value.to_string(),
                line: idx.line_of(from.from.span.start),
                flags: flags(&from.options),
                instructions: Vec::new(),
            });
            continue;
        }
        let instr = convert(ins, &idx);
        match out.stages.last_mut() {
            Some(stage) => stage.instructions.push(instr),
            None => out.global_args.push(instr),
        }
    }
    Ok(out)
}

fn flags(options: &[parse_dockerfile::Flag<'_>]) -> Vec<(String, Option<String>)> {
    options
        .iter()
        .map(|f| {
            (
                f.name.value.to_string(),
                f.value.as_ref().map(|v| v.value.to_string()),
            )
        })
        .collect()
}

fn command_text(cmd: &Command<'_>) -> (String, bool) {
    match cmd {
        Command::Exec(args) => (
            args.value
                .iter()
                .map(|a| a.value.as_ref())
                .collect::<Vec<_>>()
                .join(" "),
            true,
        ),
        Command::Shell(s) => (s.value.to_string(), false),
        _ => (String::new(), false),
    }
}

fn convert(ins: &Instruction<'_>, idx: &LineIndex) -> Instr {
    let mut exec_form = None;
    let mut fl = Vec::new();
    let (keyword, start, text) = match ins {
        Instruction::Add(i) => {
            fl = flags(&i.options);
            ("ADD", i.add.span.start, sources(&i.src, &i.dest.value))
        }
        Instruction::Arg(i) => ("ARG", i.arg.span.start, i.arguments.value.to_string()),
        Instruction::Cmd(i) => {
            let (t, e) = command_text(&i.arguments);
            exec_form = Some(e);
            ("CMD", i.cmd.span.start, t)
        }
        Instruction::Copy(i) => {
            fl = flags(&i.options);
            ("COPY", i.copy.span.start, sources(&i.src, &i.dest.value))
        }
        Instruction::Entrypoint(i) => {
            let (t, e) = command_text(&i.arguments);
            exec_form = Some(e);
            ("ENTRYPOINT", i.entrypoint.span.start, t)
        }
        Instruction::Env(i) => ("ENV", i.env.span.start, i.arguments.value.to_string()),
        Instruction::Expose(i) => (
            "EXPOSE",
            i.expose.span.start,
            i.arguments
                .iter()
                .map(|a| a.value.as_ref())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Instruction::From(i) => ("FROM", i.from.span.start, i.image.value.to_string()),
        Instruction::Healthcheck(i) => {
            fl = flags(&i.options);
            let text = match &i.arguments {
                HealthcheckArguments::Cmd { arguments, .. } => {
                    let (t, e) = command_text(arguments);
                    exec_form = Some(e);
                    t
                }
                HealthcheckArguments::None { .. } => "NONE".to_string(),
                _ => String::new(),
            };
            ("HEALTHCHECK", i.healthcheck.span.start, text)
        }
        Instruction::Label(i) => ("LABEL", i.label.span.start, i.arguments.value.to_string()),
        Instruction::Maintainer(i) => (
            "MAINTAINER",
            i.maintainer.span.start,
            i.name.value.to_string(),
        ),
        Instruction::Onbuild(i) => {
            let inner = convert(&i.instruction, idx);
            (
                "ONBUILD",
                i.onbuild.span.start,
                format!("{} {}", inner.keyword, inner.text),
            )
        }
        Instruction::Run(i) => {
            fl = flags(&i.options);
            let (mut t, e) = command_text(&i.arguments);
            for doc in &i.here_docs {
                t.push('\n');
                t.push_str(&doc.value);
            }
            exec_form = Some(e);
            ("RUN", i.run.span.start, t)
        }
        Instruction::Shell(i) => (
            "SHELL",
            i.shell.span.start,
            i.arguments
                .iter()
                .map(|a| a.value.as_ref())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Instruction::Stopsignal(i) => (
            "STOPSIGNAL",
            i.stopsignal.span.start,
            i.arguments.value.to_string(),
        ),
        Instruction::User(i) => ("USER", i.user.span.start, i.arguments.value.to_string()),
        Instruction::Volume(i) => (
            "VOLUME",
            i.volume.span.start,
            match &i.arguments {
                JsonOrStringArray::Json(a) => a
                    .value
                    .iter()
                    .map(|s| s.value.as_ref())
                    .collect::<Vec<_>>()
                    .join(" "),
                JsonOrStringArray::String(a) => a
                    .iter()
                    .map(|s| s.value.as_ref())
                    .collect::<Vec<_>>()
                    .join(" "),
            },
        ),
        Instruction::Workdir(i) => (
            "WORKDIR",
            i.workdir.span.start,
            i.arguments.value.to_string(),
        ),
        _ => ("UNKNOWN", 0, String::new()),
    };
    Instr {
        keyword: keyword.to_string(),
        line: idx.line_of(start),
        text,
        exec_form,
        flags: fl,
    }
}

fn sources(src: &[Source<'_>], dest: &str) -> String {
    let mut parts: Vec<String> = src
        .iter()
        .map(|s| match s {
            Source::Path(p) => p.value.to_string(),
            Source::HereDoc(h) => h.value.to_string(),
            _ => String::new(),
        })
        .collect();
    parts.push(dest.to_string());
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_instructions_with_lines() {
        let text = "FROM rust:1.82 AS build\nRUN cargo build --release\n\nFROM gcr.io/distroless/cc\nCOPY --from=build /app/target/release/svc /svc\nUSER nonroot\nEXPOSE 8080\nHEALTHCHECK --interval=30s CMD [\"/svc\", \"health\"]\nENTRYPOINT [\"/svc\"]\n";
        let df = extract("Dockerfile", text).unwrap();
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        let fin = df.final_stage().unwrap();
        assert_eq!(fin.image, "gcr.io/distroless/cc");
        assert_eq!(fin.line, 4);
        let user = fin.find("USER").next().unwrap();
        assert_eq!((user.line, user.text.as_str()), (6, "nonroot"));
        let hc = fin.find("HEALTHCHECK").next().unwrap();
        assert_eq!(hc.exec_form, Some(true));
        assert_eq!(hc.flags[0].0, "interval");
        assert_eq!(fin.find("ENTRYPOINT").next().unwrap().exec_form, Some(true));
        let copy = fin.find("COPY").next().unwrap();
        assert_eq!(
            copy.flags[0],
            ("from".to_string(), Some("build".to_string()))
        );
    }

    #[test]
    fn healthcheck_none_is_kept() {
        let df = extract("Dockerfile", "FROM alpine:3\nHEALTHCHECK NONE\n").unwrap();
        assert_eq!(
            df.stages[0].find("HEALTHCHECK").next().unwrap().text,
            "NONE"
        );
    }

    #[test]
    fn garbage_is_a_diagnostic() {
        let err = extract("Dockerfile", "RUN echo hi\n").unwrap_err();
        assert!(err.message.contains("does not parse"));
    }
}
