//! The rows of one batch of synthetic facilities: the facility, its reader application, progress and timeline, its quotes and lines, and now and then a complaint.
//!
//! Each facility draws from its own random stream (seed, index), so its data
//! does not depend on the batch size; only its facility code depends on the
//! codes taken before it.

use super::SeedError;
use super::context::{Context, Day};
use super::plan::{stage_of, type_index};
use super::rng::Rng;
use super::subsidy::{self, Finished, SubsidyRow};
use super::text::*;
use rules::category::Category;
use rules::complaint::ComplaintStatus;
use rules::provisioning::Stage;
use rules::{Association, FacilityType, Prefecture};
use std::collections::HashSet;

/// Share of facilities allowed to bill on paper (exempt from 原則義務化), per mille: 20.
/// Assumption: no seed gives the national share (seeds/003's 約2割 is for dental
/// clinics, of unknown date, `verified: false`).
pub const PAPER_BILLING_PER_MILLE: u32 = 20;

/// Share of quotes padded the ways vendors padded them (domain.md, 001, 004), per mille: 125.
/// Assumption within the 10–15 % of issue 9; no seed counts padded quotes.
pub const PADDED_QUOTE_PER_MILLE: u32 = 125;

/// Chance of a complaint for a facility with a padded quote, and for any other, per mille.
/// Together about 1 % of facilities (issue 9); assumptions.
pub const COMPLAINT_PER_MILLE: (u32, u32) = (60, 4);

/// Share of stuck facilities (portal_registered … installed) with a recorded blocker, per mille.
pub const BLOCKER_PER_MILLE: u32 = 400;

/// Complaint statuses and their weights (assumption: no seed counts outcomes).
const COMPLAINT_STATUSES: [(ComplaintStatus, u64); 7] = [
    (ComplaintStatus::Submitted, 20),
    (ComplaintStatus::UnderReview, 15),
    (ComplaintStatus::Forwarded, 15),
    (ComplaintStatus::VendorContacted, 10),
    (ComplaintStatus::Resolved, 20),
    (ComplaintStatus::NotUpheld, 10),
    (ComplaintStatus::Withdrawn, 10),
];

/// Name of the "file" of every synthetic quote (no file is stored).
pub const QUOTE_FILE_NAME: &str = "合成データ（seed-national）";

/// Where a facility's type and prefecture come from: the plan, shuffled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Index of [`FacilityType::ALL`].
    pub kind: u8,
    /// Prefecture.
    pub prefecture: Prefecture,
}

/// A facility row; ids are assigned when the batch is written.
#[derive(Debug, Clone)]
pub struct FacilityRow {
    /// 医療機関コード.
    pub code: String,
    /// Name.
    pub name: String,
    /// Name in katakana.
    pub kana: String,
    /// Type.
    pub kind: FacilityType,
    /// JIS number − 1.
    pub prefecture: usize,
    /// Address.
    pub address: String,
    /// The chain of a 大型チェーン薬局.
    pub corporation: Option<i64>,
    /// Bills online.
    pub online_billing: bool,
    /// The chain's prescriptions a month.
    pub group_prescriptions: Option<i64>,
}

/// A reader application.
#[derive(Debug, Clone)]
pub struct ApplicationRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// Date.
    pub applied_on: Day,
    /// Readers.
    pub readers: u8,
    /// 機種未定.
    pub model_undecided: bool,
    /// Index into [`Context::makers`].
    pub maker: usize,
    /// When the model was chosen.
    pub model_chosen_on: Day,
    /// 一括申請: declaration date and batch (the chain's corporation id).
    pub bulk: Option<(Day, i64)>,
}

/// A blocker: stage index and reason index into [`Context::blockers`], and free text for "other".
pub type Blocker = (usize, usize, Option<&'static str>);

/// A facility's progress.
#[derive(Debug, Clone)]
pub struct ProgressRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// Stage.
    pub stage: Stage,
    /// Vendor ordered from.
    pub vendor: Option<i64>,
    /// Contract date.
    pub contract: Option<Day>,
    /// 導入完了.
    pub completed: Option<Day>,
    /// 運用開始.
    pub operating: Option<Day>,
    /// 交付申請.
    pub subsidy_applied: Option<Day>,
    /// 猶予届出 類型 1 (accepted), when filed.
    pub grace_type: Option<u8>,
    /// Blocker.
    pub blocker: Option<Blocker>,
}

/// A stage reached.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// Stage.
    pub stage: Stage,
    /// Date.
    pub on: Day,
    /// Vendor (from vendor_ordered on).
    pub vendor: Option<i64>,
    /// Blocker (on the last event of a stuck facility).
    pub blocker: Option<Blocker>,
}

/// A confirmed quote.
#[derive(Debug, Clone)]
pub struct QuoteRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// Vendor.
    pub vendor: i64,
    /// Quote date.
    pub date: Day,
    /// Sum of the lines (tax excluded).
    pub subtotal: i64,
    /// 消費税 10 %, rounded down.
    pub tax: i64,
    /// Paid (when the facility applied for the subsidy): the completion day.
    pub paid_on: Option<Day>,
}

/// A quote line. Money in whole yen; written as decimal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    /// Quote (index in the batch).
    pub quote: u32,
    /// 0-based position.
    pub position: u32,
    /// Category.
    pub category: Category,
    /// Description.
    pub description: &'static str,
    /// Spec.
    pub spec: Option<&'static str>,
    /// Quantity.
    pub quantity: i64,
    /// Unit label (台, 式, …).
    pub unit: &'static str,
    /// Unit price.
    pub unit_price: i64,
    /// Note.
    pub note: Option<&'static str>,
}

