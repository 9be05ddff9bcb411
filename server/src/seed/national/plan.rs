//! What a run creates: the published figures (read from the database), the number of facilities per type and prefecture, and each type's mix of stages.
//!
//! Every figure comes from the `adoption_stats` table, which start-up loads
//! from `seed/adoption_stats.json`; nothing here restates a published number.

use super::SeedError;
use super::rng::{GOLDEN_GAMMA, Rng, mix};
use rules::FacilityType;
use rules::provisioning::Stage;
use sqlx::SqliteConnection;

/// The national series whose type totals and stage counts the run follows:
/// seeds/002, 「オンライン資格確認の導入状況（5月1日時点）」, 2022-05-01.
pub const NATIONAL_SERIES: &str = "mhlw_2022_05_01";

/// The only series with a prefecture's totals: seeds/004, 福岡県医師会, 2023-01-01 (prefecture 40).
pub const FUKUOKA_SERIES: &str = "fukuoka_ishikai_2023_01_01";

/// MHLW's progress survey (seeds/002, 2021-12-08 … 2022-03-30): respondents per stage,
/// which splits "applied but not ready" into reader_applied / vendor_ordered / installing.
pub const SURVEY_SERIES: &str = "mhlw_survey_2022_03_30";

/// 福岡県's JIS number.
const FUKUOKA: u8 = 40;

/// Share of pharmacies created as 大型チェーン薬局, per mille: 100 (10 %).
///
/// Assumption: the seeds count pharmacies as one type (seeds/002: 薬局 61,166)
/// and publish no count of pharmacies in groups of 40,000 or more prescriptions
/// a month. A tenth keeps large chains a small, visible share; change it here.
pub const LARGE_CHAIN_PER_MILLE: u64 = 100;

/// Of the facilities without a reader application, the share already
/// registered on the portal (stage portal_registered), per mille: 500.
///
/// Assumption: seeds/002 counts reader applications but not portal
/// registrations, and its survey asked only registered facilities, so no seed
/// splits these two stages. Half and half.
pub const PORTAL_REGISTERED_PER_MILLE: u64 = 500;

/// The four types of the published totals, in the order of [`Published::national`].
/// 大型チェーン薬局 are counted among 薬局 there.
pub const PUBLISHED_TYPES: [FacilityType; 4] =
    [FacilityType::Hospital, FacilityType::MedicalClinic, FacilityType::DentalClinic, FacilityType::Pharmacy];

/// One type's figures of [`NATIONAL_SERIES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeFigures {
    /// 施設数.
    pub facilities: u64,
    /// 顔認証付きカードリーダー申込施設数.
    pub reader_applied: u64,
    /// 準備完了施設数 (work finished; includes those operating).
    pub ready: u64,
    /// 運用開始施設数.
    pub operating: u64,
}

/// The published figures a run needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// [`NATIONAL_SERIES`] per type of [`PUBLISHED_TYPES`].
    pub national: [TypeFigures; 4],
    /// 福岡県, all types ([`FUKUOKA_SERIES`]).
    pub fukuoka_all: u64,
    /// 福岡県, hospitals.
    pub fukuoka_hospital: u64,
    /// 福岡県, medical clinics.
    pub fukuoka_medical_clinic: u64,
    /// Survey respondents at reader_applied, vendor_ordered and installing ([`SURVEY_SERIES`]).
    pub survey_applied_stages: [u64; 3],
}

async fn figure(
    conn: &mut SqliteConnection,
    series: &'static str,
    facility_type: &'static str,
    prefecture: &'static str,
    metric: &'static str,
) -> Result<u64, SeedError> {
    let value: Option<i64> = sqlx::query_scalar(
        "SELECT value FROM adoption_stats WHERE series = ? AND facility_type = ? AND prefecture = ? AND metric = ?",
    )
    .bind(series)
    .bind(facility_type)
    .bind(prefecture)
    .bind(metric)
    .fetch_optional(&mut *conn)
    .await
    .map_err(SeedError::Setup)?;
    value.and_then(|v| u64::try_from(v).ok()).ok_or(SeedError::MissingFigure {
        series,
        facility_type,
        prefecture,
        metric,
    })
}

