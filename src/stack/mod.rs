//! The web stack's behaviour: DNS, clients, balancers, servers (nginx and the
//! application), databases and the network between them, as a model for the
//! event engine.
//!
//! Invariants: no serde and no I/O here (input arrives as validated
//! `config` types; results leave as plain structs); simulated failures —
//! full queues, unfinished requests — are data in the results, never `Err`.
//! `Err` ([`SimError`]) means the model itself cannot be run: it overloads
//! the memory bound or stops the clock.
//!
//! Layers (no import loops): `ids`, `config`, `station`, `metrics`,
//! `guards`, `timeline` know nothing of the rest; the components —
//! `client`, `balancer/`, `server`, `database`, `network`, `slab`,
//! `fault_plan` — know only those; `world` holds the components and the
//! events; `flow`, `requests`, `queries`, `lb_timeouts`, `checks` and `faults` are
//! `impl World` blocks that act on the components (they import `world`,
//! which imports none of them).

pub(crate) mod balancer;
mod checks;
mod client;
pub mod config;
mod database;
mod fault_plan;
mod faults;
mod flow;
pub mod guards;
pub mod ids;
mod lb_timeouts;
pub mod metrics;
mod network;
mod queries;
pub mod repl_config;
mod repl_failover;
mod replicated;
pub mod replication;
mod requests;
mod server;
mod slab;
pub mod station;
mod timeline;
pub mod world;

pub use database::cluster::{ReplSetResult, ReplWindowRow};
pub use guards::SimError;
pub use world::{ReplicationResult, simulate};
