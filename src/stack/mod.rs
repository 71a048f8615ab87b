//! The web stack's behaviour: DNS, clients, balancers, servers (nginx and the
//! application), databases and the network between them, as a model for the
//! event engine.
//!
//! Invariants: no serde and no I/O here (input arrives as validated
//! `config` types; results leave as plain structs); simulated failures —
//! full queues, unfinished requests — are data in the results, never `Err`.
//! `Err` ([`SimError`]) means the model itself cannot be run: it overloads
//! the memory bound or stops the clock.

pub mod balancer;
pub mod config;
mod deadlines;
mod faults;
mod flow;
pub mod guards;
mod health;
pub mod metrics;
mod passive;
pub mod replication;
pub mod station;
pub mod world;

pub use guards::SimError;
pub use world::{ReplicationResult, simulate};
