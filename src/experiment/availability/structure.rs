//! The failing components of a model and the structure function: whether
//! the site is up given which components are up and which database is
//! each replication set's primary (see the parent module's header for the
//! rules).

use super::AvailabilityError;
use crate::engine::SimDuration;
use crate::stack::config::{DbIdx, Entry, LbIdx, ModelConfig, ServerIdx, Workload};
use crate::stack::repl_config::Failover;

/// A replication set as availability sees it: its databases (the first
/// is the initial primary) and how long its failover takes on average
/// after the primary stops answering.
#[derive(Clone, Debug)]
pub struct ReplSet {
    pub members: Vec<DbIdx>,
    /// `None`: nobody fails over (writes wait for the primary).
    pub failover: Option<SimDuration>,
    /// An automatic policy (orchestrator, MHA), not a person.
    pub automatic: bool,
}

/// The mean time from a primary's death to a promoted replica under
/// `policy`; `notice` is how long until a person knows (monitoring).
pub fn failover_delay(policy: &Failover, notice: SimDuration) -> Option<SimDuration> {
    Some(match *policy {
        Failover::None => return None,
        Failover::Manual { decision } => notice + decision,
        Failover::Orchestrator {
            poll,
            confirm,
            recovery,
            ..
        } => SimDuration(poll.0 / 2) + confirm + recovery,
        Failover::Mha {
            ping,
            pings,
            min,
            max,
        } => {
            let detect = SimDuration(ping.0 / 2 + ping.0 * u64::from(pings.saturating_sub(1)));
            detect + SimDuration((min.0 + max.0) / 2)
        }
    })
}

/// Where writes go: each set's current primary (a replication), or any
/// member that is up (the analytic figure: failover counted as instant
/// when automatic).
#[derive(Clone, Copy, Debug)]
pub enum Primaries<'a> {
    Current(&'a [DbIdx]),
    Instant,
}

/// The most failing components the simulation tracks (one bit each).
pub const MAX_COMPONENTS: usize = 64;

/// What a failing component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Balancer(LbIdx),
    Server(ServerIdx),
    Database(DbIdx),
}

impl Part {
    pub fn kind(self) -> &'static str {
        match self {
            Part::Balancer(_) => "balancer",
            Part::Server(_) => "server",
            Part::Database(_) => "database",
        }
    }
}

/// A component with a `reliability`: it alternates up ~ Exp(mtbf) and down
/// for detection + Exp(mttr).
#[derive(Clone, Debug)]
pub struct Component {
    pub name: String,
    pub part: Part,
    pub mtbf: SimDuration,
    pub mttr: SimDuration,
}

/// The structure function of a model under a workload.
#[derive(Clone, Debug)]
pub struct Structure {
    /// The components that can fail, in model order (balancers, servers,
    /// databases); bit `i` of an up-mask is component `i`.
    pub components: Vec<Component>,
    lb_bit: Vec<Option<u32>>,
    server_bit: Vec<Option<u32>>,
    db_bit: Vec<Option<u32>>,
    db_host: Vec<Option<ServerIdx>>,
    entries: Vec<Entry>,
    backends: Vec<Vec<ServerIdx>>,
    /// Per balancer: its VRRP backup and the takeover delay after its host died.
    pub vrrp: Vec<Option<(LbIdx, SimDuration)>>,
    reads_from: Vec<Option<DbIdx>>,
    writes_to: Vec<Option<DbIdx>>,
    /// Per server: the replication set its `writes_to` belongs to.
    write_set: Vec<Option<usize>>,
    pub sets: Vec<ReplSet>,
    reads: bool,
    writes: bool,
    any_address: bool,
}

