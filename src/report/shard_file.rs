//! `shard.txt`: what `run --shard K/N` writes — the run's identity and
//! every replication result of its cells, losslessly — and what `merge`
//! reads back.
//!
//! A line-oriented text file of tab-separated fields: a header (format
//! version, experiment name, seed, model and experiment hashes, K and N,
//! the scenarios with their replication counts and common-random-numbers
//! switch, the sweep's columns), then one record per cell in input order
//! (`cell`, its latency histogram's non-empty buckets, failures, stations,
//! windows, timeline events and replication sets — `shard_cells.rs` —,
//! `end`), then `total` with the number of
//! cells, so a cut-off file is noticed. Floating-point numbers are written
//! as the hexadecimal of their bits and read back bit for bit, so a merged
//! run computes exactly what one machine computes. Text fields escape
//! backslash, tab, newline and carriage return.

use super::shard_cells::{Fields, bits, esc, float, part, record, unesc};
use crate::experiment::BatchPlan;
use crate::experiment::shard::{Identity, Shard};
use crate::input::SweepColumns;
use crate::stack::ReplicationResult;
use crate::stats::Histogram;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// The shard file's name inside a shard folder.
pub const FILE: &str = "shard.txt";
/// The first line's second field: this format's version.
const VERSION: &str = "1";

/// Everything about a shard but its cells.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub identity: Identity,
    pub shard: Shard,
    /// Per scenario: its name, replications, common random numbers and
    /// batch means plan.
    pub scenarios: Vec<(String, u32, bool, Option<BatchPlan>)>,
    pub sweep: Option<SweepColumns>,
}

/// `:N` after a file's name, or nothing for a problem with the whole file.
fn at_line(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}

/// A shard file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), at_line(*line))]
pub struct ShardFileError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// The header lines of a shard file.
pub fn header(m: &Manifest) -> String {
    let id = &m.identity;
    let mut o = format!("stacksim-shard\t{VERSION}\n");
    o += &format!("experiment\t{}\n", esc(&id.experiment));
    o += &format!("seed\t{}\n", id.seed);
    o += &format!("models\t{}\n", id.models);
    o += &format!("identity\t{}\n", id.experiment_hash);
    o += &format!("shard\t{}\t{}\n", m.shard.index, m.shard.count);
    for (name, reps, crn, plan) in &m.scenarios {
        o += &format!("scenario\t{}\t{reps}\t{}", esc(name), u8::from(*crn));
        if let Some(p) = plan {
            o += &format!("\t{}\t{}\t{}", p.batches, p.first_window, bits(p.window_s));
        }
        o.push('\n');
    }
    if let Some(sw) = &m.sweep {
        let cols: Vec<String> = sw.columns.iter().map(|c| esc(c)).collect();
        o += &format!("axes\t{}\n", cols.join("\t"));
        for (name, values) in &sw.rows {
            let vals: Vec<String> = values.iter().map(|v| esc(v)).collect();
            o += &format!("axis_values\t{}\t{}\n", esc(name), vals.join("\t"));
        }
    }
    o += "cells\n";
    o
}

/// Writes a shard file cell by cell.
pub struct ShardWriter {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    cells: u64,
}

impl ShardWriter {
    /// Creates `dir/shard.txt` with `m`'s header.
    pub fn begin(dir: &Path, m: &Manifest) -> Result<ShardWriter, super::output::OutputError> {
        let path = dir.join(FILE);
        let io = |e| super::output::OutputError::Io(path.clone(), e);
        let file = std::fs::File::create(&path).map_err(io)?;
        let mut out = std::io::BufWriter::new(file);
        out.write_all(header(m).as_bytes()).map_err(io)?;
        Ok(ShardWriter {
            path,
            out,
            cells: 0,
        })
    }

    pub fn add(
        &mut self,
        i: usize,
        r: &ReplicationResult,
    ) -> Result<(), super::output::OutputError> {
        self.cells += 1;
        (self.out.write_all(record(i, r).as_bytes()))
            .map_err(|e| super::output::OutputError::Io(self.path.clone(), e))
    }

    /// Writes the `total` line and flushes.
    pub fn finish(mut self) -> Result<u64, super::output::OutputError> {
        let io = |e| super::output::OutputError::Io(self.path.clone(), e);
        writeln!(self.out, "total\t{}", self.cells).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(self.cells)
    }
}

/// Reads a shard file: its manifest, then its cells one at a time.
pub struct ShardReader {
    pub path: PathBuf,
    pub manifest: Manifest,
    lines: std::io::Lines<std::io::BufReader<std::fs::File>>,
    line: usize,
    pub cells_read: u64,
}

impl ShardReader {
    fn err(&self, message: impl Into<String>) -> ShardFileError {
        ShardFileError {
            path: self.path.clone(),
            line: self.line,
            message: message.into(),
        }
    }

    fn next_line(&mut self) -> Result<Option<String>, ShardFileError> {
        match self.lines.next() {
            None => Ok(None),
            Some(Ok(l)) => {
                self.line += 1;
                Ok(Some(l))
            }
            Some(Err(e)) => Err(self.err(format!("cannot read: {e}"))),
        }
    }

    fn expect_line(&mut self, what: &str) -> Result<String, ShardFileError> {
        self.next_line()?.ok_or_else(|| {
            self.err(format!(
                "the file ends early (expected {what}): the shard did not finish"
            ))
        })
    }