/// Reads the figures from `adoption_stats` and checks that they nest
/// (facilities ≥ applied ≥ ready ≥ operating; Fukuoka within the nation).
pub async fn published(conn: &mut SqliteConnection) -> Result<Published, SeedError> {
    let mut national = [TypeFigures { facilities: 0, reader_applied: 0, ready: 0, operating: 0 }; 4];
    for (slot, kind) in national.iter_mut().zip(PUBLISHED_TYPES) {
        let t = kind.code();
        *slot = TypeFigures {
            facilities: figure(conn, NATIONAL_SERIES, t, "", "facilities").await?,
            reader_applied: figure(conn, NATIONAL_SERIES, t, "", "reader_applied").await?,
            ready: figure(conn, NATIONAL_SERIES, t, "", "ready").await?,
            operating: figure(conn, NATIONAL_SERIES, t, "", "operating").await?,
        };
        let f = *slot;
        if !(f.facilities > 0
            && f.facilities >= f.reader_applied
            && f.reader_applied >= f.ready
            && f.ready >= f.operating)
        {
            return Err(SeedError::InconsistentFigures(format!(
                "{NATIONAL_SERIES}/{t}: facilities {} ≥ reader_applied {} ≥ ready {} ≥ operating {} does not hold",
                f.facilities, f.reader_applied, f.ready, f.operating
            )));
        }
    }
    let published = Published {
        national,
        fukuoka_all: figure(conn, FUKUOKA_SERIES, "all", "40", "facilities").await?,
        fukuoka_hospital: figure(conn, FUKUOKA_SERIES, "hospital", "40", "facilities").await?,
        fukuoka_medical_clinic: figure(conn, FUKUOKA_SERIES, "medical_clinic", "40", "facilities").await?,
        survey_applied_stages: [
            figure(conn, SURVEY_SERIES, "all", "", "survey_stage_reader_applied").await?,
            figure(conn, SURVEY_SERIES, "all", "", "survey_stage_vendor_ordered").await?,
            figure(conn, SURVEY_SERIES, "all", "", "survey_stage_installing").await?,
        ],
    };
    let [hospital, clinic, dental, pharmacy] = published.national;
    let fukuoka_rest = published.fukuoka_all.checked_sub(published.fukuoka_hospital + published.fukuoka_medical_clinic);
    if published.fukuoka_hospital > hospital.facilities
        || published.fukuoka_medical_clinic > clinic.facilities
        || fukuoka_rest.is_none_or(|rest| rest > dental.facilities + pharmacy.facilities)
    {
        return Err(SeedError::InconsistentFigures(format!(
            "{FUKUOKA_SERIES}: Fukuoka's facilities (all {}, hospital {}, medical_clinic {}) do not fit within the national totals",
            published.fukuoka_all, published.fukuoka_hospital, published.fukuoka_medical_clinic
        )));
    }
    Ok(published)
}

/// Splits `total` in proportion to `weights` by largest remainders (Hamilton's
/// method): the parts add up to `total` exactly, each within one of its
/// exact share; ties go to the earlier weight.
pub fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(u64, u128)> = weights
        .iter()
        .map(|w| {
            let p = u128::from(total) * u128::from(*w);
            (u64::try_from(p / sum).unwrap_or(u64::MAX), p % sum)
        })
        .collect();
    let mut parts: Vec<u64> = exact.iter().map(|(q, _)| *q).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(usize::try_from(total.saturating_sub(given)).unwrap_or(0)) {
        parts[i] += 1;
    }
    parts
}

