//! A service station: `workers` parallel servers in front of one FIFO queue,
//! with an optional queue limit. Used for the balancer's threads, nginx, the
//! application's worker pool and a database's connections.
//!
//! The station does not decide *when* a worker is freed: a synchronous app
//! worker stays busy through its database queries, so the caller releases it.
//! It keeps the time-weighted busy count and queue length and the waiting
//! time of each job that starts, all reset at the end of the warm-up.
//!
//! The areas under busy and queue length are kept without a multiply per
//! change: ∫busy dt over a period is the sum of its busy spells' ends minus
//! the sum of their starts, so a worker taken adds −now, a worker freed
//! +now (wrapping `u128`), and the area at `now` is that sum plus
//! busy · now. A job passing from the queue to a worker at once changes
//! neither busy count nor sum; the same holds for the queue.

use crate::dist::Dist;
use crate::engine::rng::Rng;
use crate::engine::{SimDuration, SimTime};
use std::collections::VecDeque;

/// What happened to a job offered to a station.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// A worker took it at once.
    Started,
    /// It waits in the queue.
    Queued,
    /// The queue was full: the request fails.
    Rejected,
}

/// What the stack does when a job here ends, beyond the station itself:
/// decided once from the model, so that a completion costs no look-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDone {
    /// Free the worker (balancer threads, nginx, an asynchronous app, a
    /// database outside any replication set).
    Release,
    /// A synchronous app (PHP-FPM-like): the worker stays with the request
    /// through its database queries, until the response leaves.
    KeepWorker,
    /// A database in a replication set: a write's end is a commit, which
    /// semi-sync may hold until a replica acknowledges.
    Commit,
}

/// One queued job: the request id, what kind of work (index into
/// `services`), and when it joined the queue.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    req: u32,
    kind: u8,
    since: SimTime,
}

pub struct Station {
    pub name: String,
    pub workers: u32,
    pub busy: u32,
    queue_limit: u32,
    queue: VecDeque<Waiting>,
    /// Service-time distributions by job kind (a database: read, write).
    pub services: Vec<Dist>,
    pub rng: Rng,
    /// Service times are multiplied by this (a slow-down fault); 1 normally.
    pub scale: f64,
    // Statistics since the last reset, in integer nanoseconds so that the
    // hot path is a few integer operations: ∫busy dt and ∫queue length dt
    // (as Σ ends − Σ starts, see above), the sum of waits, and the jobs
    // that started.
    since: SimTime,
    busy_acc: u128,
    queue_acc: u128,
    wait_sum_ns: u128,
    started: u64,
    pub rejected: u64,
    /// Set by the stack when it builds the station (`Release` otherwise).
    pub on_done: OnDone,
}

/// A station's statistics over the measured period.
#[derive(Clone, Debug, PartialEq)]
pub struct StationStats {
    pub name: String,
    pub workers: u32,
    /// Mean busy workers / workers.
    pub utilisation: f64,
    /// Time-averaged number waiting (not in service).
    pub mean_queue: f64,
    /// Mean wait before service of the jobs that started service.
    pub mean_wait_ms: f64,
    pub started: u64,
    pub rejected: u64,
}

impl Station {
    pub fn new(
        name: String,
        workers: u32,
        queue_limit: Option<u32>,
        services: Vec<Dist>,
        rng: Rng,
    ) -> Self {
        Station {
            name,
            workers,
            busy: 0,
            queue_limit: queue_limit.unwrap_or(u32::MAX),
            queue: VecDeque::new(),
            services,
            rng,
            scale: 1.0,
            since: SimTime::ZERO,
            busy_acc: 0,
            queue_acc: 0,
            wait_sum_ns: 0,
            started: 0,
            rejected: 0,
            on_done: OnDone::Release,
        }
    }

    /// The areas under busy and under queue length from the last reset
    /// up to `now`.
    fn areas(&self, now: SimTime) -> (u128, u128) {
        let t = u128::from(now.as_nanos());
        (
            self.busy_acc.wrapping_add(u128::from(self.busy) * t),
            self.queue_acc.wrapping_add(self.queue.len() as u128 * t),
        )
    }

    /// Offers a job. On `Started`, the caller draws the service time with
    /// [`Station::service_time`] and schedules its completion.
    #[inline(always)]
    pub fn admit(&mut self, now: SimTime, req: u32, kind: u8) -> Admit {
        if self.busy < self.workers {
            self.busy_acc = self.busy_acc.wrapping_sub(u128::from(now.as_nanos()));
            self.busy += 1;
            self.started += 1;
            Admit::Started
        } else if (self.queue.len() as u64) < u64::from(self.queue_limit) {
            self.queue_acc = self.queue_acc.wrapping_sub(u128::from(now.as_nanos()));
            self.queue.push_back(Waiting {
                req,
                kind,
                since: now,
            });
            Admit::Queued
        } else {
            self.rejected += 1;
            Admit::Rejected
        }
    }

