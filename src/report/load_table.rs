//! `stacksim check`'s analytic table: each station's offered load, ρ (and
//! ρ at the peak of a varying rate), its estimated mean wait and the
//! queueing model behind it; a closed workload's exact MVA throughput and
//! response time with the asymptotic bounds; each scenario fault's effect
//! on the survivors; and a warning per station that is, or becomes,
//! overloaded — at the mean rate, at the peak, or during a fault. Lines stay
//! within [`WIDTH`] columns. The figures come from
//! `experiment::capacity`; this file only lays them out.

use super::topology::WIDTH;
use crate::experiment::capacity::{LoadReport, StationLoad};
use std::fmt::Write;

/// A wait in ms, `∞` when the station is unstable.
fn ms(s: f64) -> String {
    if s.is_finite() {
        format!("{:.3}", s * 1e3)
    } else {
        "∞".into()
    }
}

/// What overload does to a station: its queue limit fails the excess, or
/// its queue grows.
fn overload(s: &StationLoad, grows: &str) -> String {
    if s.bounded {
        "its queue limit will turn the excess into 503s".into()
    } else {
        format!("its queue grows {grows}")
    }
}

/// The load table (with the peak's ρ when the rate varies), the closed
/// workload's MVA figures, each fault's effect on the survivors, and a
/// warning line per station at or over capacity.
pub fn loads(r: &LoadReport) -> String {
    let mut o = String::new();
    let mut head = match (&r.closed, &r.peak) {
        (Some(c), _) => format!(
            "closed workload, {} users, think {:.0} ms: exact MVA gives X = {:.2} req/s, \
             R = {:.1} ms; bounds X ≤ {:.2} req/s = min(N/(Z + D), c/D of {}), \
             D = {:.1} ms; loads at X",
            c.users,
            c.think_s * 1e3,
            c.throughput_per_s,
            c.response_s * 1e3,
            c.bound_per_s,
            c.bottleneck,
            c.demand_s * 1e3
        ),
        (None, Some(p)) => format!(
            "offered load at the mean rate {:.1} req/s, and at the peak {:.1} req/s = {}",
            r.lambda_per_s, p.lambda_per_s, p.how
        ),
        (None, None) => format!("offered load at {:.1} req/s", r.lambda_per_s),
    };
    head.push_str(" (wait: mean in queue; En: round robin over n; ≈: Allen–Cunneen):");
    o.push_str(&crate::text::wrap(&head, WIDTH));
    if !o.ends_with('\n') {
        o.push('\n');
    }
    let peak = r.peak.as_ref();
    let _ = writeln!(
        o,
        "  {:<16} {:>7} {:>10} {:>10} {:>7} {:>7} {:>11}  model",
        "station",
        "workers",
        "λ/s",
        "hold ms",
        "ρ",
        if peak.is_some() { "ρ peak" } else { "" },
        "wait ms",
    );
    for (i, s) in r.stations.iter().enumerate() {
        let at_peak = peak.map_or(String::new(), |p| format!("{:.3}", p.stations[i].rho));
        let _ = writeln!(
            o,
            "  {:<16} {:>7} {:>10.1} {:>10.3} {:>7.3} {:>7} {:>11}  {}",
            crate::text::clip(&s.station, 16),
            s.workers,
            s.lambda_per_s,
            s.mean_hold_s * 1e3,
            s.rho,
            at_peak,
            ms(s.wait_s),
            s.model
        );
    }
    for f in &r.faults {
        let mut line = format!("during the fault {}", f.what);
        match f.not_estimated {
            Some(why) => line.push_str(&format!(": not estimated, {why}")),
            None if f.changed.is_empty() && f.lost_share == 0.0 => {
                line.push_str(": no station's load changes")
            }
            None => line.push_str(&format!(" ({}, {}):", f.during, f.lasts)),
        }
        if f.lost_share > 0.0 {
            line.push_str(&format!(
                " {:.0}% of requests reach no live component;",
                f.lost_share * 100.0
            ));
        }
        let _ = writeln!(o, "{}", crate::text::wrap(&line, WIDTH).trim_end());
        for (b, a) in &f.changed {
            if a.lambda_per_s == 0.0 {
                let _ = writeln!(o, "  {:<16} no traffic", crate::text::clip(&a.station, 16));
                continue;
            }
            let _ = writeln!(
                o,
                "  {:<16} ρ {:.3} → {:.3}, wait {} → {} ms ({})",
                crate::text::clip(&a.station, 16),
                b.rho,
                a.rho,
                ms(b.wait_s),
                ms(a.wait_s),
                a.model
            );
        }
    }
    let mut warn = |text: String| {
        o.push_str(&crate::text::wrap(&format!("warning: {text}"), WIDTH));
        if !o.ends_with('\n') {
            o.push('\n');
        }
    };
    for s in r.stations.iter().filter(|s| s.rho >= 1.0) {
        warn(format!(
            "{} is overloaded (ρ = {:.2} ≥ 1): {}",
            s.station,
            s.rho,
            overload(s, "without bound")
        ));
    }
    if let Some(p) = peak {
        for (s, top) in r.stations.iter().zip(&p.stations) {
            if s.rho < 1.0 && top.rho >= 1.0 {
                warn(format!(
                    "at the peak ({:.1} req/s) {} is offered ρ = {:.2} ≥ 1: {}",
                    p.lambda_per_s,
                    s.station,
                    top.rho,
                    overload(s, "while the rate is near its peak")
                ));
            }
        }
    }
    for f in &r.faults {
        for (_, a) in f
            .changed
            .iter()
            .filter(|(b, a)| b.rho < 1.0 && a.rho >= 1.0)
        {
            warn(format!(
                "{}, {} is offered ρ = {:.2}: {}",
                f.during,
                a.station,
                a.rho,
                overload(
                    a,
                    &if f.lasts == "for good" {
                        "from then on".to_string()
                    } else {
                        format!("for the fault's duration ({})", f.lasts)
                    }
                )
            ));
        }
    }
    o
}
