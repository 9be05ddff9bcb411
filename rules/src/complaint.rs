//! Complaints (相談・不適切対応事例): kinds, statuses and who moves them (domain.md, seeds/001).
//!
//! A facility files; its association reviews and forwards to MHLW; MHLW meets
//! the vendor and records the outcome. Facilities may also go to MHLW directly.

use crate::Role;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// What the complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    /// 高額見積もり.
    HighQuote,
    /// 対応遅延.
    Delay,
    /// 不適切な説明.
    MisleadingExplanation,
    /// 機種変更.
    ModelChange,
    /// その他.
    Other,
}

impl ComplaintKind {
    /// Every kind.
    pub const ALL: [ComplaintKind; 5] = [
        ComplaintKind::HighQuote,
        ComplaintKind::Delay,
        ComplaintKind::MisleadingExplanation,
        ComplaintKind::ModelChange,
        ComplaintKind::Other,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintKind::HighQuote => "high_quote",
            ComplaintKind::Delay => "delay",
            ComplaintKind::MisleadingExplanation => "misleading_explanation",
            ComplaintKind::ModelChange => "model_change",
            ComplaintKind::Other => "other",
        }
    }

    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            ComplaintKind::HighQuote => "高額見積もり",
            ComplaintKind::Delay => "対応遅延",
            ComplaintKind::MisleadingExplanation => "不適切な説明",
            ComplaintKind::ModelChange => "機種変更",
            ComplaintKind::Other => "その他",
        }
    }
}

impl FromStr for ComplaintKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ComplaintKind::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| "相談の種類を選んでください".to_owned())
    }
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// 提出済み (at the association).
    Submitted,
    /// 医師会等で確認中.
    UnderReview,
    /// 厚生労働省へ送付済み.
    Forwarded,
    /// 厚生労働省がベンダーに確認済み.
    VendorContacted,
    /// 解決.
    Resolved,
    /// 問題なしと判断.
    NotUpheld,
    /// 取り下げ.
    Withdrawn,
}

impl ComplaintStatus {
    /// Every status.
    pub const ALL: [ComplaintStatus; 7] = [
        ComplaintStatus::Submitted,
        ComplaintStatus::UnderReview,
        ComplaintStatus::Forwarded,
        ComplaintStatus::VendorContacted,
        ComplaintStatus::Resolved,
        ComplaintStatus::NotUpheld,
        ComplaintStatus::Withdrawn,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintStatus::Submitted => "submitted",
            ComplaintStatus::UnderReview => "under_review",
            ComplaintStatus::Forwarded => "forwarded",
            ComplaintStatus::VendorContacted => "vendor_contacted",
            ComplaintStatus::Resolved => "resolved",
            ComplaintStatus::NotUpheld => "not_upheld",
            ComplaintStatus::Withdrawn => "withdrawn",
        }
    }

    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            ComplaintStatus::Submitted => "提出済み（医師会等の確認待ち）",
            ComplaintStatus::UnderReview => "医師会等で確認中",
            ComplaintStatus::Forwarded => "厚生労働省へ送付済み",
            ComplaintStatus::VendorContacted => "厚生労働省がベンダーに確認",
            ComplaintStatus::Resolved => "解決",
            ComplaintStatus::NotUpheld => "問題なしと判断",
            ComplaintStatus::Withdrawn => "取り下げ",
        }
    }

    /// Whether the case is closed.
    pub fn is_closed(self) -> bool {
        matches!(self, ComplaintStatus::Resolved | ComplaintStatus::NotUpheld | ComplaintStatus::Withdrawn)
    }

    /// The moves from this status and the role that owns each.
    pub fn moves(self) -> &'static [(ComplaintStatus, Role)] {
        use ComplaintStatus::*;
        match self {
            Submitted => &[(UnderReview, Role::Reviewer), (Withdrawn, Role::ClinicManager)],
            UnderReview => {
                &[(Forwarded, Role::Reviewer), (NotUpheld, Role::Reviewer), (Withdrawn, Role::ClinicManager)]
            }
            Forwarded => &[(VendorContacted, Role::Auditor), (NotUpheld, Role::Auditor)],
            VendorContacted => &[(Resolved, Role::Auditor), (NotUpheld, Role::Auditor)],
            Resolved | NotUpheld | Withdrawn => &[],
        }
    }

    /// Whether `role` may move a complaint from this status to `to`.
    pub fn may_move(self, to: ComplaintStatus, role: Role) -> bool {
        self.may_move_held(to, role, Holder::Association)
    }

    /// Whether `role` may move a complaint held by `holder` from this status to `to`: held by
    /// the auditors, the association's moves are theirs too.
    pub fn may_move_held(self, to: ComplaintStatus, role: Role, holder: Holder) -> bool {
        self.moves().iter().any(|(s, r)| *s == to && (*r == role || holder.stands_in(*r, role)))
    }

    /// The role that must act next, if any.
    pub fn next_actor(self) -> Option<Role> {
        self.next_actor_held(Holder::Association)
    }

    /// The role that must act next on a complaint held by `holder`, if any.
    pub fn next_actor_held(self, holder: Holder) -> Option<Role> {
        let next = self.moves().iter().map(|(_, r)| *r).find(|r| *r != Role::ClinicManager);
        match (next, holder) {
            (Some(Role::Reviewer), Holder::Auditors) => Some(Role::Auditor),
            (next, _) => next,
        }
    }

    /// Whether moving here cannot be undone by the one who does it: the case leaves the
    /// association for the ministry, or the clinic gives it up. Such a move is confirmed first.
    pub fn is_irreversible(self) -> bool {
        matches!(self, ComplaintStatus::Forwarded | ComplaintStatus::Withdrawn | ComplaintStatus::NotUpheld)
    }
}

