//! `percentiles.csv`: each scenario's latency distribution as percentile
//! points from p0 to p99.99, for the latency-distribution chart.
//!
//! The points are evenly spaced in "nines" (−log10(1 − q), 0 to 4 in steps
//! of 0.1, so p0, p20.6, …, p90, …, p99, …, p99.99). Each point is the mean
//! over replications of that replication's percentile, from its latency
//! histogram (≤ 0.4% relative error), with a Student-t 95% half width —
//! the same convention as `summary.csv`. A replication without a successful
//! request contributes nothing; a scenario without any gives empty cells.

use crate::experiment::ScenarioResult;
use crate::stats::Estimate;

/// Steps of 0.1 nines from 0 (p0) to 4 (p99.99).
pub const NINES_STEPS: u32 = 40;

/// The quantile at step `k`: 1 − 10^(−k/10), exactly 0 at k = 0.
pub fn quantile_at(k: u32) -> f64 {
    if k == 0 {
        0.0
    } else {
        1.0 - 10f64.powf(-(k as f64) / 10.0)
    }
}

fn f(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

/// The rows of `percentiles.csv`, header first.
pub fn rows(results: &[ScenarioResult]) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "scenario",
            "percentile",
            "nines",
            "latency_ms",
            "latency_ms_ci95",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for s in results {
        for k in 0..=NINES_STEPS {
            let q = quantile_at(k);
            let xs: Vec<f64> = (s.replications.iter())
                .filter(|r| !r.latency.is_empty())
                .map(|r| r.latency.quantile(q) as f64 / 1e6)
                .collect();
            let e = Estimate::from_samples(&xs);
            rows.push(vec![
                s.name.clone(),
                f(100.0 * q, 4),
                f(k as f64 / 10.0, 1),
                f(e.mean, 4),
                f(e.half_width_95, 4),
            ]);
        }
    }
    rows
}

/// The rows of one scenario (no header).
pub fn scenario_rows(s: &ScenarioResult) -> Vec<Vec<String>> {
    rows(std::slice::from_ref(s)).split_off(1)
}

/// Writes `percentiles.csv` into `dir` (which must exist).
pub fn write(
    dir: &std::path::Path,
    results: &[ScenarioResult],
) -> Result<std::path::PathBuf, super::output::OutputError> {
    let path = dir.join("percentiles.csv");
    super::output::write_csv(&path, &rows(results))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_from_p0_to_p99_99() {
        assert_eq!(quantile_at(0), 0.0);
        assert!((quantile_at(10) - 0.9).abs() < 1e-12);
        assert!((quantile_at(20) - 0.99).abs() < 1e-12);
        assert!((quantile_at(NINES_STEPS) - 0.9999).abs() < 1e-12);
        for k in 1..=NINES_STEPS {
            assert!(quantile_at(k) > quantile_at(k - 1));
        }
    }

    #[test]
    fn an_empty_scenario_gives_empty_cells() {
        let s = ScenarioResult {
            name: "none".into(),
            replications: vec![],
            detected_warmup: None,
            stopping: None,
            batches: None,
        };
        let r = rows(&[s]);
        assert_eq!(r.len(), 1 + NINES_STEPS as usize + 1);
        assert_eq!(r[1][1], "0.0000");
        assert_eq!(r[1][3], "");
        assert_eq!(r.last().unwrap()[1], "99.9900");
    }
}
