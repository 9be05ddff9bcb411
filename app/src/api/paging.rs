//! Long lists a page at a time (facilities, complaints): at national scale a list is hundreds of
//! thousands of rows, tens of megabytes of HTML on one page.

use crate::UiError;
use serde::{Deserialize, Serialize};

/// Rows per page.
pub const ROWS_PER_PAGE: i64 = 100;

/// Where a page stands in its list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// How many rows match, on every page.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// How many pages (at least 1).
    pub pages: i64,
    /// Position of the page's first row among all, from 1.
    pub first: i64,
}

impl Paging {
    /// The page `asked` (as typed in the address; "" is the first) of `total` rows; past the last
    /// page (the list shrank, a number typed by hand) is the last page.
    pub fn of(total: i64, asked: &str) -> Result<Paging, UiError> {
        let asked = asked.trim();
        let page = if asked.is_empty() {
            1
        } else {
            asked.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                UiError::Invalid(format!("ページ番号 {asked} は 1 以上の数字で指定してください（例: page=2）"))
            })?
        };
        let pages = ((total + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE).max(1);
        let page = page.min(pages);
        Ok(Paging { total, page, pages, first: (page - 1) * ROWS_PER_PAGE + 1 })
    }

    /// Rows before this page.
    pub fn offset(&self) -> i64 {
        self.first - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_and_clamped() {
        assert_eq!(Paging::of(0, "").ok(), Some(Paging { total: 0, page: 1, pages: 1, first: 1 }));
        assert_eq!(Paging::of(100, "2").ok(), Some(Paging { total: 100, page: 1, pages: 1, first: 1 }));
        assert_eq!(Paging::of(101, " 2 ").ok(), Some(Paging { total: 101, page: 2, pages: 2, first: 101 }));
        assert_eq!(Paging::of(250, "9").map(|p| (p.page, p.offset())).ok(), Some((3, 200)));
        for bad in ["0", "-3", "x", "1.5"] {
            assert!(Paging::of(250, bad).is_err(), "{bad}");
        }
    }
}
