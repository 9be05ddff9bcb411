//! Tukey's fence over peer prices, as Open Contracting's cardinal-rs flags procurement outliers.

use crate::Yen;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// The upper fence of a peer group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fence {
    /// Number of peer prices.
    pub peers: usize,
    /// First quartile.
    pub q1: Yen,
    /// Third quartile.
    pub q3: Yen,
    /// Q3 + k × (Q3 − Q1).
    pub upper: Yen,
}

/// The quantile by linear interpolation between closest ranks (Hyndman & Fan type 7,
/// the default of R and numpy) of `n` sorted values, the `i`-th read by `at`; `n` > 0.
fn quantile(n: usize, at: impl Fn(usize) -> Decimal, p: Decimal) -> Decimal {
    if n == 1 {
        return at(0);
    }
    let h = p * Decimal::from(n - 1);
    let lower = h.floor();
    let frac = h - lower;
    let i = lower.to_usize().unwrap_or(0).min(n - 1);
    let here = at(i);
    let next = if i + 1 < n { at(i + 1) } else { here };
    here + (next - here) * frac
}

/// The upper fence, or None when there are fewer than `min_peers` prices or
/// the spread is zero (every peer the same: no meaningful outlier).
pub fn upper_fence(prices: &[Yen], k: Decimal, min_peers: usize) -> Option<Fence> {
    let mut sorted = prices.to_vec();
    sorted.sort();
    upper_fence_without(&sorted, &[], k, min_peers)
}

/// [`upper_fence`] of `sorted` (ascending) with the prices of `left_out` taken out, one
/// occurrence each (a stored quote is not its own peer), without copying `sorted`: a vendor's
/// record audits every quote against the same national peer group.
pub fn upper_fence_without(sorted: &[Yen], left_out: &[Yen], k: Decimal, min_peers: usize) -> Option<Fence> {
    debug_assert!(sorted.is_sorted());
    // The positions taken out, ascending: each price left out takes the next of its
    // occurrences in `sorted` not yet taken; a price that is not there takes nothing.
    let mut wanted = left_out.to_vec();
    wanted.sort();
    let mut gone: Vec<usize> = Vec::with_capacity(wanted.len());
    for (i, w) in wanted.iter().enumerate() {
        let taken_before = wanted[..i].iter().rev().take_while(|x| *x == w).count();
        let at = sorted.partition_point(|p| p < w) + taken_before;
        if sorted.get(at) == Some(w) {
            gone.push(at);
        }
    }
    let n = sorted.len() - gone.len();
    if n < min_peers.max(1) {
        return None;
    }
    // The i-th of what remains: step over each position taken out at or before it. A quote
    // leaves out a handful of prices from groups of up to a million (a binary search over
    // ranks per quartile cost the national vendor league most of its 40 s).
    let at = |i: usize| {
        let mut j = i;
        for &g in &gone {
            if g > j {
                break;
            }
            j += 1;
        }
        sorted[j].amount()
    };
    let q1 = quantile(n, at, Decimal::new(25, 2));
    let q3 = quantile(n, at, Decimal::new(75, 2));
    let iqr = q3 - q1;
    if iqr.is_zero() {
        return None;
    }
    Some(Fence { peers: n, q1: Yen::new(q1), q3: Yen::new(q3), upper: Yen::new(q3 + k * iqr) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yen(v: &[i64]) -> Vec<Yen> {
        v.iter().map(|n| Yen::from_i64(*n)).collect()
    }

    #[test]
    fn the_fence_is_q3_plus_one_and_a_half_iqr() {
        // Type-7 quartiles of 1..=8 ×1000: Q1 = 2750, Q3 = 6250, IQR = 3500, fence = 11500.
        let f = upper_fence(&yen(&[1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]), Decimal::new(15, 1), 8).unwrap();
        assert_eq!((f.q1, f.q3, f.upper), (Yen::from_i64(2750), Yen::from_i64(6250), Yen::from_i64(11_500)));
    }

    proptest::proptest! {
        /// Taking prices out of the sorted group gives the fence of the group without them.
        #[test]
        fn leaving_prices_out_is_the_fence_of_the_rest(
            prices in proptest::collection::vec(0i64..40, 0..60),
            picks in proptest::collection::vec(0usize..100, 0..12),
            strangers in proptest::collection::vec(40i64..50, 0..3),
            min_peers in 1usize..10,
        ) {
            let prices = yen(&prices);
            let mut rest = prices.clone();
            let mut left_out = yen(&strangers);
            for p in picks {
                if !rest.is_empty() {
                    left_out.push(rest.remove(p % rest.len()));
                }
            }
            let mut sorted = prices.clone();
            sorted.sort();
            let k = Decimal::new(15, 1);
            proptest::prop_assert_eq!(upper_fence_without(&sorted, &left_out, k, min_peers), upper_fence(&rest, k, min_peers));
        }
    }

    #[test]
    fn too_few_peers_or_no_spread_gives_no_fence() {
        assert!(upper_fence(&yen(&[1, 2, 3]), Decimal::new(15, 1), 8).is_none());
        assert!(upper_fence(&yen(&[5000; 10]), Decimal::new(15, 1), 8).is_none());
    }
}
