//! `onshi user add`: creates an account from the command line, such as the first admin of a new database.
//!
//! The checks come in the order that spares the operator typing: what the
//! arguments alone say (e-mail, role, scope) before the database is opened;
//! what depends on the database (the facility or corporation exists, the
//! e-mail is free) before the password is asked for; the password last. Only
//! then is anything written: the user and its audit-log row in one
//! transaction. The password is never printed, logged or put in the audit log;
//! only its argon2id hash reaches the database.
//!
//! Exit status: 0 created; 1 invalid input, every problem named with what to
//! fix (nothing written); 2 the database cannot be opened or written.

use crate::config::{UserAddArgs, UserArgs, UserCommand};
use crate::error::StartError;
use app::ssr::audit_log::{self, Actor, Change};
use rules::{Association, FacilityCode, Prefecture, Role};
use serde_json::json;
use sqlx::SqlitePool;
use std::fmt;
use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use validator::ValidateEmail;

pub use app::ssr::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use app::ssr::password_policy::Weakness;

/// Longest e-mail address: 254 characters (RFC 3696 errata 1690, from RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

/// At most this much of stdin is read for the password line: any line this
/// long is over [`MAX_PASSWORD_CHARS`] already.
const MAX_PASSWORD_LINE_BYTES: u64 = 4096;

/// One thing wrong with the input, saying what to fix in Japanese and English.
/// None of them carries the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidUser {
    /// Not an e-mail address (WHATWG's definition, as browsers check it).
    #[error(
        "メールアドレスの形式が正しくありません（入力: {0:?}）。name@example.jp の形で指定してください / invalid e-mail {0:?}: give an address such as name@example.jp"
    )]
    Email(String),
    /// Not one of the four role codes.
    #[error(
        "役割 {0:?} はありません。clinic_manager（医療機関担当者）・reviewer（審査担当）・auditor（監査担当）・admin（運用管理者）のいずれかを指定してください / unknown role {0:?}: use clinic_manager, reviewer, auditor or admin"
    )]
    Role(String),
    /// A clinic manager without --facility or --corporation.
    #[error(
        "医療機関担当者（clinic_manager）には所属が必要です。--facility（施設IDまたは医療機関コード）か --corporation（法人IDまたはコード）を指定してください / role clinic_manager needs a scope: add --facility ID|CODE or --corporation ID|CODE"
    )]
    ManagerWithoutScope,
    /// A clinic manager with both --facility and --corporation.
    #[error(
        "医療機関担当者の所属は一つです。--facility と --corporation のどちらか一方だけを指定してください / role clinic_manager belongs to one facility or one corporation: give --facility or --corporation, not both"
    )]
    ManagerWithTwoScopes,
    /// A reviewer without --association.
    #[error(
        "審査担当（reviewer）には --association（medical・dental・pharmaceutical）が必要です / role reviewer needs --association medical|dental|pharmaceutical"
    )]
    ReviewerWithoutAssociation,
    /// A reviewer without --prefecture.
    #[error(
        "審査担当（reviewer）には --prefecture（都道府県コードまたは都道府県名、例: 13 または 東京都）が必要です / role reviewer needs --prefecture (a JIS code such as 13 or a name such as 東京都)"
    )]
    ReviewerWithoutPrefecture,
    /// A scope option the role does not take.
    #[error(
        "{}（{role}）には {option} を指定できません。{} / role {role} does not take {option}: {}",
        .role.label_ja(),
        scope_hint_ja(*.role),
        scope_hint_en(*.role)
    )]
    ScopeNotForRole {
        /// The role asked for.
        role: Role,
        /// The option given, e.g. `--facility`.
        option: &'static str,
    },
    /// Not one of the three associations.
    #[error(
        "団体 {0:?} はありません。medical（医師会）・dental（歯科医師会）・pharmaceutical（薬剤師会）のいずれかを指定してください / unknown association {0:?}: use medical, dental or pharmaceutical"
    )]
    Association(String),
    /// Neither a JIS code nor a prefecture's name.
    #[error(
        "都道府県 {0:?} がわかりません。都道府県コード（01〜47）か都道府県名（例: 東京都）を指定してください / unknown prefecture {0:?}: give a JIS code 01–47 or a name such as 東京都"
    )]
    Prefecture(String),
    /// --facility is neither an id nor a valid 医療機関コード.
    #[error(
        "--facility には施設IDか10桁の医療機関コードを指定してください: {reason} / --facility takes a facility id or a 10-digit facility code; {input:?} is neither"
    )]
    FacilityArgument {
        /// What was given.
        input: String,
        /// Why it is not a 医療機関コード.
        reason: String,
    },
    /// --corporation is blank.
    #[error(
        "--corporation が空です。法人IDかコードを指定してください / --corporation is empty: give a corporation id or code"
    )]
    CorporationArgument,
    /// No facility has this id or code.
    #[error(
        "施設 {0:?} は登録されていません。施設IDか医療機関コードを確認してください / unknown facility {0:?}: no facility has this id or code"
    )]
    UnknownFacility(String),
    /// No corporation has this id or code.
    #[error(
        "法人 {0:?} は登録されていません。法人IDかコードを確認してください / unknown corporation {0:?}: no corporation has this id or code"
    )]
    UnknownCorporation(String),
    /// The e-mail belongs to another account (compared without case).
    #[error(
        "メールアドレス {0} は既に登録されています。別のアドレスを指定してください / e-mail {0} already exists: choose another address"
    )]
    EmailTaken(String),
    /// The display name is blank, too long, or holds a character that cannot be printed
    /// (`rules::printable_name`, the same rule as the admin page).
    #[error("氏名（--name）: {0} / --name cannot be printed as given: change it as the message says")]
    Name(rules::printable_name::InvalidName),
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    #[error(
        "パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください / password shorter than {MIN_PASSWORD_CHARS} characters (OWASP ASVS 2.1.1): choose a longer one"
    )]
    PasswordTooShort,
    /// Longer than [`MAX_PASSWORD_CHARS`].
    #[error(
        "パスワードは{MAX_PASSWORD_CHARS}文字以内にしてください / password longer than {MAX_PASSWORD_CHARS} characters (OWASP ASVS 2.1.2): choose a shorter one"
    )]
    PasswordTooLong,
    /// Common, breached, blank, repetitive, sequential, or naming the service or the account.
    #[error("{0} / {en}", en = .0.english())]
    WeakPassword(Weakness),
    /// The two entries at the terminal differ.
    #[error(
        "2回入力したパスワードが一致しません。もう一度実行してください / the two passwords differ: run the command again"
    )]
    PasswordsDiffer,
    /// Nothing on stdin.
    #[error(
        "パスワードがありません。標準入力の1行目に書くか、端末から実行して入力してください / no password: give it on the first line of stdin, or run the command at a terminal to be asked for it"
    )]
    PasswordMissing,
    /// The stdin line is not UTF-8 text.
    #[error("パスワードをUTF-8の文字列として読めません / the password on stdin is not UTF-8 text")]
    PasswordNotText,
}

