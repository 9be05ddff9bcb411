//! Server functions of subsidy applications (交付申請): mark costs paid, prepare the package or
//! hear why not, submit, record the payment, and the totals reviewers and auditors read.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]
#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field (prepare_application); expect would be unfulfilled in the hydrate build, where the body is not compiled"
)]

use crate::UiError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use rules::date_order::DateField;
use serde::{Deserialize, Serialize};

/// A confirmed quote offered as the final costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostChoice {
    /// Quote id.
    pub id: i64,
    /// File name, vendor and date.
    pub label: String,
    /// 支払日 (和暦), when paid.
    pub paid_on: Option<String>,
    /// Paid by the corporation for all its facilities: split across them in the 一括申請.
    pub shared: bool,
}

/// Who applies as the 交付申請書 names them: typed on the application form, prefilled from
/// the facility's last application, else from the facility (所在地, the corporation as 開設者).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantDetails {
    /// 開設者.
    pub founder: String,
    /// 代表者の役職.
    pub representative_title: String,
    /// 代表者の氏名.
    pub representative_name: String,
    /// 所在地.
    pub address: String,
    /// 電話番号.
    pub phone: String,
    /// ご担当者.
    pub contact_person: String,
}

/// The fields of [`ApplicantDetails`] on the form: (name, label, example).
pub const DETAIL_FIELDS: [(&str, &str, &str); 6] = [
    ("founder", "開設者（法人名または個人名）", "医療法人社団 健康会"),
    ("representative_title", "代表者の役職", "理事長"),
    ("representative_name", "代表者の氏名", "山田 太郎"),
    ("address", "所在地", "福岡県福岡市中央区天神1-1-1"),
    ("phone", "電話番号", "092-000-0000"),
    ("contact_person", "ご担当者", "事務長 佐藤 花子"),
];

/// Longest text a detail may be: it must fit its cell of the 交付申請書.
const DETAIL_MAX_CHARS: usize = 100;

impl ApplicantDetails {
    /// The details an applicant carries, as the form shows them.
    #[cfg(feature = "ssr")]
    pub fn of(a: &rules::application::Applicant) -> Self {
        ApplicantDetails {
            founder: a.founder.clone(),
            representative_title: a.representative_title.clone(),
            representative_name: a.representative_name.clone(),
            address: a.address.clone(),
            phone: a.phone.clone(),
            contact_person: a.contact_person.clone(),
        }
    }

    /// The values in the order of [`DETAIL_FIELDS`].
    pub fn values(&self) -> [&str; 6] {
        [
            &self.founder,
            &self.representative_title,
            &self.representative_name,
            &self.address,
            &self.phone,
            &self.contact_person,
        ]
    }

    /// Checks typed details, every field at once: each filled in, within [`DETAIL_MAX_CHARS`],
    /// no control characters; the phone number as 10 or 11 digits starting with 0 (hyphens,
    /// spaces and full-width digits allowed).
    pub fn parse(typed: [&str; 6]) -> Result<ApplicantDetails, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut out: [String; 6] = Default::default();
        for (i, ((name, label, example), value)) in DETAIL_FIELDS.iter().zip(typed).enumerate() {
            let value = value.trim();
            let error = if value.is_empty() {
                Some(format!("{label}を入力してください（例: {example}）"))
            } else if value.chars().count() > DETAIL_MAX_CHARS {
                Some(format!("{label}は{DETAIL_MAX_CHARS}文字以内で入力してください"))
            } else if value.chars().any(char::is_control) {
                Some(format!("{label}に改行や制御文字は使えません"))
            } else if let Some((at, c)) =
                value.chars().enumerate().find(|(_, c)| !rules::printable_name::is_printable(*c))
            {
                // The same characters as every name Onshi prints: the 交付申請書 is a PDF and the
                // package CSV is CP932.
                Some(format!(
                    "{label}の『{c}』（{}文字目）は印刷や CSV で表示できない文字です。別の文字に置き換えてください",
                    at + 1
                ))
            } else if *name == "phone" && !phone_number_ok(value) {
                Some(format!("電話番号は市外局番から10桁または11桁の数字で入力してください（例: {example}）"))
            } else {
                None
            };
            match error {
                Some(e) => errors.push(((*name).to_owned(), e)),
                None => out[i] = value.to_owned(),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let [founder, representative_title, representative_name, address, phone, contact_person] = out;
        Ok(ApplicantDetails { founder, representative_title, representative_name, address, phone, contact_person })
    }
}

/// A Japanese phone number: 10 or 11 digits starting with 0, hyphens and spaces between.
fn phone_number_ok(text: &str) -> bool {
    let mut digits = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.extend(char::from_digit(u32::from(c) - u32::from('０'), 10)),
            '-' | '‐' | '－' | 'ー' | ' ' | '　' | '(' | ')' | '（' | '）' => {}
            _ => return false,
        }
    }
    digits.starts_with('0') && (10..=11).contains(&digits.len())
}

