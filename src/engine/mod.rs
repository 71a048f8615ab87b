//! The discrete-event kernel. It knows nothing about the web: it orders
//! events in simulated time, hands them to a model one at a time, and
//! derives independent random streams.
//!
//! Invariant: no web words here (no request, server, balancer, database).

pub mod exp1;
pub mod queue;
pub mod rng;
pub mod sim;
pub mod time;

pub use queue::{EventKey, EventQueue};
pub use sim::{MAX_EVENTS_AT_ONE_INSTANT, Model, RunError, RunStats, Scheduler};
pub use time::{SimDuration, SimTime};
