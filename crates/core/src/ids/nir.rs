//! Nir.
use super::IdError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nir(String);

impl Nir {
    pub fn parse(input: &str) -> Result<Nir, IdError> {
        let _ = input;
        Err(IdError::Empty(super::IdKind::Nir))
    }

    /// Canonical form: compact, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The NIR whose first 13 characters are `first13` (2A/2B allowed), with its key computed.
    /// For test and demo data.
    pub fn from_first13(first13: &str) -> Result<Nir, IdError> {
        let _ = first13;
        Err(IdError::Key(super::IdKind::Nir))
    }
}

impl TryFrom<String> for Nir {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Nir::parse(&s)
    }
}

impl From<Nir> for String {
    fn from(v: Nir) -> String {
        v.0
    }
}

impl std::fmt::Display for Nir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