/// The application section of a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFormView {
    /// Facility id.
    pub facility_id: i64,
    /// Facility name.
    pub facility_name: String,
    /// Its confirmed quotes.
    pub quotes: Vec<CostChoice>,
    /// Readers the application counts by default (the free ones applied for).
    pub readers_default: u8,
    /// Today (YYYY-MM-DD), the default 申請日.
    pub today: String,
    /// The facility's application: (id, status label).
    pub existing: Option<(i64, String)>,
    /// The user may prepare, mark paid and submit.
    pub can_edit: bool,
    /// Who applies, prefilled.
    pub details: ApplicantDetails,
    /// The facility belongs to a corporation (its receipts may be shared).
    pub in_corporation: bool,
}

/// A scanned 領収書(写) attached to an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanView {
    /// Id.
    pub id: i64,
    /// File name.
    pub file_name: String,
    /// 「PDF」「JPEG」「PNG」.
    pub kind: String,
    /// Size as people read it (「1.2 MB」).
    pub size: String,
    /// When it was attached (和暦, Japan time).
    pub uploaded_at: String,
}

/// One stored application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    /// Id.
    pub id: i64,
    /// Facility id.
    pub facility_id: i64,
    /// Facility name.
    pub facility_name: String,
    /// Type label.
    pub facility_type: String,
    /// Prefecture name.
    pub prefecture: String,
    /// Status code.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// 申請日 (和暦).
    pub applied_on: String,
    /// 総事業費.
    pub total_cost: String,
    /// 補助金申請額.
    pub subsidy: String,
    /// 交付額, once paid.
    pub paid_amount: Option<String>,
}

/// One application with its package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    /// The list fields.
    pub summary: ApplicationSummary,
    /// The documents' values by placeholder (see `application_document`).
    pub fields: Vec<(String, String)>,
    /// Category totals: (category, eligibility, amount).
    pub breakdown: Vec<(String, String, String)>,
    /// The lines: (no, category, description, eligible, amount).
    pub lines: Vec<(String, String, String, String, String)>,
    /// Remarks.
    pub notes: Vec<String>,
    /// 提出日 and 交付日 (和暦).
    pub submitted_on: Option<String>,
    /// 交付日.
    pub paid_on: Option<String>,
    /// The user may submit it (a draft, the facility's manager).
    pub can_submit: bool,
    /// The user may record the payment (submitted, the facility's manager).
    pub can_record_payment: bool,
    /// 申請日 (YYYY-MM-DD), the default 提出日.
    pub applied_on_iso: String,
    /// The scanned 領収書(写) attached.
    pub scans: Vec<ScanView>,
    /// The user may attach and delete scans (the facility's manager).
    pub can_attach: bool,
}

/// Totals of one prefecture and facility type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationTotal {
    /// Prefecture name.
    pub prefecture: String,
    /// Type label.
    pub facility_type: String,
    /// Applications by status: draft, submitted, paid.
    pub counts: [i64; 3],
    /// 補助金申請額 of submitted and paid applications.
    pub requested: String,
    /// 交付額.
    pub granted: String,
}

/// A page of the applications the user may see, narrowed as asked, with the totals of every
/// application the type and prefecture filters reach, by prefecture and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationList {
    /// The applications of this page.
    pub rows: Vec<ApplicationSummary>,
    /// Where the page stands.
    pub paging: crate::api::paging::Paging,
    /// Totals by prefecture and type (every status), with the sum of all as the last row.
    pub totals: Vec<ApplicationTotal>,
    /// The filter as applied: type code, prefecture code, search text, status code ("" for none).
    pub applied: [String; 4],
    /// The scope reaches more than one facility: the filter form is shown.
    pub filterable: bool,
    /// What the type and prefecture filters offer.
    pub choices: crate::api::filter_choices::FilterChoices,
    /// The statuses: (code, label).
    pub statuses: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn wareki(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").map_or_else(|_| iso.to_owned(), rules::format_wareki)
}

