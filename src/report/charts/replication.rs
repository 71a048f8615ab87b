//! Replication charts, drawn only when the folder has `replication.csv`
//! (the model replicates): the lag over time (`Seconds_Behind_Source` of
//! the laggiest replica, mean over the replications that report one of
//! each window's mean; log axis; a gap where none does, as while the
//! primary is down and every replica's lag is NULL — and, under the
//! chart, a strip with a bar per scenario over its NULL windows, since
//! lines at 0 hide one another at the floor), the stale-read share over
//! time (stale reads over reads in
//! each window, pooled over replications), one line per scenario (the
//! first 16, so colours and markers stay distinct), and a summary of
//! every scenario: mean lag and stale share with 95% CI whiskers.

use super::bars::{self, row};
use super::style::{
    LegendEntry, Theme, TimeY, colour, fmt_ms, legend_width, log_ticks, pct_axis, shape,
    time_chart, y_ticks,
};
use super::{Area, Backend, Drawn};
use crate::report::data::{Folder, ReplWindow};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Scenarios drawn as lines at most.
const MAX_LINES: usize = 16;

/// Per scenario (in order), per window: (t, value) from the windows.
fn series(f: &Folder, value: impl Fn(&[&ReplWindow]) -> f64) -> Vec<(String, Vec<(f64, f64)>)> {
    let mut out = vec![];
    for sc in f.scenarios().into_iter().take(MAX_LINES) {
        let rows: Vec<&ReplWindow> = (f.replication_windows.iter())
            .filter(|w| w.scenario == sc)
            .collect();
        let mut ts: Vec<f64> = rows.iter().map(|w| w.t_s).collect();
        ts.sort_by(f64::total_cmp);
        ts.dedup();
        let pts = ts
            .into_iter()
            .map(|t| {
                let at: Vec<&ReplWindow> = rows.iter().copied().filter(|w| w.t_s == t).collect();
                (t, value(&at))
            })
            .collect();
        out.push((sc, pts));
    }
    out
}

