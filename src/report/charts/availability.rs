//! For `stacksim availability`: on the left, each scenario's downtime per
//! year (simulated mean, bar with a 95% CI whisker; the analytic figure as
//! a black diamond beside it; availability printed); on the right, each
//! component's share of the site's downtime, stacked.

use super::bars::{self, row};
use super::style::{LegendEntry, Shape, Theme, colour, fmt_avail, fmt_pct, legend_width, tint};
use super::{Area, Backend, Drawn};
use crate::report::data::Folder;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Components in first-seen order and, per scenario, each one's share.
pub fn shares(f: &Folder) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut comps: Vec<String> = vec![];
    for c in &f.components {
        if !comps.contains(&c.component) {
            comps.push(c.component.clone());
        }
    }
    let rows = (f.availability.iter())
        .map(|a| {
            (comps.iter())
                .map(|c| {
                    (f.components.iter())
                        .filter(|x| x.scenario == a.scenario && &x.component == c)
                        .map(|x| x.downtime_share)
                        .filter(|x| x.is_finite())
                        .sum()
                })
                .collect()
        })
        .collect();
    (comps, rows)
}

fn minutes(v: &f64) -> String {
    if *v >= 100.0 || *v == 0.0 {
        format!("{v:.0} min")
    } else {
        format!("{v:.1} min")
    }
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Availability over years".to_string();
    let first = f.availability.first();
    let sub = format!(
        "{} · {} replication(s) × {} simulated years; downtime with 95% CI, ◆ = analytic; share of downtime by component",
        f.meta("experiment").unwrap_or(""),
        first.map_or(0.0, |a| a.replications),
        first.map_or(0.0, |a| a.years),
    );
    let body = th.titled(root, &title, &sub)?;
    let names: Vec<String> = f.availability.iter().map(|a| a.scenario.clone()).collect();
    let (comps, rows) = shares(f);
    let mut labels: Vec<&str> = comps.iter().map(String::as_str).collect();
    labels.push("analytic downtime");
    let (plots, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    let mut entries = vec![
        LegendEntry {
            label: "simulated downtime".into(),
            colour: tint(colour(0), 0.45),
            shape: None,
            line: false,
        },
        LegendEntry {
            label: "analytic downtime".into(),
            colour: RGBColor(0, 0, 0),
            shape: Some(Shape::Diamond),
            line: false,
        },
    ];
    entries.extend(comps.iter().enumerate().map(|(i, c)| LegendEntry {
        label: format!("share: {c}"),
        colour: colour(i + 1),
        shape: None,
        line: false,
    }));
    th.legend(&legend, "Legend", &entries)?;
    let label_px = bars::label_width(&names);
    let (left, right) = plots.split_horizontally(plots.dim_in_pixel().0 as i32 * 56 / 100);
    let n = names.len();
    let max = (f.availability.iter())
        .flat_map(|a| {
            let ci = a.availability_ci95 * 525_960.0;
            [
                a.downtime_min_per_year + if ci.is_finite() { ci } else { 0.0 },
                a.analytic_downtime_min_per_year,
            ]
        })
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let mut c = bars::chart(
        &left,
        th,
        &names,
        0.0..(max * 1.5).max(1.0),
        &minutes,
        "downtime per year",
        label_px,
    )?;
    for (i, a) in f.availability.iter().enumerate() {
        let (y0, y1) = row(i, n, 0.18);
        let ym = (y0 + y1) / 2.0;
        let d = a.downtime_min_per_year;
        if d.is_finite() {
            c.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y0), (d, y1)],
                colour(0).mix(0.45).filled(),
            )))?;
            let h = a.availability_ci95 * 525_960.0;
            if h.is_finite() && h > 0.0 {
                let w = th.line(RGBColor(0, 0, 0), 1.5);
                let (l, r) = ((d - h).max(0.0), d + h);
                c.draw_series(std::iter::once(PathElement::new(vec![(l, ym), (r, ym)], w)))?;
                for x in [l, r] {
                    c.draw_series(std::iter::once(PathElement::new(
                        vec![(x, y0 + 0.1), (x, y1 - 0.1)],
                        w,
                    )))?;
                }
            }
        }
        if a.analytic_downtime_min_per_year.is_finite() {
            let at = (a.analytic_downtime_min_per_year, y0 + 0.08);
            th.markers(&mut c, &[at], Shape::Diamond, RGBColor(0, 0, 0), 0)?;
        }
        let text = format!("{} · {}/yr", fmt_avail(a.availability), minutes(&d));
        let x = if d.is_finite() {
            d.max(0.0) + a.availability_ci95.max(0.0) * 525_960.0
        } else {
            0.0
        };
        c.draw_series(std::iter::once(
            EmptyElement::at((x, ym))
                + Text::new(
                    text,
                    (th.px(8.0), 0),
                    th.text(14.0).pos(Pos::new(HPos::Left, VPos::Center)),
                ),
        ))?;
    }
    let total = rows
        .iter()
        .map(|r| r.iter().sum::<f64>())
        .fold(1.0, f64::max);
    let pct = |v: &f64| fmt_pct(*v);
    let no_names: Vec<String> = names.iter().map(|_| String::new()).collect();
    let mut c2 = bars::chart(
        &right,
        th,
        &no_names,
        0.0..total,
        &pct,
        "share of downtime by component",
        10.0,
    )?;
    for (i, r) in rows.iter().enumerate() {
        let (y0, y1) = row(i, n, 0.18);
        let mut x = 0.0;
        for (j, v) in r.iter().enumerate() {
            if *v > 0.0 {
                c2.draw_series(std::iter::once(Rectangle::new(
                    [(x, y0), (x + v, y1)],
                    colour(j + 1).filled(),
                )))?;
                x += v;
            }
        }
    }
    Ok(title)
}
