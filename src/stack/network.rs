//! The network between the stack's tiers: one-way latency per link
//! (client↔balancer, balancer↔server, server↔database), the faults that
//! degrade a link (extra latency, packet loss resent after TCP's
//! retransmission timeout) and the partitions that cut one pair off.
//!
//! A link with no latency configured and no fault costs nothing and draws
//! no random number, so a zero hop stays a direct call in `flow.rs`.

use super::config::NetworkConfig;
use super::ids::{DbId, LbId, Link, ServerId};
use crate::dist::Dist;
use crate::engine::SimDuration;
use crate::engine::rng::Rng;
use rand::RngExt;

/// A pair that cannot reach each other while a partition lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cut {
    LbServer(LbId, ServerId),
    ServerDb(ServerId, DbId),
    /// Two databases: a replica and its source. No request crosses it; it
    /// cuts the replication link (`World::repl_partition`), so it is never
    /// among the `Network`'s cuts.
    DbDb(DbId, DbId),
}

pub(super) struct Network {
    latency: [Option<Dist>; 3],
    rng: Rng,
    /// Per link: extra latency and loss of a network fault.
    link_faults: [(SimDuration, f64); 3],
    /// Active partitions.
    cuts: Vec<Cut>,
}

fn non_zero(d: &Option<Dist>) -> Option<Dist> {
    d.as_ref().filter(|d| !d.is_zero()).cloned()
}

impl Network {
    pub(super) fn new(cfg: &NetworkConfig, rng: Rng) -> Self {
        Network {
            latency: [
                non_zero(&cfg.client_lb),
                non_zero(&cfg.lb_server),
                non_zero(&cfg.server_db),
            ],
            rng,
            link_faults: [(SimDuration::ZERO, 0.0); 3],
            cuts: vec![],
        }
    }

    /// The one-way delay of a hop on `link`: zero at the cost of two
    /// tests when the link has no latency and no fault, else drawn out of
    /// line.
    #[inline(always)]
    pub(super) fn delay(&mut self, link: Link) -> SimDuration {
        let i = link.index();
        if self.latency[i].is_none() && self.link_faults[i] == (SimDuration::ZERO, 0.0) {
            return SimDuration::ZERO;
        }
        self.draw_delay(link)
    }

    #[inline(never)]
    fn draw_delay(&mut self, link: Link) -> SimDuration {
        let base = match &self.latency[link.index()] {
            Some(d) => d.sample(&mut self.rng),
            None => SimDuration::ZERO,
        };
        let (extra, loss) = self.link_faults[link.index()];
        if extra.is_zero() && loss == 0.0 {
            return base;
        }
        // A lost segment is resent after TCP's retransmission timeout:
        // 200 ms (Linux's minimum RTO), doubling on each further loss.
        let mut delay = base + extra;
        let mut rto = SimDuration::from_millis(200);
        while loss > 0.0 && self.rng.random::<f64>() < loss && rto <= SimDuration::from_secs(60) {
            delay = delay + rto;
            rto = rto + rto;
        }
        delay
    }

    /// A network fault on `link` starts (`Some`) or ends (`None`).
    pub(super) fn degrade(&mut self, link: Link, fault: Option<(SimDuration, f64)>) {
        self.link_faults[link.index()] = fault.unwrap_or((SimDuration::ZERO, 0.0));
    }

    pub(super) fn cut(&mut self, c: Cut) {
        self.cuts.push(c);
    }

    pub(super) fn heal(&mut self, c: Cut) {
        if let Some(pos) = self.cuts.iter().position(|&x| x == c) {
            self.cuts.remove(pos);
        }
    }

    /// True while the pair cannot reach each other.
    #[inline]
    pub(super) fn is_cut(&self, c: Cut) -> bool {
        !self.cuts.is_empty() && self.cuts.contains(&c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network {
        let cfg = NetworkConfig {
            client_lb: None,
            lb_server: Some(Dist::Constant { value_ns: 1e6 }),
            server_db: Some(Dist::Constant { value_ns: 0.0 }),
        };
        Network::new(&cfg, crate::engine::rng::Streams::new(1).stream("network"))
    }

    #[test]
    fn latency_per_link_and_faults_add_to_it() {
        let mut n = net();
        assert_eq!(n.delay(Link::ClientLb), SimDuration::ZERO);
        assert_eq!(n.delay(Link::LbServer), SimDuration::from_millis(1));
        assert_eq!(
            n.delay(Link::ServerDb),
            SimDuration::ZERO,
            "zero is no latency"
        );
        n.degrade(Link::LbServer, Some((SimDuration::from_millis(5), 0.0)));
        assert_eq!(n.delay(Link::LbServer), SimDuration::from_millis(6));
        n.degrade(Link::LbServer, None);
        assert_eq!(n.delay(Link::LbServer), SimDuration::from_millis(1));
        // Total loss: every retransmission is lost too, until the RTO passes 60 s.
        n.degrade(Link::ClientLb, Some((SimDuration::ZERO, 0.999_999_999)));
        assert!(n.delay(Link::ClientLb) > SimDuration::from_secs(100));
    }

    #[test]
    fn a_partition_cuts_only_its_pair_until_healed() {
        let mut n = net();
        let c = Cut::LbServer(LbId::new(0), ServerId::new(1));
        assert!(!n.is_cut(c));
        n.cut(c);
        assert!(n.is_cut(c));
        assert!(!n.is_cut(Cut::LbServer(LbId::new(0), ServerId::new(0))));
        n.heal(c);
        assert!(!n.is_cut(c));
    }
}