impl LineRow {
    /// 金額: quantity × unit price.
    pub fn amount(&self) -> i64 {
        self.quantity * self.unit_price
    }

    /// The price the audit compares (rules::audit::comparable_price): unit price of devices, amount of the rest.
    pub fn comparable(&self) -> i64 {
        match self.category {
            Category::Terminal
            | Category::CardReader
            | Category::GenericReader
            | Category::Router
            | Category::Certificate => self.unit_price,
            _ => self.amount(),
        }
    }

    /// item or discount.
    pub fn kind(&self) -> &'static str {
        if self.category == Category::Discount { "discount" } else { "item" }
    }
}

/// A synthetic clinic manager who filed a complaint.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// E-mail.
    pub email: String,
    /// Display name.
    pub display_name: String,
}

/// A complaint (filed by the user of the same index in the batch's users).
#[derive(Debug, Clone)]
pub struct ComplaintRow {
    /// Facility (index in the batch).
    pub facility: u32,
    /// Quote (index in the batch).
    pub quote: Option<u32>,
    /// Vendor.
    pub vendor: Option<i64>,
    /// Kind code.
    pub kind: &'static str,
    /// What the facility wrote.
    pub description: &'static str,
    /// Status now.
    pub status: ComplaintStatus,
    /// Filing time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub filed_at: String,
}

/// Who moved a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// The filer (index of the batch's users).
    Filer(u32),
    /// An existing user id (reviewer or auditor).
    User(i64),
}

/// One step of a complaint's history.
#[derive(Debug, Clone)]
pub struct ComplaintEventRow {
    /// Complaint (index in the batch).
    pub complaint: u32,
    /// From (None for the filing).
    pub from: Option<ComplaintStatus>,
    /// To.
    pub to: ComplaintStatus,
    /// Who.
    pub actor: Mover,
    /// When.
    pub at: String,
}

/// The rows of one batch.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Index of the batch's first facility in the run.
    pub first: u64,
    /// Facilities.
    pub facilities: Vec<FacilityRow>,
    /// Reader applications.
    pub applications: Vec<ApplicationRow>,
    /// Progress, one per facility.
    pub progress: Vec<ProgressRow>,
    /// Timeline.
    pub events: Vec<EventRow>,
    /// Quotes.
    pub quotes: Vec<QuoteRow>,
    /// Quote lines.
    pub lines: Vec<LineRow>,
    /// Synthetic managers who filed complaints.
    pub users: Vec<UserRow>,
    /// Complaints.
    pub complaints: Vec<ComplaintRow>,
    /// Complaint histories.
    pub complaint_events: Vec<ComplaintEventRow>,
    /// 交付申請 of the facilities that paid their quote.
    pub subsidies: Vec<SubsidyRow>,
}

/// Generates the run's facilities in order, a batch at a time.
pub struct Generator {
    slots: Vec<Slot>,
    next: usize,
    ordinals: [u64; 5],
    taken: HashSet<u64>,
    /// Codes found taken by rows already in the database (or reserved for demo data) and skipped.
    pub skipped_taken: u64,
    preexisting: HashSet<u64>,
}

/// 点数表 digit and body → the 10-digit code as a number; the check digit makes it pass the
/// Luhn check over the digits its prefecture's published codes cover (`rules::CheckSpan`:
/// the last seven in 埼玉・千葉・東京・神奈川, all ten elsewhere).
pub fn code_with_check_digit(prefecture: u8, digit: u8, body6: u32) -> u64 {
    let payload = u64::from(prefecture) * 10_000_000 + u64::from(digit) * 1_000_000 + u64::from(body6);
    let covered = match rules::Prefecture::from_number(prefecture).ok().map(rules::CheckSpan::of) {
        Some(rules::CheckSpan::LastSeven) => 6,
        _ => 9,
    };
    // Luhn from the right: the check digit is position 0, so payload digits at odd positions (1, 3, …) are doubled.
    let mut sum = 0;
    let mut rest = payload;
    for position in 1..=covered {
        let d = rest % 10;
        rest /= 10;
        sum += if position % 2 == 1 {
            let p = d * 2;
            p / 10 + p % 10
        } else {
            d
        };
    }
    payload * 10 + (10 - sum % 10) % 10
}

impl Generator {
    /// A generator over the plan's facilities in an order shuffled by the seed.
    /// `taken` holds codes that exist already (database and demo data).
    pub fn new(ctx: &Context, taken: HashSet<u64>) -> Self {
        let mut slots = Vec::new();
        for (t, per_prefecture) in ctx.plan.counts.iter().enumerate() {
            for (prefecture, n) in Prefecture::all().zip(per_prefecture) {
                let slot = Slot { kind: t as u8, prefecture };
                slots.extend(std::iter::repeat_n(slot, usize::try_from(*n).unwrap_or(0)));
            }
        }
        let mut rng = Rng::new(ctx.options.seed);
        for i in (1..slots.len()).rev() {
            let j = rng.index(i + 1);
            slots.swap(i, j);
        }
        Generator { slots, next: 0, ordinals: [0; 5], preexisting: taken.clone(), taken, skipped_taken: 0 }
    }

    /// Facilities still to generate.
    pub fn remaining(&self) -> usize {
        self.slots.len() - self.next
    }

