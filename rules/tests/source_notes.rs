//! Every source note of the rules' constants, the scheme catalog and the seed data reads as a
//! register entry's short form, with no file name, no developer word and no English sentence.

use rules::sources::resolve;

/// Rules' source files whose string literals carry source notes (code before its tests).
const RULE_FILES: [(&str, &str); 9] = [
    ("subsidy.rs", include_str!("../src/subsidy.rs")),
    ("provisioning.rs", include_str!("../src/provisioning.rs")),
    ("application.rs", include_str!("../src/application.rs")),
    ("payback.rs", include_str!("../src/payback.rs")),
    ("scheme.rs", include_str!("../src/scheme.rs")),
    ("grace.rs", include_str!("../src/grace.rs")),
    ("audit/mod.rs", include_str!("../src/audit/mod.rs")),
    ("audit/benchmarks.rs", include_str!("../src/audit/benchmarks.rs")),
    ("audit/flags.rs", include_str!("../src/audit/flags.rs")),
];

/// Seed and catalog files whose `source` fields are notes.
const DATA_FILES: [(&str, &str); 9] = [
    ("schemes.json", include_str!("../data/schemes.json")),
    ("categories.json", include_str!("../data/categories.json")),
    ("benchmarks.json", include_str!("../../seed/benchmarks.json")),
    ("adoption_stats.json", include_str!("../../seed/adoption_stats.json")),
    ("adoption_rates.json", include_str!("../../seed/adoption_rates.json")),
    ("usage_stats.json", include_str!("../../seed/usage_stats.json")),
    ("vendors.json", include_str!("../../seed/vendors.json")),
    ("reader_makers.json", include_str!("../../seed/reader_makers.json")),
    ("blocker_reasons.json", include_str!("../../seed/blocker_reasons.json")),
];

/// Words that mark a literal as a source note (or a text that cites one).
const NOTE_MARKERS: [&str; 9] =
    ["seeds/", "消費税法", "domain.md", "中医協", "保団連", "答弁書", "東海北陸厚生局", "医療保険部会", "issue "];

fn string_literals(code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut chars = line.chars();
        while chars.by_ref().any(|c| c == '"') {
            let mut literal = String::new();
            let mut escaped = false;
            for c in chars.by_ref() {
                match (c, escaped) {
                    ('"', false) => break,
                    ('\\', false) => escaped = true,
                    _ => {
                        literal.push(c);
                        escaped = false;
                    }
                }
            }
            out.push(literal);
        }
    }
    out
}

fn json_sources(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match v {
                    serde_json::Value::String(s) if key == "source" || key.ends_with("_source") => out.push(s.clone()),
                    _ => json_sources(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_sources(v, out)),
        _ => {}
    }
}

fn every_note() -> Vec<(String, String)> {
    let mut notes: Vec<(String, String)> = Vec::new();
    for (file, code) in RULE_FILES {
        for literal in string_literals(code) {
            if NOTE_MARKERS.iter().any(|m| literal.contains(m)) {
                notes.push((file.to_owned(), literal));
            }
        }
    }
    for (file, json) in DATA_FILES {
        let mut found = Vec::new();
        json_sources(&serde_json::from_str(json).expect(file), &mut found);
        assert!(!found.is_empty(), "{file} has no source notes");
        notes.extend(found.into_iter().map(|n| (file.to_owned(), n)));
    }
    notes.sort();
    notes.dedup();
    notes
}

/// Three or more English words in a row (letters only, separated by spaces).
fn english_run(text: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for word in text.split([' ', '\u{3000}']) {
        if !word.is_empty()
            && word.chars().all(|c| c.is_ascii_alphabetic() || ".,'-".contains(c))
            && word.chars().any(|c| c.is_ascii_alphabetic())
        {
            run.push(word);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

fn leak(text: &str) -> Option<String> {
    for bad in [".txt", ".md", ".json", ".rs", "seeds", "domain", "issue", "_"] {
        if text.contains(bad) {
            return Some(bad.to_owned());
        }
    }
    english_run(text)
}

#[test]
fn every_source_note_reads_as_a_register_entry_without_file_names_or_english_notes() {
    let notes = every_note();
    assert!(notes.len() > 40, "only {} notes found", notes.len());
    let mut problems = Vec::new();
    for (file, note) in &notes {
        let citation = resolve(note);
        if citation.sources().is_empty() {
            problems.push(format!("{file}: resolves to no register entry: {note}"));
        }
        if let Some(text) = citation.text()
            && let Some(bad) = leak(&text)
        {
            problems.push(format!("{file}: 「{bad}」 in {text:?} (from {note:?})"));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_leak_check_itself_finds_file_names_and_english_sentences() {
    assert!(leak("seeds/002_5f7084ac66d79285.txt").is_some());
    assert!(leak("attribution inferred from the text").is_some());
    assert_eq!(leak("厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）"), None);
    assert_eq!(leak("Onshi の目安"), None);
}

#[test]
fn the_output_of_every_note_is_shown_for_review() {
    for (file, note) in every_note() {
        println!("{file}\n  {note}\n  => {:?}", resolve(&note).text());
    }
}
