//! A balancer's choice of backend (its `Chooser`).
//!
//! `roundrobin` is the smooth weighted round robin of nginx
//! (ngx_http_upstream_round_robin.c) and HAProxy's dynamic `roundrobin`:
//! every pick adds each backend's weight to its running score, takes the
//! highest score (the first on a tie) and subtracts the total weight from
//! it. With equal weights this is plain rotation; with weights 5:1:1 it
//! spreads the heavy backend's turns (a a b a c a a) instead of bunching them.
//! The balancer also counts each backend's requests in flight (dispatched,
//! response not yet back), which the connection-aware algorithms use:
//! `leastconn` takes the lowest in-flight/weight (ties rotate, as HAProxy's
//! tree does), `random(n)` draws n backends by weight and takes the least
//! loaded (n = 2 is the "power of two choices"), `source` hashes the client.

use crate::engine::rng::{Rng, mix64};
use crate::engine::{SimDuration, SimTime};
use crate::stack::config::{Algorithm, BalancerConfig, ServerIdx};
use rand::RngExt;

/// The outcome of a pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Chosen(usize),
    /// Some backend is up, but every one is at its `maxconn`: queue.
    Full,
    /// No backend is believed up: 503.
    NoneUp,
}

fn weights_of(cfg: &BalancerConfig) -> Vec<u32> {
    cfg.backends.iter().map(|b| b.weight).collect()
}

/// Points on the consistent-hash ring per unit of weight.
const POINTS_PER_WEIGHT: u32 = 100;

/// A consistent-hash ring: each backend owns `weight × 100` pseudo-random
/// points; a key belongs to the first point at or after its hash.
fn ring(weights: &[u32]) -> Vec<(u64, usize)> {
    let mut ring: Vec<(u64, usize)> = weights
        .iter()
        .enumerate()
        .flat_map(|(i, &w)| {
            (0..w * POINTS_PER_WEIGHT).map(move |k| (mix64(((i as u64) << 32) | u64::from(k)), i))
        })
        .collect();
    ring.sort_unstable();
    ring
}

impl Pick {
    /// The chosen backend, if any.
    #[cfg(test)]
    pub fn chosen(self) -> Option<usize> {
        match self {
            Pick::Chosen(i) => Some(i),
            Pick::Full | Pick::NoneUp => None,
        }
    }
}

pub struct Chooser {
    algorithm: Algorithm,
    pub servers: Vec<ServerIdx>,
    weights: Vec<i64>,
    scores: Vec<i64>,
    total_weight: i64,
    /// The balancer's own random stream (random(n) draws), so that the
    /// other streams stay the same whichever algorithm a scenario uses.
    rng: Rng,
    /// Where the next tie-break among equally loaded backends starts.
    rotor: usize,
    /// Requests dispatched to each backend whose response has not come back.
    pub in_flight: Vec<u32>,
    /// What the balancer believes of each backend (health checks): only
    /// backends believed up are chosen.
    pub up: Vec<bool>,
    /// Per backend: consecutive check results against the current belief
    /// (failures while up, successes while down).
    pub streak: Vec<u32>,
    /// Per backend: `maxconn` (u32::MAX: unlimited).
    maxconn: Vec<u32>,
    /// Some backend has a `maxconn` (else no limit is ever reached, even
    /// while ramping: an unlimited backend ramps its weight only).
    limited: bool,
    /// Effective weights and connection limits: the configured ones, or
    /// less while a backend ramps up after recovery (`slowstart`).
    eff: Vec<i64>,
    eff_maxconn: Vec<u32>,
    slowstart: Option<SimDuration>,
    /// Per backend: when it last came back up (`None`: up from the start).
    up_since: Vec<Option<SimTime>>,
    /// Until when some backend is still ramping up.
    ramp_until: SimTime,
    /// Some backend's effective weight is below its weight.
    ramping: bool,
    /// `hash-type consistent`: the ring of (point, backend), sorted.
    ring: Option<Vec<(u64, usize)>>,
    /// Distinct URIs for `uri`.
    keys: u32,
}