    /// The next `size` facilities (fewer at the end) with all their rows.
    pub fn batch(&mut self, ctx: &Context, size: usize) -> Result<Batch, SeedError> {
        let mut batch = Batch { first: self.next as u64, ..Batch::default() };
        let end = (self.next + size).min(self.slots.len());
        while self.next < end {
            let slot = self.slots[self.next];
            let index = self.next as u64;
            self.next += 1;
            self.facility(ctx, &mut batch, index, slot)?;
        }
        Ok(batch)
    }

    /// A free code of this prefecture and 点数表: 郡市区番号 01–30 and a random 機関番号, retried when taken.
    fn code(&mut self, rng: &mut Rng, prefecture: u8, digit: u8) -> Result<String, SeedError> {
        let candidate = |rng: &mut Rng| {
            let area = rng.between(1, 30) as u32;
            let number = rng.between(1, 9_999) as u32;
            code_with_check_digit(prefecture, digit, area * 10_000 + number)
        };
        let mut found = None;
        for _ in 0..64 {
            let code = candidate(rng);
            if self.taken.contains(&code) {
                if self.preexisting.contains(&code) {
                    self.skipped_taken += 1;
                }
                continue;
            }
            found = Some(code);
            break;
        }
        // Crowded: walk every body of this prefecture and 点数表 from a random start.
        if found.is_none() {
            let start = rng.below(1_000_000) as u32;
            found = (0..1_000_000u32)
                .map(|i| code_with_check_digit(prefecture, digit, (start + i) % 1_000_000))
                .find(|c| !self.taken.contains(c));
        }
        let code = found.ok_or(SeedError::CodesExhausted { prefecture, digit })?;
        self.taken.insert(code);
        Ok(format!("{code:010}"))
    }

