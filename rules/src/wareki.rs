//! 和暦: dates in Japanese eras (昭和・平成・令和), formatted as official documents write them and parsed as people type them.

use crate::money::fold_fullwidth;
use chrono::{Datelike, NaiveDate, Weekday};

/// One era: its name, its first day, and the ways people abbreviate it.
struct Era {
    name: &'static str,
    start: NaiveDate,
    /// Prefixes that name the era in input: the kanji, the single-character
    /// ligature (what NFKC expands to the kanji), and the Latin initial.
    prefixes: &'static [&'static str],
}

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("an era table date is not a date"),
    }
}

/// The eras in order. Each ends the day before the next begins.
/// Sources: 元号法 and the 政令 that set each era (昭和 from 1926-12-25,
/// 平成 from 1989-01-08 by 政令第1号 of 1989, 令和 from 2019-05-01 by
/// 政令第143号 of 2019). Earlier dates are written in the western calendar.
const ERAS: [Era; 3] = [
    Era { name: "昭和", start: ymd(1926, 12, 25), prefixes: &["昭和", "㍼", "S", "s"] },
    Era { name: "平成", start: ymd(1989, 1, 8), prefixes: &["平成", "㍻", "H", "h"] },
    Era { name: "令和", start: ymd(2019, 5, 1), prefixes: &["令和", "㋿", "R", "r"] },
];

/// Why a string is not a date; each variant carries the input and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDate {
    /// Nothing but spaces.
    #[error("日付が空です。「2022-09-01」や「令和4年9月1日」のように入力してください（入力: {0:?}）")]
    Empty(String),
    /// Not in any of the accepted layouts.
    #[error(
        "日付として読めません。「2022-09-01」「2022/9/1」「2022年9月1日」「令和4年9月1日」「R4.9.1」のように入力してください（入力: {0:?}）"
    )]
    Unrecognized(String),
    /// The month or day does not exist (2月30日, 13月).
    #[error("存在しない日付です。月と日を確認してください（入力: {0:?}）")]
    Impossible(String),
    /// An era year of zero: eras start at 元年 (year 1).
    #[error("和暦の年は元年（1年）から始まります。「{era}0年」はないので、年を確認してください（入力: {input:?}）")]
    EraYearZero {
        /// The text given.
        input: String,
        /// The era named in the input.
        era: &'static str,
    },
    /// A day outside the era named, such as 平成31年5月1日 (平成 ended on 2019-04-30).
    #[error("{era}は{span}です。この日付は{actual}にあたるので、「{actual}」と入力してください（入力: {input:?}）")]
    OutsideEra {
        /// The text given.
        input: String,
        /// The era named in the input.
        era: &'static str,
        /// The era's first and last day, in words.
        span: String,
        /// The same day written in its own era (or the western calendar before 昭和).
        actual: String,
    },
    /// A weekday that is not the date's, such as 2022年9月1日（金） (it was a Thursday).
    #[error("曜日が日付と合いません。{date}は{weekday}曜日です。日付か曜日を直してください（入力: {input:?}）")]
    WrongWeekday {
        /// The text given.
        input: String,
        /// The date read, in 和暦 with the western date.
        date: String,
        /// The date's real weekday, one kanji.
        weekday: &'static str,
    },
}

/// The era a date falls in, or `None` before 昭和.
fn era_of(date: NaiveDate) -> Option<&'static Era> {
    ERAS.iter().rev().find(|era| era.start <= date)
}

/// The date in its era, as official documents write it: `令和3年3月31日`,
/// with the first year as `元年` (`令和元年5月1日`). Dates before 昭和
/// (1926-12-25) are written in the western calendar: `1920年1月1日`.
pub fn format_wareki(date: NaiveDate) -> String {
    let (month, day) = (date.month(), date.day());
    match era_of(date) {
        Some(era) => match date.year() - era.start.year() + 1 {
            1 => format!("{}元年{month}月{day}日", era.name),
            year => format!("{}{year}年{month}月{day}日", era.name),
        },
        None => format!("{}年{month}月{day}日", date.year()),
    }
}

