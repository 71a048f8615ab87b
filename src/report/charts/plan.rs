//! The plan chart (`plan.csv`): the SLO measure against the knob for every
//! point the planner evaluated, with 95% CI whiskers, the SLO as a dashed
//! line, each run's verdict as its marker (● pass, ✕ fail, ▲ undecided),
//! the full fleet and the fleet without its biggest server (N+1) in two
//! colours, the simulated mean beside the analytic one (◆) so where theory
//! and simulation part shows, and the recommended value as a vertical line.

use super::style::{
    LIGHT, LegendEntry, Shape, Theme, colour, fmt_ms, legend_width, log_ticks, y_ticks,
};
use super::{Area, Backend, Drawn};
use crate::report::data::{Folder, PlanRow};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The verdict's marker.
pub fn verdict_shape(v: &str) -> Shape {
    match v {
        "pass" => Shape::Circle,
        "fail" => Shape::Cross,
        _ => Shape::Triangle,
    }
}

/// A vertical 95% CI whisker at `x` from `lo` to `hi` on chart `c`.
pub fn whisker<DB: Backend, Y: Ranged<ValueType = f64>>(
    th: &Theme,
    c: &mut ChartContext<DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    x: f64,
    (lo, hi): (f64, f64),
    col: RGBColor,
) -> Result<(), Box<dyn std::error::Error>> {
    let w = th.line(col, 1.5);
    c.draw_series(std::iter::once(PathElement::new(vec![(x, lo), (x, hi)], w)))?;
    let cap = th.px(5.0);
    for y in [lo, hi] {
        c.draw_series(std::iter::once(
            EmptyElement::at((x, y)) + PathElement::new(vec![(-cap, 0), (cap, 0)], w),
        ))?;
    }
    Ok(())
}

/// The y range of a log axis holding `values`, with some room.
pub fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        (1.0, 1000.0)
    } else if hi / lo < 10.0 {
        let mid = (hi * lo).sqrt();
        (mid / 4.0, mid * 4.0)
    } else {
        (lo / 1.5, hi * 1.5)
    }
}