    fn facility(&mut self, ctx: &Context, batch: &mut Batch, index: u64, slot: Slot) -> Result<(), SeedError> {
        let seed = ctx.options.seed;
        let mut rng = Rng::for_facility(seed, index);
        let kind = FacilityType::ALL[usize::from(slot.kind)];
        let t = type_index(kind);
        let ordinal = self.ordinals[t];
        self.ordinals[t] += 1;
        let stage = stage_of(&ctx.plan, kind, ordinal, seed);
        let prefecture = slot.prefecture;
        let code = self.code(&mut rng, prefecture.number(), kind.fee_schedule_digit())?;
        let f = u32::try_from(batch.facilities.len()).unwrap_or(u32::MAX);

        // Name, kana, address.
        let place = (rng.pick(&PLACE_HEADS), rng.pick(&PLACE_TAILS));
        let place_ja = format!("{}{}", place.0.0, place.1.0);
        let place_kana = format!("{}{}", place.0.1, place.1.1);
        let surname = rng.pick(&SURNAMES);
        let mut chain = None;
        let (name, kana) = match kind {
            FacilityType::Hospital => {
                let ending = rng.pick(&HOSPITAL_ENDINGS);
                if ending.0 == "記念病院" {
                    (format!("{}{}", surname.0, ending.0), format!("{}{}", surname.1, ending.1))
                } else {
                    (format!("{place_ja}{}", ending.0), format!("{place_kana}{}", ending.1))
                }
            }
            FacilityType::MedicalClinic => {
                let dept = rng.pick(&DEPARTMENTS);
                let ending = rng.pick(&CLINIC_ENDINGS);
                let (head, head_kana) =
                    if rng.chance(300) { (place_ja.as_str(), place_kana.as_str()) } else { *surname };
                (format!("{head}{}{}", dept.0, ending.0), format!("{head_kana}{}{}", dept.1, ending.1))
            }
            FacilityType::DentalClinic => match rng.below(3) {
                0 => (format!("{}歯科医院", surname.0), format!("{}シカイイン", surname.1)),
                1 => (format!("{place_ja}デンタルクリニック"), format!("{place_kana}デンタルクリニック")),
                _ => (format!("{}歯科クリニック", surname.0), format!("{}シカクリニック", surname.1)),
            },
            FacilityType::Pharmacy => match rng.below(3) {
                0 => (format!("{place_ja}薬局"), format!("{place_kana}ヤッキョク")),
                1 => (format!("{}調剤薬局", surname.0), format!("{}チョウザイヤッキョク", surname.1)),
                _ => (format!("{place_ja}ファーマシー"), format!("{place_kana}ファーマシー")),
            },
            FacilityType::LargeChainPharmacy => {
                let c = rng.pick(&ctx.chains);
                chain = Some(c);
                let brand = CHAIN_BRANDS[c.brand];
                (format!("{}{place_ja}店", brand.0), format!("{}{place_kana}テン", brand.1))
            }
        };
        let address = format!(
            "{}{CITY}{place_ja}{}丁目{}番{}号",
            prefecture.name_ja(),
            rng.between(1, 9),
            rng.between(1, 30),
            rng.between(1, 20)
        );
        batch.facilities.push(FacilityRow {
            code,
            name,
            kana,
            kind,
            prefecture: usize::from(prefecture.number() - 1),
            address,
            corporation: chain.map(|c| c.id),
            online_billing: !rng.chance(PAPER_BILLING_PER_MILLE),
            group_prescriptions: chain.map(|c| c.monthly_prescriptions),
        });

        // Timeline: dates as seeds/001 and 002 make plausible (see the module documentation of `national`).
        let days = &ctx.days;
        let vendors = if kind == FacilityType::Hospital { &ctx.hospital_vendors } else { &ctx.clinic_vendors };
        let vendor = *rng.pick(vendors);
        let at_least = |s: Stage| stage.index() >= s.index();
        let late_limit = if at_least(Stage::Installed) { days.of(2022, 6, 30) } else { days.of(2022, 12, 31) };
        let applied = at_least(Stage::ReaderApplied)
            .then(|| rng.between(i64::from(days.of(2021, 1, 1)), i64::from(late_limit)) as Day);
        let registered = match applied {
            Some(a) => days.add(a, -rng.between(7, 90)),
            None => rng.between(i64::from(days.of(2020, 10, 1)), i64::from(days.of(2022, 12, 31))) as Day,
        };
        let contract = applied.filter(|_| at_least(Stage::VendorOrdered)).map(|a| days.add(a, rng.between(14, 120)));
        // Readers are built to order: about four months from application to delivery (seeds/002).
        let installing = contract.filter(|_| at_least(Stage::Installing)).map(|c| {
            let a = applied.unwrap_or(c);
            days.add(c, rng.between(7, 60)).max(days.add(a, rng.between(90, 150)))
        });
        let completed = installing.filter(|_| at_least(Stage::Installed)).map(|i| days.add(i, rng.between(1, 30)));
        let operating = completed.filter(|_| at_least(Stage::Operating)).map(|c| days.add(c, rng.between(0, 90)));
        let subsidy_applied = operating.filter(|_| rng.chance(600)).map(|o| days.add(o, rng.between(7, 120)));

        let readers = if kind == FacilityType::Hospital { [1u8, 2, 3][rng.weighted(&[40, 35, 25])] } else { 1 };
        if let Some(a) = applied {
            // 機種未定 existed for applications made on the portal in March 2021 (seeds/001).
            let undecided = a >= days.of(2021, 3, 1) && a <= days.of(2021, 3, 31) && rng.chance(300);
            let chosen = if undecided {
                rng.between(i64::from(days.of(2021, 4, 1)), i64::from(days.of(2021, 6, 30))) as Day
            } else {
                a
            };
            // A chain's 一括申請 had to be declared by 2021-03-31 for the extra subsidy (seeds/001).
            let bulk = chain.filter(|_| a <= days.of(2021, 3, 31)).map(|c| (a, c.id));
            batch.applications.push(ApplicationRow {
                facility: f,
                applied_on: a,
                readers,
                model_undecided: undecided,
                maker: rng.index(ctx.makers.len()),
                model_chosen_on: chosen,
                bulk,
            });
        }
        let stuck = (Stage::PortalRegistered.index()..=Stage::Installed.index()).contains(&stage.index());
        let reasons = &ctx.blockers[stage.index()];
        let blocker = (stuck && !reasons.is_empty() && rng.chance(BLOCKER_PER_MILLE)).then(|| {
            let weights: Vec<u64> = reasons.iter().map(|(_, w)| *w).collect();
            let r = rng.weighted(&weights);
            let text = (reasons[r].0 == "other").then(|| *rng.pick(&OTHER_BLOCKER_TEXTS));
            (stage.index(), r, text)
        });
        // 猶予届出 類型1 (システム整備中): a vendor contract by 2023-02-28 and the work unfinished.
        let grace = contract
            .filter(|c| matches!(stage, Stage::VendorOrdered | Stage::Installing) && *c <= days.of(2023, 2, 28))
            .filter(|_| rng.chance(250))
            .map(|_| 1u8);
        let ordered_vendor = contract.map(|_| vendor);
        batch.progress.push(ProgressRow {
            facility: f,
            stage,
            vendor: ordered_vendor,
            contract,
            completed,
            operating,
            subsidy_applied,
            grace_type: grace,
            blocker,
        });
        let reached = [
            (Stage::PortalRegistered, at_least(Stage::PortalRegistered).then_some(registered)),
            (Stage::ReaderApplied, applied),
            (Stage::VendorOrdered, contract),
            (Stage::Installing, installing),
            (Stage::Installed, completed),
            (Stage::Operating, operating),
        ];
        for (s, on) in reached {
            if let Some(on) = on {
                batch.events.push(EventRow {
                    facility: f,
                    stage: s,
                    on,
                    vendor: (s.index() >= Stage::VendorOrdered.index()).then_some(vendor),
                    blocker: if s == stage { blocker } else { None },
                });
            }
        }

        // Quotes.
        let mut padded_quote = None;
        let mut first_quote = None;
        let mut paid_quote = None;
        for j in 0..ctx.options.quotes_per_facility {
            let q = u32::try_from(batch.quotes.len()).unwrap_or(u32::MAX);
            let quote_vendor = if j == 0 { vendor } else { *rng.pick(vendors) };
            let date = match (contract, applied) {
                (Some(c), _) => days.add(c, -rng.between(7, 60)),
                (None, Some(a)) => days.add(a, rng.between(0, 120)),
                (None, None) => rng.between(i64::from(days.of(2021, 6, 1)), i64::from(days.of(2022, 12, 31))) as Day,
            };
            let padding = rng.chance(PADDED_QUOTE_PER_MILLE).then(|| Padding::ALL[rng.index(Padding::ALL.len())]);
            let start = batch.lines.len();
            quote_lines(ctx, &mut rng, kind, readers, q, padding, &mut batch.lines);
            let subtotal: i64 = batch.lines[start..].iter().map(LineRow::amount).sum();
            first_quote.get_or_insert((q, quote_vendor, date));
            if padding.is_some() && padded_quote.is_none() {
                padded_quote = Some((q, quote_vendor, date));
            }
            let paid = (j == 0 && subsidy_applied.is_some()).then_some(completed).flatten();
            if paid.is_some() {
                paid_quote = Some((q, start..batch.lines.len()));
            }
            batch.quotes.push(QuoteRow {
                facility: f,
                vendor: quote_vendor,
                date,
                subtotal,
                tax: subtotal / 10,
                paid_on: paid,
            });
        }

        // A complaint now and then, more often about a padded quote.
        let complaint = match (padded_quote, first_quote) {
            (Some(pq), _) if rng.chance(COMPLAINT_PER_MILLE.0) => {
                Some((Some(pq.0), Some(pq.1), pq.2, "high_quote", *rng.pick(&HIGH_QUOTE_COMPLAINTS)))
            }
            (None, fq) if rng.chance(COMPLAINT_PER_MILLE.1) => {
                let (kind, text) = *rng.pick(&OTHER_COMPLAINTS);
                let on = fq.map_or(registered, |q| q.2);
                Some((fq.map(|q| q.0), Some(fq.map_or(vendor, |q| q.1)), on, kind, text))
            }
            _ => None,
        };
        if let Some((quote, vendor, on, kind_code, description)) = complaint {
            let c = u32::try_from(batch.complaints.len()).unwrap_or(u32::MAX);
            let u = u32::try_from(batch.users.len()).unwrap_or(u32::MAX);
            let facility = &batch.facilities[f as usize];
            batch.users.push(UserRow {
                facility: f,
                email: format!("manager-{}@{}", facility.code, super::context::EMAIL_DOMAIN),
                display_name: format!("{} 担当者（合成データ）", facility.name),
            });
            let status = COMPLAINT_STATUSES[rng.weighted(&COMPLAINT_STATUSES.map(|(_, w)| w))].0;
            let mut day = days.add(on, rng.between(7, 90));
            // 09:00–18:59 in Japan (UTC+9), written in UTC like every timestamp of the database.
            let stamp = |rng: &mut Rng, day: Day| {
                format!("{}T{:02}:{:02}:00Z", days.text(day), rng.between(0, 9), rng.between(0, 59))
            };
            let filed_at = stamp(&mut rng, day);
            let association = Association::ALL.iter().position(|a| a.covers(kind)).unwrap_or(0);
            let reviewer = ctx.reviewers[association][usize::from(prefecture.number() - 1)];
            batch.complaint_events.push(ComplaintEventRow {
                complaint: c,
                from: None,
                to: ComplaintStatus::Submitted,
                actor: Mover::Filer(u),
                at: filed_at.clone(),
            });
            let mut from = ComplaintStatus::Submitted;
            for (to, role) in complaint_path(status) {
                day = days.add(day, rng.between(3, 30));
                let actor = match role {
                    rules::Role::ClinicManager => Mover::Filer(u),
                    rules::Role::Reviewer => Mover::User(reviewer),
                    _ => Mover::User(ctx.auditor),
                };
                batch.complaint_events.push(ComplaintEventRow {
                    complaint: c,
                    from: Some(from),
                    to,
                    actor,
                    at: stamp(&mut rng, day),
                });
                from = to;
            }
            batch.complaints.push(ComplaintRow {
                facility: f,
                quote,
                vendor,
                kind: kind_code,
                description,
                status,
                filed_at,
            });
        }

        // The 交付申請 of a facility that paid its vendor (subsidy.rs).
        if let (Some((q, lines)), Some(progress)) = (paid_quote, batch.progress.last()) {
            let finished = Finished {
                index: f,
                facility: &batch.facilities[f as usize],
                reader_application: applied.and_then(|_| batch.applications.last()),
                progress,
                quote_index: q,
                quote: &batch.quotes[q as usize],
                lines: &batch.lines[lines],
            };
            let row = subsidy::application(ctx, &mut rng, &finished);
            if row.as_ref().is_none_or(|r| !r.status.is_sent())
                && let Some(p) = batch.progress.last_mut()
            {
                // Only a submitted application records the 交付申請 date (db::applications::submit).
                p.subsidy_applied = None;
            }
            batch.subsidies.extend(row);
        }
        Ok(())
    }
}