#[cfg(feature = "ssr")]
fn yen_text(plain: &str) -> String {
    rules::Yen::parse(plain).map_or_else(|_| plain.to_owned(), |y| y.to_string())
}

#[cfg(feature = "ssr")]
fn summary(r: &crate::ssr::db::applications::ListedApplication) -> ApplicationSummary {
    ApplicationSummary {
        id: r.id,
        facility_id: r.facility_id,
        facility_name: r.facility_name.clone(),
        facility_type: r.facility_type.parse::<rules::FacilityType>().map_or("", |t| t.label_ja()).to_owned(),
        prefecture: r.prefecture.parse::<rules::Prefecture>().map_or("", |p| p.name_ja()).to_owned(),
        status: r.status.clone(),
        status_label: crate::ssr::db::applications::status_label(&r.status).to_owned(),
        applied_on: wareki(&r.applied_on),
        total_cost: yen_text(&r.total_cost),
        subsidy: yen_text(&r.subsidy),
        paid_amount: r.paid_amount.as_deref().map(yen_text),
    }
}

/// Prepares a facility's package from a confirmed quote (None: its newest paid one) or says
/// why it cannot apply. Shared by the form, the PDF and CSV downloads and the 一括申請 bundle.
#[cfg(feature = "ssr")]
pub async fn prepare_for(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    facility_id: i64,
    quote_id: Option<i64>,
    applied_on: chrono::NaiveDate,
    readers: Option<u8>,
    details: Option<&ApplicantDetails>,
) -> Result<(Option<i64>, Result<rules::application::Package, Vec<rules::application::Refusal>>), UiError> {
    use crate::ssr::{context::internal, db};
    let (mut applicant, facts) = db::applications::applicant_and_facts(pool, scope, facility_id).await?;
    let details = match details {
        Some(d) => d.clone(),
        None => details_prefill(pool, facility_id, &applicant).await?,
    };
    with_details(&mut applicant, details);
    let quote_id = match quote_id {
        Some(q) => Some(q),
        None => db::applications::latest_paid_quote(pool, facility_id).await.map_err(internal)?,
    };
    let costs = match quote_id {
        Some(q) => {
            Some(db::applications::final_costs(pool, facility_id, q).await.map_err(internal)?.ok_or_else(|| {
                UiError::Fields(vec![("quote_id".into(), "この施設の確定済みの見積書を選んでください".into())])
            })?)
        }
        None => None,
    };
    let outcome = prepare_with(applicant, &facts, costs.as_ref(), applied_on, readers);
    Ok((quote_id, outcome))
}

/// The 一括申請 of a corporation's facilities the scope reaches, as of `applied_on`: each
/// facility's package from its own newest paid receipt, or why it cannot apply; when the
/// corporation paid receipts for all its facilities ([`crate::ssr::db::applications::set_shared`]),
/// their lines are split across the facilities that can apply ([`rules::application::with_shared`]),
/// so that their 内訳書 add up to the combined receipt. Each entry carries the scans attached to
/// the facility's application. None when the scope reaches no facility of it.
#[cfg(feature = "ssr")]
pub async fn bulk_entries(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    corporation_id: i64,
    applied_on: chrono::NaiveDate,
) -> Result<Option<Vec<crate::application_document::BulkEntry>>, UiError> {
    use crate::ssr::{context::internal, db};
    let facilities = db::applications::corporation_facilities(pool, scope, corporation_id).await.map_err(internal)?;
    if facilities.is_empty() {
        return Ok(None);
    }
    let mut shared = Vec::new();
    for (quote_id, facility_id) in db::applications::shared_receipts(pool, corporation_id).await.map_err(internal)? {
        shared.extend(db::applications::final_costs(pool, facility_id, quote_id).await.map_err(internal)?);
    }
    // (facility id, applicant, facts, own costs, package or refusals)
    let mut prepared = Vec::with_capacity(facilities.len());
    for (facility_id, _) in facilities {
        let (mut applicant, facts) = db::applications::applicant_and_facts(pool, scope, facility_id).await?;
        let details = details_prefill(pool, facility_id, &applicant).await?;
        with_details(&mut applicant, details);
        let own = match db::applications::latest_paid_quote(pool, facility_id).await.map_err(internal)? {
            Some(q) => db::applications::final_costs(pool, facility_id, q).await.map_err(internal)?,
            None => None,
        };
        let outcome = prepare_with(applicant.clone(), &facts, own.as_ref(), applied_on, None);
        prepared.push((facility_id, applicant, facts, own, outcome));
    }
    let applying = prepared.iter().filter(|p| p.4.is_ok()).count();
    let mut entries = Vec::with_capacity(prepared.len());
    let mut index = 0;
    for (facility_id, applicant, facts, own, mut outcome) in prepared {
        if let (Ok(_), Some(own), false) = (&outcome, &own, shared.is_empty()) {
            let (costs, notes) = rules::application::with_shared(own, &shared, index, applying);
            index += 1;
            outcome = prepare_with(applicant.clone(), &facts, Some(&costs), applied_on, None).map(|mut p| {
                p.notes.extend(notes);
                p
            });
        }
        let scans = match db::applications::application_id_of(pool, facility_id).await.map_err(internal)? {
            Some(id) => db::applications::receipt_scan_files(pool, id)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|(scan, name, bytes)| (format!("{}_領収書(写)_{scan}_{name}", applicant.facility_code), bytes))
                .collect(),
            None => Vec::new(),
        };
        entries.push(crate::application_document::BulkEntry {
            facility_code: applicant.facility_code,
            facility_name: applicant.name,
            facility_type: applicant.facility_type.label_ja().to_owned(),
            prefecture: applicant.prefecture,
            outcome,
            scans,
        });
    }
    Ok(Some(entries))
}

