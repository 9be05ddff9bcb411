//! What people read carries no trace of the workshop: every page, PDF and CSV a demo role
//! reaches from its home page is crawled on the running server and searched for file names of
//! the repository, issue numbers, crate and project names and English developer notes; every
//! 「出典:」 shown must begin with a short form of the register (`seed/sources.json`).

use crate::helpers::{ADMIN, AUDITOR, MANAGER, REVIEWER, TestApp, pdf_text, spawn_app_with_demo_activity};
use std::collections::{BTreeMap, HashSet, VecDeque};

/// Pages of one role at most: list pages' detail links are sampled, so this is never reached
/// by the demo data; it only bounds a crawl gone wrong.
const MAX_PAGES_PER_ROLE: usize = 400;
/// Links of one shape (`/facilities/{n}`) followed per role: enough to meet every kind of page.
const PER_PATTERN: usize = 5;

/// Names of the repository's files and folders that must never reach a reader.
const FILE_NAMES: &[&str] = &["seeds/", ".txt", "domain.md", ".json", ".rs", "sources.md", "benchmarks.json"];
/// Crates and projects Onshi is built with, and its developer notes' sources.
const PROJECT_NAMES: &[&str] = &[
    "cardinal",
    "open contracting",
    "calamine",
    "leptos",
    "sqlx",
    "axum",
    "tower",
    "printpdf",
    "lopdf",
    "rust_decimal",
    "tokio",
    "serde",
    "reqwest",
    "rust",
];
/// Words in Latin letters that people use in Japanese text; they end a run of English words.
const PROPER_NAMES: &[&str] = &[
    "Onshi",
    "PDF",
    "CSV",
    "ID",
    "URL",
    "TOTP",
    "Excel",
    "JPEG",
    "PNG",
    "NTT",
    "LAN",
    "VPN",
    "PC",
    "OS",
    "IC",
    "NW",
    "ONU",
    "IQR",
    "Q1",
    "Q3",
    "Windows",
    "Pro",
    "HOPE",
    "WiseStaff",
    "Elixir",
    "Tukey",
];

/// Words that put an issue's number after them: 「see #12」.
const ISSUE_WORDS: &[&str] = &["see", "fixes", "closes", "refs", "issue", "pr"];

/// One thing found.
pub(crate) struct Leak {
    url: String,
    what: String,
    around: String,
}

#[tokio::test]
async fn no_page_pdf_or_csv_of_any_role_shows_a_file_name_an_issue_a_crate_or_an_english_note() {
    let app = spawn_app_with_demo_activity().await;
    let short_forms = short_forms();
    let (manager, reviewer, auditor, admin) = tokio::join!(
        crawl(&app, MANAGER, &short_forms),
        crawl(&app, REVIEWER, &short_forms),
        crawl(&app, AUDITOR, &short_forms),
        crawl(&app, ADMIN, &short_forms),
    );
    let mut report = Vec::new();
    for (role, (visited, leaks)) in [(MANAGER, manager), (REVIEWER, reviewer), (AUDITOR, auditor), (ADMIN, admin)] {
        assert!(visited.len() >= 8, "{role} reached only {visited:?}");
        assert!(visited.len() < MAX_PAGES_PER_ROLE, "{role}: the crawl did not end ({} pages)", visited.len());
        for leak in leaks {
            report.push(format!("{role} {}: {} … {} …", leak.url, leak.what, leak.around));
        }
    }
    report.sort();
    report.dedup();
    assert!(report.is_empty(), "{} leaks:\n{}", report.len(), report.join("\n"));
}

#[tokio::test]
async fn the_crawl_reaches_the_register_documents_and_exports_of_every_role() {
    let app = spawn_app_with_demo_activity().await;
    let short_forms = short_forms();
    let (visited, _) = crawl(&app, MANAGER, &short_forms).await;
    for must in ["/", "/reference/sources", "/reference/benchmarks", "/facilities"] {
        assert!(visited.iter().any(|u| u == must), "{must} not reached: {visited:?}");
    }
    assert!(visited.iter().any(|u| u.contains(".csv")), "no CSV reached: {visited:?}");
    assert!(visited.iter().any(|u| u.starts_with("/quotes/")), "no quote reached: {visited:?}");
    assert!(visited.iter().any(|u| u.ends_with(".zip")), "no application zip reached: {visited:?}");
    let (visited, _) = crawl(&app, AUDITOR, &short_forms).await;
    assert!(visited.iter().any(|u| u.starts_with("/dashboard")), "{visited:?}");
}

