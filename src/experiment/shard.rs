//! Splitting an experiment's cells across machines: `run --shard K/N`.
//!
//! A *cell* is one scenario × replication. The cells are numbered in input
//! order (scenario by scenario, replications in order), and shard K of N
//! (K counted from 0, as Slurm's `SLURM_ARRAY_TASK_ID` of `--array=0-(N-1)`
//! and Kubernetes' `JOB_COMPLETION_INDEX` count) runs the cells whose number
//! is K modulo N. Dealing the cells round-robin rather than in blocks
//! spreads expensive scenarios (a sweep's high loads) over every shard; a
//! shard past the number of cells simply runs none. A cell's random numbers
//! depend only on the experiment's seed, its scenario and its replication,
//! never on which machine runs it, so merged shards give exactly the bytes
//! of one machine's run.
//!
//! Warm-up by MSER-5 and sequential stopping decide how many replications a
//! scenario gets from the results of *all* of its replications, which no
//! single shard has: a sharded run refuses them (use a fixed warm-up and
//! count, e.g. the ones a single-machine run reported).
//!
//! [`Identity`] names what a shard belongs to — the experiment's name, its
//! seed, a hash of the models and a hash of everything that decides the
//! results — so `merge` refuses shards of different runs with a message
//! saying which of these differs.

use crate::input::expand::Experiment;
use std::fmt::Write as _;

/// Shard `index` of `count` (0 ≤ index < count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Why a shard cannot be run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ShardError {
    #[error(
        "--shard {0:?}: expected K/N, shard K of N counted from 0 (e.g. --shard 0/4 … --shard 3/4)"
    )]
    Syntax(String),
    #[error("--shard {index}/{count}: K must be below N (shards are counted from 0 to N-1)")]
    Range { index: u32, count: u32 },
    #[error(
        "--shard: scenario {scenario} uses {what}, whose replications depend on the results of all \
         shards; give a fixed {fix} to run it sharded"
    )]
    Adaptive {
        scenario: String,
        what: &'static str,
        fix: &'static str,
    },
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(crate::text::clip(text, 40));
        let (k, n) = text.split_once('/').ok_or_else(syntax)?;
        let k: u32 = k.trim().parse().map_err(|_| syntax())?;
        let n: u32 = n.trim().parse().map_err(|_| syntax())?;
        if n == 0 {
            return Err(syntax());
        }
        if k >= n {
            return Err(ShardError::Range { index: k, count: n });
        }
        Ok(Shard { index: k, count: n })
    }

    /// Whether cell number `cell` (in input order) belongs to this shard.
    pub fn owns(&self, cell: usize) -> bool {
        cell % self.count as usize == self.index as usize
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Every cell of `exp` as (scenario index, replication), in input order.
pub fn cells(exp: &Experiment) -> Vec<(usize, u32)> {
    (exp.scenarios.iter().enumerate())
        .flat_map(|(i, sc)| (0..sc.run.replications).map(move |r| (i, r)))
        .collect()
}

/// Refuses an experiment whose replication counts depend on its results.
pub fn check_fixed(exp: &Experiment) -> Result<(), ShardError> {
    for sc in &exp.scenarios {
        let adaptive = if sc.run.stats.auto_warmup {
            Some(("warmup = \"auto\" (MSER-5)", "warm-up (warmup = \"30s\")"))
        } else if sc.run.stats.sequential.is_some() {
            Some((
                "sequential stopping (replications = { target = … })",
                "replication count (--replications 20)",
            ))
        } else {
            None
        };
        if let Some((what, fix)) = adaptive {
            return Err(ShardError::Adaptive {
                scenario: sc.name.clone(),
                what,
                fix,
            });
        }
    }
    Ok(())
}

/// What a shard belongs to; shards merge only when all four agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub experiment: String,
    pub seed: u64,
    /// FNV-1a of every scenario's model, as `{:x}`.
    pub models: String,
    /// FNV-1a of stacksim's version and everything that decides the results
    /// (scenarios with their models, workloads, faults, run settings; the
    /// sweep's columns), as `{:x}`.
    pub experiment_hash: String,
}

/// FNV-1a (64 bits), fed through `fmt::Write`, so a large input is hashed
/// without being built as a string first.
struct Fnv(u64);

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

fn fnv(f: impl FnOnce(&mut Fnv) -> std::fmt::Result) -> String {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    // Writing into a hash cannot fail.
    let _ = f(&mut h);
    format!("{:016x}", h.0)
}

/// The identity of `exp` (its `Debug` forms are hashed: they hold every
/// field, in declaration order, with no map whose order could vary).
pub fn identity(exp: &Experiment) -> Identity {
    Identity {
        experiment: exp.name.clone(),
        seed: exp.scenarios.first().map_or(0, |s| s.run.seed),
        models: fnv(|h| (exp.scenarios.iter()).try_for_each(|sc| write!(h, "{:?}\u{0}", sc.model))),
        experiment_hash: fnv(|h| {
            write!(h, "stacksim {}\u{0}", env!("CARGO_PKG_VERSION"))?;
            (exp.scenarios.iter()).try_for_each(|sc| write!(h, "{sc:?}\u{0}"))?;
            write!(h, "{:?}", exp.sweep)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_is_parsed_and_checked() {
        assert_eq!(Shard::parse("2/5"), Ok(Shard { index: 2, count: 5 }));
        assert!(matches!(Shard::parse("5/5"), Err(ShardError::Range { .. })));
        for bad in ["", "3", "a/4", "1/0", "-1/4", "1/4/2"] {
            assert!(
                matches!(Shard::parse(bad), Err(ShardError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_cell_belongs_to_exactly_one_shard() {
        for n in 1..7u32 {
            for cell in 0..40 {
                let owners = (0..n)
                    .filter(|&k| Shard { index: k, count: n }.owns(cell))
                    .count();
                assert_eq!(owners, 1);
            }
        }
    }

    #[test]
    fn the_hash_is_fnv1a() {
        // FNV-1a 64 of "a" (the published test vector).
        assert_eq!(fnv(|h| h.write_str("a")), "af63dc4c8601ec8c");
    }
}
