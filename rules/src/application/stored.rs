//! A stored package read back as every page, document and export shows it: one prepared before
//! the 自己負担 was kept in its three parts gets them from its own figures, and its 備考 stop
//! calling "eligible cost − subsidy" 自己負担, so that old and new applications read the same.

use super::{Package, burden_note};
use crate::Yen;

/// The three parts of a 自己負担 ([`crate::settlement`]): they add up to it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BurdenParts {
    /// (a) costs the subsidy does not cover.
    pub not_covered: Yen,
    /// (b) eligible cost above the cap.
    pub above_cap: Yen,
    /// (c) the part of the eligible cost within the cap the rate leaves.
    pub rate_share: Yen,
}

impl BurdenParts {
    /// The parts from a package's own figures: (a) 総事業費 − 補助対象経費, (b) the eligible
    /// cost above the cap, (c) what is left of the 自己負担.
    pub fn derived(total: Yen, eligible: Yen, cap: Yen, self_burden: Yen) -> BurdenParts {
        let not_covered = total - eligible;
        let above_cap = eligible - eligible.min(cap);
        BurdenParts { not_covered, above_cap, rate_share: self_burden - not_covered - above_cap }
    }

    /// The parts kept with a package when they add up to its 自己負担 (every package prepared
    /// since they are kept), else the parts derived from its figures (earlier packages, which
    /// read back with all three at 0).
    pub fn kept_or_derived(kept: BurdenParts, total: Yen, eligible: Yen, cap: Yen, self_burden: Yen) -> BurdenParts {
        if kept.sum() == self_burden { kept } else { BurdenParts::derived(total, eligible, cap, self_burden) }
    }

    /// (a) + (b) + (c).
    pub fn sum(self) -> Yen {
        self.not_covered + self.above_cap + self.rate_share
    }
}

/// The calculation step earlier packages ended their 備考 with: 「補助額: X、自己負担: Y」, where Y
/// was the eligible cost minus the subsidy.
const OLD_STEP_HEAD: &str = "補助額: ";
const OLD_STEP_BURDEN: &str = "、自己負担: ";

impl Package {
    /// The parts of the 自己負担, kept or derived ([`BurdenParts::kept_or_derived`]).
    pub fn burden_parts(&self) -> BurdenParts {
        let kept =
            BurdenParts { not_covered: self.not_covered, above_cap: self.above_cap, rate_share: self.rate_share };
        BurdenParts::kept_or_derived(kept, self.total_cost, self.eligible_cost, self.cap, self.self_burden)
    }

    /// The package as it is shown: the parts of the 自己負担 filled in, and in the 備考 of an
    /// earlier package the old step renamed as the calculation now words it (「補助対象経費 …
    /// のうち補助されない額」) and followed by the 自己負担 with its parts. A package prepared
    /// since is returned unchanged.
    pub fn as_shown(mut self) -> Package {
        let parts = self.burden_parts();
        (self.not_covered, self.above_cap, self.rate_share) = (parts.not_covered, parts.above_cap, parts.rate_share);
        let old_step = self.notes.iter().position(|n| n.starts_with(OLD_STEP_HEAD) && n.contains(OLD_STEP_BURDEN));
        if let Some(at) = old_step
            && let Some((subsidy, left)) =
                self.notes[at].strip_prefix(OLD_STEP_HEAD).and_then(|r| r.split_once(OLD_STEP_BURDEN))
        {
            self.notes[at] =
                format!("補助額: {subsidy}（補助対象経費 {} のうち補助されない額: {left}）", self.eligible_cost);
        }
        if !self.notes.iter().any(|n| n.starts_with("自己負担 ")) {
            let note = burden_note(self.self_burden, parts, self.total_cost, self.subsidy);
            // Where a package prepared today has it: after the calculation, before the last remark.
            let at = old_step.map_or(self.notes.len().saturating_sub(1), |i| i + 1);
            self.notes.insert(at.min(self.notes.len()), note);
        }
        self
    }
}