#[test]
fn the_checks_find_each_kind_of_leak_and_pass_plain_japanese() {
    let forms = vec!["厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）".to_owned()];
    let found = |text: &str| check_text("/x", text, &forms).into_iter().map(|l| l.what).collect::<Vec<_>>();
    assert!(found("出典: seeds/004_a9677b5c1fb6a8f2.txt — slide").iter().any(|w| w.contains("seeds/")));
    assert!(found("issue 4「Quote ingest and audit」").iter().any(|w| w.contains("issue")));
    assert!(found("Open Contracting の cardinal-rs に倣う").iter().any(|w| w.contains("cardinal")));
    assert!(found("備考 (attribution inferred from the text extraction)").iter().any(|w| w.contains("English")));
    assert!(found("see #12 for details").iter().any(|w| w.contains("issue")));
    assert!(found("相談 #1 が提出されました").is_empty());
    assert!(found("（#7）").iter().any(|w| w.contains("issue")));
    assert!(found("出典: 社内資料").iter().any(|w| w.contains("出典")));
    assert!(found("出典: 厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月） スライド「…」").is_empty());
    assert!(found("Onshi の目安（公的な基準額ではありません）。PDF と CSV をダウンロード").is_empty());
    let html = r#"<p title="The quick brown fox">見積</p><script>var a = "seeds/1";</script><p>出典:<a href="/x">Onshi の目安</a></p>"#;
    let text = html_text(html);
    assert!(text.contains("The quick brown fox") && !text.contains("var a"), "{text}");
}

pub(crate) fn short_forms() -> Vec<String> {
    rules::sources::register().iter().filter(|s| s.citable()).map(|s| s.short_form().to_owned()).collect()
}

/// The link's shape: digits as `{n}`, query values dropped.
pub(crate) fn pattern(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut shape = String::new();
    let mut in_number = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                shape.push_str("{n}");
            }
            in_number = true;
        } else {
            shape.push(c);
            in_number = false;
        }
    }
    let mut keys: Vec<&str> =
        query.split('&').filter_map(|kv| kv.split('=').next()).filter(|k| !k.is_empty()).collect();
    keys.sort_unstable();
    if !keys.is_empty() {
        shape.push('?');
        shape.push_str(&keys.join("&"));
    }
    shape
}

/// Links worth following: same origin, GET, and nothing that signs out or changes state.
fn followable(href: &str) -> Option<String> {
    let href = href.split('#').next()?.replace("&amp;", "&");
    if !href.starts_with('/') || href.starts_with("//") {
        return None;
    }
    let skip = ["/api/", "/assets/", "/logout", "/login", "/healthz", "/file"];
    (!skip.iter().any(|s| href.contains(s))).then_some(href)
}

/// Every page, PDF, CSV and zip a role reaches from its home page (list pages' links sampled),
/// with what leaked on them.
pub(crate) async fn crawl(app: &TestApp, email: &str, short_forms: &[String]) -> (Vec<String>, Vec<Leak>) {
    let client = app.signed_in_client(email).await;
    let mut queue = VecDeque::from(["/".to_owned()]);
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut per_pattern: BTreeMap<String, usize> = BTreeMap::new();
    let (mut visited, mut leaks) = (Vec::new(), Vec::new());
    while let Some(url) = queue.pop_front() {
        if visited.len() >= MAX_PAGES_PER_ROLE {
            break;
        }
        let res = client.get(app.url(&url)).send().await.expect("GET");
        if !res.status().is_success() {
            continue;
        }
        visited.push(url.clone());
        let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = res.bytes().await.expect("body");
        let text = if kind.starts_with("text/html") {
            let html = String::from_utf8_lossy(&body).into_owned();
            for href in hrefs(&html).into_iter().filter_map(|h| followable(&h)) {
                let shape = pattern(&href);
                let count = per_pattern.entry(shape).or_default();
                if *count < PER_PATTERN && seen.insert(href.clone()) {
                    *count += 1;
                    queue.push_back(href);
                }
            }
            html_text(&html)
        } else if kind.starts_with("application/pdf") {
            pdf_text(&body)
        } else if kind.starts_with("text/csv") {
            csv_text(&body)
        } else if kind.starts_with("application/zip") {
            for (name, text) in zip_texts(&body) {
                leaks.extend(check_text(&format!("{url} → {name}"), &text, short_forms));
            }
            continue;
        } else {
            continue;
        };
        leaks.extend(check_text(&url, &text, short_forms));
    }
    (visited, leaks)
}

/// The documents Onshi wrote into a zip (its PDFs and CSVs), each as people read it; the
/// scanned 領収書(写) are the clinic's own files, kept as uploaded, and are not Onshi's words.
fn zip_texts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("an entry");
        let name = file.name().expect("an entry name").into_owned();
        if name.contains("領収書(写)") {
            continue;
        }
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut content).expect("read the entry");
        if name.ends_with(".pdf") {
            out.push((name, pdf_text(&content)));
        } else if name.ends_with(".csv") {
            out.push((name, csv_text(&content)));
        }
    }
    out
}

/// Every `href="…"` of a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

