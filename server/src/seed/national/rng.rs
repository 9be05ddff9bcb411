//! A small, fixed random number generator (SplitMix64), so the same `--seed` gives the same rows on every machine and version.
//!
//! Why not `rand::rngs::StdRng`: rand documents that StdRng's algorithm (and
//! its range sampling) may change between releases; a seeded data set should
//! not. SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014) is ten lines, passes BigCrush, and makes one
//! independent stream per facility from (seed, index) cheaply, so a facility's
//! data does not depend on the batch it falls in.

/// The golden-ratio increment of SplitMix64 (and of the Weyl sequence in `plan`).
pub(super) const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// One stream of pseudo-random numbers.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

/// The SplitMix64 output function: a bijective mix of 64 bits.
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream of a whole run (`--seed`), distinct from every facility's stream.
    pub(super) fn new(seed: u64) -> Self {
        Rng(mix(seed ^ 0x6F6E_7368_695F_7275)) // "onshi_ru"
    }

    /// The stream of the facility at `index` (0-based, in creation order).
    pub(super) fn for_facility(seed: u64, index: u64) -> Self {
        Rng(mix(seed.wrapping_add(mix(index.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA)))))
    }

    /// The next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0), by Lemire's multiply-shift; its
    /// bias (below n / 2^64) does not matter for synthetic data.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi` (`lo` when `hi < lo`).
    pub(super) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.wrapping_add_unsigned(self.below(span))
    }

    /// True with probability `per_mille` / 1000.
    pub(super) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// An index in `0..len`; `len` must not be 0.
    pub(super) fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// One element of a non-empty slice.
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index chosen with the given non-negative weights (the first one when all are 0).
    pub(super) fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::for_facility(7, 42);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::for_facility(7, 42);
        assert_eq!(a, (0..5).map(|_| r.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::for_facility(7, 42).next_u64(), Rng::for_facility(7, 43).next_u64());
        assert_ne!(Rng::for_facility(7, 42).next_u64(), Rng::for_facility(8, 42).next_u64());
    }

    #[test]
    fn the_first_output_of_seed_zero_is_splitmix64s() {
        // Reference value of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut r = Rng(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn ranges_stay_within_their_bounds() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            let x = r.between(-3, 5);
            assert!((-3..=5).contains(&x));
            assert!(r.below(7) < 7);
        }
        assert_eq!(r.between(4, 4), 4);
        assert_eq!(r.weighted(&[0, 0, 5]), 2);
    }
}
