//! Latency over time, the chart of a failure experiment: per window of
//! simulated time, p50 and p99 (mean over replications, the p99's range
//! over replications as a band; log axis), vertical labelled markers at
//! each fault, recovery and health-check verdict of the first replication
//! (from `timeline.csv`), and beneath, on the same time axis, the rate of
//! failed requests stacked by reason (`failures_over_time.csv`, in the
//! outcomes chart's colours; by completion time, so a request that fails
//! after its retries shows when it gives up). One chart per scenario that
//! has events; an experiment without any gets one chart, of its first
//! scenario. A folder of an older run without `failures_over_time.csv`
//! shows all reasons together.

use super::style::{
    LegendEntry, Shape, Theme, TimeY, colour, fmt_ms, fmt_rps, legend_width, log_ticks,
    reason_colour, time_chart, tint, y_ticks,
};
use super::{Area, Backend, Drawn};
use crate::report::data::Folder;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The scenarios that get a chart: those with timeline events, else the first.
pub fn scenarios_to_draw(f: &Folder) -> Vec<String> {
    let all = f.scenarios();
    let with: Vec<String> = (all.iter())
        .filter(|s| f.timeline.iter().any(|e| &e.scenario == *s))
        .cloned()
        .collect();
    if with.is_empty() {
        all.into_iter().take(1).collect()
    } else {
        with
    }
}

/// One window's figures across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub t_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p99_lo_ms: f64,
    pub p99_hi_ms: f64,
    pub failed_per_s: f64,
    /// Failed requests per second by reason, in the order of [`reasons`].
    pub failed_by_per_s: Vec<f64>,
}

/// The failure reasons of the lower panel, in the outcomes chart's order
/// (so each keeps its colour); empty when the folder has no
/// `failures_over_time.csv`.
pub fn reasons(f: &Folder) -> Vec<String> {
    if f.window_failures.is_empty() {
        return vec![];
    }
    let mut order = super::outcomes::failures_by_reason(f).0;
    // Reasons seen only during the warm-up are not in failures.csv.
    let mut extra: Vec<String> = (f.window_failures.iter())
        .map(|x| x.reason.clone())
        .filter(|r| !order.contains(r))
        .collect();
    extra.sort();
    extra.dedup();
    order.extend(extra);
    order
}

