//! The planner's output: `plan.csv` (one row per simulated run of every
//! evaluated point, with its SLOs, so the plan chart and the reports are
//! built from the file alone) and the evidence table `stacksim plan`
//! prints under its recommendation.

use super::output::{OutputError, write_csv};
use crate::plan::{PlanResult, Point, Run, Verdict, knob_phrase};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn f(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

/// The columns of `plan.csv`.
pub const PLAN_COLUMNS: &[&str] = &[
    "order",
    "knob",
    "value",
    "run",
    "replications",
    "measure",
    "slo_ms",
    "measure_ms",
    "measure_ms_ci95",
    "mean_ms",
    "mean_ms_ci95",
    "errors",
    "errors_ci95",
    "max_errors",
    "latency_verdict",
    "errors_verdict",
    "run_verdict",
    "analytic_mean_ms",
    "analytic_busiest",
    "analytic_rho",
    "analytic_model",
    "availability",
    "availability_ci95",
    "analytic_availability",
    "min_availability",
    "point_verdict",
    "recommended",
    "why",
];

/// `all`, or `without web1` (N+1).
fn run_label(r: &Run) -> String {
    r.without
        .as_ref()
        .map_or_else(|| "all".into(), |w| format!("without {w}"))
}

fn rows(p: &PlanResult) -> Vec<Vec<String>> {
    let s = &p.spec;
    let mut out = vec![PLAN_COLUMNS.iter().map(|c| c.to_string()).collect()];
    for pt in &p.points {
        let value = crate::input::range::shown(&crate::input::range::number(pt.value));
        for (k, r) in pt.runs.iter().enumerate() {
            let av = pt.availability.as_ref().filter(|_| k == 0);
            out.push(vec![
                pt.order.to_string(),
                s.knob.word().into(),
                value.clone(),
                run_label(r),
                r.replications.to_string(),
                s.measure.name().into(),
                f(s.max_latency_ms, 3),
                f(r.latency_ms.mean, 3),
                f(r.latency_ms.half_width_95, 3),
                f(r.mean_ms.mean, 3),
                f(r.mean_ms.half_width_95, 3),
                f(r.errors.mean, 6),
                f(r.errors.half_width_95, 6),
                f(s.max_errors, 6),
                r.latency.word().into(),
                r.error_verdict.word().into(),
                r.verdict.word().into(),
                f(r.analytic.mean_ms, 3),
                r.analytic.busiest.clone(),
                f(r.analytic.rho, 4),
                r.analytic.model.clone(),
                av.map_or(String::new(), |a| f(a.simulated.mean, 6)),
                av.map_or(String::new(), |a| f(a.simulated.half_width_95, 6)),
                av.and_then(|a| a.analytic)
                    .map_or(String::new(), |x| f(x, 6)),
                s.min_availability.map_or(String::new(), |x| f(x, 6)),
                pt.verdict.word().into(),
                u8::from(p.answer == Some(pt.value)).to_string(),
                r.why.clone(),
            ]);
        }
    }
    out
}

/// Writes `plan.csv` into `dir`.
pub fn write(dir: &Path, p: &PlanResult) -> Result<Vec<PathBuf>, OutputError> {
    let path = dir.join("plan.csv");
    write_csv(&path, &rows(p))?;
    Ok(vec![path])
}

fn pm(mean: f64, hw: f64, d: usize, unit: &str) -> String {
    match (mean.is_finite(), hw.is_finite()) {
        (true, true) => format!("{mean:.d$} ±{hw:.d$}{unit}"),
        (true, false) => format!("{mean:.d$}{unit}"),
        _ => "-".into(),
    }
}

/// What the SLOs are, in words: `p99 ≤ 250 ms, errors ≤ 0.1%, N+1`.
pub fn slos(p: &PlanResult) -> String {
    let s = &p.spec;
    let mut parts = vec![
        format!("{} ≤ {} ms", s.measure.name(), f(s.max_latency_ms, 0)),
        format!("errors ≤ {}%", 100.0 * s.max_errors),
    ];
    if s.n_plus_one {
        parts.push("N+1 (the same load without the biggest server)".into());
    }
    if let Some(a) = s.min_availability {
        parts.push(format!("availability ≥ {}%", 100.0 * a));
    }
    parts.join(", ")
}

/// Why a point did not pass, in a few words.
fn failed_because(pt: &Point) -> String {
    let mut why = vec![];
    for r in &pt.runs {
        let tag = r
            .without
            .as_ref()
            .map_or(String::new(), |w| format!(" without {w}"));
        if r.latency != Verdict::Pass {
            why.push(format!("{}{tag} {}", "latency", r.latency.word()));
        }
        if r.error_verdict != Verdict::Pass {
            why.push(format!("errors{tag} {}", r.error_verdict.word()));
        }
    }
    if let Some(a) = &pt.availability
        && a.verdict != Verdict::Pass
    {
        why.push(format!("availability {}", a.verdict.word()));
    }
    why.join(", ")
}

/// The recommendation and the evidence table.
pub fn render(p: &PlanResult) -> String {
    let s = &p.spec;
    let mut o = String::new();
    let measure = s.measure.name();
    let header = [
        "#",
        s.knob.word(),
        "run",
        "reps",
        measure,
        "errors",
        "mean",
        "≈ theory",
        "busiest (ρ, model)",
        "verdict",
    ];
    let mut rows: Vec<Vec<String>> = vec![];
    let mut whys: Vec<String> = vec![];
    for pt in &p.points {
        for (k, r) in pt.runs.iter().enumerate() {
            let verdict = if k + 1 == pt.runs.len() {
                let mark = if p.answer == Some(pt.value) {
                    " ◀"
                } else {
                    ""
                };
                format!("{}{mark}", pt.verdict.word())
            } else {
                String::new()
            };
            rows.push(vec![
                if k == 0 {
                    pt.order.to_string()
                } else {
                    String::new()
                },
                if k == 0 {
                    crate::input::range::shown(&crate::input::range::number(pt.value))
                } else {
                    String::new()
                },
                run_label(r),
                r.replications.to_string(),
                pm(r.latency_ms.mean, r.latency_ms.half_width_95, 1, " ms"),
                pm(
                    100.0 * r.errors.mean,
                    100.0 * r.errors.half_width_95,
                    3,
                    "%",
                ),
                pm(r.mean_ms.mean, r.mean_ms.half_width_95, 1, " ms"),
                if r.analytic.mean_ms.is_finite() {
                    format!("{:.1} ms", r.analytic.mean_ms)
                } else {
                    "overload".into()
                },
                format!(
                    "{} {:.2} {}",
                    r.analytic.busiest, r.analytic.rho, r.analytic.model
                ),
                verdict,
            ]);
            whys.push(r.why.clone());
        }
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i == 2 || i == 8 {
                let _ = write!(l, "{c}{}  ", " ".repeat(pad));
            } else {
                let _ = write!(l, "{}{c}  ", " ".repeat(pad));
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(o, "{}", line(&header.map(String::from)));
    for (r, why) in rows.iter().zip(&whys) {
        let _ = writeln!(o, "{}", line(r));
        if !why.is_empty() {
            let _ = writeln!(o, "{}↳ {why}", " ".repeat(widths[0] + 2));
        }
    }
    o.push('\n');
    let _ = writeln!(o, "SLOs: {}", slos(p));
    match p.answer {
        None if !p.complete => {
            let _ = writeln!(
                o,
                "recommendation: none — the search was interrupted (Ctrl-C) after {} point(s)",
                p.points.len()
            );
        }
        Some(v) => {
            let _ = writeln!(o, "recommendation: {}", knob_phrase(s.knob, v));
            let nearest = (p.points.iter())
                .filter(|pt| pt.verdict != Verdict::Pass)
                .filter(|pt| (pt.value < v) == s.knob.more_helps())
                .min_by(|a, b| (a.value - v).abs().total_cmp(&(b.value - v).abs()));
            if let Some(n) = nearest {
                let _ = writeln!(
                    o,
                    "  {} does not: {}",
                    knob_phrase(s.knob, n.value),
                    failed_because(n)
                );
            }
        }
        None => {
            let _ = writeln!(
                o,
                "recommendation: none — even {} does not meet the SLOs ({}); widen `from`/`to` or relax the SLOs",
                knob_phrase(s.knob, if s.knob.more_helps() { s.to } else { s.from }),
                p.points
                    .iter()
                    .find(|pt| pt.value == if s.knob.more_helps() { s.to } else { s.from })
                    .map_or(String::new(), failed_because)
            );
        }
    }
    for pt in p.undecided() {
        let _ = writeln!(
            o,
            "note: {} stayed undecided at the cap of {} replications (its interval straddles an SLO); counted as not passing",
            knob_phrase(s.knob, pt.value),
            s.max_replications
        );
    }
    o
}
