//! Validation of the balancers: algorithm, backends and weights, HAProxy's
//! timeouts, active health checks (`check`) and passive ones (HAProxy
//! `observe` or nginx `max_fails`). Their VRRP pairs are in `network.rs`.

use super::super::duration::DurationSpec;
use super::super::model::*;
use super::{Checker, Index};
use crate::stack::config::*;

impl Checker<'_> {
    /// Every balancer of the model, in name order; one with a problem is
    /// left out (the problem is recorded).
    pub(super) fn balancers(
        &mut self,
        prefix: &str,
        m: &ModelFile,
        ix: &Index,
    ) -> Vec<BalancerConfig> {
        let p = |rest: &str| format!("{prefix}.{rest}");
        let mut balancers = vec![];
        for (name, b) in &m.balancers {
            let bp = p(&format!("balancers.{name}"));
            let algorithm = Algorithm::parse(&b.algorithm);
            if algorithm.is_none() {
                self.err(
                    &format!("{bp}.algorithm"),
                    format!(
                        "unknown algorithm `{}`; known: {}",
                        b.algorithm,
                        Algorithm::known()
                    ),
                );
            }
            let threads = self.workers(&format!("{bp}.threads"), b.threads);
            let station = match &b.overhead {
                Some(o) => self
                    .dist(&format!("{bp}.overhead"), o)
                    .map(|service| StationConfig {
                        workers: threads,
                        queue_limit: b.queue_limit,
                        service,
                    }),
                None => None,
            };
            if b.backends.is_empty() {
                self.err(
                    &format!("{bp}.backends"),
                    "a balancer needs at least one backend",
                );
            }
            let mut backends: Vec<BackendConfig> = vec![];
            for (i, be) in b.backends.iter().enumerate() {
                let path = format!("{bp}.backends[{i}]");
                let (server, weight, maxconn) = match be {
                    BackendFile::Name(s) => (s.as_str(), WeightedBackendFile::WEIGHT, None),
                    BackendFile::Weighted(w) => (
                        w.server.as_str(),
                        w.weight,
                        (w.maxconn > 0).then_some(w.maxconn),
                    ),
                };
                if !(1..=256).contains(&weight) {
                    self.err(
                        &path,
                        format!("weight must be from 1 to 256 (HAProxy's range), found {weight}"),
                    );
                }
                match ix.servers.get(server) {
                    Some(&s) if backends.iter().any(|x| x.server == s) => {
                        self.err(&path, format!("`{server}` is listed twice"))
                    }
                    Some(&s) => backends.push(BackendConfig {
                        server: s,
                        weight,
                        maxconn,
                    }),
                    None => self.err(
                        &path,
                        format!("`{server}` is not a server ({})", Index::names(&ix.servers)),
                    ),
                }
            }
            if let Some(algorithm) = algorithm {
                if algorithm == Algorithm::First && !backends.iter().any(|x| x.maxconn.is_some()) {
                    self.err(&format!("{bp}.algorithm"), "`first` needs `maxconn` on the backends (HAProxy: without it, every request goes to the first server)");
                }
                let check = match &b.check {
                    None | Some(CheckSetting::Enabled(false)) => None,
                    Some(CheckSetting::Enabled(true)) => {
                        Some(self.health_check(&format!("{bp}.check"), &CheckFile::default()))
                    }
                    Some(CheckSetting::Params(c)) => {
                        Some(self.health_check(&format!("{bp}.check"), c))
                    }
                };
                let timeout_connect = self.ms_timer(
                    &format!("{bp}.timeout_connect"),
                    b.timeout_connect
                        .map_or(BalancerFile::TIMEOUT_CONNECT, |d| d.0),
                );
                let timeout_server = self.ms_timer(
                    &format!("{bp}.timeout_server"),
                    b.timeout_server
                        .map_or(BalancerFile::TIMEOUT_SERVER, |d| d.0),
                );
                let timeout_queue = self.ms_timer(
                    &format!("{bp}.timeout_queue"),
                    b.timeout_queue.map_or(timeout_connect, |d| d.0),
                );
                let timeout_client = self.optional_ms_timer(
                    &format!("{bp}.timeout_client"),
                    b.timeout_client.map(|d| d.0),
                );
                let slowstart =
                    self.optional_ms_timer(&format!("{bp}.slowstart"), b.slowstart.map(|d| d.0));
                balancers.push(BalancerConfig {
                    name: name.clone(),
                    algorithm,
                    station,
                    backends,
                    check,
                    retries: b.retries,
                    redispatch: b.redispatch,
                    timeout_connect,
                    timeout_server,
                    timeout_queue,
                    timeout_client,
                    slowstart,
                    consistent: match b.hash_type.as_deref() {
                        None | Some("map-based") => false,
                        Some("consistent") => true,
                        Some(other) => {
                            self.err(&format!("{bp}.hash_type"), format!("unknown hash type `{other}`; expected `map-based` (HAProxy's default) or `consistent`"));
                            false
                        }
                    },
                    keys: self.at_least_one(&format!("{bp}.keys"), b.keys.unwrap_or(BalancerFile::KEYS)),
                    vrrp: None,
                    passive: self.passive(&bp, b),
                    reliability: self.reliability(&format!("{bp}.reliability"), &b.reliability),
                });
            }
        }
        balancers
    }

    /// HAProxy's `observe` or nginx's `max_fails` (not both).
    fn passive(&mut self, bp: &str, b: &BalancerFile) -> Option<Passive> {
        match (&b.observe, &b.max_fails) {
            (Some(_), Some(_)) => {
                self.err(
                    &format!("{bp}.max_fails"),
                    "give either HAProxy's `observe` or nginx's `max_fails`, not both",
                );
                None
            }
            (Some(o), None) => {
                let error_limit = self.at_least_one(
                    &format!("{bp}.observe.error_limit"),
                    o.error_limit.unwrap_or(ObserveFile::ERROR_LIMIT),
                );
                let mark_down = match o.on_error.as_deref().unwrap_or(ObserveFile::ON_ERROR) {
                    "fail-check" => false,
                    "mark-down" => true,
                    other => {
                        self.err(&format!("{bp}.observe.on_error"), format!("unknown on-error action `{other}`; expected `fail-check` (HAProxy's default) or `mark-down`"));
                        false
                    }
                };
                Some(Passive::Observe {
                    error_limit,
                    mark_down,
                })
            }
            (None, Some(m)) => {
                let max_fails = self.at_least_one(
                    &format!("{bp}.max_fails.max_fails"),
                    m.max_fails.unwrap_or(MaxFailsFile::MAX_FAILS),
                );
                let fail_timeout = self.ms_timer(
                    &format!("{bp}.max_fails.fail_timeout"),
                    m.fail_timeout.map_or(MaxFailsFile::FAIL_TIMEOUT, |d| d.0),
                );
                Some(Passive::MaxFails {
                    max_fails,
                    fail_timeout,
                })
            }
            (None, None) => None,
        }
    }

    /// HAProxy's check parameters with HAProxy's defaults: inter 2 s,
    /// fastinter and downinter = inter, rise 2, fall 3, timeout = inter.
    fn health_check(&mut self, path: &str, c: &CheckFile) -> HealthCheck {
        let inter = self.ms_timer(
            &format!("{path}.inter"),
            c.inter.map_or(CheckFile::INTER, |d| d.0),
        );
        let rise = self.at_least_one(&format!("{path}.rise"), c.rise.unwrap_or(CheckFile::RISE));
        let fall = self.at_least_one(&format!("{path}.fall"), c.fall.unwrap_or(CheckFile::FALL));
        let mut timer = |k: &str, d: Option<&DurationSpec>| {
            self.ms_timer(&format!("{path}.{k}"), d.map_or(inter, |d| d.0))
        };
        let fastinter = timer("fastinter", c.fastinter.as_ref());
        let downinter = timer("downinter", c.downinter.as_ref());
        let timeout = timer("timeout", c.timeout.as_ref());
        HealthCheck {
            inter,
            fastinter,
            downinter,
            rise,
            fall,
            timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;
    use crate::stack::config::{Algorithm, Passive};

    const LB: &str = "[model.balancers.lb]\nbackends = [\"web1\"]\n";

    #[test]
    fn haproxy_defaults_apply() {
        let sc = scenario(&format!("{BASE}{LB}check = true\n"));
        let b = &sc.model.balancers[0];
        assert_eq!(b.algorithm, Algorithm::RoundRobin);
        assert_eq!(b.retries, 3);
        assert_eq!(b.timeout_connect, SimDuration::from_secs(5));
        assert_eq!(b.timeout_server, SimDuration::from_secs(30));
        assert_eq!(b.timeout_queue, b.timeout_connect);
        assert_eq!(b.backends[0].weight, 1);
        let c = b.check.unwrap();
        assert_eq!(c.inter, SimDuration::from_secs(2));
        assert_eq!(
            (c.fastinter, c.downinter, c.timeout),
            (c.inter, c.inter, c.inter)
        );
        assert_eq!((c.rise, c.fall), (2, 3));
    }

    #[test]
    fn nginx_passive_defaults_apply() {
        let sc = scenario(&format!("{BASE}{LB}max_fails = {{}}\n"));
        match sc.model.balancers[0].passive {
            Some(Passive::MaxFails {
                max_fails,
                fail_timeout,
            }) => {
                assert_eq!(max_fails, 1);
                assert_eq!(fail_timeout, SimDuration::from_secs(10));
            }
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_algorithm_lists_every_spelling() {
        let p = problems(&format!("{BASE}{LB}algorithm = \"fastest\"\n"));
        assert!(p.iter().any(|m| m.ends_with("unknown algorithm `fastest`; known: roundrobin, static-rr, leastconn, random, random(N), source, uri, first")), "{p:?}");
    }

    #[test]
    fn backends_are_checked() {
        let p = problems(&format!(
            "{BASE}[model.balancers.lb]\nbackends = [\"web1\", {{ server = \"web1\", weight = 300 }}, \"web9\"]\n"
        ));
        assert!(
            p.iter().any(|m| m.contains("weight must be from 1 to 256")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("`web1` is listed twice")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("`web9` is not a server (defined: web1)")),
            "{p:?}"
        );
    }

    #[test]
    fn first_needs_maxconn_and_passive_checks_are_one_kind() {
        let p = problems(&format!(
            "{BASE}{LB}algorithm = \"first\"\nobserve = {{}}\nmax_fails = {{}}\n"
        ));
        assert!(
            p.iter().any(|m| m.contains("`first` needs `maxconn`")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("either HAProxy's `observe` or nginx's `max_fails`")),
            "{p:?}"
        );
    }

    #[test]
    fn timers_have_a_floor() {
        let p = problems(&format!("{BASE}{LB}timeout_connect = \"10us\"\n"));
        assert!(
            p.iter().any(|m| m.contains("must be at least 1ms")),
            "{p:?}"
        );
    }
}
