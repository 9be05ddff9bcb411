//! The points of the letter to the vendor: for each red flag, what the quote says, what a
//! public document or the clinic's own 目安 says, and what the clinic asks the vendor to do —
//! in polite business Japanese, one sentence builder per flag code.
//!
//! The audit page keeps its own messages, written to the clinic (「…を求めてください」); a letter
//! is written to the vendor, so its points are worded here and never taken from those messages
//! (only the arithmetic ones, which state facts, are reused).

use super::{AuditedLine, Flag, FlagCode};
use crate::FacilityType;
use crate::category::Category;

/// What the quote is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A published document says it; `source` is the rule's source note, which the caller
    /// turns into the public citation people read.
    Published {
        /// What the document says, as a sentence.
        says: String,
        /// The rule's source note.
        source: String,
    },
    /// A figure the clinic (through Onshi) chose itself, not a public one.
    OwnGuide {
        /// What the 目安 says, as a sentence.
        says: String,
        /// What the 目安 rests on.
        rests_on: String,
    },
    /// The quote's own figures do not add up: nothing to cite.
    Calculation,
}

/// One point of the letter, before the person sending it edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterPoint {
    /// The flag it comes from.
    pub code: FlagCode,
    /// Where in the quote: 「14行目「顔認証付きカードリーダー」（429,000円）」 or 「お見積り全体」.
    pub heading: String,
    /// What the quote says.
    pub quote_says: String,
    /// What it is compared with.
    pub basis: Basis,
    /// What the clinic asks the vendor to do.
    pub request: String,
}

/// Closes a request: what the vendor is asked to do after checking.
fn asking(what: &str) -> String {
    format!("ご確認のうえ、{what}いただけますようお願い申し上げます。")
}

/// How an own 目安 is introduced, so that the vendor never takes it for a public figure.
pub const OWN_GUIDE: &str = "当院が参考にしている目安（公的な基準額ではありません）";

