//! The sweep chart (`summary.csv` of a run with a `[sweep]`): the p99 and
//! the mean latency against the sweep's first axis, with 95% CI whiskers,
//! the experiment's SLO (stated in its `[plan]`) as a dashed line on its
//! measure's panel, one line per scenario — each combination of the experiment's scenario
//! and the other axes' values — in two panels. A first axis of words
//! (algorithms, modes) is spaced evenly in first-seen order; lines are
//! dodged sideways by a hair so that coinciding ones stay visible.

use super::plan::{log_range, whisker};
use super::style::{
    LIGHT, LegendEntry, Theme, colour, fmt_ms, legend_width, log_ticks, shape, y_ticks,
};
use super::{Area, Backend, Drawn};
use crate::report::data::{Folder, Summary};
use plotters::prelude::*;

/// One line: its label and its points (x, summary row).
pub struct Line<'a> {
    pub label: String,
    pub points: Vec<(f64, &'a Summary)>,
}

/// The first axis's values as x positions (numbers, or ranks of words),
/// and the tick labels of words.
fn positions(f: &Folder) -> (Vec<f64>, Vec<String>) {
    let values: Vec<&str> = (f.summary.iter())
        .map(|s| s.axis_values.first().map_or("", String::as_str))
        .collect();
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    match numbers {
        Some(xs) => (xs, vec![]),
        None => {
            let mut words: Vec<String> = vec![];
            for v in &values {
                if !words.iter().any(|w| w == v) {
                    words.push(v.to_string());
                }
            }
            let xs = (values.iter())
                .map(|v| words.iter().position(|w| w == v).unwrap_or(0) as f64)
                .collect();
            (xs, words)
        }
    }
}

/// The scenario's name without its first-axis segment: the line it is on.
/// The x axis's title: the axis's name, with its unit where the name says it.
fn axis_desc(axis: &str) -> String {
    let last = axis.rsplit('.').next().unwrap_or(axis);
    match last {
        "rate" => format!("{axis} (requests/s)"),
        "clients" | "users" => format!("{axis} (count)"),
        _ => axis.to_string(),
    }
}

fn line_label(scenario: &str, axis: &str) -> String {
    let mine = format!("{axis}=");
    let kept: Vec<&str> = (scenario.split('/'))
        .filter(|seg| !seg.starts_with(&mine))
        .collect();
    let label = kept.join("/");
    if label.is_empty() {
        "all".into()
    } else {
        label
    }
}

