//! What generation reads from the database before the first batch — vendors, reader makers, blocker reasons, price ranges, caps — and the few rows it shares across batches (synthetic reviewers, an auditor, pharmacy chains).

use super::plan::{self, Plan};
use super::rng::Rng;
use super::text::CHAIN_BRANDS;
use super::{Options, SeedError};
use chrono::NaiveDate;
use rules::provisioning::Stage;
use rules::{Association, Prefecture};
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// The benchmark table of the audit's price ranges (seed/benchmarks.json; assumptions, `verified: false`).
pub const PRICE_TABLE: &str = "audit_price_ranges";

/// The benchmark table of the subsidy's 基準とする事業額 (seeds/001 別添1, 003).
pub const CAP_TABLE: &str = "subsidy_base_amount_caps";

/// Domain of every synthetic account's e-mail: `.invalid` is reserved (RFC 2606), so no mail can go out.
pub const EMAIL_DOMAIN: &str = "seed-national.invalid";

/// The password hash of synthetic accounts: not a PHC string, so no password
/// ever matches (`app::ssr::password::HashGate::verify`); the accounts are disabled as well.
pub const NO_PASSWORD: &str = "!seed-national: no password, sign-in disabled";

/// Pharmacy chains created for the 大型チェーン薬局 (one per this many of them, at least one, at most 30).
const PHARMACIES_PER_CHAIN: u64 = 400;

/// A day as an offset from [`FIRST_DAY`], with its text prepared once.
pub type Day = u16;

const FIRST_DAY: (i32, u32, u32) = (2020, 1, 1);
const LAST_DAY: (i32, u32, u32) = (2027, 12, 31);

/// Every day from 2020-01-01 to 2027-12-31 as `YYYY-MM-DD` text, so rows hold a `u16`.
#[derive(Debug, Clone)]
pub struct Days {
    first: NaiveDate,
    text: Vec<String>,
}

impl Days {
    fn new() -> Self {
        let first = NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2).unwrap_or_default();
        let text = first.iter_days().take_while(|d| *d <= last).map(|d| d.format("%Y-%m-%d").to_string()).collect();
        Days { first, text }
    }

    /// The day of a date (clamped to the table).
    pub fn of(&self, year: i32, month: u32, day: u32) -> Day {
        let date = NaiveDate::from_ymd_opt(year, month, day).unwrap_or(self.first);
        let offset = (date - self.first).num_days().clamp(0, i64::from(self.last()));
        Day::try_from(offset).unwrap_or(0)
    }

    /// The last day of the table.
    pub fn last(&self) -> Day {
        Day::try_from(self.text.len().saturating_sub(1)).unwrap_or(Day::MAX)
    }

    /// `day` moved by `days` (either way), clamped to the table.
    pub fn add(&self, day: Day, days: i64) -> Day {
        let moved = (i64::from(day) + days).clamp(0, i64::from(self.last()));
        Day::try_from(moved).unwrap_or(day)
    }

    /// The date of a day.
    pub fn date(&self, day: Day) -> NaiveDate {
        self.first + chrono::Days::new(u64::from(day))
    }

    /// `YYYY-MM-DD`.
    pub fn text(&self, day: Day) -> &str {
        self.text.get(usize::from(day)).map_or("", String::as_str)
    }
}

/// A price range of [`PRICE_TABLE`], whole yen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Lowest plausible price; `None` when the table gives only a ceiling.
    pub min: Option<i64>,
    /// Ceiling.
    pub max: i64,
}

/// The price ranges quote lines are drawn around.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prices {
    /// Per key of [`PRICE_TABLE`] (`terminal`, `receipt_system@hospital`, …).
    ranges: HashMap<String, Range>,
}

impl Prices {
    /// The range of a key, with the hospital variant (`key@hospital`) when asked and present.
    pub fn get(&self, key: &str, hospital: bool) -> Range {
        let specific = hospital.then(|| self.ranges.get(&format!("{key}@hospital"))).flatten();
        specific.or_else(|| self.ranges.get(key)).copied().unwrap_or(Range { min: None, max: 0 })
    }
}

/// Keys of [`PRICE_TABLE`] generation needs.
const PRICE_KEYS: [&str; 11] = [
    "terminal",
    "generic_reader",
    "router",
    "certificate",
    "network_setup",
    "lan_wiring",
    "receipt_system",
    "emr",
    "setup_labor",
    "training",
    "travel",
];

