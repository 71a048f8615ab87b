//! The replication component (`stack::replication`) against computed
//! expectations, driven by its own tiny event loop on the engine's
//! `Scheduler` (it is not yet wired into `World`): Poisson writes and reads,
//! every `Effects` turned into scheduled events.
//!
//! Theory tests compare a mean over replications with a closed form inside
//! a 99% Student-t interval (`assert_in_ci`), with a fixed master seed so
//! that runs are reproducible; bookkeeping tests (lost writes, commit order,
//! no acknowledged write lost) compare with an independent reference the
//! driver keeps. Horizons are short: the whole module runs in seconds.

use rand::RngExt;
use stacksim::dist::Dist;
use stacksim::engine::rng::{Rng, Streams, replication_seed};
use stacksim::engine::{Model, Scheduler, SimDuration, SimTime};
use stacksim::stack::replication::{
    CommitOutcome, CommitResult, Effects, KeySampler, NodeId, Otherwise, Popularity, ReadRouting,
    RecentWrite, ReplEvent, ReplicaConfig, Replication, ReplicationConfig, Route,
};
use stacksim::stats::{Estimate, Welford, t_quantile};

const MASTER_SEED: u64 = 9;
const CONFIDENCE: f64 = 0.99;
const REPLICA: NodeId = NodeId(1);

fn ms(x: f64) -> Dist {
    Dist::constant(x * 1e6).unwrap()
}
fn secs(x: f64) -> SimDuration {
    SimDuration::from_secs_f64(x)
}
fn at(x: f64) -> SimTime {
    SimTime::ZERO + secs(x)
}

/// Asserts that `theory` lies in the 99% t interval of the mean of `samples`.
fn assert_in_ci(what: &str, samples: &[f64], theory: f64) {
    let e = Estimate::from_samples(samples);
    let half =
        t_quantile(0.5 + CONFIDENCE / 2.0, (e.n - 1) as u64) * e.std_dev / (e.n as f64).sqrt();
    let report = format!(
        "{what}: simulated {:.6} ± {:.6} (99% t, {} replications), theory {:.6}",
        e.mean, half, e.n, theory
    );
    eprintln!("{report}");
    assert!(
        half.is_finite() && (e.mean - theory).abs() <= half,
        "{report}: outside the interval"
    );
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Repl(ReplEvent),
    Write,
    Read,
}

/// The workload and the reference bookkeeping around one `Replication`.
struct Driver {
    repl: Replication,
    fx: Effects,
    keys: KeySampler,
    rng: Rng,
    write_rate: f64,
    read_rate: f64,
    writes_until: SimTime,
    clients: u32,
    policy: ReadRouting,
    /// Every write, in sequence order: (key, commit time).
    log: Vec<(u32, SimTime)>,
    /// Sequence numbers whose commit returned to the client.
    acknowledged: Vec<u64>,
    /// Commit → visible on the replica, seconds, per event.
    visible_delay: Welford,
    last_applied: u64,
    /// Reads parked by read-your-writes: token → (key, the write it waits for).
    parked: Vec<(u32, u64)>,
    unavailable: u64,
}

impl Driver {
    fn new(cfg: &ReplicationConfig, rep: u32, write_rate: f64, read_rate: f64) -> Driver {
        let streams = Streams::new(replication_seed(MASTER_SEED, rep));
        Driver {
            repl: Replication::new(cfg, &streams, "db").unwrap(),
            fx: Effects::default(),
            keys: KeySampler::new(cfg.keys, Popularity::Uniform).unwrap(),
            rng: streams.stream("workload"),
            write_rate,
            read_rate,
            writes_until: SimTime::MAX,
            clients: 50,
            policy: ReadRouting::Local,
            log: vec![],
            acknowledged: vec![],
            visible_delay: Welford::new(),
            last_applied: 0,
            parked: vec![],
            unavailable: 0,
        }
    }

