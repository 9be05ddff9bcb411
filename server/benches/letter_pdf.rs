//! Counter-offer letters rendered to PDF per second (release build), for a one-page and a
//! four-page letter with the shipped layout and font.
//!
//! `cargo bench -p server --bench letter_pdf`; the figures go in BENCHMARKS.md.

use server::pdf::{LETTER_LAYOUT, Layout, render};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn letter(points: usize) -> Vec<String> {
    let mut p = vec![
        "令和8年11月22日".to_owned(),
        "株式会社ヘルスケアシステムズ 御中".to_owned(),
        "オンライン資格確認の導入に係るお見積りについて（再見積のお願い）".to_owned(),
        "拝啓　時下ますますご清祥のこととお慶び申し上げます。平素は格別のお引き立てを賜り、厚く御礼申し上げます。"
            .to_owned(),
    ];
    for i in 1..=points {
        p.push(format!(
            "{i}. {}行目「顔認証付きカードリーダー」（297,000円）\n　顔認証付きカードリーダーは病院に3台まで無償で提供されます（支払基金）。\n　根拠: 見積: 297,000円 ／ 基準: 0円、出典: seeds/001_03434e09f67b16ae.txt",
            i + 10
        ));
    }
    p.push("以上".to_owned());
    p
}

fn main() {
    let layout = Layout::parse(LETTER_LAYOUT).expect("layout");
    for (name, points) in [("1 page (3 points)", 3), ("4 pages (16 points)", 16)] {
        let paragraphs = letter(points);
        let bytes = render("再見積のお願い", &layout, &paragraphs).expect("pdf");
        let budget = Duration::from_secs(3);
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < budget {
            black_box(render("再見積のお願い", &layout, black_box(&paragraphs)).expect("pdf"));
            n += 1;
        }
        let per_second = f64::from(n) / start.elapsed().as_secs_f64();
        println!("letter {name}: {per_second:.0} PDFs/s ({} bytes each)", bytes.len());
    }
}
