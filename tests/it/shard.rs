//! `run --shard K/N` and `merge`: shards merged give the bytes of the
//! unsharded run — every file, charts and reports included — for several
//! N, including more shards than cells; and merge refuses shards that do
//! not belong together (different experiments, seeds or models, another
//! N, a duplicate, a missing shard) with exit code 2 and writes nothing.

use crate::common::TempDir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stacksim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run stacksim")
}

fn ok(args: &[&str]) {
    let out = stacksim(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of a folder (hidden marker included) with its bytes, sorted.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// Runs `exp` whole and as `n` shards merged; asserts the same files and bytes.
fn sharded_equals_whole(exp: &str, sets: &[&str], n: u32, charts: bool) {
    let tmp = TempDir::new("shard");
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let mut common: Vec<&str> = vec!["--quiet"];
    for s in sets {
        common.extend(["--set", s]);
    }
    if !charts {
        common.push("--no-charts");
    }
    let whole = p("whole");
    let mut args = vec!["run", exp, "--out", &whole];
    args.extend(&common);
    ok(&args);
    let shards: Vec<String> = (0..n).map(|k| p(&format!("shard{k}"))).collect();
    // Shards listed in reverse: merge orders them by K itself.
    for k in (0..n).rev() {
        let spec = format!("{k}/{n}");
        let mut args = vec!["run", exp, "--shard", &spec, "--out", &shards[k as usize]];
        args.extend(&common);
        ok(&args);
    }
    let merged = p("merged");
    let mut args = vec!["merge", "--out", &merged, "--quiet"];
    if !charts {
        args.push("--no-charts");
    }
    args.extend(shards.iter().rev().map(String::as_str));
    ok(&args);
    let (a, b) = (contents(Path::new(&whole)), contents(Path::new(&merged)));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{exp} in {n} shards: the same files");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{exp} in {n} shards: {name} differs");
    }
    assert!(a.len() >= if charts { 20 } else { 11 }, "{:?}", names(&a));
}

#[test]
fn a_sweep_in_one_or_several_shards_merges_into_the_whole_runs_bytes() {
    // 36 scenarios × 2 replications = 72 cells.
    let sets = ["duration=4s", "warmup=1s", "replications=2"];
    for n in [1, 5] {
        sharded_equals_whole("experiments/load-sweep.toml", &sets, n, false);
    }
}

#[test]
fn more_shards_than_cells_still_merge_and_charts_match_too() {
    // 2 scenarios × 2 replications = 4 cells in 6 shards: two shards are empty.
    let sets = ["duration=3s", "warmup=0s", "replications=2"];
    sharded_equals_whole("experiments/seed.toml", &sets, 6, true);
}

/// Writes shard `spec` of seed.toml with extra arguments into `dir`.
fn shard(dir: &Path, spec: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(format!(
        "{}-{}",
        spec.replace('/', "of"),
        extra.join("").len()
    ));
    let mut args = vec![
        "run",
        "experiments/seed.toml",
        "--quiet",
        "--no-charts",
        "--set",
        "duration=2s",
        "--set",
        "warmup=0s",
        "--replications",
        "2",
        "--shard",
        spec,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    ok(&args);
    out
}

fn refused(dirs: &[&Path], expected: &str) {
    let tmp = TempDir::new("merge-refused");
    let out = tmp.path().join("merged");
    let mut args = vec!["merge", "--out", out.to_str().unwrap()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let res = stacksim(&args);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in {stderr}"
    );
    assert_eq!(stderr.matches("error: ").count(), 1, "{stderr}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn merge_refuses_shards_that_do_not_belong_together() {
    let tmp = TempDir::new("merge-checks");
    let d = tmp.path();
    let a0 = shard(d, "0/2", &[]);
    let a1 = shard(d, "1/2", &[]);
    let seed = shard(d, "1/2", &["--seed", "7"]);
    let model = shard(d, "1/2", &["--set", "servers.web1.app.workers=9"]);
    let reps = shard(d, "1/2", &["--set", "duration=3s"]);
    let third = shard(d, "1/3", &[]);
    refused(&[&a0, &seed], "were run with different seeds (1 and 7)");
    refused(&[&a0, &model], "were run on different models");
    refused(&[&a0, &reps], "differ in the experiment's settings");
    refused(&[&a0, &third], "were split differently (2 and 3 shards)");
    refused(&[&a0, &a0], "are the same shard (0/2)");
    refused(&[&a1], "shard(s) 0/2 of 2 missing");
    refused(&[&a0, d], "not a shard folder (it has no shard.txt)");
    // Another experiment.
    let other = d.join("other");
    ok(&[
        "run",
        "experiments/single-server.toml",
        "--quiet",
        "--no-charts",
        "--set",
        "duration=2s",
        "--set",
        "warmup=0s",
        "--shard",
        "1/2",
        "--out",
        other.to_str().unwrap(),
    ]);
    refused(
        &[&a0, &other],
        "are shards of different experiments (seed and ",
    );
    // A cut-off shard file is noticed.
    let cut = d.join("cut");
    std::fs::create_dir(&cut).unwrap();
    for f in std::fs::read_dir(&a1).unwrap().flatten() {
        std::fs::copy(f.path(), cut.join(f.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(cut.join("shard.txt")).unwrap();
    let total = text.rfind("total\t").unwrap();
    std::fs::write(cut.join("shard.txt"), &text[..total]).unwrap();
    refused(&[&a0, &cut], "the file ends early");
    // And the two that belong together merge.
    ok(&[
        "merge",
        "--quiet",
        "--no-charts",
        "--out",
        d.join("m").to_str().unwrap(),
        a1.to_str().unwrap(),
        a0.to_str().unwrap(),
    ]);
}

#[test]
fn a_run_whose_replications_depend_on_its_results_is_not_sharded() {
    let tmp = TempDir::new("shard-adaptive");
    let out = tmp.path().join("s");
    for (set, expected) in [
        ("warmup=\"auto\"", "uses warmup = \"auto\" (MSER-5)"),
        (
            "replications={ target = 0.05, min = 3, max = 6 }",
            "uses sequential stopping",
        ),
    ] {
        let res = stacksim(&[
            "run",
            "experiments/seed.toml",
            "--set",
            set,
            "--shard",
            "0/2",
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!out.exists());
    }
    let res = stacksim(&["run", "experiments/seed.toml", "--shard", "2/2"]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("K must be below N"), "{stderr}");
}

/// A caller inside a rayon pool (a planner's `par_iter`) still gets its
/// results: with a pool of one thread, which the caller holds while it
/// waits, the cells must run elsewhere (they did not, before this test).
#[test]
fn a_run_called_from_inside_a_one_thread_rayon_pool_finishes() {
    let tmp = TempDir::new("nested");
    let exp = tmp.write(
        "mm1.toml",
        "name = \"mm1\"\nduration = \"2s\"\nreplications = 3\n[workload]\nkind = \"open\"\nrate = 100\nclients = 1\n[model]\nname = \"mm1\"\nentry = \"server\"\n[model.servers.server.app]\nworkers = 1\nservice = { dist = \"exponential\", mean = \"1ms\" }\n",
    );
    let exp =
        stacksim::input::load_experiment(Path::new(&exp), &stacksim::input::Overrides::default())
            .expect("load");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    // A hang is a failure here, not a stuck test run.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let results = pool.install(|| stacksim::experiment::run(&exp, None, &|| {}));
        let _ = tx.send(results.map(|r| r[0].replications.len()).ok());
    });
    let got = rx.recv_timeout(std::time::Duration::from_secs(60));
    assert_eq!(got, Ok(Some(3)), "the run never finished");
}
