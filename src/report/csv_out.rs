//! The CSV files of a run:
//! - `summary.csv`: one row per scenario, means over replications with 95% CI half-widths
//!   (plus `warmup_s` with `warmup = "auto"`, `batches` and `batch_s` with batch means, and `stop_*` with sequential stopping; and, with a sweep, the scenario's value on each axis);
//! - `replications.csv`: the same figures per replication, with its seed;
//! - `stations.csv`: utilisation, mean queue and mean wait per station and replication;
//! - `failures.csv`: failed requests by reason and place, per replication;
//! - `timeseries.csv`: per window of simulated time, per replication;
//! - `timeline.csv`: faults, recoveries and health-check verdicts, when they happened;
//! - `failures_over_time.csv`: failed requests per window by reason (only
//!   the windows and reasons with failures), by completion time;
//! - with replication, `replication.csv` and `replication_over_time.csv`
//!   (`replication_out.rs`).
//!
//! Numbers are printed with fixed decimals, so the same results always give
//! the same bytes.

use crate::experiment::ScenarioResult;
use crate::experiment::summary::{ScenarioSummary, headline};
use crate::input::SweepColumns;

fn f(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

type Rows = Vec<Vec<String>>;

/// The columns of `summary.csv`; a sweep's axes come after `scenario` (so
/// an axis may not take one of these names: `input/sweep.rs`).
pub const SUMMARY_COLUMNS: &[&str] = &[
    "scenario",
    "replications",
    "requests",
    "ok",
    "failed",
    "availability",
    "availability_ci95",
    "throughput_rps",
    "throughput_rps_ci95",
    "mean_ms",
    "mean_ms_ci95",
    "p50_ms",
    "p90_ms",
    "p95_ms",
    "p99_ms",
    "p99_ms_ci95",
    "p999_ms",
    "max_ms",
];

fn summary_rows(sums: &[ScenarioSummary], sweep: Option<&SweepColumns>) -> Rows {
    let axes = sweep.map_or(&[][..], |s| s.columns.as_slice());
    let mut header = vec![SUMMARY_COLUMNS[0].to_string()];
    header.extend(axes.iter().cloned());
    header.extend(SUMMARY_COLUMNS[1..].iter().map(|s| s.to_string()));
    let mut rows = vec![header];
    for s in sums {
        let mut row = vec![s.scenario.clone()];
        if let Some(sw) = sweep {
            let values = sw.values(&s.scenario).unwrap_or_default();
            row.extend((0..axes.len()).map(|i| values.get(i).cloned().unwrap_or_default()));
        }
        row.extend([
            s.replications.to_string(),
            s.requests.to_string(),
            s.ok.to_string(),
            s.failed.to_string(),
            f(s.availability.mean, 6),
            f(s.availability.half_width_95, 6),
            f(s.throughput_rps.mean, 3),
            f(s.throughput_rps.half_width_95, 3),
            f(s.mean_ms.mean, 4),
            f(s.mean_ms.half_width_95, 4),
            f(s.p50_ms.mean, 4),
            f(s.p90_ms.mean, 4),
            f(s.p95_ms.mean, 4),
            f(s.p99_ms.mean, 4),
            f(s.p99_ms.half_width_95, 4),
            f(s.p999_ms.mean, 4),
            f(s.max_ms, 4),
        ]);
        rows.push(row);
    }
    statistics_columns(&mut rows, sums);
    rows
}

/// The columns only an experiment using them gets, so that other outputs
/// keep their bytes: `warmup_s` (MSER-5) and what sequential stopping reached.
fn statistics_columns(rows: &mut Rows, sums: &[ScenarioSummary]) {
    if sums.iter().any(|s| s.warmup_s.is_some()) {
        rows[0].push("warmup_s".into());
        for (row, s) in rows[1..].iter_mut().zip(sums) {
            row.push(s.warmup_s.map_or_else(String::new, |w| f(w, 3)));
        }
    }
    if sums.iter().any(|s| s.batches.is_some()) {
        rows[0].extend(["batches".into(), "batch_s".into()]);
        for (row, s) in rows[1..].iter_mut().zip(sums) {
            match s.batches {
                Some((b, len_s)) => row.extend([b.to_string(), f(len_s, 3)]),
                None => row.extend([String::new(), String::new()]),
            }
        }
    }
    if sums.iter().any(|s| s.stopping.is_some()) {
        for h in [
            "stop_measure",
            "stop_confidence",
            "stop_target",
            "stop_relative_half_width",
            "stop_target_met",
        ] {
            rows[0].push(h.into());
        }
        for (row, s) in rows[1..].iter_mut().zip(sums) {
            match &s.stopping {
                Some(st) => row.extend([
                    st.rule.measure.name().to_string(),
                    f(st.rule.confidence, 4),
                    f(st.rule.target, 4),
                    f(st.relative_half_width, 5),
                    st.met.to_string(),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 5)),
            }
        }
    }
}

fn replication_rows(results: &[ScenarioResult]) -> Rows {
    let header = [
        "scenario",
        "replication",
        "seed",
        "requests",
        "ok",
        "failed",
        "availability",
        "throughput_rps",
        "mean_ms",
        "p50_ms",
        "p90_ms",
        "p95_ms",
        "p99_ms",
        "p999_ms",
        "max_ms",
        "events",
    ];
    let mut rows: Rows = vec![header.iter().map(|s| s.to_string()).collect()];
    for s in results {
        for r in &s.replications {
            let h = headline(r);
            rows.push(vec![
                s.name.clone(),
                r.replication.to_string(),
                r.seed.to_string(),
                h.requests.to_string(),
                h.ok.to_string(),
                h.failed.to_string(),
                f(h.availability, 6),
                f(h.throughput_rps, 3),
                f(h.mean_ms, 4),
                f(h.p50_ms, 4),
                f(h.p90_ms, 4),
                f(h.p95_ms, 4),
                f(h.p99_ms, 4),
                f(h.p999_ms, 4),
                f(h.max_ms, 4),
                r.events.to_string(),
            ]);
        }
    }
    rows
}

fn station_rows(results: &[ScenarioResult]) -> Rows {
    let header = [
        "scenario",
        "replication",
        "station",
        "workers",
        "utilisation",
        "mean_queue",
        "mean_wait_ms",
        "started",
        "rejected",
    ];
    let mut rows: Rows = vec![header.iter().map(|s| s.to_string()).collect()];
    for s in results {
        for r in &s.replications {
            for st in &r.stations {
                rows.push(vec![
                    s.name.clone(),
                    r.replication.to_string(),
                    st.name.clone(),
                    st.workers.to_string(),
                    f(st.utilisation, 6),
                    f(st.mean_queue, 6),
                    f(st.mean_wait_ms, 6),
                    st.started.to_string(),
                    st.rejected.to_string(),
                ]);
            }
        }
    }
    rows
}

fn failure_rows(results: &[ScenarioResult]) -> Rows {
    let mut rows: Rows = vec![
        ["scenario", "replication", "reason", "at", "count"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for s in results {
        for r in &s.replications {
            for fc in &r.failures {
                rows.push(vec![
                    s.name.clone(),
                    r.replication.to_string(),
                    fc.reason.as_str().to_string(),
                    fc.at.clone(),
                    fc.count.to_string(),
                ]);
            }
        }
    }
    rows
}

fn timeseries_rows(results: &[ScenarioResult]) -> Rows {
    let header = [
        "scenario",
        "replication",
        "t_s",
        "requests",
        "ok",
        "failed",
        "mean_ms",
        "p50_ms",
        "p99_ms",
    ];
    let mut rows: Rows = vec![header.iter().map(|s| s.to_string()).collect()];
    for s in results {
        for r in &s.replications {
            for w in &r.windows {
                rows.push(vec![
                    s.name.clone(),
                    r.replication.to_string(),
                    f(w.t_s, 3),
                    w.requests.to_string(),
                    w.ok.to_string(),
                    w.failed.to_string(),
                    f(w.mean_ms, 4),
                    f(w.p50_ms, 4),
                    f(w.p99_ms, 4),
                ]);
            }
        }
    }
    rows
}

fn failures_over_time_rows(results: &[ScenarioResult]) -> Rows {
    let mut rows: Rows = vec![
        ["scenario", "replication", "t_s", "reason", "count"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for s in results {
        for r in &s.replications {
            for w in &r.windows {
                for (reason, count) in &w.failed_by {
                    rows.push(vec![
                        s.name.clone(),
                        r.replication.to_string(),
                        f(w.t_s, 3),
                        reason.as_str().to_string(),
                        count.to_string(),
                    ]);
                }
            }
        }
    }
    rows
}

fn timeline_rows(results: &[ScenarioResult]) -> Rows {
    let mut rows: Rows = vec![
        ["scenario", "replication", "t_s", "event"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for s in results {
        for r in &s.replications {
            for (t, what) in &r.timeline {
                rows.push(vec![
                    s.name.clone(),
                    r.replication.to_string(),
                    f(*t, 6),
                    what.clone(),
                ]);
            }
        }
    }
    rows
}

/// A file written row by row as scenarios arrive: its name and its rows
/// for some scenarios (header first).
pub type PerScenario = (&'static str, fn(&[ScenarioResult]) -> Rows);

/// The files with rows per replication, in the order the `wrote` line
/// lists them (after `summary.csv`).
pub const PER_REPLICATION: [PerScenario; 6] = [
    ("replications.csv", replication_rows),
    ("stations.csv", station_rows),
    ("failures.csv", failure_rows),
    ("timeseries.csv", timeseries_rows),
    ("timeline.csv", timeline_rows),
    ("failures_over_time.csv", failures_over_time_rows),
];

/// The rows of `summary.csv`, header first.
pub fn summary(sums: &[ScenarioSummary], sweep: Option<&SweepColumns>) -> Rows {
    summary_rows(sums, sweep)
}
