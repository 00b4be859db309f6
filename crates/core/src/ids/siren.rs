//! SIREN (9 digits) and SIRET (14 digits): Luhn; La Poste's SIRETs use a digit sum instead.
use super::IdError;

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    /// The SIREN whose first 8 digits are `first8`, with its Luhn digit computed.
    pub fn from_first8(first8: &str) -> Result<Siren, IdError> {
        let _ = first8;
        Err(IdError::Key(super::IdKind::Siren))
    }

    pub fn parse(input: &str) -> Result<Siren, IdError> {
        let _ = input;
        Err(IdError::Empty(super::IdKind::Siren))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Siren {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Siren::parse(&s)
    }
}

impl From<Siren> for String {
    fn from(v: Siren) -> String {
        v.0
    }
}

impl std::fmt::Display for Siren {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// The SIRET whose first 13 digits are `first13`, with its Luhn digit computed.
    pub fn from_first13(first13: &str) -> Result<Siret, IdError> {
        let _ = first13;
        Err(IdError::Key(super::IdKind::Siret))
    }

    /// The SIREN part (first 9 digits).
    pub fn siren(&self) -> &str {
        self.0.get(..9).unwrap_or("")
    }

    pub fn parse(input: &str) -> Result<Siret, IdError> {
        let _ = input;
        Err(IdError::Empty(super::IdKind::Siret))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Siret {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Siret::parse(&s)
    }
}

impl From<Siret> for String {
    fn from(v: Siret) -> String {
        v.0
    }
}

impl std::fmt::Display for Siret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
