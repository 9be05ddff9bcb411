//! What the type and prefecture filters offer (dashboard, facility list): what the scope reaches.

use rules::access::Scope;
use serde::{Deserialize, Serialize};

/// The choices of the two filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    /// Facility types: (code, label).
    pub types: Vec<(String, String)>,
    /// Prefectures: (code, name).
    pub prefectures: Vec<(String, String)>,
}

impl FilterChoices {
    /// A reviewer's association's types and their prefecture; every type and prefecture otherwise.
    pub fn of(scope: &Scope) -> Self {
        let prefectures = match scope {
            Scope::Association { prefecture, .. } => vec![*prefecture],
            _ => rules::Prefecture::all().collect(),
        };
        FilterChoices {
            types: scope.facility_types().into_iter().map(|t| (t.code().to_owned(), t.label_ja().to_owned())).collect(),
            prefectures: prefectures.into_iter().map(|p| (p.code().to_owned(), p.name_ja().to_owned())).collect(),
        }
    }
}
