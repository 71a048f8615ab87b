//! The fuzzer's findings: tallied by class and message kind, each failing
//! case saved (a few per class) as a folder one can `cd` into and rerun,
//! the first cases of the commonest kinds shrunk line by line to a minimal
//! reproducer, and a summary printed by class.

use super::exec::{Case, Corpus, Finding, Invocation, clip, judge, run};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Failing cases saved per class (all are counted).
const SAVED_PER_CLASS: usize = 20;
/// Message kinds per class shrunk to a minimal reproducer.
const MINIMISED_PER_CLASS: usize = 3;
/// Children run while shrinking one case.
const SHRINK_BUDGET: usize = 400;

/// One kind of message within a class.
#[derive(Default)]
pub struct Kind {
    pub count: usize,
    /// The lowest case id showing it, its command, and what was seen there.
    pub first: Option<(u64, Invocation, String)>,
}

/// The findings of one class.
#[derive(Default)]
pub struct Class {
    pub invocations: usize,
    pub cases: BTreeSet<u64>,
    pub kinds: BTreeMap<String, Kind>,
}

/// Everything a batch found.
#[derive(Default)]
pub struct Report {
    pub cases: u64,
    pub classes: BTreeMap<&'static str, Class>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.classes.is_empty()
    }

    /// Cases with at least one finding.
    pub fn failing_cases(&self) -> usize {
        let all: BTreeSet<u64> = self
            .classes
            .values()
            .flat_map(|c| c.cases.iter().copied())
            .collect();
        all.len()
    }

    pub fn add(&mut self, case: &Case, inv: &Invocation, f: Finding) {
        let class = self.classes.entry(f.class).or_default();
        class.invocations += 1;
        class.cases.insert(case.id);
        let kind = class.kinds.entry(f.kind).or_default();
        kind.count += 1;
        if kind.first.as_ref().is_none_or(|(id, ..)| case.id < *id) {
            kind.first = Some((case.id, inv.clone(), f.detail));
        }
    }

    /// The summary: per class, its counts and its commonest kinds with an example.
    pub fn summary(&self) -> String {
        let mut s = format!("fuzz: {} case(s)", self.cases);
        if self.is_clean() {
            s.push_str(", every invariant held\n");
            return s;
        }
        s.push('\n');
        for (name, class) in &self.classes {
            let _ = writeln!(
                s,
                "\n== {name}: {} command(s) in {} case(s), {} kind(s)",
                class.invocations,
                class.cases.len(),
                class.kinds.len()
            );
            let mut kinds: Vec<(&String, &Kind)> = class.kinds.iter().collect();
            kinds.sort_by_key(|(_, k)| std::cmp::Reverse(k.count));
            for (kind, k) in kinds.iter().take(12) {
                let (id, inv, detail) = k.first.as_ref().expect("a first case");
                let _ = writeln!(s, "  {:>6} × {kind}", k.count);
                let _ = writeln!(
                    s,
                    "         e.g. case {id}, stacksim {}: {}",
                    inv.args.join(" "),
                    clip(detail.lines().next().unwrap_or(""), 160)
                );
            }
        }
        s
    }
}

/// Writes `case` (the corpus with its mutated file) into `dir` with a
/// `repro.txt` saying what was mutated, the command and what it printed.
pub fn save(corpus: &Corpus, case: &Case, inv: &Invocation, findings: &[Finding], dir: &Path) {
    corpus.write(dir, case);
    let mut text = format!(
        "case {}: mutated {}\n{}\n\nrun from this folder:\n  stacksim {}\n\n",
        case.id,
        case.target,
        case.mutations.join("\n"),
        inv.args.join(" ")
    );
    for f in findings {
        let _ = writeln!(text, "[{}] {}\n{}\n", f.class, f.kind, f.detail);
    }
    std::fs::write(dir.join("repro.txt"), text).expect("write repro.txt");
}

/// Where the case `id` of `class` is saved, if it is among the first saved.
pub fn slot(root: &Path, class: &str, id: u64) -> Option<PathBuf> {
    let dir = root.join(class);
    std::fs::create_dir_all(&dir).ok()?;
    let saved = std::fs::read_dir(&dir).ok()?.count();
    (saved < SAVED_PER_CLASS).then(|| dir.join(format!("case-{id}")))
}

/// Whether `case` still shows `class`/`kind` on `inv`, run in `scratch`.
fn reproduces(
    corpus: &Corpus,
    case: &Case,
    inv: &Invocation,
    class: &str,
    kind: &str,
    scratch: &Path,
) -> bool {
    corpus.write(scratch, case);
    let outcome = run(scratch, &inv.args, inv.timeout);
    judge(&outcome, case.parses(), scratch)
        .iter()
        .any(|f| f.class == class && f.kind == kind)
}

/// Shrinks `case` (whole lines of its mutated file) while it still shows
/// `class`/`kind`; a timeout is not shrunk, each try would cost the timeout.
pub fn shrink(
    corpus: &Corpus,
    mut case: Case,
    inv: &Invocation,
    class: &str,
    kind: &str,
    scratch: &Path,
) -> Case {
    if class == "hang-timeout" || !reproduces(corpus, &case, inv, class, kind, scratch) {
        return case;
    }
    let mut lines: Vec<Vec<u8>> = case
        .bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let mut budget = SHRINK_BUDGET;
    let mut chunk = lines.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < lines.len() && budget > 0 {
            budget -= 1;
            let mut fewer = lines.clone();
            fewer.drain(i..(i + chunk).min(lines.len()));
            let before = std::mem::replace(&mut case.bytes, fewer.concat());
            if reproduces(corpus, &case, inv, class, kind, scratch) {
                lines = fewer;
            } else {
                case.bytes = before;
                i += chunk;
            }
        }
        if chunk == 1 || budget == 0 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    case.bytes = lines.concat();
    case.mutations
        .push(format!("shrunk to {} line(s)", lines.len()));
    case
}

/// The (class, kind, case id, invocation) of the commonest kinds of each class, to shrink.
pub fn to_shrink(report: &Report) -> Vec<(&'static str, String, u64, Invocation)> {
    let mut out = vec![];
    for (name, class) in &report.classes {
        let mut kinds: Vec<(&String, &Kind)> = class.kinds.iter().collect();
        kinds.sort_by_key(|(_, k)| std::cmp::Reverse(k.count));
        for (kind, k) in kinds.into_iter().take(MINIMISED_PER_CLASS) {
            let (id, inv, _) = k.first.as_ref().expect("a first case");
            out.push((*name, kind.clone(), *id, inv.clone()));
        }
    }
    out
}
