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
/// the default of R and numpy). `sorted` must be sorted and non-empty.
fn quantile(sorted: &[Decimal], p: Decimal) -> Decimal {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = p * Decimal::from(n - 1);
    let lower = h.floor();
    let frac = h - lower;
    let i = lower.to_usize().unwrap_or(0).min(n - 1);
    let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
    sorted[i] + (next - sorted[i]) * frac
}

/// The upper fence, or None when there are fewer than `min_peers` prices or
/// the spread is zero (every peer the same: no meaningful outlier).
pub fn upper_fence(prices: &[Yen], k: Decimal, min_peers: usize) -> Option<Fence> {
    if prices.len() < min_peers.max(1) {
        return None;
    }
    let mut sorted: Vec<Decimal> = prices.iter().map(|p| p.amount()).collect();
    sorted.sort();
    let q1 = quantile(&sorted, Decimal::new(25, 2));
    let q3 = quantile(&sorted, Decimal::new(75, 2));
    let iqr = q3 - q1;
    if iqr.is_zero() {
        return None;
    }
    Some(Fence { peers: prices.len(), q1: Yen::new(q1), q3: Yen::new(q3), upper: Yen::new(q3 + k * iqr) })
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

    #[test]
    fn too_few_peers_or_no_spread_gives_no_fence() {
        assert!(upper_fence(&yen(&[1, 2, 3]), Decimal::new(15, 1), 8).is_none());
        assert!(upper_fence(&yen(&[5000; 10]), Decimal::new(15, 1), 8).is_none());
    }
}
