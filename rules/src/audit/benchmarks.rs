//! The figures the audit compares against, built from the benchmark tables of `seed/`.

use crate::category::Category;
use crate::{FacilityType, Yen};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

/// One row of a benchmark table as stored (figures as exact decimal text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BenchmarkRowData {
    /// Table id (e.g. `mhlw_onsite_work_minutes`).
    pub table_id: String,
    /// The table's source.
    pub table_source: String,
    /// False for assumptions (no public figure).
    pub table_verified: bool,
    /// Row key.
    pub key: String,
    /// Japanese label.
    pub label_ja: String,
    /// Category code, if any.
    pub category: Option<String>,
    /// Minimum.
    pub min: Option<String>,
    /// Mean.
    pub mean: Option<String>,
    /// Maximum.
    pub max: Option<String>,
    /// Single value.
    pub value: Option<String>,
}

/// A price range for a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRange {
    /// Category.
    pub category: Category,
    /// Only for hospitals (key suffix `@hospital`), else for every other type.
    pub hospital_only: bool,
    /// Lower end, if any.
    pub low: Option<Yen>,
    /// Upper end.
    pub high: Yen,
    /// Label.
    pub label_ja: String,
    /// Source.
    pub source: String,
    /// An assumption rather than a published figure.
    pub assumption: bool,
}

/// MHLW's longest observed on-site time for the work of a category (seeds/002).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabourMax {
    /// Category of the work.
    pub category: Category,
    /// Longest observed minutes (summed over the survey's tasks of the category).
    pub max_minutes: Decimal,
    /// The survey tasks behind it.
    pub tasks_ja: String,
    /// Source.
    pub source: String,
}

/// A single figure with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure<T> {
    /// The value.
    pub value: T,
    /// Its label.
    pub label_ja: String,
    /// Its source.
    pub source: String,
    /// An assumption rather than a published figure.
    pub assumption: bool,
}

/// Everything the audit compares against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Benchmarks {
    /// Price ranges by category.
    pub prices: Vec<PriceRange>,
    /// Labour maxima by category.
    pub labour: Vec<LabourMax>,
    /// Longest whole on-site work observed (合計 row of seeds/002).
    pub total_labour_max_minutes: Option<Figure<Decimal>>,
    /// Hourly rate used to turn a lump-sum labour price into hours.
    pub hourly_rate: Option<Figure<Yen>>,
    /// Lump sums from this amount without a breakdown are flagged.
    pub lump_sum_min: Figure<Yen>,
    /// Within this percentage under the cap counts as "near the cap".
    pub near_cap_percent: Figure<Decimal>,
    /// Peers needed before outliers are judged.
    pub peer_min: usize,
    /// Tukey's k.
    pub tukey_k: Decimal,
}

const LABOUR_TABLE: &str = "mhlw_onsite_work_minutes";
const PRICE_TABLE: &str = "audit_price_ranges";
const ASSUMPTIONS_TABLE: &str = "audit_assumptions";

fn dec(s: &Option<String>) -> Option<Decimal> {
    s.as_deref().and_then(|t| Decimal::from_str(t).ok())
}

