//! Iban.
use super::IdError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, IdError> {
        let _ = input;
        Err(IdError::Empty(super::IdKind::Iban))
    }

    /// Canonical form: compact, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The French IBAN of a RIB (bank code 5 digits, branch code 5 digits, account number 11
    /// characters), computing the RIB key and the IBAN check digits. For test and demo data.
    pub fn from_french_rib(bank: &str, branch: &str, account: &str) -> Result<Iban, IdError> {
        let _ = (bank, branch, account);
        Err(IdError::RibKey)
    }

    /// Two-letter country code.
    pub fn country(&self) -> &str {
        self.0.get(..2).unwrap_or("")
    }
}

impl TryFrom<String> for Iban {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Iban::parse(&s)
    }
}

impl From<Iban> for String {
    fn from(v: Iban) -> String {
        v.0
    }
}

impl std::fmt::Display for Iban {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