fn scope_hint_ja(role: Role) -> &'static str {
    match role {
        Role::ClinicManager => "所属は --facility か --corporation で指定します",
        Role::Reviewer => "担当は --association と --prefecture で指定します",
        Role::Auditor | Role::Admin => "全国が対象のため、所属の指定は不要です",
    }
}

fn scope_hint_en(role: Role) -> &'static str {
    match role {
        Role::ClinicManager => "its scope is --facility or --corporation",
        Role::Reviewer => "its scope is --association with --prefecture",
        Role::Auditor | Role::Admin => "it is national and takes no scope",
    }
}

/// Why `user add` did not create the user. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum UserAddError {
    /// Exit 1: the input is wrong; every problem found, each saying what to fix.
    #[error("{}", problem_lines(.0))]
    Invalid(Vec<InvalidUser>),
    /// Exit 1: the password could not be read from the terminal or stdin.
    #[error("パスワードを読み取れません / cannot read the password: {0}")]
    PasswordInput(std::io::Error),
    /// Exit 2: the database cannot be opened, migrated or seeded.
    #[error("データベースを開けません / cannot open the database: {0}")]
    Open(StartError),
    /// Exit 2: a query or the write failed.
    #[error("データベースの読み書きに失敗しました / database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Exit 2: the runtime or the password hashing failed.
    #[error("内部エラー / internal error: {0}")]
    Internal(String),
}

fn problem_lines(problems: &[InvalidUser]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl UserAddError {
    /// The process exit status: 1 for input to fix, 2 for a database that cannot be used.
    pub fn exit_code(&self) -> u8 {
        match self {
            UserAddError::Invalid(_) | UserAddError::PasswordInput(_) => 1,
            UserAddError::Open(_) | UserAddError::Db(_) | UserAddError::Internal(_) => 2,
        }
    }

    fn invalid(problem: InvalidUser) -> Self {
        UserAddError::Invalid(vec![problem])
    }
}

/// A password as typed. Its `Debug` never shows it.
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: String) -> Self {
        Password(password)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<hidden>)")
    }
}

