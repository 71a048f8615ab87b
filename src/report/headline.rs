//! The headline figures of a results folder as rows of text, shared by
//! `report.html` and `report.md` so both always say the same thing: per
//! scenario of a run, its outcome and latency with 95% CIs; per scenario
//! of an availability study, simulated and analytic availability; with
//! replication, each set's lag, stale reads and lost writes.

use super::charts::format::{fmt_avail, fmt_ms, fmt_pct};
use super::data::Folder;

/// A table: header and rows of cells.
pub struct TextTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn pm(x: f64, h: f64, f: impl Fn(f64) -> String) -> String {
    if !x.is_finite() {
        "–".into()
    } else if h.is_finite() && h > 0.0 {
        format!("{} ± {}", f(x), f(h))
    } else {
        f(x)
    }
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "–".into() } else { s }
}

impl TextTable {
    /// Whether column `i` holds figures (every cell starts with a digit
    /// or a dash), to be right-aligned.
    pub fn numeric(&self, i: usize) -> bool {
        i > 0
            && (self.rows.iter()).all(|r| {
                r.get(i)
                    .and_then(|c| c.chars().next())
                    .is_some_and(|c| c.is_ascii_digit() || c == '–')
            })
    }
}

/// Replication, one row per scenario and replication set (a model with
/// replicas only): lag, stale reads, semi-sync waits, failed and lost
/// writes, time without a primary.
pub fn replication_table(f: &Folder) -> Option<TextTable> {
    if f.replication.is_empty() {
        return None;
    }
    let header = [
        "scenario",
        "set",
        "lag mean",
        "lag p99",
        "lag max",
        "stale reads",
        "RYW violations",
        "semi-sync wait",
        "fallbacks",
        "failed writes",
        "lost writes",
        "lost acked",
        "RPO",
        "failovers",
        "read-only",
    ];
    let s = |x: f64| fmt_ms(x * 1e3);
    let n = |x: f64| {
        if x.is_finite() {
            format!("{x:.1}")
        } else {
            "–".into()
        }
    };
    let rows = (f.replication.iter())
        .map(|r| {
            vec![
                r.scenario.clone(),
                r.set.clone(),
                pm(r.lag_mean_s, r.lag_mean_s_ci95, s),
                or_dash(s(r.lag_p99_s)),
                or_dash(s(r.lag_max_s)),
                pm(r.stale_share, r.stale_share_ci95, fmt_pct),
                n(r.ryw_violations),
                or_dash(fmt_ms(r.write_wait_mean_ms)),
                n(r.semi_sync_fallbacks),
                n(r.failed_writes),
                pm(r.lost_writes, r.lost_writes_ci95, n),
                n(r.lost_acknowledged),
                or_dash(s(r.rpo_s)),
                n(r.failovers),
                or_dash(s(r.read_only_s)),
            ]
        })
        .collect();
    Some(TextTable {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    })
}

/// The run's headline figures, one row per scenario.
pub fn run_table(f: &Folder) -> TextTable {
    let header = [
        "scenario",
        "reps",
        "requests",
        "availability",
        "throughput",
        "mean",
        "p50",
        "p99",
        "p99.9",
        "max",
    ];
    let rows = (f.summary.iter())
        .map(|s| {
            vec![
                s.scenario.clone(),
                format!("{}", s.replications),
                format!("{}", s.requests),
                if s.availability.is_finite() {
                    format!(
                        "{} ± {}",
                        fmt_avail(s.availability),
                        fmt_pct(s.availability_ci95.max(0.0))
                    )
                } else {
                    "–".into()
                },
                pm(s.throughput_rps, s.throughput_rps_ci95, |x| {
                    format!("{x:.1}")
                }) + " req/s",
                pm(s.mean_ms, s.mean_ms_ci95, fmt_ms),
                or_dash(fmt_ms(s.p50_ms)),
                pm(s.p99_ms, s.p99_ms_ci95, fmt_ms),
                or_dash(fmt_ms(s.p999_ms)),
                or_dash(fmt_ms(s.max_ms)),
            ]
        })
        .collect();
    TextTable {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// The availability study's headline figures, one row per scenario.
pub fn availability_table(f: &Folder) -> TextTable {
    let header = [
        "scenario",
        "availability",
        "downtime/year",
        "analytic availability",
        "analytic downtime/year",
    ];
    let mins = |m: f64| {
        if m.is_finite() {
            format!("{m:.1} min")
        } else {
            "–".into()
        }
    };
    let rows = (f.availability.iter())
        .map(|a| {
            vec![
                a.scenario.clone(),
                format!(
                    "{} ± {}",
                    fmt_avail(a.availability),
                    fmt_pct(a.availability_ci95.max(0.0))
                ),
                mins(a.downtime_min_per_year),
                or_dash(fmt_avail(a.analytic_availability)),
                mins(a.analytic_downtime_min_per_year),
            ]
        })
        .collect();
    TextTable {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// The first replication's events of every scenario: (scenario, t, event).
pub fn timeline(f: &Folder) -> Vec<(String, f64, String)> {
    let mut out = vec![];
    for sc in f.scenarios() {
        let evs: Vec<_> = f.timeline.iter().filter(|e| e.scenario == sc).collect();
        let first = evs
            .iter()
            .map(|e| e.replication)
            .fold(f64::INFINITY, f64::min);
        out.extend(
            (evs.iter())
                .filter(|e| e.replication == first)
                .map(|e| (sc.clone(), e.t_s, e.event.clone())),
        );
    }
    out
}

/// The timeline of the first replication as a table (scenario, time,
/// event), or `None` when nothing happened.
pub fn timeline_table(f: &Folder) -> Option<TextTable> {
    let events = timeline(f);
    if events.is_empty() {
        return None;
    }
    let rows = events
        .into_iter()
        .map(|(s, t, e)| vec![s, format!("{t:.3} s"), e])
        .collect();
    Some(TextTable {
        header: vec!["scenario".into(), "time".into(), "event".into()],
        rows,
    })
}

/// The planner's points, one row per simulated run.
pub fn plan_table(f: &Folder) -> TextTable {
    let measure = f.plan.first().map_or("p99", |r| r.measure.as_str());
    let header = [
        "point",
        "run",
        "reps",
        measure,
        "mean",
        "≈ analytic mean",
        "errors",
        "verdict",
    ];
    let rows = (f.plan.iter())
        .map(|r| {
            vec![
                format!(
                    "{} = {}{}",
                    r.knob,
                    r.value,
                    if r.recommended { " ◀" } else { "" }
                ),
                r.run.clone(),
                format!("{}", r.replications),
                pm(r.measure_ms, r.measure_ms_ci95, fmt_ms),
                or_dash(if r.mean_ms.is_finite() {
                    fmt_ms(r.mean_ms)
                } else {
                    String::new()
                }),
                or_dash(if r.analytic_mean_ms.is_finite() {
                    fmt_ms(r.analytic_mean_ms)
                } else {
                    String::new()
                }),
                or_dash(if r.errors.is_finite() {
                    fmt_pct(r.errors)
                } else {
                    String::new()
                }),
                format!("{} (point: {})", r.run_verdict, r.point_verdict),
            ]
        })
        .collect();
    TextTable {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}