/// Who holds a complaint while it waits for its association's review.
///
/// The seeds' path is facility → 医師会等 → 厚生労働省 (seeds/001). Onshi's own rule: when no
/// reviewer in Onshi covers the facility's association and prefecture when it is filed, the
/// national auditors hold it and make the association's moves, so that no complaint waits for
/// nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Holder {
    /// The facility's association (its reviewers in Onshi).
    Association,
    /// The national auditors, for want of a reviewer.
    Auditors,
}

impl Holder {
    /// Whether `role` may make a move that belongs to `owner`, standing in for it.
    fn stands_in(self, owner: Role, role: Role) -> bool {
        self == Holder::Auditors && owner == Role::Reviewer && role == Role::Auditor
    }
}

impl FromStr for ComplaintStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ComplaintStatus::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| format!("unknown status {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintStatus::*;

    #[test]
    fn each_step_belongs_to_one_role() {
        assert!(Submitted.may_move(UnderReview, Role::Reviewer));
        assert!(!Submitted.may_move(UnderReview, Role::Auditor));
        assert!(UnderReview.may_move(Forwarded, Role::Reviewer));
        assert!(!UnderReview.may_move(Forwarded, Role::ClinicManager));
        assert!(Forwarded.may_move(VendorContacted, Role::Auditor));
        assert!(!Forwarded.may_move(VendorContacted, Role::Reviewer));
        assert!(VendorContacted.may_move(Resolved, Role::Auditor));
        assert!(Submitted.may_move(Withdrawn, Role::ClinicManager));
        assert!(!Forwarded.may_move(Withdrawn, Role::ClinicManager), "no withdrawal once at MHLW");
        for closed in [Resolved, NotUpheld, Withdrawn] {
            assert!(closed.moves().is_empty() && closed.is_closed());
        }
    }

    #[test]
    fn without_a_reviewer_the_auditors_make_the_associations_moves() {
        assert!(!Submitted.may_move_held(UnderReview, Role::Auditor, Holder::Association));
        assert!(Submitted.may_move_held(UnderReview, Role::Auditor, Holder::Auditors));
        assert!(UnderReview.may_move_held(Forwarded, Role::Auditor, Holder::Auditors));
        // A reviewer added later may still take the case up; the clinic keeps its own moves.
        assert!(Submitted.may_move_held(UnderReview, Role::Reviewer, Holder::Auditors));
        assert!(Submitted.may_move_held(Withdrawn, Role::ClinicManager, Holder::Auditors));
        assert!(!Submitted.may_move_held(Withdrawn, Role::Auditor, Holder::Auditors), "the clinic's own move");
        assert_eq!(Submitted.next_actor_held(Holder::Auditors), Some(Role::Auditor));
        assert_eq!(Forwarded.next_actor_held(Holder::Auditors), Some(Role::Auditor));
    }

    #[test]
    fn the_next_actor_follows_the_case() {
        assert_eq!(Submitted.next_actor(), Some(Role::Reviewer));
        assert_eq!(Forwarded.next_actor(), Some(Role::Auditor));
        assert_eq!(Resolved.next_actor(), None);
    }
}
