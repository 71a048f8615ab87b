//! Availability and failures per scenario: on the left, the share of
//! requests that succeeded (mean over replications, bar with a 95% CI
//! whisker, value printed); on the right, failed requests per replication
//! stacked by reason (`failures.csv`, summed over places and averaged over
//! replications), reasons in a legend ordered by their total.

use super::bars::{self, row};
use super::style::{LegendEntry, Theme, colour, fmt_avail, fmt_pct, legend_width, reason_colour};
use super::{Area, Backend, Drawn};
use crate::report::data::Folder;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Failed requests per replication by reason: the reasons by descending
/// total, and per scenario (in order) the mean count of each reason.
pub fn failures_by_reason(f: &Folder) -> (Vec<String>, Vec<Vec<f64>>) {
    let scenarios = f.scenarios();
    let mut reasons: Vec<(String, f64)> = vec![];
    for x in &f.failures {
        match reasons.iter_mut().find(|r| r.0 == x.reason) {
            Some(r) => r.1 += x.count,
            None => reasons.push((x.reason.clone(), x.count)),
        }
    }
    reasons.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let table = (scenarios.iter())
        .map(|sc| {
            let reps = (f.summary.iter().find(|s| &s.scenario == sc))
                .map_or(1.0, |s| s.replications.max(1.0));
            (reasons.iter())
                .map(|(r, _)| {
                    (f.failures.iter())
                        .filter(|x| &x.scenario == sc && &x.reason == r)
                        .map(|x| x.count)
                        .sum::<f64>()
                        / reps
                })
                .collect()
        })
        .collect();
    (reasons.into_iter().map(|r| r.0).collect(), table)
}

/// The availability axis: from a little below the lowest CI bound to 100%.
pub fn availability_range(lows: impl Iterator<Item = f64>) -> (f64, f64) {
    let lo = lows.filter(|x| x.is_finite()).fold(1.0, f64::min).max(0.0);
    let gap = (1.0 - lo).max(1e-4);
    let lo = (1.0 - 1.3 * gap).max(0.0);
    (if lo < 0.2 { 0.0 } else { lo }, 1.0)
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Availability and failures per scenario".to_string();
    let sub = format!(
        "{} · requests that succeeded (95% CI over replications) and failed requests by reason",
        f.meta("experiment").unwrap_or("")
    );
    let body = th.titled(root, &title, &sub)?;
    let names = f.scenarios();
    let (reasons, table) = failures_by_reason(f);
    let labels: Vec<&str> = reasons.iter().map(String::as_str).collect();
    let (plots, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    let entries: Vec<LegendEntry> = (reasons.iter().enumerate())
        .map(|(i, r)| LegendEntry {
            label: r.clone(),
            colour: reason_colour(i),
            shape: None,
            line: false,
        })
        .collect();
    th.legend(&legend, "Failure reason", &entries)?;
    let label_px = bars::label_width(&names);
    let (left, right) = plots.split_horizontally(plots.dim_in_pixel().0 as i32 * 52 / 100);
    let n = names.len();

    // Availability.
    let avail: Vec<(f64, f64)> = (names.iter())
        .map(|sc| {
            (f.summary.iter().find(|s| &s.scenario == sc)).map_or((f64::NAN, f64::NAN), |s| {
                (s.availability, s.availability_ci95)
            })
        })
        .collect();
    let (lo, hi) = availability_range(
        avail
            .iter()
            .map(|(a, h)| a - if h.is_finite() { *h } else { 0.0 }),
    );
    let pct = move |v: &f64| {
        if hi - lo > 0.05 {
            fmt_pct(*v)
        } else {
            fmt_avail(*v)
        }
    };
    let mut c = bars::chart(
        &left,
        th,
        &names,
        lo..hi,
        &pct,
        "requests that succeeded",
        label_px,
    )?;
    let bar = colour(0);
    for (i, (a, h)) in avail.iter().enumerate() {
        if !a.is_finite() {
            continue;
        }
        let (y0, y1) = row(i, n, 0.18);
        c.draw_series(std::iter::once(Rectangle::new(
            [(lo, y0), (a.max(lo), y1)],
            bar.mix(0.45).filled(),
        )))?;
        let ym = (y0 + y1) / 2.0;
        if h.is_finite() && *h > 0.0 {
            let w = th.line(RGBColor(0, 0, 0), 1.5);
            let (l, r) = ((a - h).max(lo), (a + h).min(1.0));
            c.draw_series(std::iter::once(PathElement::new(vec![(l, ym), (r, ym)], w)))?;
            for x in [l, r] {
                c.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y0 + 0.1), (x, y1 - 0.1)],
                    w,
                )))?;
            }
        }
        let text = if h.is_finite() {
            format!("{} ± {}", fmt_avail(*a), fmt_pct(*h))
        } else {
            fmt_avail(*a)
        };
        let end = a + if h.is_finite() { *h } else { 0.0 };
        // Inside the bar, at its start, when the bar is long; else after the whisker.
        let at = if (end - lo) / (hi - lo) > 0.6 {
            lo
        } else {
            end
        };
        c.draw_series(std::iter::once(
            EmptyElement::at((at, ym))
                + Text::new(
                    text,
                    (th.px(8.0), 0),
                    th.text(14.0).pos(Pos::new(HPos::Left, VPos::Center)),
                ),
        ))?;
    }

    // Failures by reason.
    let totals: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let count = |v: &f64| format!("{v:.0}");
    let no_names: Vec<String> = names.iter().map(|_| String::new()).collect();
    let mut c2 = bars::chart(
        &right,
        th,
        &no_names,
        0.0..(max * 1.12).max(1.0),
        &count,
        "failed requests per replication",
        10.0,
    )?;
    if max == 0.0 {
        let (w, h) = right.dim_in_pixel();
        right.draw(&Text::new(
            "no failed request",
            (w as i32 / 2, h as i32 / 2),
            th.text(18.0)
                .color(&super::style::GREY)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    for (i, counts) in table.iter().enumerate() {
        let (y0, y1) = row(i, n, 0.18);
        let mut x = 0.0;
        for (j, v) in counts.iter().enumerate() {
            if *v > 0.0 {
                c2.draw_series(std::iter::once(Rectangle::new(
                    [(x, y0), (x + v, y1)],
                    reason_colour(j).filled(),
                )))?;
                x += v;
            }
        }
    }
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_availability_axis_shows_the_gap() {
        let (lo, hi) = availability_range([0.99, 0.999].into_iter());
        assert!((lo - 0.987).abs() < 1e-9, "{lo}");
        assert_eq!(hi, 1.0);
        assert_eq!(availability_range([1.0].into_iter()).0, 1.0 - 1.3e-4);
        assert_eq!(availability_range([0.0, f64::NAN].into_iter()).0, 0.0);
    }
}
