//! The analytic figure: the exact steady-state probability that the
//! structure function holds, for independent components, by enumerating
//! all 2ⁿ up/down states (component i up with probability
//! Aᵢ = MTBF/(MTBF + detection + MTTR)). VRRP takeovers count as instant,
//! and so does an automatic database failover (writes go to any database
//! of the set that is up); a manual one is not counted (writes wait for
//! the first primary), its delay being of the order of a repair.

use super::structure::Structure;
use crate::engine::SimDuration;

/// The most failing components enumerated (2²⁰ states).
pub const MAX_ENUMERATED: usize = 20;

#[derive(Clone, Debug, PartialEq)]
pub struct Exact {
    /// P(site down), summed over the down states (precise when tiny).
    pub unavailability: f64,
    /// Per component: P(component down | site down); NaN if the site is never down.
    pub down_share: Vec<f64>,
}

/// Component `i`'s steady-state unavailability (detection + MTTR)/(MTBF + detection + MTTR).
pub fn component_unavailability(s: &Structure, i: usize, detection: SimDuration) -> f64 {
    let c = &s.components[i];
    let down = detection.0 as f64 + c.mttr.0 as f64;
    down / (c.mtbf.0 as f64 + down)
}

/// `None` when there are more than [`MAX_ENUMERATED`] failing components.
pub fn enumerate(s: &Structure, detection: SimDuration) -> Option<Exact> {
    let n = s.components.len();
    if n > MAX_ENUMERATED {
        return None;
    }
    let u: Vec<f64> = (0..n)
        .map(|i| component_unavailability(s, i, detection))
        .collect();
    let mut down = 0.0;
    let mut joint = vec![0.0; n];
    for mask in 0u64..(1u64 << n) {
        if s.site_up(mask, super::structure::Primaries::Instant, |_| true) {
            continue;
        }
        let p: f64 = (0..n)
            .map(|i| {
                if (mask >> i) & 1 == 1 {
                    1.0 - u[i]
                } else {
                    u[i]
                }
            })
            .product();
        down += p;
        for (i, j) in joint.iter_mut().enumerate() {
            if (mask >> i) & 1 == 0 {
                *j += p;
            }
        }
    }
    Some(Exact {
        unavailability: down,
        down_share: joint
            .iter()
            .map(|j| if down > 0.0 { j / down } else { f64::NAN })
            .collect(),
    })
}
