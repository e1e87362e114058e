//! Command templates — `--launch`, `--copy`, an external system's `command` — run by `/bin/sh`
//! with their `{placeholders}` filled so that no value is ever parsed as shell text.
//!
//! A value is never pasted into the template. Each placeholder becomes a reference to an
//! environment variable the shell is given (`{graph}` → `"$COSTGRAPH_GRAPH"`, or `$COSTGRAPH_GRAPH`
//! inside double quotes), so a file named `$(touch X).cgr` is a file name, not a command: the
//! shell expands a variable once and does not read its value as code. A placeholder inside single
//! quotes, where the shell would not expand it, is refused when the template is read. The one
//! placeholder that stands for several words, [`COMMAND`] (a costgraph command line), is expanded
//! unquoted so the shell splits it into its words; costgraph builds that command from plain words
//! only (checked by [`plain_word`]), so the split gives back exactly those words, on this machine
//! and again on the far side of an ssh connection.

use std::process::Command;

use crate::{Error, Result};

/// A placeholder a template may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// Its name, written `{name}` in a template.
    pub name: &'static str,
    /// True when it stands for several words (split by the shell), false for one value.
    pub words: bool,
}

/// `{command}`: a costgraph command line of plain words.
pub const COMMAND: Placeholder = Placeholder { name: "command", words: true };

/// A one-word placeholder called `name`.
pub const fn value(name: &'static str) -> Placeholder {
    Placeholder { name, words: false }
}

/// A template read and checked: the shell script it becomes, and the placeholders it uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// What the user wrote.
    pub text: String,
    /// The script `/bin/sh -c` runs: every placeholder replaced by its variable.
    script: String,
    /// The placeholders the template uses.
    used: Vec<Placeholder>,
}

/// Where a placeholder stands in the shell's quoting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    None,
    Single,
    Double,
}

/// The environment variable that carries placeholder `name`.
fn variable(name: &str) -> String {
    format!("COSTGRAPH_{}", name.to_ascii_uppercase())
}

impl Template {
    /// Reads `text` for a template that may use `allowed` and must use `required`. `what` names
    /// the template in errors (`--launch`).
    pub fn parse(text: &str, allowed: &[Placeholder], required: &[&str], what: &str) -> Result<Template> {
        let bad = |msg: String| Error::invalid(format!("{what} {text:?}: {msg}"));
        let mut script = String::with_capacity(text.len() + 32);
        let mut used: Vec<Placeholder> = Vec::new();
        let mut quoting = Quoting::None;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match (quoting, c) {
                (Quoting::None | Quoting::Double, '\\') => {
                    script.push(c);
                    if let Some((_, next)) = chars.next() {
                        script.push(next);
                    }
                    continue;
                }
                (Quoting::None, '\'') => quoting = Quoting::Single,
                (Quoting::Single, '\'') => quoting = Quoting::None,
                (Quoting::None, '"') => quoting = Quoting::Double,
                (Quoting::Double, '"') => quoting = Quoting::None,
                (_, '{') => {
                    let rest = &text[i + 1..];
                    let name_end =
                        rest.find('}').filter(|&end| rest[..end].chars().all(|ch| ch.is_ascii_lowercase()) && end > 0);
                    if let Some(end) = name_end {
                        let name = &rest[..end];
                        let known = allowed.iter().find(|p| p.name == name);
                        if known.is_none() && quoting == Quoting::Single {
                            // Literal text for the shell (an awk program's `{print}`).
                            script.push(c);
                            continue;
                        }
                        let Some(&placeholder) = known else {
                            let names: Vec<String> = allowed.iter().map(|p| format!("{{{}}}", p.name)).collect();
                            return Err(bad(format!(
                                "unknown placeholder {{{name}}} (it may use {})",
                                names.join(", ")
                            )));
                        };
                        let var = variable(name);
                        match (quoting, placeholder.words) {
                            (Quoting::Single, _) => {
                                return Err(bad(format!(
                                    "{{{name}}} is inside single quotes, where the shell would not fill it in; \
                                     leave it unquoted or in double quotes"
                                )));
                            }
                            (Quoting::Double, true) => {
                                return Err(bad(format!(
                                    "{{{name}}} stands for several words: leave it out of quotes"
                                )));
                            }
                            (Quoting::Double, false) => script.push_str(&format!("${{{var}}}")),
                            (Quoting::None, false) => script.push_str(&format!("\"${{{var}}}\"")),
                            (Quoting::None, true) => script.push_str(&format!("${{{var}}}")),
                        }
                        if !used.contains(&placeholder) {
                            used.push(placeholder);
                        }
                        for _ in 0..=end {
                            chars.next();
                        }
                        continue;
                    }
                }
                _ => {}
            }
            script.push(c);
        }
        if quoting != Quoting::None {
            return Err(bad("a quote is not closed".into()));
        }
        if let Some(missing) = required.iter().find(|r| !used.iter().any(|p| p.name == **r)) {
            return Err(bad(format!("it must contain {{{missing}}}")));
        }
        Ok(Template { text: text.to_string(), script, used })
    }

    /// Whether the template uses placeholder `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.used.iter().any(|p| p.name == name)
    }

    /// The command that runs the template with `values` (placeholder name, value): `/bin/sh -c
    /// SCRIPT` with each value in its variable. A several-word value must be plain words
    /// ([`plain_word`]); a value the template does not use is not passed.
    pub fn command(&self, values: &[(&str, &str)]) -> Result<Command> {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(&self.script).arg("costgraph-template");
        for p in &self.used {
            let value = values
                .iter()
                .find(|(name, _)| *name == p.name)
                .map(|(_, v)| *v)
                .ok_or_else(|| Error::invalid(format!("no value for {{{}}} in {:?}", p.name, self.text)))?;
            if p.words
                && let Some(word) = value.split(' ').find(|w| !plain_word(w))
            {
                return Err(Error::invalid(format!(
                    "{{{}}} would hold {word:?}, which a shell would not read back as it is: use paths of \
                     letters, digits and - _ . / : @ + , =",
                    p.name
                )));
            }
            command.env(variable(p.name), value);
        }
        Ok(command)
    }

    /// The template as it would run with `values`, for reports: placeholders replaced by the
    /// values as a shell would need them quoted.
    pub fn display(&self, values: &[(&str, &str)]) -> String {
        let mut out = self.text.clone();
        for (name, value) in values {
            let shown = if *name == COMMAND.name { value.to_string() } else { shell_quote(value) };
            out = out.replace(&format!("{{{name}}}"), &shown);
        }
        out
    }
}

