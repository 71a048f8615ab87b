//! Helpers shared by the integration-test modules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A temporary folder, unique per test run and call, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stacksim-it-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` into the file `name` here; returns its path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write an input file");
        p.to_str().expect("a UTF-8 temp path").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What is wrong with how stacksim refused a bad input (empty when all is
/// well): exit 2, one `error: ` message holding every `expected` text and
/// none of `forbidden`, nothing on stdout, no results folder at `out_dir`.
pub fn judge_refusal(
    out: &Output,
    out_dir: &Path,
    expected: &[String],
    forbidden: &[&str],
) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut wrong = vec![];
    if out.status.code() != Some(2) {
        wrong.push(format!("exit code {:?}, expected 2", out.status.code()));
    }
    for e in expected {
        if !stderr.contains(e.as_str()) {
            wrong.push(format!("stderr lacks `{e}`"));
        }
    }
    if !stderr.starts_with("error: ") {
        wrong.push("stderr does not start with `error: `".into());
    }
    for bad in ["panicked", "RUST_BACKTRACE"].iter().chain(forbidden) {
        if stderr.contains(bad) {
            wrong.push(format!("stderr contains `{bad}`"));
        }
    }
    if !out.stdout.is_empty() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        wrong.push(format!("stdout is not empty: {stdout:?}"));
    }
    if out_dir.exists() {
        wrong.push(format!(
            "the output folder {} was created",
            out_dir.display()
        ));
    }
    wrong
}

/// `stacksim ARGS` (the binary under test), for the caller to add
/// arguments, a working folder or environment to.
pub fn stacksim_cmd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
}

/// Runs `cmd` and asserts that it exits 0, showing its stderr if not.
pub fn succeed(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("run stacksim");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Writes the experiment `exp` as `file` in `dir`, runs it (`stacksim run
/// --quiet`) into `dir/out` and returns that results folder.
pub fn run_quietly(dir: &TempDir, file: &str, exp: &str) -> std::path::PathBuf {
    let path = dir.write(file, exp);
    let out = dir.path().join("out");
    succeed(
        stacksim_cmd()
            .args(["run", &path, "--quiet", "--out"])
            .arg(&out),
    );
    out
}

/// Asserts that `stacksim report OUT` rebuilds each of `files` in the
/// results folder `out` byte for byte from the folder's files alone.
pub fn assert_report_rebuilds_the_same(out: &Path, files: &[&str]) {
    let before: Vec<Vec<u8>> = (files.iter())
        .map(|f| std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect();
    succeed(stacksim_cmd().arg("report").arg(out));
    for (f, b) in files.iter().zip(before) {
        assert!(
            std::fs::read(out.join(f)).unwrap() == b,
            "{f} changed on `report`"
        );
    }
}

/// Starts `stacksim ARGS` in the repository folder, sends it SIGINT (as
/// Ctrl-C does) after `after_ms`, and waits: the exit code, stdout, and how
/// long it took to stop after the signal, in seconds.
pub fn interrupted(args: &[&str], after_ms: u64) -> (Option<i32>, String, f64) {
    let child = stacksim_cmd()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start stacksim");
    std::thread::sleep(std::time::Duration::from_millis(after_ms));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(killed.success());
    let started = std::time::Instant::now();
    let res = child.wait_with_output().expect("wait for stacksim");
    (
        res.status.code(),
        String::from_utf8_lossy(&res.stdout).into_owned(),
        started.elapsed().as_secs_f64(),
    )
}

/// Asserts what a command stopped by Ctrl-C after finishing some of its
/// work leaves in `out`, a folder of `dir` beside one input file: `note`
/// in a `status` row of `experiment.csv` and at the top of both reports,
/// and no staging folder left in `dir`.
pub fn assert_marked_incomplete(dir: &Path, out: &Path, note: &str) {
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    assert!(read("experiment.csv").contains(&format!("status,{note}")));
    assert!(read("report.md").contains(note));
    assert!(read("report.html").contains(note));
    let beside: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside.len(), 2, "no staging folder left: {beside:?}");
}
