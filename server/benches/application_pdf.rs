//! Subsidy application packages (交付申請書, 領収書内訳書, 完了報告書: two A4 pages) rendered to
//! PDF per second (release build) with the shipped form template and font. Goal: ≥ 200/s.
//!
//! Two cases: the same application again and again (the font subset comes from the cache after
//! the first), and a different facility every time, whose name and address bring new kanji, so
//! every document is subset and compressed afresh.
//!
//! `cargo bench -p server --bench application_pdf`; the figures go in BENCHMARKS.md.

use server::pdf::{APPLICATION_FORM, Form, FormValues, render_form};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Kanji for facility names and addresses that differ from one application to the next.
const KANJI: &str = "青森岩手宮城秋田山形福島茨城栃木群馬埼玉千葉東京神奈川新潟富山石川福井梨長野岐阜静岡愛知三重滋賀京都大阪兵庫奈良和歌鳥取島根岡広口徳香媛高知佐賀熊本分崎鹿児沖縄札幌函館旭川釧路帯広北見苫小牧室蘭弘前八戸盛仙台郡会津若松水戸日立土浦宇都宮前橋桐生川越所沢浦和船橋柏市原八王子町田横須賀藤沢相模湘南長岡上越高岡金沢敦賀甲府松本諏訪飯田大垣浜松沼津豊橋岡崎春井四日津彦根舞鶴堺姫路尼伊丹西宮橘坂出今治宿毛久留米筑紫佐世保諫早八代都城延岡霧国分那覇宜野湾名護桜梅杉栄幸泉緑";