fn mean(xs: &[f64]) -> f64 {
    let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// The scenario's windows, in time order, and the window length in seconds.
pub fn series(f: &Folder, scenario: &str) -> (Vec<Point>, f64) {
    let mut ws: Vec<_> = f
        .windows
        .iter()
        .filter(|w| w.scenario == scenario)
        .collect();
    ws.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    let mut times: Vec<f64> = ws.iter().map(|w| w.t_s).collect();
    times.dedup();
    let window_s = (times.windows(2).map(|p| p[1] - p[0]))
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    let window_s = if window_s.is_finite() { window_s } else { 1.0 };
    let reasons = reasons(f);
    let mine: Vec<_> = (f.window_failures.iter())
        .filter(|x| x.scenario == scenario)
        .collect();
    let points = (times.iter())
        .map(|&t| {
            let at: Vec<_> = ws.iter().filter(|w| w.t_s == t).collect();
            let p99: Vec<f64> = at
                .iter()
                .map(|w| w.p99_ms)
                .filter(|x| x.is_finite())
                .collect();
            let lo = p99.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = p99.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Point {
                t_s: t,
                p50_ms: mean(&at.iter().map(|w| w.p50_ms).collect::<Vec<_>>()),
                p99_ms: mean(&p99),
                p99_lo_ms: if lo.is_finite() { lo } else { f64::NAN },
                p99_hi_ms: if hi.is_finite() { hi } else { f64::NAN },
                failed_per_s: mean(&at.iter().map(|w| w.failed).collect::<Vec<_>>()) / window_s,
                failed_by_per_s: (reasons.iter())
                    .map(|r| {
                        let n: f64 = (mine.iter())
                            .filter(|x| x.t_s == t && &x.reason == r)
                            .map(|x| x.count)
                            .sum();
                        n / at.len().max(1) as f64 / window_s
                    })
                    .collect(),
            }
        })
        .collect();
    (points, window_s)
}

/// The first replication's events of the scenario: (time, what).
pub fn events(f: &Folder, scenario: &str) -> Vec<(f64, String)> {
    let mine: Vec<_> = f
        .timeline
        .iter()
        .filter(|e| e.scenario == scenario)
        .collect();
    let first = mine
        .iter()
        .map(|e| e.replication)
        .fold(f64::INFINITY, f64::min);
    (mine.iter())
        .filter(|e| e.replication == first)
        .map(|e| (e.t_s, e.event.clone()))
        .collect()
}

/// Runs of consecutive points where `y` is finite and positive.
fn runs(points: &[Point], y: impl Fn(&Point) -> f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![vec![]];
    for p in points {
        let v = y(p);
        if v.is_finite() && v > 0.0 {
            out.last_mut().expect("never empty").push((p.t_s, v));
        } else if !out.last().expect("never empty").is_empty() {
            out.push(vec![]);
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder, scenario: &str) -> Drawn {
    let (points, window_s) = series(f, scenario);
    let evs = events(f, scenario);
    let title = format!("Latency over time — {scenario}");
    let reps = (f.summary.iter().find(|s| s.scenario == scenario)).map_or(0.0, |s| s.replications);
    let sub = format!(
        "{} · {} s windows · mean of {reps} replication(s); markers: events of replication 1",
        f.meta("experiment").unwrap_or(""),
        window_s
    );
    let body = th.titled(root, &title, &sub)?;
    let reasons = reasons(f);
    // The reasons this scenario saw, with their experiment-wide index (colour).
    let shown: Vec<(usize, &String)> = (reasons.iter().enumerate())
        .filter(|(i, _)| points.iter().any(|p| p.failed_by_per_s[*i] > 0.0))
        .collect();
    let mut labels: Vec<&str> = vec!["p99 (mean)", "p99 range over reps", "p50 (mean)", "event"];
    if reasons.is_empty() {
        labels.push("failed requests");
    }
    labels.extend(shown.iter().map(|(_, r)| r.as_str()));
    let (plot, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    let blue = colour(0);
    let green = colour(2);
    let red = colour(1);
    let mut entries = vec![
        LegendEntry {
            label: labels[0].into(),
            colour: blue,
            shape: Some(Shape::Circle),
            line: true,
        },
        LegendEntry {
            label: labels[1].into(),
            colour: tint(blue, 0.25),
            shape: None,
            line: false,
        },
        LegendEntry {
            label: labels[2].into(),
            colour: green,
            shape: Some(Shape::Triangle),
            line: true,
        },
        LegendEntry {
            label: labels[3].into(),
            colour: RGBColor(0x66, 0x66, 0x66),
            shape: None,
            line: true,
        },
    ];
    if reasons.is_empty() {
        entries.push(LegendEntry {
            label: "failed requests".into(),
            colour: tint(red, 0.5),
            shape: None,
            line: false,
        });
    }
    entries.extend(shown.iter().map(|&(i, r)| LegendEntry {
        label: r.clone(),
        colour: reason_colour(i),
        shape: None,
        line: false,
    }));
    th.legend(&legend, "Series (failed: by reason)", &entries)?;
    if points.is_empty() {
        th.empty(&plot, "no time series in this folder")?;
        return Ok(title);
    }
    let t0 = points
        .first()
        .map_or(0.0, |p| p.t_s)
        .min(evs.iter().map(|e| e.0).fold(f64::INFINITY, f64::min));
    let t1 = points.last().map_or(1.0, |p| p.t_s + window_s);
    let (top, bottom) = plot.split_vertically(plot.dim_in_pixel().1 as i32 * 64 / 100);

    // Latency panel.
    let finite = |v: f64| v.is_finite() && v > 0.0;
    let lo = (points.iter().flat_map(|p| [p.p50_ms, p.p99_lo_ms]))
        .filter(|v| finite(*v))
        .fold(f64::INFINITY, f64::min);
    let hi = (points.iter().flat_map(|p| [p.p99_hi_ms, p.p99_ms]))
        .filter(|v| finite(*v))
        .fold(0.0, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > 0.0 {
        (lo / 1.6, hi * 2.5)
    } else {
        (0.1, 1000.0)
    };
    let latency = TimeY {
        desc: "latency (log scale)",
        labels: None,
    };
    let mut c = time_chart(
        &top,
        th,
        (t0, t1),
        (lo..hi).log_scale(),
        latency,
        false,
        0.0,
    )?;
    y_ticks(th, &mut c, &top, &log_ticks(lo, hi), fmt_ms)?;
    draw_events(&mut c, th, &evs, t0, t1, true)?;
    for r in runs(&points, |p| p.p99_hi_ms) {
        let lows: Vec<(f64, f64)> = (points.iter())
            .filter(|p| r.iter().any(|q| q.0 == p.t_s) && finite(p.p99_lo_ms))
            .map(|p| (p.t_s, p.p99_lo_ms))
            .collect();
        let mut poly = r.clone();
        poly.extend(lows.into_iter().rev());
        c.draw_series(std::iter::once(Polygon::new(poly, blue.mix(0.22).filled())))?;
    }
    let every = (points.len() / 14).max(1);
    for (y, col, shp) in [(0usize, blue, Shape::Circle), (1, green, Shape::Triangle)] {
        let get = move |p: &Point| if y == 0 { p.p99_ms } else { p.p50_ms };
        for r in runs(&points, get) {
            c.draw_series(LineSeries::new(r.clone(), th.line(col, 2.0)))?;
        }
        let marks: Vec<(f64, f64)> = (points.iter().enumerate())
            .filter(|(i, p)| i % every == 0 && finite(get(p)))
            .map(|(_, p)| (p.t_s, get(p)))
            .collect();
        th.markers(&mut c, &marks, shp, col, 0)?;
    }

    // Failure-rate panel.
    let fmax = points
        .iter()
        .map(|p| p.failed_per_s)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let fmax = if fmax > 0.0 { fmax * 1.15 } else { 1.0 };
    let failed = TimeY {
        desc: "failed (when given up)",
        labels: Some((4, &|v| fmt_rps(*v))),
    };
    let mut c2 = time_chart(&bottom, th, (t0, t1), 0.0..fmax, failed, true, 6.0)?;
    draw_events(&mut c2, th, &evs, t0, t1, false)?;
    // A step curve of `v` per window.
    let steps = |v: &dyn Fn(&Point) -> f64| -> Vec<(f64, f64)> {
        (points.iter())
            .flat_map(|p| {
                let v = v(p);
                let v = if v.is_finite() { v } else { 0.0 };
                [(p.t_s, v), (p.t_s + window_s, v)]
            })
            .collect()
    };
    if reasons.is_empty() {
        let total = steps(&|p| p.failed_per_s);
        c2.draw_series(AreaSeries::new(total, 0.0, red.mix(0.45)).border_style(th.line(red, 1.5)))?;
        return Ok(title);
    }
    // Stacked: the sum of the first k reasons, drawn from the top down so
    // that each reason's band shows in its colour.
    for k in (0..shown.len()).rev() {
        let upto: Vec<usize> = shown[..=k].iter().map(|&(i, _)| i).collect();
        let curve = steps(&|p| upto.iter().map(|&i| p.failed_by_per_s[i]).sum());
        let c = reason_colour(shown[k].0);
        c2.draw_series(AreaSeries::new(curve, 0.0, c.mix(0.85)).border_style(th.line(c, 1.0)))?;
    }
    Ok(title)
}

/// Vertical lines at each event; if `labelled`, labels in rows chosen so
/// that no two overlap (an event without room keeps its line only).
fn draw_events<DB: Backend, Y: plotters::coord::ranged1d::Ranged<ValueType = f64>>(
    c: &mut ChartContext<DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    th: &Theme,
    evs: &[(f64, String)],
    t0: f64,
    t1: f64,
    labelled: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let grey = RGBColor(0x66, 0x66, 0x66);
    let (y_lo, y_hi) = {
        let r = c.y_range();
        (r.start, r.end)
    };
    let mut row_ends: Vec<f64> = vec![];
    let span = t1 - t0;
    let (w_px, _) = c.plotting_area().dim_in_pixel();
    let s_per_px = span / w_px.max(1) as f64;
    let rows = 7usize;
    for (t, what) in evs {
        c.draw_series(std::iter::once(PathElement::new(
            vec![(*t, y_lo), (*t, y_hi)],
            th.line(grey, 1.0),
        )))?;
        if !labelled {
            continue;
        }
        let width_s = (what.chars().count() as f64 * 7.6 + 8.0) * th.k * s_per_px;
        let (start, end, anchor) = if t + width_s <= t1 {
            (*t, t + width_s, true)
        } else {
            (t - width_s, *t, false)
        };
        let Some(row) = (0..rows).find(|&r| row_ends.get(r).is_none_or(|&e| e < start)) else {
            continue;
        };
        if row_ends.len() <= row {
            row_ends.push(end);
        } else {
            row_ends[row] = end;
        }
        let (dx, anchor) = if anchor {
            (th.px(4.0), HPos::Left)
        } else {
            (-th.px(4.0), HPos::Right)
        };
        let dy = th.px(12.0 + 19.0 * row as f64);
        let style = th.text(14.0).color(&RGBColor(0x33, 0x33, 0x33));
        c.draw_series(std::iter::once(
            EmptyElement::at((*t, y_hi))
                + Text::new(
                    what.clone(),
                    (dx, dy),
                    style.pos(Pos::new(anchor, VPos::Center)),
                ),
        ))?;
    }
    Ok(())
}