/// What a person reads of a page: the text outside tags, scripts and styles, one element per
/// line, and the attributes people read (title, aria-label, placeholder, alt).
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let lower: String = after.chars().take(8).collect::<String>().to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            "</script>"
        } else if lower.starts_with("<style") {
            "</style>"
        } else if lower.starts_with("<!--") {
            "-->"
        } else {
            ">"
        };
        let end = after.find(skip_to).map_or(after.len(), |e| e + skip_to.len());
        if skip_to == ">" {
            for attribute in ["title=\"", "aria-label=\"", "placeholder=\"", "alt=\""] {
                for value in after[..end].split(attribute).skip(1).filter_map(|v| v.split('"').next()) {
                    out.push('\n');
                    out.push_str(value);
                }
            }
        }
        out.push('\n');
        rest = &after[end..];
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(text: &str) -> String {
    let mut out = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    while let Some(at) = out.find("&#x") {
        let Some(end) = out[at..].find(';').map(|e| at + e) else { break };
        let c = u32::from_str_radix(&out[at + 3..end], 16).ok().and_then(char::from_u32).unwrap_or('?');
        out.replace_range(at..=end, &c.to_string());
    }
    out.replace("&amp;", "&")
}

/// A CSV as people read it in a spreadsheet: Shift_JIS (CP932), or UTF-8 with its BOM; one
/// field per line.
fn csv_text(bytes: &[u8]) -> String {
    let text = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(utf8) => String::from_utf8_lossy(utf8).into_owned(),
        None => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = String::new();
    for record in reader.records().map_while(Result::ok) {
        for field in record.iter() {
            out.push_str(field);
            out.push('\n');
        }
    }
    out
}

fn around(text: &str, at: usize) -> String {
    let start = text[..at].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
    let end = text[at..].char_indices().nth(60).map_or(text.len(), |(i, _)| at + i);
    text[start..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every leak of one document's text.
fn check_text(url: &str, text: &str, short_forms: &[String]) -> Vec<Leak> {
    let mut leaks = Vec::new();
    let mut leak = |what: String, at: usize| leaks.push(Leak { url: url.to_owned(), what, around: around(text, at) });
    let lower = text.to_ascii_lowercase();
    for name in FILE_NAMES {
        if let Some(at) = lower.find(name) {
            leak(format!("file name 「{name}」"), at);
        }
    }
    for name in PROJECT_NAMES {
        if let Some(at) = find_word(&lower, name) {
            leak(format!("project name 「{name}」"), at);
        }
    }
    if let Some(at) = find_issue(&lower) {
        leak("issue reference".to_owned(), at);
    }
    for line in text.lines() {
        if let Some(run) = english_run(line) {
            let at = text.find(line).unwrap_or(0);
            leak(format!("English words 「{run}」"), at);
        }
    }
    for marker in ["出典:", "出典："] {
        for (at, _) in text.match_indices(marker) {
            // A PDF's lines break anywhere, a citation too: compared without white space.
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let after = squeeze(&text[at + marker.len()..]);
            if !short_forms.iter().any(|f| after.starts_with(&squeeze(f))) {
                leak("出典 that is not in the register".to_owned(), at);
            }
        }
    }
    leaks
}

/// A word (not part of a longer word of letters) in lower-case text.
fn find_word(lower: &str, word: &str) -> Option<usize> {
    lower.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = lower[..at].chars().next_back().is_none_or(|c| !c.is_ascii_alphabetic());
        let after = lower[at + word.len()..].chars().next().is_none_or(|c| !c.is_ascii_alphabetic());
        before && after
    })
}

/// 「issue 4」 or 「#12」 standing for an issue.
fn find_issue(lower: &str) -> Option<usize> {
    let issue = lower
        .match_indices("issue")
        .map(|(at, _)| at)
        .find(|&at| lower[at + 5..].trim_start_matches([' ', '#']).starts_with(|c: char| c.is_ascii_digit()));
    // 「相談 #1」 and 「facility_progress #5」 number records; 「(#12)」 or 「see #12」 is an issue.
    let hash = lower.match_indices('#').map(|(at, _)| at).find(|&at| {
        let before = lower[..at].trim_end();
        lower[at + 1..].starts_with(|c: char| c.is_ascii_digit())
            && (before.is_empty()
                || before.ends_with(['(', '（', '['])
                || ISSUE_WORDS.iter().any(|w| find_word(before, w).is_some_and(|i| i + w.len() == before.len())))
    });
    issue.or(hash)
}

/// Four or more English words in a row, proper names people use left out.
fn english_run(line: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for token in line.split([' ', '\u{3000}', '\t']) {
        let word = token.trim_matches(|c: char| ",.;:!?()\"'“”".contains(c));
        let english = !word.is_empty()
            && word.chars().all(|c| c.is_ascii_alphabetic() || c == '-' || c == '\'')
            && !PROPER_NAMES.contains(&word);
        if english {
            run.push(word);
            if run.len() >= 4 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}