    /// Draws a service time for a job of `kind`.
    #[inline(always)]
    pub fn service_time(&mut self, kind: u8) -> SimDuration {
        let t = self.services[usize::from(kind)].sample(&mut self.rng);
        if self.scale == 1.0 {
            t
        } else {
            SimDuration::from_nanos_f64(t.as_nanos() as f64 * self.scale)
        }
    }

    /// Frees one worker. If a job was waiting, it takes the worker and is
    /// returned (request id, kind) so that the caller schedules its service.
    #[inline(always)]
    pub fn release(&mut self, now: SimTime) -> Option<(u32, u8)> {
        match self.queue.pop_front() {
            Some(w) => {
                self.queue_acc = self.queue_acc.wrapping_add(u128::from(now.as_nanos()));
                self.started += 1;
                self.wait_sum_ns += u128::from((now - w.since).as_nanos());
                Some((w.req, w.kind))
            }
            None => {
                debug_assert!(self.busy > 0, "release of an idle station {}", self.name);
                self.busy_acc = self.busy_acc.wrapping_add(u128::from(now.as_nanos()));
                self.busy -= 1;
                None
            }
        }
    }

    /// Jobs waiting for a worker.
    #[inline]
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Discards the statistics gathered so far (end of warm-up).
    pub fn reset_stats(&mut self, now: SimTime) {
        let t = u128::from(now.as_nanos());
        self.since = now;
        self.busy_acc = (u128::from(self.busy) * t).wrapping_neg();
        self.queue_acc = (self.queue.len() as u128 * t).wrapping_neg();
        self.wait_sum_ns = 0;
        self.started = 0;
        self.rejected = 0;
    }

    /// The statistics from the last reset up to `now`.
    pub fn stats(&self, now: SimTime) -> StationStats {
        let (busy_area, queue_area) = self.areas(now);
        let elapsed = (now - self.since).as_nanos() as f64;
        let mean = |area: u128| {
            if elapsed > 0.0 {
                area as f64 / elapsed
            } else {
                0.0
            }
        };
        StationStats {
            name: self.name.clone(),
            workers: self.workers,
            utilisation: mean(busy_area) / f64::from(self.workers),
            mean_queue: mean(queue_area),
            mean_wait_ms: if self.started == 0 {
                0.0
            } else {
                self.wait_sum_ns as f64 / self.started as f64 / 1e6
            },
            started: self.started,
            rejected: self.rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn station(workers: u32, limit: Option<u32>) -> Station {
        let rng = crate::engine::rng::Streams::new(1).stream("service/test");
        let exp = Dist::Exponential { mean_ns: 1e6 };
        Station::new("test".into(), workers, limit, vec![exp], rng)
    }

    /// The areas kept as Σ ends − Σ starts equal the naive ones (busy and
    /// queue length times each interval, summed at every change), through
    /// a random run of arrivals and releases with a reset in the middle.
    #[test]
    fn areas_equal_the_naive_sum_over_intervals() {
        let mut st = station(3, Some(5));
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let (mut busy_area, mut queue_area, mut last) = (0u128, 0u128, 0u64);
        let (mut now, mut rejected) = (0u64, 0u64);
        for step in 0..5_000 {
            now += rng.random_range(0..1_000);
            let dt = u128::from(now - last);
            busy_area += u128::from(st.busy) * dt;
            queue_area += st.queue_len() as u128 * dt;
            last = now;
            if step == 2_000 {
                st.reset_stats(SimTime(now));
                (busy_area, queue_area, rejected) = (0, 0, 0);
            }
            if st.busy > 0 && rng.random::<f64>() < 0.5 {
                st.release(SimTime(now));
            } else if st.admit(SimTime(now), step, 0) == Admit::Rejected {
                rejected += 1;
            }
        }
        let end = now + 777;
        let dt = u128::from(end - last);
        busy_area += u128::from(st.busy) * dt;
        queue_area += st.queue_len() as u128 * dt;
        assert_eq!(st.areas(SimTime(end)), (busy_area, queue_area));
        let stats = st.stats(SimTime(end));
        assert!(rejected > 0, "the queue limit was reached");
        assert_eq!(stats.rejected, rejected);
    }

    /// Jobs are served first come, first served, and a full queue rejects.
    #[test]
    fn the_queue_is_fifo_and_bounded() {
        let mut st = station(1, Some(2));
        let t = SimTime(10);
        assert_eq!(st.admit(t, 1, 0), Admit::Started);
        assert_eq!(st.admit(t, 2, 0), Admit::Queued);
        assert_eq!(st.admit(t, 3, 0), Admit::Queued);
        assert_eq!(st.admit(t, 4, 0), Admit::Rejected);
        assert_eq!(st.release(SimTime(20)), Some((2, 0)));
        assert_eq!(st.release(SimTime(30)), Some((3, 0)));
        assert_eq!(st.release(SimTime(40)), None);
        assert_eq!(st.busy, 0);
        let s = st.stats(SimTime(40));
        // Waits 10 and 20 ns over three started jobs.
        assert_eq!((s.started, s.rejected), (3, 1));
        assert_eq!(s.mean_wait_ms, 30.0 / 3.0 / 1e6);
    }
}
