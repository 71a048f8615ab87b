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

/// An availability with two decimals, or as many more (up to five) as it
/// takes not to print 100.00% when requests failed.
fn availability(share: f64, failed: u64) -> String {
    let pct = 100.0 * share;
    let mut d = 2;
    while failed > 0 && d < 5 && format!("{pct:.d$}").starts_with("100") {
        d += 1;
    }
    format!("{pct:.d$}%")
}

/// Longest scenario name shown in full; longer ones are clipped with `…`
/// (the CSVs keep them whole).
const NAME_CHARS: usize = 38;

/// The table, at most ~116 columns wide: what a reviewer reads first.
/// Latency columns are over successful requests; `±` is the 95% CI
/// half-width over replications; percentiles are means over replications.
pub fn render(sums: &[ScenarioSummary]) -> String {
    let header = [
        "scenario", "reps", "failed", "avail", "req/s", "mean ms", "p50 ms", "p99 ms", "p99.9 ms",
    ];
    let rows: Vec<Vec<String>> = sums
        .iter()
        .map(|s| {
            vec![
                crate::text::clip(&s.scenario, NAME_CHARS),
                s.replications.to_string(),
                s.failed.to_string(),
                availability(s.availability.mean, s.failed),
                format!("{:.1}", s.throughput_rps.mean),
                pm(s.mean_ms.mean, s.mean_ms.half_width_95, 1),
                format!("{:.1}", s.p50_ms.mean),
                pm(s.p99_ms.mean, s.p99_ms.half_width_95, 1),
                format!("{:.1}", s.p999_ms.mean),
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
    out.push_str(footer(sums));
    out
}

/// What the table's ± and percentiles are: over replications, or — when
/// every scenario is one run cut into batches — over batch means.
fn footer(sums: &[ScenarioSummary]) -> &'static str {
    if !sums.is_empty() && sums.iter().all(|s| s.batches.is_some()) {
        "latency of successful requests; ± 95% CI over batch means of one run (avail, req/s, mean); percentiles are the run's\n"
    } else {
        "latency of successful requests; ± 95% CI over replications; percentiles are means over replications\n"
    }
}

/// The lines under the table saying what the statistics did: the warm-up
/// MSER-5 found and what sequential stopping reached, per scenario, and
/// whether scenarios share random numbers (`crn`: `None` with one scenario).
pub fn statistics(sums: &[ScenarioSummary], crn: Option<bool>) -> String {
    let mut out = String::new();
    for s in sums {
        if let Some(w) = s.warmup_s {
            let note = if s.warmup_at_limit {
                " (at MSER-5's limit, half the run: no end of the transient found; lengthen `duration`)"
            } else {
                ""
            };
            let _ = writeln!(out, "warm-up (MSER-5): {} {w:.3} s{note}", s.scenario);
        }
    }
    for s in sums {
        if let Some(st) = &s.stopping {
            let _ = writeln!(
                out,
                "stopping: {}: {} replications, {} ±{:.2}% at {}% (target ±{}%: {})",
                s.scenario,
                st.replications,
                st.rule.measure.name(),
                100.0 * st.relative_half_width,
                100.0 * st.rule.confidence,
                100.0 * st.rule.target,
                if st.met {
                    "met".to_string()
                } else {
                    format!("not met, stopped at max = {}", st.rule.max)
                }
            );
        }
    }
    for s in sums {
        if let Some((b, len_s)) = s.batches {
            let _ = writeln!(
                out,
                "batch means: {}: one run in {b} batches of {len_s:.3} s; the ± of avail, req/s and mean are theirs (t, {} df), percentiles have none",
                s.scenario,
                b - 1
            );
        }
    }
    match crn {
        Some(true) => {
            out.push_str("random numbers: common to all scenarios (common_random_numbers = true)\n")
        }
        Some(false) => out
            .push_str("random numbers: independent per scenario (common_random_numbers = false)\n"),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Estimate;

    fn summary(name: &str, mean_ms: f64) -> ScenarioSummary {
        let e = |m: f64| Estimate::from_samples(&[m, m * 1.1, m * 0.9]);
        ScenarioSummary {
            scenario: name.into(),
            replications: 3,
            requests: 1_000_000,
            ok: 999_000,
            failed: 1_000,
            availability: e(0.999),
            throughput_rps: e(65_432.1),
            mean_ms: e(mean_ms),
            p50_ms: e(mean_ms),
            p90_ms: e(mean_ms),
            p95_ms: e(mean_ms),
            p99_ms: e(mean_ms * 20.0),
            p999_ms: e(mean_ms * 30.0),
            max_ms: mean_ms * 40.0,
            warmup_s: None,
            warmup_at_limit: false,
            stopping: None,
            batches: None,
        }
    }

    #[test]
    fn a_failure_never_shows_as_a_full_hundred_percent() {
        assert_eq!(availability(1.0, 0), "100.00%");
        assert_eq!(availability(0.9628, 10), "96.28%");
        assert_eq!(availability(1.0 - 15.0 / 900_000.0, 15), "99.998%");
        assert_eq!(availability(1.0 - 1e-9, 1), "100.00000%");
    }

    #[test]
    fn a_huge_name_is_clipped_and_the_table_fits_120_columns() {
        let long = "x".repeat(65_536);
        let t = render(&[
            summary(&long, 1234.5),
            summary("web2-slows-at-60s/algorithm=roundrobin", 40.0),
        ]);
        for line in t.lines() {
            assert!(
                line.chars().count() <= 120,
                "{} wide: {line}",
                line.chars().count()
            );
        }
        assert!(t.contains(&format!("{}…", "x".repeat(NAME_CHARS - 1))));
    }

    #[test]
    fn the_footer_says_what_the_plus_minus_is_over() {
        let reps = render(&[summary("a", 5.0)]);
        assert!(reps.contains("± 95% CI over replications"), "{reps}");
        let mut one = summary("b", 5.0);
        one.batches = Some((20, 10.0));
        let batches = render(&[one.clone()]);
        assert!(
            batches.contains("± 95% CI over batch means of one run"),
            "{batches}"
        );
        // A mix of both: the general wording (each batch scenario says more).
        let mixed = render(&[one, summary("c", 5.0)]);
        assert!(mixed.contains("over replications"), "{mixed}");
    }
}