impl Chooser {
    pub fn new(cfg: &BalancerConfig, rng: Rng) -> Self {
        let weights: Vec<i64> = cfg.backends.iter().map(|b| i64::from(b.weight)).collect();
        Chooser {
            algorithm: cfg.algorithm,
            servers: cfg.backends.iter().map(|b| b.server).collect(),
            total_weight: weights.iter().sum(),
            scores: vec![0; weights.len()],
            weights,
            in_flight: vec![0; cfg.backends.len()],
            up: vec![true; cfg.backends.len()],
            streak: vec![0; cfg.backends.len()],
            maxconn: cfg
                .backends
                .iter()
                .map(|b| b.maxconn.unwrap_or(u32::MAX))
                .collect(),
            limited: cfg.backends.iter().any(|b| b.maxconn.is_some()),
            eff: cfg.backends.iter().map(|b| i64::from(b.weight)).collect(),
            eff_maxconn: cfg
                .backends
                .iter()
                .map(|b| b.maxconn.unwrap_or(u32::MAX))
                .collect(),
            slowstart: cfg.slowstart,
            up_since: vec![None; cfg.backends.len()],
            ramp_until: SimTime::ZERO,
            ramping: false,
            ring: cfg.consistent.then(|| ring(&weights_of(cfg))),
            keys: cfg.keys,
            rotor: 0,
            rng,
        }
    }

    /// Chooses a backend (an index into `servers`) for a request from
    /// `client` among those believed up and below their `maxconn`, and
    /// counts it in flight.
    #[inline]
    pub fn pick(&mut self, client: u32, now: SimTime) -> Pick {
        self.pick_excluding(client, usize::MAX, now)
    }

    /// As [`Chooser::pick`], never choosing `exclude` (a redispatch).
    pub fn pick_excluding(&mut self, client: u32, exclude: usize, now: SimTime) -> Pick {
        if self.ramping {
            self.ramp(now);
        }
        let unrestricted = exclude == usize::MAX && !self.ramping && self.all_free();
        let total = if unrestricted {
            self.total_weight
        } else {
            (0..self.eff.len())
                .filter(|&i| self.eligible(i, exclude))
                .map(|i| self.eff[i])
                .sum()
        };
        if total == 0 {
            let any_up = (0..self.up.len()).any(|i| self.up[i] && i != exclude);
            return if any_up { Pick::Full } else { Pick::NoneUp };
        }
        let chosen = match self.algorithm {
            Algorithm::RoundRobin | Algorithm::StaticRr if unrestricted => self.smooth_rr_all(),
            Algorithm::RoundRobin | Algorithm::StaticRr => self.smooth_weighted_rr(exclude, total),
            Algorithm::LeastConn => self.least_conn(exclude),
            Algorithm::Random { draws } => self.random_of(draws, exclude, total),
            Algorithm::Source => self.by_hash(mix64(u64::from(client)), exclude, total),
            Algorithm::Uri => {
                let key = self.rng.random_range(0..u64::from(self.keys));
                self.by_hash(mix64(key ^ 0x5552_4900), exclude, total)
            }
            Algorithm::First => (0..self.eff.len())
                .find(|&i| self.eligible(i, exclude))
                .unwrap_or(0),
        };
        self.in_flight[chosen] += 1;
        Pick::Chosen(chosen)
    }

    /// The backend for hash `h`: on the consistent ring (the first eligible
    /// point at or after `h`), or map-based (`h` mod the eligible weights).
    fn by_hash(&self, h: u64, exclude: usize, total: i64) -> usize {
        match &self.ring {
            Some(ring) => {
                let start = ring.partition_point(|&(p, _)| p < h);
                (0..ring.len())
                    .map(|k| ring[(start + k) % ring.len()].1)
                    .find(|&i| self.eligible(i, exclude))
                    .unwrap_or(0)
            }
            None => self.by_weight(h % total as u64, exclude),
        }
    }

    /// Gives the backends these `maxconn` (tests; the model sets them at
    /// construction).
    #[cfg(test)]
    pub(crate) fn set_maxconn(&mut self, maxconn: Vec<u32>) {
        self.limited = maxconn.iter().any(|&m| m != u32::MAX);
        self.eff_maxconn.clone_from(&maxconn);
        self.maxconn = maxconn;
    }

    /// Every backend up and below its limit (the fast path; without any
    /// `maxconn`, only whether all are up).
    #[inline]
    fn all_free(&self) -> bool {
        if !self.limited {
            return self.up.iter().all(|&up| up);
        }
        let limits = self.in_flight.iter().zip(&self.eff_maxconn);
        self.up
            .iter()
            .zip(limits)
            .all(|(&up, (&n, &max))| up && n < max)
    }

