//! stacksim: a discrete-event simulator and capacity planner for web
//! infrastructure. See ARCHITECTURE.md for the map of the code.

pub mod analytic;
pub mod dist;
pub mod engine;
pub mod spec;
pub mod stats;
