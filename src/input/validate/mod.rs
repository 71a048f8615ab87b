//! Checks typed file structs and converts them into the domain types of
//! `crate::stack::config`. Every problem is collected (with its field path,
//! which the loader locates in the right file), so one run reports all of
//! them. After this, the simulator never meets an invalid reference, a zero
//! worker count or shares that do not add up.
//!
//! This file holds the [`Checker`] (problem collection and the checks every
//! section shares) and the model's outline; each section has its own file:
//! `network.rs` (DNS, entry points, latencies, VRRP), `balancers.rs`,
//! `servers.rs`, `databases.rs`, `workload.rs`, `faults.rs` and `run.rs`.
//! Defaults are not written here: they are constants beside their fields in
//! `model.rs` and `experiment.rs`.

mod balancers;
mod databases;
mod faults;
mod network;
pub mod plan;
mod replication;
mod run;
mod servers;
mod workload;

use super::dist::DistSpec;
use super::error::{Problem, SpecError};
use super::limits;
use super::load::Loaded;
use super::locate::parse_path;
use super::model::*;
use crate::dist::Dist;
use crate::engine::SimDuration;
use crate::stack::config::*;
use std::collections::BTreeMap;

/// Collects problems while converting.
pub struct Checker<'a> {
    loaded: &'a Loaded,
    /// Path prefix of the model in the merged table (`model.`).
    pub problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    pub fn new(loaded: &'a Loaded) -> Self {
        Checker {
            loaded,
            problems: vec![],
        }
    }

    /// Records a problem at `path` (a path in the merged table).
    pub fn err(&mut self, path: &str, message: impl Into<String>) {
        let p = self.loaded.problem(&parse_path(path), message);
        self.problems.push(p);
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, SpecError> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => Err(SpecError {
                problems: if self.problems.is_empty() {
                    vec![Problem::new("", "invalid input")]
                } else {
                    self.problems
                },
            }),
        }
    }

    fn dist(&mut self, path: &str, spec: &DistSpec) -> Option<Dist> {
        match spec.resolve(&self.loaded.model_dir) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e);
                None
            }
        }
    }

    /// A timer of HAProxy, nginx, keepalived or MySQL: positive and at least
    /// `floor`. The real software counts these in milliseconds (keepalived's
    /// advertisement in centiseconds at best); a shorter timer makes no
    /// physical sense and would flood the simulation with events.
    fn timer(&mut self, path: &str, d: SimDuration, floor: SimDuration, unit: &str) -> SimDuration {
        if d < floor {
            self.err(
                path,
                format!("must be at least {floor} (the software counts it in {unit}), found {d}"),
            );
        }
        d.max(floor)
    }

    /// [`Self::timer`] with a 1 ms floor, for timers counted in milliseconds.
    fn ms_timer(&mut self, path: &str, d: SimDuration) -> SimDuration {
        self.timer(path, d, SimDuration::from_millis(1), "milliseconds")
    }

    /// An optional timer where 0 (or absence) means "off"; otherwise ≥ 1 ms.
    fn optional_ms_timer(&mut self, path: &str, d: Option<SimDuration>) -> Option<SimDuration> {
        d.filter(|d| !d.is_zero()).map(|d| self.ms_timer(path, d))
    }

    /// `n`, refused past `most` with the reason `why`.
    fn at_most(&mut self, path: &str, n: u32, most: u32, why: &str) -> u32 {
        if n > most {
            self.err(path, format!("at most {most} ({why}), found {n}"));
        }
        n.min(most)
    }

    fn at_least_one(&mut self, path: &str, n: u32) -> u32 {
        if n == 0 {
            self.err(path, "must be at least 1, found 0");
        }
        n.max(1)
    }

    fn station(
        &mut self,
        path: &str,
        workers: u32,
        limit: Option<u32>,
        service: &DistSpec,
    ) -> Option<StationConfig> {
        let workers = self.workers(&format!("{path}.workers"), workers);
        let service = self.dist(&format!("{path}.service"), service)?;
        Some(StationConfig {
            workers,
            queue_limit: limit,
            service,
        })
    }

    /// A count of parallel workers (threads, connections): from 1 to
    /// [`limits::MAX_WORKERS`].
    pub(super) fn workers(&mut self, path: &str, n: u32) -> u32 {
        let n = self.at_least_one(path, n);
        self.at_most(
            path,
            n,
            limits::MAX_WORKERS,
            "past that a station never queues; the estimates cost one step per worker",
        )
    }

    /// A component's failure and repair means; both must be positive.
    fn reliability(&mut self, path: &str, r: &Option<ReliabilityFile>) -> Option<Reliability> {
        let r = r.as_ref()?;
        for (v, k) in [(r.mtbf.0, "mtbf"), (r.mttr.0, "mttr")] {
            if v.is_zero() {
                self.err(&format!("{path}.{k}"), "must be positive");
            }
        }
        Some(Reliability {
            mtbf: r.mtbf.0,
            mttr: r.mttr.0,
        })
    }

    /// Converts a model; paths are under `prefix` (`model`). Sections are
    /// checked in file order of importance, so problems are listed in it.
    pub fn model(&mut self, prefix: &str, m: &ModelFile) -> Option<ModelConfig> {
        if m.servers.is_empty() {
            self.err(prefix, "a model needs at least one server ([servers.NAME])");
        }
        // Components and stations are numbered in 16 bits at run time.
        let stations = m.balancers.len() + 2 * m.servers.len() + m.databases.len();
        if stations > limits::MAX_STATIONS {
            self.err(
                prefix,
                format!(
                    "{} balancer(s), {} server(s) and {} database(s) make {stations} stations; at most {} in one model",
                    m.balancers.len(),
                    m.servers.len(),
                    m.databases.len(),
                    limits::MAX_STATIONS
                ),
            );
            return None;
        }
        let ix = Index::new(m);
        for name in m.balancers.keys() {
            if ix.servers.contains_key(name.as_str()) {
                self.err(
                    &format!("{prefix}.balancers.{name}"),
                    format!("`{name}` names both a balancer and a server; names must be unique"),
                );
            }
        }
        let (dns, entries) = self.dns(prefix, m, &ix);
        let network = self.network(prefix, m);
        let mut balancers = self.balancers(prefix, m, &ix);
        self.vrrp(prefix, m, &ix, &mut balancers);
        let databases = self.databases(prefix, m, &ix);
        let servers = self.servers(prefix, m, &ix);
        let replication = self.replication_sets(prefix, m, &databases, &network);
        for (s, (name, _)) in servers.iter().zip(&m.servers) {
            let in_set = s
                .reads_from
                .is_some_and(|d| replication.iter().any(|r| r.members.contains(&d)));
            if s.read_routing != crate::stack::replication::ReadRouting::Local && !in_set {
                self.err(
                    &format!("{prefix}.servers.{name}.read_routing"),
                    "needs `reads_from` to name a database of a replication set (a primary with replicas, or a replica)",
                );
            }
        }

        let complete = balancers.len() == m.balancers.len()
            && servers.len() == m.servers.len()
            && databases.len() == m.databases.len();
        if !complete || !self.problems.is_empty() {
            return None;
        }
        let monitoring = match &m.monitoring {
            Some(mo) => Monitoring {
                enabled: mo.enabled,
                alert_delay: mo.alert_delay.map_or(MonitoringFile::ALERT_DELAY, |d| d.0),
                notice_delay: mo
                    .notice_delay
                    .map_or(MonitoringFile::NOTICE_DELAY, |d| d.0),
            },
            None => Monitoring {
                enabled: false,
                alert_delay: MonitoringFile::ALERT_DELAY,
                notice_delay: MonitoringFile::NOTICE_DELAY,
            },
        };
        Some(ModelConfig {
            name: m.name.clone().unwrap_or_else(|| ModelFile::NAME.into()),
            monitoring,
            dns,
            entries,
            network,
            balancers,
            servers,
            databases,
            replication,
        })
    }
}

