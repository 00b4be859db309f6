//! Money in integer cents. Never floating point (PRODUCT.md, "Money").
//!
//! CONTRACT (helper fills the bodies; signatures are used by other crates):
//! - `Cents::parse` accepts `1234,56`, `1234.56`, `1 234,56` (space, NBSP U+00A0 or U+202F as
//!   thousands separator), `-12`, `12,5` (= 1250 cents), surrounding spaces; rejects empty
//!   input, three or more decimals, several separators of decimals, letters, overflow.
//! - `Display` gives the French form `1 234,56 €` with U+00A0 as thousands separator and before €.
//! - `to_decimal` gives the machine form `1234.56` (XML, CSV exports): dot, two decimals, no
//!   separator, `-` for negatives.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in euro cents.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("montant vide")]
    Empty,
    #[error("montant illisible : « {0} » (attendu par exemple 1234,56)")]
    Invalid(String),
    #[error("montant avec plus de deux décimales : « {0} »")]
    TooManyDecimals(String),
    #[error("montant trop grand : « {0} »")]
    Overflow(String),
}

impl MoneyError {
    /// A stable machine code for reject files.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Empty => "montant_vide",
            MoneyError::Invalid(_) => "montant_invalide",
            MoneyError::TooManyDecimals(_) => "montant_decimales",
            MoneyError::Overflow(_) => "montant_trop_grand",
        }
    }
    /// The same message in English, for logs.
    pub fn message_en(&self) -> String {
        match self {
            MoneyError::Empty => "empty amount".into(),
            MoneyError::Invalid(s) => format!("unreadable amount {s:?} (expected e.g. 1234,56)"),
            MoneyError::TooManyDecimals(s) => format!("amount with more than two decimals {s:?}"),
            MoneyError::Overflow(s) => format!("amount too large {s:?}"),
        }
    }
}

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub fn parse(input: &str) -> Result<Cents, MoneyError> {
        let _ = input;
        Err(MoneyError::Empty)
    }

    /// `1234.56`, for machines.
    pub fn to_decimal(self) -> String {
        String::new()
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
