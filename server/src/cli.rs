//! The command line: `onshi [serve|migrate|…]`.

use crate::config::{Cli, Command, LogFormat, ServeArgs, Settings};
use crate::startup::{Application, DemoChoice, prepare_database};
use crate::telemetry;
use clap::Parser;
use std::process::ExitCode;

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Pure calculation: no runtime, no database.
    if let Some(Command::Subsidy(args)) = &cli.command {
        return match crate::subsidy_command::run(args) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("onshi subsidy: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Audit(args)) = &cli.command {
        return run_audit(args);
    }
    if let Some(Command::AuditLog(command)) = &cli.command {
        return run_audit_log(command);
    }
    if let Some(Command::DashboardTotals(command)) = &cli.command {
        return crate::dashboard_totals_command::main(command);
    }
    if let Some(Command::User(args)) = &cli.command {
        return crate::user_command::main(args);
    }
    if let Some(Command::SeedNational(args)) = &cli.command {
        return crate::seed::national::main(args);
    }
    if let Some(Command::CheckDates(args)) = &cli.command {
        return crate::check_dates_command::main(args);
    }
    if let Some(Command::Backup(args)) = &cli.command {
        return crate::backup_command::main_backup(args);
    }
    if let Some(Command::Restore(args)) = &cli.command {
        return crate::backup_command::main_restore(args);
    }
    if let Some(Command::Registry(command)) = &cli.command {
        return crate::registry_command::main(command);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("onshi: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => serve(cli.serve).await,
            Some(Command::Serve(args)) => serve(args).await,
            Some(
                Command::Subsidy(_)
                | Command::Audit(_)
                | Command::AuditLog(_)
                | Command::DashboardTotals(_)
                | Command::User(_)
                | Command::SeedNational(_)
                | Command::CheckDates(_)
                | Command::Backup(_)
                | Command::Restore(_)
                | Command::Registry(_),
            ) => Ok(()),
            Some(Command::Migrate(args)) => {
                telemetry::init(LogFormat::Text);
                // `migrate` never decides about demo data: the first `serve` does.
                prepare_database(&args.db, DemoChoice::Undecided).await.map(|prepared| {
                    drop(prepared);
                    println!("Database ready: {}", args.db.display());
                })
            }
        }
    });
    // Dropping the runtime would wait for every blocking task to return: work abandoned at the
    // end of the grace period is told to stop, and is not waited for beyond this.
    runtime.shutdown_timeout(crate::startup::RUNTIME_STOP);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "onshi stopped");
            eprintln!("onshi: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), crate::error::StartError> {
    telemetry::init(args.log_format);
    let settings = Settings::from_args(&args);
    let application = Application::build(settings.clone()).await?;
    print_banner(&application, &settings);
    application.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The start-up banner on stdout. Its first line is what scripts wait for.
fn print_banner(application: &Application, settings: &Settings) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Onshi listening on http://{}", application.local_addr());
    let _ = writeln!(out, "  データベース / database: {}", settings.db_path.display());
    if let Some(demo) = &application.prepared.demo {
        let _ = writeln!(out, "  デモデータを読み込みました / demo data loaded ({} facilities):", demo.facilities);
        for (email, role) in &demo.users {
            let _ = writeln!(out, "    {email}  ({})", role.label_ja());
        }
        match &application.prepared.generated_password {
            Some(p) => {
                let _ = writeln!(out, "  デモ利用者のパスワード / demo password: {p}");
                let _ = writeln!(out, "  (set ONSHI_DEMO_PASSWORD to choose it; shown only on this first start)");
            }
            None => {
                let _ = writeln!(out, "  デモ利用者のパスワード / demo password: ONSHI_DEMO_PASSWORD");
            }
        }
        match &application.prepared.generated_totp_secret {
            Some(s) => {
                let _ = writeln!(out, "  審査担当・監査担当・運用管理者の二要素認証 / demo TOTP secret: {s}");
                let _ = writeln!(
                    out,
                    "  (set ONSHI_DEMO_TOTP_SECRET to choose it; shown only on this first start; a code: oathtool --totp -b {s})"
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  審査担当・監査担当・運用管理者の二要素認証 / demo TOTP secret: ONSHI_DEMO_TOTP_SECRET"
                );
            }
        }
    }
    let _ = out.flush();
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received; finishing requests");
}