    fn exp(&mut self, rate: f64) -> SimDuration {
        secs(-(1.0 - self.rng.random::<f64>()).ln() / rate)
    }

    /// Runs until `end` (continuing from where it stopped).
    fn run(&mut self, sched: &mut Scheduler<Ev>, end: SimTime) {
        if sched.now() == SimTime::ZERO && sched.pending() == 0 {
            self.repl.start(SimTime::ZERO, &mut self.fx);
            let w = self.exp(self.write_rate);
            sched.schedule(w, Ev::Write);
            if self.read_rate > 0.0 {
                let r = self.exp(self.read_rate);
                sched.schedule(r, Ev::Read);
            }
            self.flush(sched);
        }
        sched
            .run_until(self, end)
            .expect("the driver never stalls at one instant");
    }

    fn flush(&mut self, sched: &mut Scheduler<Ev>) {
        for (t, e) in self.fx.schedule.drain(..) {
            sched.schedule_at(t, Ev::Repl(e));
        }
        for c in self.fx.commits.drain(..) {
            if c.result != CommitResult::Failed {
                self.acknowledged.push(c.seq);
            }
        }
        let now = sched.now();
        for token in std::mem::take(&mut self.fx.ready_reads) {
            // A resumed read was issued before any later write of its
            // client: it is checked against the write it waited for.
            let (key, seq) = self.parked[token as usize];
            let r = self.repl.read(now, REPLICA, key, None);
            assert!(
                r.version >= seq,
                "a read waited for {seq} and saw {}",
                r.version
            );
        }
        if !self.fx.schedule.is_empty() {
            self.flush(sched);
        }
    }

    fn read(&mut self, now: SimTime, key: u32, client: u32) {
        match self
            .repl
            .route(now, self.policy, Some(client), key, REPLICA)
        {
            Route::Node(n) => {
                self.repl.read(now, n, key, Some(client));
            }
            Route::AfterApplied { node, seq } => {
                let token = self.parked.len() as u64;
                self.parked.push((key, seq));
                if self.repl.wait_applied(node, seq, token) {
                    self.repl.read(now, node, key, Some(client));
                }
            }
            Route::Unavailable => self.unavailable += 1,
        }
    }

    /// The reference: the version of every key after the writes up to `pos`.
    fn reference(&self, pos: u64, keys: u32) -> Vec<u64> {
        let mut v = vec![0; keys as usize];
        for (i, &(k, _)) in self.log.iter().enumerate().take(pos as usize) {
            v[k as usize] = i as u64 + 1;
        }
        v
    }
}

impl Model for Driver {
    type Event = Ev;
    fn handle(&mut self, sched: &mut Scheduler<Ev>, ev: Ev) {
        let now = sched.now();
        match ev {
            Ev::Repl(e) => self.repl.handle(now, e, &mut self.fx),
            Ev::Write => {
                let key = self.keys.sample(&mut self.rng);
                let client = self.rng.random_range(0..self.clients);
                match self.repl.commit(now, key, Some(client), 0, &mut self.fx) {
                    CommitOutcome::Done { seq } => {
                        self.log.push((key, now));
                        self.acknowledged.push(seq);
                    }
                    CommitOutcome::Waiting { .. } => self.log.push((key, now)),
                    CommitOutcome::Rejected => {}
                }
                if now < self.writes_until {
                    let d = self.exp(self.write_rate);
                    sched.schedule(d, Ev::Write);
                }
            }
            Ev::Read => {
                let key = self.keys.sample(&mut self.rng);
                let client = self.rng.random_range(0..self.clients);
                self.read(now, key, client);
                let d = self.exp(self.read_rate);
                sched.schedule(d, Ev::Read);
            }
        }
        self.flush(sched);
        let (_, applied) = self.repl.positions(REPLICA);
        for s in self.last_applied + 1..=applied {
            let delay = now - self.log[s as usize - 1].1;
            self.visible_delay.push(delay.as_secs_f64());
        }
        self.last_applied = self.last_applied.max(applied);
    }
}