/// True when `word` reads back as itself from a shell: not empty, and only letters, digits and
/// `- _ . / : @ + , =`.
pub fn plain_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@+,=".contains(c))
}

/// `arg` quoted for a POSIX shell where needed (for showing commands to people).
pub fn shell_quote(arg: &str) -> String {
    if plain_word(arg) { arg.to_string() } else { format!("'{}'", arg.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: [Placeholder; 3] = [value("host"), value("graph"), COMMAND];

    fn run(t: &Template, values: &[(&str, &str)]) -> String {
        let out = t.command(values).unwrap().output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    #[cfg(unix)]
    fn values_are_never_shell_text() {
        let dir = tempfile::tempdir().unwrap();
        let evil = dir.path().join("$(touch X).cgr; touch Y");
        let evil = evil.to_str().unwrap();
        for text in ["printf '%s\\n' {graph}", "printf '%s\\n' \"{graph}\"", "x={graph}; printf '%s\\n' \"$x\""] {
            let t = Template::parse(text, &ALLOWED, &["graph"], "--external").unwrap();
            assert_eq!(run(&t, &[("graph", evil)]), format!("{evil}\n"), "{text}");
        }
        assert!(!dir.path().join("X").exists() && !std::path::Path::new("Y").exists());
        let words = Template::parse("printf '<%s>' {command}", &ALLOWED, &[], "--launch").unwrap();
        assert_eq!(run(&words, &[("command", "/bin/costgraph launched")]), "</bin/costgraph><launched>");
        assert!(words.command(&[("command", "/bin/cost$graph launched")]).is_err(), "not plain words");
    }

    #[test]
    fn templates_are_checked_when_read() {
        let err = |text: &str| Template::parse(text, &ALLOWED, &["host"], "--launch").unwrap_err().to_string();
        assert!(err("ssh '{host}' x").contains("inside single quotes"));
        assert!(err("ssh {host} \"{command}\"").contains("several words"));
        assert!(err("ssh {hots}").contains("unknown placeholder {hots}"));
        assert!(err("ssh x").contains("must contain {host}"));
        assert!(err("ssh {host} 'x").contains("not closed"));
        let t = Template::parse("ssh -o BatchMode=yes {host} {command} 2>&1 | awk '{print}'", &ALLOWED, &["host"], "x")
            .unwrap();
        assert!(t.uses("command") && !t.uses("graph"));
        assert_eq!(
            t.display(&[("host", "m 1"), ("command", "cg launched")]),
            "ssh -o BatchMode=yes 'm 1' cg launched 2>&1 | awk '{print}'"
        );
    }
}