/// Prepares the package of a facility from final costs (None: none paid) or says why it cannot
/// apply; the 一括申請 calls it with a facility's own costs and its share of the shared ones.
#[cfg(feature = "ssr")]
pub fn prepare_with(
    applicant: rules::application::Applicant,
    facts: &rules::provisioning::ProvisioningFacts,
    costs: Option<&rules::application::FinalCosts>,
    applied_on: chrono::NaiveDate,
    readers: Option<u8>,
) -> Result<rules::application::Package, Vec<rules::application::Refusal>> {
    use rules::application::{FinalCosts, RefusalCode, Request, prepare};
    let readers =
        readers.unwrap_or_else(|| rules::readers::entitlement(facts.facility_type, facts.readers).free.max(1));
    let empty = FinalCosts { lines: Vec::new(), tax_inclusive: true, paid_on: None, payee: None };
    let request = Request { facts, costs: costs.unwrap_or(&empty), readers_claimed: readers, applied_on };
    let mut outcome = prepare(rules::scheme::Catalog::builtin(), applicant, request);
    if costs.is_none()
        && let Err(refusals) = &mut outcome
    {
        refusals.retain(|r| !matches!(r.code, RefusalCode::CostsNotPaid | RefusalCode::NoEligibleCost));
        refusals.insert(
            0,
            rules::application::Refusal {
                code: RefusalCode::CostsNotPaid,
                reason: "支払済みの費用（確定した見積書または手入力の実費）が登録されていません".into(),
                remedy: "見積書を取り込むか実費を手入力して確定し、施設の画面の「補助金の交付申請」欄で、その見積の「支払済みにする」から支払日を登録してください"
                    .into(),
            },
        );
    }
    outcome
}

/// What the form offers for who applies: the facility's last application as typed there,
/// else the facility's own record (its address, its corporation as 開設者).
#[cfg(feature = "ssr")]
pub async fn details_prefill(
    pool: &sqlx::SqlitePool,
    facility_id: i64,
    facility: &rules::application::Applicant,
) -> Result<ApplicantDetails, UiError> {
    let stored = crate::ssr::db::applications::stored_applicant(pool, facility_id)
        .await
        .map_err(crate::ssr::context::internal)?;
    Ok(ApplicantDetails::of(stored.as_ref().unwrap_or(facility)))
}

#[cfg(feature = "ssr")]
fn with_details(applicant: &mut rules::application::Applicant, d: ApplicantDetails) {
    applicant.founder = d.founder;
    applicant.representative_title = d.representative_title;
    applicant.representative_name = d.representative_name;
    applicant.address = d.address;
    applicant.phone = d.phone;
    applicant.contact_person = d.contact_person;
}

