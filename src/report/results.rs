//! The CSVs of a run written as its scenarios finish: [`ResultsWriter`].
//!
//! The files with rows per replication (`csv_out::PER_REPLICATION`) are open
//! for the whole run and get each scenario's rows when the scenario is
//! handed over; only the scenario's summary and its `percentiles.csv` rows
//! are kept (a few hundred bytes each), and `summary.csv` and
//! `percentiles.csv` are written at the end. So memory does not grow with
//! the cells finished, and the bytes are exactly those of writing every
//! result at once (the same row functions, the same order). `run` and
//! `merge` both write through it, which is what makes merged shards equal
//! a single machine's run. A model that replicates adds `replication.csv`
//! (its rows kept like the summary's) and `replication_over_time.csv`
//! (streamed, opened at the first scenario that replicates).

use super::csv_out::{self, PER_REPLICATION};
use super::output::{OutputError, write_csv};
use super::percentiles;
use super::replication_out;
use crate::experiment::{ScenarioResult, ScenarioSummary, summarise};
use crate::input::SweepColumns;
use std::fs::File;
use std::path::{Path, PathBuf};

type Csv = csv::Writer<File>;

/// The open CSV files of a run in progress and what summary.csv needs.
pub struct ResultsWriter {
    dir: PathBuf,
    open: Vec<(PathBuf, Csv)>,
    sums: Vec<ScenarioSummary>,
    percentiles: Vec<Vec<String>>,
    events: u64,
    replications: Vec<usize>,
    /// `replication.csv`'s rows (without the sweep's axes) and the open
    /// `replication_over_time.csv`: both only once a scenario replicates.
    repl_rows: Vec<Vec<String>>,
    repl_over_time: Option<(PathBuf, Csv)>,
}

/// What a finished run wrote and summarised.
#[derive(Debug)]
pub struct Written {
    /// The file names written, `summary.csv` first.
    pub files: Vec<String>,
    pub sums: Vec<ScenarioSummary>,
    /// Simulated events over every replication.
    pub events: u64,
    /// Replications per scenario handed over.
    pub replications: Vec<usize>,
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> OutputError + '_ {
    move |e| OutputError::Io(path.to_path_buf(), e.into())
}

impl ResultsWriter {
    /// Opens the per-replication files in `dir` (a staging folder) and
    /// writes their headers.
    pub fn begin(dir: &Path) -> Result<ResultsWriter, OutputError> {
        let mut open = vec![];
        for (name, rows) in PER_REPLICATION {
            let path = dir.join(name);
            let mut w = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
            for row in rows(&[]) {
                w.write_record(&row).map_err(csv_err(&path))?;
            }
            open.push((path, w));
        }
        Ok(ResultsWriter {
            dir: dir.to_path_buf(),
            open,
            sums: vec![],
            percentiles: percentiles::rows(&[]),
            events: 0,
            replications: vec![],
            repl_rows: vec![],
            repl_over_time: None,
        })
    }

    /// Adds a finished scenario: its rows go to the files, its summary and
    /// percentile rows are kept.
    pub fn add(&mut self, s: &ScenarioResult) -> Result<(), OutputError> {
        let one = std::slice::from_ref(s);
        for ((path, w), (_, rows)) in self.open.iter_mut().zip(PER_REPLICATION) {
            for row in rows(one).iter().skip(1) {
                w.write_record(row).map_err(csv_err(path))?;
            }
        }
        self.sums.push(summarise(s));
        self.percentiles.extend(percentiles::scenario_rows(s));
        self.events += s.replications.iter().map(|r| r.events).sum::<u64>();
        self.replications.push(s.replications.len());
        if replication_out::replicates(s) {
            self.repl_rows
                .extend(replication_out::scenario_summary_rows(s));
            if self.repl_over_time.is_none() {
                let path = self.dir.join(replication_out::OVER_TIME);
                let mut w = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
                for row in replication_out::over_time_rows(&[]) {
                    w.write_record(&row).map_err(csv_err(&path))?;
                }
                self.repl_over_time = Some((path, w));
            }
            if let Some((path, w)) = &mut self.repl_over_time {
                for row in replication_out::over_time_rows(one).iter().skip(1) {
                    w.write_record(row).map_err(csv_err(path))?;
                }
            }
        }
        Ok(())
    }

    /// The summaries of the scenarios added so far.
    pub fn sums(&self) -> &[ScenarioSummary] {
        &self.sums
    }

    /// Flushes the files and writes `summary.csv` and `percentiles.csv`.
    pub fn finish(self, sweep: Option<&SweepColumns>) -> Result<Written, OutputError> {
        let mut files = vec!["summary.csv".to_string()];
        for (path, mut w) in self.open {
            w.flush().map_err(|e| OutputError::Io(path.clone(), e))?;
            files.push(super::output::file_name(&path));
        }
        write_csv(
            &self.dir.join("summary.csv"),
            &csv_out::summary(&self.sums, sweep),
        )?;
        write_csv(&self.dir.join("percentiles.csv"), &self.percentiles)?;
        files.push("percentiles.csv".into());
        if let Some((path, mut w)) = self.repl_over_time {
            let mut rows = vec![replication_out::summary_header(sweep)];
            rows.extend(
                self.repl_rows
                    .into_iter()
                    .map(|r| replication_out::with_axes(r, sweep)),
            );
            write_csv(&self.dir.join(replication_out::SUMMARY), &rows)?;
            w.flush().map_err(|e| OutputError::Io(path.clone(), e))?;
            files.extend([
                replication_out::SUMMARY.into(),
                replication_out::OVER_TIME.into(),
            ]);
        }
        Ok(Written {
            files,
            sums: self.sums,
            events: self.events,
            replications: self.replications,
        })
    }
}
