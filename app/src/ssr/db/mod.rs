//! Queries, one small function per statement, grouped by table.

pub mod admin_users;
pub mod applications;
pub mod audit_lines;
pub mod benchmarks;
pub mod complaints;
pub mod cost_sets;
pub mod dashboard;
pub mod dates;
pub mod facilities;
pub mod home;
pub mod letters;
pub mod mail;
pub mod patients;
pub mod peers;
pub mod provisioning;
pub mod quotes;
pub mod reference;
pub mod registry;
pub mod scope;
pub mod second_factor;
pub mod users;
