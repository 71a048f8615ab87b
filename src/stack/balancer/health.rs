//! HAProxy's active health checks, as its `src/check.c` schedules them: a
//! balancer's verdicts on its backends.
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
//! U(0, inter): 4–6 s and 10–12 s with the defaults. Probing the server and
//! scheduling are `World`'s (checks.rs); this file keeps the counting.

use super::Balancer;
use crate::engine::{SimDuration, SimTime};

/// What one check's end changed, and when to check again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The backend's new state, if the check changed what is believed.
    pub changed: Option<bool>,
    pub next: SimDuration,
}

impl Balancer {
    /// A check of backend `i` ended at `now`, successfully or not.
    /// Checks run only when configured.
    pub(crate) fn check_ended(&mut self, i: usize, ok: bool, now: SimTime) -> CheckOutcome {
        let check = self
            .cfg
            .check
            .expect("checks are scheduled only when configured");
        let c = &mut self.chooser;
        let believed_up = c.up[i];
        let mut changed = None;
        if ok == believed_up {
            c.streak[i] = 0;
        } else {
            c.streak[i] += 1;
            let needed = if believed_up { check.fall } else { check.rise };
            if c.streak[i] >= needed {
                c.up[i] = !believed_up;
                c.streak[i] = 0;
                changed = Some(!believed_up);
            }
        }
        let next = match (c.up[i], c.streak[i]) {
            (true, 0) => check.inter,
            (false, 0) => check.downinter,
            _ => check.fastinter,
        };
        if changed == Some(true) {
            c.came_up(i, now);
        }
        CheckOutcome { changed, next }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{balancer, config};
    use super::*;

    #[test]
    fn fall_failures_take_a_backend_out_and_rise_successes_bring_it_back() {
        let mut b = balancer(&config(2));
        let t = SimTime::ZERO;
        let s = SimDuration::from_secs;
        // fall = 3: two failures change nothing but the pace (fastinter).
        for _ in 0..2 {
            assert_eq!(
                b.check_ended(0, false, t),
                CheckOutcome {
                    changed: None,
                    next: s(1)
                }
            );
        }
        assert_eq!(
            b.check_ended(0, false, t),
            CheckOutcome {
                changed: Some(false),
                next: s(3)
            }
        );
        assert!(!b.chooser.up[0] && b.chooser.up[1]);
        // rise = 2.
        assert_eq!(
            b.check_ended(0, true, t),
            CheckOutcome {
                changed: None,
                next: s(1)
            }
        );
        assert_eq!(
            b.check_ended(0, true, t),
            CheckOutcome {
                changed: Some(true),
                next: s(2)
            }
        );
        assert!(b.chooser.up[0]);
        // A success while up resets the streak of failures.
        b.check_ended(1, false, t);
        b.check_ended(1, true, t);
        b.check_ended(1, false, t);
        b.check_ended(1, false, t);
        assert!(b.chooser.up[1], "never three failures in a row");
    }
}
