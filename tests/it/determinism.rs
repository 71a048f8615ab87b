//! Determinism: a run's output depends only on its input and seed. The same
//! seed gives byte-identical CSVs run after run and whatever the number of
//! worker threads; a different seed gives different replications. Runs use
//! the bundled seed experiment shortened to 20 s (5 s warm-up), with enough
//! replications that two threads really share the work.

use super::common::TempDir;
use std::path::Path;
use std::process::Command;

const CSVS: [&str; 6] = [
    "summary.csv",
    "replications.csv",
    "stations.csv",
    "failures.csv",
    "timeseries.csv",
    "timeline.csv",
];

/// Runs the shortened seed experiment into `out` and returns the five CSVs' bytes.
fn run(out: &Path, extra: &[&str]) -> Vec<(&'static str, Vec<u8>)> {
    let exp = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/seed.toml");
    let mut args = vec![
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--set",
        "duration=\"20s\"",
        "--set",
        "warmup=\"5s\"",
        "--replications",
        "3",
    ];
    args.extend(extra);
    let o = Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(&args)
        .output()
        .expect("run stacksim");
    assert_eq!(
        o.status.code(),
        Some(0),
        "stacksim {}\nstderr: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    CSVS.iter()
        .map(|f| {
            let bytes =
                std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{f} not written: {e}"));
            (*f, bytes)
        })
        .collect()
}

/// Asserts two runs wrote the same bytes, naming the first file that differs.
fn assert_same(a: &[(&str, Vec<u8>)], b: &[(&str, Vec<u8>)], what: &str) {
    for ((name, x), (_, y)) in a.iter().zip(b) {
        assert!(!x.is_empty(), "{name} is empty");
        if x != y {
            let line = String::from_utf8_lossy(x)
                .lines()
                .zip(String::from_utf8_lossy(y).lines())
                .position(|(l, r)| l != r)
                .map_or("a trailing line".to_string(), |i| format!("line {}", i + 1));
            panic!("{what}: {name} differs at {line}");
        }
    }
}

#[test]
fn same_seed_same_bytes() {
    let dir = TempDir::new("same");
    let a = run(&dir.path().join("a"), &["--seed", "42"]);
    let b = run(&dir.path().join("b"), &["--seed", "42"]);
    assert_same(&a, &b, "two runs with --seed 42");
}

#[test]
fn thread_count_does_not_change_the_results() {
    let dir = TempDir::new("threads");
    let one = run(&dir.path().join("t1"), &["--threads", "1"]);
    let two = run(&dir.path().join("t2"), &["--threads", "2"]);
    assert_same(&one, &two, "--threads 1 and --threads 2");
    let four = run(&dir.path().join("t4"), &["--threads", "4"]);
    assert_same(&one, &four, "--threads 1 and --threads 4");
}

#[test]
fn a_different_seed_gives_different_replications() {
    let dir = TempDir::new("seeds");
    let a = run(&dir.path().join("a"), &["--seed", "1"]);
    let b = run(&dir.path().join("b"), &["--seed", "2"]);
    let reps = |r: &[(&str, Vec<u8>)]| {
        r.iter()
            .find(|(n, _)| *n == "replications.csv")
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
            .unwrap()
    };
    let (ra, rb) = (reps(&a), reps(&b));
    assert_ne!(
        ra, rb,
        "--seed 1 and --seed 2 gave the same replications.csv"
    );
    // Not only the seed column: the simulated figures differ too.
    let strip_seed = |text: &str| -> Vec<String> {
        text.lines()
            .skip(1)
            .map(|l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f.remove(2);
                f.join(",")
            })
            .collect()
    };
    let (sa, sb) = (strip_seed(&ra), strip_seed(&rb));
    assert_eq!(sa.len(), sb.len());
    assert!(
        sa.iter().zip(&sb).all(|(x, y)| x != y),
        "some replication gave the same figures under both seeds"
    );
    // The seed given in the file is what runs without --seed.
    let c = run(&dir.path().join("c"), &[]);
    assert_same(&a, &c, "--seed 1 and the file's seed = 1");
}
