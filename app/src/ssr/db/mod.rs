//! Queries, one small function per statement, grouped by table.

pub mod reference;
pub mod users;
