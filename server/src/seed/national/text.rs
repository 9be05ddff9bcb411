//! The Japanese words synthetic facilities, quote lines and complaints are made of.
//!
//! Names are composed from common surnames, clinical departments and
//! place-like words, so many will read like real facilities; any likeness is
//! chance. Every address lies in the fictional オンシ市 of its prefecture.

/// (kanji, katakana) pairs.
pub type Word = (&'static str, &'static str);

/// Common surnames.
pub const SURNAMES: [Word; 40] = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("山下", "ヤマシタ"),
    ("中島", "ナカジマ"),
    ("石井", "イシイ"),
    ("小川", "オガワ"),
    ("前田", "マエダ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"),
    ("村上", "ムラカミ"),
    ("遠藤", "エンドウ"),
    ("青木", "アオキ"),
    ("坂本", "サカモト"),
];

/// First halves of place words.
pub const PLACE_HEADS: [Word; 20] = [
    ("青葉", "アオバ"),
    ("若葉", "ワカバ"),
    ("朝日", "アサヒ"),
    ("緑", "ミドリ"),
    ("桜", "サクラ"),
    ("星", "ホシ"),
    ("泉", "イズミ"),
    ("光", "ヒカリ"),
    ("柏", "カシワ"),
    ("楓", "カエデ"),
    ("松", "マツ"),
    ("竹", "タケ"),
    ("梅", "ウメ"),
    ("白鳥", "シラトリ"),
    ("東", "ヒガシ"),
    ("西", "ニシ"),
    ("南", "ミナミ"),
    ("北", "キタ"),
    ("日向", "ヒナタ"),
    ("宮", "ミヤ"),
];

/// Second halves of place words.
pub const PLACE_TAILS: [Word; 8] = [
    ("台", "ダイ"),
    ("ヶ丘", "ガオカ"),
    ("野", "ノ"),
    ("町", "マチ"),
    ("坂", "ザカ"),
    ("浜", "ハマ"),
    ("原", "ハラ"),
    ("の森", "ノモリ"),
];

/// Clinical departments of medical clinics.
pub const DEPARTMENTS: [Word; 10] = [
    ("内科", "ナイカ"),
    ("小児科", "ショウニカ"),
    ("整形外科", "セイケイゲカ"),
    ("皮膚科", "ヒフカ"),
    ("眼科", "ガンカ"),
    ("耳鼻咽喉科", "ジビインコウカ"),
    ("外科", "ゲカ"),
    ("産婦人科", "サンフジンカ"),
    ("心療内科", "シンリョウナイカ"),
    ("泌尿器科", "ヒニョウキカ"),
];

/// Endings of medical clinics' names.
pub const CLINIC_ENDINGS: [Word; 3] = [("クリニック", "クリニック"), ("医院", "イイン"), ("診療所", "シンリョウジョ")];

/// Endings of hospitals' names (after a place word).
pub const HOSPITAL_ENDINGS: [Word; 5] = [
    ("病院", "ビョウイン"),
    ("中央病院", "チュウオウビョウイン"),
    ("総合病院", "ソウゴウビョウイン"),
    ("記念病院", "キネンビョウイン"),
    ("リハビリテーション病院", "リハビリテーションビョウイン"),
];

/// Brands of the synthetic pharmacy chains.
pub const CHAIN_BRANDS: [Word; 6] = [
    ("オンシ調剤", "オンシチョウザイ"),
    ("シカク薬局", "シカクヤッキョク"),
    ("オンシファーマシー", "オンシファーマシー"),
    ("カクニン薬局", "カクニンヤッキョク"),
    ("ミライ調剤", "ミライチョウザイ"),
    ("ヒカリドラッグ", "ヒカリドラッグ"),
];

/// The fictional city every synthetic address lies in.
pub const CITY: &str = "オンシ市";

/// What a blocker of stage "other" says.
pub const OTHER_BLOCKER_TEXTS: [&str; 4] = [
    "院内の体制整備を待っている",
    "建物の改修工事が終わってから進める予定",
    "ベンダーからの日程連絡待ち",
    "担当者の異動により引継ぎ中",
];

/// What facilities wrote about a high quote (kind high_quote).
pub const HIGH_QUOTE_COMPLAINTS: [&str; 3] = [
    "見積額が補助上限額に近く、作業内容に比べて高額と思われる。内訳の説明を求めたが回答がない。",
    "無償提供のはずの顔認証付きカードリーダーやアプリケーションが見積に計上されていた。",
    "「導入作業一式」として高額の計上があり、作業時間や内容の内訳が示されていない。",
];

/// Complaints of the other kinds: (kind code, text).
pub const OTHER_COMPLAINTS: [(&str, &str); 5] = [
    ("delay", "発注から半年以上たっても導入作業の日程が決まらない。"),
    ("misleading_explanation", "補助金で全額まかなえると説明されたが、実際には自己負担が発生した。"),
    ("model_change", "申し込んだカードリーダーの機種を、説明なく別の機種に変更された。"),
    ("other", "保守契約の締結が導入の条件だと言われた。"),
    ("misleading_explanation", "レセコン改修が必須と言われたが、必要性の説明がなかった。"),
];

/// The comment of each complaint move, by the status reached.
pub fn complaint_comment(to: rules::complaint::ComplaintStatus) -> &'static str {
    use rules::complaint::ComplaintStatus::*;
    match to {
        Submitted => "相談を提出しました",
        UnderReview => "内容を確認しています",
        Forwarded => "厚生労働省へ送付しました",
        VendorContacted => "ベンダーに見積の妥当性を確認しました",
        Resolved => "再見積により解決しました",
        NotUpheld => "確認の結果、問題は認められませんでした",
        Withdrawn => "取り下げます",
    }
}
