//! Latency distribution, the chart that compares designs or algorithms:
//! each scenario's percentile curve from p0 to p99.99 (`percentiles.csv`,
//! means over replications), overlaid. The x axis is in "nines"
//! (−log10(1 − q)) so that the tail gets as much room as the body; the
//! latency axis is logarithmic.

use super::style::{
    LIGHT, LegendEntry, Theme, colour, fmt_ms, legend_width, log_ticks, shape, y_ticks,
};
use super::{Area, Backend, Drawn};
use crate::report::data::Folder;
use plotters::prelude::*;

/// The percentile at `nines` as a tick label: "p0", "p50", "p99.9".
pub fn percentile_label(nines: f64) -> String {
    let p = 100.0 * (1.0 - 10f64.powf(-nines));
    let s = format!("{:.2}", (p * 100.0).round() / 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("p{s}")
}

/// Each scenario's curve: (scenario, [(nines, latency ms)]) in file order,
/// points without a latency left out.
pub fn curves(f: &Folder) -> Vec<(String, Vec<(f64, f64)>)> {
    let mut out: Vec<(String, Vec<(f64, f64)>)> = vec![];
    for sc in f.scenarios() {
        let pts: Vec<(f64, f64)> = (f.percentiles.iter())
            .filter(|p| p.scenario == sc && p.latency_ms.is_finite() && p.latency_ms > 0.0)
            .map(|p| (p.nines, p.latency_ms))
            .collect();
        out.push((sc, pts));
    }
    out
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Latency distribution".to_string();
    let sub = format!(
        "{} · percentiles of successful requests, mean over replications",
        f.meta("experiment").unwrap_or("")
    );
    let body = th.titled(root, &title, &sub)?;
    let cs = curves(f);
    let labels: Vec<&str> = cs.iter().map(|c| c.0.as_str()).collect();
    let (plot, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    let entries: Vec<LegendEntry> = (cs.iter().enumerate())
        .map(|(i, c)| LegendEntry {
            label: c.0.clone(),
            colour: colour(i),
            shape: Some(shape(i)),
            line: true,
        })
        .collect();
    th.legend(&legend, "Scenario", &entries)?;
    let all = cs.iter().flat_map(|c| c.1.iter().map(|p| p.1));
    let lo = all.clone().fold(f64::INFINITY, f64::min);
    let hi = all.fold(0.0, f64::max);
    let empty = !lo.is_finite() || hi <= 0.0;
    let (lo, hi) = if empty {
        (1.0, 1000.0)
    } else if hi / lo < 10.0 {
        let mid = (hi * lo).sqrt();
        (mid / 4.0, mid * 4.0)
    } else {
        (lo / 1.3, hi * 1.4)
    };
    let mut c = ChartBuilder::on(&plot)
        .margin_right(th.px(24.0))
        .margin_top(th.px(8.0))
        .x_label_area_size(th.px(56.0))
        .y_label_area_size(th.px(90.0))
        .build_cartesian_2d(0.0..4.0, (lo..hi).log_scale())?;
    c.configure_mesh()
        .light_line_style(LIGHT)
        .bold_line_style(LIGHT)
        .x_labels(5)
        .x_label_formatter(&|v: &f64| {
            if v.fract() == 0.0 {
                percentile_label(*v)
            } else {
                String::new()
            }
        })
        .y_labels(0)
        .y_label_formatter(&|_| String::new())
        .x_desc("percentile (nines scale: p90, p99, p99.9 equally spaced)")
        .y_desc("latency (log scale)")
        .axis_desc_style(th.axis())
        .label_style(th.tick())
        .draw()?;
    y_ticks(th, &mut c, &plot, &log_ticks(lo, hi), fmt_ms)?;
    if empty {
        th.empty(&plot, "no successful request: no latency to show")?;
        return Ok(title);
    }
    for (i, (_, pts)) in cs.iter().enumerate() {
        c.draw_series(LineSeries::new(pts.clone(), th.line(colour(i), 2.0)))?;
        let marks: Vec<(f64, f64)> = (pts.iter())
            .filter(|p| ((p.0 * 10.0).round() as i64) % 5 == 0)
            .copied()
            .collect();
        th.markers(&mut c, &marks, shape(i), colour(i), 0)?;
    }
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_labels() {
        assert_eq!(percentile_label(0.0), "p0");
        assert_eq!(percentile_label(1.0), "p90");
        assert_eq!(percentile_label(2.0), "p99");
        assert_eq!(percentile_label(4.0), "p99.99");
    }
}
