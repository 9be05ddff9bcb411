//! Labels as quotes write them — 「品　名」, 「金 額\n(税込)」, 「初期費用（税込）」 — folded to
//! what they say, for the reader that finds them and the rules that tell their kind.

use crate::money::fold_fullwidth;

/// Full-width forms folded, every kind of space and line break removed: 「品　名」 → 「品名」.
pub fn compact(s: &str) -> String {
    s.chars().map(fold_fullwidth).filter(|c| !c.is_whitespace()).collect()
}

/// [`compact`] without bracketed parts: 「金額(税込)」 → 「金額」, 「消費税（10%）」 → 「消費税」.
pub fn compact_unbracketed(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in compact(s).chars() {
        match c {
            '(' | '[' | '【' | '〔' | '＜' | '<' => depth = depth.saturating_add(1),
            ')' | ']' | '】' | '〕' | '＞' | '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_spaces_line_breaks_and_bracketed_remarks() {
        assert_eq!(compact("品　名"), "品名");
        assert_eq!(compact("金 額\n(税込)"), "金額(税込)");
        assert_eq!(compact_unbracketed("金 額\n（税込）"), "金額");
        assert_eq!(compact_unbracketed("単価【円】"), "単価");
        assert_eq!(compact_unbracketed("消費税(10%)"), "消費税");
        assert_eq!(compact_unbracketed("消費税【10%】合計"), "消費税合計");
        assert_eq!(compact_unbracketed("ＴＯＴＡＬ（tax）"), "TOTAL");
    }
}