    /// Opens `dir/shard.txt` and reads its header.
    pub fn open(dir: &Path) -> Result<ShardReader, ShardFileError> {
        let path = dir.join(FILE);
        let file = std::fs::File::open(&path).map_err(|e| ShardFileError {
            path: path.clone(),
            line: 0,
            message: format!(
                "not a shard folder ({}): give folders written by `run --shard K/N`",
                match e.kind() {
                    std::io::ErrorKind::NotFound => "it has no shard.txt",
                    std::io::ErrorKind::PermissionDenied => "its shard.txt may not be read",
                    _ => "its shard.txt cannot be opened",
                }
            ),
        })?;
        let mut r = ShardReader {
            path,
            manifest: Manifest {
                identity: Identity {
                    experiment: String::new(),
                    seed: 0,
                    models: String::new(),
                    experiment_hash: String::new(),
                },
                shard: Shard { index: 0, count: 1 },
                scenarios: vec![],
                sweep: None,
            },
            lines: std::io::BufReader::new(file).lines(),
            line: 0,
            cells_read: 0,
        };
        let first = r.expect_line("the header")?;
        if first != format!("stacksim-shard\t{VERSION}") {
            return Err(r.err("not a stacksim shard file of this version"));
        }
        loop {
            let l = r.expect_line("`cells`")?;
            let f: Fields = l.split('\t').collect();
            r.header_line(&f)?;
            if f[0] == "cells" {
                break;
            }
        }
        Ok(r)
    }

    fn header_line(&mut self, f: &Fields) -> Result<(), ShardFileError> {
        let bad = || {
            let shown = crate::text::clip(&f.join(" "), 60);
            self.err(format!("unexpected header line `{shown}`"))
        };
        let text = |s: &str| unesc(s).ok_or_else(bad);
        let num = |s: &str| s.parse::<u64>().map_err(|_| bad());
        let mut m = self.manifest.clone();
        match (f[0], f.len()) {
            ("experiment", 2) => m.identity.experiment = text(f[1])?,
            ("seed", 2) => m.identity.seed = num(f[1])?,
            ("models", 2) => m.identity.models = f[1].to_string(),
            ("identity", 2) => m.identity.experiment_hash = f[1].to_string(),
            ("shard", 3) => {
                let (k, n) = (num(f[1])?, num(f[2])?);
                m.shard = Shard::parse(&format!("{k}/{n}")).map_err(|_| bad())?;
            }
            ("scenario", 4 | 7) => {
                let reps = u32::try_from(num(f[2])?).map_err(|_| bad())?;
                let plan = if f.len() == 7 {
                    Some(BatchPlan {
                        batches: u32::try_from(num(f[4])?).map_err(|_| bad())?,
                        first_window: usize::try_from(num(f[5])?).map_err(|_| bad())?,
                        window_s: float(f[6]).ok_or_else(bad)?,
                    })
                } else {
                    None
                };
                m.scenarios.push((text(f[1])?, reps, f[3] == "1", plan));
            }
            ("axes", _) => {
                let columns = (f[1..].iter()).map(|c| text(c)).collect::<Result<_, _>>()?;
                m.sweep = Some(SweepColumns {
                    columns,
                    rows: vec![],
                });
            }
            ("axis_values", n) if n >= 2 => {
                let name = text(f[1])?;
                let vals = (f[2..].iter()).map(|c| text(c)).collect::<Result<_, _>>()?;
                m.sweep.as_mut().ok_or_else(bad)?.rows.push((name, vals));
            }
            ("cells", 1) => {}
            _ => return Err(bad()),
        }
        self.manifest = m;
        Ok(())
    }

    /// The next cell (scenario index and result), or `None` after the
    /// `total` line (checked against the cells read).
    pub fn next_cell(&mut self) -> Result<Option<(usize, ReplicationResult)>, ShardFileError> {
        let l = self.expect_line("a cell or `total`")?;
        let f: Fields = l.split('\t').collect();
        if f[0] == "total" {
            if f.len() != 2 || f[1].parse::<u64>().ok() != Some(self.cells_read) {
                return Err(self.err(format!(
                    "`total` does not match the {} cells read",
                    self.cells_read
                )));
            }
            return Ok(None);
        }
        let (i, mut r) = self
            .cell(&f)
            .ok_or_else(|| self.err("damaged cell record"))?;
        loop {
            let l = self.expect_line("`end`")?;
            let f: Fields = l.split('\t').collect();
            if f[0] == "end" && f.len() == 1 {
                break;
            }
            if !part(&mut r, &f) {
                return Err(self.err(format!(
                    "damaged line `{}`",
                    crate::text::clip(&f.join(" "), 60)
                )));
            }
        }
        self.cells_read += 1;
        Ok(Some((i, r)))
    }

    fn cell(&self, f: &Fields) -> Option<(usize, ReplicationResult)> {
        if f.len() != 9 || f[0] != "cell" {
            return None;
        }
        let n = |i: usize| f[i].parse::<u64>().ok();
        Some((
            f[1].parse().ok()?,
            ReplicationResult {
                replication: f[2].parse().ok()?,
                seed: n(3)?,
                ok: n(4)?,
                failed: n(5)?,
                failures: vec![],
                latency: Histogram::new(),
                measured_s: float(f[6])?,
                stations: vec![],
                windows: vec![],
                events: n(7)?,
                peak_in_flight: f[8].parse().ok()?,
                timeline: vec![],
                repl_sets: vec![],
            },
        ))
    }
}
