//! Batch means: confidence intervals from one long run instead of
//! independent replications.
//!
//! The measured part of the run is cut into `b` consecutive batches of equal
//! length (whole time-series windows; when the windows do not divide evenly,
//! the few left over are dropped at the *start*, next to the warm-up, where
//! any remaining initial bias is). Each batch gives one value of a measure —
//! the mean latency of the requests that completed in it (windows weighted
//! by their successful requests), its throughput, its availability — and
//! the batch values are treated as `b` roughly independent, roughly normal
//! observations: the interval is Student-t with `b − 1` degrees of freedom
//! (Law & Kelton, *Simulation Modeling and Analysis*, §9.5.3). That holds
//! when a batch is long against the output's autocorrelation time, which is
//! why a few long batches (10–30) are the usual choice; too short batches
//! give intervals that cover less often than they claim.
//!
//! Only figures that add up over windows have batch values here; a batch's
//! p99 cannot be rebuilt from its windows' p99s, so percentiles keep the
//! single run's value without an interval.

use super::Estimate;

/// One time-series window as batch means need it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowTotals {
    /// Requests that ended in the window (successful or failed).
    pub requests: u64,
    /// Successful ones.
    pub ok: u64,
    /// Their mean latency, ms (anything when `ok` is 0).
    pub mean_ms: f64,
}

/// The batch-means estimates of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchMeans {
    pub batches: usize,
    /// Windows per batch.
    pub windows_per_batch: usize,
    /// Mean latency of successful requests, ms.
    pub mean_ms: Estimate,
    /// Successful requests per second.
    pub throughput_rps: Estimate,
    /// Successful share of the requests that ended.
    pub availability: Estimate,
}

/// Batch means of `windows` (the measured windows, in time order, each
/// `window_s` seconds long) in `batches` batches; `None` when there are
/// fewer windows than batches or fewer than two batches.
pub fn batch_means(windows: &[WindowTotals], window_s: f64, batches: usize) -> Option<BatchMeans> {
    if batches < 2 || windows.len() < batches {
        return None;
    }
    let per = windows.len() / batches;
    let used = &windows[windows.len() - per * batches..];
    let (mut means, mut rates, mut avail) = (vec![], vec![], vec![]);
    for b in used.chunks_exact(per) {
        let ok: u64 = b.iter().map(|w| w.ok).sum();
        let requests: u64 = b.iter().map(|w| w.requests).sum();
        if ok > 0 {
            let sum: f64 = b.iter().map(|w| w.mean_ms * w.ok as f64).sum();
            means.push(sum / ok as f64);
        }
        rates.push(ok as f64 / (per as f64 * window_s));
        if requests > 0 {
            avail.push(ok as f64 / requests as f64);
        }
    }
    Some(BatchMeans {
        batches,
        windows_per_batch: per,
        mean_ms: Estimate::from_samples(&means),
        throughput_rps: Estimate::from_samples(&rates),
        availability: Estimate::from_samples(&avail),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(requests: u64, ok: u64, mean_ms: f64) -> WindowTotals {
        WindowTotals {
            requests,
            ok,
            mean_ms,
        }
    }

    #[test]
    fn batches_weight_windows_by_their_requests_and_drop_the_first_leftovers() {
        // 7 windows in 3 batches of 2: the first window is dropped.
        let ws = [
            w(9, 9, 100.0),
            w(1, 1, 1.0),
            w(3, 3, 5.0),
            w(2, 2, 2.0),
            w(2, 2, 2.0),
            w(4, 2, 8.0),
            w(2, 2, 2.0),
        ];
        let bm = batch_means(&ws, 0.5, 3).unwrap();
        assert_eq!((bm.batches, bm.windows_per_batch), (3, 2));
        // Batch means: (1 + 15)/4 = 4, (2·2 + 2·5)… computed by hand:
        let means = [(1.0 + 15.0) / 4.0, 8.0 / 4.0, 20.0 / 4.0];
        let e = Estimate::from_samples(&means);
        assert_eq!(bm.mean_ms, e);
        // Throughput: 4, 4 and 4 successes per second of batch.
        assert_eq!(bm.throughput_rps.mean, 4.0);
        assert_eq!(bm.throughput_rps.std_dev, 0.0);
        // Availability: 1, 1, 4/6.
        let a = Estimate::from_samples(&[1.0, 1.0, 4.0 / 6.0]);
        assert_eq!(bm.availability, a);
    }

    #[test]
    fn too_few_windows_or_batches_give_nothing() {
        let ws = [w(1, 1, 1.0); 3];
        assert!(batch_means(&ws, 1.0, 4).is_none());
        assert!(batch_means(&ws, 1.0, 1).is_none());
        assert!(batch_means(&ws, 1.0, 3).is_some());
    }
}