fn one_replica(keys: u32, network: Dist, apply: Dist, workers: u32) -> ReplicationConfig {
    ReplicationConfig {
        keys,
        replicas: vec![ReplicaConfig {
            network,
            apply,
            workers,
            connect_retry: SimDuration::from_secs(60),
            net_timeout: SimDuration::from_secs(60),
        }],
        semi_sync: None,
        ryw_window: SimDuration::ZERO,
        sample_every: SimDuration::from_millis(100),
    }
}

/// One key, Poisson writes at λ, a constant lag L (network L, apply 0):
/// a read on the replica at t is stale iff a write committed in (t−L, t],
/// so the stale share of Poisson reads is 1 − e^(−λL).
#[test]
fn stale_read_share_with_constant_lag_is_one_minus_exp_minus_lambda_l() {
    let (lambda, lag_s) = (2.0, 0.5);
    let cfg = one_replica(1, ms(lag_s * 1e3), ms(0.0), 1);
    let shares: Vec<f64> = (0..20)
        .map(|rep| {
            let mut d = Driver::new(&cfg, rep, lambda, 20.0);
            let mut s = Scheduler::new();
            d.run(&mut s, at(10.0));
            d.repl.reset_stats(s.now());
            d.run(&mut s, at(510.0));
            d.repl.counts().stale_share()
        })
        .collect();
    assert_in_ci("stale share", &shares, 1.0 - (-lambda * lag_s).exp());
}

/// Below the applier's capacity the lag stays bounded: with one worker and
/// exponential apply times the applier is an M/M/1 queue behind a constant
/// network delay L, so commit → visible takes L + 1/(μ − λ) on average.
#[test]
fn below_capacity_visible_delay_is_network_plus_mm1_sojourn() {
    let (lambda, mu, net_s) = (800.0, 1000.0, 0.001);
    let cfg = one_replica(
        1000,
        ms(net_s * 1e3),
        Dist::exponential(1e9 / mu).unwrap(),
        1,
    );
    let means: Vec<f64> = (0..12)
        .map(|rep| {
            let mut d = Driver::new(&cfg, rep, lambda, 0.0);
            let mut s = Scheduler::new();
            d.run(&mut s, at(5.0));
            d.visible_delay = Welford::new();
            d.run(&mut s, at(65.0));
            // Memory: the binlog holds only what the replica has not applied.
            let ((head, _), (_, applied)) = (d.repl.head(), d.repl.positions(REPLICA));
            assert_eq!(d.repl.binlog_retained() as u64, head - applied);
            d.visible_delay.mean()
        })
        .collect();
    assert_in_ci(
        "commit→visible delay (s)",
        &means,
        net_s + 1.0 / (mu - lambda),
    );
}

/// Above capacity (4 workers × μ, constant apply time) the relay-log backlog
/// grows at λ − 4μ events/s and `Seconds_Behind_Source` at 1 − 4μ/λ s/s.
#[test]
fn above_capacity_lag_grows_at_the_rate_difference() {
    let (lambda, mu, workers) = (1200.0, 250.0, 4);
    let capacity = mu * f64::from(workers);
    let cfg = one_replica(100_000, ms(1.0), ms(1e3 / mu), workers);
    let (t1, t2) = (10.0, 40.0);
    let mut backlog_slopes = vec![];
    let mut lag_slopes = vec![];
    for rep in 0..10 {
        let mut d = Driver::new(&cfg, rep, lambda, 0.0);
        let mut s = Scheduler::new();
        d.run(&mut s, at(t1));
        let (r1, a1) = d.repl.positions(REPLICA);
        let l1 = d.repl.seconds_behind_source(s.now(), REPLICA).unwrap();
        d.run(&mut s, at(t2));
        let (r2, a2) = d.repl.positions(REPLICA);
        let l2 = d.repl.seconds_behind_source(s.now(), REPLICA).unwrap();
        backlog_slopes.push(((r2 - a2) as f64 - (r1 - a1) as f64) / (t2 - t1));
        lag_slopes.push((l2.as_secs_f64() - l1.as_secs_f64()) / (t2 - t1));
    }
    assert_in_ci(
        "backlog slope (events/s)",
        &backlog_slopes,
        lambda - capacity,
    );
    assert_in_ci(
        "Seconds_Behind_Source slope (s/s)",
        &lag_slopes,
        1.0 - capacity / lambda,
    );
}

