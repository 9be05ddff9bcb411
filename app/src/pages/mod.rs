//! The pages, one module each.

mod admin;
mod applications;
mod audit_trail;
mod complaints;
mod corporation;
pub(crate) mod dashboard;
mod facilities;
mod facility_form;
mod facility_money;
mod filter_fields;
mod home;
mod letter;
mod login;
mod not_found;
mod pager;
mod password_reset;
mod provisioning;
pub(crate) mod quote_audit;
mod quote_draft;
mod quote_entry;
mod reference;
mod refused_form;
mod registry;
mod second_factor;
pub(crate) mod settlement_view;
pub(crate) mod sources;
mod subsidy;
mod vendor_review;
mod vendors;

pub use admin::AdminUsersPage;
pub use applications::{ApplicationPage, ApplicationsPage};
pub use audit_trail::AuditTrailPage;
pub use complaints::{ComplaintNewPage, ComplaintPage, ComplaintsPage};
pub use corporation::CorporationPage;
pub use dashboard::DashboardPage;
pub use facilities::{FacilitiesPage, FacilityPage, QuotePage};
pub use facility_form::{FacilityEditPage, FacilityNewPage};
pub use home::HomePage;
pub use letter::LetterPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use quote_draft::QuoteDraftPage;
pub use quote_entry::QuoteEntryPage;
pub use reference::{BenchmarksPage, StatisticsPage, VendorsPage};
pub use registry::{RegistryImportPage, RegistryPage};
pub use second_factor::SecondFactorPage;
pub use sources::SourcesPage;
pub use subsidy::SubsidyPage;
pub use vendor_review::VendorReviewPage;
pub use vendors::{VendorLeaguePage, VendorPage};

/// The `:id` of the route, or None when it is not a number (the page then answers 404).
fn id_param() -> Option<i64> {
    use leptos::prelude::GetUntracked;
    leptos_router::hooks::use_params_map().get_untracked().get("id").and_then(|s| s.parse().ok())
}
