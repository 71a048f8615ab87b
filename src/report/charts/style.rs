//! What every chart shares: sizes scaled for the backend ([`Theme`]), the
//! Okabe–Ito palette with a marker shape per series as the second cue, the
//! title block, the legend column drawn right of the plot (so it never
//! covers data), tick-label formats with units (ms, s, %, req/s), and the
//! mesh of a chart over simulated time ([`time_chart`]).

use super::{Area, Backend};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use super::format::{fmt_avail, fmt_ms, fmt_pct, fmt_rps, fmt_s, log_ticks, pct_axis};

/// Okabe & Ito (2008), colour-blind safe, in the order series use them
/// (yellow last: weak on white).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

pub const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const LIGHT: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// The colour of series `i` (repeats after 8; the marker then differs).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The colour of failure reason `i` (in the outcomes chart's order): warm
/// colours first, so that no reason takes the p99 blue or the p50 green of
/// the latency chart it shares a figure with.
pub fn reason_colour(i: usize) -> RGBColor {
    const ORDER: [usize; 8] = [1, 3, 4, 6, 7, 5, 2, 0];
    PALETTE[ORDER[i % ORDER.len()]]
}

/// Marker shapes, cycled with a period (5) prime to the palette's (8),
/// so that 40 series differ in colour or shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    Circle,
    Triangle,
    Square,
    Cross,
    Diamond,
}

pub fn shape(i: usize) -> Shape {
    [
        Shape::Circle,
        Shape::Triangle,
        Shape::Square,
        Shape::Cross,
        Shape::Diamond,
    ][i % 5]
}

/// Sizes in logical pixels (the SVG's), multiplied by `k` for the backend.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub k: f64,
}

