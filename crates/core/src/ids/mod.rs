//! Identifiers parsed once into types and trusted after ("parse, don't validate").
//!
//! Input may carry spaces, NBSP, dashes, dots and lower case; the canonical form is compact
//! upper case. Every error says in French what is wrong (`Display`), with an English twin
//! (`message_en`) for logs and a stable `code` for reject files.
//!
//! CONTRACT (helper fills the bodies of the submodules; signatures are used by other crates).

mod bic;
mod iban;
mod nir;
mod siren;

pub use bic::Bic;
pub use iban::Iban;
pub use nir::Nir;
pub use siren::{Siren, Siret};

/// Which identifier, for messages ("IBAN", "BIC", "NIR", "SIREN", "SIRET").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Iban,
    Bic,
    Nir,
    Siren,
    Siret,
}

impl IdKind {
    pub fn label(self) -> &'static str {
        match self {
            IdKind::Iban => "IBAN",
            IdKind::Bic => "BIC",
            IdKind::Nir => "NIR",
            IdKind::Siren => "SIREN",
            IdKind::Siret => "SIRET",
        }
    }

    /// `iban`, `bic`, `nir`, `siren`, `siret` (as typed on `relais check-id`).
    pub fn parse(s: &str) -> Option<IdKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "iban" => Some(IdKind::Iban),
            "bic" => Some(IdKind::Bic),
            "nir" => Some(IdKind::Nir),
            "siren" => Some(IdKind::Siren),
            "siret" => Some(IdKind::Siret),
            _ => None,
        }
    }
}

/// Why a text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} vide", kind = .0.label())]
    Empty(IdKind),
    #[error("{kind} : longueur {found} au lieu de {expected}", kind = .kind.label())]
    Length {
        kind: IdKind,
        expected: &'static str,
        found: usize,
    },
    #[error("{kind} : caractère « {ch} » interdit en position {pos}", kind = .kind.label())]
    Character { kind: IdKind, ch: char, pos: usize },
    #[error("{kind} : clé de contrôle fausse", kind = .0.label())]
    Key(IdKind),
    #[error("IBAN : la clé RIB (2 derniers chiffres du RIB) est fausse")]
    RibKey,
    #[error("{kind} : {reason}", kind = .kind.label())]
    Format {
        kind: IdKind,
        reason: &'static str,
        reason_en: &'static str,
    },
}

impl IdError {
    pub fn code(&self) -> &'static str {
        match self {
            IdError::Empty(_) => "id_vide",
            IdError::Length { .. } => "id_longueur",
            IdError::Character { .. } => "id_caractere",
            IdError::Key(_) => "id_cle",
            IdError::RibKey => "rib_cle",
            IdError::Format { .. } => "id_format",
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            IdError::Empty(k) => format!("empty {}", k.label()),
            IdError::Length {
                kind,
                expected,
                found,
            } => {
                format!("{}: length {found} instead of {expected}", kind.label())
            }
            IdError::Character { kind, ch, pos } => {
                format!(
                    "{}: character {ch:?} not allowed at position {pos}",
                    kind.label()
                )
            }
            IdError::Key(k) => format!("{}: wrong check digits", k.label()),
            IdError::RibKey => "IBAN: the embedded French RIB key is wrong".into(),
            IdError::Format {
                kind, reason_en, ..
            } => format!("{}: {reason_en}", kind.label()),
        }
    }
}

/// Compact form of typed input: drops spaces (ASCII, NBSP U+00A0, U+202F), tabs, dashes and
/// dots, and upper-cases ASCII letters.
pub fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\t' | '-' | '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The key of a French RIB (97 − (89·bank + 15·branch + 3·account) mod 97, letters of the
/// account converted by the RIB table), or `None` when the parts are not of RIB form.
pub fn rib_key(bank: &str, branch: &str, account: &str) -> Option<u8> {
    let _ = (bank, branch, account);
    None
}

/// Checks `VALUE` as identifier `kind`, giving the canonical form (used by `relais check-id`).
pub fn check(kind: IdKind, value: &str) -> Result<String, IdError> {
    match kind {
        IdKind::Iban => Iban::parse(value).map(|v| v.as_str().to_owned()),
        IdKind::Bic => Bic::parse(value).map(|v| v.as_str().to_owned()),
        IdKind::Nir => Nir::parse(value).map(|v| v.as_str().to_owned()),
        IdKind::Siren => Siren::parse(value).map(|v| v.as_str().to_owned()),
        IdKind::Siret => Siret::parse(value).map(|v| v.as_str().to_owned()),
    }
}
