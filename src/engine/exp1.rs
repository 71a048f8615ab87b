//! Standard exponential draws: exactly the numbers `rand_distr::Exp1` gives
//! from the same generator state, with its common case inline.
//!
//! `Exp1` uses the ziggurat method (Marsaglia & Tsang, 2000): one 64-bit
//! word gives a layer `i` (its low 8 bits) and a uniform `u` in (0, 1) (its
//! top 52 bits); the draw `u · x[i]` is accepted at once when it is below
//! the next layer's edge `x[i+1]` — about 98% of draws. That test needs only
//! the layer edges, which `rand_distr` keeps private, so they are read back
//! from it once, exactly: given the word `i` (so `u` = 2⁻⁵³), `Exp1` returns
//! `x[i] · 2⁻⁵³`, a power-of-two scaling with no rounding.
//!
//! The inline path works on a copy of the generator and keeps the copy only
//! when the draw is accepted; otherwise `Exp1` itself draws from the
//! untouched generator, repeating the same first steps. So every draw, and
//! the generator's state after it, is the library's: the tests compare the
//! two over millions of draws. The library's draw is a call that saves and
//! restores registers around the ziggurat; inline, the common case is a
//! handful of instructions in the caller (model C: 5 draws per request).

use super::rng::Rng;
use rand::{Rng as _, RngExt as _, TryRng};
use rand_distr::Exp1;
use std::convert::Infallible;
use std::sync::LazyLock;

/// Layers whose draws are taken inline: `i` < `INLINE_LAYERS` needs the
/// edges `x[0..=INLINE_LAYERS]`. The last two layers (and the tail beyond
/// layer 0) go to the library.
const INLINE_LAYERS: usize = 254;

/// `x[0..=INLINE_LAYERS]`, read back from `rand_distr`; `None` if the
/// reading did not look like its ziggurat (then every draw is the
/// library's — slower, never different).
static EDGES: LazyLock<Option<[f64; INLINE_LAYERS + 1]>> = LazyLock::new(read_edges);

/// A generator that returns `first` once, then a scrambled counter (so that
/// a rejection loop could never spin on one value), counting its calls.
struct Word {
    first: u64,
    calls: u64,
}

impl TryRng for Word {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.calls += 1;
        Ok(if self.calls == 1 {
            self.first
        } else {
            super::rng::mix64(self.calls)
        })
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let w = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// Reads `x[i]` for every inline layer from `Exp1`; `None` unless each
/// read took one word and the edges decrease from a positive start.
fn read_edges() -> Option<[f64; INLINE_LAYERS + 1]> {
    let mut x = [0.0; INLINE_LAYERS + 1];
    for (i, edge) in x.iter_mut().enumerate() {
        let mut word = Word {
            first: i as u64,
            calls: 0,
        };
        let draw: f64 = word.sample(Exp1);
        *edge = draw * 2f64.powi(53);
        if word.calls != 1 || !edge.is_finite() || *edge <= 0.0 {
            return None;
        }
    }
    x.windows(2).all(|w| w[0] > w[1]).then_some(x)
}

/// The exponent bits of 1.0: a 52-bit fraction under them is in [1, 2).
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;

/// One Exp(1) draw: `rng.sample(Exp1)`, the common case inline.
#[inline(always)]
pub fn exp1(rng: &mut Rng) -> f64 {
    if let Some(x) = EDGES.as_ref() {
        let mut trial = rng.clone();
        let bits = trial.next_u64();
        let i = (bits & 0xff) as usize;
        if i < INLINE_LAYERS {
            let u = f64::from_bits(bits >> 12 | ONE_BITS) - (1.0 - f64::EPSILON / 2.0);
            let v = u * x[i];
            if v < x[i + 1] {
                *rng = trial;
                return v;
            }
        }
    }
    library(rng)
}

/// The library's draw, from the generator as it was.
#[inline(never)]
fn library(rng: &mut Rng) -> f64 {
    rng.sample(Exp1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_edges_are_read_back() {
        let x = EDGES.as_ref().expect("the inline path is on");
        // The exponential ziggurat's widest layer ends at v / f(r) ≈ 8.697
        // (Marsaglia & Tsang's 256-layer table).
        assert!((x[0] - 8.697).abs() < 1e-3, "x[0] = {}", x[0]);
    }

    /// Differential: the same draws and the same generator state as
    /// `rand_distr::Exp1`, over enough draws to cross every slow path
    /// (layer 0's tail, the wedges, the last layers) many times.
    #[test]
    fn every_draw_and_state_equal_the_library() {
        for seed in 0..4 {
            let mut fast = Rng::seed_from_u64(seed);
            let mut lib = fast.clone();
            for _ in 0..1_000_000 {
                let a = exp1(&mut fast);
                let b: f64 = lib.sample(Exp1);
                assert_eq!(a.to_bits(), b.to_bits());
            }
            assert_eq!(fast.next_u64(), lib.next_u64(), "same state after");
        }
    }
}
