//! Running an experiment's cells and handing each scenario over as soon as
//! it is finished: [`run_each`] (the whole experiment, scenario by scenario,
//! in input order), [`run_shard`] (one shard's cells, cell by cell) and
//! [`run`] (everything collected, for callers that want it all at once).
//!
//! With a fixed replication count, the cells stream through
//! [`super::stream`]: a scenario's replications are held only until its
//! last one arrives, then the scenario goes to the caller and is dropped,
//! so memory does not grow with the cells finished. With `warmup = "auto"`
//! or sequential stopping the cells run in rounds (`sequential`), each round
//! streamed the same way; a scenario is handed over when it has stopped and
//! every scenario before it has been handed over.
//!
//! Interruption (`cancel` raised): no new cell starts; the scenarios
//! finished so far are handed over (those of a round-based run that are
//! finished, in input order, even past an unfinished one) and the run
//! returns [`Outcome::Interrupted`].

use super::sequential::{self, scenario_seed};
use super::shard::{self, Shard};
use super::stream::{Ended, stream};
use super::{RunFailure, ScenarioResult, ThreadsError};
use crate::engine::SimDuration;
use crate::input::expand::Experiment;
use crate::stack::ReplicationResult;
use crate::stack::config::Scenario;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How to run: threads, a progress callback, a cancel flag.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    /// Worker threads (`None`: rayon's default, one per core).
    pub threads: Option<usize>,
    /// Called on the calling thread after each cell is delivered.
    pub progress: &'a dyn Fn(),
    /// When raised (Ctrl-C), the run stops and keeps what is finished.
    pub cancel: Option<&'a AtomicBool>,
}

/// Whether every cell ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Complete,
    /// Stopped by `cancel`: only the scenarios handed over are finished.
    Interrupted,
}

/// The pool to run on: `threads` of our own, or rayon's global pool — but
/// not from inside a rayon thread (a caller's `par_iter`): the caller waits
/// for the cells while holding one of that pool's threads, which with a
/// one-thread pool would leave none to run them. Then a pool of the same
/// size of our own.
fn pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>, ThreadsError> {
    let inside = rayon::current_thread_index().is_some();
    threads
        .or(inside.then(rayon::current_num_threads))
        .map(|n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|source| ThreadsError::Pool { threads: n, source })
        })
        .transpose()
}

/// The scenarios with each one's seed as its replications use it.
fn seeded(exp: &Experiment) -> Vec<Scenario> {
    let mut scs = exp.scenarios.clone();
    for (i, sc) in scs.iter_mut().enumerate() {
        sc.run.seed = scenario_seed(sc.run.seed, i, sc.run.stats.common_random_numbers);
    }
    scs
}

fn empty_result(sc: &Scenario) -> ScenarioResult {
    ScenarioResult {
        name: sc.name.clone(),
        replications: Vec::new(),
        detected_warmup: None,
        stopping: None,
        batches: super::BatchPlan::of(sc),
    }
}

fn model_error(sc: &Scenario, r: u32, source: crate::stack::SimError) -> RunFailure {
    RunFailure::Model {
        scenario: sc.name.clone(),
        replication: r,
        source,
    }
}

/// Runs every cell of `exp`, calling `sink` with each finished scenario in
/// input order (see the module documentation). A replication that cannot
/// be simulated stops the run with the first such one in input order.
pub fn run_each<E: From<RunFailure>>(
    exp: &Experiment,
    opts: RunOptions<'_>,
    sink: &mut dyn FnMut(ScenarioResult) -> Result<(), E>,
) -> Result<Outcome, E> {
    let pool = pool(opts.threads).map_err(RunFailure::from)?;
    let scs: Arc<[Scenario]> = seeded(exp).into();
    let adaptive =
        (scs.iter()).any(|s| s.run.stats.auto_warmup || s.run.stats.sequential.is_some());
    if adaptive {
        return in_rounds(&scs, pool.as_ref(), opts, sink);
    }
    let jobs: Arc<[(usize, u32)]> = shard::cells(exp).into();
    let mut current: Option<ScenarioResult> = None;
    // Scenarios before `handed` went to the sink (one without replications,
    // which validation refuses today, goes as soon as the next one starts).
    let mut handed = 0usize;
    let ended = stream(pool.as_ref(), &scs, &jobs, opts.cancel, |j, res| {
        let (i, r) = jobs[j];
        let rep = res.map_err(|e| model_error(&scs[i], r, e))?;
        (opts.progress)();
        while handed < i {
            sink(empty_result(&scs[handed]))?;
            handed += 1;
        }
        let cur = current.get_or_insert_with(|| empty_result(&scs[i]));
        cur.replications.push(rep);
        if cur.replications.len() == scs[i].run.replications as usize {
            let done = current.take().expect("a scenario in progress");
            sink(done)?;
            handed = i + 1;
        }
        Ok::<_, E>(true)
    })?;
    Ok(match ended {
        Ended::All => {
            for sc in &scs[handed..] {
                sink(empty_result(sc))?;
            }
            Outcome::Complete
        }
        Ended::Stopped(_) => Outcome::Interrupted,
    })
}