#[cfg(feature = "ssr")]
fn parse_day(field: &str, value: &str, what: &str) -> Result<chrono::NaiveDate, UiError> {
    rules::parse_date(value)
        .map_err(|e| UiError::Fields(vec![(field.to_owned(), format!("{what}: {e}（例: 2023-05-01、令和5年5月1日）"))]))
}

/// The application section of a facility page.
#[server(prefix = "/api", endpoint = "application_form")]
pub async fn application_form(facility_id: i64) -> Result<ApplicationFormView, UiError> {
    use crate::ssr::{context, db};
    use rules::access::Permission;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let pool = context::pool()?;
    let mut conn = pool.acquire().await.map_err(context::internal)?;
    let basics = db::applications::section_basics(&mut *conn, &user.scope, facility_id).await?;
    let facility_type = basics.facility_type.parse().unwrap_or(rules::FacilityType::MedicalClinic);
    let readers = u8::try_from(basics.readers).unwrap_or(u8::MAX);
    let quotes = db::applications::confirmed_quotes(&mut *conn, facility_id)
        .await
        .map_err(context::internal)?
        .into_iter()
        .map(|q| CostChoice {
            id: q.id,
            label: format!(
                "#{} {}（{}{}）",
                q.id,
                q.file_name,
                q.vendor.unwrap_or_else(|| "ベンダー未登録".into()),
                q.quote_date.map(|d| format!("・{d}")).unwrap_or_default()
            ),
            paid_on: q.paid_on.as_deref().map(wareki),
            shared: q.shared,
        })
        .collect();
    // Everything else comes from the two statements above: the page loads this section beside
    // two others, and each further statement costs every request (BENCHMARKS.md, load test).
    drop(conn);
    let details = ApplicantDetails::of(&basics.applicant()?);
    let in_corporation = basics.in_corporation();
    let existing = basics
        .application_id
        .zip(basics.application_status)
        .map(|(id, s)| (id, db::applications::status_label(&s).to_owned()));
    Ok(ApplicationFormView {
        facility_id,
        facility_name: basics.name,
        quotes,
        readers_default: rules::readers::entitlement(facility_type, readers).free.max(1),
        today: context::today().to_string(),
        existing,
        can_edit: user.role.may(Permission::EditOwnFacilities),
        in_corporation,
        details,
    })
}

/// Marks a confirmed quote paid on the 領収書's date; an empty date marks it unpaid.
#[server(prefix = "/api", endpoint = "mark_quote_paid")]
pub async fn mark_quote_paid(facility_id: i64, quote_id: i64, paid_on: String) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::provisioning::facility_in_scope(&pool, &user.scope, facility_id).await?;
    let quote = quote_id.to_string();
    let values = [("quote_id", quote.as_str()), ("paid_on", &paid_on)];
    async {
        let paid_on = match paid_on.trim() {
            "" => None,
            text => {
                let day = parse_day("paid_on", text, "支払日")?;
                if day > context::today() {
                    return Err(UiError::Fields(vec![(
                        "paid_on".into(),
                        "支払日が今日より後です。支払が済んでから登録してください".into(),
                    )]));
                }
                Some(day)
            }
        };
        let actor = Actor::user(user.id, user.email.clone());
        db::applications::set_quote_paid(&pool, &actor, facility_id, quote_id, paid_on).await
    }
    .await
    .map_err(|e| e.keeping(values))
}