/// A synthetic pharmacy chain (a `pharmacy_chain` corporation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// corporations.id.
    pub id: i64,
    /// Index into [`CHAIN_BRANDS`].
    pub brand: usize,
    /// The group's prescriptions a month (≥ 40,000: what makes a 大型チェーン薬局).
    pub monthly_prescriptions: i64,
    /// corporations.name: the 開設者 of its pharmacies' applications.
    pub name: String,
}

/// Everything generation reads; shared by every batch.
#[derive(Debug, Clone)]
pub struct Context {
    /// The run's options.
    pub options: Options,
    /// Dates.
    pub days: Days,
    /// Counts per type and prefecture, stage mixes.
    pub plan: Plan,
    /// Price ranges.
    pub prices: Prices,
    /// 基準とする事業額 of hospitals with 1, 2, 3 readers.
    pub hospital_caps: [i64; 3],
    /// 基準とする事業額 of every other type (by facility type code).
    pub caps: HashMap<String, i64>,
    /// Vendors serving hospitals (vendors.supports_hospital = 1).
    pub hospital_vendors: Vec<i64>,
    /// Vendors serving clinics and pharmacies (supports_clinic = 1).
    pub clinic_vendors: Vec<i64>,
    /// Vendor names by id: the payee of a paid quote.
    pub vendor_names: HashMap<i64, String>,
    /// Reader maker codes.
    pub makers: Vec<String>,
    /// Per stage (index of [`Stage::ALL`]): blocker codes and weights (percent × 10).
    pub blockers: Vec<Vec<(String, u64)>>,
    /// The pharmacy chains of the 大型チェーン薬局.
    pub chains: Vec<Chain>,
    /// Synthetic reviewer per association (index of [`Association::ALL`]) and prefecture.
    pub reviewers: Vec<[i64; 47]>,
    /// The synthetic auditor.
    pub auditor: i64,
    /// "01".."47".
    pub prefecture_codes: Vec<String>,
}

impl Context {
    /// The caps of a facility type and reader count.
    pub fn cap(&self, kind: rules::FacilityType, readers: u8) -> i64 {
        if kind == rules::FacilityType::Hospital {
            let i = usize::from(readers.clamp(1, 3) - 1);
            self.hospital_caps[i]
        } else {
            self.caps.get(kind.code()).copied().unwrap_or(0)
        }
    }
}

fn whole_yen(table: &'static str, key: &str, text: Option<String>) -> Result<Option<i64>, SeedError> {
    text.map(|t| {
        t.parse::<i64>()
            .map_err(|_| SeedError::MissingBenchmark { table, key: format!("{key} ({t:?} is not whole yen)") })
    })
    .transpose()
}

/// Tenths of a percent from the decimal text of blocker_reasons.percent ("33.3" → 333); 10 when unknown.
fn per_mille(text: Option<&str>) -> u64 {
    let Some(t) = text else { return 10 };
    let (whole, frac) = t.split_once('.').unwrap_or((t, "0"));
    let tenths = frac.chars().next().and_then(|c| c.to_digit(10)).unwrap_or(0);
    whole.parse::<u64>().map_or(10, |w| w * 10 + u64::from(tenths))
}