/// [`format_wareki`] followed by the ISO date, so that nobody has to convert:
/// `令和3年3月31日（2021-03-31）`.
pub fn format_wareki_with_western(date: NaiveDate) -> String {
    format!("{}（{date}）", format_wareki(date))
}

/// A stored day (`2022-10-05`) as people read it: `令和4年10月5日（2022-10-05）`. Text that is
/// not such a day comes back unchanged.
pub fn format_stored_day(iso: &str) -> String {
    NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d").map_or_else(|_| iso.to_owned(), format_wareki_with_western)
}

/// A stored UTC timestamp (`2026-11-22T15:09:29Z`, fractions allowed, or SQLite's
/// `2026-11-22 15:09:29`) in Japan time as people read it: `令和8年11月23日 00:09`. Text that
/// is not such a timestamp comes back unchanged, so nothing is hidden.
pub fn format_timestamp_jst(stored: &str) -> String {
    let text = stored.trim();
    let utc = chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"));
    match utc.ok().and_then(|t| t.checked_add_signed(chrono::TimeDelta::hours(9))) {
        Some(jst) => format!("{} {}", format_wareki(jst.date()), jst.format("%H:%M")),
        None => stored.to_owned(),
    }
}

/// Parses a date as people type it in Japanese forms and spreadsheets.
///
/// Accepts `2022-09-01`, `2022/9/1`, `2022.9.1`, `2022年9月1日`,
/// `令和4年9月1日`, `令和元年5月1日`, `R4.9.1`, `R04/09/01`, `H31.4.30`,
/// `昭和64年1月7日`, full-width letters, digits and punctuation, spaces
/// anywhere, and a trailing weekday such as `（木）`, `(木曜日)` or `(月・祝)`,
/// which must be the date's. Refuses impossible dates (`2021-02-30`) and era
/// years outside their era (`平成31年5月1日`: 平成 ended on 2019-04-30),
/// naming the right era in the message.
pub fn parse_date(input: &str) -> Result<NaiveDate, InvalidDate> {
    let text: String = input
        .chars()
        .map(|c| match c {
            '\u{2212}' => '-',
            _ => fold_fullwidth(c),
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Err(InvalidDate::Empty(input.to_owned()));
    }
    let unrecognized = || InvalidDate::Unrecognized(input.to_owned());

    let (text, weekday) = split_weekday(&text).ok_or_else(unrecognized)?;
    let era =
        ERAS.iter().find_map(|era| era.prefixes.iter().find_map(|p| text.strip_prefix(p)).map(|rest| (era, rest)));
    let (year, month, day) = split_fields(era.map_or(text, |(_, rest)| rest)).ok_or_else(unrecognized)?;
    let month = small_number(month).ok_or_else(unrecognized)?;
    let day = small_number(day).ok_or_else(unrecognized)?;

    let date = match era {
        None => {
            if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unrecognized());
            }
            let year: i32 = year.parse().map_err(|_| unrecognized())?;
            NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| InvalidDate::Impossible(input.to_owned()))?
        }
        Some((era, _)) => {
            // Up to three digits: 令和100年 is 2118, within the range people schedule for.
            let era_year = if year == "元" {
                1
            } else if (1..=3).contains(&year.len()) && year.bytes().all(|b| b.is_ascii_digit()) {
                year.parse::<u32>().map_err(|_| unrecognized())?
            } else {
                return Err(unrecognized());
            };
            if era_year == 0 {
                return Err(InvalidDate::EraYearZero { input: input.to_owned(), era: era.name });
            }
            let western_year = era.start.year() + i32::try_from(era_year).map_err(|_| unrecognized())? - 1;
            let date = NaiveDate::from_ymd_opt(western_year, month, day)
                .ok_or_else(|| InvalidDate::Impossible(input.to_owned()))?;
            if era_of(date).map(|e| e.name) != Some(era.name) {
                return Err(InvalidDate::OutsideEra {
                    input: input.to_owned(),
                    era: era.name,
                    span: era_span(era),
                    actual: format_wareki(date),
                });
            }
            date
        }
    };

    if let Some(expected) = weekday
        && date.weekday() != expected
    {
        return Err(InvalidDate::WrongWeekday {
            input: input.to_owned(),
            date: format_wareki_with_western(date),
            weekday: weekday_kanji(date.weekday()),
        });
    }
    Ok(date)
}