impl Structure {
    /// Without a workload every query path counts (reads and writes) and
    /// clients do not try the next address. `notice`: how long until a
    /// person knows of a failure (for manual failover).
    pub fn new(
        model: &ModelConfig,
        workload: Option<&Workload>,
        notice: SimDuration,
    ) -> Result<Structure, AvailabilityError> {
        let mut components = vec![];
        let mut bit = |name: &str, part: Part, r: Option<crate::stack::config::Reliability>| {
            r.map(|r| {
                components.push(Component {
                    name: name.to_string(),
                    part,
                    mtbf: r.mtbf,
                    mttr: r.mttr,
                });
                (components.len() - 1) as u32
            })
        };
        let lb_bit: Vec<_> = (model.balancers.iter().enumerate())
            .map(|(i, b)| bit(&b.name, Part::Balancer(i), b.reliability))
            .collect();
        let server_bit: Vec<_> = (model.servers.iter().enumerate())
            .map(|(i, s)| bit(&s.name, Part::Server(i), s.reliability))
            .collect();
        let db_bit: Vec<_> = (model.databases.iter().enumerate())
            .map(|(i, d)| bit(&d.name, Part::Database(i), d.reliability))
            .collect();
        if components.len() > MAX_COMPONENTS {
            return Err(AvailabilityError::TooManyComponents {
                model: model.name.clone(),
                count: components.len(),
            });
        }
        let sets: Vec<ReplSet> = (model.replication.iter())
            .map(|r| ReplSet {
                members: r.members.clone(),
                failover: failover_delay(&r.failover, notice),
                automatic: !matches!(r.failover, Failover::Manual { .. } | Failover::None),
            })
            .collect();
        let write_set = (model.servers.iter())
            .map(|s| {
                s.writes_to
                    .and_then(|w| sets.iter().position(|r| r.members.contains(&w)))
            })
            .collect();
        let (reads, writes, any_address) = match workload {
            None => (true, true, false),
            Some(w) => (
                w.classes.iter().any(|c| c.probability > 0.0 && c.reads > 0),
                w.classes
                    .iter()
                    .any(|c| c.probability > 0.0 && c.writes > 0),
                w.try_next_address,
            ),
        };
        Ok(Structure {
            components,
            lb_bit,
            server_bit,
            db_bit,
            db_host: model.databases.iter().map(|d| d.host).collect(),
            entries: model.entries.clone(),
            backends: (model.balancers.iter())
                .map(|b| b.backends.iter().map(|x| x.server).collect())
                .collect(),
            vrrp: (model.balancers.iter())
                .map(|b| {
                    b.vrrp
                        .map(|v| (v.backup, v.takeover(true).unwrap_or(SimDuration::ZERO)))
                })
                .collect(),
            reads_from: model.servers.iter().map(|s| s.reads_from).collect(),
            writes_to: model.servers.iter().map(|s| s.writes_to).collect(),
            write_set,
            sets,
            reads,
            writes,
            any_address,
        })
    }

    /// The bit of balancer `b`, if it can fail.
    pub fn balancer_bit(&self, b: LbIdx) -> Option<u32> {
        self.lb_bit[b]
    }

    /// Database `d` answers: its process and its host are up.
    pub fn db_up(&self, up: u64, d: DbIdx) -> bool {
        let is_up = |b: Option<u32>| b.is_none_or(|b| (up >> b) & 1 == 1);
        is_up(self.db_bit[d]) && self.db_host[d].is_none_or(|h| is_up(self.server_bit[h]))
    }

    /// Whether the site is up when the components whose bits are set in
    /// `up` are up, writes of a replication set go where `primaries`
    /// says, and `taken_over(b)` tells whether balancer `b`'s VRRP backup
    /// has had time to take its address (asked only while `b` is down).
    pub fn site_up(
        &self,
        up: u64,
        primaries: Primaries,
        taken_over: impl Fn(LbIdx) -> bool,
    ) -> bool {
        let is_up = |b: Option<u32>| b.is_none_or(|b| (up >> b) & 1 == 1);
        let server_up = |s: ServerIdx| is_up(self.server_bit[s]);
        let db_up = |d: DbIdx| self.db_up(up, d);
        let writes_ok = |s: ServerIdx| match (self.write_set[s], primaries) {
            (None, _) => self.writes_to[s].is_none_or(db_up),
            (Some(k), Primaries::Current(p)) => db_up(p[k]),
            (Some(k), Primaries::Instant) => {
                let set = &self.sets[k];
                if set.automatic {
                    set.members.iter().any(|&d| db_up(d))
                } else {
                    db_up(set.members[0])
                }
            }
        };
        let usable = |s: ServerIdx| {
            server_up(s)
                && (!self.reads || self.reads_from[s].is_none_or(db_up))
                && (!self.writes || writes_ok(s))
        };
        let entry_ok = |e: &Entry| match *e {
            Entry::Server(s) => usable(s),
            Entry::Balancer(b) => {
                let serving = if is_up(self.lb_bit[b]) {
                    Some(b)
                } else {
                    self.vrrp[b]
                        .filter(|&(backup, _)| is_up(self.lb_bit[backup]) && taken_over(b))
                        .map(|(backup, _)| backup)
                };
                serving.is_some_and(|x| self.backends[x].iter().any(|&s| usable(s)))
            }
        };
        if self.any_address {
            self.entries.iter().any(entry_ok)
        } else {
            self.entries.iter().all(entry_ok)
        }
    }
}