/// Prepares the package and stores it as the facility's draft application, or refuses with
/// every reason and what to do (nothing is stored then). The form posts who applies
/// (`details=1` and the [`DETAIL_FIELDS`]); a post without them keeps what the facility's last
/// application said.
#[server(prefix = "/api", endpoint = "prepare_application")]
pub async fn prepare_application(
    facility_id: i64,
    quote_id: i64,
    applied_on: String,
    readers: String,
    #[server(default)] details: String,
    #[server(default)] founder: String,
    #[server(default)] representative_title: String,
    #[server(default)] representative_name: String,
    #[server(default)] address: String,
    #[server(default)] phone: String,
    #[server(default)] contact_person: String,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let quote = quote_id.to_string();
    let typed = [founder.as_str(), &representative_title, &representative_name, &address, &phone, &contact_person];
    let mut values = vec![("quote_id", quote.as_str()), ("applied_on", &applied_on), ("readers", &readers)];
    if details == "1" {
        values.push(("details", "1"));
        values.extend(DETAIL_FIELDS.iter().map(|(name, ..)| *name).zip(typed));
    }
    let id = async {
        let mut errors = Vec::new();
        let applied_on = parse_day("applied_on", &applied_on, "申請日").map_err(|e| {
            if let UiError::Fields(f) = e {
                errors.extend(f);
            }
        });
        let readers = readers.trim().parse::<u8>().map_err(|_| {
            errors.push(("readers".to_owned(), "カードリーダーの台数を数字で入力してください（例: 1）".to_owned()));
        });
        let details = if details == "1" {
            ApplicantDetails::parse(typed).map(Some).map_err(|e| errors.extend(e))
        } else {
            Ok(None)
        };
        let (Ok(applied_on), Ok(readers), Ok(details), true) = (applied_on, readers, details, errors.is_empty()) else {
            return Err(UiError::Fields(errors));
        };
        let (quote_id, outcome) =
            prepare_for(&pool, &user.scope, facility_id, Some(quote_id), applied_on, Some(readers), details.as_ref())
                .await?;
        let quote_id = quote_id.ok_or(UiError::NotFound)?;
        let package = match outcome {
            Ok(package) => package,
            Err(refusals) => {
                // The dates the 申請日 is out of order with are said beside it, the rest in the list.
                let mut conn = pool.acquire().await.map_err(context::internal)?;
                let stored = db::dates::of_facility(&mut conn, facility_id).await.map_err(context::internal)?;
                let beside: Vec<String> = stored
                    .applying(quote_id, applied_on)
                    .conflicts_involving(&[DateField::SubsidyApplied])
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let item = |r: rules::application::Refusal| {
                    let text = format!("{}。{}", r.reason, r.remedy);
                    let field = if beside.contains(&text) { "applied_on" } else { r.code.code() };
                    (field.to_owned(), text)
                };
                return Err(UiError::Fields(refusals.into_iter().map(item).collect()));
            }
        };
        let actor = Actor::user(user.id, user.email.clone());
        db::applications::save_draft(&pool, &actor, facility_id, quote_id, &package).await
    }
    .await
    .map_err(|e| e.keeping(values))?;
    leptos_axum::redirect(&format!("/applications/{id}"));
    Ok(())
}

/// One application in the user's scope.
#[server(prefix = "/api", endpoint = "application")]
pub async fn application(id: i64) -> Result<ApplicationView, UiError> {
    use crate::application_document::{fields, tables};
    use crate::ssr::{context, db};
    use rules::access::Permission;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let pool = context::pool()?;
    let r = db::applications::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let package =
        serde_json::from_str(&r.package_json).map(rules::application::Package::as_shown).map_err(context::internal)?;
    let t = tables(&package);
    let rows = |name: &str| t.get(name).cloned().unwrap_or_default();
    let col = |row: &crate::application_document::Fields, k: &str| row.get(k).cloned().unwrap_or_default();
    let editor = user.role.may(Permission::EditOwnFacilities);
    Ok(ApplicationView {
        summary: summary(&r.listed),
        fields: fields(&package).into_iter().collect(),
        breakdown: rows("breakdown")
            .iter()
            .map(|b| (col(b, "category"), col(b, "eligibility"), col(b, "amount")))
            .collect(),
        lines: rows("lines")
            .iter()
            .map(|l| (col(l, "no"), col(l, "category"), col(l, "description"), col(l, "eligible"), col(l, "amount")))
            .collect(),
        notes: crate::application_document::notes(&package),
        submitted_on: r.submitted_on.as_deref().map(wareki),
        paid_on: r.paid_on.as_deref().map(wareki),
        can_submit: editor && r.listed.status == "draft",
        can_record_payment: editor && r.listed.status == "submitted",
        applied_on_iso: r.listed.applied_on.clone(),
        scans: db::applications::receipt_scans(&pool, id)
            .await
            .map_err(context::internal)?
            .into_iter()
            .map(|s| ScanView {
                id: s.id,
                kind: match s.content_type.as_str() {
                    "application/pdf" => "PDF",
                    "image/jpeg" => "JPEG",
                    _ => "PNG",
                }
                .to_owned(),
                size: format!("{:.1} MB", s.size as f64 / (1024.0 * 1024.0)),
                uploaded_at: rules::format_timestamp_jst(&s.uploaded_at),
                file_name: s.file_name,
            })
            .collect(),
        can_attach: editor,
    })
}