/// Refuses a password the policy does not allow for the account with this e-mail (`""` before
/// it is known): 12–128 characters, not common, breached, blank or naming the account
/// (`app::ssr::password_policy`).
pub fn check_password(password: &Password, email: &str) -> Result<(), InvalidUser> {
    app::ssr::password_policy::check(&password.0, email).map_err(|weakness| match weakness {
        Weakness::TooShort => InvalidUser::PasswordTooShort,
        Weakness::TooLong => InvalidUser::PasswordTooLong,
        weak => InvalidUser::WeakPassword(weak),
    })
}

/// The user that was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The new user's id.
    pub id: i64,
    /// The e-mail, as stored.
    pub email: String,
    /// The role.
    pub role: Role,
    /// The scope as the header shows it: facility or corporation name, 「福岡県 医師会」, 「全国」.
    pub scope_label: String,
}

/// Runs `onshi user …`, printing the outcome; the password is asked for only
/// once everything else has been checked.
pub fn main(args: &UserArgs) -> ExitCode {
    let UserCommand::Add(add) = &args.command;
    match add_user(add, read_password) {
        Ok(created) => {
            println!("利用者を登録しました: {}（{}）", created.email, created.role.label_ja());
            println!(
                "created user {} ({}), id {}, scope: {}",
                created.email, created.role, created.id, created.scope_label
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("onshi user add: {line}");
            }
            eprintln!("onshi user add: 利用者は登録していません / no user was created");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Creates the user the arguments describe, with the password from
/// `password`, which is called only after every other check has passed.
pub fn add_user(
    args: &UserAddArgs,
    password: impl FnOnce() -> Result<Password, UserAddError>,
) -> Result<Created, UserAddError> {
    let request = Request::parse(args).map_err(UserAddError::Invalid)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UserAddError::Internal(format!("cannot start the async runtime: {e}")))?;
    let pool = runtime.block_on(open(&args.db.db))?;
    let outcome = (|| {
        let target = runtime.block_on(resolve(&pool, request))?;
        let password = password()?;
        check_password(&password, &target.email).map_err(UserAddError::invalid)?;
        runtime.block_on(create(&pool, target, password))
    })();
    runtime.block_on(pool.close());
    outcome
}

/// Reads the password: asked for twice without echo when stdin is a
/// terminal, otherwise the first line of stdin.
pub fn read_password() -> Result<Password, UserAddError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("パスワード / password: ").map_err(UserAddError::PasswordInput)?;
        let first = Password(first);
        // Say so at once rather than after the second entry.
        check_password(&first, "").map_err(UserAddError::invalid)?;
        let again = rpassword::prompt_password("もう一度 / again: ").map_err(UserAddError::PasswordInput)?;
        if first.0 != again {
            return Err(UserAddError::invalid(InvalidUser::PasswordsDiffer));
        }
        Ok(first)
    } else {
        password_from_line(&mut stdin.lock())
    }
}

/// The first line of `input`, without its line ending.
fn password_from_line(input: &mut impl BufRead) -> Result<Password, UserAddError> {
    let mut bytes = Vec::new();
    input.take(MAX_PASSWORD_LINE_BYTES).read_until(b'\n', &mut bytes).map_err(UserAddError::PasswordInput)?;
    if !bytes.ends_with(b"\n") && u64::try_from(bytes.len()).is_ok_and(|n| n >= MAX_PASSWORD_LINE_BYTES) {
        return Err(UserAddError::invalid(InvalidUser::PasswordTooLong));
    }
    let line = String::from_utf8(bytes).map_err(|_| UserAddError::invalid(InvalidUser::PasswordNotText))?;
    let password = line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(&line);
    if password.is_empty() {
        return Err(UserAddError::invalid(InvalidUser::PasswordMissing));
    }
    Ok(Password(password.to_owned()))
}

/// A facility as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FacilityRef {
    Id(i64),
    Code(FacilityCode),
}

impl FacilityRef {
    /// A valid 医療機関コード (full-width digits and hyphens allowed), else a shorter number as an id.
    fn parse(input: &str) -> Result<Self, InvalidUser> {
        let trimmed = input.trim();
        match FacilityCode::parse(trimmed) {
            Ok(code) => Ok(FacilityRef::Code(code)),
            Err(reason) => {
                let id = (trimmed.len() < 10 && trimmed.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| trimmed.parse::<i64>().ok())
                    .flatten();
                id.map(FacilityRef::Id).ok_or_else(|| InvalidUser::FacilityArgument {
                    input: trimmed.to_owned(),
                    reason: reason.to_string(),
                })
            }
        }
    }
}

