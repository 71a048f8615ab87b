//! The cell records of a shard file (`shard_file.rs`): one replication
//! result written as tab-separated lines and read back exactly — its
//! counts, its latency histogram's non-empty buckets, failures, stations,
//! time-series windows, timeline events and replication sets' measures.
//! Floating-point numbers travel as the hexadecimal of their bits; text
//! fields escape backslash, tab, newline and carriage return.

use crate::stack::ReplicationResult;
use crate::stack::metrics::{FailReason, FailureCount, WindowRow};
use crate::stack::replication::LagSummary;
use crate::stack::station::StationStats;
use crate::stack::{ReplSetResult, ReplWindowRow};
use crate::stats::Histogram;

/// A line split at its tabs.
pub(super) type Fields<'a> = Vec<&'a str>;

pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c => o.push(c),
        }
    }
    o
}

pub(super) fn unesc(s: &str) -> Option<String> {
    let mut o = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            o.push(c);
            continue;
        }
        o.push(match it.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(o)
}

pub(super) fn bits(x: f64) -> String {
    format!("{:x}", x.to_bits())
}

pub(super) fn reason(name: &str) -> Option<FailReason> {
    FailReason::ALL.into_iter().find(|r| r.as_str() == name)
}

/// One cell's record (scenario index `i`), ending with `end`.
pub fn record(i: usize, r: &ReplicationResult) -> String {
    let mut o = format!(
        "cell\t{i}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        r.replication,
        r.seed,
        r.ok,
        r.failed,
        bits(r.measured_s),
        r.events,
        r.peak_in_flight
    );
    let (used, sum) = r.latency.buckets();
    o += &format!("latency\t{sum}\t{}\t{}", r.latency.min(), r.latency.max());
    for (b, c) in used {
        o += &format!("\t{b}:{c}");
    }
    o.push('\n');
    for f in &r.failures {
        o += &format!(
            "failure\t{}\t{}\t{}\n",
            f.reason.as_str(),
            esc(&f.at),
            f.count
        );
    }
    for s in &r.stations {
        o += &format!(
            "station\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            esc(&s.name),
            s.workers,
            bits(s.utilisation),
            bits(s.mean_queue),
            bits(s.mean_wait_ms),
            s.started,
            s.rejected
        );
    }
    for w in &r.windows {
        o += &format!(
            "window\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            bits(w.t_s),
            w.requests,
            w.ok,
            w.failed,
            bits(w.mean_ms),
            bits(w.p50_ms),
            bits(w.p99_ms)
        );
        for (reason, n) in &w.failed_by {
            o += &format!("\t{}:{n}", reason.as_str());
        }
        o.push('\n');
    }
    for (t, what) in &r.timeline {
        o += &format!("event\t{}\t{}\n", bits(*t), esc(what));
    }
    for set in &r.repl_sets {
        o += &repl_record(set);
    }
    o += "end\n";
    o
}

/// A replication set's measures: one `repl` line, then its windows
/// (`replwin`, which belong to the `repl` line before them).
fn repl_record(set: &ReplSetResult) -> String {
    let counts = [
        set.reads,
        set.stale_reads,
        set.ryw_violations,
        set.commits,
        set.failed_writes,
        set.semi_sync_fallbacks,
        set.lost_writes,
        set.lost_acknowledged,
        set.failovers,
    ];
    let (l, st) = (&set.lag, &set.staleness);
    let floats = [
        set.stale_age_mean_ms,
        set.stale_age_p99_ms,
        set.write_wait_mean_ms,
        set.write_wait_p99_ms,
        set.rpo_s,
        set.read_only_s,
        l.mean_s,
        l.p99_s,
        l.max_s,
        l.now_s,
        st.mean_s,
        st.p99_s,
        st.max_s,
        st.now_s,
    ];
    let mut o = format!("repl\t{}", esc(&set.name));
    for c in counts {
        o += &format!("\t{c}");
    }
    for x in floats {
        o += &format!("\t{}", bits(x));
    }
    o.push('\n');
    for w in &set.windows {
        o += &format!(
            "replwin\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            bits(w.t_s),
            w.reads,
            w.stale_reads,
            w.ryw_violations,
            w.commits,
            w.failed_writes,
            bits(w.lag_mean_s),
            bits(w.lag_max_s),
            bits(w.staleness_mean_s)
        );
    }
    o
}

/// Reads a `repl` line (see `repl_record`).
fn repl_set(f: &Fields) -> Option<ReplSetResult> {
    let n = |i: usize| f.get(i)?.parse::<u64>().ok();
    let x = |i: usize| float(f.get(i)?);
    let lag = |i: usize| {
        Some(LagSummary {
            mean_s: x(i)?,
            p99_s: x(i + 1)?,
            max_s: x(i + 2)?,
            now_s: x(i + 3)?,
        })
    };
    Some(ReplSetResult {
        name: unesc(f.get(1)?)?,
        reads: n(2)?,
        stale_reads: n(3)?,
        ryw_violations: n(4)?,
        commits: n(5)?,
        failed_writes: n(6)?,
        semi_sync_fallbacks: n(7)?,
        lost_writes: n(8)?,
        lost_acknowledged: n(9)?,
        failovers: n(10)?,
        stale_age_mean_ms: x(11)?,
        stale_age_p99_ms: x(12)?,
        write_wait_mean_ms: x(13)?,
        write_wait_p99_ms: x(14)?,
        rpo_s: x(15)?,
        read_only_s: x(16)?,
        lag: lag(17)?,
        staleness: lag(21)?,
        windows: vec![],
    })
}

