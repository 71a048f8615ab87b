//! The short table `stacksim run` prints: one line per scenario.

use crate::experiment::ScenarioSummary;
use std::fmt::Write;

/// `12.34 ±0.56` with the given decimals; `-` when unknown.
fn pm(mean: f64, hw: f64, d: usize) -> String {
    match (mean.is_finite(), hw.is_finite()) {
        (true, true) => format!("{mean:.d$} ±{hw:.d$}"),
        (true, false) => format!("{mean:.d$}"),
        _ => "-".into(),
    }
}

pub fn render(sums: &[ScenarioSummary]) -> String {
    let header = [
        "scenario",
        "reps",
        "requests",
        "failed",
        "availability",
        "throughput/s",
        "mean ms",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
    ];
    let rows: Vec<Vec<String>> = sums
        .iter()
        .map(|s| {
            vec![
                s.scenario.clone(),
                s.replications.to_string(),
                s.requests.to_string(),
                s.failed.to_string(),
                format!("{:.4}%", 100.0 * s.availability.mean),
                pm(s.throughput_rps.mean, s.throughput_rps.half_width_95, 1),
                pm(s.mean_ms.mean, s.mean_ms.half_width_95, 2),
                format!("{:.2}", s.p50_ms.mean),
                pm(s.p99_ms.mean, s.p99_ms.half_width_95, 2),
                format!("{:.2}", s.p999_ms.mean),
                format!("{:.2}", s.max_ms),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i == 0 {
                let _ = write!(out, "{c:<w$}");
            } else {
                let _ = write!(out, "  {c:>w$}");
            }
        }
        out.push('\n');
    };
    line(
        &mut out,
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    for r in &rows {
        line(&mut out, r);
    }
    out
}
