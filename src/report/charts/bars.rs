//! Horizontal bar charts with one row per category (scenario), the shape
//! of the outcomes and availability charts: long scenario names read
//! better on a vertical axis than under bars. Rows run top to bottom in
//! the given order; row `i` spans y ∈ [n−1−i, n−i].

use super::style::text_at;
use super::style::{LIGHT, Theme};
use super::{Area, Backend};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub type BarChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The y interval of row `i` of `n`, inset by `pad` (0..0.5) on each side.
pub fn row(i: usize, n: usize, pad: f64) -> (f64, f64) {
    let base = (n - 1 - i) as f64;
    (base + pad, base + 1.0 - pad)
}

/// A chart with `names` as rows and an x axis over `x` formatted by `fmt`.
pub fn chart<'a, DB: Backend>(
    area: &'a Area<DB>,
    th: &Theme,
    names: &'a [String],
    x: std::ops::Range<f64>,
    fmt: &'a dyn Fn(&f64) -> String,
    x_desc: &str,
    label_px: f64,
) -> Result<BarChart<'a, DB>, Box<dyn std::error::Error>> {
    let n = names.len().max(1);
    let mut c = ChartBuilder::on(area)
        .margin_right(th.px(24.0))
        .margin_top(th.px(8.0))
        .x_label_area_size(th.px(56.0))
        .y_label_area_size(th.px(label_px))
        .build_cartesian_2d(x.clone(), 0.0..n as f64)?;
    c.configure_mesh()
        .disable_y_mesh()
        .light_line_style(LIGHT)
        .bold_line_style(LIGHT)
        .x_labels(6)
        .x_label_formatter(fmt)
        .y_labels(0)
        .x_desc(x_desc)
        .axis_desc_style(th.axis())
        .label_style(th.tick())
        .draw()?;
    for (i, name) in names.iter().enumerate() {
        let (y0, y1) = row(i, n, 0.0);
        let (px, py) = c.backend_coord(&(x.start, (y0 + y1) / 2.0));
        let style = th.tick().pos(Pos::new(HPos::Right, VPos::Center));
        text_at(area, (px - th.px(8.0), py), name, style)?;
    }
    Ok(c)
}

/// The width of the row-label area for these names, logical pixels.
pub fn label_width(names: &[String]) -> f64 {
    let longest = names.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (24.0 + 8.8 * longest as f64).clamp(80.0, 300.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_row_is_on_top() {
        assert_eq!(row(0, 3, 0.0), (2.0, 3.0));
        assert_eq!(row(2, 3, 0.1), (0.1, 0.9));
    }
}
