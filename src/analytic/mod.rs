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
//! - [`rbd`]: steady-state availability of reliability block diagrams.
//!
//! Invariants shared by all submodules: times are seconds (hours in `rbd`,
//! as the field names say) as `f64`, rates per second; an unstable queue
//! yields `f64::INFINITY` rather than NaN; inputs inside each function's
//! documented domain never yield NaN.

mod convolution;
pub mod mva;
pub mod queues;
pub mod rbd;
pub mod single_server;

pub use mva::{Centre, MvaResult, mva, mva_curve};
pub use queues::{MMc, erlang_b, erlang_c, tandem_mm1_mean_sojourn_s, tandem_mmc_mean_sojourn_s};
pub use rbd::{Block, downtime_min_per_year, nines};
pub use single_server::{MG1, ek_m1_mean_wait_s, gi_m1_mean_wait_s, gi_m1_sigma};