/// Removes a scanned 領収書(写) from an application.
#[server(prefix = "/api", endpoint = "delete_receipt_scan")]
pub async fn delete_receipt_scan(id: i64, scan_id: i64) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::applications::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    db::applications::delete_receipt_scan(&pool, &Actor::user(user.id, user.email.clone()), id, scan_id).await
}

/// Marks a paid receipt of a facility as paid by its corporation for all its facilities
/// (`shared` = "1"), split across them in the 一括申請; anything else unmarks it.
#[server(prefix = "/api", endpoint = "mark_receipt_shared")]
pub async fn mark_receipt_shared(facility_id: i64, quote_id: i64, shared: String) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    db::provisioning::facility_in_scope(&pool, &user.scope, facility_id).await?;
    let actor = Actor::user(user.id, user.email.clone());
    db::applications::set_shared(&pool, &actor, facility_id, quote_id, shared == "1").await
}

/// draft → submitted, on the day it was sent.
#[server(prefix = "/api", endpoint = "submit_application")]
pub async fn submit_application(id: i64, submitted_on: String, confirm: Option<String>) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let r = db::applications::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    async {
        let on = parse_day("submitted_on", &submitted_on, "提出日")?;
        // Once submitted, the application's figures are what the 交付申請 said: confirmed first.
        if confirm.is_none() {
            return Err(UiError::Fields(vec![(
                "confirm".into(),
                "提出済みにすると、申請書の内容は変更できません。提出した内容と同じことを確かめ、確認のチェックを入れてください".into(),
            )]));
        }
        let applied: chrono::NaiveDate = r.listed.applied_on.parse().map_err(context::internal)?;
        if on < applied {
            return Err(UiError::Fields(vec![(
                "submitted_on".into(),
                format!("提出日が申請書の申請日（{}）より前です", rules::format_wareki(applied)),
            )]));
        }
        db::applications::submit(&pool, &Actor::user(user.id, user.email.clone()), &r, on).await
    }
    .await
    .map_err(|e| e.keeping([("submitted_on", submitted_on.as_str())]))
}