impl Theme {
    pub fn new(k: f64) -> Theme {
        Theme { k }
    }
    /// A length in backend pixels.
    pub fn px(&self, logical: f64) -> i32 {
        (logical * self.k).round() as i32
    }
    pub fn text(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.k).into_font().color(&BLACK)
    }
    pub fn bold(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.k)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
    }
    pub fn tick(&self) -> TextStyle<'static> {
        self.text(15.0)
    }
    pub fn axis(&self) -> TextStyle<'static> {
        self.text(17.0)
    }
    pub fn line(&self, c: RGBColor, width: f64) -> ShapeStyle {
        c.stroke_width(self.px(width).max(1) as u32)
    }

    /// Markers of shape `s` at data points `pts` of chart `c`, shifted
    /// `dy` backend pixels.
    pub fn markers<DB: Backend, X: Ranged, Y: Ranged>(
        &self,
        c: &mut ChartContext<DB, Cartesian2d<X, Y>>,
        pts: &[(X::ValueType, Y::ValueType)],
        s: Shape,
        col: RGBColor,
        dy: i32,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        X::ValueType: Clone,
        Y::ValueType: Clone,
    {
        let r = self.px(5.0);
        let st = col.filled();
        let at = |p: &(X::ValueType, Y::ValueType)| EmptyElement::at(p.clone());
        match s {
            Shape::Circle => {
                c.draw_series(pts.iter().map(|p| at(p) + Circle::new((0, dy), r, st)))?
            }
            Shape::Triangle => c.draw_series(
                pts.iter()
                    .map(|p| at(p) + TriangleMarker::new((0, dy), r + 1, st)),
            )?,
            Shape::Square => c.draw_series(
                pts.iter()
                    .map(|p| at(p) + Rectangle::new([(-r, dy - r), (r, dy + r)], st)),
            )?,
            Shape::Cross => c.draw_series(
                pts.iter()
                    .map(|p| at(p) + Cross::new((0, dy), r, self.line(col, 2.0))),
            )?,
            Shape::Diamond => c.draw_series(pts.iter().map(|p| {
                at(p)
                    + Polygon::new(
                        vec![(0, dy - r - 2), (r + 2, dy), (0, dy + r + 2), (-r - 2, dy)],
                        st,
                    )
            }))?,
        };
        Ok(())
    }

    /// One marker at pixel `p` of `area` (for legends).
    fn marker_at<DB: Backend>(
        &self,
        area: &Area<DB>,
        p: (i32, i32),
        s: Shape,
        col: RGBColor,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let r = self.px(5.0);
        let st = col.filled();
        let at = EmptyElement::at(p);
        match s {
            Shape::Circle => area.draw(&(at + Circle::new((0, 0), r, st)))?,
            Shape::Triangle => area.draw(&(at + TriangleMarker::new((0, 0), r + 1, st)))?,
            Shape::Square => area.draw(&(at + Rectangle::new([(-r, -r), (r, r)], st)))?,
            Shape::Cross => area.draw(&(at + Cross::new((0, 0), r, self.line(col, 2.0))))?,
            Shape::Diamond => area.draw(
                &(at + Polygon::new(vec![(0, -r - 2), (r + 2, 0), (0, r + 2), (-r - 2, 0)], st)),
            )?,
        }
        Ok(())
    }

    /// The title and subtitle at the top of `root`; returns the rest.
    pub fn titled<DB: Backend>(
        &self,
        root: &Area<DB>,
        title: &str,
        subtitle: &str,
    ) -> Result<Area<DB>, Box<dyn std::error::Error>> {
        root.fill(&WHITE)?;
        let left = Pos::new(HPos::Left, VPos::Top);
        root.draw(&Text::new(
            title.to_string(),
            (self.px(20.0), self.px(14.0)),
            self.bold(24.0).pos(left),
        ))?;
        if !subtitle.is_empty() {
            root.draw(&Text::new(
                subtitle.to_string(),
                (self.px(20.0), self.px(46.0)),
                self.text(16.0).color(&RGBColor(0x44, 0x44, 0x44)).pos(left),
            ))?;
        }
        Ok(root.margin(self.px(78.0), self.px(10.0), self.px(10.0), self.px(10.0)))
    }

    /// A legend column in `area`: one entry per (label, colour, marker,
    /// drawn as a line?) from the top, with a heading.
    pub fn legend<DB: Backend>(
        &self,
        area: &Area<DB>,
        heading: &str,
        entries: &[LegendEntry],
    ) -> Result<(), Box<dyn std::error::Error>> {
        let left = Pos::new(HPos::Left, VPos::Center);
        let x0 = self.px(8.0);
        let mut y = self.px(20.0);
        area.draw(&Text::new(
            heading.to_string(),
            (x0, y),
            self.bold(15.0).pos(left),
        ))?;
        let step = self.px(26.0);
        for e in entries {
            y += step;
            if e.line {
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + self.px(34.0), y)],
                    self.line(e.colour, 2.5),
                ))?;
            }
            if !e.line && e.shape.is_none() {
                area.draw(&Rectangle::new(
                    [
                        (x0 + self.px(6.0), y - self.px(8.0)),
                        (x0 + self.px(28.0), y + self.px(8.0)),
                    ],
                    e.colour.filled(),
                ))?;
            }
            if let Some(s) = e.shape {
                self.marker_at(area, (x0 + self.px(17.0), y), s, e.colour)?;
            }
            area.draw(&Text::new(
                e.label.clone(),
                (x0 + self.px(44.0), y),
                self.text(15.0).pos(left),
            ))?;
        }
        Ok(())
    }

    /// A centred message in place of a plot that has nothing to show.
    pub fn empty<DB: Backend>(
        &self,
        area: &Area<DB>,
        message: &str,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            message.to_string(),
            (w as i32 / 2, h as i32 / 2),
            self.text(18.0)
                .color(&GREY)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        Ok(())
    }
}

/// Horizontal grid lines and labels at `ticks` on chart `c` (drawn over
/// `area`, the area the chart was built on); the chart's mesh should have
/// its own y labels and grid turned off.
pub fn y_ticks<DB: Backend, Y: Ranged<ValueType = f64>>(
    th: &Theme,
    c: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, Y>>,
    area: &Area<DB>,
    ticks: &[f64],
    fmt: impl Fn(f64) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
    let x = c.x_range();
    for &v in ticks {
        c.draw_series(std::iter::once(PathElement::new(
            vec![(x.start, v), (x.end, v)],
            RGBColor(0xD0, 0xD0, 0xD0).stroke_width(th.px(1.0).max(1) as u32),
        )))?;
        let (px, py) = c.backend_coord(&(x.start, v));
        let style = th.tick().pos(Pos::new(HPos::Right, VPos::Center));
        text_at(area, (px - th.px(8.0), py), &fmt(v), style)?;
    }
    Ok(())
}

