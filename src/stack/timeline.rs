//! What happened when in a replication — faults, recoveries, health-check
//! verdicts — kept up to [`TIMELINE_MAX`] entries, then counted in one line,
//! so that memory does not grow with simulated time.

use super::guards::{TIMELINE_MAX, thousands};
use crate::engine::SimTime;

#[derive(Default)]
pub(super) struct Timeline {
    entries: Vec<(SimTime, String)>,
    /// Entries past the cap: when the first came, how many.
    dropped: (SimTime, u64),
}

impl Timeline {
    /// Records an entry, up to [`TIMELINE_MAX`] per replication.
    pub(super) fn log(&mut self, now: SimTime, what: String) {
        if self.entries.len() < TIMELINE_MAX {
            self.entries.push((now, what));
        } else {
            let (first, n) = &mut self.dropped;
            if *n == 0 {
                *first = now;
            }
            *n += 1;
        }
    }

    /// The timeline as reported: the kept entries, then one counting the rest.
    pub(super) fn rows(&self) -> Vec<(f64, String)> {
        let mut rows: Vec<(f64, String)> = self
            .entries
            .iter()
            .map(|(t, what)| (t.as_secs_f64(), what.clone()))
            .collect();
        let (first, n) = self.dropped;
        if n > 0 {
            rows.push((
                first.as_secs_f64(),
                format!(
                    "… {} more events not recorded (the timeline keeps the first {} of a replication)",
                    thousands(n),
                    thousands(TIMELINE_MAX as u64)
                ),
            ));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_keeps_its_first_entries_and_counts_the_rest() {
        let mut w = Timeline::default();
        let extra = 1234;
        for i in 0..TIMELINE_MAX + extra {
            w.log(SimTime(i as u64), format!("entry {i}"));
        }
        let rows = w.rows();
        assert_eq!(rows.len(), TIMELINE_MAX + 1);
        assert_eq!(
            rows[TIMELINE_MAX - 1].1,
            format!("entry {}", TIMELINE_MAX - 1)
        );
        let last = &rows[TIMELINE_MAX];
        assert_eq!(
            last.0,
            TIMELINE_MAX as f64 * 1e-9,
            "at the first one not kept"
        );
        assert_eq!(
            last.1,
            "… 1,234 more events not recorded (the timeline keeps the first 10,000 of a replication)"
        );
    }
}
