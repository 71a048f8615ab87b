//! Cells run in parallel and delivered one by one in input order, with a
//! bounded number of finished results held at any time.
//!
//! Each worker (one per thread of the pool) takes the next cell number from
//! a shared counter, so cells are started in input order and no thread idles
//! while cells remain (no chunks fixed in advance, no barrier between
//! scenarios). A finished cell goes to the calling thread over a channel;
//! the caller delivers it once every earlier cell has been delivered. A
//! worker does not start a cell more than [`WINDOW_PER_THREAD`] × threads
//! ahead of the next one to deliver, so memory stays bounded however many
//! cells there are — results are summarised as they arrive, not kept.
//!
//! Stopping: when the delivery function says stop, or the `cancel` flag is
//! raised (Ctrl-C), no new cell starts and the call returns at once with
//! what was delivered; cells still running finish on their own in the
//! background and their results are dropped (the workers are detached rayon
//! jobs, so a long replication never delays the stop).
//!
//! Determinism: which cell a result belongs to is carried with it, and
//! delivery follows the cell numbers, so the order never depends on the
//! threads.

use crate::stack::config::Scenario;
use crate::stack::{ReplicationResult, SimError, simulate};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How many cells per thread may be started ahead of the next to deliver.
pub const WINDOW_PER_THREAD: usize = 4;

/// How often the caller looks at the cancel flag while waiting for a cell.
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// How a stream of cells ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every cell was delivered.
    All,
    /// Stopped early (cancelled, or the delivery function said stop); the
    /// number of cells delivered.
    Stopped(usize),
}

struct Shared {
    next: AtomicUsize,
    stop: AtomicBool,
    delivered: Mutex<usize>,
    moved: Condvar,
}

/// The result of one cell, as a worker sends it.
type Done = (usize, Result<ReplicationResult, SimError>);

/// Runs `jobs` (scenario index into `scs`, replication) on `pool` (rayon's
/// global pool when `None`) and calls `deliver(job number, result)` in job
/// order on the calling thread; `deliver` returns `Ok(false)` to stop.
pub fn stream<E>(
    pool: Option<&rayon::ThreadPool>,
    scs: &Arc<[Scenario]>,
    jobs: &Arc<[(usize, u32)]>,
    cancel: Option<&AtomicBool>,
    mut deliver: impl FnMut(usize, Result<ReplicationResult, SimError>) -> Result<bool, E>,
) -> Result<Ended, E> {
    if jobs.is_empty() {
        return Ok(Ended::All);
    }
    let threads = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let window = WINDOW_PER_THREAD * threads.max(1);
    let shared = Arc::new(Shared {
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        delivered: Mutex::new(0),
        moved: Condvar::new(),
    });
    let (tx, rx) = mpsc::channel::<Done>();
    for _ in 0..threads.min(jobs.len()) {
        let (shared, tx, scs, jobs) = (shared.clone(), tx.clone(), scs.clone(), jobs.clone());
        let work = move || worker(&shared, &tx, &scs, &jobs, window);
        match pool {
            Some(p) => p.spawn(work),
            None => rayon::spawn(work),
        }
    }
    drop(tx);
    let stop = |shared: &Shared| {
        shared.stop.store(true, Ordering::SeqCst);
        let _guard = shared.delivered.lock();
        shared.moved.notify_all();
    };
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::SeqCst));
    let mut held: BTreeMap<usize, Result<ReplicationResult, SimError>> = BTreeMap::new();
    let mut next = 0usize;
    while next < jobs.len() {
        if cancelled() {
            stop(&shared);
            return Ok(Ended::Stopped(next));
        }
        match rx.recv_timeout(CANCEL_POLL) {
            Ok((j, res)) => {
                held.insert(j, res);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            // Every worker ended before all cells came back: only a
            // panicking simulation can do this; stop with what arrived.
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(Ended::Stopped(next)),
        }
        while let Some(res) = held.remove(&next) {
            let more = deliver(next, res);
            next += 1;
            {
                let mut d = shared.delivered.lock().unwrap_or_else(|e| e.into_inner());
                *d = next;
                shared.moved.notify_all();
            }
            match more {
                Ok(true) => {}
                Ok(false) => {
                    stop(&shared);
                    return Ok(Ended::Stopped(next));
                }
                Err(e) => {
                    stop(&shared);
                    return Err(e);
                }
            }
        }
    }
    Ok(Ended::All)
}

fn worker(
    shared: &Shared,
    tx: &mpsc::Sender<Done>,
    scs: &[Scenario],
    jobs: &[(usize, u32)],
    window: usize,
) {
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let j = shared.next.fetch_add(1, Ordering::SeqCst);
        let Some(&(i, r)) = jobs.get(j) else {
            return;
        };
        {
            let mut d = shared.delivered.lock().unwrap_or_else(|e| e.into_inner());
            while j >= *d + window && !shared.stop.load(Ordering::SeqCst) {
                d = shared.moved.wait(d).unwrap_or_else(|e| e.into_inner());
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if tx.send((j, simulate(&scs[i], r))).is_err() {
            return;
        }
    }
}
