//! A service station: `workers` parallel servers in front of one FIFO queue,
//! with an optional queue limit. Used for the balancer's threads, nginx, the
//! application's worker pool and a database's connections.
//!
//! The station does not decide *when* a worker is freed: a synchronous app
//! worker stays busy through its database queries, so the caller releases it.
//! It keeps the time-weighted busy count and queue length and the waiting
//! time of each job that starts, all reset at the end of the warm-up.

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
    // hot path is a few integer operations: ∫busy dt, ∫queue length dt,
    // the sum of waits, and the jobs that started.
    since: SimTime,
    last_change: SimTime,
    busy_area: u128,
    queue_area: u128,
    wait_sum_ns: u128,
    started: u64,
    pub rejected: u64,
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
            last_change: SimTime::ZERO,
            busy_area: 0,
            queue_area: 0,
            wait_sum_ns: 0,
            started: 0,
            rejected: 0,
        }
    }

    /// Accumulates the areas under busy and queue length up to `now`;
    /// called before either changes.
    #[inline]
    fn touch(&mut self, now: SimTime) {
        let dt = u128::from((now - self.last_change).as_nanos());
        self.busy_area += u128::from(self.busy) * dt;
        self.queue_area += self.queue.len() as u128 * dt;
        self.last_change = now;
    }

    /// Offers a job. On `Started`, the caller draws the service time with
    /// [`Station::service_time`] and schedules its completion.
    #[inline]
    pub fn admit(&mut self, now: SimTime, req: u32, kind: u8) -> Admit {
        if self.busy < self.workers {
            self.touch(now);
            self.busy += 1;
            self.started += 1;
            Admit::Started
        } else if (self.queue.len() as u64) < u64::from(self.queue_limit) {
            self.touch(now);
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
    #[inline]
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
    #[inline]
    pub fn release(&mut self, now: SimTime) -> Option<(u32, u8)> {
        self.touch(now);
        match self.queue.pop_front() {
            Some(w) => {
                self.started += 1;
                self.wait_sum_ns += u128::from((now - w.since).as_nanos());
                Some((w.req, w.kind))
            }
            None => {
                debug_assert!(self.busy > 0, "release of an idle station {}", self.name);
                self.busy -= 1;
                None
            }
        }
    }

    /// Jobs waiting for a worker.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Discards the statistics gathered so far (end of warm-up).
    pub fn reset_stats(&mut self, now: SimTime) {
        self.touch(now);
        self.since = now;
        self.busy_area = 0;
        self.queue_area = 0;
        self.wait_sum_ns = 0;
        self.started = 0;
        self.rejected = 0;
    }

    /// The statistics from the last reset up to `now`.
    pub fn stats(&self, now: SimTime) -> StationStats {
        let dt = u128::from((now - self.last_change).as_nanos());
        let busy_area = self.busy_area + u128::from(self.busy) * dt;
        let queue_area = self.queue_area + self.queue.len() as u128 * dt;
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
