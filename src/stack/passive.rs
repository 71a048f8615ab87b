//! Passive health checks: a balancer judging its backends by the answers
//! of real requests — HAProxy's `observe layer7` with `error-limit` and
//! `on-error`, or nginx's `max_fails` / `fail_timeout`.
//!
//! An error is a failed connection attempt or a 5xx-class failure of the
//! backend (a full queue, a crash, a timeout, a database error); a success
//! is any answer that is not. HAProxy counts *consecutive* errors: at
//! `error_limit` it either counts one failed health check (`fail-check`,
//! the default: `fall` of them take the backend out) or marks it down at
//! once (`mark-down`; active checks bring it back after `rise` successes).
//! nginx counts errors within `fail_timeout` and, at `max_fails`, stops
//! using the backend for `fail_timeout`, then simply tries it again.

use super::config::Passive;
use super::world::{Event, World};
use crate::engine::{Scheduler, SimTime};

type Sched = Scheduler<Event>;

/// Per backend passive-check state.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PassiveState {
    /// HAProxy: consecutive errors; nginx: errors in the current window.
    pub errors: u32,
    /// nginx: when the current counting window started.
    pub window_start: SimTime,
}

impl World {
    /// Balancer `b` saw an answer (`ok`) or an error from backend `i`.
    pub(super) fn observe(&mut self, s: &mut Sched, b: usize, i: usize, ok: bool) {
        let Some(passive) = self.lb_cfg[b].passive else {
            return;
        };
        let now = s.now();
        let st = &mut self.passive[b][i];
        match passive {
            Passive::Observe {
                error_limit,
                mark_down,
            } => {
                if ok {
                    st.errors = 0;
                    return;
                }
                st.errors += 1;
                if st.errors < error_limit {
                    return;
                }
                st.errors = 0;
                let balancer = &mut self.balancers[b];
                if !balancer.up[i] {
                    return;
                }
                let fall = self.lb_cfg[b].check.map_or(3, |c| c.fall);
                balancer.streak[i] += 1;
                if mark_down || balancer.streak[i] >= fall {
                    balancer.up[i] = false;
                    balancer.streak[i] = 0;
                    let what = format!(
                        "{}: {} is DOWN ({} consecutive errors seen)",
                        balancer.name, self.servers[balancer.servers[i]].name, error_limit
                    );
                    self.log(s, what);
                }
            }
            Passive::MaxFails {
                max_fails,
                fail_timeout,
            } => {
                if ok {
                    return;
                }
                if now >= st.window_start + fail_timeout {
                    st.window_start = now;
                    st.errors = 0;
                }
                st.errors += 1;
                if st.errors >= max_fails && self.balancers[b].up[i] {
                    st.errors = 0;
                    self.balancers[b].up[i] = false;
                    s.schedule(fail_timeout, Event::Revive(b as u16, i as u16));
                    let balancer = &self.balancers[b];
                    let what = format!(
                        "{}: {} unavailable for {fail_timeout} ({max_fails} failure(s))",
                        balancer.name, self.servers[balancer.servers[i]].name
                    );
                    self.log(s, what);
                }
            }
        }
    }

    /// nginx tries a backend again after `fail_timeout`.
    pub(super) fn revive(&mut self, s: &mut Sched, b: u16, i: u16) {
        let (b, i) = (b as usize, i as usize);
        if !self.balancers[b].up[i] {
            self.balancers[b].up[i] = true;
            self.balancers[b].came_up(i, s.now());
            if !self.balancers[b].queue.is_empty() {
                self.drain_queue(s, b);
            }
        }
    }
}