/// The lines of the chart, in first-seen order, points by x.
pub fn lines(f: &Folder) -> Vec<Line<'_>> {
    let Some(axis) = f.axes.first() else {
        return vec![];
    };
    let (xs, _) = positions(f);
    let mut out: Vec<Line> = vec![];
    for (s, x) in f.summary.iter().zip(xs) {
        let label = line_label(&s.scenario, axis);
        match out.iter_mut().find(|l| l.label == label) {
            Some(l) => l.points.push((x, s)),
            None => out.push(Line {
                label,
                points: vec![(x, s)],
            }),
        }
    }
    for l in &mut out {
        l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

type Pick = fn(&Summary) -> (f64, f64);

/// The experiment's latency SLO (`experiment.csv`): measure and bound (ms).
fn slo(f: &Folder) -> Option<(&str, f64)> {
    let ms: f64 = f.meta("slo_ms")?.parse().ok()?;
    Some((f.meta("slo_measure")?, ms))
}

fn panel<DB: Backend>(
    area: &Area<DB>,
    th: &Theme,
    f: &Folder,
    ls: &[Line],
    (name, pick): (&str, Pick),
) -> Result<(), Box<dyn std::error::Error>> {
    let (xs, words) = positions(f);
    let axis = f.axes.first().cloned().unwrap_or_default();
    let (x0, x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    let pad = ((x1 - x0) * 0.05).max(0.5);
    let bound = slo(f).filter(|s| s.0 == name).map_or(f64::NAN, |s| s.1);
    let (lo, hi) = log_range(
        (f.summary.iter())
            .flat_map(|s| {
                let (m, h) = pick(s);
                let h = if h.is_finite() { h } else { 0.0 };
                [m - h, m + h]
            })
            .chain([bound]),
    );
    let mut c = ChartBuilder::on(area)
        .margin_right(th.px(16.0))
        .margin_top(th.px(8.0))
        .x_label_area_size(th.px(56.0))
        .y_label_area_size(th.px(80.0))
        .caption(name, th.bold(16.0))
        .build_cartesian_2d((x0 - pad)..(x1 + pad), (lo..hi).log_scale())?;
    let fmt_x = |v: &f64| {
        if words.is_empty() {
            format!("{v}")
        } else if v.fract() == 0.0 && *v >= 0.0 {
            words.get(*v as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    c.configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(LIGHT)
        .x_labels(if words.is_empty() {
            8
        } else {
            words.len() * 4 + 1
        })
        .x_label_formatter(&fmt_x)
        .y_labels(0)
        .y_label_formatter(&|_| String::new())
        .x_desc(axis_desc(&axis))
        .y_desc("latency (log scale)")
        .axis_desc_style(th.axis())
        .label_style(th.tick())
        .draw()?;
    y_ticks(th, &mut c, area, &log_ticks(lo, hi), fmt_ms)?;
    if let Some(slo) = slo(f).filter(|s| s.0 == name).map(|s| s.1)
        && slo > lo
        && slo < hi
    {
        c.draw_series(DashedLineSeries::new(
            vec![(x0 - pad, slo), (x1 + pad, slo)],
            th.px(8.0),
            th.px(5.0),
            th.line(RGBColor(0, 0, 0), 1.5),
        ))?;
    }
    // Lines that coincide (an algorithm that does not matter at a load)
    // are dodged sideways a little, so every marker and whisker shows.
    let dodge = (x1 - x0).max(1.0) * 0.008;
    let mid = (ls.len() as f64 - 1.0) / 2.0;
    for (i, l) in ls.iter().enumerate() {
        let col = colour(i);
        let dx = (i as f64 - mid) * dodge;
        let pts: Vec<(f64, f64)> = (l.points.iter())
            .map(|(x, s)| (*x + dx, pick(s).0))
            .filter(|p| p.1.is_finite() && p.1 > 0.0)
            .collect();
        c.draw_series(LineSeries::new(pts.clone(), th.line(col, 2.0)))?;
        for (x, s) in &l.points {
            let (m, h) = pick(s);
            if m.is_finite() && h.is_finite() && h > 0.0 {
                whisker(th, &mut c, *x + dx, ((m - h).max(lo), m + h), col)?;
            }
        }
        th.markers(&mut c, &pts, shape(i), col, 0)?;
    }
    Ok(())
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let axis = f.axes.first().cloned().unwrap_or_default();
    let title = format!("Latency against {axis}");
    let sub = format!(
        "{} · p99 and mean of successful requests, mean of replications with 95% CI; one line per scenario",
        f.meta("experiment").unwrap_or("")
    );
    let body = th.titled(root, &title, &sub)?;
    let ls = lines(f);
    let mut entries: Vec<LegendEntry> = (ls.iter().enumerate())
        .map(|(i, l)| LegendEntry {
            label: l.label.clone(),
            colour: colour(i),
            shape: Some(shape(i)),
            line: true,
        })
        .collect();
    if let Some((m, ms)) = slo(f).filter(|s| s.0 == "p99" || s.0 == "mean") {
        entries.push(LegendEntry {
            label: format!("SLO: {m} ≤ {} (dashed)", fmt_ms(ms)),
            colour: RGBColor(0, 0, 0),
            shape: None,
            line: true,
        });
    }
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    let (plots, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    th.legend(&legend, "Scenario", &entries)?;
    let (left, right) = plots.split_horizontally(plots.dim_in_pixel().0 as i32 / 2);
    panel(&left, th, f, &ls, ("p99", |s| (s.p99_ms, s.p99_ms_ci95)))?;
    panel(
        &right,
        th,
        f,
        &ls,
        ("mean", |s| (s.mean_ms, s.mean_ms_ci95)),
    )?;
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_axis_says_its_unit() {
        assert_eq!(axis_desc("rate"), "rate (requests/s)");
        assert_eq!(axis_desc("workload.rate"), "workload.rate (requests/s)");
        assert_eq!(axis_desc("algorithm"), "algorithm");
    }

    #[test]
    fn a_line_is_the_scenario_without_its_first_axis_value() {
        assert_eq!(
            line_label("2-servers/rate=300/algorithm=leastconn", "rate"),
            "2-servers/algorithm=leastconn"
        );
        assert_eq!(line_label("rate=300", "rate"), "all");
    }
}