/// The moves (status reached, role) from 提出済み to `target`, the shortest way the rules allow
/// (rules::complaint::ComplaintStatus::moves).
pub fn complaint_path(target: ComplaintStatus) -> Vec<(ComplaintStatus, rules::Role)> {
    let mut paths: Vec<(ComplaintStatus, Vec<(ComplaintStatus, rules::Role)>)> =
        vec![(ComplaintStatus::Submitted, Vec::new())];
    let mut seen = vec![ComplaintStatus::Submitted];
    let mut i = 0;
    while i < paths.len() {
        let (status, path) = paths[i].clone();
        if status == target {
            return path;
        }
        for (to, role) in status.moves() {
            if !seen.contains(to) {
                seen.push(*to);
                let mut longer = path.clone();
                longer.push((*to, *role));
                paths.push((*to, longer));
            }
        }
        i += 1;
    }
    Vec::new()
}

/// How a vendor padded a quote (domain.md: free items charged, prices far above the range,
/// 一式 lump sums, maintenance in the subsidy quote, totals near the cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// The free 顔認証付きカードリーダー charged.
    ReaderCharged,
    /// The free 資格確認アプリケーション charged.
    AppCharged,
    /// The terminal at several times the range's ceiling.
    AboveRange,
    /// Setup work as an opaque 一式.
    LumpSum,
    /// Five years of maintenance in the quote.
    Maintenance,
    /// The total raised to just under the subsidy's 基準とする事業額.
    NearCap,
}