/// Parses a month as people type it: `2023-03`, `2023/3`, `2023年3月`, `令和5年3月`,
/// `R5.3`, full-width or with spaces; returns its first day. Errors are [`parse_date`]'s.
pub fn parse_month(input: &str) -> Result<NaiveDate, InvalidDate> {
    let text: String = input.chars().map(fold_fullwidth).filter(|c| !c.is_whitespace()).collect();
    let as_day = if text.ends_with('月') {
        format!("{text}1日")
    } else {
        match ['-', '/', '.', '\u{2212}'].into_iter().find(|sep| text.matches(*sep).count() == 1) {
            Some(sep) => format!("{text}{sep}1"),
            None => {
                return Err(if text.is_empty() {
                    InvalidDate::Empty(input.to_owned())
                } else {
                    InvalidDate::Unrecognized(input.to_owned())
                });
            }
        }
    };
    parse_date(&as_day).map_err(|e| match e {
        InvalidDate::Unrecognized(_) => InvalidDate::Unrecognized(input.to_owned()),
        InvalidDate::Impossible(_) => InvalidDate::Impossible(input.to_owned()),
        other => other,
    })
}

/// `平成元年1月8日から平成31年4月30日まで`, or `令和元年5月1日から` for the current era.
fn era_span(era: &Era) -> String {
    let next = ERAS.iter().find(|e| e.start > era.start);
    match next.and_then(|n| n.start.pred_opt()) {
        Some(last) => format!("{}から{}まで", format_wareki(era.start), format_wareki(last)),
        None => format!("{}から", format_wareki(era.start)),
    }
}

/// Splits a trailing `(木)`, `(木曜)`, `(木曜日)`, `(月・祝)` or `(祝)` off the text
/// (already folded to ASCII parentheses, spaces removed). `None` if there are
/// parentheses but no weekday in them.
fn split_weekday(text: &str) -> Option<(&str, Option<Weekday>)> {
    let Some(open) = text.strip_suffix(')') else {
        return Some((text, None));
    };
    let (date, inside) = open.rsplit_once('(')?;
    let inside = inside.strip_suffix("祝").map_or(inside, |s| s.strip_suffix('・').unwrap_or(s));
    if inside.is_empty() {
        return Some((date, None));
    }
    let inside = inside.strip_suffix("曜日").or_else(|| inside.strip_suffix('曜')).unwrap_or(inside);
    let weekday = match inside {
        "月" => Weekday::Mon,
        "火" => Weekday::Tue,
        "水" => Weekday::Wed,
        "木" => Weekday::Thu,
        "金" => Weekday::Fri,
        "土" => Weekday::Sat,
        "日" => Weekday::Sun,
        _ => return None,
    };
    Some((date, Some(weekday)))
}

fn weekday_kanji(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    }
}

/// Year, month and day fields of `Y年M月D日` or `Y-M-D` with one of `-`, `/`, `.` used twice.
fn split_fields(text: &str) -> Option<(&str, &str, &str)> {
    if let Some(rest) = text.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        return Some((year, month, day));
    }
    ['-', '/', '.'].into_iter().find_map(|sep| {
        let mut fields = text.split(sep);
        match (fields.next(), fields.next(), fields.next(), fields.next()) {
            (Some(y), Some(m), Some(d), None) => Some((y, m, d)),
            _ => None,
        }
    })
}

