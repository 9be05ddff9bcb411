//! The signed-in user as pages see it.

use rules::Role;
use rules::access::Scope;
use serde::{Deserialize, Serialize};

/// The user behind the current session, with what the header shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Database id.
    pub id: i64,
    /// Login e-mail address.
    pub email: String,
    /// Name shown in the header.
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// Where the user's access reaches, in Japanese (「医療法人社団オンシ会」, 「東京都 医師会」, 「全国」).
    pub scope_label: String,
    /// Where the user's access reaches, for the queries.
    pub scope: Scope,
    /// The id of the user's second-factor enrolment, if any: a session signed in with
    /// another one (or none) ends, so a reset takes effect at once.
    pub second_factor: Option<i64>,
}
