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
///
/// O(m log m + m log n) for `m` prices left out of a group of `n`: a quote of 15,000 identical
/// lines leaves out 15,000 equal prices, and counting each one's earlier equals and stepping over
/// every position taken out per rank made this cubic (minutes for one quote page).
pub fn upper_fence_without(sorted: &[Yen], left_out: &[Yen], k: Decimal, min_peers: usize) -> Option<Fence> {
    debug_assert!(sorted.is_sorted());
    let gone = positions_taken_out(sorted, left_out);
    let n = sorted.len() - gone.len();
    if n < min_peers.max(1) {
        return None;
    }
    // The i-th of what remains is at i + (how many positions taken out come before it). The
    // positions are ascending and distinct, so `gone[j] - j` (what remains before the j-th
    // taken out) never decreases: those with `gone[j] - j <= i` are exactly the ones before it.
    let before: Vec<usize> = gone.iter().enumerate().map(|(j, g)| g - j).collect();
    let at = |i: usize| sorted[i + before.partition_point(|&b| b <= i)].amount();
    let q1 = quantile(n, at, Decimal::new(25, 2));
    let q3 = quantile(n, at, Decimal::new(75, 2));
    let iqr = q3 - q1;
    if iqr.is_zero() {
        return None;
    }
    Some(Fence { peers: n, q1: Yen::new(q1), q3: Yen::new(q3), upper: Yen::new(q3 + k * iqr) })
}

/// The positions of `sorted` that `left_out` takes, ascending: each run of `c` equal prices left
/// out takes the first `c` occurrences of that price (fewer when there are fewer); a price that is
/// not there takes nothing.
fn positions_taken_out(sorted: &[Yen], left_out: &[Yen]) -> Vec<usize> {
    let mut wanted = left_out.to_vec();
    wanted.sort_unstable();
    let mut gone = Vec::with_capacity(wanted.len());
    for run in wanted.chunk_by(|a, b| a == b) {
        let w = run[0];
        let first = sorted.partition_point(|p| *p < w);
        let there = sorted[first..].partition_point(|p| *p == w);
        gone.extend(first..first + run.len().min(there));
    }
    gone
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

    /// The fence computed the slow, obvious way: remove one occurrence of each price left out
    /// from a copy, sort it, and read the type-7 quartiles off it.
    fn naive_fence(prices: &[Yen], left_out: &[Yen], k: Decimal, min_peers: usize) -> Option<Fence> {
        let mut rest = prices.to_vec();
        for w in left_out {
            if let Some(i) = rest.iter().position(|p| p == w) {
                rest.remove(i);
            }
        }
        rest.sort();
        let n = rest.len();
        if n < min_peers.max(1) {
            return None;
        }
        let quartile = |p: Decimal| {
            let h = p * Decimal::from(n - 1);
            let lo = h.floor().to_usize().expect("a rank");
            let hi = (lo + 1).min(n - 1);
            rest[lo].amount() + (rest[hi].amount() - rest[lo].amount()) * (h - h.floor())
        };
        let (q1, q3) = (quartile(Decimal::new(25, 2)), quartile(Decimal::new(75, 2)));
        (q3 != q1).then(|| Fence { peers: n, q1: Yen::new(q1), q3: Yen::new(q3), upper: Yen::new(q3 + k * (q3 - q1)) })
    }

    proptest::proptest! {
        /// Many equal prices on both sides — a quote of identical lines among identical peers,
        /// prices left out more often than the group holds them, or not at all — give the fence
        /// of the obvious computation.
        #[test]
        fn the_fence_without_some_prices_is_the_naive_one_even_with_many_equal_prices(
            prices in proptest::collection::vec(0i64..6, 0..200),
            left_out in proptest::collection::vec(0i64..8, 0..200),
            min_peers in 1usize..10,
            k in 0i64..40,
        ) {
            let prices = yen(&prices);
            let left_out = yen(&left_out);
            let mut sorted = prices.clone();
            sorted.sort();
            let k = Decimal::new(k, 1);
            proptest::prop_assert_eq!(
                upper_fence_without(&sorted, &left_out, k, min_peers),
                naive_fence(&prices, &left_out, k, min_peers)
            );
        }
    }

    #[test]
    fn a_quote_of_many_identical_lines_is_left_out_of_its_group_at_once() {
        // 15,000 identical routers of one confirmed quote among 30,000 peers at two prices: each
        // line's fence leaves all 15,000 out. (Cubic before: this test did not finish.)
        let own = vec![Yen::from_i64(20_000); 15_000];
        let mut group = own.clone();
        group.extend(vec![Yen::from_i64(10_000); 10_000]);
        group.extend(vec![Yen::from_i64(30_000); 5_000]);
        group.sort();
        let f = upper_fence_without(&group, &own, Decimal::new(15, 1), 8).expect("a fence");
        // Left: 10,000 × 10,000円 then 5,000 × 30,000円. Q1 at rank 3,749.75 → 10,000; Q3 at
        // rank 11,249.25 → 30,000.
        assert_eq!(
            (f.peers, f.q1, f.q3, f.upper),
            (15_000, Yen::from_i64(10_000), Yen::from_i64(30_000), Yen::from_i64(60_000))
        );
    }

    #[test]
    fn too_few_peers_or_no_spread_gives_no_fence() {
        assert!(upper_fence(&yen(&[1, 2, 3]), Decimal::new(15, 1), 8).is_none());
        assert!(upper_fence(&yen(&[5000; 10]), Decimal::new(15, 1), 8).is_none());
    }
}
