//! The `World`'s side of a balancer's health checks (`balancer/health.rs`)
//! and passive checks (`balancer/passive.rs`): it probes the backend's
//! server (up, refusing, silent, or cut off by a partition), schedules the
//! next check, logs each verdict in the timeline, and drains the backend
//! queue when a backend comes back. Also primes the faults and the first
//! checks of a run.

use super::balancer::PassiveVerdict;
use super::ids::LbId;
use super::network::Cut;
use super::world::{Event, World};
use crate::engine::rng::Streams;
use crate::engine::{Scheduler, SimDuration};
use rand::RngExt;

type Sched = Scheduler<Event>;

impl World {
    /// Schedules the faults and every balancer's first health checks.
    pub(super) fn prime_faults_and_checks(&mut self, s: &mut Sched, streams: &Streams) {
        for (i, f) in self.faults.iter().enumerate() {
            s.schedule(f.at, Event::FaultStart(i as u16));
        }
        self.prime_random_failures(s);
        let mut rng = streams.stream("checks");
        for (b, balancer) in self.balancers.iter().enumerate() {
            if let Some(check) = &balancer.cfg.check {
                for backend in 0..balancer.cfg.backends.len() {
                    let phase = rng.random_range(0..check.inter.as_nanos().max(1));
                    let ev = Event::Check {
                        lb: LbId::new(b),
                        backend: backend as u16,
                    };
                    s.schedule(SimDuration::from_nanos(phase), ev);
                }
            }
        }
    }

    pub(super) fn check_start(&mut self, s: &mut Sched, lb: LbId, backend: u16) {
        let balancer = &self.balancers[lb.index()];
        let Some(check) = balancer.cfg.check else {
            return; // checks are scheduled only when configured
        };
        if !balancer.up {
            // A dead balancer checks nothing; look again later.
            s.schedule(check.inter, Event::Check { lb, backend });
            return;
        }
        let sv = balancer.server(usize::from(backend));
        let server = &self.servers[sv.index()];
        let (up, silent) = if self.net.is_cut(Cut::LbServer(lb, sv)) {
            (false, true)
        } else {
            (server.up, server.silent)
        };
        match (up, silent) {
            (true, _) => self.check_end(s, lb, backend, true),
            (false, false) => self.check_end(s, lb, backend, false),
            (false, true) => {
                let ev = Event::CheckEnd {
                    lb,
                    backend,
                    ok: false,
                };
                s.schedule(check.timeout, ev);
            }
        }
    }

    pub(super) fn check_end(&mut self, s: &mut Sched, lb: LbId, backend: u16, ok: bool) {
        let i = usize::from(backend);
        let balancer = &mut self.balancers[lb.index()];
        let outcome = balancer.check_ended(i, ok, s.now());
        if let Some(up) = outcome.changed {
            let what = format!(
                "{}: {} is {}",
                balancer.name(),
                self.servers[balancer.server(i).index()].name,
                if up { "UP" } else { "DOWN" }
            );
            self.log(s, what);
        }
        s.schedule(outcome.next, Event::Check { lb, backend });
        if outcome.changed == Some(true) && !self.balancers[lb.index()].queue.is_empty() {
            self.drain_queue(s, lb);
        }
    }

    /// Balancer `lb` saw an answer (`ok`) or an error from `backend`.
    pub(super) fn observe(&mut self, s: &mut Sched, lb: LbId, backend: u16, ok: bool) {
        let i = usize::from(backend);
        let balancer = &mut self.balancers[lb.index()];
        let Some(verdict) = balancer.observe(i, ok, s.now()) else {
            return;
        };
        let (lb_name, sv_name) = (
            balancer.name(),
            &self.servers[balancer.server(i).index()].name,
        );
        let what = match verdict {
            PassiveVerdict::Down { errors } => {
                format!("{lb_name}: {sv_name} is DOWN ({errors} consecutive errors seen)")
            }
            PassiveVerdict::Unavailable {
                fail_timeout,
                max_fails,
            } => {
                s.schedule(fail_timeout, Event::Revive { lb, backend });
                format!(
                    "{lb_name}: {sv_name} unavailable for {fail_timeout} ({max_fails} failure(s))"
                )
            }
        };
        self.log(s, what);
    }

    /// nginx tries a backend again after `fail_timeout`.
    pub(super) fn revive(&mut self, s: &mut Sched, lb: LbId, backend: u16) {
        let balancer = &mut self.balancers[lb.index()];
        if balancer.revive(usize::from(backend), s.now()) && !balancer.queue.is_empty() {
            self.drain_queue(s, lb);
        }
    }
}
