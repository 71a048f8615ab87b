//! `stacksim bench`: how fast the simulator runs, measured, never asserted
//! in a test. Each measurement runs in a child process of its own (this
//! binary with `--one`), so that its peak memory (VmHWM) is its own.
//!
//! Reported: simulated requests per second of wall time, events per second,
//! and peak resident memory; for the bench models at N and 10·N requests
//! (memory must not grow with simulated time), single-threaded and with
//! replications on every core; and, when given the yardstick binary of
//! `../shared/bench`, its figures on the same models in the same run.

use crate::Error;
use crate::input::{Input, Overrides, load_input, scenario_for_model};
use crate::stack::config::{RunConfig, Scenario};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// What `stacksim bench` was asked (the command line's `bench`, converted).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Requests to simulate per measurement (the 10× run uses ten times this).
    pub requests: u64,
    /// The yardstick binary (built from ../shared/bench) to compare with.
    pub yardstick: Option<PathBuf>,
    /// Folder holding bench-mm1.toml and bench-c.toml.
    pub models: PathBuf,
    /// Internal: run one measurement in this process and print it.
    pub one: Option<One>,
}

/// One measurement, as a child process is asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct One {
    pub model: PathBuf,
    pub requests: u64,
    pub replications: u32,
    pub threads: usize,
}

impl One {
    /// `MODEL_FILE REQUESTS REPLICATIONS THREADS`, as the parent passes them.
    pub fn parse(args: &[String]) -> Result<One, BenchError> {
        let number = |i: usize| -> Result<u64, BenchError> {
            let arg = args.get(i).map_or("", String::as_str);
            arg.parse()
                .map_err(|_| BenchError::BadArgument(arg.to_string()))
        };
        Ok(One {
            model: PathBuf::from(args.first().map_or("", String::as_str)),
            requests: number(1)?,
            replications: number(2)? as u32,
            threads: number(3)? as usize,
        })
    }
}

/// Why a benchmark could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{}: expected a model file", .0.display())]
    NotAModel(PathBuf),
    #[error("{0}: a bench model needs a [workload]")]
    NoWorkload(String),
    #[error("bad --one argument {0}")]
    BadArgument(String),
    #[error("{0}")]
    CurrentExe(std::io::Error),
    #[error("cannot start a bench child: {0}")]
    Spawn(std::io::Error),
    /// A child failed; `message` is its own message, without its `error: `.
    #[error("{}", if message.is_empty() { format!("a bench child failed ({status})") } else { message.clone() })]
    Child { status: String, message: String },
    #[error("unexpected bench child output: {0}")]
    ChildOutput(String),
    #[error("cannot run the yardstick {}: {}", .0.display(), .1)]
    Yardstick(PathBuf, std::io::Error),
    #[error("unexpected yardstick output: {0}")]
    YardstickOutput(String),
}

/// One measurement.
#[derive(Clone, Debug, Default)]
struct Measure {
    requests: u64,
    events: u64,
    wall_s: f64,
    peak_rss_kib: u64,
    mean_ms: f64,
    p99_ms: f64,
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The scenario of a bench model: its design workload, run long enough for `requests`.
fn scenario(model: &Path, requests: u64, replications: u32) -> Result<Scenario, Error> {
    let Input::Model {
        name,
        model: config,
        workload,
    } = load_input(model, &Overrides::default())?
    else {
        return Err(BenchError::NotAModel(model.to_path_buf()).into());
    };
    let workload = workload.ok_or_else(|| BenchError::NoWorkload(name.clone()))?;
    let rate = workload.arrivals.peak_rate();
    let secs = requests as f64 / rate;
    Ok(scenario_for_model(
        name,
        config,
        workload,
        RunConfig {
            duration: crate::engine::SimDuration::from_secs_f64(secs),
            warmup: crate::engine::SimDuration::ZERO,
            drain: crate::engine::SimDuration::from_secs(60),
            window: crate::engine::SimDuration::from_secs(3600),
            replications,
            seed: 1,
            stats: Default::default(),
        },
    ))
}

fn measure_here(one: &One) -> Result<Measure, Error> {
    let sc = scenario(&one.model, one.requests, one.replications)?;
    let exp = crate::input::Experiment {
        description: None,
        name: "bench".into(),
        file: one.model.clone(),
        scenarios: vec![sc],
        allow_overload: true,
        sweep: None,
    };
    let t = Instant::now();
    let res = super::run(&exp, Some(one.threads), &|| {})?;
    let wall_s = t.elapsed().as_secs_f64();
    let reps = &res[0].replications;
    let first = &reps[0];
    Ok(Measure {
        requests: reps.iter().map(|r| r.requests()).sum(),
        events: reps.iter().map(|r| r.events).sum(),
        wall_s,
        peak_rss_kib: peak_rss_kib(),
        mean_ms: first.latency.mean() / 1e6,
        p99_ms: first.latency.quantile(0.99) as f64 / 1e6,
    })
}

fn measure_child(
    model: &Path,
    requests: u64,
    replications: u32,
    threads: usize,
) -> Result<Measure, BenchError> {
    let exe = std::env::current_exe().map_err(BenchError::CurrentExe)?;
    let out = Command::new(exe)
        .args(["bench", "--one"])
        .arg(model)
        .args([
            requests.to_string(),
            replications.to_string(),
            threads.to_string(),
        ])
        .output()
        .map_err(BenchError::Spawn)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stderr = stderr.trim_end();
        return Err(BenchError::Child {
            status: out.status.to_string(),
            message: stderr.strip_prefix("error: ").unwrap_or(stderr).to_string(),
        });
    }
    let s = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = s
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() != 6 {
        return Err(BenchError::ChildOutput(s.into_owned()));
    }
    Ok(Measure {
        requests: v[0] as u64,
        events: v[1] as u64,
        wall_s: v[2],
        peak_rss_kib: v[3] as u64,
        mean_ms: v[4],
        p99_ms: v[5],
    })
}