/// One or two ASCII digits.
fn small_number(field: &str) -> Option<u32> {
    if (1..=2).contains(&field.len()) && field.bytes().all(|b| b.is_ascii_digit()) { field.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {

    #[test]
    fn stored_days_read_with_the_era_and_the_western_date() {
        assert_eq!(super::format_stored_day("2022-10-05"), "令和4年10月5日（2022-10-05）");
        assert_eq!(super::format_stored_day("2019-04-30"), "平成31年4月30日（2019-04-30）");
        assert_eq!(super::format_stored_day("不明"), "不明");
    }

    #[test]
    fn stored_timestamps_read_in_japan_time_with_the_era() {
        assert_eq!(super::format_timestamp_jst("2026-11-22T15:09:29Z"), "令和8年11月23日 00:09");
        assert_eq!(super::format_timestamp_jst("2022-10-12T01:02:03.456789Z"), "令和4年10月12日 10:02");
        // The last minute of 平成 in Japan; one minute later it is 令和元年.
        assert_eq!(super::format_timestamp_jst("2019-04-30 14:59:00"), "平成31年4月30日 23:59");
        assert_eq!(super::format_timestamp_jst("2019-04-30T15:00:00Z"), "令和元年5月1日 00:00");
        assert_eq!(super::format_timestamp_jst("昨日"), "昨日", "anything else is shown as it is");
    }

    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_are_read_as_their_first_day() {
        for input in ["2023-03", "2023/3", "2023.03", "2023年3月", "令和5年3月", "R5.3", "Ｒ５．３", "２０２３年 ３月"]
        {
            assert_eq!(parse_month(input), Ok(date(2023, 3, 1)), "{input}");
        }
        assert_eq!(parse_month("令和元年5月"), Ok(date(2019, 5, 1)));
    }

    #[test]
    fn impossible_months_say_so_with_the_text_typed() {
        assert_eq!(parse_month("2023-13"), Err(InvalidDate::Impossible("2023-13".into())));
        assert_eq!(parse_month("2023"), Err(InvalidDate::Unrecognized("2023".into())));
        assert_eq!(parse_month("2023-03-01"), Err(InvalidDate::Unrecognized("2023-03-01".into())));
        assert_eq!(parse_month(" "), Err(InvalidDate::Empty(" ".into())));
        assert!(matches!(parse_month("平成31年5月"), Err(InvalidDate::OutsideEra { .. })));
    }

    #[test]
    fn dates_are_written_in_their_era() {
        let cases = [
            (date(2021, 3, 31), "令和3年3月31日"),
            (date(2022, 9, 1), "令和4年9月1日"),
            (date(2020, 1, 1), "令和2年1月1日"),
            (date(1990, 1, 1), "平成2年1月1日"),
            (date(1989, 12, 31), "平成元年12月31日"),
            (date(1927, 1, 1), "昭和2年1月1日"),
            (date(1926, 12, 31), "昭和元年12月31日"),
            (date(2118, 1, 1), "令和100年1月1日"),
        ];
        for (d, expected) in cases {
            assert_eq!(format_wareki(d), expected, "{d}");
        }
    }

    #[test]
    fn every_era_boundary_is_formatted_on_the_right_side() {
        let cases = [
            (date(1926, 12, 24), "1926年12月24日"),
            (date(1926, 12, 25), "昭和元年12月25日"),
            (date(1989, 1, 7), "昭和64年1月7日"),
            (date(1989, 1, 8), "平成元年1月8日"),
            (date(2019, 4, 30), "平成31年4月30日"),
            (date(2019, 5, 1), "令和元年5月1日"),
        ];
        for (d, expected) in cases {
            assert_eq!(format_wareki(d), expected, "{d}");
        }
    }

    #[test]
    fn dates_before_showa_fall_back_to_the_western_calendar() {
        assert_eq!(format_wareki(date(1920, 1, 1)), "1920年1月1日");
        assert_eq!(format_wareki_with_western(date(1920, 1, 1)), "1920年1月1日（1920-01-01）");
    }

    #[test]
    fn the_western_date_follows_in_full_width_parentheses() {
        assert_eq!(format_wareki_with_western(date(2021, 3, 31)), "令和3年3月31日（2021-03-31）");
        assert_eq!(format_wareki_with_western(date(2019, 5, 1)), "令和元年5月1日（2019-05-01）");
    }

    #[test]
    fn dates_are_parsed_in_every_layout_people_type() {
        let cases = [
            ("2022-09-01", date(2022, 9, 1)),
            ("2022/9/1", date(2022, 9, 1)),
            ("2022.9.1", date(2022, 9, 1)),
            ("2022年9月1日", date(2022, 9, 1)),
            ("2022年09月01日", date(2022, 9, 1)),
            ("令和4年9月1日", date(2022, 9, 1)),
            ("令和元年5月1日", date(2019, 5, 1)),
            ("令和1年5月1日", date(2019, 5, 1)),
            ("R4.9.1", date(2022, 9, 1)),
            ("r4.9.1", date(2022, 9, 1)),
            ("R04/09/01", date(2022, 9, 1)),
            ("R元.5.1", date(2019, 5, 1)),
            ("R4-9-1", date(2022, 9, 1)),
            ("R4年9月1日", date(2022, 9, 1)),
            ("Ｒ４．９．１", date(2022, 9, 1)),
            ("ｒ４／９／１", date(2022, 9, 1)),
            ("H31.4.30", date(2019, 4, 30)),
            ("平成31年4月30日", date(2019, 4, 30)),
            ("㍻31年4月30日", date(2019, 4, 30)),
            ("㋿4年9月1日", date(2022, 9, 1)),
            ("昭和64年1月7日", date(1989, 1, 7)),
            ("S64.1.7", date(1989, 1, 7)),
            ("㍼64年1月7日", date(1989, 1, 7)),
            ("２０２２年９月１日", date(2022, 9, 1)),
            ("２０２２－０９－０１", date(2022, 9, 1)),
            ("2022−09−01", date(2022, 9, 1)),
            ("  2022-09-01  ", date(2022, 9, 1)),
            ("令和 4年 9月 1日", date(2022, 9, 1)),
            ("　令和４年９月１日　", date(2022, 9, 1)),
            ("1920年1月1日", date(1920, 1, 1)),
            ("令和100年1月1日", date(2118, 1, 1)),
            ("2024-02-29", date(2024, 2, 29)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_date(input), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn a_trailing_weekday_is_accepted_when_it_is_the_dates() {
        let cases = [
            ("2022年9月1日（木）", date(2022, 9, 1)),
            ("2022年9月1日(木)", date(2022, 9, 1)),
            ("令和4年9月1日 (木)", date(2022, 9, 1)),
            ("R4.9.1(木曜日)", date(2022, 9, 1)),
            ("2022/9/1（木曜）", date(2022, 9, 1)),
            ("2022年9月4日（日）", date(2022, 9, 4)),
            ("2022年9月19日（月・祝）", date(2022, 9, 19)),
            ("2022年9月19日(祝)", date(2022, 9, 19)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_date(input), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn a_weekday_that_is_not_the_dates_is_refused_and_the_real_one_named() {
        let err = parse_date("2022年9月1日（金）").unwrap_err();
        assert_eq!(
            err,
            InvalidDate::WrongWeekday {
                input: "2022年9月1日（金）".to_owned(),
                date: "令和4年9月1日（2022-09-01）".to_owned(),
                weekday: "木",
            }
        );
        assert!(err.to_string().contains("木曜日です"), "{err}");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for input in ["2021-02-30", "令和3年2月30日", "2022-13-01", "2022/0/1", "2022-09-00", "2023-02-29", "H31.4.31"]
        {
            assert_eq!(parse_date(input), Err(InvalidDate::Impossible(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn unreadable_text_is_refused_and_names_the_input() {
        for input in [
            "yesterday",
            "20220901",
            "22/9/1",
            "2022-9/1",
            "2022-09-01-01",
            "2022年9月",
            "2022年9月1",
            "9月1日",
            "令和2022年9月1日",
            "令和1234年1月1日",
            "元年5月1日",
            "2022元年5月1日",
            "M45.7.29",
            "T1.8.1",
            "2022-09-01(木",
            "2022-09-01(ア)",
            "2022-09-001",
            "+2022-09-01",
            "2022-+9-01",
        ] {
            assert_eq!(parse_date(input), Err(InvalidDate::Unrecognized(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn empty_input_is_refused() {
        for input in ["", "  ", "　"] {
            assert_eq!(parse_date(input), Err(InvalidDate::Empty(input.to_owned())), "{input:?}");
        }
    }

    #[test]
    fn era_year_zero_is_refused() {
        for (input, era) in [("令和0年5月1日", "令和"), ("R0.5.1", "令和"), ("H00.1.8", "平成")] {
            assert_eq!(parse_date(input), Err(InvalidDate::EraYearZero { input: input.to_owned(), era }), "{input:?}");
        }
        let message = parse_date("令和0年5月1日").unwrap_err().to_string();
        assert!(message.contains("元年（1年）から"), "{message}");
    }

    #[test]
    fn every_era_boundary_is_parsed_on_the_right_side() {
        let accepted = [
            ("昭和元年12月25日", date(1926, 12, 25)),
            ("昭和64年1月7日", date(1989, 1, 7)),
            ("平成元年1月8日", date(1989, 1, 8)),
            ("平成31年4月30日", date(2019, 4, 30)),
            ("令和元年5月1日", date(2019, 5, 1)),
            ("1989-01-07", date(1989, 1, 7)),
            ("1989-01-08", date(1989, 1, 8)),
            ("2019-04-30", date(2019, 4, 30)),
            ("2019-05-01", date(2019, 5, 1)),
        ];
        for (input, expected) in accepted {
            assert_eq!(parse_date(input), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn era_years_past_their_era_are_refused_naming_the_right_era() {
        let cases = [
            ("平成31年5月1日", "平成", "平成元年1月8日から平成31年4月30日まで", "令和元年5月1日"),
            ("H31.5.1", "平成", "平成元年1月8日から平成31年4月30日まで", "令和元年5月1日"),
            ("平成32年1月1日", "平成", "平成元年1月8日から平成31年4月30日まで", "令和2年1月1日"),
            ("令和元年4月30日", "令和", "令和元年5月1日から", "平成31年4月30日"),
            ("昭和64年1月8日", "昭和", "昭和元年12月25日から昭和64年1月7日まで", "平成元年1月8日"),
            ("平成元年1月7日", "平成", "平成元年1月8日から平成31年4月30日まで", "昭和64年1月7日"),
            ("昭和元年12月24日", "昭和", "昭和元年12月25日から昭和64年1月7日まで", "1926年12月24日"),
        ];
        for (input, era, span, actual) in cases {
            assert_eq!(
                parse_date(input),
                Err(InvalidDate::OutsideEra {
                    input: input.to_owned(),
                    era,
                    span: span.to_owned(),
                    actual: actual.to_owned()
                }),
                "{input:?}"
            );
        }
        let message = parse_date("平成31年5月1日").unwrap_err().to_string();
        assert!(message.contains("「令和元年5月1日」と入力してください"), "{message}");
        assert!(message.contains("\"平成31年5月1日\""), "{message}");
    }

    #[test]
    fn every_error_message_is_japanese_and_quotes_the_input() {
        for input in ["", "yesterday", "2021-02-30", "令和0年1月1日", "平成31年5月1日", "2022年9月1日（金）"]
        {
            let message = parse_date(input).unwrap_err().to_string();
            assert!(message.contains(&format!("{input:?}")), "{message}");
            assert!(message.contains("ください"), "{message}");
        }
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let first = date(1900, 1, 1).num_days_from_ce();
        let last = date(2200, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap())
    }

    proptest! {
        #[test]
        fn parsing_format_wareki_gives_the_date_back(d in any_date()) {
            prop_assert_eq!(parse_date(&format_wareki(d)), Ok(d));
        }

        #[test]
        fn parsing_iso_and_slashed_dates_gives_the_date_back(d in any_date()) {
            prop_assert_eq!(parse_date(&d.to_string()), Ok(d));
            prop_assert_eq!(parse_date(&format!("{}/{}/{}", d.year(), d.month(), d.day())), Ok(d));
        }

        #[test]
        fn a_date_with_its_own_weekday_parses(d in any_date()) {
            let text = format!("{}（{}）", format_wareki(d), weekday_kanji(d.weekday()));
            prop_assert_eq!(parse_date(&text), Ok(d));
        }

        #[test]
        fn the_era_year_of_a_formatted_date_is_never_zero(d in any_date()) {
            let text = format_wareki(d);
            prop_assert!(!text.contains("和0年") && !text.contains("成0年"), "{}", text);
        }
    }
}