fn legend<DB: Backend>(
    body: &Area<DB>,
    th: &Theme,
    names: &[String],
) -> Result<Area<DB>, Box<dyn std::error::Error>> {
    let labels: Vec<&str> = names.iter().map(String::as_str).collect();
    let (plot, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    let entries: Vec<LegendEntry> = (names.iter().enumerate())
        .map(|(i, n)| LegendEntry {
            label: n.clone(),
            colour: colour(i),
            shape: Some(shape(i)),
            line: true,
        })
        .collect();
    th.legend(&legend, "Scenario", &entries)?;
    Ok(plot)
}

fn subtitle(f: &Folder, what: &str) -> String {
    let more = if f.scenarios().len() > MAX_LINES {
        format!(" · first {MAX_LINES} scenarios")
    } else {
        String::new()
    };
    format!("{} · {what}{more}", f.meta("experiment").unwrap_or(""))
}

/// Draws lines with markers every few points, broken where a value is
/// missing (NaN): a gap, not a line across it.
fn lines<DB: Backend, Y: plotters::coord::ranged1d::Ranged<ValueType = f64>>(
    c: &mut ChartContext<DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    th: &Theme,
    all: &[(String, Vec<(f64, f64)>)],
    clip: impl Fn(f64) -> f64,
) -> Result<(), Box<dyn std::error::Error>> {
    for (i, (_, pts)) in all.iter().enumerate() {
        for run in pts.split(|p| !p.1.is_finite()).filter(|r| !r.is_empty()) {
            let run = run.iter().map(|&(t, v)| (t, clip(v)));
            c.draw_series(LineSeries::new(run, th.line(colour(i), 2.0)))?;
        }
        let pts: Vec<(f64, f64)> = (pts.iter())
            .filter(|p| p.1.is_finite())
            .map(|&(t, v)| (t, clip(v)))
            .collect();
        let every = (pts.len() / 12).max(1);
        let marks: Vec<(f64, f64)> = pts.iter().copied().step_by(every).collect();
        th.markers(c, &marks, shape(i), colour(i), 0)?;
    }
    Ok(())
}

fn time_range(all: &[(String, Vec<(f64, f64)>)]) -> (f64, f64) {
    let ts = all.iter().flat_map(|s| s.1.iter().map(|p| p.0));
    let (lo, hi) = ts.fold((f64::INFINITY, 0.0f64), |(a, b), t| (a.min(t), b.max(t)));
    if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

pub fn lag<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Replication lag over time".to_string();
    // NULL windows (empty cells) are left out of the mean; none left: a gap.
    let all = series(f, |ws| {
        let v: Vec<f64> = (ws.iter().map(|w| w.lag_mean_s))
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    });
    let any_null = all.iter().any(|s| s.1.iter().any(|p| !p.1.is_finite()));
    let sub = subtitle(
        f,
        if any_null {
            "Seconds_Behind_Source of the laggiest replica, mean over replications (log scale; 0 drawn at the floor; NULL: a gap, and a bar below)"
        } else {
            "Seconds_Behind_Source of the laggiest replica, mean over replications (log scale; 0 drawn at the floor; gap: NULL)"
        },
    );
    let body = th.titled(root, &title, &sub)?;
    let names: Vec<String> = all.iter().map(|s| s.0.clone()).collect();
    let plot = legend(&body, th, &names)?;
    let (t0, t1) = time_range(&all);
    let ms: Vec<f64> = (all.iter().flat_map(|s| s.1.iter().map(|p| p.1 * 1e3)))
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let hi = ms.iter().copied().fold(0.0, f64::max);
    let lo = ms.iter().copied().fold(f64::INFINITY, f64::min);
    let (lo, hi) = if hi > 0.0 {
        ((lo / 1.5).max(hi * 1e-4).max(0.01), hi * 2.0)
    } else {
        (0.01, 1.0)
    };
    let lag = TimeY {
        desc: "replication lag",
        labels: None,
    };
    // Lines at 0 lie on top of each other at the floor; a NULL is a gap in
    // its line. Where some scenario has NULL windows, a strip under the
    // chart shows them per scenario, so that "0" and "NULL" (the replica
    // believing it is connected, or knowing it is not) read apart.
    let (top, strip) = if any_null {
        let h = plot.dim_in_pixel().1 as i32;
        // 22 px a row, the strip at most 40% of the chart.
        let rows_h = (22.0 * all.len() as f64).min(0.4 * f64::from(h) / th.k);
        let strip_h = th.px(56.0 + rows_h);
        let (a, b) = plot.split_vertically(h - strip_h);
        (a, Some(b))
    } else {
        (plot, None)
    };
    let mut c = time_chart(
        &top,
        th,
        (t0, t1),
        (lo..hi).log_scale(),
        lag,
        strip.is_none(),
        0.0,
    )?;
    y_ticks(th, &mut c, &top, &log_ticks(lo, hi), fmt_ms)?;
    let ms_all: Vec<(String, Vec<(f64, f64)>)> = (all.iter())
        .map(|(n, p)| (n.clone(), p.iter().map(|&(t, v)| (t, v * 1e3)).collect()))
        .collect();
    lines(&mut c, th, &ms_all, |v| v.clamp(lo, hi))?;
    if let Some(strip) = strip {
        null_strip(&strip, th, &all, (t0, t1))?;
    }
    Ok(title)
}

/// One row per scenario under the lag chart, filled in the scenario's
/// colour over the windows where every replication reported NULL.
fn null_strip<DB: Backend>(
    area: &Area<DB>,
    th: &Theme,
    all: &[(String, Vec<(f64, f64)>)],
    (t0, t1): (f64, f64),
) -> Result<(), Box<dyn std::error::Error>> {
    let n = all.len() as f64;
    let y = TimeY {
        desc: "lag NULL",
        labels: None,
    };
    let mut c = time_chart(area, th, (t0, t1), 0.0..n, y, true, 6.0)?;
    let named = all.iter().all(|(name, _)| name.chars().count() <= 10);
    for (i, (name, pts)) in all.iter().enumerate() {
        // Row i from the top; a window lasts until the next one starts.
        let (y0, y1) = (n - 1.0 - i as f64 + 0.2, n - i as f64 - 0.2);
        let width = window_width(pts);
        let fill = colour(i).filled();
        let bars = (pts.iter().filter(|p| !p.1.is_finite()))
            .map(|&(t, _)| Rectangle::new([(t, y0), ((t + width).min(t1), y1)], fill));
        c.draw_series(bars)?;
        // The y label area holds about 10 characters beside its title:
        // longer names would be cut to look alike, so then the rows go by
        // colour alone, in the legend's order.
        if named {
            let (px, py) = c.backend_coord(&(t0, (y0 + y1) / 2.0));
            let style = th.tick().pos(Pos::new(HPos::Right, VPos::Center));
            super::style::text_at(area, (px - th.px(8.0), py), name, style)?;
        }
    }
    Ok(())
}

/// The spacing of a series' windows (the smallest step between them).
fn window_width(pts: &[(f64, f64)]) -> f64 {
    let step = (pts.windows(2).map(|w| w[1].0 - w[0].0))
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    if step.is_finite() { step } else { 1.0 }
}

pub fn stale<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Stale reads over time".to_string();
    let sub = subtitle(
        f,
        "reads that returned an older version than the primary's, per window, pooled over replications",
    );
    let body = th.titled(root, &title, &sub)?;
    let all = series(f, |ws| {
        let reads: f64 = ws.iter().map(|w| w.reads).sum();
        let stale: f64 = ws.iter().map(|w| w.stale_reads).sum();
        if reads > 0.0 { stale / reads } else { f64::NAN }
    });
    let names: Vec<String> = all.iter().map(|s| s.0.clone()).collect();
    let plot = legend(&body, th, &names)?;
    let (t0, t1) = time_range(&all);
    let hi = (all.iter().flat_map(|s| s.1.iter().map(|p| p.1)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let hi = if hi > 0.0 { (hi * 1.15).min(1.0) } else { 0.01 };
    let pct = pct_axis(hi, 6);
    let share = TimeY {
        desc: "stale reads",
        labels: Some((6, &pct)),
    };
    let mut c = time_chart(&plot, th, (t0, t1), 0.0..hi, share, true, 0.0)?;
    lines(&mut c, th, &all, |v| v)?;
    Ok(title)
}

/// One panel of the summary: its area, (value, CI half width) per
/// scenario, tick format, axis title, row-label width.
type Panel<'a, DB> = (
    &'a Area<DB>,
    Vec<(f64, f64)>,
    &'a dyn Fn(&f64) -> String,
    &'a str,
    f64,
);

/// Every scenario: mean lag (left) and stale share (right), 95% CI whiskers.
pub fn summary<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Replication lag and stale reads per scenario".to_string();
    let sub = format!(
        "{} · mean Seconds_Behind_Source of the laggiest replica and share of stale reads (95% CI over replications)",
        f.meta("experiment").unwrap_or("")
    );
    let body = th.titled(root, &title, &sub)?;
    let names: Vec<String> = f.replication.iter().map(|r| r.scenario.clone()).collect();
    let n = names.len();
    let label_px = bars::label_width(&names);
    let (left, right) = body.split_horizontally(body.dim_in_pixel().0 as i32 * 55 / 100);
    let stale_hi = (f.replication.iter())
        .map(|r| r.stale_share + r.stale_share_ci95.max(0.0))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    // The value axis runs to 1.3 × the largest whisker with 6 labels (below).
    let stale_fmt = pct_axis((stale_hi * 1.3).max(1e-6), 6);
    let panels: [Panel<DB>; 2] = [
        (
            &left,
            (f.replication.iter())
                .map(|r| (r.lag_mean_s * 1e3, r.lag_mean_s_ci95 * 1e3))
                .collect(),
            &|v: &f64| fmt_ms(*v),
            "mean replication lag",
            label_px,
        ),
        (
            &right,
            (f.replication.iter())
                .map(|r| (r.stale_share, r.stale_share_ci95))
                .collect(),
            &stale_fmt,
            "stale reads",
            10.0,
        ),
    ];
    for (k, (area, vals, fmt, desc, lp)) in panels.into_iter().enumerate() {
        let max = (vals.iter())
            .map(|(v, h)| v + if h.is_finite() { *h } else { 0.0 })
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let shown = if k == 0 {
            names.clone()
        } else {
            vec![String::new(); n]
        };
        let mut c = bars::chart(area, th, &shown, 0.0..(max * 1.3).max(1e-6), fmt, desc, lp)?;
        for (i, (v, h)) in vals.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let (y0, y1) = row(i, n, 0.2);
            c.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y0), (*v, y1)],
                colour(k).mix(0.55).filled(),
            )))?;
            let ym = (y0 + y1) / 2.0;
            let end = v + if h.is_finite() { *h } else { 0.0 };
            if h.is_finite() && *h > 0.0 {
                let w = th.line(RGBColor(0, 0, 0), 1.5);
                c.draw_series(std::iter::once(PathElement::new(
                    vec![((v - h).max(0.0), ym), (end, ym)],
                    w,
                )))?;
            }
            // The value, after the whisker (small bars stay readable).
            c.draw_series(std::iter::once(
                EmptyElement::at((end, ym))
                    + Text::new(
                        fmt(v),
                        (th.px(6.0), 0),
                        th.text(12.0).pos(Pos::new(HPos::Left, VPos::Center)),
                    ),
            ))?;
        }
    }
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::window_width;

    #[test]
    fn a_window_lasts_until_the_next_starts_even_across_gaps() {
        let nan = f64::NAN;
        let pts = [(10.0, 1.0), (12.0, nan), (14.0, nan), (20.0, 0.0)];
        assert_eq!(window_width(&pts), 2.0);
        assert_eq!(window_width(&[(5.0, nan)]), 1.0, "one window: 1 s");
    }
}