/// Runs the cells of `exp` that belong to `shard`, calling `sink` with
/// (scenario index, replication result) in input order. Refuses an
/// experiment whose replication counts depend on its results.
pub fn run_shard<E: From<RunFailure>>(
    exp: &Experiment,
    shard: Shard,
    opts: RunOptions<'_>,
    sink: &mut dyn FnMut(usize, ReplicationResult) -> Result<(), E>,
) -> Result<Outcome, E> {
    shard::check_fixed(exp).map_err(RunFailure::from)?;
    let pool = pool(opts.threads).map_err(RunFailure::from)?;
    let scs: Arc<[Scenario]> = seeded(exp).into();
    let jobs: Arc<[(usize, u32)]> = (shard::cells(exp).into_iter().enumerate())
        .filter(|(j, _)| shard.owns(*j))
        .map(|(_, c)| c)
        .collect();
    let ended = stream(pool.as_ref(), &scs, &jobs, opts.cancel, |j, res| {
        let (i, r) = jobs[j];
        let rep = res.map_err(|e| model_error(&scs[i], r, e))?;
        (opts.progress)();
        sink(i, rep)?;
        Ok::<_, E>(true)
    })?;
    Ok(match ended {
        Ended::All => Outcome::Complete,
        Ended::Stopped(_) => Outcome::Interrupted,
    })
}

/// Runs every scenario and replication of `exp` on `threads` threads
/// (`None` = rayon's default, one per core) and returns them all.
/// `progress` is called after each finished replication.
pub fn run(
    exp: &Experiment,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<ScenarioResult>, RunFailure> {
    let mut out = Vec::with_capacity(exp.scenarios.len());
    let opts = RunOptions {
        threads,
        progress: &|| progress(),
        cancel: None,
    };
    run_each(exp, opts, &mut |s| {
        out.push(s);
        Ok::<_, RunFailure>(())
    })?;
    Ok(out)
}

/// One round of cells, collected per scenario in input order.
fn round(
    scs: &Arc<[Scenario]>,
    pool: Option<&rayon::ThreadPool>,
    jobs: Vec<(usize, u32)>,
    opts: RunOptions<'_>,
) -> Result<Option<Vec<Vec<ReplicationResult>>>, RunFailure> {
    let jobs: Arc<[(usize, u32)]> = jobs.into();
    let mut out: Vec<Vec<ReplicationResult>> = vec![Vec::new(); scs.len()];
    let ended = stream(pool, scs, &jobs, opts.cancel, |j, res| {
        let (i, r) = jobs[j];
        out[i].push(res.map_err(|e| model_error(&scs[i], r, e))?);
        (opts.progress)();
        Ok::<_, RunFailure>(true)
    })?;
    Ok((ended == Ended::All).then_some(out))
}

/// Warm-up by MSER-5 and sequential stopping, in rounds (`sequential`).
fn in_rounds<E: From<RunFailure>>(
    scs: &Arc<[Scenario]>,
    pool: Option<&rayon::ThreadPool>,
    opts: RunOptions<'_>,
    sink: &mut dyn FnMut(ScenarioResult) -> Result<(), E>,
) -> Result<Outcome, E> {
    let mut scs_now: Vec<Scenario> = scs.to_vec();
    let mut out: Vec<Option<ScenarioResult>> =
        scs.iter().map(|sc| Some(empty_result(sc))).collect();
    // The pilot: the first batch of every auto-warm-up scenario, untruncated.
    let pilot_jobs: Vec<(usize, u32)> = (scs.iter().enumerate())
        .filter(|(_, sc)| sc.run.stats.auto_warmup)
        .flat_map(|(i, sc)| (0..sc.run.replications).map(move |r| (i, r)))
        .collect();
    if !pilot_jobs.is_empty() {
        let mut pilot_scs = scs.to_vec();
        for sc in &mut pilot_scs {
            sc.run.warmup = SimDuration::ZERO;
        }
        let Some(pilot) = round(&pilot_scs.into(), pool, pilot_jobs, opts)? else {
            return Ok(Outcome::Interrupted);
        };
        for (i, sc) in scs_now.iter_mut().enumerate() {
            if sc.run.stats.auto_warmup {
                let found = sequential::detect_warmup(sc, &pilot[i]);
                sc.run.warmup = found.0;
                if let Some(o) = &mut out[i] {
                    o.detected_warmup = Some(found);
                    o.batches = super::BatchPlan::of(sc);
                }
            }
        }
    }
    let scs_now: Arc<[Scenario]> = scs_now.into();
    let mut finished = vec![false; scs.len()];
    let mut handed = 0usize;
    // Rounds: each scenario runs up to `target[i]` replications.
    let mut target: Vec<u32> = scs.iter().map(|sc| sc.run.replications).collect();
    let mut have = vec![0u32; scs.len()];
    loop {
        let jobs: Vec<(usize, u32)> = (0..scs.len())
            .flat_map(|i| (have[i]..target[i]).map(move |r| (i, r)))
            .collect();
        if jobs.is_empty() {
            break;
        }
        let Some(reps) = round(&scs_now, pool, jobs, opts)? else {
            // Interrupted: every scenario finished so far, in input order.
            for (i, o) in out.iter_mut().enumerate() {
                if finished[i] && i >= handed {
                    sink(o.take().expect("not handed over yet"))?;
                }
            }
            return Ok(Outcome::Interrupted);
        };
        for (i, reps) in reps.into_iter().enumerate() {
            if finished[i] {
                continue;
            }
            let o = out[i].as_mut().expect("not handed over yet");
            have[i] += reps.len() as u32;
            o.replications.extend(reps);
            finished[i] = match &scs[i].run.stats.sequential {
                None => true,
                Some(rule) => match sequential::next_count(rule, &o.replications) {
                    Ok(n) => {
                        target[i] = n;
                        false
                    }
                    Err(reached) => {
                        o.stopping = Some(reached);
                        true
                    }
                },
            };
        }
        while handed < scs.len() && finished[handed] {
            sink(out[handed].take().expect("not handed over yet"))?;
            handed += 1;
        }
    }
    for o in out.iter_mut().skip(handed) {
        sink(o.take().expect("not handed over yet"))?;
    }
    Ok(Outcome::Complete)
}