impl Padding {
    /// Every way, equally likely.
    pub const ALL: [Padding; 6] = [
        Padding::ReaderCharged,
        Padding::AppCharged,
        Padding::AboveRange,
        Padding::LumpSum,
        Padding::Maintenance,
        Padding::NearCap,
    ];
}

/// The line categories of a quote in the order vendors list them; lines beyond these are extra work.
fn template(kind: FacilityType) -> &'static [Category] {
    use Category::*;
    match kind {
        FacilityType::Hospital | FacilityType::MedicalClinic => &[
            Terminal,
            CardReader,
            NetworkSetup,
            Router,
            ReceiptSystem,
            SetupLabor,
            LanWiring,
            Training,
            AppSoftware,
            Travel,
            Emr,
            Certificate,
            GenericReader,
            Discount,
        ],
        FacilityType::DentalClinic => &[
            Terminal,
            CardReader,
            NetworkSetup,
            Router,
            ReceiptSystem,
            SetupLabor,
            LanWiring,
            Training,
            AppSoftware,
            Travel,
            Certificate,
            GenericReader,
            Emr,
            Discount,
        ],
        FacilityType::Pharmacy | FacilityType::LargeChainPharmacy => &[
            Terminal,
            CardReader,
            NetworkSetup,
            Router,
            ReceiptSystem,
            SetupLabor,
            LanWiring,
            Training,
            AppSoftware,
            Travel,
            Certificate,
            GenericReader,
            Discount,
        ],
    }
}

/// Extra work after the template, repeated as needed.
const EXTRAS: [(Category, &str); 6] = [
    (Category::LanWiring, "LAN配線工事（追加）"),
    (Category::SetupLabor, "端末追加設定作業"),
    (Category::Travel, "出張費（追加訪問）"),
    (Category::Training, "操作説明（追加）"),
    (Category::NetworkSetup, "ネットワーク機器設定（追加）"),
    (Category::Router, "スイッチングハブ"),
];

/// A fair price: within the lower two fifths of a range (from its floor, or a tenth of its
/// ceiling), rounded to 1,000 yen (100 below 10,000). So a clinic's ordinary ten-line quote
/// comes to about 42万円 with tax, around the 基準とする事業額 of 429,000円 that MHLW set as the
/// typical cost (seeds/001, 003) — while the ranges are the audit's ceilings.
fn normal_price(rng: &mut Rng, range: super::context::Range) -> i64 {
    let lo = range.min.unwrap_or(range.max / 10);
    let hi = lo + (range.max - lo) * 2 / 5;
    let step = if hi < 10_000 { 100 } else { 1_000 };
    (rng.between(lo, hi) / step * step).max(0)
}

/// One ordinary line of a category.
fn normal_line(ctx: &Context, rng: &mut Rng, kind: FacilityType, readers: u8, category: Category) -> LineRow {
    use Category::*;
    let hospital = kind == FacilityType::Hospital;
    let price = |rng: &mut Rng, key: &str| normal_price(rng, ctx.prices.get(key, hospital));
    let line = |description, spec, quantity, unit, unit_price, note| LineRow {
        quote: 0,
        position: 0,
        category,
        description,
        spec,
        quantity,
        unit,
        unit_price,
        note,
    };
    match category {
        Terminal => line(
            *rng.pick(&["資格確認端末", "資格確認端末（デスクトップPC）", "オンライン資格確認端末 一体型PC"]),
            Some(*rng.pick(&[
                "Windows 11 Pro / Core i5 / メモリ8GB / SSD256GB",
                "Windows 11 Pro / Core i3 / メモリ8GB / SSD256GB",
                "Windows 11 IoT Enterprise / メモリ8GB / SSD128GB",
            ])),
            if hospital { rng.between(1, 3) } else { 1 },
            "台",
            price(rng, "terminal"),
            None,
        ),
        CardReader => line("顔認証付きカードリーダー", None, i64::from(readers), "台", 0, Some("支払基金より無償提供")),
        GenericReader => line(
            *rng.pick(&["汎用カードリーダー", "汎用ICカードリーダー（予備）"]),
            None,
            1,
            "台",
            price(rng, "generic_reader"),
            None,
        ),
        AppSoftware => line("オンライン資格確認アプリケーション", None, 1, "式", 0, Some("無償（支払基金提供）")),
        NetworkSetup => line(
            *rng.pick(&["ネットワーク設定作業", "オンライン請求回線ネットワーク設定", "ネットワーク設計・設定"]),
            None,
            1,
            "式",
            price(rng, "network_setup"),
            None,
        ),
        Router => line(
            *rng.pick(&["VPNルーター", "ルーター（IPsec対応）", "ルーター等ネットワーク機器"]),
            None,
            1,
            "台",
            price(rng, "router"),
            None,
        ),
        Certificate => line("電子証明書発行", None, 1, "件", price(rng, "certificate"), None),
        LanWiring => {
            line(*rng.pick(&["LAN配線工事", "LANケーブル敷設工事"]), None, 1, "式", price(rng, "lan_wiring"), None)
        }
        ReceiptSystem => line(receipt_description(kind), None, 1, "式", price(rng, "receipt_system"), None),
        Emr => line("電子カルテ改修（資格確認連携）", None, 1, "式", price(rng, "emr"), None),
        SetupLabor if hospital => {
            // Person-days at a day rate; at most 3 (24 h), within MHLW's observed 1,542 minutes (seeds/002).
            line("導入作業・設定", None, rng.between(1, 3), "人日", rng.between(60, 90) * 1_000, None)
        }
        SetupLabor => line("導入作業・初期設定", None, rng.between(2, 5), "時間", rng.between(10, 15) * 1_000, None),
        Training => line(
            *rng.pick(&["操作説明", "操作説明（オンライン資格確認）"]),
            None,
            1,
            "回",
            price(rng, "training"),
            None,
        ),
        Travel => line("出張費", None, rng.between(1, 3), "回", rng.between(5, 10) * 1_000, None),
        Discount => line("出精値引き", None, 1, "式", -rng.between(5, 30) * 1_000, None),
        Maintenance => line("保守サポート費用", None, 12, "月", rng.between(3, 10) * 1_000, None),
        LineFee => line("回線使用料", None, 12, "月", rng.between(3, 6) * 1_000, None),
        Other => line("その他作業", None, 1, "式", rng.between(5, 30) * 1_000, None),
    }
}

