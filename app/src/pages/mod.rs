//! The pages, one module each.

mod home;
mod login;
mod not_found;
mod reference;
mod subsidy;

pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use reference::{BenchmarksPage, StatisticsPage, VendorsPage};
pub use subsidy::SubsidyPage;