impl LetterPoint {
    /// The point's body as the letter prints it (without its number and heading): `cite`
    /// turns a source note into the public document people read (None: nothing citable,
    /// the sentence stands without 出典).
    pub fn body(&self, cite: impl Fn(&str) -> Option<String>) -> String {
        let basis = match &self.basis {
            Basis::Published { says, source } => match cite(source) {
                Some(c) => format!("{says}（出典: {c}）"),
                None => says.clone(),
            },
            Basis::OwnGuide { says, rests_on } => format!("{says}これは{rests_on}です。"),
            Basis::Calculation => String::new(),
        };
        [self.quote_says.as_str(), basis.as_str(), self.request.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The point of the letter for `flag`, on `line` (None for the whole quote), for a facility of
/// `facility_type`.
pub fn letter_point(flag: &Flag, line: Option<&AuditedLine>, facility_type: FacilityType) -> LetterPoint {
    let e = &flag.evidence;
    let value = e.value.clone().unwrap_or_default();
    let limit = e.limit.clone().unwrap_or_default();
    let source = e.source.clone().unwrap_or_default();
    let heading = match line {
        Some(l) => {
            format!("{}行目「{}」{}", l.row, l.description, l.amount.map(|a| format!("（{a}）")).unwrap_or_default())
        }
        None => "お見積り全体".to_owned(),
    };
    let description = line.map_or("", |l| l.description.as_str());
    let category = line.map_or(Category::Other, |l| l.category);
    let amount = line.and_then(|l| l.amount).map(|a| a.to_string()).unwrap_or(value.clone());
    let (quote_says, basis, request) = match flag.code {
        FlagCode::FreeItemCharged if category == Category::CardReader => {
            let quantity = line.and_then(|l| l.quantity).map(|q| q.normalize().to_string()).unwrap_or("1".into());
            (
                format!("お見積りでは、顔認証付きカードリーダー{quantity}台分として{amount}が計上されています。"),
                Basis::Published {
                    says: format!(
                        "顔認証付きカードリーダーは、{}には{}台まで社会保険診療報酬支払基金から無償で提供されることとされています。",
                        facility_type.label_ja(),
                        facility_type.free_readers()
                    ),
                    source,
                },
                asking("無償で提供される台数分を除いたお見積りをご提示"),
            )
        }
        FlagCode::FreeItemCharged => (
            format!("お見積りでは、「{description}」として{amount}が計上されています。"),
            Basis::Published {
                says: "資格確認端末のアプリケーションは、社会保険診療報酬支払基金から無償で提供（ダウンロード）されることとされています。".into(),
                source,
            },
            asking("この費用の内容をお示しいただくか、お見積りから除いて"),
        ),
        FlagCode::IneligibleRunningCost => (
            format!("お見積りでは、{}（{amount}）が導入費用と同じお見積りに含まれています。", category.label_ja()),
            Basis::Published {
                says: "補助の対象は導入にかかる費用であり、保守費用や回線使用料など毎月かかる運用費用は対象外とされています。".into(),
                source,
            },
            asking("毎月の運用費用を導入費用（初期費用）と分けて記載したお見積りをご提示"),
        ),
        FlagCode::AboveBenchmark => {
            let what = if super::priced_per_unit(category) { "単価" } else { "金額" };
            let quote_says = format!("お見積りでは、この項目の{what}が{value}となっています。");
            let basis = match e.fence {
                Some(fence) => Basis::OwnGuide {
                    says: format!(
                        "同じ種類の医療機関の確定済みのお見積り{}件の{}の価格と比べて大きく高く、{OWN_GUIDE}の上限{}を超えています。",
                        fence.peers,
                        category.label_ja(),
                        fence.upper
                    ),
                    rests_on: "同種の見積りの価格の分布から求めた上限".into(),
                },
                None if e.assumption => Basis::OwnGuide {
                    says: format!("{OWN_GUIDE}では、{}の上限を{limit}としています。", e.text),
                    rests_on: "公表資料に金額の目安が示されていないため、市場価格と補助の上限額をもとに置いた目安".into(),
                },
                None => Basis::Published {
                    says: format!("公表資料に示された目安（{}）の上限は{limit}です。", e.text),
                    source,
                },
            };
            (quote_says, basis, asking("価格の内訳と根拠をお示しいただくか、見直したお見積りをご提示"))
        }
        // The audit marks hours written in the quote High, hours implied by an hourly rate
        // Medium (see `labour_flags`).
        FlagCode::LaborOverObservedMax => (
            if flag.severity == super::Severity::High {
                format!("お見積りでは、{}の作業時間が合計{value}とされています。", category.label_ja())
            } else {
                format!(
                    "お見積りの金額{amount}を、当院が参考にしている作業の時間単価（公的な基準額ではありません）で換算すると、約{value}の作業に当たります。"
                )
            },
            Basis::Published {
                says: format!("厚生労働省の調査で観測された{}は、最長でも{limit}でした。", observed(&e.text)),
                // The hourly rate's own note follows the survey's: only the survey is cited.
                source: source.split(';').next().unwrap_or_default().trim().to_owned(),
            },
            asking("作業内容ごとの作業時間と単価の内訳をお示し"),
        ),
        FlagCode::LumpSumOpaque => (
            format!("お見積りでは、「{description}」が一式{amount}として計上されており、内訳の記載がありません。"),
            Basis::Published {
                says: "補助金の交付申請では、領収書とともに領収書内訳書の提出が求められています。".into(),
                source: "医療機関等向け総合ポータルサイト FAQ「オンライン資格確認関係補助金申請について」".into(),
            },
            asking("作業内容・作業時間・単価の内訳をお示し"),
        ),
        FlagCode::NearSubsidyCap => (
            format!("お見積りの補助対象経費（税込）は{value}で、補助の上限となる{}に近い金額となっています。", e.text),
            Basis::Published { says: "補助の上限となる事業額は、公表資料で施設の種類ごとに定められています。".into(), source },
            asking("作業内容に応じた金額であることがわかる内訳をお示し"),
        ),
        FlagCode::ArithmeticMismatch => (
            format!("お見積りでは、{}", flag.message),
            Basis::Calculation,
            asking("金額を訂正したお見積りをご提示"),
        ),
        FlagCode::TaxMismatch => (
            format!("お見積りでは、{}", flag.message),
            Basis::Published { says: "消費税の税率は10%（消費税7.8%、地方消費税2.2%）です。".into(), source },
            asking("消費税額を訂正したお見積りをご提示"),
        ),
        FlagCode::DuplicateLine => (
            format!("お見積りでは、{}と同じ品名・金額（{value}）の行が重ねて計上されています。", e.text),
            Basis::Calculation,
            asking("二重に計上されていないかをお確かめいただき、必要に応じて訂正"),
        ),
    };
    LetterPoint { code: flag.code, heading, quote_says, basis, request }
}

/// The survey's part of a labour flag's evidence (「現地作業の最長時間（…）」), without the
/// hourly rate named before it.
fn observed(text: &str) -> &str {
    text.find("現地作業").map_or(text, |i| &text[i..])
}
