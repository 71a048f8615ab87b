//! Utilisation per station: for each station (in `stations.csv` order),
//! one bar per scenario with the mean utilisation over replications; each
//! scenario's busiest station — its bottleneck — is marked with a black
//! diamond and its value.

use super::style::{LIGHT, LegendEntry, Shape, Theme, colour, fmt_pct, legend_width, text_at};
use super::{Area, Backend, Drawn};
use crate::report::data::Folder;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Stations in first-seen order and, per scenario, the mean utilisation
/// of each (NaN when the scenario has no such station).
pub fn table(f: &Folder) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut stations: Vec<String> = vec![];
    for s in &f.stations {
        if !stations.contains(&s.station) {
            stations.push(s.station.clone());
        }
    }
    let rows = (f.scenarios().iter())
        .map(|sc| {
            (stations.iter())
                .map(|st| {
                    let xs: Vec<f64> = (f.stations.iter())
                        .filter(|s| {
                            &s.scenario == sc && &s.station == st && s.utilisation.is_finite()
                        })
                        .map(|s| s.utilisation)
                        .collect();
                    if xs.is_empty() {
                        f64::NAN
                    } else {
                        xs.iter().sum::<f64>() / xs.len() as f64
                    }
                })
                .collect()
        })
        .collect();
    (stations, rows)
}

/// The index of the busiest station of a row (first on ties), if any.
pub fn bottleneck(row: &[f64]) -> Option<usize> {
    (row.iter().enumerate())
        .filter(|(_, u)| u.is_finite())
        .fold(None, |best: Option<(usize, f64)>, (i, &u)| match best {
            Some((_, b)) if b >= u => best,
            _ => Some((i, u)),
        })
        .map(|(i, _)| i)
}

pub fn draw<DB: Backend>(root: &Area<DB>, th: &Theme, f: &Folder) -> Drawn {
    let title = "Utilisation per station".to_string();
    let sub = format!(
        "{} · busy share of each station's workers, mean over replications; ◆ = the scenario's bottleneck",
        f.meta("experiment").unwrap_or("")
    );
    let body = th.titled(root, &title, &sub)?;
    let names = f.scenarios();
    let (stations, rows) = table(f);
    let mut labels: Vec<&str> = names.iter().map(String::as_str).collect();
    labels.push("bottleneck");
    let (plot, legend) =
        body.split_horizontally(body.dim_in_pixel().0 as i32 - th.px(legend_width(&labels)));
    let mut entries: Vec<LegendEntry> = (names.iter().enumerate())
        .map(|(i, n)| LegendEntry {
            label: n.clone(),
            colour: colour(i),
            shape: None,
            line: false,
        })
        .collect();
    entries.push(LegendEntry {
        label: "bottleneck".into(),
        colour: RGBColor(0, 0, 0),
        shape: Some(Shape::Diamond),
        line: false,
    });
    th.legend(&legend, "Scenario", &entries)?;
    if stations.is_empty() {
        th.empty(&plot, "no station statistics in this folder")?;
        return Ok(title);
    }
    let top = rows
        .iter()
        .flatten()
        .copied()
        .filter(|u| u.is_finite())
        .fold(1.0, f64::max)
        * 1.1;
    let ns = stations.len();
    let mut c = ChartBuilder::on(&plot)
        .margin_right(th.px(24.0))
        .margin_top(th.px(8.0))
        .x_label_area_size(th.px(56.0))
        .y_label_area_size(th.px(80.0))
        .build_cartesian_2d(0.0..ns as f64, 0.0..top)?;
    c.configure_mesh()
        .disable_x_mesh()
        .light_line_style(LIGHT)
        .bold_line_style(LIGHT)
        .x_labels(0)
        .y_label_formatter(&|v| fmt_pct(*v))
        .x_desc("station")
        .y_desc("utilisation")
        .axis_desc_style(th.axis())
        .label_style(th.tick())
        .draw()?;
    for (i, name) in stations.iter().enumerate() {
        let (px, py) = c.backend_coord(&(i as f64 + 0.5, 0.0));
        let style = th.tick().pos(Pos::new(HPos::Center, VPos::Top));
        text_at(&plot, (px, py + th.px(8.0)), name, style)?;
    }
    c.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 1.0), (ns as f64, 1.0)],
        th.line(RGBColor(0x44, 0x44, 0x44), 1.0),
    )))?;
    let k = names.len().max(1) as f64;
    let width = 0.8 / k;
    for (j, row) in rows.iter().enumerate() {
        let neck = bottleneck(row);
        for (i, u) in row.iter().enumerate() {
            if !u.is_finite() {
                continue;
            }
            let x0 = i as f64 + 0.1 + j as f64 * width;
            c.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x0 + width * 0.92, *u)],
                colour(j).filled(),
            )))?;
            if neck == Some(i) {
                let at = (x0 + width * 0.46, *u);
                th.markers(
                    &mut c,
                    &[at],
                    Shape::Diamond,
                    RGBColor(0, 0, 0),
                    -th.px(10.0),
                )?;
                if names.len() <= 4 {
                    c.draw_series(std::iter::once(
                        EmptyElement::at(at)
                            + Text::new(
                                fmt_pct(*u),
                                (0, -th.px(20.0)),
                                th.text(14.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
                            ),
                    ))?;
                }
            }
        }
    }
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bottleneck_is_the_busiest_station() {
        assert_eq!(bottleneck(&[0.2, 0.9, f64::NAN, 0.5]), Some(1));
        assert_eq!(bottleneck(&[0.5, 0.5]), Some(0));
        assert_eq!(bottleneck(&[f64::NAN]), None);
    }
}
