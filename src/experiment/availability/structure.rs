//! The failing components of a model and the structure function: whether
//! the site is up given which components are up (see the parent module's
//! header for the rules).

use super::AvailabilityError;
use crate::engine::SimDuration;
use crate::stack::config::{DbIdx, Entry, LbIdx, ModelConfig, ServerIdx, Workload};

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
    reads: bool,
    writes: bool,
    any_address: bool,
}

impl Structure {
    /// Without a workload every query path counts (reads and writes) and
    /// clients do not try the next address.
    pub fn new(
        model: &ModelConfig,
        workload: Option<&Workload>,
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
            reads,
            writes,
            any_address,
        })
    }

    /// The bit of balancer `b`, if it can fail.
    pub fn balancer_bit(&self, b: LbIdx) -> Option<u32> {
        self.lb_bit[b]
    }

    /// Whether the site is up when the components whose bits are set in
    /// `up` are up, and `taken_over(b)` tells whether balancer `b`'s VRRP
    /// backup has had time to take its address (asked only while `b` is down).
    pub fn site_up(&self, up: u64, taken_over: impl Fn(LbIdx) -> bool) -> bool {
        let is_up = |b: Option<u32>| b.is_none_or(|b| (up >> b) & 1 == 1);
        let server_up = |s: ServerIdx| is_up(self.server_bit[s]);
        let db_up = |d: DbIdx| is_up(self.db_bit[d]) && self.db_host[d].is_none_or(server_up);
        let usable = |s: ServerIdx| {
            server_up(s)
                && (!self.reads || self.reads_from[s].is_none_or(db_up))
                && (!self.writes || self.writes_to[s].is_none_or(db_up))
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