/// The lines of one quote, padded when asked, appended to `out`.
fn quote_lines(
    ctx: &Context,
    rng: &mut Rng,
    kind: FacilityType,
    readers: u8,
    quote: u32,
    padding: Option<Padding>,
    out: &mut Vec<LineRow>,
) {
    let n = ctx.options.lines_per_quote as usize;
    let categories = template(kind);
    let start = out.len();
    for position in 0..n {
        let mut line = match categories.get(position) {
            Some(c) => normal_line(ctx, rng, kind, readers, *c),
            None => {
                let (c, description) = EXTRAS[(position - categories.len()) % EXTRAS.len()];
                LineRow { description, spec: None, ..normal_line(ctx, rng, kind, readers, c) }
            }
        };
        line.quote = quote;
        line.position = position as u32;
        out.push(line);
    }
    if let Some(padding) = padding {
        pad(ctx, rng, kind, readers, &mut out[start..], padding);
    }
}

/// The system modification's description for a type.
fn receipt_description(kind: FacilityType) -> &'static str {
    match kind {
        FacilityType::DentalClinic => "歯科レセコン改修（資格確認連携）",
        FacilityType::Pharmacy | FacilityType::LargeChainPharmacy => "調剤レセコン改修（資格確認連携）",
        _ => "レセコン改修（オンライン資格確認連携）",
    }
}

/// The smallest system-modification line a near-cap padding writes; when the other lines
/// leave less room under the cap, the quote gets a lump sum instead.
const MIN_NEAR_CAP_LINE: i64 = 50_000;

/// Pads a quote's lines (never empty) the given way.
fn pad(ctx: &Context, rng: &mut Rng, kind: FacilityType, readers: u8, lines: &mut [LineRow], padding: Padding) {
    // The line of a category, or the last line when the quote is too short to have one.
    let slot = |lines: &[LineRow], c: Category| lines.iter().position(|l| l.category == c).unwrap_or(lines.len() - 1);
    let hospital = kind == FacilityType::Hospital;
    match padding {
        Padding::ReaderCharged => {
            let i = slot(lines, Category::CardReader);
            lines[i] = padded_line(
                &lines[i],
                Category::CardReader,
                "顔認証付きカードリーダー",
                i64::from(readers),
                "台",
                rng.between(60, 120) * 1_000,
            );
        }
        Padding::AppCharged => {
            let i = slot(lines, Category::AppSoftware);
            lines[i] = padded_line(
                &lines[i],
                Category::AppSoftware,
                "オンライン資格確認アプリケーション導入費",
                1,
                "式",
                rng.between(30, 150) * 1_000,
            );
        }
        Padding::AboveRange => {
            let i = slot(lines, Category::Terminal);
            let max = ctx.prices.get("terminal", hospital).max;
            lines[i] = LineRow {
                category: Category::Terminal,
                description: "資格確認端末",
                unit_price: max * rng.between(30, 60) / 10 / 1_000 * 1_000,
                ..lines[i].clone()
            };
        }
        Padding::LumpSum => {
            let i = slot(lines, Category::SetupLabor);
            let amount = if hospital { rng.between(1_500, 4_000) } else { rng.between(300, 900) } * 1_000;
            lines[i] =
                padded_line(&lines[i], Category::SetupLabor, "オンライン資格確認導入作業一式", 1, "一式", amount);
        }
        Padding::Maintenance => {
            let i = slot(lines, Category::Travel);
            lines[i] = padded_line(
                &lines[i],
                Category::Maintenance,
                "保守サポート費用（5年分）",
                60,
                "月",
                rng.between(8, 20) * 1_000,
            );
        }
        Padding::NearCap => {
            // Tax included, between 98 % and 100 % of the cap; the system modification absorbs the difference.
            let cap = ctx.cap(kind, readers);
            let target_with_tax = cap * rng.between(980, 999) / 1000;
            let target = target_with_tax * 10 / 11;
            let i = slot(lines, Category::ReceiptSystem);
            let others: i64 = lines.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, l)| l.amount()).sum();
            let amount = target - others;
            if amount >= MIN_NEAR_CAP_LINE {
                lines[i] = LineRow {
                    category: Category::ReceiptSystem,
                    description: receipt_description(kind),
                    spec: None,
                    quantity: 1,
                    unit: "式",
                    unit_price: amount,
                    note: None,
                    ..lines[i].clone()
                };
            } else {
                pad(ctx, rng, kind, readers, lines, Padding::LumpSum);
            }
        }
    }
}

