//! The tidy test, as rust-analyzer has one: it walks `src/` and enforces
//! the architecture invariants that a reviewer would otherwise have to
//! remember (ARCHITECTURE.md lists them as "Architecture Invariant" lines):
//! - every source file opens with a `//!` comment saying what it holds;
//! - only `src/cli/` and `src/main.rs` know clap;
//! - `engine/`, `stack/`, `stats/` and `analytic/` have no serde, no
//!   `std::fs` and no `std::io`: they are pure computation;
//! - only `src/report/charts/` knows plotters;
//! - no source file is longer than [`MAX_LINES`], except the files of
//!   [`LONG_FILES`], a list that can only shrink.
//!
//! Comment lines are not code: a `//!` header may name what a module must
//! not use.

use std::path::{Path, PathBuf};

/// The most lines a source file may have.
const MAX_LINES: usize = 600;

/// Files already longer than [`MAX_LINES`] when the rule was made, each with
/// why it is still long. Shrink a file below the limit and remove it here
/// (the test says so); never add one.
const LONG_FILES: &[(&str, &str)] = &[
    (
        "src/dist.rs",
        "every distribution's constructor, sampler and exact moments, with their tests; split by family",
    ),
    (
        "src/input/dist.rs",
        "the distribution tables of the file format and their checks; split tables from checks",
    ),
];

/// Folders of pure computation: no serde, no file or stream I/O.
const PURE: &[&str] = &["src/engine/", "src/stack/", "src/stats/", "src/analytic/"];

/// Every `.rs` file under `dir`, as a path relative to the crate root with
/// `/` separators, sorted.
fn sources(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read a source folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(root).expect("under the root");
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, p));
        }
    }
}

/// Every source file of the crate with its text.
fn files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![];
    sources(root, &root.join("src"), &mut paths);
    assert!(paths.len() > 50, "found only {} source files", paths.len());
    paths
        .into_iter()
        .map(|(rel, p)| (rel, std::fs::read_to_string(p).expect("read a source file")))
        .collect()
}

/// The lines of `text` that are code: comment lines left out.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    (text.lines().enumerate())
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
}

/// Whether `line` names the crate or module `word` as a whole word.
fn names(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Whether `line` uses `std::fs` or `std::io`, also as `std::{fs, io}`.
fn uses_std_io(line: &str) -> bool {
    if line.contains("std::fs") || line.contains("std::io") {
        return true;
    }
    line.find("std::{")
        .is_some_and(|i| names(&line[i..], "fs") || names(&line[i..], "io"))
}

/// The violations found by `check` over every source file, one per line.
fn violations(check: impl Fn(&str, &str) -> Vec<String>) -> Vec<String> {
    files()
        .iter()
        .flat_map(|(rel, text)| check(rel, text))
        .collect()
}

fn assert_none(rule: &str, found: Vec<String>) {
    assert!(
        found.is_empty(),
        "{rule}; see ARCHITECTURE.md:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let found = violations(|rel, text| {
        if text.starts_with("//!") {
            vec![]
        } else {
            vec![format!("{rel}: the first line is not a `//!` comment")]
        }
    });
    assert_none("every source file opens with `//!`", found);
}

/// The code lines, `file:line: text`, of the files `applies` selects that
/// `bad` flags.
fn offending_lines(applies: impl Fn(&str) -> bool, bad: impl Fn(&str) -> bool) -> Vec<String> {
    violations(|rel, text| {
        if !applies(rel) {
            return vec![];
        }
        (code_lines(text))
            .filter(|(_, l)| bad(l))
            .map(|(n, l)| format!("{rel}:{n}: {}", l.trim()))
            .collect()
    })
}

#[test]
fn only_the_command_line_knows_clap() {
    let found = offending_lines(
        |rel| !rel.starts_with("src/cli/") && rel != "src/main.rs",
        |l| names(l, "clap"),
    );
    assert_none("only src/cli/ and src/main.rs use clap", found);
}

#[test]
fn pure_folders_have_no_serde_and_no_io() {
    let found = offending_lines(
        |rel| PURE.iter().any(|d| rel.starts_with(d)),
        |l| names(l, "serde") || uses_std_io(l),
    );
    assert_none(
        "engine/, stack/, stats/ and analytic/ use no serde, std::fs or std::io",
        found,
    );
}

#[test]
fn only_the_charts_know_plotters() {
    let found = offending_lines(
        |rel| !rel.starts_with("src/report/charts/"),
        |l| names(l, "plotters"),
    );
    assert_none("only src/report/charts/ uses plotters", found);
}

#[test]
fn no_source_file_is_too_long() {
    let found = violations(|rel, text| {
        let lines = text.lines().count();
        match LONG_FILES.iter().find(|(f, _)| *f == rel) {
            None if lines > MAX_LINES => vec![format!(
                "{rel}: {lines} lines, more than {MAX_LINES}: split it"
            )],
            Some(_) if lines <= MAX_LINES => vec![format!(
                "{rel}: {lines} lines now: remove it from LONG_FILES in tests/it/tidy.rs"
            )],
            _ => vec![],
        }
    });
    assert_none("no source file over 600 lines", found);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (f, why) in LONG_FILES {
        assert!(root.join(f).is_file(), "{f} in LONG_FILES does not exist");
        assert!(!why.is_empty(), "{f} in LONG_FILES needs its reason");
    }
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert!(names("use clap::Parser;", "clap"));
    assert!(!names("let clapper = 1;", "clap"));
    assert!(uses_std_io("use std::io::Write;"));
    assert!(uses_std_io("use std::{fmt, fs};"));
    assert!(!uses_std_io("use std::{fmt, iter};"));
    assert!(names("#[derive(serde::Deserialize)]", "serde"));
    let lines: Vec<_> = code_lines("//! clap\nuse clap;\n// clap").collect();
    assert_eq!(lines, vec![(2, "use clap;")]);
}
