//! The output of `stacksim availability`: the printed comparison and two
//! CSV files (into a staged folder, see `output.rs`):
//! - `availability.csv`: one row per scenario, simulated and analytic;
//! - `availability_components.csv`: failures per year and share of the
//!   site's downtime per component.

use super::output::{OutputError, write_csv};
use crate::experiment::availability::ScenarioAvailability;
use std::fmt::Write as _;
use std::path::Path;

fn f(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(String::new, |x| f(x, decimals))
}

type Rows = Vec<Vec<String>>;

fn header(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|s| s.to_string()).collect()
}

fn scenario_rows(res: &[ScenarioAvailability]) -> Rows {
    let mut rows = vec![header(&[
        "scenario",
        "replications",
        "years",
        "availability",
        "availability_ci95",
        "nines",
        "downtime_min_per_year",
        "analytic_availability",
        "analytic_downtime_min_per_year",
    ])];
    for r in res {
        rows.push(vec![
            r.scenario.clone(),
            r.replications.to_string(),
            r.years.to_string(),
            f(r.availability(), 9),
            f(r.unavailability.half_width_95, 9),
            f(r.nines(), 4),
            f(r.downtime_min_per_year(), 3),
            opt(r.analytic_availability(), 9),
            opt(r.analytic_downtime_min_per_year(), 3),
        ]);
    }
    rows
}

fn component_rows(res: &[ScenarioAvailability]) -> Rows {
    let mut rows = vec![header(&[
        "scenario",
        "component",
        "failures_per_year",
        "downtime_share",
    ])];
    for r in res {
        for c in &r.components {
            rows.push(vec![
                r.scenario.clone(),
                c.name.clone(),
                f(c.failures_per_year, 4),
                f(c.downtime_share, 6),
            ]);
        }
    }
    rows
}

/// Writes both CSVs into `dir`, which the caller stages (see
/// [`super::output::Staged`]). Returns the file names written.
pub fn write(dir: &Path, res: &[ScenarioAvailability]) -> Result<Vec<String>, OutputError> {
    let files = [
        ("availability.csv", scenario_rows(res)),
        ("availability_components.csv", component_rows(res)),
    ];
    let mut names = vec![];
    for (name, rows) in &files {
        write_csv(&dir.join(name), rows)?;
        names.push(name.to_string());
    }
    Ok(names)
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", 100.0 * x)
    } else {
        "–".into()
    }
}

/// The printed comparison: per scenario, simulated (± 95% half width)
/// next to analytic, then the components.
pub fn render(res: &[ScenarioAvailability]) -> String {
    let mut s = String::new();
    for r in res {
        let _ = writeln!(
            s,
            "\n== {}: {} replication(s) × {} years, detection {}",
            r.scenario,
            r.replications,
            r.years,
            if r.detection.is_zero() {
                "none".to_string()
            } else {
                r.detection.to_string()
            }
        );
        let _ = writeln!(s, "{:<22}{:>28}{:>16}", "", "simulated", "analytic");
        let hw = r.unavailability.half_width_95;
        let an = |x: Option<f64>, d: usize| x.map_or_else(|| "skipped".into(), |x| f(x, d));
        let _ = writeln!(
            s,
            "{:<22}{:>28}{:>16}",
            "availability",
            format!("{} ± {}", f(r.availability(), 6), f(hw, 6)),
            an(r.analytic_availability(), 6)
        );
        let _ = writeln!(
            s,
            "{:<22}{:>28}{:>16}",
            "nines",
            f(r.nines(), 2),
            an(r.analytic_nines(), 2)
        );
        let _ = writeln!(
            s,
            "{:<22}{:>28}{:>16}",
            "downtime min/year",
            format!(
                "{} ± {}",
                f(r.downtime_min_per_year(), 1),
                f(r.downtime_ci95_min_per_year(), 1)
            ),
            an(r.analytic_downtime_min_per_year(), 1)
        );
        if r.vrrp_gap_min_per_year > 0.0 {
            let _ = writeln!(
                s,
                "  (VRRP takeover gaps, in the simulation only: ≈ {:.2} min/year expected)",
                r.vrrp_gap_min_per_year
            );
        }
        if r.analytic_unavailability.is_none() {
            let _ = writeln!(
                s,
                "  (analytic figure skipped: more than {} failing components)",
                crate::experiment::availability::exact::MAX_ENUMERATED
            );
        }
        if r.components.is_empty() {
            let _ = writeln!(s, "no component has a `reliability`: nothing ever fails");
            continue;
        }
        let _ = writeln!(
            s,
            "{:<22}{:>14}{:>14}{:>14}{:>14}",
            "component", "failures/yr", "analytic", "share down", "analytic"
        );
        for c in &r.components {
            let _ = writeln!(
                s,
                "{:<22}{:>14}{:>14}{:>14}{:>14}",
                format!("{} ({})", c.name, c.kind),
                f(c.failures_per_year, 3),
                f(c.analytic_failures_per_year, 3),
                pct(c.downtime_share),
                c.analytic_downtime_share.map_or_else(|| "–".into(), pct)
            );
        }
    }
    s
}