impl fmt::Display for FacilityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FacilityRef::Id(id) => write!(f, "{id}"),
            FacilityRef::Code(code) => write!(f, "{code}"),
        }
    }
}

/// A corporation as named on the command line: its code, or failing that its id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CorporationRef(String);

impl CorporationRef {
    fn parse(input: &str) -> Result<Self, InvalidUser> {
        let trimmed = input.trim();
        if trimmed.is_empty() { Err(InvalidUser::CorporationArgument) } else { Ok(CorporationRef(trimmed.to_owned())) }
    }
}

/// The scope the arguments ask for, before the database is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScopeArg {
    National,
    Facility(FacilityRef),
    Corporation(CorporationRef),
    Association { association: Association, prefecture: Prefecture },
}

/// The account the arguments describe, every field checked on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    email: String,
    display_name: String,
    role: Role,
    scope: ScopeArg,
}

/// Keeps a parsed value, or files its problem.
fn keep<T>(parsed: Result<T, InvalidUser>, problems: &mut Vec<InvalidUser>) -> Option<T> {
    parsed.map_err(|p| problems.push(p)).ok()
}

impl Request {
    /// Checks everything the arguments alone can tell; returns every problem found.
    fn parse(args: &UserAddArgs) -> Result<Self, Vec<InvalidUser>> {
        let mut problems = Vec::new();
        let email = keep(parse_email(&args.email), &mut problems);
        let role = keep(
            args.role.trim().parse::<Role>().map_err(|_| InvalidUser::Role(args.role.trim().to_owned())),
            &mut problems,
        );
        let facility = args.facility.as_deref().map(FacilityRef::parse);
        let corporation = args.corporation.as_deref().map(CorporationRef::parse);
        let association = args.association.as_deref().map(|a| {
            let a = a.trim();
            a.parse::<Association>().map_err(|_| InvalidUser::Association(a.to_owned()))
        });
        let prefecture = args.prefecture.as_deref().map(|p| {
            let p = p.trim();
            p.parse::<Prefecture>().map_err(|_| InvalidUser::Prefecture(p.to_owned()))
        });
        let scope = Self::scope(role, facility, corporation, association, prefecture, &mut problems);
        let display_name = keep(parse_name(args.name.as_deref(), email.as_deref().unwrap_or_default()), &mut problems);
        match (email, role, scope, display_name) {
            (Some(email), Some(role), Some(scope), Some(display_name)) if problems.is_empty() => {
                Ok(Request { email, display_name, role, scope })
            }
            _ => Err(problems),
        }
    }

    /// The scope the role needs from the options given, filing every missing,
    /// superfluous or malformed option.
    fn scope(
        role: Option<Role>,
        facility: Option<Result<FacilityRef, InvalidUser>>,
        corporation: Option<Result<CorporationRef, InvalidUser>>,
        association: Option<Result<Association, InvalidUser>>,
        prefecture: Option<Result<Prefecture, InvalidUser>>,
        problems: &mut Vec<InvalidUser>,
    ) -> Option<ScopeArg> {
        let mut not_for = |role: Role, given: bool, option: &'static str| {
            if given {
                problems.push(InvalidUser::ScopeNotForRole { role, option });
            }
        };
        match role {
            None => {
                // The role is unknown, so only the options' own syntax can be checked.
                for problem in [
                    facility.and_then(Result::err),
                    corporation.and_then(Result::err),
                    association.and_then(Result::err),
                    prefecture.and_then(Result::err),
                ]
                .into_iter()
                .flatten()
                {
                    problems.push(problem);
                }
                None
            }
            Some(role @ Role::ClinicManager) => {
                not_for(role, association.is_some(), "--association");
                not_for(role, prefecture.is_some(), "--prefecture");
                match (facility, corporation) {
                    (None, None) => {
                        problems.push(InvalidUser::ManagerWithoutScope);
                        None
                    }
                    (Some(_), Some(_)) => {
                        problems.push(InvalidUser::ManagerWithTwoScopes);
                        None
                    }
                    (Some(facility), None) => keep(facility, problems).map(ScopeArg::Facility),
                    (None, Some(corporation)) => keep(corporation, problems).map(ScopeArg::Corporation),
                }
            }
            Some(role @ Role::Reviewer) => {
                not_for(role, facility.is_some(), "--facility");
                not_for(role, corporation.is_some(), "--corporation");
                let association = match association {
                    None => {
                        problems.push(InvalidUser::ReviewerWithoutAssociation);
                        None
                    }
                    Some(parsed) => keep(parsed, problems),
                };
                let prefecture = match prefecture {
                    None => {
                        problems.push(InvalidUser::ReviewerWithoutPrefecture);
                        None
                    }
                    Some(parsed) => keep(parsed, problems),
                };
                association
                    .zip(prefecture)
                    .map(|(association, prefecture)| ScopeArg::Association { association, prefecture })
            }
            Some(role @ (Role::Auditor | Role::Admin)) => {
                not_for(role, facility.is_some(), "--facility");
                not_for(role, corporation.is_some(), "--corporation");
                not_for(role, association.is_some(), "--association");
                not_for(role, prefecture.is_some(), "--prefecture");
                Some(ScopeArg::National)
            }
        }
    }
}