impl Benchmarks {
    /// Builds the benchmarks from stored rows; rows of other tables are ignored.
    /// Missing assumptions fall back to the figures of issue 4 (2 %, 8 peers, k = 1.5).
    pub fn from_rows(rows: &[BenchmarkRowData]) -> Benchmarks {
        let category = |r: &BenchmarkRowData| r.category.as_deref().and_then(|c| c.parse::<Category>().ok());
        let mut prices = Vec::new();
        let mut labour: Vec<LabourMax> = Vec::new();
        let mut total = None;
        for r in rows {
            match r.table_id.as_str() {
                PRICE_TABLE => {
                    let (Some(c), Some(high)) = (category(r), dec(&r.max)) else { continue };
                    prices.push(PriceRange {
                        category: c,
                        hospital_only: r.key.ends_with("@hospital"),
                        low: dec(&r.min).map(Yen::new),
                        high: Yen::new(high),
                        label_ja: r.label_ja.clone(),
                        source: r.table_source.clone(),
                        assumption: !r.table_verified,
                    });
                }
                LABOUR_TABLE => {
                    let Some(max) = dec(&r.max) else { continue };
                    match category(r) {
                        None if r.key == "total" => {
                            total = Some(Figure {
                                value: max,
                                label_ja: r.label_ja.clone(),
                                source: r.table_source.clone(),
                                assumption: !r.table_verified,
                            });
                        }
                        None => {}
                        Some(c) => match labour.iter_mut().find(|l| l.category == c) {
                            Some(l) => {
                                l.max_minutes += max;
                                l.tasks_ja = format!("{}・{}", l.tasks_ja, r.label_ja);
                            }
                            None => labour.push(LabourMax {
                                category: c,
                                max_minutes: max,
                                tasks_ja: r.label_ja.clone(),
                                source: r.table_source.clone(),
                            }),
                        },
                    }
                }
                _ => {}
            }
        }
        // The survey's 「レセコン・電カル設定」 row covers both systems (seeds/002).
        if let Some(rs) = labour.iter().find(|l| l.category == Category::ReceiptSystem).cloned()
            && !labour.iter().any(|l| l.category == Category::Emr)
        {
            labour.push(LabourMax { category: Category::Emr, ..rs });
        }
        let assumption = |key: &str| rows.iter().find(|r| r.table_id == ASSUMPTIONS_TABLE && r.key == key);
        let figure = |key: &str, fallback: Decimal, label: &str| match assumption(key) {
            Some(r) => Figure {
                value: dec(&r.value).unwrap_or(fallback),
                label_ja: r.label_ja.clone(),
                source: r.table_source.clone(),
                assumption: !r.table_verified,
            },
            None => {
                Figure {
                    value: fallback, label_ja: label.to_owned(), source: "Onshi の目安".into(), assumption: true
                }
            }
        };
        let hourly_rate = assumption("hourly_labor_rate").and_then(|r| {
            dec(&r.value).map(|v| Figure {
                value: Yen::new(v),
                label_ja: r.label_ja.clone(),
                source: r.table_source.clone(),
                assumption: !r.table_verified,
            })
        });
        let lump = figure("lump_sum_min_amount", Decimal::from(100_000), "内訳のない「一式」を指摘する金額");
        let near = figure("near_cap_percent", Decimal::from(2), "補助上限に近い見積もりとみなす幅（%）");
        let peer_min = figure("peer_min_lines", Decimal::from(8), "比較に必要な件数").value;
        let tukey_k = figure("tukey_k", Decimal::new(15, 1), "外れ値の係数").value;
        Benchmarks {
            prices,
            labour,
            total_labour_max_minutes: total,
            hourly_rate,
            lump_sum_min: Figure {
                value: Yen::new(lump.value),
                label_ja: lump.label_ja,
                source: lump.source,
                assumption: lump.assumption,
            },
            near_cap_percent: near,
            peer_min: peer_min.to_usize().unwrap_or(8),
            tukey_k,
        }
    }

    /// The price range for a category and facility type (the hospital row for hospitals when there is one).
    pub fn price_range(&self, category: Category, kind: FacilityType) -> Option<&PriceRange> {
        let hospital = kind == FacilityType::Hospital;
        self.prices
            .iter()
            .find(|p| p.category == category && p.hospital_only == hospital)
            .or_else(|| self.prices.iter().find(|p| p.category == category && !p.hospital_only))
    }

    /// The labour maximum for a category; general on-site work (setup_labor),
    /// which the survey does not split out, is held to the whole visit's maximum.
    pub fn labour_max(&self, category: Category) -> Option<LabourMax> {
        self.labour.iter().find(|l| l.category == category).cloned().or_else(|| {
            let total = self.total_labour_max_minutes.as_ref().filter(|_| category == Category::SetupLabor)?;
            Some(LabourMax {
                category,
                max_minutes: total.value,
                tasks_ja: total.label_ja.clone(),
                source: total.source.clone(),
            })
        })
    }
}

/// Why `seed/benchmarks.json` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("benchmarks.json: {0}")]
pub struct BenchmarkFileError(pub String);

#[derive(serde::Deserialize)]
struct SeedFile {
    tables: Vec<SeedTable>,
}

#[derive(serde::Deserialize)]
struct SeedTable {
    id: String,
    source: String,
    verified: bool,
    rows: Vec<SeedRow>,
}

#[derive(serde::Deserialize)]
struct SeedRow {
    key: String,
    label_ja: String,
    category: Option<String>,
    min: Option<serde_json::Number>,
    mean: Option<serde_json::Number>,
    max: Option<serde_json::Number>,
    value: Option<serde_json::Number>,
}

impl BenchmarkRowData {
    /// Every row of a `seed/benchmarks.json` document.
    pub fn from_seed_json(text: &str) -> Result<Vec<BenchmarkRowData>, BenchmarkFileError> {
        let file: SeedFile = serde_json::from_str(text).map_err(|e| BenchmarkFileError(e.to_string()))?;
        let num = |n: Option<serde_json::Number>| n.map(|n| n.to_string());
        Ok(file
            .tables
            .into_iter()
            .flat_map(|t| {
                let (id, source, verified) = (t.id, t.source, t.verified);
                t.rows.into_iter().map(move |r| BenchmarkRowData {
                    table_id: id.clone(),
                    table_source: source.clone(),
                    table_verified: verified,
                    key: r.key,
                    label_ja: r.label_ja,
                    category: r.category,
                    min: num(r.min),
                    mean: num(r.mean),
                    max: num(r.max),
                    value: num(r.value),
                })
            })
            .collect())
    }
}
