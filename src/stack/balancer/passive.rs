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

use super::Balancer;
use crate::engine::{SimDuration, SimTime};
use crate::stack::config::Passive;

/// Per backend passive-check state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PassiveState {
    /// HAProxy: consecutive errors; nginx: errors in the current window.
    pub errors: u32,
    /// nginx: when the current counting window started.
    pub window_start: SimTime,
}

/// A backend taken out of rotation by what live traffic showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PassiveVerdict {
    /// HAProxy: down after `errors` consecutive errors (active checks bring it back).
    Down { errors: u32 },
    /// nginx: unavailable for `fail_timeout` after `max_fails` failures.
    Unavailable {
        fail_timeout: SimDuration,
        max_fails: u32,
    },
}

impl Balancer {
    /// The balancer saw an answer (`ok`) or an error from backend `i` at `now`.
    pub(crate) fn observe(&mut self, i: usize, ok: bool, now: SimTime) -> Option<PassiveVerdict> {
        let passive = self.cfg.passive?;
        let st = &mut self.passive[i];
        let c = &mut self.chooser;
        match passive {
            Passive::Observe {
                error_limit,
                mark_down,
            } => {
                if ok {
                    st.errors = 0;
                    return None;
                }
                st.errors += 1;
                if st.errors < error_limit {
                    return None;
                }
                st.errors = 0;
                if !c.up[i] {
                    return None;
                }
                let fall = self.cfg.check.map_or(3, |c| c.fall);
                c.streak[i] += 1;
                if mark_down || c.streak[i] >= fall {
                    c.up[i] = false;
                    c.streak[i] = 0;
                    return Some(PassiveVerdict::Down {
                        errors: error_limit,
                    });
                }
                None
            }
            Passive::MaxFails {
                max_fails,
                fail_timeout,
            } => {
                if ok {
                    return None;
                }
                if now >= st.window_start + fail_timeout {
                    st.window_start = now;
                    st.errors = 0;
                }
                st.errors += 1;
                if st.errors >= max_fails && c.up[i] {
                    st.errors = 0;
                    c.up[i] = false;
                    return Some(PassiveVerdict::Unavailable {
                        fail_timeout,
                        max_fails,
                    });
                }
                None
            }
        }
    }

    /// nginx tries backend `i` again after `fail_timeout`; true if it was out.
    pub(crate) fn revive(&mut self, i: usize, now: SimTime) -> bool {
        if self.chooser.up[i] {
            return false;
        }
        self.chooser.up[i] = true;
        self.chooser.came_up(i, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{balancer, config};
    use super::*;

    #[test]
    fn haproxy_counts_consecutive_errors_as_failed_checks() {
        let mut cfg = config(1);
        cfg.passive = Some(Passive::Observe {
            error_limit: 2,
            mark_down: false,
        });
        let mut b = balancer(&cfg);
        let t = SimTime::ZERO;
        // error_limit 2 counts one failed check; fall 3 of them take it out:
        // after a success, six errors in a row.
        let mut verdicts = vec![];
        for k in 0..7 {
            verdicts.push(b.observe(0, false, t));
            if k == 0 {
                assert_eq!(b.observe(0, true, t), None, "a success resets the count");
            }
        }
        assert_eq!(verdicts.iter().flatten().count(), 1);
        assert_eq!(verdicts[6], Some(PassiveVerdict::Down { errors: 2 }));
        assert!(!b.chooser.up[0]);
    }

    #[test]
    fn nginx_counts_errors_within_fail_timeout_then_revives() {
        let mut cfg = config(1);
        let ft = SimDuration::from_secs(10);
        cfg.passive = Some(Passive::MaxFails {
            max_fails: 2,
            fail_timeout: ft,
        });
        let mut b = balancer(&cfg);
        assert_eq!(b.observe(0, false, SimTime::ZERO), None);
        // The window has passed: the count starts again.
        assert_eq!(b.observe(0, false, SimTime(11_000_000_000)), None);
        assert_eq!(
            b.observe(0, false, SimTime(12_000_000_000)),
            Some(PassiveVerdict::Unavailable {
                fail_timeout: ft,
                max_fails: 2
            })
        );
        assert!(b.revive(0, SimTime(22_000_000_000)));
        assert!(!b.revive(0, SimTime(22_000_000_000)), "already back");
    }
}
