//! Writing results: CSV files, charts and the reports.
//!
//! A results folder is replaced whole or not at all: every file goes into a
//! staging folder first ([`output::Staged`]), which takes the results
//! folder's name only when all of them are written. Nothing here runs a
//! simulation. Charts and reports are built by [`render_folder`] from the
//! files of a results folder alone, so `run` and `stacksim report DIR`
//! share one code path; only `charts/` knows plotters.

pub mod availability_out;
pub mod charts;
pub mod csv_out;
pub mod data;
pub mod diagram;
pub mod headline;
pub mod html;
pub mod load_table;
pub mod markdown;
pub mod merge;
pub mod meta;
pub mod output;
pub mod percentiles;
pub mod plan_out;
pub mod replication_out;
pub mod results;
pub mod shard_cells;
pub mod shard_file;
pub mod table;
pub mod topology;

use std::path::{Path, PathBuf};

/// Why charts or reports could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Csv { path: PathBuf, message: String },
    #[error("chart {chart}: {message}")]
    Draw { chart: String, message: String },
    #[error("{}: no results here (no summary.csv, availability.csv or plan.csv)", .0.display())]
    Empty(PathBuf),
}

impl ReportError {
    pub fn io(path: &Path, source: std::io::Error) -> ReportError {
        ReportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Builds the charts and reports of the results folder `dir` from its
/// files; returns the files written.
pub fn render_folder(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let folder = data::Folder::read(dir)?;
    if folder.summary.is_empty() && folder.availability.is_empty() && folder.plan.is_empty() {
        return Err(ReportError::Empty(dir.to_path_buf()));
    }
    let charts = charts::render_charts(dir, &folder)?;
    let mut files = vec![];
    let mut svgs = vec![];
    for c in &charts {
        let svg = dir.join(format!("{}.svg", c.stem));
        svgs.push(std::fs::read_to_string(&svg).map_err(|e| ReportError::io(&svg, e))?);
        files.push(svg);
        files.push(dir.join(format!("{}.png", c.stem)));
    }
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| ReportError::io(&p, e))?;
        Ok::<_, ReportError>(p)
    };
    files.push(write("report.html", html::render(&folder, &charts, &svgs))?);
    files.push(write("report.md", markdown::render(&folder, &charts))?);
    Ok(files)
}