/// submitted → paid, with the day and the amount the 交付決定 granted.
#[server(prefix = "/api", endpoint = "record_application_payment")]
pub async fn record_application_payment(id: i64, paid_on: String, amount: String) -> Result<(), UiError> {
    use crate::ssr::{context, db};
    let user = context::require_permission(rules::access::Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let r = db::applications::get(&pool, &user.scope, id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    let values = [("paid_on", paid_on.as_str()), ("amount", &amount)];
    record_payment(&pool, &user, &r, &paid_on, &amount).await.map_err(|e| e.keeping(values))
}

#[cfg(feature = "ssr")]
async fn record_payment(
    pool: &sqlx::SqlitePool,
    user: &crate::SessionUser,
    r: &crate::ssr::db::applications::ApplicationRecord,
    paid_on: &str,
    amount: &str,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let on = parse_day("paid_on", paid_on, "交付日")?;
    if let Some(submitted) = r.submitted_on.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        && on < submitted
    {
        let (on, submitted) = (rules::format_wareki(on), rules::format_wareki(submitted));
        return Err(UiError::Fields(vec![(
            "paid_on".into(),
            format!(
                "交付日（{on}）が提出日（{submitted}）より前になっています。交付日は提出日以降の日付にしてください"
            ),
        )]));
    }
    let amount = rules::Yen::parse(amount).map_err(|e| UiError::Fields(vec![("amount".into(), e.to_string())]))?;
    let requested = rules::Yen::parse(&r.listed.subsidy).map_err(context::internal)?;
    if amount.is_negative() || amount > requested {
        return Err(UiError::Fields(vec![(
            "amount".into(),
            format!("交付額は0円以上、申請額（{requested}）以下で入力してください"),
        )]));
    }
    db::applications::record_payment(pool, &Actor::user(user.id, user.email.clone()), r, on, amount).await
}

/// The applications in the user's scope, a page at a time, narrowed by facility type,
/// prefecture, a search on the facility's name, kana or code, and status, with totals by
/// prefecture and type.
#[server(prefix = "/api", endpoint = "applications")]
pub async fn list_applications(
    facility_type: String,
    prefecture: String,
    search: String,
    status: String,
    page: String,
) -> Result<ApplicationList, UiError> {
    use crate::ssr::{context, db};
    use rules::access::{Permission, Scope};
    use rules::application::ApplicationStatus;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let (facility_type, prefecture) =
        crate::api::dashboard::parse_codes(&facility_type, &prefecture).map_err(UiError::Fields)?;
    let status = match status.trim() {
        "" => None,
        code => Some(code.parse::<ApplicationStatus>().map_err(|e| UiError::Invalid(e.to_string()))?),
    };
    let search = Some(search.trim().to_owned()).filter(|s| !s.is_empty());
    let facilities = db::facilities::ListFilter { facility_type, prefecture, search };
    let filter = db::applications::ListFilter { facilities, status };
    let pool = context::pool()?;
    let f = &filter.facilities;
    let from_totals =
        f.search.is_none() && db::dashboard::Source::for_request(&user.scope) == db::dashboard::Source::Totals;
    let places = if from_totals {
        let by_codes = db::dashboard::Filter {
            facility_type: f.facility_type.clone(),
            prefecture: f.prefecture.clone(),
            ..Default::default()
        };
        db::dashboard::subsidies_by_place(&pool, &user.scope, &by_codes).await
    } else {
        db::applications::by_place(&pool, &user.scope, f).await
    }
    .map_err(context::internal)?;
    // The totals count every application the filter reaches, so the list needs no count of its own.
    let matching: i64 = places
        .iter()
        .filter(|(_, _, s, ..)| status.is_none_or(|wanted| wanted.code() == s))
        .map(|(_, _, _, n, ..)| n)
        .sum();
    let (rows, paging) = crate::api::paging::page_of(
        &page,
        async || Ok(matching),
        async |offset| {
            db::applications::page(&pool, &user.scope, &filter, offset, crate::api::paging::ROWS_PER_PAGE)
                .await
                .map_err(context::internal)
        },
    )
    .await?;
    Ok(ApplicationList {
        rows: rows.iter().map(summary).collect(),
        paging,
        totals: totals(&places),
        applied: [
            filter.facilities.facility_type.unwrap_or_default(),
            filter.facilities.prefecture.unwrap_or_default(),
            filter.facilities.search.unwrap_or_default(),
            status.map(|s| s.code().to_owned()).unwrap_or_default(),
        ],
        filterable: !matches!(user.scope, Scope::Facility { .. }),
        choices: crate::api::filter_choices::FilterChoices::of(&user.scope),
        statuses: ApplicationStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label_ja().to_owned())).collect(),
    })
}

/// The totals rows of (prefecture, type, status, count, 申請額, 交付額), one per prefecture and
/// type in that order, and the sum of all last (「合計」) when there is more than one.
#[cfg(feature = "ssr")]
fn totals(places: &[(String, String, String, i64, i64, i64)]) -> Vec<ApplicationTotal> {
    use rules::application::ApplicationStatus;
    use rules::{FacilityType, Prefecture, Yen};
    let row = |prefecture: String, facility_type: String| ApplicationTotal {
        prefecture,
        facility_type,
        counts: [0; 3],
        requested: "0".into(),
        granted: "0".into(),
    };
    // (row, 申請額, 交付額) in whole yen while adding up.
    let mut rows: Vec<(ApplicationTotal, i64, i64)> = Vec::new();
    let mut all = (row("合計".into(), String::new()), 0, 0);
    for (prefecture, kind, status, n, amount, granted) in places {
        let Ok(status) = status.parse::<ApplicationStatus>() else { continue };
        let prefecture = prefecture.parse::<Prefecture>().map_or_else(|_| prefecture.clone(), |p| p.name_ja().into());
        let kind = kind.parse::<FacilityType>().map_or_else(|_| kind.clone(), |t| t.label_ja().into());
        if rows.last().is_none_or(|(r, ..)| r.prefecture != prefecture || r.facility_type != kind) {
            rows.push((row(prefecture, kind), 0, 0));
        }
        let requested = if status.is_sent() { *amount } else { 0 };
        for (r, req, gra) in rows.last_mut().into_iter().chain([&mut all]) {
            r.counts[status.index()] += n;
            (*req, *gra) = (*req + requested, *gra + granted);
        }
    }
    let several = rows.len() > 1;
    rows.into_iter()
        .chain(several.then_some(all))
        .map(|(r, requested, granted)| ApplicationTotal {
            requested: Yen::from(requested).to_string(),
            granted: Yen::from(granted).to_string(),
            ..r
        })
        .collect()
}
