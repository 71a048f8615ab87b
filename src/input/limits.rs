//! The limits on what an input may ask for, in one place, each with why.
//!
//! Every input that `check` accepts must run within bounded memory and end.
//! Most limits are far beyond any design review (a thousand scenarios, ten
//! thousand replications, a million clients); they exist so that a typo
//! (`window = "1ns"`, `replications = 1000000000`) is refused at once with a
//! message naming the field and the limit, instead of aborting on an
//! allocation minutes later. The results of every replication are kept until
//! the run ends, so their total size is estimated before the run and refused
//! past [`MAX_RESULT_BYTES`].

use crate::engine::SimDuration;
use crate::stack::metrics::WindowRow;
use crate::stats::Histogram;

/// Replications per scenario. Confidence intervals stop narrowing usefully
/// long before this (the half-width shrinks as 1/√n).
pub const MAX_REPLICATIONS: u32 = 10_000;

/// Scenarios in one experiment, sweep values included: each is a row of
/// every table and a curve of the charts; a longer sweep is a different tool.
pub const MAX_SCENARIOS: usize = 1_000;

/// The shortest time-series window: below a millisecond a window holds too
/// few requests to have a percentile.
pub const MIN_WINDOW: SimDuration = SimDuration::from_millis(1);

/// Time-series windows per replication (one row of `timeseries.csv` each).
pub const MAX_WINDOWS_PER_RUN: u64 = 100_000;

/// Arrival rate of an open workload, requests per second. The clock ticks in
/// nanoseconds and every request is simulated; past ten million per second
/// a run of a minute is ~10⁹ requests.
pub const MAX_RATE_PER_S: f64 = 1e7;

/// Clients of an open workload or users of a closed one: each keeps a DNS
/// cache entry (and a user, a pending think time).
pub const MAX_CLIENTS: u32 = 1_000_000;

/// Workers of a station (app workers, nginx workers, balancer threads,
/// database connections). Past this a station is, for any design, an
/// infinite server; the analytic estimates cost O(workers).
pub const MAX_WORKERS: u32 = 100_000;

/// Stations of one model (a balancer's, each server's nginx and app, each
/// database's): the simulation numbers them — and the components — in 16
/// bits. A 1 MiB model holds about 20,000 servers, so only a generated
/// file can reach it.
pub const MAX_STATIONS: usize = u16::MAX as usize;

/// Database queries a request class makes per request (a page makes 5–10).
/// Keys of a replication set: every database keeps a version per key
/// (8 bytes), and a Zipf popularity a cumulative table (8 bytes a key), so
/// a million keys cost ~8 MB per database and replication.
pub const MAX_KEYS: u32 = 1_000_000;

pub const MAX_QUERIES_PER_REQUEST: u32 = 1_000;

/// The estimated memory of all replications' results kept until the end.
pub const MAX_RESULT_BYTES: u64 = 1 << 30;

/// Estimated bytes of one replication's results: its latency histogram,
/// its time-series rows, its station rows and a fixed allowance for the
/// failure and timeline lists.
pub fn result_bytes(windows: u64, stations: usize) -> u64 {
    const STATION_BYTES: u64 = 128;
    const FIXED_BYTES: u64 = 16 * 1024;
    Histogram::BYTES as u64
        + windows * std::mem::size_of::<WindowRow>() as u64
        + stations as u64 * STATION_BYTES
        + FIXED_BYTES
}

/// Windows of a run of `duration` cut into `window`s.
pub fn windows(duration: SimDuration, window: SimDuration) -> u64 {
    if window.is_zero() {
        return u64::MAX;
    }
    duration.0.div_ceil(window.0)
}

/// `n` bytes as people read them: `1.5 GiB`, `300 MiB`.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    let gib = (1u64 << 30) as f64;
    if n >= gib {
        format!("{:.1} GiB", n / gib)
    } else {
        format!("{:.0} MiB", (n / (1u64 << 20) as f64).max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_experiment_is_far_below_the_memory_limit() {
        // 2 scenarios × 10 replications × 300 one-second windows, 7 stations.
        let total = 20
            * result_bytes(
                windows(SimDuration::from_secs(300), SimDuration::from_secs(1)),
                7,
            );
        assert!(total < MAX_RESULT_BYTES / 100, "{total}");
    }

    #[test]
    fn a_billion_replications_is_far_above_it() {
        let total = 1_000_000_000u64 * result_bytes(300, 7);
        assert!(total > MAX_RESULT_BYTES, "{}", bytes(total));
        assert_eq!(
            windows(SimDuration::from_secs(10), SimDuration::from_secs(3)),
            4
        );
    }
}