/// Reads the reference data and creates (or finds) the shared synthetic rows, inside the caller's transaction.
pub async fn load(conn: &mut SqliteConnection, options: &Options) -> Result<Context, SeedError> {
    let published = plan::published(conn).await?;
    let plan = plan::plan(&published, u64::from(options.facilities), options.seed);

    let rows: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT key, min, max FROM benchmark_rows WHERE table_id = ?")
            .bind(PRICE_TABLE)
            .fetch_all(&mut *conn)
            .await
            .map_err(SeedError::Setup)?;
    let mut ranges = HashMap::new();
    for (key, min, max) in rows {
        let max = whole_yen(PRICE_TABLE, &key, max)?;
        let min = whole_yen(PRICE_TABLE, &key, min)?;
        if let Some(max) = max {
            ranges.insert(key, Range { min, max });
        }
    }
    if let Some(missing) = PRICE_KEYS.iter().find(|k| !ranges.contains_key(**k)) {
        return Err(SeedError::MissingBenchmark { table: PRICE_TABLE, key: (*missing).to_owned() });
    }

    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT key, value FROM benchmark_rows WHERE table_id = ?")
            .bind(CAP_TABLE)
            .fetch_all(&mut *conn)
            .await
            .map_err(SeedError::Setup)?;
    let mut caps = HashMap::new();
    for (key, value) in rows {
        if let Some(v) = whole_yen(CAP_TABLE, &key, value)? {
            caps.insert(key, v);
        }
    }
    let cap =
        |key: &str| caps.get(key).copied().ok_or(SeedError::MissingBenchmark { table: CAP_TABLE, key: key.to_owned() });
    let hospital_caps = [cap("hospital_1_reader")?, cap("hospital_2_readers")?, cap("hospital_3_readers")?];
    for kind in ["medical_clinic", "dental_clinic", "pharmacy", "large_chain_pharmacy"] {
        cap(kind)?;
    }

    let hospital_vendors: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM vendors WHERE supports_hospital = 1 ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map_err(SeedError::Setup)?;
    let clinic_vendors: Vec<i64> = sqlx::query_scalar("SELECT id FROM vendors WHERE supports_clinic = 1 ORDER BY code")
        .fetch_all(&mut *conn)
        .await
        .map_err(SeedError::Setup)?;
    if hospital_vendors.is_empty() || clinic_vendors.is_empty() {
        return Err(SeedError::NoVendors);
    }
    let vendor_names: HashMap<i64, String> = sqlx::query_as("SELECT id, name FROM vendors")
        .fetch_all(&mut *conn)
        .await
        .map_err(SeedError::Setup)?
        .into_iter()
        .collect();
    let makers: Vec<String> = sqlx::query_scalar("SELECT code FROM reader_makers ORDER BY code")
        .fetch_all(&mut *conn)
        .await
        .map_err(SeedError::Setup)?;
    if makers.is_empty() {
        return Err(SeedError::NoReaderMakers);
    }
    let reasons: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT stage, code, percent FROM blocker_reasons ORDER BY stage, rank, code")
            .fetch_all(&mut *conn)
            .await
            .map_err(SeedError::Setup)?;
    let mut blockers = vec![Vec::new(); Stage::ALL.len()];
    for (stage, code, percent) in reasons {
        if let Ok(stage) = stage.parse::<Stage>() {
            blockers[stage.index()].push((code, per_mille(percent.as_deref())));
        }
    }

    let reviewers = reviewers(conn).await?;
    let auditor = user(conn, &format!("auditor@{EMAIL_DOMAIN}"), "合成データ 監査担当", "auditor", None, None).await?;
    let large = plan.type_total(rules::FacilityType::LargeChainPharmacy);
    let chains = chains(conn, options.seed, large).await?;

    Ok(Context {
        options: options.clone(),
        days: Days::new(),
        plan,
        prices: Prices { ranges },
        hospital_caps,
        caps,
        hospital_vendors,
        clinic_vendors,
        vendor_names,
        makers,
        blockers,
        chains,
        reviewers,
        auditor,
        prefecture_codes: Prefecture::all().map(Prefecture::code).collect(),
    })
}

/// Finds or creates a disabled synthetic account and returns its id.
async fn user(
    conn: &mut SqliteConnection,
    email: &str,
    display_name: &str,
    role: &str,
    association: Option<&str>,
    prefecture: Option<&str>,
) -> Result<i64, SeedError> {
    sqlx::query(
        "INSERT INTO users (email, display_name, role, password_hash, association, prefecture, disabled)
         VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (email) DO NOTHING",
    )
    .bind(email)
    .bind(display_name)
    .bind(role)
    .bind(NO_PASSWORD)
    .bind(association)
    .bind(prefecture)
    .execute(&mut *conn)
    .await
    .map_err(SeedError::Setup)?;
    sqlx::query_scalar("SELECT id FROM users WHERE email = ? AND role = ?")
        .bind(email)
        .bind(role)
        .fetch_one(&mut *conn)
        .await
        .map_err(SeedError::Setup)
}

/// One synthetic reviewer per association and prefecture, who moved the synthetic complaints.
async fn reviewers(conn: &mut SqliteConnection) -> Result<Vec<[i64; 47]>, SeedError> {
    let mut all = Vec::new();
    for association in Association::ALL {
        let mut ids = [0i64; 47];
        for (slot, p) in ids.iter_mut().zip(Prefecture::all()) {
            let email = format!("reviewer-{}-{}@{EMAIL_DOMAIN}", association.code(), p.code());
            let name = format!("合成データ {}{} 審査担当", p.name_ja(), association.label_ja());
            *slot = user(conn, &email, &name, "reviewer", Some(association.code()), Some(&p.code())).await?;
        }
        all.push(ids);
    }
    Ok(all)
}