pub(super) fn float(s: &str) -> Option<f64> {
    u64::from_str_radix(s, 16).ok().map(f64::from_bits)
}

/// Reads one line of a cell record into `r`; false when it is damaged.
pub(super) fn part(r: &mut ReplicationResult, f: &Fields) -> bool {
    (|| -> Option<()> {
        let n = |i: usize| f.get(i)?.parse::<u64>().ok();
        match (f[0], f.len()) {
            ("latency", len) if len >= 4 => {
                let sum: u128 = f[1].parse().ok()?;
                let mut used = vec![];
                for p in &f[4..] {
                    let (b, c) = p.split_once(':')?;
                    used.push((b.parse().ok()?, c.parse().ok()?));
                }
                r.latency = Histogram::from_buckets(&used, sum, n(2)?, n(3)?)?;
            }
            ("failure", 4) => r.failures.push(FailureCount {
                reason: reason(f[1])?,
                at: unesc(f[2])?,
                count: n(3)?,
            }),
            ("station", 8) => r.stations.push(StationStats {
                name: unesc(f[1])?,
                workers: f[2].parse().ok()?,
                utilisation: float(f[3])?,
                mean_queue: float(f[4])?,
                mean_wait_ms: float(f[5])?,
                started: n(6)?,
                rejected: n(7)?,
            }),
            ("window", len) if len >= 8 => {
                let mut failed_by = vec![];
                for p in &f[8..] {
                    let (name, c) = p.split_once(':')?;
                    failed_by.push((reason(name)?, c.parse().ok()?));
                }
                r.windows.push(WindowRow {
                    t_s: float(f[1])?,
                    requests: n(2)?,
                    ok: n(3)?,
                    failed: n(4)?,
                    mean_ms: float(f[5])?,
                    p50_ms: float(f[6])?,
                    p99_ms: float(f[7])?,
                    failed_by,
                });
            }
            ("event", 3) => r.timeline.push((float(f[1])?, unesc(f[2])?)),
            ("repl", 25) => r.repl_sets.push(repl_set(f)?),
            ("replwin", 10) => r.repl_sets.last_mut()?.windows.push(ReplWindowRow {
                t_s: float(f[1])?,
                reads: n(2)?,
                stale_reads: n(3)?,
                ryw_violations: n(4)?,
                commits: n(5)?,
                failed_writes: n(6)?,
                lag_mean_s: float(f[7])?,
                lag_max_s: float(f[8])?,
                staleness_mean_s: float(f[9])?,
            }),
            _ => return None,
        }
        Some(())
    })()
    .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_name() {
        for r in FailReason::ALL {
            assert_eq!(reason(r.as_str()), Some(r));
        }
    }

    #[test]
    fn text_survives_escaping() {
        for s in ["plain", "tab\there", "a\\b", "new\nline\r", "\\t literally"] {
            assert_eq!(unesc(&esc(s)).as_deref(), Some(s));
            assert!(!esc(s).contains('\t') && !esc(s).contains('\n'));
        }
        assert_eq!(unesc("bad\\x"), None);
    }

    #[test]
    fn floats_come_back_bit_for_bit() {
        for x in [0.0, -0.0, 1.0 / 3.0, f64::NAN, f64::INFINITY, 5e-324] {
            assert_eq!(float(&bits(x)).unwrap().to_bits(), x.to_bits());
        }
    }

    #[test]
    fn a_replication_set_comes_back_exactly() {
        let lag = |k: f64| LagSummary {
            mean_s: k / 3.0,
            p99_s: k,
            max_s: 2.0 * k,
            now_s: f64::NAN,
        };
        let set = ReplSetResult {
            name: "db\t1".into(),
            reads: 10,
            stale_reads: 3,
            ryw_violations: 1,
            commits: 7,
            failed_writes: 2,
            semi_sync_fallbacks: 4,
            lost_writes: 5,
            lost_acknowledged: 6,
            failovers: 1,
            stale_age_mean_ms: 0.1,
            stale_age_p99_ms: 0.7,
            write_wait_mean_ms: 1.0 / 7.0,
            write_wait_p99_ms: 5e-324,
            rpo_s: -0.0,
            read_only_s: 16.782,
            lag: lag(1.5),
            staleness: lag(2.5),
            windows: vec![ReplWindowRow {
                t_s: 1.0,
                reads: 9,
                stale_reads: 2,
                ryw_violations: 0,
                commits: 3,
                failed_writes: 1,
                lag_mean_s: 0.3,
                lag_max_s: 0.9,
                staleness_mean_s: 1.0 / 3.0,
            }],
        };
        let mut r = ReplicationResult {
            replication: 0,
            seed: 1,
            ok: 0,
            failed: 0,
            failures: vec![],
            latency: Histogram::new(),
            measured_s: 1.0,
            stations: vec![],
            windows: vec![],
            events: 0,
            peak_in_flight: 0,
            timeline: vec![],
            repl_sets: vec![],
        };
        for line in repl_record(&set).lines() {
            assert!(part(&mut r, &line.split('\t').collect()), "{line}");
        }
        // Compare through the record: NaN ≠ NaN, but its bits survive.
        assert_eq!(r.repl_sets.len(), 1);
        assert_eq!(repl_record(&r.repl_sets[0]), repl_record(&set));
        assert_eq!(r.repl_sets[0].name, set.name);
        assert_eq!(r.repl_sets[0].windows, set.windows);
    }
}
