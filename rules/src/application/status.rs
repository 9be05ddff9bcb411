//! Where a stored 交付申請 stands: prepared (下書き), sent to the portal (提出済み), paid
//! (交付済み). Stable codes for the database (`subsidy_applications.status`), CSV and URLs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The status of a stored application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 下書き: prepared, not yet sent.
    Draft,
    /// 提出済み: sent; the facility's 交付申請 date is recorded.
    Submitted,
    /// 交付済み: the subsidy was paid.
    Paid,
}

impl ApplicationStatus {
    /// Every status, in the order an application goes through them.
    pub const ALL: [ApplicationStatus; 3] =
        [ApplicationStatus::Draft, ApplicationStatus::Submitted, ApplicationStatus::Paid];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Paid => "paid",
        }
    }

    /// The label people read.
    pub fn label_ja(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "下書き",
            ApplicationStatus::Submitted => "提出済み",
            ApplicationStatus::Paid => "交付済み",
        }
    }

    /// Its position in [`ApplicationStatus::ALL`] (columns of counts by status).
    pub fn index(self) -> usize {
        match self {
            ApplicationStatus::Draft => 0,
            ApplicationStatus::Submitted => 1,
            ApplicationStatus::Paid => 2,
        }
    }

    /// Sent to the portal: its 補助金申請額 counts as applied for.
    pub fn is_sent(self) -> bool {
        self != ApplicationStatus::Draft
    }
}

/// A status code that is not one of [`ApplicationStatus::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("申請の状態 {0:?} はありません（draft, submitted, paid のいずれか）")]
pub struct UnknownApplicationStatus(pub String);

impl FromStr for ApplicationStatus {
    type Err = UnknownApplicationStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApplicationStatus::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| UnknownApplicationStatus(s.to_owned()))
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_only_a_draft_is_unsent() {
        for (i, s) in ApplicationStatus::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(s.code().parse::<ApplicationStatus>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).expect("json"), format!("\"{}\"", s.code()));
        }
        assert_eq!(ApplicationStatus::ALL.map(ApplicationStatus::label_ja), ["下書き", "提出済み", "交付済み"]);
        assert_eq!(ApplicationStatus::ALL.map(ApplicationStatus::is_sent), [false, true, true]);
        assert!("closed".parse::<ApplicationStatus>().is_err());
        assert!("Draft".parse::<ApplicationStatus>().is_err());
    }
}
