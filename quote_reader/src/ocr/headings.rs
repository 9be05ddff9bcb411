//! The item table's headings as OCR misreads them. Headings are short, often spread over their
//! cell one character at a time (「数　　量」), and in a fax one of two characters is often wrong
//! (「数 罰」, 「則 価」, 「介 名」): the header row is found as the row of short words where most
//! headings have one character right in its place, and its words are written as the headings
//! they stand for — those OCR lost entirely from their place between the others — so that the
//! table is rebuilt in the header's columns as for a printed PDF.

use crate::pdf::Run;

/// Headings of a quote's item table, in the order tables put them, each with the characters that
/// tell it from the others in their place (first, second).
const HEADINGS: [(&str, &[char], &[char]); 11] = [
    ("品名", &['品'], &['名']),
    ("項目", &['項'], &['目']),
    ("摘要", &['摘'], &['要']),
    ("数量", &['数'], &['量']),
    ("単位", &[], &['位']),
    ("単価", &[], &['価']),
    ("金額", &['金'], &['額']),
    ("備考", &['備'], &['考']),
    ("内容", &[], &['容']),
    // A two-row header's 品目 over 大項目 and 小項目: told by two of their three characters.
    ("大項目", &[], &[]),
    ("小項目", &[], &[]),
];

/// The order headings stand in, left to right, for placing one OCR lost.
const ORDER: [&str; 6] = ["品名", "数量", "単位", "単価", "金額", "備考"];

/// The heading a short word stands for: written right, or with one of its two characters right
/// in its place.
fn heading_of(word: &str) -> Option<&'static str> {
    let chars: Vec<char> = word.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some((h, _, _)) = HEADINGS.iter().find(|(h, _, _)| *h == chars.iter().collect::<String>()) {
        return Some(h);
    }
    match chars.as_slice() {
        // One character of a spread heading whose other OCR lost: one that tells its heading.
        [c] => HEADINGS.iter().find(|(_, first, second)| first.contains(c) || second.contains(c)).map(|(h, _, _)| *h),
        [a, b] => {
            HEADINGS.iter().find(|(_, first, second)| first.contains(a) || second.contains(b)).map(|(h, _, _)| *h)
        }
        [_, _, _] => HEADINGS
            .iter()
            .map(|(h, _, _)| *h)
            .find(|h| h.chars().count() == 3 && h.chars().zip(&chars).filter(|(x, y)| x == *y).count() >= 2),
        _ => None,
    }
}

/// Whether a run is a figure (digits and separators, perhaps a yen sign).
fn is_figure(r: &Run) -> bool {
    crate::pdf::is_figure(&r.text)
}

