//! What the scenario will break: its faults as typed actions (each carrying
//! only the targets its kind allows), the words the timeline logs for them,
//! and the components that fail at random (`random_failures`).
//!
//! Data only; `faults.rs` applies them to the `World`.

use super::config::{Fault, FaultKind, FaultTarget, ModelConfig, Reliability};
use super::ids::{DbId, LbId, Link, ServerId, StationId};
use super::network::Cut;
use crate::engine::SimDuration;
use crate::engine::rng::{Rng, Streams};

/// A fault, by what it does to what.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Action {
    /// A server's host (`silent`) or process dies; ends: it is back.
    CrashServer {
        server: ServerId,
        silent: bool,
    },
    /// A balancer's host (`silent`) or process dies; ends: it restarts.
    CrashBalancer {
        lb: LbId,
        silent: bool,
    },
    /// A database's process dies; ends: it is back.
    CrashDatabase(DbId),
    /// These stations' service times are multiplied by `factor`.
    Slow {
        stations: Vec<StationId>,
        factor: f64,
    },
    Partition(Cut),
    Network {
        link: Link,
        extra: SimDuration,
        loss: f64,
    },
}

/// One fault of the scenario with its timeline texts.
pub(super) struct Planned {
    pub(super) at: SimDuration,
    pub(super) duration: Option<SimDuration>,
    pub(super) action: Action,
    pub(super) start_text: String,
    pub(super) end_text: String,
}

/// What fails at random.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    Server(ServerId),
    Balancer(LbId),
    Database(DbId),
}

/// A component that fails at random: host crashes for servers and
/// balancers, process crashes for databases.
pub(super) struct RandomComponent {
    pub(super) part: Part,
    pub(super) name: String,
    pub(super) mtbf: SimDuration,
    pub(super) mttr: SimDuration,
    pub(super) rng: Rng,
}

impl Action {
    /// The action of a validated fault; `stations_of` names the stations a
    /// slow-down of a target covers. `None` for a kind/target pair that
    /// validation rejects.
    pub(super) fn of(
        kind: FaultKind,
        target: FaultTarget,
        stations_of: impl Fn(FaultTarget) -> Vec<StationId>,
    ) -> Option<Action> {
        let silent = kind == FaultKind::CrashHost;
        Some(match (kind, target) {
            (FaultKind::Slow { factor }, t) => Action::Slow {
                stations: stations_of(t),
                factor,
            },
            (FaultKind::CrashHost | FaultKind::CrashProcess, FaultTarget::Server(s)) => {
                Action::CrashServer {
                    server: ServerId::new(s),
                    silent,
                }
            }
            (FaultKind::CrashHost | FaultKind::CrashProcess, FaultTarget::Balancer(b)) => {
                Action::CrashBalancer {
                    lb: LbId::new(b),
                    silent,
                }
            }
            (FaultKind::CrashProcess, FaultTarget::Database(d)) => {
                Action::CrashDatabase(DbId::new(d))
            }
            (
                FaultKind::Partition {
                    peer: FaultTarget::Server(s),
                },
                FaultTarget::Balancer(b),
            ) => Action::Partition(Cut::LbServer(LbId::new(b), ServerId::new(s))),
            (
                FaultKind::Partition {
                    peer: FaultTarget::Database(d),
                },
                FaultTarget::Server(s),
            ) => Action::Partition(Cut::ServerDb(ServerId::new(s), DbId::new(d))),
            (
                FaultKind::Partition {
                    peer: FaultTarget::Database(peer),
                },
                FaultTarget::Database(d),
            ) => Action::Partition(Cut::DbDb(DbId::new(d), DbId::new(peer))),
            (FaultKind::Network { extra, loss }, FaultTarget::Link(l)) => Action::Network {
                link: Link::from_index(l),
                extra,
                loss,
            },
            _ => return None,
        })
    }
}

/// The scenario's faults, typed, with their texts.
pub(super) fn plan(
    m: &ModelConfig,
    faults: &[Fault],
    stations_of: impl Fn(FaultTarget) -> Vec<StationId>,
) -> Vec<Planned> {
    faults
        .iter()
        .map(|f| {
            let end_text = match f.kind {
                FaultKind::Partition { peer } => format!(
                    "{} reaches {} again",
                    m.target_name(f.target),
                    m.target_name(peer)
                ),
                FaultKind::Network { .. } => {
                    format!("link {} is healthy again", m.target_name(f.target))
                }
                _ => format!("{} recovers", m.target_name(f.target)),
            };
            Planned {
                at: f.at,
                duration: f.duration,
                action: Action::of(f.kind, f.target, &stations_of)
                    .expect("validation allows only faults whose kind fits the target"),
                start_text: m.describe(f),
                end_text,
            }
        })
        .collect()
}

/// The components of `m` with a `reliability`, each with its own stream.
pub(super) fn random_components(m: &ModelConfig, streams: &Streams) -> Vec<RandomComponent> {
    let mut v = vec![];
    let mut add = |part: Part, name: &str, r: &Option<Reliability>| {
        if let Some(r) = r {
            v.push(RandomComponent {
                part,
                name: name.to_string(),
                mtbf: r.mtbf,
                mttr: r.mttr,
                rng: streams.stream(&format!("reliability/{name}")),
            });
        }
    };
    for (i, b) in m.balancers.iter().enumerate() {
        add(Part::Balancer(LbId::new(i)), &b.name, &b.reliability);
    }
    for (i, sv) in m.servers.iter().enumerate() {
        add(Part::Server(ServerId::new(i)), &sv.name, &sv.reliability);
    }
    for (i, d) in m.databases.iter().enumerate() {
        add(Part::Database(DbId::new(i)), &d.name, &d.reliability);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_takes_only_its_targets() {
        let none = |_| vec![];
        assert_eq!(
            Action::of(FaultKind::CrashHost, FaultTarget::Server(1), none),
            Some(Action::CrashServer {
                server: ServerId::new(1),
                silent: true
            })
        );
        assert_eq!(
            Action::of(FaultKind::CrashProcess, FaultTarget::Database(0), none),
            Some(Action::CrashDatabase(DbId::new(0)))
        );
        assert_eq!(
            Action::of(FaultKind::CrashHost, FaultTarget::Link(1), none),
            None
        );
        assert_eq!(
            Action::of(
                FaultKind::Partition {
                    peer: FaultTarget::Database(0)
                },
                FaultTarget::Server(1),
                none
            ),
            Some(Action::Partition(Cut::ServerDb(
                ServerId::new(1),
                DbId::new(0)
            )))
        );
        assert_eq!(
            Action::of(
                FaultKind::Partition {
                    peer: FaultTarget::Database(0)
                },
                FaultTarget::Database(1),
                none
            ),
            Some(Action::Partition(Cut::DbDb(DbId::new(1), DbId::new(0))))
        );
        let slow = Action::of(
            FaultKind::Slow { factor: 2.0 },
            FaultTarget::Station(4),
            |_| vec![StationId::new(4)],
        );
        assert_eq!(
            slow,
            Some(Action::Slow {
                stations: vec![StationId::new(4)],
                factor: 2.0
            })
        );
    }
}
