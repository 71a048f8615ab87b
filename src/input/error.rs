//! Errors a user can act on: every problem in an input, each with the file,
//! line and column where it is known, the offending source line with a caret,
//! the dotted path of the field, and what was expected.
//!
//! Problems are data collected in a list, so one run of `stacksim check`
//! reports all of them, not only the first.

use std::borrow::Cow;
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
        let file = |p: &Path| clip_start(&p.display().to_string(), FILE_MAX).into_owned();
        match (&self.location, &self.file) {
            (Some(l), _) => write!(f, "{}:{}:{}: ", file(&l.file), l.line, l.column)?,
            (None, Some(p)) => write!(f, "{}: ", file(p))?,
            (None, None) => {}
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", clip_path(&self.path))?;
        }
        write!(f, "{}", clip_message(&self.message, MESSAGE_MAX))?;
        if let Some(origin) = &self.origin {
            write!(f, " (value from {})", clip_message(origin, ORIGIN_MAX))?;
        }
        if let Some(l) = &self.location {
            let (excerpt, column) = excerpt(&l.source_line, l.column);
            let gutter = l.line.to_string().len();
            let pad = " ".repeat(gutter);
            let caret_pad = " ".repeat(column.saturating_sub(1));
            write!(f, "\n{pad} |\n{} | {excerpt}\n{pad} | {caret_pad}^", l.line)?;
        }
        Ok(())
    }
}

/// The most characters shown of an echoed value, a source line, a path
/// part; of a file name (its end is kept); of a whole message and of an
/// origin. Together they keep one problem under about 1 KB, whatever the input.
pub const VALUE_MAX: usize = 120;
const WORD_MAX: usize = VALUE_MAX + 40;
const PART_MAX: usize = 40;
const FILE_MAX: usize = 100;
const PATH_MAX: usize = 120;
const MESSAGE_MAX: usize = 480;
const ORIGIN_MAX: usize = 160;
/// The most problems listed by one error; the count covers them all.
const PROBLEMS_SHOWN: usize = 10;

/// `s` cut to at most `max` characters, the last being `…` when cut.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let keep = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &s[..keep]))
        }
    }
}

/// `s` cut to at most `max` characters from its start (`…` first): for
/// file names, whose end says the most.
fn clip_start(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    let from = s.char_indices().nth(n - (max - 1)).map_or(0, |(i, _)| i);
    Cow::Owned(format!("…{}", &s[from..]))
}

/// A dotted path with each part, then the whole, clipped (keeping its end).
fn clip_path(path: &str) -> String {
    let parts: Vec<Cow<'_, str>> = path.split('.').map(|p| clip(p, PART_MAX)).collect();
    clip_start(&parts.join("."), PATH_MAX).into_owned()
}

/// A message with every quoted value (in `` ` `` or `"`) longer than
/// [`VALUE_MAX`], and every long unbroken word, clipped; then the whole cut
/// to `max` characters.
pub fn clip_message(message: &str, max: usize) -> String {
    let mut out = String::with_capacity(message.len().min(4 * max));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..open + 1];
        out.push_str(&clip_words(&rest[..=open]));
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(&clip(&after[..close], VALUE_MAX));
                out.push_str(quote);
                rest = &after[close + 1..];
            }
            None => rest = after,
        }
    }
    out.push_str(&clip_words(rest));
    clip(&out, max).into_owned()
}

/// `text` with every run of non-space characters longer than `WORD_MAX` clipped.
fn clip_words(text: &str) -> Cow<'_, str> {
    if !text.split_whitespace().any(|w| w.len() > WORD_MAX) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut word_start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_whitespace(), word_start) {
            (false, None) => word_start = Some(i),
            (true, Some(start)) => {
                out.push_str(&clip(&text[start..i], WORD_MAX));
                word_start = None;
            }
            _ => {}
        }
        if c.is_whitespace() && i < text.len() {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most [`VALUE_MAX`] characters of `line` around 1-based `column`, and
/// the caret's column in them.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= VALUE_MAX {
        return (line.to_string(), column);
    }
    let start = column
        .saturating_sub(1 + VALUE_MAX / 2)
        .min(n.saturating_sub(VALUE_MAX - 2));
    let window: String = line.chars().skip(start).take(VALUE_MAX - 2).collect();
    let head = if start > 0 { "…" } else { "" };
    let tail = if start + VALUE_MAX - 2 < n { "…" } else { "" };
    (
        format!("{head}{window}{tail}"),
        column - start + usize::from(start > 0),
    )
}

/// Every line of `text` clipped as a message: the last guard for messages
/// not built from [`Problem`]s.
pub fn clip_lines(text: &str) -> String {
    text.lines()
        .map(|l| clip_message(l, 2 * MESSAGE_MAX))
        .collect::<Vec<_>>()
        .join("\n")
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
        for (i, p) in self.problems.iter().take(PROBLEMS_SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        if self.problems.len() > PROBLEMS_SHOWN {
            let more = self.problems.len() - PROBLEMS_SHOWN;
            write!(f, "\n… and {more} more, not shown")?;
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
