//! Output statistics for simulation runs: latency histograms, running
//! moments, time-weighted averages of state (busy servers, queue length),
//! warm-up truncation (MSER-5), Student-t confidence intervals across
//! replications, and batch means for one long run.
//!
//! Everything here is std-only, allocation-free on the hot paths
//! (`Histogram::record`, `Welford::push`, `TimeWeighted::set/add`) and fully
//! deterministic: no hashing, no randomness, results depend only on the
//! sequence of inputs. Undefined `f64` statistics are NaN; `u64` histogram
//! statistics of an empty histogram are 0.

pub mod batch_means;
pub mod ci;
pub mod histogram;
pub mod mser;
pub mod settings;
pub(crate) mod special;
pub mod time_weighted;
pub mod welford;

pub use ci::{Estimate, t_quantile};
pub use histogram::Histogram;
pub use mser::mser5;
pub use time_weighted::TimeWeighted;
pub use welford::Welford;
