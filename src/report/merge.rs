//! `stacksim merge DIR... --out DIR`: shards written by `run --shard K/N`
//! combined into the results folder one machine's `run` writes, byte for
//! byte.
//!
//! Before anything is written, every shard's header is compared with the
//! first one's: the same experiment (name), seed, models and experiment
//! hash, and the same N; each K from 0 to N−1 exactly once; the same
//! `experiment.csv`, `model.csv` and `topology.svg`. Any difference is
//! refused with a message naming the two folders and what differs. The
//! cells are then read in input order — cell number j from shard j mod N,
//! as `run --shard` dealt them — each checked to be the scenario and
//! replication expected there, grouped into scenarios and written through
//! the same [`ResultsWriter`] as `run`, one scenario at a time.

use super::output::OutputError;
use super::results::{ResultsWriter, Written};
use super::shard_file::{Manifest, ShardFileError, ShardReader};
use crate::experiment::ScenarioResult;
use std::path::{Path, PathBuf};

/// The files every shard carries unchanged from the experiment.
pub const META_FILES: [&str; 3] = ["experiment.csv", "model.csv", "topology.svg"];

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Shard(#[from] ShardFileError),
    #[error("cannot merge: {} and {} {what}", a.display(), b.display())]
    Different {
        a: PathBuf,
        b: PathBuf,
        what: String,
    },
    #[error("cannot merge: shard(s) {} of {count} missing (give all {count} shard folders)", missing.join(", "))]
    Missing { missing: Vec<String>, count: u32 },
    #[error("cannot merge: {}: {message}", path.display())]
    Damaged { path: PathBuf, message: String },
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl MergeError {
    /// Whether the folders given are at fault (exit 2) rather than writing.
    pub fn is_input(&self) -> bool {
        match self {
            MergeError::Output(e) => e.is_input(),
            _ => true,
        }
    }
}

/// What a merge wrote, and the shards' manifest.
#[derive(Debug)]
pub struct Merged {
    pub written: Written,
    pub manifest: Manifest,
}

/// What differs between two shards' headers, if anything.
fn difference(a: &Manifest, b: &Manifest) -> Option<String> {
    let (x, y) = (&a.identity, &b.identity);
    if x.experiment != y.experiment {
        return Some(format!(
            "are shards of different experiments ({} and {})",
            x.experiment, y.experiment
        ));
    }
    if x.seed != y.seed {
        return Some(format!(
            "were run with different seeds ({} and {})",
            x.seed, y.seed
        ));
    }
    if x.models != y.models {
        return Some("were run on different models (another model file or --set)".into());
    }
    if x.experiment_hash != y.experiment_hash || a.scenarios != b.scenarios {
        return Some(
            "differ in the experiment's settings (scenarios, workload, run settings, \
             --set, --replications or the stacksim version)"
                .into(),
        );
    }
    if a.shard.count != b.shard.count {
        return Some(format!(
            "were split differently ({} and {} shards)",
            a.shard.count, b.shard.count
        ));
    }
    None
}

/// Checks the shards in `dirs` belong together and orders them by K.
fn open_all(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, ShardReader)>, MergeError> {
    let mut readers = vec![];
    for d in dirs {
        readers.push((d.clone(), ShardReader::open(d)?));
    }
    let Some((first_dir, first)) = readers.first() else {
        return Err(MergeError::Missing {
            missing: vec!["all".into()],
            count: 0,
        });
    };
    let first_bytes: Vec<Option<Vec<u8>>> = (META_FILES.iter())
        .map(|f| std::fs::read(first_dir.join(f)).ok())
        .collect();
    for (d, r) in &readers[1..] {
        if let Some(what) = difference(&first.manifest, &r.manifest) {
            return Err(MergeError::Different {
                a: first_dir.clone(),
                b: d.clone(),
                what,
            });
        }
        for (f, want) in META_FILES.iter().zip(&first_bytes) {
            if std::fs::read(d.join(f)).ok() != *want {
                return Err(MergeError::Different {
                    a: first_dir.clone(),
                    b: d.clone(),
                    what: format!("hold different {f} files (different experiments)"),
                });
            }
        }
    }
    let count = first.manifest.shard.count;
    readers.sort_by_key(|(_, r)| r.manifest.shard.index);
    for pair in readers.windows(2) {
        if pair[0].1.manifest.shard == pair[1].1.manifest.shard {
            return Err(MergeError::Different {
                a: pair[0].0.clone(),
                b: pair[1].0.clone(),
                what: format!("are the same shard ({})", pair[0].1.manifest.shard),
            });
        }
    }
    let have: Vec<u32> = readers
        .iter()
        .map(|(_, r)| r.manifest.shard.index)
        .collect();
    let missing: Vec<String> = (0..count)
        .filter(|k| !have.contains(k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    Ok(readers)
}

/// Checks `dirs` and writes the merged CSVs and meta files into `out` (a
/// staging folder); the caller renders the charts and commits.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Merged, MergeError> {
    let mut readers = open_all(dirs)?;
    let manifest = readers[0].1.manifest.clone();
    for f in META_FILES {
        let from = readers[0].0.join(f);
        if from.exists() {
            std::fs::copy(&from, out.join(f)).map_err(|e| OutputError::Io(out.join(f), e))?;
        }
    }
    let n = readers.len();
    let mut writer = ResultsWriter::begin(out)?;
    let mut cell = 0usize;
    for (i, (name, reps, _, plan)) in manifest.scenarios.iter().enumerate() {
        let mut s = ScenarioResult {
            name: name.clone(),
            replications: Vec::with_capacity(*reps as usize),
            detected_warmup: None,
            stopping: None,
            batches: *plan,
        };
        for r in 0..*reps {
            let (dir, reader) = &mut readers[cell % n];
            let damaged = |message: String| MergeError::Damaged {
                path: dir.clone(),
                message,
            };
            match reader.next_cell()? {
                Some((si, rep)) if si == i && rep.replication == r => s.replications.push(rep),
                Some((si, rep)) => {
                    return Err(damaged(format!(
                        "holds scenario {si} replication {} where scenario {i} replication {r} belongs",
                        rep.replication
                    )));
                }
                None => {
                    return Err(damaged(format!(
                        "has no cell for scenario {name}, replication {r}"
                    )));
                }
            }
            cell += 1;
        }
        writer.add(&s)?;
    }
    for (dir, reader) in &mut readers {
        if reader.next_cell()?.is_some() {
            return Err(MergeError::Damaged {
                path: dir.clone(),
                message: "holds more cells than its experiment has".into(),
            });
        }
    }
    let written = writer.finish(manifest.sweep.as_ref())?;
    Ok(Merged { written, manifest })
}
