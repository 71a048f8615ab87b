//! The output statistics against computed expectations: Student-t interval
//! coverage over independent M/M/1 experiments, MSER-5 cutting a transient
//! whose end is known from the workload, sequential stopping reaching its
//! target at the first check where the criterion holds, the same results
//! for any thread count, and the common-random-numbers switch. Everything
//! runs in-process through `input::load_experiment` and `experiment::run`.

use stacksim::experiment::sequential::{check, value};
use stacksim::experiment::{ScenarioResult, run};
use stacksim::input::Overrides;
use stacksim::stats::Estimate;
use stacksim::stats::settings::Measure;

/// An M/M/1 queue with service rate μ = 1000/s (mean 1 ms) and `rest` as
/// the experiment's other lines (duration, workload rate or profile…).
fn mm1(rest: &str) -> String {
    format!(
        "{rest}\n[model]\nname = \"mm1\"\nentry = \"server\"\n[model.servers.server.app]\nworkers = 1\nservice = {{ dist = \"exponential\", mean = \"1ms\" }}\n"
    )
}

fn load(name: &str, toml: &str) -> stacksim::input::Experiment {
    let dir = std::env::temp_dir().join(format!("stacksim-stats-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml).unwrap();
    let exp = stacksim::input::load_experiment(&path, &Overrides::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    exp
}

fn run_toml(name: &str, toml: &str, threads: Option<usize>) -> Vec<ScenarioResult> {
    run(&load(name, toml), threads, &|| {}).expect("run")
}

/// Over 200 independent experiments of 5 replications each, the 95%
/// Student-t interval of the mean sojourn holds the M/M/1 value
/// 1/(μ − λ) = 2 ms (λ = 500/s) in 93–97% of them. Each replication's mean
/// is over ~5,000 requests after a 1 s warm-up (the queue relaxes in
/// ~1/(μ(1 − √ρ)²) ≈ 12 ms, so no initial bias is left), hence close to
/// normal; the 1,000 replications have distinct seeds, so the 200 groups of
/// 5 consecutive ones are independent experiments.
#[test]
fn student_t_intervals_cover_the_true_mean() {
    let toml = mm1(
        "duration = \"11s\"\nwarmup = \"1s\"\nwindow = \"11s\"\nreplications = 1000\nseed = 11\n[workload]\nkind = \"open\"\nrate = 500\nclients = 1",
    );
    let reps = run_toml("coverage", &toml, None).remove(0).replications;
    let means: Vec<f64> = reps.iter().map(|r| value(Measure::Mean, r)).collect();
    let covered = means
        .chunks_exact(5)
        .filter(|g| Estimate::from_samples(g).contains(2.0))
        .count();
    println!("coverage: {covered} of 200 intervals hold 2 ms");
    assert!((186..=194).contains(&covered), "{covered} of 200");
}

/// A step profile with a known end of its transient: 1,900 req/s for the
/// first 30 s against μ = 1000/s builds a backlog of (1900 − 1000)·30 =
/// 27,000 requests, which drains at μ − 500 = 500/s once the rate drops to
/// 500/s: the transient ends at T = 30 + 54 = 84 s. Its randomness: the
/// backlog has s.d. √((1900 + 1000)·30) ≈ 295 requests (0.59 s of
/// draining) and the drain √((500 + 1000)·54)/500 ≈ 0.57 s, together
/// σ ≈ 0.82 s, so T lies in 84 ± 2.5 s (3σ). MSER-5 cuts whole batches of
/// 5 one-second windows and removes the batch holding the end (its mean is
/// seconds against 2 ms), so the cut lies between the batch boundary at or
/// before 84 − 2.5 s and one batch past the boundary after 84 + 2.5 s:
/// [80 s, 95 s]. After the cut, the measured mean sojourn is the M/M/1
/// value 1/(μ − λ) = 2 ms.
#[test]
fn mser5_cuts_a_known_transient_where_it_ends() {
    let toml = mm1(
        "duration = \"300s\"\nwarmup = \"auto\"\nwindow = \"1s\"\nreplications = 5\nseed = 3\nallow_overload = true\n[workload]\nkind = \"open\"\nrate = 1900\nclients = 1\nprofile = { shape = \"steps\", steps = [{ at = \"30s\", rate = 500 }] }",
    );
    let s = run_toml("transient", &toml, None).remove(0);
    let (cut, at_limit) = s.detected_warmup.expect("auto warm-up reported");
    let cut = cut.as_secs_f64();
    println!("MSER-5 cut at {cut} s (transient ends near 84 s)");
    assert!((80.0..=95.0).contains(&cut) && !at_limit, "cut at {cut} s");
    let mean = stacksim::experiment::summarise(&s).mean_ms.mean;
    assert!((mean - 2.0).abs() < 0.1, "mean after the cut {mean} ms");
}

/// Sequential stopping on the mean sojourn of the M/M/1 queue (ρ = 0.5,
/// 2 s replications): the replications used are the first checkpoint
/// (min, then every `step`) at which the 95% half width is within the
/// target, recomputed here from the replications themselves; a looser
/// target stops earlier; an unreachable one stops at `max`, not met; and
/// the outcome is the same on one thread and on three.
#[test]
fn sequential_stopping_stops_at_the_first_check_that_meets_the_target() {
    let exp = |target: f64, max: u32| {
        mm1(&format!(
            "duration = \"2s\"\nwarmup = \"100ms\"\nseed = 5\nreplications = {{ target = {target}, confidence = 0.95, measure = \"mean\", min = 5, step = 5, max = {max} }}\n[workload]\nkind = \"open\"\nrate = 500\nclients = 1"
        ))
    };
    let tight = run_toml("tight", &exp(0.02, 200), Some(1)).remove(0);
    let st = tight.stopping.expect("stopping reported");
    let used = st.replications as usize;
    assert!(st.met && st.relative_half_width <= 0.02, "{st:?}");
    assert_eq!(tight.replications.len(), used);
    let rule = st.rule;
    for n in (5..used).step_by(5) {
        assert!(
            !check(&rule, &tight.replications[..n]).met,
            "met already at {n}"
        );
    }
    assert!(used > 5 && (used - 5).is_multiple_of(5), "{used}");
    let loose = run_toml("loose", &exp(0.05, 200), Some(1)).remove(0);
    let loose_used = loose.stopping.unwrap().replications as usize;
    println!("target 2%: {used} replications; 5%: {loose_used}");
    assert!(loose_used < used, "{loose_used} vs {used}");
    let three = run_toml("tight3", &exp(0.02, 200), Some(3)).remove(0);
    assert_eq!(three.stopping, tight.stopping);
    let capped = run_toml("capped", &exp(0.0001, 12), None).remove(0);
    let c = capped.stopping.unwrap();
    assert_eq!((c.replications, c.met), (12, false));
}

/// Two scenarios that differ only in name: with common random numbers
/// their replications are identical; without, each draws its own.
#[test]
fn common_random_numbers_can_be_switched_off() {
    let exp = |crn: bool| {
        mm1(&format!(
            "duration = \"1s\"\nreplications = 3\ncommon_random_numbers = {crn}\n[workload]\nkind = \"open\"\nrate = 500\nclients = 1\n[[scenarios]]\nname = \"a\"\n[[scenarios]]\nname = \"b\""
        ))
    };
    let means = |r: &ScenarioResult| -> Vec<f64> {
        r.replications
            .iter()
            .map(|x| value(Measure::Mean, x))
            .collect()
    };
    let on = run_toml("crn-on", &exp(true), None);
    assert_eq!(means(&on[0]), means(&on[1]));
    let off = run_toml("crn-off", &exp(false), None);
    assert_ne!(means(&off[0]), means(&off[1]));
}

/// The central band of Binomial(n, p) holding at least `1 − alpha` of its
/// mass: the smallest `lo` and largest `hi` with P(X < lo) ≤ alpha/2 and
/// P(X > hi) ≤ alpha/2 (exact pmf, summed from the tails).
fn binomial_band(n: u64, p: f64, alpha: f64) -> (u64, u64) {
    let ln_fact = |k: u64| (1..=k).map(|i| (i as f64).ln()).sum::<f64>();
    let pmf = |k: u64| {
        (ln_fact(n) - ln_fact(k) - ln_fact(n - k)
            + k as f64 * p.ln()
            + (n - k) as f64 * (1.0 - p).ln())
        .exp()
    };
    let (mut lo, mut below) = (0, 0.0);
    while below + pmf(lo) <= alpha / 2.0 {
        below += pmf(lo);
        lo += 1;
    }
    let (mut hi, mut above) = (n, 0.0);
    while above + pmf(hi) <= alpha / 2.0 {
        above += pmf(hi);
        hi -= 1;
    }
    (lo, hi)
}

/// Batch means over one long run: 200 independent M/M/1 runs (ρ = 0.5,
/// distinct seeds), each one replication of 21 s cut after a 1 s warm-up
/// into 10 batches of 2 s (~1,000 requests, against a relaxation time of
/// ~12 ms, so the batch means are nearly independent and normal). The 95%
/// Student-t interval (9 df) of the batch means holds the true mean sojourn
/// 1/(μ − λ) = 2 ms in a share of the runs that a correct 95% procedure
/// gives with probability 99%: the central 99% band of Binomial(200, 0.95),
/// computed here (181–197). Too short batches (autocorrelated) or a wrong
/// df would cover less, which is what this would catch.
#[test]
fn batch_means_intervals_cover_the_true_mean() {
    let toml = mm1(
        "duration = \"21s\"\nwarmup = \"1s\"\nreplications = 1\nbatches = 10\nseed = 1\n[workload]\nkind = \"open\"\nrate = 500\nclients = 1",
    );
    let mut exp = load("batches", &toml);
    let base = exp.scenarios.remove(0);
    exp.scenarios = (0..200u64)
        .map(|i| {
            let mut s = base.clone();
            s.name = format!("run{i}");
            s.run.seed = 7_000 + i;
            s
        })
        .collect();
    let results = run(&exp, None, &|| {}).expect("run");
    let covered = results
        .iter()
        .map(stacksim::experiment::summarise)
        .filter(|s| {
            assert_eq!(s.batches.map(|b| b.0), Some(10), "{}", s.scenario);
            assert_eq!(s.mean_ms.n, 10);
            s.mean_ms.contains(2.0)
        })
        .count() as u64;
    let (lo, hi) = binomial_band(200, 0.95, 0.01);
    println!("batch means: {covered} of 200 intervals hold 2 ms (band {lo}–{hi})");
    assert!(
        (lo..=hi).contains(&covered),
        "{covered} of 200, band {lo}–{hi}"
    );
}