/// A padded line in place of `base`: the vendor's wording, quantity, unit and price, no spec or note.
fn padded_line(
    base: &LineRow,
    category: Category,
    description: &'static str,
    quantity: i64,
    unit: &'static str,
    unit_price: i64,
) -> LineRow {
    LineRow { category, description, spec: None, quantity, unit, unit_price, note: None, ..base.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::national::Options;
    use crate::seed::national::context::for_tests;
    use rules::FacilityCode;
    use rules::quote::{LineKind, QuoteLine, Unit};
    use rust_decimal::Decimal;

    fn batch(options: Options) -> (Context, Batch) {
        let ctx = for_tests(options);
        let mut generator = Generator::new(&ctx, HashSet::new());
        let batch = generator.batch(&ctx, usize::MAX).unwrap();
        (ctx, batch)
    }

    #[test]
    fn every_line_reads_as_its_category_to_the_audits_classifier() {
        let (_, batch) = batch(Options { lines_per_quote: 20, ..Options::new(500) });
        let classifier = rules::classify::Classifier::builtin();
        let mut wrong = Vec::new();
        for l in &batch.lines {
            let line = QuoteLine {
                row: 1,
                description: l.description.to_owned(),
                spec: l.spec.map(str::to_owned),
                quantity: Some(Decimal::from(l.quantity)),
                unit: Unit::parse(l.unit),
                unit_price: Some(rules::Yen::new(Decimal::from(l.unit_price))),
                list_price: None,
                amount: Some(rules::Yen::new(Decimal::from(l.amount()))),
                note: l.note.map(str::to_owned),
                kind: if l.category == Category::Discount { LineKind::Discount } else { LineKind::Item },
                amount_text: None,
                sheet: None,
            };
            let found = classifier.classify(&line).category;
            if found != l.category {
                wrong.push(format!("{} → {found:?}, written as {:?}", l.description, l.category));
            }
        }
        wrong.sort();
        wrong.dedup();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_synthetic_name_obeys_the_rule_for_names_people_type() {
        use rules::printable_name::{NameKind, PrintableName};
        let (_, batch) = batch(Options::new(2_000));
        let names = batch.facilities.iter().map(|f| (NameKind::Facility, f.name.clone()));
        let people = batch.users.iter().map(|u| (NameKind::Person, u.display_name.clone()));
        let chains = CHAIN_BRANDS
            .iter()
            .map(|(brand, _)| (NameKind::Corporation, format!("株式会社{brand}ホールディングス（第99グループ）")));
        let reviewers = rules::Prefecture::all().flat_map(|p| {
            rules::Association::ALL
                .map(|a| (NameKind::Person, format!("合成データ {}{} 審査担当", p.name_ja(), a.label_ja())))
        });
        for (kind, name) in names.chain(people).chain(chains).chain(reviewers) {
            assert_eq!(PrintableName::parse(&name, kind).map(PrintableName::into_string), Ok(name.clone()), "{name}");
        }
    }

    #[test]
    fn ordinary_clinic_quotes_come_to_about_the_base_cost_and_padded_ones_stand_out() {
        let (ctx, batch) = batch(Options::new(2_000));
        let cap = ctx.cap(FacilityType::MedicalClinic, 1);
        let mut totals: Vec<i64> = batch
            .quotes
            .iter()
            .filter(|q| batch.facilities[q.facility as usize].kind == FacilityType::MedicalClinic)
            .map(|q| q.subtotal + q.tax)
            .collect();
        totals.sort_unstable();
        let median = totals[totals.len() / 2];
        assert!(median * 10 > cap * 8 && median * 10 < cap * 12, "median {median} against the cap {cap}");
        let padded = batch.lines.iter().filter(|l| l.category == Category::CardReader && l.unit_price > 0).count();
        assert!(padded > 0, "some free readers are charged");
        assert!(batch.lines.iter().all(|l| l.category != Category::ReceiptSystem || l.amount() >= 20_000));
    }

    #[test]
    fn generated_codes_pass_their_prefectures_check_and_carry_the_fee_schedule() {
        let mut rng = Rng::new(5);
        for (digit, kind) in
            [(1, FacilityType::MedicalClinic), (3, FacilityType::DentalClinic), (4, FacilityType::Pharmacy)]
        {
            for p in [1u8, 13, 40, 47] {
                for _ in 0..200 {
                    let code = code_with_check_digit(p, digit, rng.below(1_000_000) as u32);
                    let text = format!("{code:010}");
                    let parsed = FacilityCode::parse_for(&text, kind).unwrap();
                    assert_eq!(parsed.prefecture().number(), p);
                }
            }
        }
        assert_eq!(code_with_check_digit(1, 1, 11_371), 110_113_719, "the published example 0110113719");
        assert_eq!(code_with_check_digit(13, 1, 27_075), 1_310_270_751, "聖路加国際病院 1310270751");
        assert_eq!(code_with_check_digit(14, 1, 370_365), 1_413_703_659, "the published 1413703659");
    }

    #[test]
    fn every_complaint_status_is_reached_by_moves_the_rules_allow() {
        for (target, _) in COMPLAINT_STATUSES {
            let mut at = ComplaintStatus::Submitted;
            for (to, role) in complaint_path(target) {
                assert!(at.may_move(to, role), "{at:?} → {to:?} by {role:?}");
                at = to;
            }
            assert_eq!(at, target);
        }
    }
}
