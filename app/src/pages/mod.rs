//! The pages, one module each.

mod home;
mod login;
mod not_found;
mod reference;

pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use reference::{BenchmarksPage, StatisticsPage, VendorsPage};