/// A trimmed e-mail address that browsers would accept in `<input type="email">`.
fn parse_email(input: &str) -> Result<String, InvalidUser> {
    let email = input.trim();
    if email.chars().count() <= MAX_EMAIL_CHARS && email.validate_email() {
        Ok(email.to_owned())
    } else {
        Err(InvalidUser::Email(email.to_owned()))
    }
}

/// The display name given, or the e-mail's part before @, as a name that prints.
fn parse_name(input: Option<&str>, email: &str) -> Result<String, InvalidUser> {
    use rules::printable_name::{NameKind, PrintableName};
    let name = match input {
        Some(name) => name,
        // An e-mail already refused is reported once, as the e-mail.
        None if email.is_empty() => return Ok(String::new()),
        None => email.split('@').next().unwrap_or(email),
    };
    PrintableName::parse(name, NameKind::Person).map(PrintableName::into_string).map_err(InvalidUser::Name)
}

/// Opens the database, creating and migrating it when needed, with the
/// reference data (prefectures, facility types) a new one lacks.
async fn open(path: &Path) -> Result<SqlitePool, UserAddError> {
    let pool = crate::db::connect(path).await.map_err(UserAddError::Open)?;
    let prepared = async {
        crate::db::migrate(&pool).await?;
        if !queries::has_prefectures(&pool).await? {
            crate::seed::reference::load(&pool).await?;
        }
        Ok::<_, StartError>(())
    };
    match prepared.await {
        Ok(()) => Ok(pool),
        Err(e) => {
            pool.close().await;
            Err(UserAddError::Open(e))
        }
    }
}

/// The row to insert, its scope resolved to ids.
#[derive(Debug)]
struct Target {
    email: String,
    display_name: String,
    role: Role,
    facility_id: Option<i64>,
    corporation_id: Option<i64>,
    association: Option<Association>,
    prefecture: Option<Prefecture>,
    scope_label: String,
}

/// Checks what depends on the database: the e-mail is free and the facility
/// or corporation exists. Returns every problem found.
async fn resolve(pool: &SqlitePool, request: Request) -> Result<Target, UserAddError> {
    let mut problems = Vec::new();
    if queries::email_taken(pool, &request.email).await? {
        problems.push(InvalidUser::EmailTaken(request.email.clone()));
    }
    let mut target = Target {
        email: request.email,
        display_name: request.display_name,
        role: request.role,
        facility_id: None,
        corporation_id: None,
        association: None,
        prefecture: None,
        scope_label: "全国".to_owned(),
    };
    match request.scope {
        ScopeArg::National => {}
        ScopeArg::Facility(facility) => match queries::facility(pool, &facility).await? {
            Some((id, name)) => {
                target.facility_id = Some(id);
                target.scope_label = name;
            }
            None => problems.push(InvalidUser::UnknownFacility(facility.to_string())),
        },
        ScopeArg::Corporation(corporation) => match queries::corporation(pool, &corporation.0).await? {
            Some((id, name)) => {
                target.corporation_id = Some(id);
                target.scope_label = name;
            }
            None => problems.push(InvalidUser::UnknownCorporation(corporation.0)),
        },
        ScopeArg::Association { association, prefecture } => {
            target.association = Some(association);
            target.prefecture = Some(prefecture);
            target.scope_label = format!("{} {}", prefecture.name_ja(), association.label_ja());
        }
    }
    if problems.is_empty() { Ok(target) } else { Err(UserAddError::Invalid(problems)) }
}

