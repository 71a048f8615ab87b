//! The client side: the workload (open arrivals with a rate profile, or
//! closed users who think between requests), request classes, each
//! client's DNS cache, and how clients behave on failure (connect timeout,
//! trying the next address, their own timeout and retries).
//!
//! Each purpose draws from its own stream (arrivals, routing, think, dns),
//! in a fixed order per event, so that scenarios share random numbers.

use super::config::{Arrivals, Entry, RateProfile, Scenario};
use crate::dist::Dist;
use crate::engine::rng::{Rng, Streams};
use crate::engine::{SimDuration, SimTime};
use rand::RngExt;

pub(super) struct Clients {
    /// Where clients connect: the DNS record's addresses, or the single entry.
    pub(super) entries: Vec<Entry>,
    dns: Option<(SimDuration, Dist)>,
    /// Per client: when its cached DNS answer expires, and which entry it holds.
    caches: Vec<(SimTime, u16)>,
    arrivals: Arrivals,
    peak_rate: f64,
    /// 1 / peak_rate, in nanoseconds.
    mean_gap_ns: f64,
    class_cdf: Vec<f64>,
    class_queries: Vec<(u16, u16)>,
    think: Option<Dist>,
    rng_arrivals: Rng,
    rng_routing: Rng,
    rng_dns: Rng,
    rng_think: Rng,
    pub(super) try_next_address: bool,
    pub(super) timeout: Option<SimDuration>,
    pub(super) retries: u8,
    pub(super) connect_timeout: SimDuration,
}

impl Clients {
    pub(super) fn new(sc: &Scenario, streams: &Streams) -> Self {
        let w = &sc.workload;
        let mut acc = 0.0;
        let mut class_cdf: Vec<f64> = w
            .classes
            .iter()
            .map(|c| {
                acc += c.probability;
                acc
            })
            .collect();
        if let Some(last) = class_cdf.last_mut() {
            *last = f64::INFINITY; // rounding never makes a draw fall off the end
        }
        let (n_clients, think) = match &w.arrivals {
            Arrivals::Open { clients, .. } => (*clients, None),
            Arrivals::Closed { users, think } => (*users, Some(think.clone())),
        };
        Clients {
            entries: sc.model.entries.clone(),
            dns: sc
                .model
                .dns
                .as_ref()
                .map(|d| (d.ttl, d.resolver_latency.clone())),
            caches: vec![(SimTime::ZERO, 0); n_clients as usize],
            peak_rate: w.arrivals.peak_rate(),
            mean_gap_ns: 1e9 / w.arrivals.peak_rate(),
            arrivals: w.arrivals.clone(),
            class_cdf,
            class_queries: w
                .classes
                .iter()
                .map(|c| (c.reads as u16, c.writes as u16))
                .collect(),
            think,
            rng_arrivals: streams.stream("arrivals"),
            rng_routing: streams.stream("routing"),
            rng_dns: streams.stream("dns"),
            rng_think: streams.stream("think"),
            try_next_address: w.try_next_address,
            timeout: w.client_timeout,
            retries: w.client_retries.min(255) as u8,
            connect_timeout: w.connect_timeout,
        }
    }

    /// Closed users, if the workload is closed.
    pub(super) fn users(&self) -> Option<u32> {
        match self.arrivals {
            Arrivals::Closed { users, .. } => Some(users),
            Arrivals::Open { .. } => None,
        }
    }

    pub(super) fn closed(&self) -> bool {
        self.think.is_some()
    }

    /// The gap to the next open arrival, at the envelope rate (ziggurat:
    /// no logarithm).
    #[inline(always)]
    pub(super) fn interarrival(&mut self) -> SimDuration {
        let x = crate::engine::exp1::exp1(&mut self.rng_arrivals);
        SimDuration::from_nanos_f64(x * self.mean_gap_ns)
    }

    /// An arrival at `now` of the envelope: kept (thinning to the rate
    /// profile), and from which client; `None` if thinned out.
    #[inline(always)]
    pub(super) fn arrival(&mut self, now: SimTime) -> Option<u32> {
        let Arrivals::Open {
            profile, clients, ..
        } = &self.arrivals
        else {
            return None;
        };
        if *profile != RateProfile::Constant {
            let rate = self.arrivals.rate_at(now - SimTime::ZERO);
            if self.rng_arrivals.random::<f64>() * self.peak_rate >= rate {
                return None;
            }
        }
        Some(if *clients > 1 {
            self.rng_routing.random_range(0..*clients)
        } else {
            0
        })
    }

    pub(super) fn think_time(&mut self) -> SimDuration {
        match &self.think {
            Some(d) => d.sample(&mut self.rng_think),
            None => SimDuration::ZERO,
        }
    }

    /// A new request's class.
    #[inline(always)]
    pub(super) fn pick_class(&mut self) -> u8 {
        if self.class_cdf.len() > 1 {
            let u: f64 = self.rng_routing.random();
            self.class_cdf.iter().position(|&c| u < c).unwrap_or(0) as u8
        } else {
            0
        }
    }

    /// The (reads, writes) a request of `class` makes.
    #[inline]
    pub(super) fn queries(&self, class: u8) -> (u16, u16) {
        self.class_queries[usize::from(class)]
    }

    /// At a request's start: if `client`'s cached answer has expired, it
    /// looks the name up again (picking one of the record's addresses) and
    /// the lookup's latency is returned.
    #[inline(always)]
    pub(super) fn resolve(&mut self, client: u32, now: SimTime) -> Option<SimDuration> {
        let (ttl, latency) = self.dns.as_ref()?;
        let cache = &mut self.caches[client as usize];
        if now < cache.0 {
            return None;
        }
        let lookup = latency.sample(&mut self.rng_dns);
        let pick = if self.entries.len() > 1 {
            self.rng_dns.random_range(0..self.entries.len()) as u16
        } else {
            0
        };
        *cache = (now + lookup + *ttl, pick);
        Some(lookup)
    }

    /// The address `client` connects to.
    #[inline]
    pub(super) fn entry_of(&self, client: u32) -> u16 {
        if self.dns.is_some() {
            self.caches[client as usize].1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn clients(file: &str) -> Clients {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let exp = crate::input::load_experiment(&path, &Default::default()).expect("bundled");
        Clients::new(&exp.scenarios[0], &Streams::new(3))
    }

    #[test]
    fn an_open_workload_draws_gaps_at_its_rate() {
        let mut c = clients("experiments/seed.toml");
        assert_eq!(c.users(), None);
        let n = 20_000;
        let total: f64 = (0..n).map(|_| c.interarrival().as_secs_f64()).sum();
        let mean = total / f64::from(n);
        assert!((mean * c.peak_rate - 1.0).abs() < 0.05, "mean gap {mean}");
        assert!(
            c.arrival(SimTime::ZERO).is_some(),
            "a constant rate keeps all"
        );
        assert_eq!(c.think_time(), SimDuration::ZERO);
    }

    #[test]
    fn a_cached_answer_is_used_until_its_ttl() {
        let mut c = clients("experiments/seed.toml");
        if c.dns.is_none() {
            assert_eq!(c.resolve(0, SimTime::ZERO), None);
            return;
        }
        let lookup = c.resolve(0, SimTime::ZERO).expect("first lookup");
        let ttl = c.dns.as_ref().unwrap().0;
        assert_eq!(c.resolve(0, SimTime::ZERO + lookup), None, "cached");
        assert!(
            c.resolve(0, SimTime::ZERO + lookup + ttl).is_some(),
            "expired"
        );
        assert!(usize::from(c.entry_of(0)) < c.entries.len());
    }
}