/// The runs of one kind (`all`, or the N+1 runs), in knob order.
fn series(f: &Folder, full: bool) -> Vec<&PlanRow> {
    let mut v: Vec<&PlanRow> = (f.plan.iter())
        .filter(|r| (r.run == "all") == full)
        .collect();
    v.sort_by(|a, b| a.value.total_cmp(&b.value));
    v
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let first = f.plan.first();
    let knob = first.map_or("knob", |r| r.knob.as_str());
    let measure = first.map_or("p99", |r| r.measure.as_str());
    let slo = first.map_or(f64::NAN, |r| r.slo_ms);
    let title = format!("Capacity plan: {measure} against {knob}");
    let best = f.plan.iter().find(|r| r.recommended).map(|r| r.value);
    // An interrupted search (Ctrl-C) has no answer, whatever it evaluated.
    let verdict = match (best, f.meta(crate::report::meta::STATUS)) {
        (Some(b), _) => format!("recommended: {knob} = {b}"),
        (None, Some(_)) => "search interrupted: no recommendation".to_string(),
        (None, None) => "no value met every SLO".to_string(),
    };
    let sub = format!(
        "{} · {measure} of successful requests, mean of replications with 95% CI · {verdict}",
        f.meta("experiment").unwrap_or(""),
    );
    let body = th.titled(root, &title, &sub)?;
    let nplus = f.plan.iter().any(|r| r.run != "all");
    let mut entries = vec![LegendEntry {
        label: format!("{measure}, every server"),
        colour: colour(0),
        shape: Some(Shape::Circle),
        line: true,
    }];
    if nplus {
        entries.push(LegendEntry {
            label: format!("{measure}, biggest server out"),
            colour: colour(1),
            shape: Some(Shape::Circle),
            line: true,
        });
    }
    entries.extend([
        LegendEntry {
            label: format!("SLO: {measure} ≤ {} (dashed)", fmt_ms(slo)),
            colour: RGBColor(0, 0, 0),
            shape: None,
            line: true,
        },
        LegendEntry {
            label: "pass".into(),
            colour: RGBColor(0x44, 0x44, 0x44),
            shape: Some(Shape::Circle),
            line: false,
        },
        LegendEntry {
            label: "fail".into(),
            colour: RGBColor(0x44, 0x44, 0x44),
            shape: Some(Shape::Cross),
            line: false,
        },
        LegendEntry {
            label: "undecided at the cap".into(),
            colour: RGBColor(0x44, 0x44, 0x44),
            shape: Some(Shape::Triangle),
            line: false,
        },
        LegendEntry {
            label: "mean, simulated".into(),
            colour: super::style::GREY,
            shape: None,
            line: true,
        },
        LegendEntry {
            label: "mean, analytic ≈".into(),
            colour: RGBColor(0, 0, 0),
            shape: Some(Shape::Diamond),
            line: false,
        },
    ]);
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    let (plot, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    th.legend(&legend, "Legend", &entries)?;
    if f.plan.is_empty() {
        th.empty(&plot, "no point was evaluated")?;
        return Ok(title);
    }
    let ys = (f.plan.iter()).flat_map(|r| {
        [
            r.measure_ms - r.measure_ms_ci95.max(0.0),
            r.measure_ms + r.measure_ms_ci95.max(0.0),
            r.mean_ms,
            r.analytic_mean_ms,
            slo,
        ]
    });
    let (lo, hi) = log_range(ys);
    let xs = f.plan.iter().map(|r| r.value);
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let pad = ((x1 - x0) * 0.06).max(0.5);
    let mut c = ChartBuilder::on(&plot)
        .margin_right(th.px(24.0))
        .margin_top(th.px(8.0))
        .x_label_area_size(th.px(56.0))
        .y_label_area_size(th.px(90.0))
        .build_cartesian_2d((x0 - pad)..(x1 + pad), (lo..hi).log_scale())?;
    let whole = f.plan.iter().all(|r| r.value.fract() == 0.0);
    c.configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(LIGHT)
        .x_labels(10)
        .x_label_formatter(&|v: &f64| {
            if whole && v.fract() != 0.0 {
                String::new()
            } else if whole {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        })
        .y_labels(0)
        .y_label_formatter(&|_| String::new())
        .x_desc(knob_axis(knob))
        .y_desc(format!("{measure} latency (log scale)"))
        .axis_desc_style(th.axis())
        .label_style(th.tick())
        .draw()?;
    y_ticks(th, &mut c, &plot, &log_ticks(lo, hi), fmt_ms)?;
    if slo.is_finite() {
        c.draw_series(DashedLineSeries::new(
            vec![(x0 - pad, slo), (x1 + pad, slo)],
            th.px(8.0),
            th.px(5.0),
            th.line(RGBColor(0, 0, 0), 1.5),
        ))?;
    }
    if let Some(b) = best {
        c.draw_series(std::iter::once(PathElement::new(
            vec![(b, lo), (b, hi)],
            th.line(colour(2), 2.0),
        )))?;
        let (px, py) = c.backend_coord(&(b, hi));
        super::style::text_at(
            &plot,
            (px + th.px(6.0), py + th.px(6.0)),
            &format!("recommended: {b}"),
            th.text(14.0)
                .color(&colour(2))
                .pos(Pos::new(HPos::Left, VPos::Top)),
        )?;
    }
    for (k, full) in [(0usize, true), (1, false)] {
        let rows = series(f, full);
        let col = colour(k);
        let means: Vec<(f64, f64)> = (rows.iter())
            .filter(|r| r.mean_ms.is_finite())
            .map(|r| (r.value, r.mean_ms))
            .collect();
        c.draw_series(LineSeries::new(means, th.line(super::style::GREY, 1.0)))?;
        let pts: Vec<(f64, f64)> = (rows.iter())
            .filter(|r| r.measure_ms.is_finite())
            .map(|r| (r.value, r.measure_ms))
            .collect();
        c.draw_series(LineSeries::new(pts, th.line(col, 2.0)))?;
        for r in &rows {
            // A run with no figure (not simulated, or nothing succeeded)
            // is marked at the top edge.
            let y = if r.measure_ms.is_finite() {
                r.measure_ms
            } else {
                hi / 1.05
            };
            let h = r.measure_ms_ci95;
            if h.is_finite() && h > 0.0 {
                whisker(
                    th,
                    &mut c,
                    r.value,
                    ((r.measure_ms - h).max(lo), r.measure_ms + h),
                    col,
                )?;
            }
            th.markers(
                &mut c,
                &[(r.value, y)],
                verdict_shape(&r.run_verdict),
                col,
                0,
            )?;
            if r.analytic_mean_ms.is_finite() {
                th.markers(
                    &mut c,
                    &[(r.value, r.analytic_mean_ms)],
                    Shape::Diamond,
                    RGBColor(0, 0, 0),
                    0,
                )?;
            }
        }
    }
    Ok(title)
}

fn knob_axis(knob: &str) -> String {
    match knob {
        "servers" => "servers behind the balancer".into(),
        "workers" => "app workers per server".into(),
        "rate" => "offered rate (req/s)".into(),
        k => k.into(),
    }
}
