//! A load balancer's choice of backend.
//!
//! `roundrobin` is the smooth weighted round robin of nginx
//! (ngx_http_upstream_round_robin.c) and HAProxy's dynamic `roundrobin`:
//! every pick adds each backend's weight to its running score, takes the
//! highest score (the first on a tie) and subtracts the total weight from
//! it. With equal weights this is plain rotation; with weights 5:1:1 it
//! spreads the heavy backend's turns (a a b a c a a) instead of bunching them.
//! The balancer also counts each backend's requests in flight (dispatched,
//! response not yet back), which connection-aware algorithms and `maxconn`
//! build on.

use super::config::{Algorithm, BalancerConfig, ServerIdx};

pub struct Balancer {
    pub name: String,
    algorithm: Algorithm,
    /// Station index of the balancer's own processing, if modelled.
    pub station: Option<u16>,
    pub servers: Vec<ServerIdx>,
    weights: Vec<i64>,
    scores: Vec<i64>,
    total_weight: i64,
    /// Requests dispatched to each backend whose response has not come back.
    pub in_flight: Vec<u32>,
}

impl Balancer {
    pub fn new(cfg: &BalancerConfig, station: Option<u16>) -> Self {
        let weights: Vec<i64> = cfg.backends.iter().map(|b| i64::from(b.weight)).collect();
        Balancer {
            name: cfg.name.clone(),
            algorithm: cfg.algorithm,
            station,
            servers: cfg.backends.iter().map(|b| b.server).collect(),
            total_weight: weights.iter().sum(),
            scores: vec![0; weights.len()],
            weights,
            in_flight: vec![0; cfg.backends.len()],
        }
    }

    /// Chooses a backend (an index into `servers`) and counts it in flight.
    #[inline]
    pub fn pick(&mut self) -> usize {
        let chosen = match self.algorithm {
            Algorithm::RoundRobin => self.smooth_weighted_rr(),
        };
        self.in_flight[chosen] += 1;
        chosen
    }

    /// The response of a request dispatched to `backend` came back.
    #[inline]
    pub fn done(&mut self, backend: usize) {
        self.in_flight[backend] -= 1;
    }

    fn smooth_weighted_rr(&mut self) -> usize {
        let mut best = 0;
        for i in 0..self.scores.len() {
            self.scores[i] += self.weights[i];
            if self.scores[i] > self.scores[best] {
                best = i;
            }
        }
        self.scores[best] -= self.total_weight;
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::config::BackendConfig;

    fn lb(weights: &[u32]) -> Balancer {
        let cfg = BalancerConfig {
            name: "lb".into(),
            algorithm: Algorithm::RoundRobin,
            station: None,
            backends: weights
                .iter()
                .enumerate()
                .map(|(i, &w)| BackendConfig {
                    server: i,
                    weight: w,
                })
                .collect(),
        };
        Balancer::new(&cfg, None)
    }

    #[test]
    fn equal_weights_rotate() {
        let mut b = lb(&[1, 1, 1]);
        let picks: Vec<usize> = (0..6).map(|_| b.pick()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
        assert_eq!(b.in_flight, [2, 2, 2]);
    }

    #[test]
    fn weights_are_smooth_like_nginx() {
        // nginx's documented example: weights 5, 1, 1 give a a b a c a a.
        let mut b = lb(&[5, 1, 1]);
        let picks: Vec<usize> = (0..7).map(|_| b.pick()).collect();
        assert_eq!(picks, [0, 0, 1, 0, 2, 0, 0]);
    }

    #[test]
    fn shares_follow_weights_over_many_picks() {
        let mut b = lb(&[3, 1, 2]);
        let mut counts = [0; 3];
        for _ in 0..600 {
            counts[b.pick()] += 1;
        }
        assert_eq!(counts, [300, 100, 200]);
    }
}
