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
use crate::stats::{TimeWeighted, Welford};
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
    // Statistics since the last reset.
    busy_tw: TimeWeighted,
    queue_tw: TimeWeighted,
    wait_ns: Welford,
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
            busy_tw: TimeWeighted::new(SimTime::ZERO, 0.0),
            queue_tw: TimeWeighted::new(SimTime::ZERO, 0.0),
            wait_ns: Welford::new(),
            rejected: 0,
        }
    }

    /// Offers a job. On `Started`, the caller draws the service time with
    /// [`Station::service_time`] and schedules its completion.
    #[inline]
    pub fn admit(&mut self, now: SimTime, req: u32, kind: u8) -> Admit {
        if self.busy < self.workers {
            self.busy += 1;
            self.busy_tw.set(now, f64::from(self.busy));
            self.wait_ns.push(0.0);
            Admit::Started
        } else if (self.queue.len() as u64) < u64::from(self.queue_limit) {
            self.queue.push_back(Waiting {
                req,
                kind,
                since: now,
            });
            self.queue_tw.set(now, self.queue.len() as f64);
            Admit::Queued
        } else {
            self.rejected += 1;
            Admit::Rejected
        }
    }

    /// Draws a service time for a job of `kind`.
    #[inline]
    pub fn service_time(&mut self, kind: u8) -> SimDuration {
        self.services[usize::from(kind)].sample(&mut self.rng)
    }

    /// Frees one worker. If a job was waiting, it takes the worker and is
    /// returned (request id, kind) so that the caller schedules its service.
    #[inline]
    pub fn release(&mut self, now: SimTime) -> Option<(u32, u8)> {
        match self.queue.pop_front() {
            Some(w) => {
                self.queue_tw.set(now, self.queue.len() as f64);
                self.wait_ns.push((now - w.since).as_nanos() as f64);
                Some((w.req, w.kind))
            }
            None => {
                debug_assert!(self.busy > 0, "release of an idle station {}", self.name);
                self.busy -= 1;
                self.busy_tw.set(now, f64::from(self.busy));
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
        self.busy_tw.reset(now);
        self.queue_tw.reset(now);
        self.wait_ns = Welford::new();
        self.rejected = 0;
    }

    pub fn stats(&self, now: SimTime) -> StationStats {
        StationStats {
            name: self.name.clone(),
            workers: self.workers,
            utilisation: self.busy_tw.mean(now) / f64::from(self.workers),
            mean_queue: self.queue_tw.mean(now),
            mean_wait_ms: if self.wait_ns.count() == 0 {
                0.0
            } else {
                self.wait_ns.mean() / 1e6
            },
            started: self.wait_ns.count(),
            rejected: self.rejected,
        }
    }
}