/// The model's component names and their positions (name order, as the
/// domain vectors hold them), for cross-references.
struct Index<'m> {
    servers: BTreeMap<&'m str, usize>,
    balancers: BTreeMap<&'m str, usize>,
    databases: BTreeMap<&'m str, usize>,
}

impl<'m> Index<'m> {
    fn new(m: &'m ModelFile) -> Self {
        fn positions<T>(map: &BTreeMap<String, T>) -> BTreeMap<&str, usize> {
            map.keys()
                .enumerate()
                .map(|(i, k)| (k.as_str(), i))
                .collect()
        }
        Index {
            servers: positions(&m.servers),
            balancers: positions(&m.balancers),
            databases: positions(&m.databases),
        }
    }

    /// The names defined, for a message about a name that is not.
    fn names(map: &BTreeMap<&str, usize>) -> String {
        if map.is_empty() {
            "none are defined".to_string()
        } else {
            format!(
                "defined: {}",
                map.keys().copied().collect::<Vec<_>>().join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::input::{Overrides, load_experiment, load_input};
    use crate::stack::config::Scenario;

    /// A small valid experiment with its model inline; tests add to it.
    pub const BASE: &str = r#"duration = "10s"
[workload]
kind = "open"
rate = 10
[model.servers.web1]
app = { workers = 2, service = "1ms" }
"#;

    /// `path: message` of every problem found in `text`, an experiment.
    pub fn problems(text: &str) -> Vec<String> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stacksim-validate-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("e.toml");
        std::fs::write(&file, text).unwrap();
        let out = match load_input(&file, &Overrides::default()) {
            Ok(_) => vec![],
            Err(e) => e
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect(),
        };
        std::fs::remove_dir_all(&dir).unwrap();
        out
    }

    /// The first scenario of `text`, an experiment that must be valid.
    pub fn scenario(text: &str) -> Scenario {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stacksim-validate-ok-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("e.toml");
        std::fs::write(&file, text).unwrap();
        let exp = load_experiment(&file, &Overrides::default());
        std::fs::remove_dir_all(&dir).unwrap();
        match exp {
            Ok(mut e) => e.scenarios.remove(0),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_base_is_valid() {
        assert_eq!(problems(BASE), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_listed() {
        let p = problems(&format!(
            "{BASE}[model.balancers.web1]\nbackends = [\"nope\"]\n[model.servers.web2]\napp = {{ workers = 0, service = \"1ms\" }}\n"
        ));
        assert!(
            p.iter()
                .any(|m| m.contains("names both a balancer and a server")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("`nope` is not a server")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("model.servers.web2.app.workers")),
            "{p:?}"
        );
    }

    #[test]
    fn a_model_needs_a_server() {
        let p = problems(
            "duration = \"10s\"\n[workload]\nkind = \"open\"\nrate = 1\n[model]\nname = \"m\"\n",
        );
        assert!(p.iter().any(|m| m.contains("at least one server")), "{p:?}");
    }
}
