//! Analytic (closed-form) queueing and reliability models, used by
//! `stacksim check` for per-station offered load and M/M/c estimates, by
//! capacity planning, and by validation tests that compare the simulator
//! with theory.
//!
//! - [`queues`]: Erlang B/C, M/M/c means and quantiles, Jackson tandems
//!   (Gross et al., *Fundamentals of Queueing Theory*; Jackson 1957).
//! - [`single_server`]: M/G/1 (Pollaczek–Khinchine) and GI/M/1 with Erlang-k
//!   arrivals (Kleinrock, *Queueing Systems* vol. 1 ch. 5–6); also
//!   re-exported from `queues`.
//! - [`mva`](mod@mva): exact Mean Value Analysis of closed networks with queue, delay
//!   and multi-server centres (Reiser & Lavenberg 1980; Bolch et al. §8.2),
//!   with multi-server empty probabilities from log-domain normalising
//!   constants (private `convolution`, Buzen 1973) for numerical stability.
//! - [`approx`]: two-moment approximations where no closed form exists:
//!   Allen–Cunneen GI/G/c waits and QNA's departure variability (Whitt 1983).
//! - [`rbd`]: steady-state availability of reliability block diagrams.
//!
//! Invariants shared by all submodules: times are seconds (hours in `rbd`,
//! as the field names say) as `f64`, rates per second; an unstable queue
//! yields `f64::INFINITY` rather than NaN; inputs inside each function's
//! documented domain never yield NaN.

pub mod approx;
mod convolution;
pub mod mva;
pub mod queues;
pub mod rbd;
pub mod single_server;

pub use approx::{allen_cunneen_wait_s, departure_scv};
pub use mva::{Centre, MvaResult, mva, mva_curve};
pub use queues::{MMc, erlang_b, erlang_c, tandem_mm1_mean_sojourn_s, tandem_mmc_mean_sojourn_s};
pub use rbd::{Block, downtime_min_per_year, nines};
pub use single_server::{MG1, ek_m1_mean_wait_s, gi_m1_mean_wait_s, gi_m1_sigma};

/// A FCFS queueing station with a steady state: from its arrival rate, mean
/// service and mean wait, Little's law gives the rest (written once here
/// for M/M/c and M/G/1). Unstable stations give `f64::INFINITY`.
pub trait Queue {
    /// Arrival rate λ, per second.
    fn arrival_rate_per_s(&self) -> f64;
    /// Mean service time E(S), seconds.
    fn service_mean_s(&self) -> f64;
    /// True when a steady state exists.
    fn is_stable(&self) -> bool;
    /// Mean time in queue Wq, seconds.
    fn mean_wait_s(&self) -> f64;

    /// Mean time in system W = Wq + E(S), seconds.
    fn mean_sojourn_s(&self) -> f64 {
        self.mean_wait_s() + self.service_mean_s()
    }

    /// Mean number waiting Lq = λ·Wq (Little's law).
    fn mean_queue_len(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        self.arrival_rate_per_s() * self.mean_wait_s()
    }

    /// Mean number in system L = Lq + λ·E(S) (the mean number in service).
    fn mean_in_system(&self) -> f64 {
        self.mean_queue_len() + self.arrival_rate_per_s() * self.service_mean_s()
    }
}