    #[inline]
    fn eligible(&self, i: usize, exclude: usize) -> bool {
        self.up[i] && i != exclude && self.in_flight[i] < self.eff_maxconn[i]
    }

    /// Backend `i` came back up at `now`: with `slowstart` its weight and
    /// maxconn ramp from almost nothing to full over that time.
    pub fn came_up(&mut self, i: usize, now: SimTime) {
        self.up_since[i] = Some(now);
        if let Some(ss) = self.slowstart {
            self.ramp_until = self.ramp_until.max(now + ss);
            self.ramping = true;
            self.ramp(now);
        }
    }

    /// Recomputes the effective weights and limits (HAProxy: weight ×
    /// elapsed / slowstart, at least 1).
    fn ramp(&mut self, now: SimTime) {
        let Some(ss) = self.slowstart else { return };
        for i in 0..self.eff.len() {
            let frac = self.up_since[i].map_or(1.0, |since| {
                ((now - since).as_nanos() as f64 / ss.as_nanos().max(1) as f64).min(1.0)
            });
            self.eff[i] = ((self.weights[i] as f64 * frac).ceil() as i64).max(1);
            self.eff_maxconn[i] = match self.maxconn[i] {
                u32::MAX => u32::MAX,
                m => ((f64::from(m) * frac).ceil() as u32).max(1),
            };
        }
        if now >= self.ramp_until {
            self.eff.clone_from(&self.weights);
            self.eff_maxconn.clone_from(&self.maxconn);
            self.ramping = false;
        }
        self.total_weight = self.eff.iter().sum();
    }

    /// The response of a request dispatched to `backend` came back.
    #[inline]
    pub fn done(&mut self, backend: usize) {
        self.in_flight[backend] = self.in_flight[backend].saturating_sub(1);
    }

    /// The eligible backend owning slot `slot` of the eligible weights
    /// (map-based hashing).
    fn by_weight(&self, mut slot: u64, exclude: usize) -> usize {
        let mut last = 0;
        for (i, &w) in self.eff.iter().enumerate() {
            if !self.eligible(i, exclude) {
                continue;
            }
            if slot < w as u64 {
                return i;
            }
            slot -= w as u64;
            last = i;
        }
        last
    }

    /// Load of backend `i` relative to its weight, compared without division:
    /// a/wa < b/wb ⇔ a·wb < b·wa.
    #[inline]
    fn less_loaded(&self, a: usize, b: usize) -> bool {
        i64::from(self.in_flight[a]) * self.eff[b] < i64::from(self.in_flight[b]) * self.eff[a]
    }

    fn least_conn(&mut self, exclude: usize) -> usize {
        let n = self.weights.len();
        let mut best = usize::MAX;
        for k in 0..n {
            let i = (self.rotor + k) % n;
            if self.eligible(i, exclude) && (best == usize::MAX || self.less_loaded(i, best)) {
                best = i;
            }
        }
        self.rotor = (best + 1) % n;
        best
    }

    fn random_of(&mut self, draws: u8, exclude: usize, total: i64) -> usize {
        let total = total as u64;
        let slot = self.rng.random_range(0..total);
        let mut best = self.by_weight(slot, exclude);
        for _ in 1..draws {
            let slot = self.rng.random_range(0..total);
            let other = self.by_weight(slot, exclude);
            if self.less_loaded(other, best) {
                best = other;
            }
        }
        best
    }

    /// nginx's smooth weighted round robin over the eligible backends.
    /// [`Chooser::smooth_weighted_rr`] when every backend is eligible (the
    /// common case), without the per-backend checks: the same choice.
    #[inline]
    fn smooth_rr_all(&mut self) -> usize {
        let mut best = 0;
        let mut best_score = i64::MIN;
        for (i, (score, &w)) in self.scores.iter_mut().zip(&self.eff).enumerate() {
            *score += w;
            if *score > best_score {
                best = i;
                best_score = *score;
            }
        }
        self.scores[best] -= self.total_weight;
        best
    }

    fn smooth_weighted_rr(&mut self, exclude: usize, total: i64) -> usize {
        let mut best = usize::MAX;
        for i in 0..self.scores.len() {
            if !self.eligible(i, exclude) {
                continue;
            }
            self.scores[i] += self.eff[i];
            if best == usize::MAX || self.scores[i] > self.scores[best] {
                best = i;
            }
        }
        self.scores[best] -= total;
        best
    }
}

#[cfg(test)]
mod tests;