/// Hashes the password and writes the user with its audit-log row in one transaction.
async fn create(pool: &SqlitePool, target: Target, password: Password) -> Result<Created, UserAddError> {
    let hash = app::ssr::password::hash(password.0).await.map_err(UserAddError::Internal)?;
    // BEGIN IMMEDIATE: the audit log's head is read under the write lock.
    let mut tx = audit_log::begin(pool).await?;
    let id = match queries::insert_user(&mut tx, &target, &hash).await {
        Ok(id) => id,
        // Someone took the e-mail since it was checked.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(UserAddError::invalid(InvalidUser::EmailTaken(target.email)));
        }
        Err(e) => return Err(e.into()),
    };
    let after = json!({
        "email": target.email,
        "display_name": target.display_name,
        "role": target.role.code(),
        "facility_id": target.facility_id,
        "corporation_id": target.corporation_id,
        "association": target.association.map(Association::code),
        "prefecture": target.prefecture.map(Prefecture::code),
    });
    let change =
        Change { action: "create", entity: "user", entity_id: id.to_string(), before: None, after: Some(after) };
    audit_log::record(&mut tx, &Actor::cli(), change).await?;
    // A reviewer added from the command line hears of what waits for the association too.
    if let (Some(a), Some(p)) = (target.association, target.prefecture) {
        app::ssr::db::complaints::notify_new_reviewer(&mut tx, id, a, p).await?;
    }
    tx.commit().await?;
    Ok(Created { id, email: target.email, role: target.role, scope_label: target.scope_label })
}

/// The queries of `user add`, one statement each.
mod queries {
    use super::{FacilityRef, Target};
    use rules::{Association, Prefecture};
    use sqlx::{Sqlite, SqlitePool, Transaction};

