//! Every bundled input works: each file in `models/` passes `stacksim check`
//! and each file in `experiments/` runs to completion (shortened to 20 s of
//! simulated time, 5 s warm-up, 2 replications) with a non-empty summary,
//! its charts and its reports; an experiment with a `[plan]` is also
//! planned as written (`stacksim plan`: its recommendation, plan.csv, the
//! plan chart and the reports).
//! Files are found by listing the folders, so new ones are covered without
//! editing this test.

use super::common::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `.toml` files of a folder of the repository, sorted.
fn toml_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .toml files in {}", dir.display());
    files
}

fn stacksim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .output()
        .expect("run stacksim")
}

#[test]
fn every_model_passes_check() {
    let mut failed = vec![];
    for model in toml_files("models") {
        let out = stacksim(&["check", model.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.code() != Some(0) || !stdout.contains(": ok") {
            failed.push(format!(
                "{}: exit {:?}\n{}",
                model.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        // Its mermaid graph too.
        let out = stacksim(&["check", "--mermaid", model.to_str().unwrap()]);
        if out.status.code() != Some(0) || !out.stdout.starts_with(b"graph LR") {
            failed.push(format!("{}: check --mermaid failed", model.display()));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// `stacksim plan` of an experiment with a `[plan]`, as written: what is
/// wrong with its outcome.
fn plans(path: &str, out_dir: &Path) -> Vec<String> {
    let out = stacksim(&["plan", path, "--out", out_dir.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(0) {
        let err = String::from_utf8_lossy(&out.stderr);
        return vec![format!("{path}: plan exit {:?}\n{err}", out.status.code())];
    }
    let mut failed = super::charts::check_folder(out_dir);
    if !said.contains("recommendation: ") {
        failed.push(format!("{path}: plan printed no recommendation:\n{said}"));
    }
    let rows = std::fs::read_to_string(out_dir.join("plan.csv")).unwrap_or_default();
    if rows.lines().count() < 2 {
        failed.push(format!("{path}: plan.csv has no rows"));
    }
    failed
}

#[test]
fn every_experiment_passes_check_and_runs() {
    let tmp = TempDir::new("run");
    let mut failed = vec![];
    for exp in toml_files("experiments") {
        let path = exp.to_str().unwrap();
        let stem = exp.file_stem().unwrap().to_string_lossy().into_owned();
        let check = stacksim(&["check", path]);
        if check.status.code() != Some(0) {
            failed.push(format!(
                "{path}: check exit {:?}\n{}",
                check.status.code(),
                String::from_utf8_lossy(&check.stderr)
            ));
            continue;
        }
        let out_dir = tmp.path().join(&stem);
        let out = stacksim(&[
            "run",
            path,
            "--out",
            out_dir.to_str().unwrap(),
            "--quiet",
            "--set",
            "duration=\"20s\"",
            "--set",
            "warmup=\"5s\"",
            "--replications",
            "2",
        ]);
        if out.status.code() != Some(0) {
            failed.push(format!(
                "{path}: run exit {:?}\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        // Its charts and reports.
        failed.extend(super::charts::check_folder(&out_dir));
        if std::fs::read_to_string(&exp).is_ok_and(|t| t.contains("\n[plan]")) {
            failed.extend(plans(path, &tmp.path().join(format!("{stem}-plan"))));
        }
        let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap_or_default();
        let rows = summary.lines().skip(1).filter(|l| !l.is_empty()).count();
        if rows == 0 {
            failed.push(format!("{path}: summary.csv has no rows:\n{summary}"));
        }
        // Every scenario served requests (columns by name: a sweep adds its axes).
        let mut reader = csv::Reader::from_reader(summary.as_bytes());
        let col = (reader.headers().ok())
            .and_then(|h| h.iter().position(|c| c == "requests"))
            .unwrap_or(usize::MAX);
        for row in reader.records().flatten() {
            let row: Vec<&str> = row.iter().collect();
            let requests: u64 = row.get(col).and_then(|v| v.parse().ok()).unwrap_or(0);
            let row = row.join(",");
            if requests == 0 {
                failed.push(format!("{path}: no requests in `{row}`"));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