/// `onshi audit`: pure computation on one file; exit 1 with the reader's message on bad input.
fn run_audit(args: &crate::config::AuditArgs) -> ExitCode {
    use crate::quote_audit::{audit_file, render_text, seed_benchmarks};
    use std::io::{Read, Write};
    let name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let limit = quote_reader::Limits::default().max_bytes;
    // Never read more than one byte past the limit: the reader then refuses the size.
    let size = std::fs::metadata(&args.file).map_or(0, |m| m.len()).min(limit.saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let read = std::fs::File::open(&args.file).and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes));
    if let Err(e) = read {
        eprintln!("onshi audit: {}: ファイルを開けません: {e}", args.file.display());
        return ExitCode::FAILURE;
    }
    let facts = args.facts.provisioning(args.facility_type, args.readers, args.reader_applied_on);
    let conflicts = facts.date_conflicts(None);
    if !conflicts.is_empty() {
        for c in conflicts {
            eprintln!("onshi audit: --{}: {c}", c.field.code().replace('_', "-"));
        }
        return ExitCode::FAILURE;
    }
    let ctx = rules::audit::AuditContext::of_facility(&facts);
    match audit_file(&name, &bytes, &ctx, &seed_benchmarks(), &rules::audit::Peers::default()) {
        Ok(doc) => {
            // Straight to standard output through a buffer: a 10,000-line audit is 5 MB of JSON,
            // which a String would build by doubling and copying (BENCHMARKS.md, whole process).
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            // Indented for a person at a terminal; compact for a program reading a pipe or a file
            // (a third of the bytes of a 10,000-line audit are indentation).
            let for_a_person = std::io::IsTerminal::is_terminal(&stdout);
            let written = if args.json && for_a_person {
                serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| e.to_string())
            } else if args.json {
                serde_json::to_writer(&mut out, &doc).map_err(|e| e.to_string())
            } else {
                out.write_all(render_text(&doc, args.facility_type, app::ssr::context::today()).as_bytes())
                    .map_err(|e| e.to_string())
            };
            let written = written.and_then(|()| writeln!(out).and_then(|()| out.flush()).map_err(|e| e.to_string()));
            // The process ends here: its memory goes back to the system at once, without freeing
            // every line of the report one by one.
            std::mem::forget(doc);
            std::mem::forget(bytes);
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("onshi audit: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("onshi audit: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `onshi audit-log verify`: exit 0 when the chain is intact, 1 naming the
/// first broken row, 2 when the log cannot be checked (so a script can tell
/// tampering from a missing file).
fn run_audit_log(command: &crate::config::AuditLogCommand) -> ExitCode {
    const CANNOT_CHECK: u8 = 2;
    let crate::config::AuditLogCommand::Verify(args) = command;
    // An empty log is "intact": a mistyped path must not pass as one.
    let runtime = match runtime_for_existing("audit-log verify", &args.db) {
        Ok(rt) => rt,
        Err(e) => return e,
    };
    let result = runtime.block_on(async {
        let pool = crate::db::connect(&args.db).await.map_err(|e| e.to_string())?;
        crate::db::migrate(&pool).await.map_err(|e| e.to_string())?;
        let report = crate::audit_log::verify(&pool)
            .await
            .map_err(|e| format!("reading the audit log of {} failed: {e}", args.db.display()))?;
        pool.close().await;
        Ok::<_, String>(report)
    });
    match result {
        Ok(report) => match report.first_broken {
            None => {
                println!("監査ログは正常です（{}件）", report.rows);
                println!("audit log intact ({} rows)", report.rows);
                println!("最新行のハッシュ / head hash: {}", report.head_hash);
                ExitCode::SUCCESS
            }
            Some(broken) => {
                println!(
                    "監査ログの連鎖が壊れています（改ざんの可能性があります）。最初の不正な行: ID {}（{}）",
                    broken.id,
                    broken.reason.label_ja()
                );
                println!("audit log broken at row {}: {}", broken.id, broken.reason.code());
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("onshi audit-log verify: {e}");
            ExitCode::from(CANNOT_CHECK)
        }
    }
}

/// A runtime for a command that reads an existing database, or exit status 2 with the reason:
/// `connect` would create a missing file, and a check of an empty one would pass.
pub(crate) fn runtime_for_existing(command: &str, db: &std::path::Path) -> Result<tokio::runtime::Runtime, ExitCode> {
    const CANNOT_CHECK: u8 = 2;
    if !db.is_file() {
        eprintln!(
            "onshi {command}: データベースがありません: {} (no database file there; give --db PATH or set ONSHI_DB)",
            db.display()
        );
        return Err(ExitCode::from(CANNOT_CHECK));
    }
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
        eprintln!("onshi {command}: cannot start the async runtime: {e}");
        ExitCode::from(CANNOT_CHECK)
    })
}
