//! Validation of a workload: open (a rate, its profile over time, the
//! clients) or closed (users and their think time), the request classes and
//! their queries, and the client's timeouts and retries.

use super::super::experiment::*;
use super::super::limits;
use super::Checker;
use crate::engine::SimDuration;
use crate::stack::config::*;

impl Checker<'_> {
    /// Converts a workload; `model` (when valid) is checked against it.
    pub fn workload(
        &mut self,
        path: &str,
        w: &WorkloadFile,
        model: Option<&ModelConfig>,
        model_prefix: &str,
    ) -> Option<Workload> {
        let p = |rest: &str| format!("{path}.{rest}");
        let arrivals = match w.kind.as_str() {
            "open" => {
                for (set, key) in [(w.users.is_some(), "users"), (w.think.is_some(), "think")] {
                    if set {
                        self.err(
                            &p(key),
                            format!("`{key}` is for a closed workload; an open one has `rate`"),
                        );
                    }
                }
                let rate = match w.rate {
                    None => {
                        self.err(path, "an open workload needs `rate` (requests per second)");
                        None
                    }
                    Some(r) if !(r.is_finite() && r > 0.0) => {
                        self.err(
                            &p("rate"),
                            format!("must be a positive number of requests per second, found {r}"),
                        );
                        None
                    }
                    Some(r) if r > limits::MAX_RATE_PER_S => {
                        self.err(
                            &p("rate"),
                            format!("at most {:e} requests per second (every request is simulated), found {r:e}", limits::MAX_RATE_PER_S),
                        );
                        None
                    }
                    Some(r) => Some(r),
                };
                let clients =
                    self.at_least_one(&p("clients"), w.clients.unwrap_or(WorkloadFile::CLIENTS));
                let clients = self.at_most(
                    &p("clients"),
                    clients,
                    limits::MAX_CLIENTS,
                    "each keeps its own DNS cache",
                );
                let profile = match &w.profile {
                    None => Some(RateProfile::Constant),
                    Some(pr) => self.profile(&p("profile"), pr),
                };
                match (rate, profile) {
                    (Some(rate_per_s), Some(profile)) => Some(Arrivals::Open {
                        rate_per_s,
                        profile,
                        clients,
                    }),
                    _ => None,
                }
            }
            "closed" => {
                for (set, key) in [
                    (w.rate.is_some(), "rate"),
                    (w.profile.is_some(), "profile"),
                    (w.clients.is_some(), "clients"),
                ] {
                    if set {
                        self.err(&p(key), format!("`{key}` is for an open workload; a closed one has `users` and `think` (each user is a client)"));
                    }
                }
                let users = match w.users {
                    Some(u) => {
                        let u = self.at_least_one(&p("users"), u);
                        self.at_most(
                            &p("users"),
                            u,
                            limits::MAX_CLIENTS,
                            "each is a client of its own",
                        )
                    }
                    None => {
                        self.err(path, "a closed workload needs `users`");
                        1
                    }
                };
                let think = match &w.think {
                    Some(t) => self.dist(&p("think"), t),
                    None => {
                        self.err(path, "a closed workload needs `think` (e.g. \"0s\" or { dist = \"exponential\", mean = \"1s\" })");
                        None
                    }
                };
                think.map(|think| Arrivals::Closed { users, think })
            }
            other => {
                self.err(
                    &p("kind"),
                    format!("unknown workload kind `{other}`; expected `open` or `closed`"),
                );
                None
            }
        };
        let mut classes = vec![];
        let mut total = 0.0;
        for (i, c) in w.classes.iter().enumerate() {
            let cp = p(&format!("classes[{i}]"));
            if !(c.probability.is_finite() && c.probability > 0.0 && c.probability <= 1.0) {
                self.err(
                    &format!("{cp}.probability"),
                    format!("must be in (0, 1], found {}", c.probability),
                );
            }
            if w.classes[..i].iter().any(|o| o.name == c.name) {
                self.err(
                    &format!("{cp}.name"),
                    format!("class `{}` is defined twice", c.name),
                );
            }
            total += c.probability;
            for (n, key) in [(c.reads, "reads"), (c.writes, "writes")] {
                self.at_most(
                    &format!("{cp}.{key}"),
                    n,
                    limits::MAX_QUERIES_PER_REQUEST,
                    "queries per request; a page makes 5 to 10",
                );
            }
            classes.push(ClassConfig {
                name: c.name.clone(),
                probability: c.probability,
                reads: c.reads,
                writes: c.writes,
            });
        }
        if classes.is_empty() {
            classes.push(ClassConfig {
                name: "request".into(),
                probability: 1.0,
                reads: 0,
                writes: 0,
            });
        } else if (total - 1.0).abs() > 1e-9 {
            self.err(
                &p("classes"),
                format!("the class probabilities add up to {total}, expected 1"),
            );
        }
        if let Some(model) = model {
            let reads = classes.iter().any(|c| c.reads > 0);
            let writes = classes.iter().any(|c| c.writes > 0);
            for s in &model.servers {
                if reads && s.reads_from.is_none() {
                    self.err(&format!("{model_prefix}.servers.{}", s.name), "the workload's classes make reads, but this server has no `reads_from` database");
                }
                if writes && s.writes_to.is_none() {
                    self.err(&format!("{model_prefix}.servers.{}", s.name), "the workload's classes make writes, but this server has no `writes_to` database");
                }
            }
        }
        let connect_timeout = self.ms_timer(
            &p("connect_timeout"),
            w.connect_timeout
                .map_or(WorkloadFile::CONNECT_TIMEOUT, |d| d.0),
        );
        let try_next_address = w.try_next_address;
        let client_timeout = w.timeout.map(|d| d.0);
        if client_timeout.is_some_and(|d| d.is_zero()) {
            self.err(
                &p("timeout"),
                "must be positive (leave it out for a client that waits forever)",
            );
        }
        let client_timeout = client_timeout
            .filter(|d| !d.is_zero())
            .map(|d| self.ms_timer(&p("timeout"), d));
        if w.retries > 10 {
            self.err(
                &p("retries"),
                format!("at most 10 retries, found {}", w.retries),
            );
        }
        arrivals.map(|arrivals| Workload {
            arrivals,
            classes,
            connect_timeout,
            try_next_address,
            client_timeout,
            client_retries: w.retries,
        })
    }

    fn profile(&mut self, path: &str, pr: &ProfileFile) -> Option<RateProfile> {
        match pr.shape.as_str() {
            "sinusoidal" => {
                let amplitude = pr.amplitude.unwrap_or(ProfileFile::AMPLITUDE);
                if !(0.0..=1.0).contains(&amplitude) {
                    self.err(
                        &format!("{path}.amplitude"),
                        format!(
                            "must be in [0, 1] (a rate never goes negative), found {amplitude}"
                        ),
                    );
                }
                match pr.period {
                    Some(period) if !period.0.is_zero() => Some(RateProfile::Sinusoidal {
                        amplitude,
                        period: period.0,
                    }),
                    _ => {
                        self.err(path, "a sinusoidal profile needs a positive `period`");
                        None
                    }
                }
            }
            "steps" => {
                if pr.steps.is_empty() {
                    self.err(
                        &format!("{path}.steps"),
                        "a steps profile needs at least one step { at = \"60s\", rate = 1200 }",
                    );
                }
                let mut steps = vec![];
                for (i, s) in pr.steps.iter().enumerate() {
                    if !(s.rate.is_finite() && s.rate >= 0.0) {
                        self.err(
                            &format!("{path}.steps[{i}].rate"),
                            format!("must be a non-negative number, found {}", s.rate),
                        );
                    }
                    if steps
                        .last()
                        .is_some_and(|&(at, _): &(SimDuration, f64)| at >= s.at.0)
                    {
                        self.err(
                            &format!("{path}.steps[{i}].at"),
                            "steps must be in increasing time",
                        );
                    }
                    steps.push((s.at.0, s.rate));
                }
                Some(RateProfile::Steps(steps))
            }
            other => {
                self.err(
                    &format!("{path}.shape"),
                    format!("unknown profile shape `{other}`; expected `sinusoidal` or `steps`"),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;
    use crate::stack::config::{Arrivals, RateProfile};

    #[test]
    fn client_defaults_apply() {
        let sc = scenario(BASE);
        let w = &sc.workload;
        assert!(matches!(
            w.arrivals,
            Arrivals::Open {
                clients: 1000,
                profile: RateProfile::Constant,
                ..
            }
        ));
        assert_eq!(w.connect_timeout, SimDuration::from_secs(10));
        assert_eq!((w.client_timeout, w.client_retries), (None, 0));
        assert_eq!(w.classes.len(), 1);
    }

    fn with_workload(workload: &str) -> Vec<String> {
        problems(&BASE.replace("kind = \"open\"\nrate = 10\n", workload))
    }

    #[test]
    fn open_and_closed_keys_do_not_mix() {
        let p = with_workload("kind = \"open\"\nusers = 3\n");
        assert!(
            p.iter()
                .any(|m| m.contains("`users` is for a closed workload")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("an open workload needs `rate`")),
            "{p:?}"
        );
        let p = with_workload("kind = \"closed\"\nrate = 3\n");
        assert!(
            p.iter()
                .any(|m| m.contains("`rate` is for an open workload")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("a closed workload needs `users`")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("a closed workload needs `think`")),
            "{p:?}"
        );
        let p = with_workload("kind = \"bursty\"\n");
        assert!(
            p.iter()
                .any(|m| m.contains("unknown workload kind `bursty`")),
            "{p:?}"
        );
    }

    #[test]
    fn classes_and_profiles_are_checked() {
        let p = with_workload(
            "kind = \"open\"\nrate = 10\nprofile = { shape = \"steps\", steps = [{ at = \"2s\", rate = 1.0 }, { at = \"1s\", rate = -1.0 }] }\nclasses = [{ name = \"a\", probability = 0.5 }, { name = \"a\", probability = 0.2 }]\n",
        );
        for want in [
            "steps must be in increasing time",
            "must be a non-negative number, found -1",
            "class `a` is defined twice",
            "the class probabilities add up to 0.7, expected 1",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
        let p = with_workload(
            "kind = \"open\"\nrate = 10\nprofile = { shape = \"sinusoidal\", amplitude = 2.0 }\n",
        );
        assert!(p.iter().any(|m| m.contains("must be in [0, 1]")), "{p:?}");
        assert!(
            p.iter().any(|m| m.contains("needs a positive `period`")),
            "{p:?}"
        );
    }

    #[test]
    fn queries_need_databases() {
        let p = with_workload(
            "kind = \"open\"\nrate = 10\nclasses = [{ name = \"a\", probability = 1.0, reads = 1 }]\n",
        );
        assert!(
            p.iter().any(|m| m.contains("no `reads_from` database")),
            "{p:?}"
        );
    }
}