fn row(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A realistic application: 15 receipt lines, three notes, a long name and address.
fn application(facility_name: &str, address: &str) -> FormValues {
    let fields = [
        ("applied_on", "令和6年4月10日（2024-04-10）"),
        ("facility_name", facility_name),
        ("facility_code", "1312345678"),
        ("facility_type", "病院"),
        ("prefecture", "東京都"),
        ("address", address),
        ("founder", "医療法人社団 健康会 理事長 山田 太郎"),
        ("scheme_name", "医療提供体制設備整備交付金（オンライン資格確認等システム導入）令和4年度補正"),
        ("scheme_source", "厚生労働省 保険局「オンライン資格確認等の補助金について」 seeds/001_03434e09f67b16ae.txt"),
        ("route", "病院（顔認証付きカードリーダー3台）、令和5年3月31日までに導入完了"),
        ("rate", "1/2"),
        ("cap", "2,100,000円"),
        ("readers", "3台"),
        ("total_cost", "4,389,000円"),
        ("eligible_cost", "3,960,000円"),
        ("subsidy", "1,050,000円"),
        ("self_burden", "3,339,000円"),
        ("reader_applied_on", "令和4年11月20日（2022-11-20）"),
        ("vendor_contract_on", "令和4年12月1日（2022-12-01）"),
        ("completed_on", "令和5年3月1日（2023-03-01）"),
        ("operation_started_on", "令和5年3月6日（2023-03-06）"),
        ("paid_on", "令和5年3月31日（2023-03-31）"),
        ("grace", "なし"),
        ("complete_by", "令和5年3月31日（2023-03-31）"),
        ("complete_met", "期限内"),
        ("apply_by", "令和6年9月30日（2024-09-30）"),
        ("apply_met", "期限内"),
        ("vendor", "株式会社ヘルスケアシステムズ 東日本支社"),
        ("subtotal", "3,990,000円"),
        ("tax", "399,000円"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let items = [
        ("ハードウェア", "オンライン資格確認端末（デスクトップPC、モニター一体型）", "対象", "330,000円"),
        ("ハードウェア", "顔認証付きカードリーダー（支払基金から無償提供）", "対象外", "0円"),
        ("ハードウェア", "ルーター・VPN装置（IP-VPN接続用）", "対象", "198,000円"),
        ("ソフトウェア", "資格確認端末用アプリケーション導入", "対象", "264,000円"),
        ("ソフトウェア", "レセプトコンピュータ改修（オンライン資格確認連携）", "対象", "880,000円"),
        ("ソフトウェア", "電子カルテシステム改修（薬剤情報・特定健診情報閲覧）", "対象", "990,000円"),
        ("ネットワーク", "院内LAN配線工事（受付・診察室3室）", "対象", "165,000円"),
        ("ネットワーク", "回線契約初期費用", "対象", "33,000円"),
        ("作業", "資格確認端末セットアップ・動作確認", "対象", "220,000円"),
        ("作業", "顔認証付きカードリーダー設置調整（3台）", "対象", "132,000円"),
        ("作業", "職員向け操作説明会（2回）", "対象", "88,000円"),
        ("保守", "システム保守（初年度）", "対象外", "330,000円"),
        ("保守", "ハードウェア延長保証（5年）", "対象外", "99,000円"),
        ("その他", "交通費・諸経費", "対象", "55,000円"),
        ("その他", "値引き", "対象", "−395,000円"),
    ];
    let lines = items
        .iter()
        .enumerate()
        .map(|(i, (category, description, eligible, amount))| {
            let no = (i + 1).to_string();
            row(&[
                ("no", &no),
                ("category", category),
                ("description", description),
                ("eligible", eligible),
                ("amount", amount),
            ])
        })
        .collect();
    let breakdown = vec![
        row(&[("category", "ハードウェア"), ("eligibility", "補助対象"), ("amount", "528,000円")]),
        row(&[("category", "ソフトウェア"), ("eligibility", "補助対象"), ("amount", "2,134,000円")]),
        row(&[("category", "ネットワーク・作業"), ("eligibility", "補助対象"), ("amount", "638,000円")]),
        row(&[("category", "保守"), ("eligibility", "補助対象外（運用経費）"), ("amount", "429,000円")]),
        row(&[("category", "その他"), ("eligibility", "補助対象（値引き後）"), ("amount", "−340,000円")]),
    ];
    let notes = vec![
        row(&[(
            "text",
            "顔認証付きカードリーダーは社会保険診療報酬支払基金より無償提供を受けたため、補助対象経費に含めていない。",
        )]),
        row(&[("text", "保守費用は運用経費のため補助対象外とした。")]),
        row(&[("text", "領収書の写しを添付する。")]),
    ];
    let tables = [("lines", lines), ("breakdown", breakdown), ("notes", notes)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    FormValues { fields, tables }
}

/// Page objects in a PDF: `/Type /Page` (lopdf writes `/Type/Page`), not `/Pages`.
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

fn main() {
    let form = Form::parse(APPLICATION_FORM).expect("form template");
    let kanji: Vec<char> = KANJI.chars().collect();
    // A different facility each time: three kanji of the name and four of the address move on.
    let facility = |i: usize| {
        let pick = |offset: usize, n: usize| -> String {
            (0..n).map(|k| kanji[(i * 7 + offset + k * 13) % kanji.len()]).collect()
        };
        (
            format!("医療法人社団 {}会 {}総合病院 附属{}クリニック", pick(0, 2), pick(3, 2), pick(5, 1)),
            format!("東京都世田谷区{}三丁目二十五番十二号 {}メディカルビル二階", pick(11, 2), pick(17, 2)),
        )
    };
    let same = application(
        "医療法人社団 健康会 さくら台総合病院 附属ファミリークリニック",
        "東京都世田谷区桜丘三丁目二十五番十二号 さくら台メディカルビル二階",
    );
    let sample = render_form("交付申請書", &form, &same).expect("pdf");
    assert_eq!(pages(&sample), 2, "the application is two pages");
    let budget = Duration::from_secs(3);

    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget {
        black_box(render_form("交付申請書", &form, black_box(&same)).expect("pdf"));
        n += 1;
    }
    let per_second = f64::from(n) / start.elapsed().as_secs_f64();
    println!("application, 2 pages, the same one again: {per_second:.0} PDFs/s ({} bytes each)", sample.len());

    // Values are built before the clock starts: only rendering is measured.
    let others: Vec<FormValues> = (0..4000)
        .map(|i| {
            let (name, address) = facility(i);
            application(&name, &address)
        })
        .collect();
    let (mut n, mut bytes) = (0usize, 0usize);
    let start = Instant::now();
    while start.elapsed() < budget && n < others.len() {
        let pdf = render_form("交付申請書", &form, black_box(&others[n])).expect("pdf");
        debug_assert_eq!(pages(&pdf), 2);
        bytes += pdf.len();
        n += 1;
    }
    let per_second = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "application, 2 pages, a different facility each time: {per_second:.0} PDFs/s ({} bytes on average)",
        bytes / n.max(1)
    );
}
