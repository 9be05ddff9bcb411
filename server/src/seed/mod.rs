//! Loading `seed/`: reference data at every start (idempotent upserts), demo
//! data once into a new database.
//!
//! The seed files are embedded in the binary, so `onshi` runs from any folder.

pub mod demo;
pub mod demo_activity;
pub mod national;
pub mod reference;

use crate::error::StartError;
use serde::de::DeserializeOwned;

/// Parses an embedded seed file, naming the file in the error.
fn parse<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<T, StartError> {
    serde_json::from_str(text).map_err(|e| StartError::Seed { file, message: e.to_string() })
}

/// An error about a record of a seed file.
fn invalid(file: &'static str, message: impl Into<String>) -> StartError {
    StartError::Seed { file, message: message.into() }
}

/// A name of a seed file as the pages would have accepted it (`rules::printable_name`): the
/// demo and reference data obey the same rule as a person typing, so a name that would print
/// as an empty box or 〓 stops the start with the file and the name.
fn printable_name(file: &'static str, kind: rules::printable_name::NameKind, name: &str) -> Result<String, StartError> {
    rules::printable_name::PrintableName::parse(name, kind)
        .map(rules::printable_name::PrintableName::into_string)
        .map_err(|e| invalid(file, format!("{} {name:?}: {e}", kind.label())))
}
