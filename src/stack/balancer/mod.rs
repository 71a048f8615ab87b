//! A balancer (HAProxy), one struct per balancer: its configuration (held
//! once), its backend chooser (`chooser.rs`), what it believes of its
//! backends through active checks (`health.rs`) and live traffic
//! (`passive.rs`), its own state (up, or down since when, silent or not —
//! which keepalived's VRRP reads), its backend queue and its shared-duration
//! deadlines (`deadlines.rs`).
//!
//! Nothing here schedules events or touches a request: the methods update
//! the balancer's state and return what happened (a verdict, when to check
//! next); `World` (checks.rs, flow.rs) acts on it. Invariant: a backend
//! index `i` is the same in every per-backend vector here and in
//! `cfg.backends`.

mod chooser;
mod deadlines;
mod health;
mod passive;

pub use chooser::{Chooser, Pick};
pub(crate) use deadlines::Deadlines;
pub(crate) use passive::{PassiveState, PassiveVerdict};

use super::config::BalancerConfig;
use super::ids::{LbId, ReqId, ServerId, StationId, TimeoutSide};
use crate::engine::rng::Rng;
use crate::engine::{EventKey, SimTime};
use std::collections::VecDeque;

pub struct Balancer {
    pub cfg: BalancerConfig,
    pub chooser: Chooser,
    /// The balancer's own processing, if modelled.
    pub station: Option<StationId>,
    /// Really up (not what anyone believes).
    pub up: bool,
    /// When down: true for a silent host, false for a dead process.
    pub silent: bool,
    /// When it last went down (for a VRRP takeover).
    pub down_since: SimTime,
    /// Requests waiting for a backend below its `maxconn` (the backend
    /// queue), with the timer that expires them at `timeout queue`.
    pub queue: VecDeque<(ReqId, EventKey)>,
    /// The `timeout server` deadlines of the requests it waits for.
    pub server_deadlines: Deadlines,
    /// The `timeout client` ones, when that is set.
    pub client_deadlines: Option<Deadlines>,
    /// Per backend: passive-check state.
    pub passive: Vec<PassiveState>,
}

impl Balancer {
    pub fn new(cfg: &BalancerConfig, station: Option<StationId>, rng: Rng) -> Self {
        Balancer {
            chooser: Chooser::new(cfg, rng),
            station,
            up: true,
            silent: false,
            down_since: SimTime::ZERO,
            queue: VecDeque::new(),
            server_deadlines: Deadlines::new(cfg.timeout_server),
            client_deadlines: cfg.timeout_client.map(Deadlines::new),
            passive: vec![PassiveState::default(); cfg.backends.len()],
            cfg: cfg.clone(),
        }
    }

    pub fn name(&self) -> &str {
        &self.cfg.name
    }

    /// The server behind backend `i`.
    #[inline]
    pub fn server(&self, i: usize) -> ServerId {
        ServerId::new(self.chooser.servers[i])
    }

    /// The balancer dies at `now`: nothing is in flight any more.
    pub fn crash(&mut self, now: SimTime, silent: bool) {
        self.up = false;
        self.silent = silent;
        self.down_since = now;
        self.chooser.in_flight.iter_mut().for_each(|n| *n = 0);
    }

    /// A restarted HAProxy starts afresh: up, nothing in flight.
    pub fn restart(&mut self) {
        self.up = true;
        self.silent = false;
        self.chooser.in_flight.iter_mut().for_each(|n| *n = 0);
    }

    /// While down: the VRRP backup that holds its address by `now`, if
    /// keepalived has moved it (whether the backup is up is the caller's).
    pub fn vip_moved_to(&self, now: SimTime) -> Option<LbId> {
        let v = self.cfg.vrrp?;
        let takeover = v.takeover(self.silent)?;
        (now >= self.down_since + takeover).then(|| LbId::new(v.backup))
    }

