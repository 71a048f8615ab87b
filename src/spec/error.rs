//! Errors a user can act on: every problem in an input, each with the file,
//! line and column where it is known, the offending source line with a caret,
//! the dotted path of the field, and what was expected.
//!
//! Problems are data collected in a list, so one run of `stacksim check`
//! reports all of them, not only the first.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    /// The whole source line, for the caret display.
    pub source_line: String,
}

impl Location {
    /// The location of byte offset `offset` in `text`.
    pub fn at_offset(file: &Path, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        Location {
            file: file.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: text[line_start..offset].chars().count() + 1,
            source_line: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
        }
    }
}

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file when no line is known (e.g. it cannot be read).
    pub file: Option<PathBuf>,
    pub location: Option<Box<Location>>,
    /// Dotted path of the field, e.g. `servers.web1.app.workers`; may be empty.
    pub path: String,
    pub message: String,
    /// Set when the offending value came from `--set` or a scenario.
    pub origin: Option<String>,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: None,
            location: None,
            path: path.into(),
            message: message.into(),
            origin: None,
        }
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        match (&self.location, &self.file) {
            (Some(l), _) => write!(f, "{}:{}:{}: ", l.file.display(), l.line, l.column)?,
            (None, Some(file)) => write!(f, "{}: ", file.display())?,
            (None, None) => {}
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(origin) = &self.origin {
            write!(f, " (value from {origin})")?;
        }
        if let Some(l) = &self.location {
            let gutter = l.line.to_string().len();
            let pad = " ".repeat(gutter);
            let caret_pad = " ".repeat(l.column.saturating_sub(1));
            write!(
                f,
                "\n{pad} |\n{} | {}\n{pad} | {caret_pad}^",
                l.line, l.source_line
            )?;
        }
        Ok(())
    }
}

/// Everything wrong with an input; never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub problems: Vec<Problem>,
}

impl SpecError {
    pub fn one(p: Problem) -> Self {
        SpecError { problems: vec![p] }
    }
}

impl From<Problem> for SpecError {
    fn from(p: Problem) -> Self {
        SpecError::one(p)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        if self.problems.len() > 1 {
            write!(f, "\n{} problems found", self.problems.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_column_and_caret() {
        let text = "a = 1\n[servers.web1]\nworkers = 0\n";
        let offset = text.find('0').unwrap();
        let mut p = Problem::new("servers.web1.workers", "must be at least 1, found 0");
        p.location = Some(Box::new(Location::at_offset(
            Path::new("m.toml"),
            text,
            offset,
        )));
        assert_eq!(
            p.to_string(),
            "error: m.toml:3:11: servers.web1.workers: must be at least 1, found 0\n  |\n3 | workers = 0\n  |           ^"
        );
    }

    #[test]
    fn counts_several_problems() {
        let e = SpecError {
            problems: vec![Problem::new("a", "x"), Problem::new("b", "y")],
        };
        assert_eq!(e.to_string(), "error: a: x\nerror: b: y\n2 problems found");
    }
}
