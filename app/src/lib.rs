//! Onshi's pages and components, rendered on the server by Leptos.
//!
//! Every page works without JavaScript: data loads through server functions
//! awaited before the HTML is sent (`SsrMode::Async`), and forms are real
//! `<form method="post">` posts (`<ActionForm>`). A later `hydrate` build can
//! add interactivity to the same components.

#![recursion_limit = "256"]

pub mod api;
pub mod application_document;
pub mod audit_words;
pub mod csv;
pub mod done;
pub mod error;
mod layout;
pub mod nav;
mod pages;
pub mod public_source;
pub mod security;
pub mod session_user;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub use error::UiError;
pub use session_user::SessionUser;

/// The stylesheet, served by the binary itself at [`STYLESHEET_PATH`] (no CDN).
pub const STYLESHEET: &str = include_str!("../style/onshi.css");

/// Where the stylesheet is served.
pub const STYLESHEET_PATH: &str = "/assets/onshi.css";

/// The product name shown in the header and titles.
pub const PRODUCT_NAME: &str = "Onshi";

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_page_policy();
    // Without a browser build nothing reads the resources' values that Leptos
    // would write into every page for hydration; writing them (JSON, then
    // escaped as a JavaScript string) took a third of the home page's time.
    #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang="ja">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>"Onshi — オンライン資格確認 導入・補助金・見積監査"</title>
                <link rel="stylesheet" href=STYLESHEET_PATH />
                // Only a browser build ships scripts; the server build sends none.
                {cfg!(feature = "hydrate").then(|| view! { <HydrationScripts options /> })}
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: routes to pages.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| view! { <pages::NotFound /> }>
                <Route path=path!("/login") view=pages::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/password/forgot") view=pages::ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/password/reset") view=pages::ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/") view=pages::HomePage ssr=SsrMode::Async />
                <Route path=path!("/subsidy") view=pages::SubsidyPage ssr=SsrMode::Async />
                <Route path=path!("/facilities") view=pages::FacilitiesPage ssr=SsrMode::Async />
                <Route path=path!("/facilities/new") view=pages::FacilityNewPage ssr=SsrMode::Async />
                <Route path=path!("/facilities/:id") view=pages::FacilityPage ssr=SsrMode::Async />
                <Route path=path!("/facilities/:id/edit") view=pages::FacilityEditPage ssr=SsrMode::Async />
                <Route path=path!("/facilities/:id/quotes/new") view=pages::QuoteEntryPage ssr=SsrMode::Async />
                <Route path=path!("/quotes/drafts/:token") view=pages::QuoteDraftPage ssr=SsrMode::Async />
                <Route path=path!("/quotes/:id") view=pages::QuotePage ssr=SsrMode::Async />
                <Route path=path!("/quotes/:id/letter") view=pages::LetterPage ssr=SsrMode::Async />
                <Route path=path!("/dashboard") view=pages::DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/applications") view=pages::ApplicationsPage ssr=SsrMode::Async />
                <Route path=path!("/applications/:id") view=pages::ApplicationPage ssr=SsrMode::Async />
                <Route path=path!("/corporations/:id") view=pages::CorporationPage ssr=SsrMode::Async />
                <Route path=path!("/vendors") view=pages::VendorLeaguePage ssr=SsrMode::Async />
                <Route path=path!("/vendors/:id") view=pages::VendorPage ssr=SsrMode::Async />
                <Route path=path!("/complaints") view=pages::ComplaintsPage ssr=SsrMode::Async />
                <Route path=path!("/complaints/new") view=pages::ComplaintNewPage ssr=SsrMode::Async />
                <Route path=path!("/complaints/:id") view=pages::ComplaintPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users") view=pages::AdminUsersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/vendors") view=pages::VendorReviewPage ssr=SsrMode::Async />
                <Route path=path!("/admin/registry") view=pages::RegistryPage ssr=SsrMode::Async />
                <Route path=path!("/admin/registry/imports/:id") view=pages::RegistryImportPage ssr=SsrMode::Async />
                <Route
                    path=path!("/account/second-factor")
                    view=pages::SecondFactorPage
                    ssr=SsrMode::Async
                />
                <Route path=path!("/audit-log") view=pages::AuditTrailPage ssr=SsrMode::Async />
                <Route path=path!("/reference/vendors") view=pages::VendorsPage ssr=SsrMode::Async />
                <Route
                    path=path!("/reference/statistics")
                    view=pages::StatisticsPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reference/benchmarks")
                    view=pages::BenchmarksPage
                    ssr=SsrMode::Async
                />
                <Route path=path!("/reference/sources") view=pages::SourcesPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