    /// Whether the reference data has been loaded.
    pub(super) async fn has_prefectures(pool: &SqlitePool) -> sqlx::Result<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM prefectures)").fetch_one(pool).await
    }

    /// Whether an account has this e-mail (the column compares without case).
    pub(super) async fn email_taken(pool: &SqlitePool, email: &str) -> sqlx::Result<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)").bind(email).fetch_one(pool).await
    }

    /// The (id, name) of the facility with this id or 医療機関コード.
    pub(super) async fn facility(pool: &SqlitePool, facility: &FacilityRef) -> sqlx::Result<Option<(i64, String)>> {
        match facility {
            FacilityRef::Id(id) => {
                sqlx::query_as("SELECT id, name FROM facilities WHERE id = ?").bind(id).fetch_optional(pool).await
            }
            FacilityRef::Code(code) => {
                sqlx::query_as("SELECT id, name FROM facilities WHERE facility_code = ?")
                    .bind(code.as_str())
                    .fetch_optional(pool)
                    .await
            }
        }
    }

    /// The (id, name) of the corporation with this code or, failing that, this id.
    pub(super) async fn corporation(pool: &SqlitePool, code_or_id: &str) -> sqlx::Result<Option<(i64, String)>> {
        sqlx::query_as(
            "SELECT id, name FROM corporations WHERE code = ?1
             UNION ALL
             SELECT id, name FROM corporations WHERE CAST(id AS TEXT) = ?1 AND NOT EXISTS
                 (SELECT 1 FROM corporations WHERE code = ?1)",
        )
        .bind(code_or_id)
        .fetch_optional(pool)
        .await
    }

    /// Inserts the user; returns its id.
    pub(super) async fn insert_user(tx: &mut Transaction<'_, Sqlite>, t: &Target, hash: &str) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO users (email, display_name, role, password_hash, facility_id, corporation_id, association, prefecture)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&t.email)
        .bind(&t.display_name)
        .bind(t.role.code())
        .bind(hash)
        .bind(t.facility_id)
        .bind(t.corporation_id)
        .bind(t.association.map(Association::code))
        .bind(t.prefecture.map(Prefecture::code))
        .fetch_one(&mut **tx)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Cli, Command};
    use clap::Parser;

    /// `onshi user add` with these arguments, as clap parses them.
    fn add_args(args: &[&str]) -> UserAddArgs {
        let cli = Cli::try_parse_from(["onshi", "user", "add"].iter().chain(args)).expect("clap accepts the arguments");
        match cli.command {
            Some(Command::User(UserArgs { command: UserCommand::Add(add) })) => add,
            other => panic!("not user add: {other:?}"),
        }
    }

    fn parse(args: &[&str]) -> Result<Request, Vec<InvalidUser>> {
        Request::parse(&add_args(args))
    }

    #[test]
    fn each_role_gets_the_scope_its_options_name() {
        let code = FacilityCode::parse("4010123018").expect("code");
        let cases: [(&[&str], Role, ScopeArg); 6] = [
            (&["--role", "admin"], Role::Admin, ScopeArg::National),
            (&["--role", "auditor"], Role::Auditor, ScopeArg::National),
            (
                &["--role", "clinic_manager", "--facility", "4010123018"],
                Role::ClinicManager,
                ScopeArg::Facility(FacilityRef::Code(code.clone())),
            ),
            (
                &["--role", "clinic_manager", "--facility", "４０１０１２３０１８"],
                Role::ClinicManager,
                ScopeArg::Facility(FacilityRef::Code(code)),
            ),
            (
                &["--role", "clinic_manager", "--facility", "7"],
                Role::ClinicManager,
                ScopeArg::Facility(FacilityRef::Id(7)),
            ),
            (
                &["--role", "reviewer", "--association", "dental", "--prefecture", "東京都"],
                Role::Reviewer,
                ScopeArg::Association { association: Association::Dental, prefecture: "13".parse().expect("13") },
            ),
        ];
        for (args, role, scope) in cases {
            let mut all = vec!["--email", "a@example.jp"];
            all.extend_from_slice(args);
            let request = parse(&all).unwrap_or_else(|p| panic!("{args:?}: {p:?}"));
            assert_eq!((request.role, request.scope), (role, scope), "{args:?}");
        }
        let corporation =
            parse(&["--email", "a@example.jp", "--role", "clinic_manager", "--corporation", " demo_corp "]);
        assert_eq!(corporation.map(|r| r.scope), Ok(ScopeArg::Corporation(CorporationRef("demo_corp".into()))));
    }

    #[test]
    fn wrong_arguments_are_all_named_at_once() {
        use InvalidUser as I;
        let cases: [(&[&str], Vec<InvalidUser>); 9] = [
            (&["--email", "a@example.jp", "--role", "clinic_manager"], vec![I::ManagerWithoutScope]),
            (
                &["--email", "a@example.jp", "--role", "clinic_manager", "--facility", "1", "--corporation", "c"],
                vec![I::ManagerWithTwoScopes],
            ),
            (
                &["--email", "a@example.jp", "--role", "reviewer", "--association", "medical"],
                vec![I::ReviewerWithoutPrefecture],
            ),
            (
                &["--email", "a@example.jp", "--role", "reviewer", "--prefecture", "99"],
                vec![I::ReviewerWithoutAssociation, I::Prefecture("99".into())],
            ),
            (
                &["--email", "a@example.jp", "--role", "admin", "--facility", "1", "--prefecture", "13"],
                vec![
                    I::ScopeNotForRole { role: Role::Admin, option: "--facility" },
                    I::ScopeNotForRole { role: Role::Admin, option: "--prefecture" },
                ],
            ),
            (
                &["--email", "not-an-address", "--role", "manager"],
                vec![I::Email("not-an-address".into()), I::Role("manager".into())],
            ),
            (
                &["--email", "a@example.jp", "--role", "reviewer", "--association", "nurse", "--prefecture", "13"],
                vec![I::Association("nurse".into())],
            ),
            (
                &["--email", "a@example.jp", "--role", "clinic_manager", "--facility", "4010123010"],
                vec![I::FacilityArgument {
                    input: "4010123010".into(),
                    reason: rules::InvalidFacilityCode::BadCheckDigit("4010123010".into()).to_string(),
                }],
            ),
            (
                &["--email", "a@example.jp", "--role", "auditor", "--name", " \t "],
                vec![I::Name(rules::printable_name::InvalidName::Empty { label: "氏名" })],
            ),
        ];
        for (args, expected) in cases {
            assert_eq!(parse(args), Err(expected), "{args:?}");
        }
    }

    #[test]
    fn e_mail_addresses_are_checked_as_browsers_do() {
        for good in ["admin@example.jp", " Admin.Name+tag@sub.example.co.jp ", "a@localhost"] {
            assert_eq!(parse_email(good), Ok(good.trim().to_owned()), "{good}");
        }
        let long = format!("{}@example.jp", "a".repeat(250));
        for bad in ["", "admin", "admin@", "@example.jp", "a b@example.jp", "a@exa mple.jp", "a@@example.jp", &long] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_display_name_defaults_to_the_part_before_the_at_sign() {
        assert_eq!(parse_name(None, "kanri@example.jp"), Ok("kanri".to_owned()));
        assert_eq!(parse_name(Some(" 管理 太郎 "), "kanri@example.jp"), Ok("管理 太郎".to_owned()));
        assert!(parse_name(Some("a\nb"), "x@y.jp").is_err());
        assert!(parse_name(Some(&"名".repeat(41)), "x@y.jp").is_err());
        assert_eq!(parse_name(Some("ｶﾝﾘ 髙橋"), "x@y.jp"), Ok("カンリ 髙橋".to_owned()));
        assert_eq!(
            parse_name(Some("管理😀"), "x@y.jp").map_err(|e| e.to_string()),
            Err("氏名（--name）: 『😀』（3文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください / --name cannot be printed as given: change it as the message says".to_owned())
        );
    }

    #[test]
    fn passwords_of_12_to_128_characters_are_accepted_unless_weak() {
        let check = |s: &str| check_password(&Password(s.to_owned()), "kanri@example.jp");
        assert_eq!(check("tulip-river"), Err(InvalidUser::PasswordTooShort));
        assert_eq!(check("tulip-river9"), Ok(()));
        assert_eq!(check("ひまわり畑で朝ごはんを食べ"), Ok(()), "characters, not bytes");
        let long: String = (0..70).map(|i| i.to_string()).collect();
        assert_eq!(check(&long[..128]), Ok(()));
        assert_eq!(check(&long[..129]), Err(InvalidUser::PasswordTooLong));
        assert_eq!(check("password1234"), Err(InvalidUser::WeakPassword(Weakness::Common)));
        assert_eq!(check("aaaaaaaaaaaa"), Err(InvalidUser::WeakPassword(Weakness::Repetitive)));
        assert_eq!(check(&" ".repeat(12)), Err(InvalidUser::WeakPassword(Weakness::Blank)));
        assert_eq!(check("kanri-tulip-river"), Err(InvalidUser::WeakPassword(Weakness::NamesAccount)));
    }

    #[test]
    fn the_password_is_the_first_stdin_line_without_its_line_ending() {
        let read = |input: &[u8]| password_from_line(&mut std::io::Cursor::new(input.to_vec())).map(|p| p.0);
        assert_eq!(read(b"correct horse battery\nsecond line\n").ok(), Some("correct horse battery".into()));
        assert_eq!(read(b"windows-line-end\r\n").ok(), Some("windows-line-end".into()));
        assert_eq!(read(b" spaces kept ").ok(), Some(" spaces kept ".into()));
        assert!(matches!(read(b""), Err(UserAddError::Invalid(p)) if p == [InvalidUser::PasswordMissing]));
        assert!(matches!(read(b"\n"), Err(UserAddError::Invalid(p)) if p == [InvalidUser::PasswordMissing]));
        assert!(matches!(read(b"\xff\xfe\n"), Err(UserAddError::Invalid(p)) if p == [InvalidUser::PasswordNotText]));
        assert!(matches!(read(&[b'x'; 5000]), Err(UserAddError::Invalid(p)) if p == [InvalidUser::PasswordTooLong]));
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let shown = format!("{:?}", Password("hunter2hunter2".into()));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn every_message_says_what_to_fix_in_japanese_and_english() {
        let problems = [
            InvalidUser::ManagerWithoutScope,
            InvalidUser::ReviewerWithoutPrefecture,
            InvalidUser::ScopeNotForRole { role: Role::Auditor, option: "--facility" },
            InvalidUser::UnknownFacility("4010123018".into()),
            InvalidUser::EmailTaken("a@example.jp".into()),
            InvalidUser::PasswordTooShort,
            InvalidUser::WeakPassword(Weakness::Common),
        ];
        for problem in problems {
            let text = problem.to_string();
            let (ja, en) = text.split_once(" / ").unwrap_or_else(|| panic!("no English part: {text}"));
            assert!(ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)), "Japanese first: {text}");
            assert!(en.chars().filter(char::is_ascii_alphabetic).count() > 10, "English second: {text}");
        }
        let text = InvalidUser::ScopeNotForRole { role: Role::Auditor, option: "--facility" }.to_string();
        assert!(text.starts_with("監査担当（厚生労働省）（auditor）には --facility を指定できません"), "{text}");
        assert!(InvalidUser::PasswordTooShort.to_string().contains("OWASP ASVS 2.1.1"));
    }
}