/// Headings OCR lost or garbled beyond telling, put back over the columns of figures under the
/// header that no heading read stands over: between two headings read, the headings of 数量 /
/// 単価 / 金額 missing there in the usual order — one per column when there are as many columns,
/// else the rightmost columns (prices and amounts stand right of a list price or a spare column).
/// The garbled words over a column given its heading are left out.
fn add_lost_headings(runs: &mut Vec<Run>, header: &[usize], found: &[Option<&'static str>]) {
    let Some(&first) = header.first() else { return };
    let (y, size) = (runs[first].y, runs[first].size);
    let spans: Vec<(f64, f64, Option<&'static str>)> =
        header.iter().zip(found).map(|(i, f)| (runs[*i].x0, runs[*i].x1, *f)).collect();
    // Figures in the rows under the header (the next forty lines or so), by their right edge.
    let below: Vec<(f64, f64)> =
        runs.iter().filter(|r| r.y < y && r.y > y - 40.0 * size && is_figure(r)).map(|r| (r.x0, r.x1)).collect();
    let mut columns: Vec<(f64, f64, usize)> = Vec::new();
    for (x0, x1) in below {
        match columns.iter_mut().find(|(_, right, _)| (right - x1).abs() <= 1.5 * size) {
            Some((left, right, n)) => {
                *left = left.min(x0);
                *right = right.max(x1);
                *n += 1;
            }
            None => columns.push((x0, x1, 1)),
        }
    }
    // Under a heading read: overlapping it by more than a quarter of the narrower of the two (a
    // figure's box a point wider than its column touches the next heading).
    let read = |x0: f64, x1: f64| {
        spans.iter().any(|(a, b, f)| f.is_some() && x1.min(*b) - x0.max(*a) > 0.25 * (x1 - x0).min(b - a))
    };
    columns.retain(|(x0, x1, n)| *n >= 2 && !read(*x0, *x1));
    columns.sort_by(|a, b| a.0.total_cmp(&b.0));
    let rank = |h: &str| ORDER.iter().position(|o| *o == h);
    let mut added = Vec::new();
    let mut garbled = Vec::new();
    let mut done = 0usize;
    while done < columns.len() {
        let (x0, x1, _) = columns[done];
        let left = spans.iter().filter(|(_, b, _)| *b <= x0).filter_map(|(_, _, f)| f.and_then(rank)).max();
        let right_edge =
            spans.iter().filter(|(a, _, f)| *a >= x1 && f.is_some()).map(|(a, _, _)| *a).fold(f64::INFINITY, f64::min);
        let right = spans.iter().filter(|(a, _, _)| *a >= x1).filter_map(|(_, _, f)| f.and_then(rank)).min();
        // The columns in this gap between headings read.
        let gap: Vec<(f64, f64, usize)> = columns[done..].iter().copied().take_while(|c| c.0 < right_edge).collect();
        done += gap.len().max(1);
        let (from, to) = (left.map_or(0, |l| l + 1), right.unwrap_or(ORDER.len()));
        let missing: Vec<&str> = ORDER[from.min(to)..to]
            .iter()
            .copied()
            .filter(|h| matches!(*h, "数量" | "単価" | "金額") && !found.contains(&Some(*h)))
            .collect();
        if missing.is_empty() || gap.len() < missing.len() {
            continue;
        }
        for ((x0, x1, _), heading) in gap[gap.len() - missing.len()..].iter().zip(&missing) {
            // Kept clear of the heading read on its right, which a figure's box may reach.
            let right = x1.min(right_edge - size).max(*x0);
            added.push(Run { x0: *x0, x1: right, y, size, text: (*heading).to_owned(), confidence: 0.0, doubt: None });
            garbled.extend(
                header.iter().zip(found).filter(|(i, f)| f.is_none() && runs[**i].x0 < *x1 && *x0 < runs[**i].x1),
            );
        }
    }
    for (i, _) in garbled {
        runs[*i].text.clear();
    }
    // No description heading at all: 品名 over the words that start left of the headings.
    let describes = ["品名", "項目", "摘要", "内容"];
    if !found.iter().flatten().any(|h| describes.contains(h)) {
        let leftmost = spans.iter().map(|(a, _, _)| *a).fold(f64::INFINITY, f64::min);
        let start = runs
            .iter()
            .filter(|r| r.y < y && r.y > y - 40.0 * size && !is_figure(r) && r.x1 <= leftmost)
            .map(|r| r.x0)
            .fold(f64::INFINITY, f64::min);
        if start.is_finite() {
            added.push(Run {
                x0: start,
                x1: start + 2.0 * size,
                y,
                size,
                text: "品名".to_owned(),
                confidence: 0.0,
                doubt: None,
            });
        }
    }
    runs.extend(added);
}

/// One character that is not ASCII.
fn lone_wide(text: &str) -> bool {
    let mut c = text.chars();
    matches!((c.next(), c.next()), (Some(c), None) if !c.is_ascii())
}

/// Splits a word OCR made of several headings (「数量単位単価」) into one run per heading, each
/// given its share of the word's width.
fn split_joined_headings(runs: &mut Vec<Run>) {
    let mut out = Vec::with_capacity(runs.len());
    for run in runs.drain(..) {
        let mut parts: Vec<&str> = Vec::new();
        let mut rest = run.text.as_str();
        while let Some(h) = HEADINGS.iter().map(|(h, _, _)| *h).find(|h| rest.starts_with(h)) {
            parts.push(h);
            rest = &rest[h.len()..];
        }
        if parts.len() < 2 || !rest.is_empty() {
            out.push(run);
            continue;
        }
        let chars = run.text.chars().count() as f64;
        let mut x = run.x0;
        for part in parts {
            let width = (run.x1 - run.x0) * part.chars().count() as f64 / chars;
            out.push(Run { x0: x, x1: x + width * 0.9, text: part.to_owned(), ..run.clone() });
            x += width;
        }
    }
    *runs = out;
}

/// A header row's cells (runs by index) and the heading each stands for.
type HeaderRow = (Vec<Vec<usize>>, Vec<Option<&'static str>>);

/// Rewrites the header row of a page's runs, if one is found.
pub(crate) fn restore(runs: &mut Vec<Run>) {
    split_joined_headings(runs);
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|a, b| runs[*b].y.total_cmp(&runs[*a].y).then(runs[*a].x0.total_cmp(&runs[*b].x0)));
    // Rows: runs on one baseline (OCR gives the words of a line one baseline).
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match rows.last_mut() {
            Some(row) if runs[row[0]].y == runs[i].y => row.push(i),
            _ => rows.push(vec![i]),
        }
    }
    let mut best: Option<HeaderRow> = None;
    for row in rows.iter().take(60) {
        // A header has no figures; a lone digit OCR was unsure of, or a digit among letters, is a
        // speck or a garbled heading (「金額」 read as 「1」, 「大項目」 as 「3いに」 in a fax).
        let figure = |r: &Run| {
            let (digits, all) = (r.text.chars().filter(char::is_ascii_digit).count(), r.text.chars().count());
            digits * 2 > all && (all > 1 || r.confidence >= 80.0)
        };
        if row.len() < 3 || row.len() > 40 || row.iter().any(|i| figure(&runs[*i])) {
            continue;
        }
        // Cells: single characters spread over one cell joined, as the table rebuilding joins them.
        let mut cells: Vec<Vec<usize>> = Vec::new();
        for &i in row {
            let joins = cells.last().is_some_and(|cell| {
                let last = &runs[*cell.last().unwrap_or(&i)];
                let width = (runs[i].x1 - runs[i].x0).max(1.0);
                cell.len() == 1
                    && lone_wide(&last.text)
                    && lone_wide(&runs[i].text)
                    && runs[i].x0 - last.x1 <= 3.0 * width
            });
            match cells.last_mut() {
                Some(cell) if joins => cell.push(i),
                _ => cells.push(vec![i]),
            }
        }
        let found: Vec<Option<&'static str>> = cells
            .iter()
            .map(|cell| heading_of(&cell.iter().map(|i| runs[*i].text.as_str()).collect::<String>()))
            .collect();
        let mut distinct: Vec<&str> = found.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() >= 3 && best.as_ref().is_none_or(|(_, f)| f.iter().flatten().count() < distinct.len()) {
            best = Some((cells, found));
        }
    }
    let Some((cells, mut found)) = best else { return };
    // A heading lost entirely: the one word between two found headings where one heading of the
    // usual order is missing.
    for i in 0..found.len() {
        // A lone character OCR was unsure of is a speck, not a heading to put in order.
        let speck = match cells[i].as_slice() {
            [only] => runs[*only].text.chars().count() == 1 && runs[*only].confidence < 50.0,
            _ => false,
        };
        if found[i].is_some() || speck {
            continue;
        }
        let rank = |h: &str| ORDER.iter().position(|o| *o == h);
        let left = found[..i].iter().rev().flatten().find_map(|h| rank(h));
        let right = found[i + 1..].iter().flatten().find_map(|h| rank(h));
        // Before the first heading found, the headings before it in the usual order (品名).
        let from = left.map_or(0, |l| l + 1);
        let right = right.unwrap_or(ORDER.len());
        if from >= right {
            continue;
        }
        let missing: Vec<&'static str> =
            ORDER[from..right].iter().copied().filter(|h| !found.contains(&Some(*h))).collect();
        let unmatched_between = found[i + 1..].iter().take_while(|f| f.is_none()).count() + 1;
        let first_after_left = i == 0 || found[i - 1].is_some();
        // Between two headings, the one missing there; after the last, the next in order (a
        // table may end with 金額, without 備考).
        let at_end = right == ORDER.len() || left.is_none();
        if (missing.len() == 1 || (at_end && first_after_left)) && unmatched_between <= 2 && !missing.is_empty() {
            found[i] = Some(missing[0]);
        }
    }
    // A stray word just right of a heading (the rest of a heading OCR split in two) joins it.
    let mut cells = cells;
    let mut i = 1;
    while i < cells.len() {
        let gap = runs[cells[i][0]].x0 - runs[*cells[i - 1].last().unwrap_or(&cells[i - 1][0])].x1;
        if found[i].is_none() && found[i - 1].is_some() && gap <= 3.0 * runs[cells[i][0]].size {
            let absorbed = cells.remove(i);
            found.remove(i);
            cells[i - 1].extend(absorbed);
        } else {
            i += 1;
        }
    }
    let firsts: Vec<usize> = cells.iter().map(|c| c[0]).collect();
    add_lost_headings(runs, &firsts, &found);
    let mut drop = Vec::new();
    for (cell, heading) in cells.iter().zip(&found) {
        let (Some(heading), Some((&first, rest))) = (heading, cell.split_first()) else { continue };
        let right = rest.last().map_or(runs[first].x1, |i| runs[*i].x1);
        runs[first].text = (*heading).to_owned();
        runs[first].x1 = right;
        runs[first].doubt = None;
        drop.extend_from_slice(rest);
    }
    drop.sort_unstable();
    for i in drop.into_iter().rev() {
        runs.remove(i);
    }
    runs.retain(|r| !r.text.is_empty());
}

/// The labels of a quote's foot, each as OCR may garble it.
const FOOT: [&str; 6] = ["小計", "合計", "消費税", "御見積金額", "総合計", "税込合計"];

/// Whether a word is a heading of the item table or a label of its foot, written right.
pub(crate) fn is_table_word(text: &str) -> bool {
    HEADINGS.iter().any(|(h, _, _)| *h == text) || FOOT.contains(&text)
}

/// Characters OCR reads in place of a foot label's first character, seen in faxes and photos:
/// 「台計」 for 合計 (the strokes of 合's roof lost at 100 dpi), 「少計」 for 小計.
const FIRST_LOOKALIKES: [(char, &[char]); 3] = [
    ('合', &['台', '会', '含', '今', '舎', '各', '全']),
    ('小', &['少', '水', '八', '个']),
    ('消', &['清', '洋', '渭']),
];

/// Whether `read` is the first character of `label`, or one OCR reads for it.
fn first_matches(read: char, label: char) -> bool {
    read == label || FIRST_LOOKALIKES.iter().any(|(c, like)| *c == label && like.contains(&read))
}

/// The foot label a word stands for: as long as the label, its first character right (or one
/// OCR reads for it), and about half its characters right in their places (「小財」, 「消下税」,
/// 「御見柄銘般」, 「台計」).
fn foot_label_of(word: &str) -> Option<&'static str> {
    let chars: Vec<char> = word.chars().collect();
    FOOT.iter().copied().find(|label| {
        let want: Vec<char> = label.chars().collect();
        let right = want.iter().zip(&chars).filter(|(a, b)| a == b).count();
        let first = matches!((chars.first(), want.first()), (Some(r), Some(l)) if first_matches(*r, *l));
        chars.len() == want.len() && first && right * 2 + 1 >= want.len() && right < want.len()
    })
}

