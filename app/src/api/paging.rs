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
    /// Page `page` of `total` rows; past the last page (the list shrank, a number typed by hand)
    /// is the last page.
    fn at(total: i64, page: i64) -> Paging {
        let pages = ((total + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        Paging { total, page, pages, first: (page - 1) * ROWS_PER_PAGE + 1 }
    }

    /// Rows before this page.
    pub fn offset(&self) -> i64 {
        self.first - 1
    }
}

/// The page number typed in the address ("" is the first).
fn page_asked(asked: &str) -> Result<i64, UiError> {
    let asked = asked.trim();
    if asked.is_empty() {
        return Ok(1);
    }
    asked
        .parse::<i64>()
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| UiError::Invalid(format!("ページ番号 {asked} は 1 以上の数字で指定してください（例: page=2）")))
}

/// The page `asked` of a list: its rows (`rows` of an offset) and where it stands (`count` gives
/// the total). The first page is read before counting, and a list shorter than a page is not
/// counted at all: most lists a manager or a filtered view sees are, and each statement costs
/// ~100 µs under load (BENCHMARKS.md, load test).
pub async fn page_of<T>(
    asked: &str,
    count: impl AsyncFnOnce() -> Result<i64, UiError>,
    rows: impl AsyncFnOnce(i64) -> Result<Vec<T>, UiError>,
) -> Result<(Vec<T>, Paging), UiError> {
    let page = page_asked(asked)?;
    if page == 1 {
        let first = rows(0).await?;
        let shown = i64::try_from(first.len()).unwrap_or(i64::MAX);
        let total = if shown < ROWS_PER_PAGE { shown } else { count().await? };
        return Ok((first, Paging::at(total, 1)));
    }
    let paging = Paging::at(count().await?, page);
    Ok((rows(paging.offset()).await?, paging))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// The result of a future that never waits (the lists here are in memory).
    fn ready<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the future waited"),
        }
    }

    /// Page `asked` of `total` rows numbered from 0: (rows, paging, whether it counted).
    fn page(total: i64, asked: &str) -> Result<(Vec<i64>, Paging, bool), UiError> {
        let counted = Cell::new(false);
        let (rows, paging) = ready(page_of(
            asked,
            async || {
                counted.set(true);
                Ok(total)
            },
            async |offset| Ok((offset..total).take(100).collect()),
        ))?;
        Ok((rows, paging, counted.get()))
    }

    #[test]
    fn pages_are_counted_only_when_the_first_is_full_and_clamped() {
        let (rows, paging, counted) = page(37, "").expect("first page");
        assert_eq!((rows.len(), paging, counted), (37, Paging { total: 37, page: 1, pages: 1, first: 1 }, false));
        let (_, paging, counted) = page(0, "1").expect("empty");
        assert_eq!((paging, counted), (Paging { total: 0, page: 1, pages: 1, first: 1 }, false));
        let (rows, paging, counted) = page(100, "").expect("exactly a page");
        assert_eq!((rows.len(), paging.pages, counted), (100, 1, true));
        let (rows, paging, _) = page(101, " 2 ").expect("second page");
        assert_eq!((rows, paging), (vec![100], Paging { total: 101, page: 2, pages: 2, first: 101 }));
        let (rows, paging, _) = page(250, "9").expect("past the last page");
        assert_eq!((rows.first().copied(), paging.page, paging.offset()), (Some(200), 3, 200));
        for bad in ["0", "-3", "x", "1.5"] {
            assert!(page(250, bad).is_err(), "{bad}");
        }
    }
}