    /// The deadlines of one side.
    #[inline]
    pub fn deadlines(&mut self, side: TimeoutSide) -> Option<&mut Deadlines> {
        match side {
            TimeoutSide::Server => Some(&mut self.server_deadlines),
            TimeoutSide::Client => self.client_deadlines.as_mut(),
        }
    }

    /// Removes request `id` from the backend queue (its `timeout queue`).
    pub fn dequeue(&mut self, id: ReqId) {
        if let Some(pos) = self.queue.iter().position(|&(q, _)| q == id) {
            self.queue.remove(pos);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::SimDuration;
    use crate::stack::config::{Algorithm, BackendConfig, HealthCheck, Vrrp};

    pub(crate) fn config(backends: usize) -> BalancerConfig {
        BalancerConfig {
            name: "lb1".into(),
            algorithm: Algorithm::RoundRobin,
            station: None,
            check: Some(HealthCheck {
                inter: SimDuration::from_secs(2),
                fastinter: SimDuration::from_secs(1),
                downinter: SimDuration::from_secs(3),
                rise: 2,
                fall: 3,
                timeout: SimDuration::from_secs(2),
            }),
            retries: 3,
            redispatch: false,
            timeout_connect: SimDuration::from_secs(5),
            timeout_server: SimDuration::from_secs(30),
            timeout_queue: SimDuration::from_secs(5),
            timeout_client: None,
            slowstart: None,
            consistent: false,
            keys: 1000,
            vrrp: None,
            passive: None,
            reliability: None,
            backends: (0..backends)
                .map(|i| BackendConfig {
                    server: i,
                    weight: 1,
                    maxconn: None,
                })
                .collect(),
        }
    }

    pub(crate) fn balancer(cfg: &BalancerConfig) -> Balancer {
        Balancer::new(cfg, None, crate::engine::rng::Streams::new(7).stream("lb"))
    }

    #[test]
    fn a_crash_empties_the_balancer_and_a_restart_brings_it_back() {
        let mut b = balancer(&config(2));
        assert_eq!(b.chooser.pick(0, SimTime::ZERO), Pick::Chosen(0));
        b.crash(SimTime(5), true);
        assert!(!b.up && b.silent);
        assert_eq!(
            (b.down_since, b.chooser.in_flight.clone()),
            (SimTime(5), vec![0, 0])
        );
        b.restart();
        assert!(b.up && !b.silent);
        assert!(
            b.deadlines(TimeoutSide::Client).is_none(),
            "no timeout client set"
        );
        assert!(b.deadlines(TimeoutSide::Server).is_some());
    }

    #[test]
    fn the_virtual_ip_moves_after_vrrps_takeover_time() {
        let mut cfg = config(1);
        cfg.vrrp = Some(Vrrp {
            backup: 1,
            advert_int: SimDuration::from_secs(1),
            backup_priority: 128,
            track: None,
        });
        let mut b = balancer(&cfg);
        b.crash(SimTime::ZERO, true);
        // 3 × advert_int + (256 − 128)/256 s = 3.5 s.
        assert_eq!(b.vip_moved_to(SimTime(3_400_000_000)), None);
        assert_eq!(b.vip_moved_to(SimTime(3_500_000_000)), Some(LbId::new(1)));
        // A dead process without a tracking script never moves it.
        b.crash(SimTime::ZERO, false);
        assert_eq!(b.vip_moved_to(SimTime(100_000_000_000)), None);
    }

    #[test]
    fn a_queued_request_leaves_the_queue_on_its_timeout() {
        let mut b = balancer(&config(1));
        let mut s = crate::engine::Scheduler::<u32>::new();
        for i in 0..3 {
            let key = s.schedule(SimDuration::from_secs(1), i);
            b.queue.push_back((ReqId(i), key));
        }
        b.dequeue(ReqId(1));
        let left: Vec<u32> = b.queue.iter().map(|&(id, _)| id.0).collect();
        assert_eq!(left, [0, 2]);
    }
}