/// Parallel workers with random apply times finish out of order, yet the
/// replica only ever shows a prefix of the commit order: after every event
/// its data equals the reference state at its applied position.
#[test]
fn parallel_workers_preserve_commit_order() {
    let keys = 1000;
    let cfg = one_replica(
        keys,
        Dist::exponential(2e6).unwrap(),
        Dist::exponential(1e6).unwrap(),
        4,
    );
    let mut d = Driver::new(&cfg, 0, 1500.0, 0.0);
    let mut s = Scheduler::new();
    for step in 1..=40 {
        d.run(&mut s, at(f64::from(step) * 0.05));
        let (_, applied) = d.repl.positions(REPLICA);
        let want = d.reference(applied, keys);
        for k in 0..keys {
            assert_eq!(
                d.repl.version_on(REPLICA, k),
                want[k as usize],
                "key {k} at position {applied}"
            );
        }
    }
    // 1500/s is beyond one worker (1000/s) yet the backlog stays small.
    let (r, a) = d.repl.positions(REPLICA);
    assert!(
        d.log.len() > 2500 && r - a < 200,
        "{} writes, backlog {}",
        d.log.len(),
        r - a
    );
}

/// Semi-sync (AFTER_SYNC) with a constant one-way delay L and no fallback:
/// each commit waits exactly 2L, and when the primary dies no acknowledged
/// write is lost, whatever the moment.
#[test]
fn semi_sync_without_fallback_loses_no_acknowledged_write() {
    let mut cfg = one_replica(100, ms(1.0), ms(0.5), 4);
    cfg.semi_sync = Some(SimDuration::from_secs(10));
    for rep in 0..20 {
        let mut d = Driver::new(&cfg, rep, 500.0, 0.0);
        let mut s = Scheduler::new();
        let death = at(2.0 + f64::from(rep) * 0.0137);
        d.run(&mut s, death);
        let wait = d.repl.counts().write_wait.mean();
        assert!(
            (wait - 2e6).abs() < 1.0,
            "mean semi-sync wait {wait} ns, expected 2 ms"
        );
        d.repl.fail_primary(s.now(), false, &mut d.fx);
        d.flush(&mut s);
        let (received, _) = d.repl.positions(REPLICA);
        let report = d.repl.promote(s.now(), REPLICA, &mut d.fx).unwrap();
        assert_eq!(d.repl.semi_sync(), Some((true, 0)), "no fallback");
        assert_eq!(report.lost_acknowledged, 0);
        assert!(d.acknowledged.iter().all(|&seq| seq <= received));
        assert_eq!(report.lost_writes, d.log.len() as u64 - received);
    }
}

