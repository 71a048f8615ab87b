//! The integration tests, one binary with a module per topic:
//! - `availability`: `stacksim availability` against closed forms (CIs from replications), determinism;
//! - `theory`: the simulator against closed forms (confidence intervals from replications);
//! - `determinism`: same seed, same bytes, whatever the thread count;
//! - `bad_input`: every kind of bad input gives one clear message and exit code 2;
//! - `cli`: the command line as a user runs it;
//! - `experiments`: every bundled model and experiment runs;
//! - `fuzz`: mutated bundled files never crash, hang or exhaust stacksim, and every message is located and short;
//! - `failures`: health checks, retries, crashes and algorithms against computed expectations;
//! - `readme`: every TOML block of README.md passes `stacksim check` as written.

mod availability;
mod bad_input;
mod cli;
mod common;
mod determinism;
mod experiments;
mod failures;
mod fuzz;
mod readme;
mod theory;
