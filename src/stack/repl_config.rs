//! The validated description of a replication set (a primary and the
//! replicas that copy it), as plain domain types: what the replication
//! component needs (`replication::ReplicationConfig`), which databases of
//! the model its nodes are, how keys are chosen, and the failover policy.
//!
//! A leaf like `config.rs`: `input::validate` builds it, `database/`
//! drives it. Every duration here is already checked.

use super::config::DbIdx;
use super::replication::{Popularity, ReplicationConfig};
use crate::engine::SimDuration;

/// One replication set of the model.
#[derive(Clone, Debug)]
pub struct ReplSetConfig {
    /// The databases, by node: `members[0]` the primary, then its replicas
    /// in name order (the component's `NodeId` order).
    pub members: Vec<DbIdx>,
    pub repl: ReplicationConfig,
    pub popularity: Popularity,
    pub failover: Failover,
}

/// Who promotes a replica when the primary dies, and how fast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Failover {
    /// Nobody promotes a replica: writes wait for the primary's repair
    /// (the default: failover, manual or automatic, is opted into).
    None,
    /// Someone decides and promotes by hand `decision` after they know of
    /// the death (the model's monitoring: alert or notice delay).
    Manual { decision: SimDuration },
    /// orchestrator: polls every `poll`; the death is confirmed `confirm`
    /// after the first poll that misses it; the recovery takes `recovery`;
    /// after one automatic failover the cluster is blocked for `block`
    /// (then a failure waits for a person: `manual`).
    Orchestrator {
        poll: SimDuration,
        confirm: SimDuration,
        recovery: SimDuration,
        block: SimDuration,
        manual: SimDuration,
    },
    /// MHA: pings every `ping`, declares the death after `pings` missed
    /// pings, then fails over in a time uniform in [`min`, `max`].
    Mha {
        ping: SimDuration,
        pings: u32,
        min: SimDuration,
        max: SimDuration,
    },
}

impl Failover {
    /// The policy's name, as the model spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Failover::None => "no",
            Failover::Manual { .. } => "manual",
            Failover::Orchestrator { .. } => "orchestrator",
            Failover::Mha { .. } => "mha",
        }
    }
}
