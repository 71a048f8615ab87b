//! One replication: every failing component as an alternating renewal
//! process, event by event (the next transition of each component, each
//! pending VRRP takeover and each pending database failover; the earliest
//! one is found by a linear scan, as a model has a handful of components),
//! with the site's state re-evaluated after each event.
//!
//! A replication set's primary that stops answering starts its failover:
//! after the policy's mean delay the first database of the set that
//! answers is promoted (if none does, the first one to come back is); if
//! the primary answers again first, nothing changes. The promoted replica
//! stays primary; the old one rejoins as a replica.

use super::structure::{Primaries, Structure};
use crate::engine::SimDuration;
use crate::engine::rng::{Streams, replication_seed};

/// What one replication measured, in integer nanoseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepResult {
    pub horizon_ns: u64,
    /// Time the site was down.
    pub site_down_ns: u64,
    /// Per component: failures that started within the horizon.
    pub failures: Vec<u64>,
    /// Per component: time it was down while the site was down.
    pub overlap_ns: Vec<u64>,
}

/// The random stream of a component: by kind and name, so that a
/// component keeps its failure history across scenarios that add others.
pub fn stream_name(s: &Structure, i: usize) -> String {
    let c = &s.components[i];
    format!("availability/{}/{}", c.part.kind(), c.name)
}

/// Simulates `horizon_ns` of component failures and repairs, all up at 0.
pub fn replicate(
    s: &Structure,
    detection: SimDuration,
    horizon_ns: u64,
    seed: u64,
    replication: u32,
) -> RepResult {
    let streams = Streams::new(replication_seed(seed, replication));
    let n = s.components.len();
    let mut rngs: Vec<_> = (0..n).map(|i| streams.stream(&stream_name(s, i))).collect();
    let draw = |rng: &mut crate::engine::rng::Rng, mean: SimDuration| -> u64 {
        crate::dist::exponential_ns(rng, mean.0 as f64).round() as u64
    };
    let mut up: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut next: Vec<u64> = (0..n)
        .map(|i| draw(&mut rngs[i], s.components[i].mtbf))
        .collect();
    // Per balancer: when its backup holds the address (while it is down).
    let mut takeover_at: Vec<Option<u64>> = vec![None; s.vrrp.len()];
    // Which balancer a component is, for the VRRP bookkeeping.
    let master_of: Vec<Option<usize>> = (0..n)
        .map(|i| match s.components[i].part {
            super::structure::Part::Balancer(b) if s.vrrp[b].is_some() => Some(b),
            _ => None,
        })
        .collect();
    // Per replication set: its primary (a database), and when the running
    // failover promotes (`Some(t)`; a past time once due with no replica up).
    let mut primary: Vec<usize> = s.sets.iter().map(|r| r.members[0]).collect();
    let mut promote_at: Vec<Option<u64>> = vec![None; s.sets.len()];
    let mut res = RepResult {
        horizon_ns,
        site_down_ns: 0,
        failures: vec![0; n],
        overlap_ns: vec![0; n],
    };
    let mut t: u64 = 0;
    let mut site = true;
    loop {
        let mut te = horizon_ns;
        let mut which = None;
        for (i, &x) in next.iter().enumerate() {
            if x < te {
                te = x;
                which = Some(i);
            }
        }
        for x in takeover_at.iter().flatten() {
            if *x > t && *x < te {
                te = *x;
                which = None;
            }
        }
        for x in promote_at.iter().flatten() {
            if *x > t && *x < te {
                te = *x;
                which = None;
            }
        }
        if !site {
            let dt = te - t;
            res.site_down_ns += dt;
            for (i, o) in res.overlap_ns.iter_mut().enumerate() {
                if (up >> i) & 1 == 0 {
                    *o += dt;
                }
            }
        }
        t = te;
        if t >= horizon_ns {
            break;
        }
        if let Some(i) = which {
            let c = &s.components[i];
            if (up >> i) & 1 == 1 {
                up &= !(1u64 << i);
                res.failures[i] += 1;
                next[i] = t
                    .saturating_add(detection.0)
                    .saturating_add(draw(&mut rngs[i], c.mttr));
                if let Some(b) = master_of[i] {
                    let gap = s.vrrp[b].map_or(0, |(_, g)| g.0);
                    takeover_at[b] = Some(t.saturating_add(gap));
                }
            } else {
                up |= 1u64 << i;
                next[i] = t.saturating_add(draw(&mut rngs[i], c.mtbf));
                if let Some(b) = master_of[i] {
                    takeover_at[b] = None;
                }
            }
        }
        for (k, set) in s.sets.iter().enumerate() {
            let Some(delay) = set.failover else { continue };
            if s.db_up(up, primary[k]) {
                promote_at[k] = None;
                continue;
            }
            let due = match promote_at[k] {
                None => {
                    promote_at[k] = Some(t.saturating_add(delay.0));
                    delay.is_zero()
                }
                Some(x) => x <= t,
            };
            if due {
                match set.members.iter().find(|&&d| s.db_up(up, d)) {
                    Some(&d) => {
                        primary[k] = d;
                        promote_at[k] = None;
                    }
                    None => promote_at[k] = Some(t),
                }
            }
        }
        site = s.site_up(up, Primaries::Current(&primary), |b| {
            takeover_at[b].is_some_and(|x| x <= t)
        });
    }
    res
}