/// Rewrites the garbled label of each row of the foot — a word, perhaps a bracketed note
/// (「（税抜）」), and figures only — as the label it stands for.
pub(crate) fn restore_foot(runs: &mut Vec<Run>) {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|a, b| runs[*b].y.total_cmp(&runs[*a].y).then(runs[*a].x0.total_cmp(&runs[*b].x0)));
    let mut start = 0;
    while start < order.len() {
        let y = runs[order[start]].y;
        let end = order[start..].iter().position(|i| runs[*i].y != y).map_or(order.len(), |n| start + n);
        let row = &order[start..end];
        start = end;
        let unsure = |r: &Run| r.confidence < 40.0;
        // A lone digit OCR was unsure of is a speck, not the foot's figure.
        let figure = |r: &Run| {
            r.text.chars().any(|c| c.is_ascii_digit())
                && !r.text.chars().any(|c| !c.is_ascii() && c != '¥' && c != '円')
                && !(r.text.chars().count() == 1 && unsure(r))
        };
        let bracketed = |r: &Run| r.text.starts_with(['(', '（']);
        let Some(first_figure) = row.iter().position(|i| figure(&runs[*i])) else { continue };
        // After the first figure: figures, a bracketed note, or specks and rules OCR was unsure of.
        if first_figure == 0
            || !row[first_figure..].iter().all(|i| figure(&runs[*i]) || bracketed(&runs[*i]) || unsure(&runs[*i]))
        {
            continue;
        }
        // The label: the longest run of neighbouring words before the figure that reads as one —
        // 「小　計」 spread over its cell, 「消費」「税（10%）」, 「消」「緒」「税」 among the rules and
        // specks of a ruled foot (「用 消 緒 税 加 上 町 … 30500」).
        let before = &row[..first_figure];
        let mut found = None;
        'search: for len in (1..=before.len().min(8)).rev() {
            for from in 0..=before.len() - len {
                let words = &before[from..from + len];
                let joined: String = words.iter().map(|i| runs[*i].text.as_str()).collect();
                let label_part: String = joined.split(['(', '（']).next().unwrap_or("").to_owned();
                let label = foot_label_of(&label_part).or_else(|| FOOT.iter().copied().find(|l| *l == label_part));
                if let Some(label) = label {
                    found = Some((from, len, format!("{label}{}", &joined[label_part.len()..])));
                    break 'search;
                }
            }
        }
        let Some((from, len, text)) = found else { continue };
        let (first, rest) = (before[from], &before[from + 1..from + len]);
        runs[first].text = text;
        runs[first].x1 = rest.last().map_or(runs[first].x1, |i| runs[*i].x1);
        for i in rest {
            runs[*i].text.clear();
        }
        // Specks OCR was unsure of on either side of the label, in its cell, are no part of it.
        for (k, i) in before.iter().enumerate() {
            if (k < from || k >= from + len) && unsure(&runs[*i]) {
                runs[*i].text.clear();
            }
        }
    }
    runs.retain(|r| !r.text.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x0: f64, text: &str) -> Run {
        Run { x0, x1: x0 + 10.0, y: 700.0, size: 10.0, text: text.into(), confidence: 50.0, doubt: None }
    }

    #[test]
    fn a_faxed_header_is_read_as_the_headings_it_shows() {
        // 「品 名 … 数 量 単 位 単 価 金 額 備 考」 as OCR read a 200 × 100 dpi fax.
        let mut runs: Vec<Run> = [
            (40.0, "介"),
            (60.0, "名"),
            (300.0, "数"),
            (318.0, "罰"),
            (350.0, "唱"),
            (365.0, "位"),
            (400.0, "則"),
            (420.0, "価"),
            (480.0, "人益"),
            (520.0, "前"),
            (600.0, "備"),
            (620.0, "者"),
        ]
        .into_iter()
        .map(|(x, t)| run(x, t))
        .collect();
        runs.push(Run { y: 680.0, ..run(40.0, "資格確認端末") });
        restore(&mut runs);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["品名", "数量", "単位", "単価", "金額", "備考", "資格確認端末"]);
        assert_eq!((runs[0].x0, runs[0].x1), (40.0, 70.0));
    }

    #[test]
    fn headings_lost_entirely_are_put_back_over_their_columns_of_figures() {
        // 「品名 単位 単価 備考」 read; 数量 and 金額 lost. Under them: 「1台」 and two figures a row.
        let mut runs: Vec<Run> = [(40.0, "品名"), (280.0, "単位"), (310.0, "単価"), (400.0, "備考")]
            .into_iter()
            .map(|(x, t)| run(x, t))
            .collect();
        for (i, y) in [680.0, 670.0, 660.0].into_iter().enumerate() {
            runs.push(Run { y, ..run(40.0, "資格確認端末") });
            runs.push(Run { y, ..run(273.0, "1台") });
            runs.push(Run { y, x1: 343.0, ..run(316.0 + i as f64, "150000") });
            runs.push(Run { y, x1: 381.0, ..run(354.0 - i as f64, "150000") });
        }
        restore(&mut runs);
        let amount = runs.iter().find(|r| r.text == "金額").expect("金額 put back");
        assert_eq!((amount.x0, amount.x1, amount.y), (352.0, 381.0, 700.0));
        // 品名 lost too: put back over the descriptions.
        runs.retain(|r| r.text != "品名");
        restore(&mut runs);
        let name = runs.iter().find(|r| r.text == "品名").expect("品名 put back");
        assert_eq!((name.x0, name.y), (40.0, 700.0));
        // 単価's column has its heading: nothing is put over it.
        assert_eq!(runs.iter().filter(|r| r.text == "単価").count(), 1);
    }

    #[test]
    fn garbled_labels_of_the_foot_are_read_as_the_labels() {
        let row = |y: f64, words: &[&str]| -> Vec<Run> {
            words.iter().enumerate().map(|(i, t)| Run { y, ..run(40.0 + i as f64 * 100.0, t) }).collect()
        };
        let mut runs: Vec<Run> = [
            row(600.0, &["小財", "150000"]),
            row(590.0, &["消下税", "31500"]),
            row(580.0, &["御見柄銘般", "(税込)", "346500"]),
            row(570.0, &["小財", "の件"]),
            row(560.0, &["小型", "1", "台", "150000"]),
            row(550.0, &["台計", "346500"]),
            row(540.0, &["台帳", "346500"]),
        ]
        .concat();
        restore_foot(&mut runs);
        let firsts: Vec<&str> = runs.iter().filter(|r| r.x0 == 40.0).map(|r| r.text.as_str()).collect();
        assert_eq!(firsts, ["小計", "消費税", "御見積金額(税込)", "小財", "小型", "合計", "台帳"]);
        // Spread and split labels are joined: 「小」「計」, 「消費」「税(10%)」.
        let mut split: Vec<Run> =
            [row(600.0, &["小", "計", "150000"]), row(590.0, &["消費", "税(10%)", "15000"])].concat();
        split[1].x0 = 60.0;
        split[1].x1 = 70.0;
        split[4].x0 = 60.0;
        split[4].x1 = 90.0;
        restore_foot(&mut split);
        let texts: Vec<&str> = split.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["小計", "150000", "消費税(10%)", "15000"]);
        // A ruled foot: the label among specks and rules OCR was unsure of, on both sides.
        let mut ruled: Vec<Run> = row(600.0, &["用", "消", "緒", "税", "町", "30500"]);
        for (r, confidence) in ruled.iter_mut().zip([11.0, 92.0, 0.0, 73.0, 29.0, 24.0]) {
            r.confidence = confidence;
        }
        restore_foot(&mut ruled);
        let texts: Vec<&str> = ruled.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["消費税", "30500"]);
    }

    #[test]
    fn a_two_row_headers_garbled_words_and_specks_are_told_apart_from_figures() {
        // 「大項目 小項目 数量 単位 … 金額 備考」 as a fax read it: 「3いに」, 「小記目」, 「1」 for 金額.
        let mut runs: Vec<Run> =
            [(40.0, "3いに"), (170.0, "小記目"), (320.0, "数呈"), (340.0, "四位"), (480.0, "1"), (510.0, "備考")]
                .into_iter()
                .map(|(x, t)| run(x, t))
                .collect();
        restore(&mut runs);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["品名", "小項目", "数量", "単位", "1", "備考"]);
    }

    #[test]
    fn columns_of_figures_get_the_missing_headings_even_when_their_boxes_touch_the_next_one() {
        // 「上」 (a speck) 「品名」 「数量」 「単位」 … 「備考」: 単価 and 金額 lost; three columns of figures
        // under the gap, a list price, a price and an amount whose boxes reach 備考's first point.
        let mut runs: Vec<Run> = [(10.0, "上"), (40.0, "品名"), (200.0, "数量"), (230.0, "単位"), (400.0, "備考")]
            .into_iter()
            .map(|(x, t)| run(x, t))
            .collect();
        runs[0].confidence = 30.0;
        for (i, y) in [680.0, 670.0, 660.0].into_iter().enumerate() {
            runs.push(Run { y, ..run(40.0, "資格確認端末") });
            runs.push(Run { y, x1: 290.0, ..run(262.0, "180000") });
            runs.push(Run { y, x1: 340.0, ..run(312.0, "150000") });
            runs.push(Run { y, x1: 400.5 + i as f64 * 0.1, ..run(372.0, "150000") });
        }
        restore(&mut runs);
        let header: Vec<(&str, f64)> =
            runs.iter().filter(|r| r.y == 700.0).map(|r| (r.text.as_str(), r.x0)).collect::<Vec<_>>();
        assert!(header.contains(&("上", 10.0)), "the speck is not taken for 品名: {header:?}");
        assert!(header.contains(&("単価", 312.0)), "{header:?}");
        assert!(header.contains(&("金額", 372.0)), "{header:?}");
        let amount = runs.iter().find(|r| r.text == "金額").expect("金額");
        assert!(amount.x1 < 400.0, "kept clear of 備考: {amount:?}");
    }

    #[test]
    fn rows_of_figures_or_of_ordinary_words_are_left_alone() {
        let mut runs: Vec<Run> =
            ["資格確認端末", "1", "台", "150,000"].iter().enumerate().map(|(i, t)| run(i as f64 * 50.0, t)).collect();
        let before = runs.clone();
        restore(&mut runs);
        assert_eq!(runs, before);
        let mut words: Vec<Run> = ["下記", "のとおり", "御見積", "申し上げます"]
            .iter()
            .enumerate()
            .map(|(i, t)| run(i as f64 * 50.0, t))
            .collect();
        let before = words.clone();
        restore(&mut words);
        assert_eq!(words, before);
    }
}
