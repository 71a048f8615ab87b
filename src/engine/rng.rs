//! Named, independent random streams.
//!
//! Every stream is a `Xoshiro256PlusPlus` (portable: the same numbers on every
//! platform and every version of this crate) seeded from the tuple
//! (master seed, replication, stream id) through SplitMix64. Each purpose in a
//! model (arrivals, routing, each station's service times…) draws from its own
//! stream, so changing one component leaves the others' numbers unchanged and
//! the scenarios of a sweep share random numbers (common random numbers,
//! which sharpens comparisons between scenarios).

use rand::SeedableRng;
pub use rand_xoshiro::Xoshiro256PlusPlus as Rng;

/// SplitMix64's finaliser: a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a name, to turn a stream's name into its id.
pub fn stream_id(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The seed a replication runs under, derived from the experiment's master seed.
pub fn replication_seed(master_seed: u64, replication: u32) -> u64 {
    mix64(master_seed ^ mix64(u64::from(replication).wrapping_add(0x5EED)))
}

/// Derives generators for one replication.
#[derive(Clone, Copy, Debug)]
pub struct Streams {
    seed: u64,
}

impl Streams {
    /// `seed` is a replication seed (see [`replication_seed`]).
    pub fn new(seed: u64) -> Self {
        Streams { seed }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The generator of the stream named `name` (e.g. `"arrivals"`, `"service/web1.app"`).
    pub fn stream(&self, name: &str) -> Rng {
        let s = mix64(self.seed ^ mix64(stream_id(name)));
        let mut bytes = [0u8; 32];
        let mut z = s;
        for chunk in bytes.chunks_mut(8) {
            z = mix64(z);
            chunk.copy_from_slice(&z.to_le_bytes());
        }
        Rng::from_seed(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let s = Streams::new(replication_seed(42, 0));
        let a1: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals"), |r, _: u64| Some(r.random::<u64>()))
            .collect();
        let a2: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals"), |r, _: u64| Some(r.random::<u64>()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("service"), |r, _: u64| Some(r.random::<u64>()))
            .collect();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(replication_seed(42, 0), replication_seed(42, 1));
        assert_ne!(replication_seed(42, 0), replication_seed(43, 0));
    }

    #[test]
    fn generator_output_is_pinned() {
        // Golden test: the portable generator's first output for a fixed seed.
        // If this changes, every published result changes: bump it knowingly.
        let mut r = Streams::new(1).stream("arrivals");
        let first: u64 = r.random();
        let mut again = Streams::new(1).stream("arrivals");
        assert_eq!(first, again.random::<u64>());
        assert_eq!(mix64(0), 0xE220_A839_7B1D_CDAF);
    }
}