/// The pharmacy chains (corporations of kind pharmacy_chain) the run's 大型チェーン薬局 belong to.
async fn chains(conn: &mut SqliteConnection, seed: u64, large_pharmacies: u64) -> Result<Vec<Chain>, SeedError> {
    let n = large_pharmacies.div_ceil(PHARMACIES_PER_CHAIN).clamp(1, 30);
    let mut rng = Rng::new(seed ^ 0xC4A1);
    let mut chains = Vec::new();
    for k in 0..n {
        let brand = usize::try_from(k).unwrap_or(0) % CHAIN_BRANDS.len();
        let round = k / CHAIN_BRANDS.len() as u64 + 1;
        let code = format!("seed_national_chain_{:02}", k + 1);
        let name = format!("株式会社{}ホールディングス（第{round}グループ）", CHAIN_BRANDS[brand].0);
        sqlx::query(
            "INSERT INTO corporations (code, name, kind) VALUES (?, ?, 'pharmacy_chain') ON CONFLICT (code) DO NOTHING",
        )
        .bind(&code)
        .bind(&name)
        .execute(&mut *conn)
        .await
        .map_err(SeedError::Setup)?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = ?")
            .bind(&code)
            .fetch_one(&mut *conn)
            .await
            .map_err(SeedError::Setup)?;
        // 40,000 a month makes a large chain (seeds/001, 003); the groups range up to ten times that.
        let floor = i64::from(rules::facility_type::LARGE_CHAIN_MONTHLY_PRESCRIPTIONS);
        chains.push(Chain { id, brand, monthly_prescriptions: rng.between(floor, floor * 10) / 100 * 100, name });
    }
    Ok(chains)
}

/// A context without a database: the seed files' figures, prices and caps, made-up ids.
#[cfg(test)]
pub fn for_tests(options: Options) -> Context {
    let benchmarks: serde_json::Value =
        serde_json::from_str(include_str!("../../../../seed/benchmarks.json")).expect("benchmarks.json");
    let rows = |table: &str| -> Vec<serde_json::Value> {
        let tables = benchmarks["tables"].as_array().expect("tables");
        let t = tables.iter().find(|t| t["id"] == table).expect("table");
        t["rows"].as_array().expect("rows").clone()
    };
    let ranges = rows(PRICE_TABLE)
        .iter()
        .filter_map(|r| {
            let max = r["max"].as_i64()?;
            Some((r["key"].as_str()?.to_owned(), Range { min: r["min"].as_i64(), max }))
        })
        .collect();
    let caps: HashMap<String, i64> =
        rows(CAP_TABLE).iter().filter_map(|r| Some((r["key"].as_str()?.to_owned(), r["value"].as_i64()?))).collect();
    let hospital_caps = [caps["hospital_1_reader"], caps["hospital_2_readers"], caps["hospital_3_readers"]];
    let mut blockers = vec![Vec::new(); Stage::ALL.len()];
    for stage in &mut blockers[1..6] {
        stage.extend([("other".to_owned(), 100), ("quote_cost_burden".to_owned(), 83)]);
    }
    Context {
        plan: plan::plan(&plan::seed_figures(), u64::from(options.facilities), options.seed),
        options,
        days: Days::new(),
        prices: Prices { ranges },
        hospital_caps,
        caps,
        hospital_vendors: vec![1, 2, 3],
        clinic_vendors: vec![2, 3, 4, 5],
        makers: vec!["maker_a".to_owned(), "maker_b".to_owned()],
        blockers,
        chains: vec![Chain {
            id: 7, brand: 0, monthly_prescriptions: 120_000, name: "株式会社テスト".to_owned()
        }],
        vendor_names: (1..=5).map(|id| (id, format!("ベンダー{id}"))).collect(),
        reviewers: vec![[10; 47], [11; 47], [12; 47]],
        auditor: 13,
        prefecture_codes: Prefecture::all().map(Prefecture::code).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_cover_the_rollout_and_clamp_at_the_ends() {
        let days = Days::new();
        let d = days.of(2021, 3, 31);
        assert_eq!(days.text(d), "2021-03-31");
        assert_eq!(days.text(days.add(d, 1)), "2021-04-01");
        assert_eq!(days.text(days.add(d, -100_000)), "2020-01-01");
        assert_eq!(days.text(days.add(d, 100_000)), "2027-12-31");
    }

    #[test]
    fn blocker_percentages_become_weights() {
        assert_eq!(per_mille(Some("33.3")), 333);
        assert_eq!(per_mille(Some("8")), 80);
        assert_eq!(per_mille(None), 10);
    }
}