/// Asynchronous, two replicas, random network delays: the lost writes are
/// exactly those committed after the promoted replica's received position,
/// the RPO runs from the first of them to the death, and once writes resume
/// and stop every database converges on the reference history.
#[test]
fn failover_loses_exactly_the_writes_after_the_received_position() {
    let keys = 200;
    let mut cfg = one_replica(keys, Dist::exponential(30e6).unwrap(), ms(0.2), 4);
    cfg.replicas.push(ReplicaConfig {
        network: Dist::exponential(5e6).unwrap(),
        apply: ms(0.2),
        workers: 1,
        connect_retry: SimDuration::from_secs(60),
        net_timeout: SimDuration::from_secs(60),
    });
    let mut lost_any = false;
    for rep in 0..10 {
        let mut d = Driver::new(&cfg, rep, 300.0, 0.0);
        let mut s = Scheduler::new();
        d.run(&mut s, at(3.0));
        d.repl.fail_primary(s.now(), false, &mut d.fx);
        d.flush(&mut s);
        // Promote the replica that received less, so the other is cut back.
        let (r1, r2) = (d.repl.positions(NodeId(1)).0, d.repl.positions(NodeId(2)).0);
        let (node, received) = if r1 <= r2 {
            (NodeId(1), r1)
        } else {
            (NodeId(2), r2)
        };
        let head = d.log.len() as u64;
        let died = s.now();
        let report = d.repl.promote(died, node, &mut d.fx).unwrap();
        d.flush(&mut s);
        assert_eq!(report.lost_writes, head - received);
        let rpo = if head > received {
            died - d.log[received as usize].1
        } else {
            SimDuration::ZERO
        };
        assert_eq!(report.rpo, rpo);
        lost_any |= report.lost_writes > 0;
        // History continues on the new primary from its position.
        d.log.truncate(received as usize);
        d.repl.rejoin_as_replica(died, NodeId(0), &mut d.fx);
        d.flush(&mut s);
        d.writes_until = at(4.0);
        d.run(&mut s, at(10.0));
        let (head, _) = d.repl.head();
        assert_eq!(head, d.log.len() as u64);
        let want = d.reference(head, keys);
        for n in 0..3 {
            for k in 0..keys {
                assert_eq!(
                    d.repl.version_on(NodeId(n), k),
                    want[k as usize],
                    "node {n} key {k}"
                );
            }
        }
    }
    assert!(
        lost_any,
        "with 30 ms of network some failover must lose writes"
    );
}

/// Read-your-writes: reading on a lagging replica violates it; waiting for
/// the replica, or reading recent keys on the primary, never does.
#[test]
fn read_your_writes_policies() {
    let mut cfg = one_replica(20, ms(50.0), ms(1.0), 4);
    cfg.ryw_window = SimDuration::from_secs(5);
    let violations = |policy| {
        let mut d = Driver::new(&cfg, 0, 50.0, 200.0);
        d.clients = 5;
        d.policy = policy;
        let mut s = Scheduler::new();
        d.run(&mut s, at(30.0));
        (
            d.repl.counts().ryw_violations,
            d.repl.counts().reads,
            d.unavailable,
        )
    };
    let (local, reads, _) = violations(ReadRouting::Local);
    assert!(
        local > 0 && reads > 5000,
        "{local} violations in {reads} reads"
    );
    for recent in [RecentWrite::Primary, RecentWrite::WaitForReplica] {
        let policy = ReadRouting::ReadYourWrites {
            otherwise: Otherwise::Local,
            recent,
        };
        let (v, reads, unavailable) = violations(policy);
        assert_eq!((v, unavailable), (0, 0), "{recent:?} over {reads} reads");
    }
    assert_eq!(violations(ReadRouting::PrimaryOnly).0, 0);
}

/// The same seed gives the same measures; another seed does not.
#[test]
fn deterministic_per_seed() {
    let mut cfg = one_replica(
        1000,
        Dist::exponential(2e6).unwrap(),
        Dist::exponential(1e6).unwrap(),
        4,
    );
    cfg.semi_sync = Some(SimDuration::from_millis(5));
    let run = |rep| {
        let mut d = Driver::new(&cfg, rep, 2000.0, 500.0);
        let mut s = Scheduler::new();
        d.run(&mut s, at(5.0));
        let c = d.repl.counts();
        let (sbs, stale) = d.repl.lag(s.now(), REPLICA);
        format!(
            "{} {} {} {} {:?} {:?} {:?}",
            c.reads,
            c.stale_reads,
            c.commits,
            c.staleness.mean(),
            sbs,
            stale,
            d.repl.semi_sync()
        )
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}
