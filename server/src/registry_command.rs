//! `onshi registry import FILE...` and `onshi registry lookup CODE`: the registry of insured
//! facilities from the 地方厚生局's published lists.

use crate::config::{RegistryCommand, RegistryImportArgs, RegistryLookupArgs};
use app::api::dashboard::{prefecture_name, type_label};
use app::api::registry::{ImportSummary, RegistryRecord};
use app::ssr::db::registry::HistoryRow;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

const CANNOT_READ: u8 = 2;

/// Runs `registry import` or `registry lookup`.
pub fn main(command: &RegistryCommand) -> ExitCode {
    match command {
        RegistryCommand::Import(args) => import(args),
        RegistryCommand::Lookup(args) => lookup(args),
    }
}

/// Reads the files: every list's facilities, and every refused row; a file that cannot be read
/// at all is one refused line naming it (row 0). Workbooks are abandoned when `stop` is raised.
pub fn read_files(files: &[(String, Vec<u8>)], stop: &quote_reader::Stop) -> registry_reader::ReadList {
    let limits = registry_reader::Limits::default();
    let mut all = registry_reader::ReadList::default();
    for (name, bytes) in files {
        match registry_reader::read_file_with_stop(name, bytes, &limits, stop) {
            Ok(list) => {
                all.entries.extend(list.entries);
                all.refused.extend(list.refused);
                all.lists.extend(list.lists);
            }
            Err(e) => all.refused.push(registry_reader::Refused {
                file: name.clone(),
                sheet: String::new(),
                row: 0,
                code: String::new(),
                reason: e.to_string(),
            }),
        }
    }
    all.without_duplicates()
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let limit = registry_reader::Limits::default().max_bytes;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| format!("{}: ファイルを開けません: {e}", path.display()))?;
    Ok(bytes)
}

fn import(args: &RegistryImportArgs) -> ExitCode {
    let mut files = Vec::with_capacity(args.files.len());
    let mut unreadable = Vec::new();
    for path in &args.files {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match read_bytes(path) {
            Ok(bytes) => files.push((name, bytes)),
            Err(reason) => unreadable.push(registry_reader::Refused {
                file: name,
                sheet: String::new(),
                row: 0,
                code: String::new(),
                reason,
            }),
        }
    }
    let mut read = read_files(&files, &quote_reader::Stop::new());
    drop(files);
    read.refused.splice(0..0, unreadable);
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let summary = if read.entries.is_empty() {
        // Nothing to write: the database is not touched.
        ImportSummary { read: read.rows_read(), refused: read.refused.clone(), ..ImportSummary::default() }
    } else {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("onshi registry import: cannot start the async runtime: {e}");
                return ExitCode::from(CANNOT_READ);
            }
        };
        let entries: Vec<rules::registry::RegistryEntry> = read
            .entries
            .into_iter()
            .map(|l| rules::registry::RegistryEntry { as_of: l.entry.as_of.or(args.as_of), ..l.entry })
            .collect();
        let written = runtime.block_on(async {
            let prepared = crate::startup::prepare_database(&args.db.db, crate::startup::DemoChoice::Undecided)
                .await
                .map_err(|e| e.to_string())?;
            let actor = app::ssr::audit_log::Actor::cli();
            let summary = app::ssr::db::registry::import(&prepared.pool, &actor, &names, &entries, &read.refused)
                .await
                .map_err(|e| format!("書き込めませんでした（何も変更していません）: {e}"))?;
            prepared.pool.close().await;
            Ok::<_, String>(summary)
        });
        match written {
            Ok(summary) => summary,
            Err(e) => {
                eprintln!("onshi registry import: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    if args.json {
        println!("{}", summary_json(&summary));
    } else {
        print!("{}", summary_text(&summary));
    }
    if summary.imported + summary.updated + summary.unchanged + summary.older > 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("onshi registry import: 読み込める施設がありませんでした。何も変更していません");
        ExitCode::FAILURE
    }
}

