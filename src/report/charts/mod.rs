//! The charts, drawn with plotters (the only place that knows it) from a
//! results folder read back by [`Folder`]. Every chart is one generic
//! function `fn(&Area<DB>, &Theme, &Folder, …) -> Drawn` that draws on any
//! backend; [`render`] calls it twice, for `NAME.svg` (1200×700, real
//! `<text>`) and `NAME.png` (2400×1400, the same picture at 2× for sharp
//! text). A new chart is one such function and one line in
//! [`render_charts`].
//!
//! Conventions shared by all charts (see `style.rs`): Okabe–Ito colours
//! with a marker shape as the second cue, legends in a column right of
//! the plot (never over the data), tick labels with units. DejaVu Sans,
//! shipped in `assets/fonts/` with its licence, is registered before any
//! chart (plotters' system-font support would need fontconfig).

mod availability;
mod bars;
mod distribution;
pub(crate) mod format;
mod latency_time;
mod outcomes;
mod plan;
mod replication;
pub(crate) mod style;
mod sweep;
mod utilisation;

use super::ReportError;
use super::data::Folder;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

pub use style::Theme;

/// A drawing area of any backend.
pub type Area<DB> = DrawingArea<DB, Shift>;

/// What a chart function returns: its title, or why it could not draw.
pub type Drawn = Result<String, Box<dyn std::error::Error>>;

/// A backend whose errors can be boxed (both of ours).
pub trait Backend: DrawingBackend<ErrorType: 'static> {}
impl<T: DrawingBackend<ErrorType: 'static>> Backend for T {}

/// Logical size of every chart (the SVG's pixels; the PNG has twice as many).
pub const WIDTH_PX: u32 = 1200;
pub const HEIGHT_PX: u32 = 700;

/// A chart written as `<stem>.svg` and `<stem>.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartFile {
    pub stem: String,
    pub title: String,
    /// Which section of a report it belongs to.
    pub kind: ChartKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    LatencyOverTime,
    Distribution,
    Outcomes,
    Utilisation,
    Availability,
    /// A sweep's latency against its first axis.
    Sweep,
    /// The planner's evidence.
    Plan,
    Replication,
}

fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let regular: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
        // Both are valid TrueType files checked into the repository.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, regular);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, bold);
    });
}

/// Draws one chart on both backends and writes `<stem>.svg` and `<stem>.png`.
fn render(
    dir: &Path,
    stem: &str,
    kind: ChartKind,
    svg: impl FnOnce(&Area<SVGBackend>, &Theme) -> Drawn,
    png: impl FnOnce(&Area<BitMapBackend>, &Theme) -> Drawn,
) -> Result<ChartFile, ReportError> {
    register_fonts();
    let failed = |e: Box<dyn std::error::Error>| ReportError::Draw {
        chart: stem.to_string(),
        message: e.to_string(),
    };
    let mut text = String::new();
    let title = {
        let root = SVGBackend::with_string(&mut text, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
        let title = svg(&root, &Theme::new(1.0)).map_err(failed)?;
        root.present().map_err(|e| failed(e.into()))?;
        title
    };
    let svg_path = dir.join(format!("{stem}.svg"));
    std::fs::write(&svg_path, text).map_err(|e| ReportError::io(&svg_path, e))?;
    let png_path = dir.join(format!("{stem}.png"));
    {
        let root = BitMapBackend::new(&png_path, (2 * WIDTH_PX, 2 * HEIGHT_PX)).into_drawing_area();
        png(&root, &Theme::new(2.0)).map_err(failed)?;
        root.present().map_err(|e| failed(e.into()))?;
    }
    Ok(ChartFile {
        stem: stem.to_string(),
        title,
        kind,
    })
}

/// `render` with the same generic chart function on both backends.
macro_rules! chart {
    ($dir:expr, $stem:expr, $kind:expr, $f:path $(, $arg:expr)*) => {
        render($dir, &$stem, $kind, |a, t| $f(a, t $(, $arg)*), |a, t| $f(a, t $(, $arg)*))
    };
}

/// A file-name-safe form of a scenario name.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Draws every chart the folder's data allows, into `dir`.
pub fn render_charts(dir: &Path, f: &Folder) -> Result<Vec<ChartFile>, ReportError> {
    use ChartKind::*;
    let mut out = vec![];
    if !f.summary.is_empty() {
        for sc in latency_time::scenarios_to_draw(f) {
            let stem = format!("latency-over-time-{}", slug(&sc));
            out.push(chart!(
                dir,
                stem,
                LatencyOverTime,
                latency_time::draw,
                f,
                &sc
            )?);
        }
        out.push(chart!(
            dir,
            "latency-distribution",
            Distribution,
            distribution::draw,
            f
        )?);
        out.push(chart!(dir, "outcomes", Outcomes, outcomes::draw, f)?);
        out.push(chart!(
            dir,
            "utilisation",
            Utilisation,
            utilisation::draw,
            f
        )?);
        if !f.axes.is_empty() {
            out.push(chart!(dir, "sweep", Sweep, sweep::draw, f)?);
        }
    }
    if !f.plan.is_empty() {
        out.push(chart!(dir, "plan", Plan, plan::draw, f)?);
    }
    if !f.replication.is_empty() {
        out.push(chart!(
            dir,
            "replication-lag",
            Replication,
            replication::lag,
            f
        )?);
        out.push(chart!(
            dir,
            "stale-reads",
            Replication,
            replication::stale,
            f
        )?);
        out.push(chart!(
            dir,
            "replication-summary",
            Replication,
            replication::summary,
            f
        )?);
    }
    if !f.availability.is_empty() {
        out.push(chart!(
            dir,
            "availability",
            Availability,
            availability::draw,
            f
        )?);
    }
    Ok(out)
}
