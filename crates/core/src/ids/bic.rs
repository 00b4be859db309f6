//! Bic.
use super::IdError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic(String);

impl Bic {
    pub fn parse(input: &str) -> Result<Bic, IdError> {
        let _ = input;
        Err(IdError::Empty(super::IdKind::Bic))
    }

    /// Canonical form: compact, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Bic {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Bic::parse(&s)
    }
}

impl From<Bic> for String {
    fn from(v: Bic) -> String {
        v.0
    }
}

impl std::fmt::Display for Bic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
