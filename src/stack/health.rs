//! HAProxy's active health checks, as its `src/check.c` schedules them.
//!
//! Each balancer checks each backend on its own cycle. A check against a
//! server that is up succeeds, against a dead process fails at once
//! (connection refused), against a silent host fails only when the check
//! times out (`timeout check`, which is `inter` when unset). The next check
//! starts `inter` after the previous one *ends* — `fastinter` while the
//! state is changing (some failures counted while up, some successes while
//! down), `downinter` while down. `fall` consecutive failures take a backend
//! out of rotation, `rise` consecutive successes bring it back. Checks start
//! at a random phase in [0, inter) (HAProxy spreads them).
//!
//! A check's verdict is taken when it starts: a check that began against a
//! silent host fails at its timeout even if the host comes back meanwhile
//! (its SYN went unanswered), so a recovery is seen (rise−1)·fastinter plus
//! up to timeout + downinter after it.
//!
//! Detection of a refusing process therefore takes (fall−1)·fastinter plus
//! U(0, inter); of a silent host fall·timeout + (fall−1)·fastinter plus
//! U(0, inter): 4–6 s and 10–12 s with the defaults.

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
        for (b, cfg) in self.lb_cfg.iter().enumerate() {
            if let Some(check) = &cfg.check {
                for backend in 0..cfg.backends.len() {
                    let phase = rng.random_range(0..check.inter.as_nanos().max(1));
                    s.schedule(
                        SimDuration::from_nanos(phase),
                        Event::Check(b as u16, backend as u16),
                    );
                }
            }
        }
    }

    pub(super) fn check_start(&mut self, s: &mut Sched, lb: u16, backend: u16) {
        let b = lb as usize;
        let check = self.lb_cfg[b]
            .check
            .expect("checks are scheduled only when configured");
        if !self.lb_state[b].0 {
            // A dead balancer checks nothing; look again later.
            s.schedule(check.inter, Event::Check(lb, backend));
            return;
        }
        let sv = self.balancers[b].servers[backend as usize];
        let server = &self.servers[sv];
        let (up, silent) = if self.lb_cut_off(b, sv) {
            (false, true)
        } else {
            (server.up, server.silent)
        };
        match (up, silent) {
            (true, _) => self.check_end(s, lb, backend, true),
            (false, false) => self.check_end(s, lb, backend, false),
            (false, true) => {
                s.schedule(check.timeout, Event::CheckEnd(lb, backend, false));
            }
        }
    }

    pub(super) fn check_end(&mut self, s: &mut Sched, lb: u16, backend: u16, ok: bool) {
        let b = lb as usize;
        let i = backend as usize;
        let check = self.lb_cfg[b]
            .check
            .expect("checks are scheduled only when configured");
        let balancer = &mut self.balancers[b];
        let believed_up = balancer.up[i];
        let mut changed = None;
        if ok == believed_up {
            balancer.streak[i] = 0;
        } else {
            balancer.streak[i] += 1;
            let needed = if believed_up { check.fall } else { check.rise };
            if balancer.streak[i] >= needed {
                balancer.up[i] = !believed_up;
                balancer.streak[i] = 0;
                changed = Some(!believed_up);
            }
        }
        let next = match (balancer.up[i], balancer.streak[i]) {
            (true, 0) => check.inter,
            (false, 0) => check.downinter,
            _ => check.fastinter,
        };
        if changed == Some(true) {
            balancer.came_up(i, s.now());
        }
        if let Some(up) = changed {
            let name = format!(
                "{}: {} is {}",
                balancer.name,
                self.servers[balancer.servers[i]].name,
                if up { "UP" } else { "DOWN" }
            );
            self.log(s, name);
        }
        s.schedule(next, Event::Check(lb, backend));
        if changed == Some(true) && !self.balancers[b].queue.is_empty() {
            self.drain_queue(s, b);
        }
    }
}
