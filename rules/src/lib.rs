//! Onshi domain rules: the types and numbers of the オンライン資格確認 rollout.
//!
//! Pure logic only — no I/O, no async — so the same rules run in the server,
//! in tests and, later, in the browser. Every constant names its source
//! (a file in `shared/seeds/` or a public URL).

pub mod access;
pub mod application;
pub mod audit;
pub mod category;
pub mod classify;
pub mod complaint;
pub mod date_order;
pub mod facility;
pub mod facility_code;
pub mod facility_type;
pub mod grace;
pub mod label;
pub mod money;
pub mod payback;
pub mod prefecture;
pub mod printable_name;
pub mod provisioning;
pub mod quote;
pub mod rate;
pub mod readers;
pub mod registry;
pub mod role;
pub mod scheme;
pub mod settlement;
pub mod sources;
pub mod subsidy;
pub mod wareki;

pub use facility_code::{CheckSpan, FacilityCode, InvalidFacilityCode};
pub use facility_type::{FacilityType, UnknownFacilityType};
pub use grace::{GraceType, InvalidGraceType};
pub use money::{InvalidYen, Yen};
pub use prefecture::{Prefecture, UnknownPrefecture};
pub use rate::{InvalidRate, Rate};
pub use role::{Association, Role, UnknownAssociation, UnknownRole};
pub use wareki::{
    InvalidDate, format_stored_day, format_timestamp_jst, format_wareki, format_wareki_with_western, parse_date,
    parse_month,
};