/// A tick-label format.
pub type Format<'f> = &'f dyn Fn(&f64) -> String;

/// A chart whose x axis is simulated time in seconds, over y coordinates `Y`.
pub type TimeChart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;

/// The y axis of a chart over simulated time ([`time_chart`]).
pub struct TimeY<'f> {
    /// The axis title.
    pub desc: &'f str,
    /// How many grid labels the mesh draws and their format; `None`: none
    /// (the chart draws its own with [`y_ticks`], as a log axis does).
    pub labels: Option<(usize, Format<'f>)>,
}

/// A chart over simulated time `t0..t1` on `area` with the mesh every time
/// chart shares: light grid, 12 x labels in seconds under a "simulated
/// time" title — or, when `x_labelled` is false (a panel above another on
/// the same time axis), a thin unlabelled x axis — and the y axis of `y`.
/// `margin_top` is in logical pixels.
pub fn time_chart<'a, DB: Backend, Y: AsRangedCoord<Value = f64>>(
    area: &'a Area<DB>,
    th: &Theme,
    (t0, t1): (f64, f64),
    y_range: Y,
    y: TimeY,
    x_labelled: bool,
    margin_top: f64,
) -> Result<TimeChart<'a, DB, Y::CoordDescType>, Box<dyn std::error::Error>>
where
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut c = ChartBuilder::on(area)
        .margin_right(th.px(10.0))
        .margin_top(th.px(margin_top))
        .x_label_area_size(th.px(if x_labelled { 46.0 } else { 8.0 }))
        .y_label_area_size(th.px(90.0))
        .build_cartesian_2d(t0..t1, y_range)?;
    let none = |_: &f64| String::new();
    let seconds = |v: &f64| fmt_s(*v);
    let (y_labels, y_format) = y.labels.unwrap_or((0, &none));
    let mut mesh = c.configure_mesh();
    mesh.light_line_style(LIGHT)
        .bold_line_style(LIGHT)
        .x_labels(12)
        .y_labels(y_labels)
        .y_label_formatter(y_format)
        .y_desc(y.desc)
        .axis_desc_style(th.axis())
        .label_style(th.tick());
    if x_labelled {
        mesh.x_label_formatter(&seconds).x_desc("simulated time");
    } else {
        mesh.x_label_formatter(&none);
    }
    mesh.draw()?;
    Ok(c)
}

/// `c` blended with white: `alpha` 1 is `c`, 0 is white.
pub fn tint(c: RGBColor, alpha: f64) -> RGBColor {
    let m = |x: u8| (255.0 - alpha * (255.0 - x as f64)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Text at a point given in backend pixels (as `backend_coord` returns),
/// drawn on `area`, which may extend beyond a chart's plotting area.
pub fn text_at<DB: Backend>(
    area: &Area<DB>,
    at: (i32, i32),
    text: &str,
    style: TextStyle,
) -> Result<(), Box<dyn std::error::Error>> {
    let (bx, by) = area.get_base_pixel();
    area.draw(&Text::new(text.to_string(), (at.0 - bx, at.1 - by), style))?;
    Ok(())
}

/// One line of a legend.
#[derive(Clone, Debug)]
pub struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub shape: Option<Shape>,
    /// A line sample (else a filled box).
    pub line: bool,
}

/// The width of the legend column for these labels, in logical pixels.
pub fn legend_width(labels: &[&str]) -> f64 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (60.0 + 8.6 * longest as f64).clamp(150.0, 380.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_series_differ_in_colour_or_shape() {
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..40 {
            let c = colour(i);
            seen.insert((c.0, c.1, c.2, shape(i) as u8));
        }
        assert_eq!(seen.len(), 40);
    }
}
