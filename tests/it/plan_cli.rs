//! `stacksim plan` as a user runs it: a fleet plan gives the same
//! plan.csv on 1 and 2 threads, its chart and reports are rebuilt byte for
//! byte by `stacksim report`, and Ctrl-C keeps the points evaluated so far
//! (plan.csv, marked incomplete, no recommendation; exit 130), as `run`
//! keeps its finished scenarios.

use super::common::{
    TempDir, assert_marked_incomplete, assert_report_rebuilds_the_same, interrupted, stacksim_cmd,
    succeed,
};
use super::plan_fleet::fleet;

fn plan_cli(dir: &TempDir, threads: &str) -> (Vec<u8>, String) {
    let out = dir.path().join(format!("out-{threads}"));
    let o = succeed(
        stacksim_cmd()
            .args(["plan", "e.toml", "--threads", threads, "--out"])
            .arg(&out)
            .current_dir(dir.path()),
    );
    let csv = std::fs::read(out.join("plan.csv")).expect("plan.csv");
    (csv, String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The same plan on 1 and 2 threads: the same plan.csv, byte for byte, and
/// the same recommendation; the chart and reports are written.
#[test]
fn a_plan_is_the_same_whatever_the_thread_count() {
    let dir = TempDir::new("plan-threads");
    dir.write("e.toml", &fleet(true));
    let (one, said) = plan_cli(&dir, "1");
    let (two, _) = plan_cli(&dir, "2");
    assert!(one == two, "plan.csv differs between --threads 1 and 2");
    assert!(said.contains("recommendation: 6 servers"), "{said}");
    for f in [
        "plan.png",
        "plan.svg",
        "report.html",
        "report.md",
        "experiment.csv",
    ] {
        assert!(dir.path().join("out-1").join(f).exists(), "{f} missing");
    }
    let text = String::from_utf8(one).unwrap();
    assert!(text.starts_with("order,knob,value,run,"), "{text}");
    // `stacksim report` rebuilds the chart and reports from the files alone.
    assert_report_rebuilds_the_same(
        &dir.path().join("out-1"),
        &["plan.svg", "plan.png", "report.html", "report.md"],
    );
}

/// The first point the bisection evaluates for a rate knob is the lowest
/// rate, 1 req/s for 10,000 simulated seconds: milliseconds. The second is
/// the grid's middle, 100,001 req/s for as long: 10⁹ requests a
/// replication (minutes), which cannot finish before the SIGINT 1.5 s in. So the
/// plan stops with exactly one point, written and marked incomplete, and
/// no recommendation (a bisection cut short has none).
#[test]
fn ctrl_c_keeps_the_points_evaluated_marked_incomplete() {
    let dir = TempDir::new("plan-sigint");
    let exp = dir.write(
        "e.toml",
        "name = \"plan-sigint\"\nduration = \"10000s\"\nwarmup = \"0s\"\nwindow = \"1000s\"\n\
         replications = 2\nseed = 1\n[model]\nentry = \"server\"\n[model.servers.server.app]\n\
         workers = 1000\nservice = { dist = \"exponential\", mean = \"1ms\" }\n[workload]\n\
         kind = \"open\"\nrate = 1\nclients = 1\n[plan]\nsearch = \"rate\"\nfrom = 1\n\
         to = 200001\nstep = 2000\nmeasure = \"mean\"\nmax_latency = \"10s\"\nmax_errors = 0.5\n",
    );
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let args = ["plan", &exp, "--threads", "1", "--out", out_s];
    let (code, stdout, took_s) = interrupted(&args, 1500);
    assert_eq!(code, Some(130), "{stdout}");
    assert!(took_s < 5.0, "SIGINT must stop the plan promptly");
    let note = "INCOMPLETE: interrupted (Ctrl-C) after 1 point(s); no recommendation";
    assert!(stdout.contains(note), "{stdout}");
    assert!(
        stdout.contains("recommendation: none — the search was interrupted"),
        "{stdout}"
    );
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    let plan = read("plan.csv");
    let rows: Vec<&str> = plan.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{plan}");
    assert!(rows[0].starts_with("1,rate,1,all,2,"), "{plan}");
    assert!(
        rows[0].contains(",pass,0,"),
        "the point passed, unrecommended: {plan}"
    );
    assert!(read("plan.svg").contains("search interrupted: no recommendation"));
    assert_marked_incomplete(dir.path(), &out, note);
}