/// `n × num / den` rounded half up.
fn scale(n: u64, num: u64, den: u64) -> u64 {
    if den == 0 {
        return 0;
    }
    let x = (2 * u128::from(n) * u128::from(num) + u128::from(den)) / (2 * u128::from(den));
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// Index of a type in [`FacilityType::ALL`].
pub fn type_index(kind: FacilityType) -> usize {
    FacilityType::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// How many facilities of each type go to each prefecture, and each type's stage mix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Facilities per type (index of [`FacilityType::ALL`]) and prefecture (JIS number − 1).
    pub counts: [[u64; 47]; 5],
    /// Per type, the upper bounds of the seven stages on a 0..2^64 scale, cumulative in
    /// [`Stage::ALL`] order: a facility whose draw is below `bounds[i]` (and not below
    /// `bounds[i - 1]`) is at stage i.
    pub stage_bounds: [[u128; 7]; 5],
}

impl Plan {
    /// Facilities of a type over all prefectures.
    pub fn type_total(&self, kind: FacilityType) -> u64 {
        self.counts[type_index(kind)].iter().sum()
    }
}

/// Shares `total` facilities out as the published figures are, and fixes each type's stage mix.
///
/// * Types: the national totals of [`NATIONAL_SERIES`] scaled to `total`
///   ([`apportion`]); then [`LARGE_CHAIN_PER_MILLE`] of the pharmacies become
///   大型チェーン薬局.
/// * Prefectures: the seeds publish the totals of one prefecture only, 福岡県
///   ([`FUKUOKA_SERIES`]: all types, hospitals, medical clinics), and no
///   other prefecture's. Fukuoka gets its published share of each type (its
///   dental clinics and pharmacies together are all − hospitals − medical
///   clinics, shared in the national ratio); every other prefecture gets an
///   even share of the rest, the remainder going one each to prefectures
///   chosen by `seed`. So the 46 others are alike — a dashboard over this data
///   shows the published national mix, not the real prefectures' sizes.
/// * Stages: per type, operating = 運用開始, installed = 準備完了 − 運用開始,
///   reader_applied / vendor_ordered / installing share 申込 − 準備完了 in the
///   ratio of the survey's respondents ([`SURVEY_SERIES`]), and the facilities
///   without an application are split by [`PORTAL_REGISTERED_PER_MILLE`].
///   Large chain pharmacies follow the pharmacies' figures.
pub fn plan(published: &Published, total: u64, seed: u64) -> Plan {
    let national: Vec<u64> = published.national.iter().map(|f| f.facilities).collect();
    let per_type = apportion(total, &national);
    let large = scale(per_type[3], LARGE_CHAIN_PER_MILLE, 1000);
    let type_totals = [per_type[0], per_type[1], per_type[2], per_type[3] - large, large];

    let [hospital, clinic, dental, pharmacy] = published.national;
    let fukuoka_rest =
        published.fukuoka_all.saturating_sub(published.fukuoka_hospital + published.fukuoka_medical_clinic);
    let fukuoka_share: [(u64, u64); 5] = [
        (published.fukuoka_hospital, hospital.facilities),
        (published.fukuoka_medical_clinic, clinic.facilities),
        (fukuoka_rest, dental.facilities + pharmacy.facilities),
        (fukuoka_rest, dental.facilities + pharmacy.facilities),
        (fukuoka_rest, dental.facilities + pharmacy.facilities),
    ];
    let others: Vec<usize> = (1..=47u8).filter(|p| *p != FUKUOKA).map(|p| usize::from(p - 1)).collect();
    let mut counts = [[0u64; 47]; 5];
    let mut rng = Rng::new(seed);
    for t in 0..5 {
        let n = type_totals[t];
        let fukuoka = scale(n, fukuoka_share[t].0, fukuoka_share[t].1).min(n);
        counts[t][usize::from(FUKUOKA - 1)] = fukuoka;
        let rest = n - fukuoka;
        let base = rest / others.len() as u64;
        let extra = usize::try_from(rest % others.len() as u64).unwrap_or(0);
        let start = rng.index(others.len());
        for (i, p) in others.iter().enumerate() {
            let rotated = (i + others.len() - start) % others.len();
            counts[t][*p] = base + u64::from(rotated < extra);
        }
    }

    let mut stage_bounds = [[0u128; 7]; 5];
    for (t, bounds) in stage_bounds.iter_mut().enumerate() {
        let f = published.national[t.min(3)];
        let not_applied = f.facilities - f.reader_applied;
        let registered = scale(not_applied, PORTAL_REGISTERED_PER_MILLE, 1000).min(not_applied);
        let applied = apportion(f.reader_applied - f.ready, &published.survey_applied_stages);
        let per_stage = [
            not_applied - registered,
            registered,
            applied[0],
            applied[1],
            applied[2],
            f.ready - f.operating,
            f.operating,
        ];
        let mut cumulative = 0u128;
        for (bound, n) in bounds.iter_mut().zip(per_stage) {
            cumulative += u128::from(n);
            *bound = (cumulative << 64) / u128::from(f.facilities);
        }
        bounds[6] = 1u128 << 64;
    }
    Plan { counts, stage_bounds }
}

/// The stage of the `ordinal`-th facility (0-based) of a type.
///
/// The draws follow a Weyl sequence (ordinal × the golden ratio, modulo 1,
/// started at a point given by the seed), which covers 0..1 evenly: the
/// first n facilities of a type hold each stage within a few facilities of
/// its exact share, for every n, while stages still look scattered.
pub fn stage_of(plan: &Plan, kind: FacilityType, ordinal: u64, seed: u64) -> Stage {
    let t = type_index(kind);
    let start = mix(seed ^ (t as u64).wrapping_mul(GOLDEN_GAMMA));
    let draw = u128::from(start.wrapping_add(ordinal.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA)));
    let i = plan.stage_bounds[t].iter().position(|b| draw < *b).unwrap_or(6);
    Stage::ALL[i]
}