/// Runs the yardstick: `MODEL N SEED --pct hdr`, one JSON line.
fn yardstick(bin: &Path, model: &str, requests: u64) -> Result<(f64, u64, f64), BenchError> {
    let out = Command::new(bin)
        .args([model, &requests.to_string(), "1", "--pct", "hdr"])
        .output()
        .map_err(|e| BenchError::Yardstick(bin.to_path_buf(), e))?;
    let s = String::from_utf8_lossy(&out.stdout);
    let num = |key: &str| -> Option<f64> {
        let i = s.find(&format!("\"{key}\""))?;
        let rest = &s[i + key.len() + 2..];
        let rest = rest.trim_start_matches([':', ' ']);
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        rest[..end].trim().parse().ok()
    };
    match (num("loop_s"), num("events")) {
        (Some(loop_s), Some(events)) => Ok((loop_s, events as u64, requests as f64 / loop_s)),
        _ => Err(BenchError::YardstickOutput(s.into_owned())),
    }
}

/// Runs the benchmark `a` describes, printing its table to `out`.
pub fn bench(a: &Settings, out: &mut dyn Write) -> Result<(), Error> {
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").map_err(Error::print);
    if let Some(one) = &a.one {
        let m = measure_here(one)?;
        return w(
            out,
            format!(
                "{} {} {:.6} {} {:.6} {:.6}",
                m.requests, m.events, m.wall_s, m.peak_rss_kib, m.mean_ms, m.p99_ms
            ),
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    w(
        out,
        format!(
            "stacksim bench: {} requests per run, {cores} core(s); each row a separate process",
            a.requests
        ),
    )?;
    w(
        out,
        format!(
            "{:<28} {:>12} {:>14} {:>14} {:>10} {:>9} {:>9}",
            "run", "requests", "requests/s", "events/s", "peak MiB", "mean ms", "p99 ms"
        ),
    )?;
    let row = |label: &str, m: &Measure| {
        format!(
            "{:<28} {:>12} {:>14.0} {:>14.0} {:>10.1} {:>9.3} {:>9.3}",
            label,
            m.requests,
            m.requests as f64 / m.wall_s,
            m.events as f64 / m.wall_s,
            m.peak_rss_kib as f64 / 1024.0,
            m.mean_ms,
            m.p99_ms
        )
    };
    for (file, label, ys) in [
        ("bench-mm1.toml", "A (M/M/1)", "A"),
        ("bench-c.toml", "C (stripped seed)", "C"),
    ] {
        let path = a.models.join(file);
        let one = measure_child(&path, a.requests, 1, 1)?;
        w(out, row(&format!("{label}, 1 thread"), &one))?;
        let ten = measure_child(&path, a.requests * 10, 1, 1)?;
        w(out, row(&format!("{label}, 10× requests"), &ten))?;
        if ys == "C" {
            let reps = cores.max(2) as u32 * 4;
            let par = measure_child(&path, a.requests, reps, cores)?;
            w(
                out,
                row(&format!("{label}, {reps} reps × {cores} thr"), &par),
            )?;
            let seq = measure_child(&path, a.requests, reps, 1)?;
            w(out, row(&format!("{label}, {reps} reps × 1 thr"), &seq))?;
            w(
                out,
                format!(
                    "  parallel speed-up over replications: {:.2}×",
                    seq.wall_s / par.wall_s
                ),
            )?;
        }
        if let Some(bin) = &a.yardstick {
            // Alternate the two, three times each, on 10·N requests (long
            // enough that start-up does not count), and compare medians.
            let n = a.requests * 10;
            let (mut ours, mut theirs) = (vec![], vec![]);
            for _ in 0..3 {
                let m = measure_child(&path, n, 1, 1)?;
                ours.push(m.requests as f64 / m.wall_s);
                theirs.push(yardstick(bin, ys, n)?.2);
            }
            let median = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            let (o, t) = (median(&mut ours), median(&mut theirs));
            w(
                out,
                format!(
                    "  vs yardstick, {n} requests, median of 3 alternating runs: stacksim {o:.0}/s, yardstick {t:.0}/s: {:.0}%",
                    100.0 * o / t
                ),
            )?;
        }
    }
    Ok(())
}
