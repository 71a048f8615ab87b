//! The CSVs of replication, written only when the model replicates (a
//! primary with at least one replica), so every other run keeps its files:
//! - `replication.csv`: one row per scenario and replication set — means
//!   over replications of each replication's figure, with 95% CI half
//!   widths for the main ones (and, with a sweep, the scenario's value on
//!   each axis after `scenario`);
//! - `replication_over_time.csv`: per window of simulated time, per
//!   replication and set: reads, stale reads, read-your-writes violations,
//!   commits, failed writes, the laggiest replica's lag and staleness.
//!
//! Counts (`reads`, `stale_reads`, `lost_writes`, …) are per replication
//! (the mean over replications), like `summary.csv`'s rates.

use crate::experiment::ScenarioResult;
use crate::input::SweepColumns;
use crate::stack::ReplSetResult;
use crate::stats::Estimate;

fn f(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

type Rows = Vec<Vec<String>>;

/// A figure of one set's result, and how it is written: mean and, when
/// `ci`, the CI half width after it.
type Column = (&'static str, usize, bool, fn(&ReplSetResult) -> f64);

const COLUMNS: &[Column] = &[
    ("reads", 1, false, |r| r.reads as f64),
    ("stale_reads", 1, false, |r| r.stale_reads as f64),
    ("stale_share", 6, true, |r| {
        r.stale_reads as f64 / r.reads as f64
    }),
    ("stale_age_mean_ms", 4, false, |r| r.stale_age_mean_ms),
    ("stale_age_p99_ms", 4, false, |r| r.stale_age_p99_ms),
    ("ryw_violations", 2, true, |r| r.ryw_violations as f64),
    ("commits", 1, false, |r| r.commits as f64),
    ("failed_writes", 1, true, |r| r.failed_writes as f64),
    ("write_wait_mean_ms", 4, true, |r| r.write_wait_mean_ms),
    ("write_wait_p99_ms", 4, false, |r| r.write_wait_p99_ms),
    ("semi_sync_fallbacks", 2, false, |r| {
        r.semi_sync_fallbacks as f64
    }),
    ("lost_writes", 2, true, |r| r.lost_writes as f64),
    ("lost_acknowledged", 2, false, |r| {
        r.lost_acknowledged as f64
    }),
    ("rpo_s", 4, false, |r| r.rpo_s),
    ("failovers", 2, false, |r| r.failovers as f64),
    ("read_only_s", 3, true, |r| r.read_only_s),
    ("lag_mean_s", 6, true, |r| r.lag.mean_s),
    ("lag_p99_s", 6, false, |r| r.lag.p99_s),
    ("lag_max_s", 6, false, |r| r.lag.max_s),
    ("staleness_mean_s", 6, true, |r| r.staleness.mean_s),
    ("staleness_p99_s", 6, false, |r| r.staleness.p99_s),
    ("staleness_max_s", 6, false, |r| r.staleness.max_s),
];

/// The mean of the finite values (NaN if none), with its CI.
fn estimate(values: &[f64]) -> Estimate {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    Estimate::from_samples(&v)
}

/// The per-scenario file's name.
pub const SUMMARY: &str = "replication.csv";
/// The per-window file's name.
pub const OVER_TIME: &str = "replication_over_time.csv";

/// The header of `replication.csv`: the sweep's axes after `scenario`.
pub fn summary_header(sweep: Option<&SweepColumns>) -> Vec<String> {
    let axes = sweep.map_or(&[][..], |s| s.columns.as_slice());
    let mut header = vec!["scenario".to_string()];
    header.extend(axes.iter().cloned());
    header.extend(["set".to_string(), "replications".to_string()]);
    for &(name, _, ci, _) in COLUMNS {
        header.push(name.to_string());
        if ci {
            header.push(format!("{name}_ci95"));
        }
    }
    header
}

/// One scenario's rows of `replication.csv` (one per replication set),
/// without the sweep's axis columns: [`with_axes`] adds them.
pub fn scenario_summary_rows(s: &ScenarioResult) -> Rows {
    let sets = s.replications.first().map_or(0, |r| r.repl_sets.len());
    let mut rows = vec![];
    for set in 0..sets {
        let of: Vec<&ReplSetResult> = s
            .replications
            .iter()
            .filter_map(|r| r.repl_sets.get(set))
            .collect();
        let mut row = vec![s.name.clone()];
        row.push(of.first().map_or_else(String::new, |r| r.name.clone()));
        row.push(of.len().to_string());
        for &(_, decimals, ci, get) in COLUMNS {
            let e = estimate(&of.iter().map(|r| get(r)).collect::<Vec<_>>());
            row.push(f(e.mean, decimals));
            if ci {
                row.push(f(e.half_width_95, decimals));
            }
        }
        rows.push(row);
    }
    rows
}

/// A row of [`scenario_summary_rows`] with the sweep's axis values after
/// the scenario's name.
pub fn with_axes(mut row: Vec<String>, sweep: Option<&SweepColumns>) -> Vec<String> {
    if let Some(sw) = sweep {
        let values = sw.values(&row[0]).unwrap_or_default();
        let axes = (0..sw.columns.len()).map(|i| values.get(i).cloned().unwrap_or_default());
        row.splice(1..1, axes);
    }
    row
}

/// Any replication of the scenario measured a replication set.
pub fn replicates(s: &ScenarioResult) -> bool {
    s.replications.iter().any(|r| !r.repl_sets.is_empty())
}

/// The rows of `replication_over_time.csv`, header first.
pub fn over_time_rows(results: &[ScenarioResult]) -> Rows {
    let header = [
        "scenario",
        "replication",
        "set",
        "t_s",
        "reads",
        "stale_reads",
        "ryw_violations",
        "commits",
        "failed_writes",
        "lag_mean_s",
        "lag_max_s",
        "staleness_mean_s",
    ];
    let mut rows: Rows = vec![header.iter().map(|s| s.to_string()).collect()];
    for s in results {
        for r in &s.replications {
            for set in &r.repl_sets {
                for w in &set.windows {
                    rows.push(vec![
                        s.name.clone(),
                        r.replication.to_string(),
                        set.name.clone(),
                        f(w.t_s, 3),
                        w.reads.to_string(),
                        w.stale_reads.to_string(),
                        w.ryw_violations.to_string(),
                        w.commits.to_string(),
                        w.failed_writes.to_string(),
                        f(w.lag_mean_s, 6),
                        f(w.lag_max_s, 6),
                        f(w.staleness_mean_s, 6),
                    ]);
                }
            }
        }
    }
    rows
}