/// The figures of seed/adoption_stats.json (seeds/002 and 004), for the tests without a database.
#[cfg(test)]
pub fn seed_figures() -> Published {
    let f = |facilities, reader_applied, ready, operating| TypeFigures { facilities, reader_applied, ready, operating };
    Published {
        national: [
            f(8_211, 6_467, 3_420, 2_891),
            f(89_711, 40_809, 15_341, 11_429),
            f(70_748, 35_175, 11_836, 8_960),
            f(61_166, 49_873, 24_668, 19_053),
        ],
        fukuoka_all: 10_701,
        fukuoka_hospital: 452,
        fukuoka_medical_clinic: 4_142,
        survey_applied_stages: [17_296, 28_887, 6_417],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportioning_keeps_the_total_and_each_share_within_one() {
        let weights = [8_211, 89_711, 70_748, 61_166];
        for total in [1, 7, 500, 229_836, 230_000, 1_000_000] {
            let parts = apportion(total, &weights);
            assert_eq!(parts.iter().sum::<u64>(), total);
            for (p, w) in parts.iter().zip(weights) {
                let exact = total as f64 * w as f64 / 229_836.0;
                assert!((*p as f64 - exact).abs() < 1.0, "{total}: {p} vs {exact}");
            }
        }
        assert_eq!(apportion(229_836, &weights), weights);
    }

    #[test]
    fn the_published_total_reproduces_the_published_type_and_fukuoka_counts() {
        let plan = plan(&seed_figures(), 229_836, 1);
        let hospital: u64 = plan.counts[0].iter().sum();
        let pharmacies: u64 = plan.counts[3].iter().sum::<u64>() + plan.counts[4].iter().sum::<u64>();
        assert_eq!((hospital, pharmacies), (8_211, 61_166));
        assert_eq!(plan.counts[0][39], 452, "Fukuoka's hospitals");
        assert_eq!(plan.counts[1][39], 4_142, "Fukuoka's medical clinics");
        let fukuoka: u64 = plan.counts.iter().map(|c| c[39]).sum();
        assert!(fukuoka.abs_diff(10_701) <= 2, "Fukuoka's total {fukuoka}");
        let tokyo: u64 = plan.counts.iter().map(|c| c[12]).sum();
        let tottori: u64 = plan.counts.iter().map(|c| c[30]).sum();
        assert!(tokyo.abs_diff(tottori) <= 5, "the other prefectures are even: {tokyo} vs {tottori}");
    }

    #[test]
    fn stages_follow_the_published_shares_for_every_prefix() {
        let published = seed_figures();
        let plan = plan(&published, 229_836, 3);
        let hospital = published.national[0];
        let mut counts = [0u64; 7];
        for k in 0..hospital.facilities {
            counts[stage_of(&plan, FacilityType::Hospital, k, 3).index()] += 1;
            if k == 99 {
                let operating = counts[6];
                assert!(operating.abs_diff(100 * 2_891 / 8_211) <= 3, "first 100 hospitals: {operating} operating");
            }
        }
        assert!(counts[6].abs_diff(hospital.operating) <= 3, "{counts:?}");
        assert!((counts[5] + counts[6]).abs_diff(hospital.ready) <= 3, "{counts:?}");
        assert!(counts[2..].iter().sum::<u64>().abs_diff(hospital.reader_applied) <= 3, "{counts:?}");
    }
}
