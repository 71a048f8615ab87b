//! In-tree fuzzing (issue 6): every bundled model and experiment is mutated,
//! byte-level and structure-aware (`fuzz/mutate.rs`), and `stacksim check`
//! and `stacksim run` are run on each mutation as child processes under a
//! 1.5 GiB memory cap and a 10 s timeout (`fuzz/exec.rs`), asserting: exit 0
//! or 2, no panic or signal, every `error:` located at `file:line:col` when
//! the file parsed as TOML, every message under 1 KiB, and no output folder or
//! `.tmp` file after a failure. Cases are numbered; case `n` of a seed is the
//! same on every machine and in every thread, so a finding is reproduced
//! from its number (and is saved as a folder anyway).
//!
//! CI runs `ci_batch`, a fixed seeded batch of [`CI_CASES`] cases on every
//! core. A long campaign saves each failing case under a findings folder
//! (`<class>/case-<n>/`, with `repro.txt`), shrinks the first case of the
//! commonest kinds of each class to `<class>/min-<n>/`, and prints a
//! summary by class:
//!
//! ```sh
//! STACKSIM_FUZZ_CASES=20000 STACKSIM_FUZZ_SEED=7 STACKSIM_FUZZ_FINDINGS=/tmp/findings \
//!     cargo test --test it fuzz::campaign -- --ignored --nocapture
//! ```
//!
//! (The test profile is already optimised; `--release` also works but
//! rebuilds everything with fat LTO.) The findings folder defaults to
//! `target/tmp/fuzz-findings` and is emptied first only if a previous
//! campaign made it.

mod exec;
mod mutate;
mod report;
mod values;

use super::common::TempDir;
use exec::{Corpus, judge, make_case, run};
use report::Report;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Whether `ci_batch` fails on a broken invariant: on since the campaigns
/// came back clean (seed 11, 3,000 cases; see the issue notes). Turning it
/// off makes the batch only print its summary.
const ENFORCE: bool = true;
/// Cases in the CI batch: 97 s on 2 cores shared with other builds (load ~5).
const CI_CASES: u64 = 2000;
/// The CI batch's seed: fixed, so CI sees the same cases every time.
const CI_SEED: u64 = 0x5EED_F022;
/// Marks a findings folder as the fuzzer's, so a campaign may empty it.
const MARKER: &str = ".stacksim-fuzz-findings";

/// Runs cases `0..n` of `seed` on every core; saves failing cases under
/// `save` if given. `mutated = false` runs the corpus as bundled (the control).
fn batch(seed: u64, n: u64, mutated: bool, long: bool, save: Option<&Path>) -> Report {
    let corpus = Corpus::load();
    let next = AtomicU64::new(0);
    let report = Mutex::new(Report {
        cases: n,
        ..Report::default()
    });
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for worker in 0..threads {
            let (corpus, next, report) = (&corpus, &next, &report);
            s.spawn(move || {
                let scratch = TempDir::new(&format!("fuzz-{worker}"));
                let dir = scratch.path().join("case");
                loop {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    if id >= n {
                        break;
                    }
                    if long && id > 0 && id % 1000 == 0 {
                        let failing = report.lock().expect("the report").failing_cases();
                        println!("fuzz: case {id} of {n}, {failing} failing so far");
                    }
                    let case = make_case(corpus, seed, id, mutated, long);
                    corpus.write(&dir, &case);
                    let parsed = case.parses();
                    for inv in &case.runs {
                        let outcome = run(&dir, &inv.args, inv.timeout);
                        let findings = judge(&outcome, parsed, &dir);
                        if findings.is_empty() {
                            continue;
                        }
                        let mut report = report.lock().expect("the report");
                        let slot = findings
                            .iter()
                            .find_map(|f| save.and_then(|root| report::slot(root, f.class, id)));
                        if let Some(slot) = slot {
                            report::save(corpus, &case, inv, &findings, &slot);
                        }
                        for f in findings {
                            report.add(&case, inv, f);
                        }
                        drop(report);
                        // The next command starts from the files as written.
                        corpus.write(&dir, &case);
                    }
                }
            });
        }
    });
    report.into_inner().expect("the report")
}

/// Shrinks the first case of the commonest kinds of each class into `root/<class>/min-<n>/`.
fn shrink_all(report: &Report, seed: u64, long: bool, root: &Path) {
    let corpus = Corpus::load();
    let scratch = TempDir::new("fuzz-shrink");
    let dir = scratch.path().join("case");
    for (i, (class, kind, id, inv)) in report::to_shrink(report).into_iter().enumerate() {
        let case = make_case(&corpus, seed, id, true, long);
        let small = report::shrink(&corpus, case, &inv, class, &kind, &dir);
        corpus.write(&dir, &small);
        let outcome = run(&dir, &inv.args, inv.timeout);
        let findings = judge(&outcome, small.parses(), &dir);
        let out = root.join(class).join(format!("min-{}", i + 1));
        report::save(&corpus, &small, &inv, &findings, &out);
        println!("{class}: {kind}\n  minimal reproducer: {}", out.display());
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number")),
        Err(_) => default,
    }
}

/// The findings folder, emptied if a previous campaign made it.
fn findings_root() -> PathBuf {
    let root = std::env::var_os("STACKSIM_FUZZ_FINDINGS").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings"),
        PathBuf::from,
    );
    if root.join(MARKER).exists() {
        std::fs::remove_dir_all(&root).expect("empty the findings folder");
    }
    let empty = std::fs::read_dir(&root).map_or(true, |mut d| d.next().is_none());
    assert!(
        empty,
        "{}: not empty and not a findings folder",
        root.display()
    );
    std::fs::create_dir_all(&root).expect("create the findings folder");
    std::fs::write(root.join(MARKER), "").expect("mark the findings folder");
    root
}

#[test]
fn ci_batch() {
    let start = Instant::now();
    let control = batch(CI_SEED, 10, false, false, None);
    assert!(
        control.is_clean(),
        "the bundled files themselves break an invariant:\n{}",
        control.summary()
    );
    let save = std::env::var_os("STACKSIM_FUZZ_FINDINGS").map(PathBuf::from);
    let report = batch(CI_SEED, CI_CASES, true, false, save.as_deref());
    println!("{}(in {:.1?})", report.summary(), start.elapsed());
    if ENFORCE {
        assert!(report.is_clean(), "{}", report.summary());
    }
}

#[test]
#[ignore = "a long campaign: run by hand, see this module's documentation"]
fn campaign() {
    let start = Instant::now();
    let seed = env_u64("STACKSIM_FUZZ_SEED", 1);
    let n = env_u64("STACKSIM_FUZZ_CASES", 20_000);
    let root = findings_root();
    let report = batch(seed, n, true, true, Some(&root));
    println!("{}", report.summary());
    println!("(seed {seed}, {n} cases in {:.1?})\n", start.elapsed());
    shrink_all(&report, seed, true, &root);
    println!("findings saved under {}", root.display());
    assert!(report.is_clean(), "the campaign found problems (above)");
}