/// `{"read", "imported", "updated", "unchanged", "refused": [{"file", "sheet", "row", "code", "reason"}]}`,
/// with `gone`, `older` and `import_id` beside them.
pub fn summary_json(summary: &ImportSummary) -> String {
    serde_json::to_string(summary).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn summary_text(summary: &ImportSummary) -> String {
    let mut out = format!(
        "読み込んだ行: {}\n新しく登録: {}\n更新: {}\n変更なし: {}\n一覧から消えた施設（廃止等の可能性）: {}\n",
        summary.read, summary.imported, summary.updated, summary.unchanged, summary.gone
    );
    if summary.older > 0 {
        out.push_str(&format!("より新しい一覧で登録済みのため変更しなかった施設: {}\n", summary.older));
    }
    out.push_str(&format!("読み込めなかった行: {}\n", summary.refused.len()));
    for r in &summary.refused {
        let place = match (r.sheet.is_empty(), r.row) {
            (_, 0) => r.file.clone(),
            (true, row) => format!("{} {row}行目", r.file),
            (false, row) => format!("{} シート「{}」 {row}行目", r.file, r.sheet),
        };
        let code = if r.code.is_empty() { String::new() } else { format!(" [{}]", r.code) };
        out.push_str(&format!("  {place}{code}: {}\n", r.reason));
    }
    out
}

fn lookup(args: &RegistryLookupArgs) -> ExitCode {
    let code = match rules::FacilityCode::parse(&args.code) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("onshi registry lookup: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match crate::cli::runtime_for_existing("registry lookup", &args.db.db) {
        Ok(rt) => rt,
        Err(e) => return e,
    };
    let found = runtime.block_on(async {
        let pool = crate::db::connect(&args.db.db).await.map_err(|e| e.to_string())?;
        crate::db::migrate(&pool).await.map_err(|e| e.to_string())?;
        let found = app::ssr::db::registry::lookup(&pool, code.as_str()).await.map_err(|e| e.to_string());
        let history = app::ssr::db::registry::history_of(&pool, code.as_str()).await.map_err(|e| e.to_string());
        pool.close().await;
        Ok::<_, String>(found?.map(|record| (record, history.unwrap_or_default())))
    });
    match found {
        Ok(Some((record, history))) => {
            if args.json {
                println!("{}", record_json(&record, &history));
            } else {
                print!("{}", record_text(&record, &history));
            }
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!(
                "onshi registry lookup: 医療機関コード {} は登録簿にありません（地方厚生局の一覧を `onshi registry import` で読み込んだか、一覧の後に指定された施設でないか確かめてください）",
                code.as_str()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("onshi registry lookup: {e}");
            ExitCode::from(CANNOT_READ)
        }
    }
}

/// The record as JSON: codes in the named fields (`"prefecture": "13"`, `"facility_type":
/// "hospital"`, `"status": "active"`), their Japanese names beside them.
pub fn record_json(r: &RegistryRecord, history: &[HistoryRow]) -> String {
    let history: Vec<serde_json::Value> =
        history.iter().map(|h| serde_json::json!({"change": h.change, "fields": h.fields, "as_of": h.as_of})).collect();
    serde_json::json!({
        "history": history,
        "code": r.code,
        "name": r.name,
        "prefecture": r.prefecture,
        "prefecture_name": prefecture_name(&r.prefecture),
        "facility_type": r.facility_type,
        "facility_type_label": type_label(&r.facility_type),
        "postal_code": r.postal_code,
        "address": r.address,
        "phone": r.phone,
        "status": r.status,
        "status_label": status_label(&r.status),
        "as_of": r.as_of,
        "gone_since": r.gone_since,
        "source": r.source,
    })
    .to_string()
}

fn record_text(r: &RegistryRecord, history: &[HistoryRow]) -> String {
    let as_of = r.as_of.as_deref().map(rules::wareki::format_stored_day).unwrap_or_else(|| "（日付なし）".to_owned());
    let mut out = format!(
        "医療機関コード: {}\n名称: {}\n都道府県: {}\n施設区分: {}\n郵便番号: {}\n所在地: {}\n電話番号: {}\n状態: {}\n",
        r.code,
        r.name,
        prefecture_name(&r.prefecture),
        type_label(&r.facility_type),
        r.postal_code,
        r.address,
        r.phone,
        status_label(&r.status)
    );
    if let Some(since) = &r.gone_since {
        out.push_str(&format!("一覧から消えた日: {}\n", rules::wareki::format_stored_day(since)));
    }
    out.push_str(&format!("一覧の日付: {as_of}\n出典: {}\n", r.source));
    if !history.is_empty() {
        out.push_str("変更の履歴（新しい順）:\n");
        for h in history {
            let what = match h.change.as_str() {
                "added" => "一覧に追加".to_owned(),
                "gone" => "一覧から削除".to_owned(),
                "returned" => "一覧に再掲".to_owned(),
                _ => format!("変更（{}）", field_labels(&h.fields)),
            };
            let day = h.as_of.as_deref().map(rules::wareki::format_stored_day).unwrap_or_default();
            out.push_str(&format!("  {day} {what}\n"));
        }
    }
    out
}

fn field_labels(fields: &str) -> String {
    fields
        .split(',')
        .map(|f| match f {
            "name" => "名称",
            "facility_type" => "施設区分",
            "postal_code" => "郵便番号",
            "address" => "所在地",
            "phone" => "電話番号",
            "status" => "状態",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("・")
}

fn status_label(code: &str) -> String {
    code.parse::<rules::registry::ListedStatus>().map_or_else(|_| code.to_owned(), |s| s.label_ja().to_owned())
}
