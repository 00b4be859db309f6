//! Identifiers parsed once into types and trusted after ("parse, don't validate").
//!
//! Input may carry spaces, NBSP, dashes, dots and lower case; the canonical form is compact
//! upper case. Every error says in French what is wrong (`Display`), with an English twin
//! (`message_en`) for logs and a stable `code` for reject files.

mod bban;
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
    /// The check digits a country puts inside its BBAN (Italian CIN, Spanish CCC keys…) are
    /// wrong, although the IBAN's own mod 97 passes.
    #[error(
        "IBAN : {name} du numéro de compte national est fausse ; vérifiez le RIB ou l'IBAN fourni"
    )]
    NationalKey {
        name: &'static str,
        name_en: &'static str,
    },
    /// A SIRET whose 14 digits pass but whose SIREN (first 9 digits) does not.
    #[error("SIRET : le SIREN (9 premiers chiffres) a une clé de contrôle fausse")]
    SirenInSiret,
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
            IdError::NationalKey { .. } => "iban_cle_nationale",
            IdError::SirenInSiret => "siret_siren_cle",
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
            IdError::NationalKey { name_en, .. } => {
                format!("IBAN: the {name_en} of the national account number is wrong")
            }
            IdError::SirenInSiret => {
                "SIRET: the SIREN (first 9 digits) has a wrong check digit".into()
            }
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

/// The value of a RIB character: digits as themselves, letters by the RIB table
/// (A,J→1; B,K,S→2; … I,R,Z→9), the banks' historical conversion (norme AFNOR / CFONB).
fn rib_value(c: char) -> Option<u32> {
    let c = c.to_ascii_uppercase();
    match c {
        '0'..='9' => c.to_digit(10),
        'A'..='I' => Some(u32::from(c) - u32::from('A') + 1),
        'J'..='R' => Some(u32::from(c) - u32::from('J') + 1),
        'S'..='Z' => Some(u32::from(c) - u32::from('S') + 2),
        _ => None,
    }
}

/// `text` read as a number in RIB values, modulo 97, when it has `len` characters accepted by
/// `allowed`. Digit by digit, so no big numbers are needed.
fn rib_part_mod97(text: &str, len: usize, allowed: fn(char) -> bool) -> Option<u32> {
    if text.chars().count() != len || !text.chars().all(allowed) {
        return None;
    }
    text.chars()
        .try_fold(0u32, |acc, c| Some((acc * 10 + rib_value(c)?) % 97))
}

/// The key of a French RIB (97 − (89·bank + 15·branch + 3·account) mod 97, letters of the
/// account converted by the RIB table), or `None` when the parts are not of RIB form
/// (bank and branch 5 digits, account 11 digits or letters).
pub fn rib_key(bank: &str, branch: &str, account: &str) -> Option<u8> {
    let bank = rib_part_mod97(bank, 5, |c| c.is_ascii_digit())?;
    let branch = rib_part_mod97(branch, 5, |c| c.is_ascii_digit())?;
    let account = rib_part_mod97(account, 11, |c| c.is_ascii_alphanumeric())?;
    let rest = (89 * bank + 15 * branch + 3 * account) % 97;
    // 97 − rest is in 1..=97, so it fits in a u8.
    u8::try_from(97 - rest).ok()
}

/// Checks that every character of `s` (already compact) is allowed at its 1-based position,
/// reporting the first one that is not.
fn check_chars(
    kind: IdKind,
    s: &str,
    allowed: impl Fn(usize, char) -> bool,
) -> Result<(), IdError> {
    match s
        .chars()
        .enumerate()
        .map(|(i, ch)| (i + 1, ch))
        .find(|&(pos, ch)| !allowed(pos, ch))
    {
        Some((pos, ch)) => Err(IdError::Character { kind, ch, pos }),
        None => Ok(()),
    }
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

/// An IBAN as screens, documents and the journal show it: its first and last four
/// characters (`FR76…0189`).
pub fn mask_iban(iban: &str) -> String {
    format!(
        "{}…{}",
        iban.get(..4).unwrap_or(""),
        iban.get(iban.len().saturating_sub(4)..).unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rib_keys() {
        assert_eq!(rib_key("30006", "00001", "12345678901"), Some(89));
        // Letters by the RIB table: M counts 4.
        assert_eq!(rib_key("20041", "01005", "0500013M026"), Some(6));
        assert_eq!(rib_key("20041", "01005", "0500013m026"), Some(6));
        assert_eq!(rib_key("20041", "01005", "05000134026"), Some(6));
        assert_eq!(rib_key("11222", "00001", "01234567890"), Some(30));
        assert_eq!(rib_key("3000", "00001", "12345678901"), None);
        assert_eq!(rib_key("30006", "0000A", "12345678901"), None);
        assert_eq!(rib_key("30006", "00001", "1234567890"), None);
        assert_eq!(rib_key("30006", "00001", "1234567890-"), None);
    }

    #[test]
    fn rib_table() {
        let table = [
            ("AJ", 1),
            ("BKS", 2),
            ("CLT", 3),
            ("DMU", 4),
            ("ENV", 5),
            ("FOW", 6),
            ("GPX", 7),
            ("HQY", 8),
            ("IRZ", 9),
        ];
        for (letters, value) in table {
            for c in letters.chars() {
                assert_eq!(rib_value(c), Some(value), "{c}");
            }
        }
        assert_eq!(rib_value('7'), Some(7));
        assert_eq!(rib_value('-'), None);
    }

    #[test]
    fn compact_form() {
        assert_eq!(
            compact(" fr76-3000.6000\u{a0}01\u{202f}12\t"),
            "FR76300060000112"
        );
        assert_eq!(compact("2a"), "2A");
    }

    #[test]
    fn check_dispatches_and_gives_canonical_forms() {
        assert_eq!(
            check(IdKind::Iban, "fr76 3000 6000 0112 3456 7890 189"),
            Ok("FR7630006000011234567890189".to_owned())
        );
        assert_eq!(check(IdKind::Bic, "bnpa frpp"), Ok("BNPAFRPP".to_owned()));
        assert_eq!(
            check(IdKind::Nir, "1 85 05 78 006 048 30"),
            Ok("185057800604830".to_owned())
        );
        assert_eq!(
            check(IdKind::Siren, "732 829 320"),
            Ok("732829320".to_owned())
        );
        assert_eq!(
            check(IdKind::Siret, "732 829 320 00074"),
            Ok("73282932000074".to_owned())
        );
        assert_eq!(IdKind::parse(" SIRET "), Some(IdKind::Siret));
        assert_eq!(IdKind::parse("rib"), None);
    }

    #[test]
    fn messages_in_french_and_english() {
        let e = check(IdKind::Iban, "FR76 3000 6000 0112 3456 7890 18*").expect_err("bad char");
        assert_eq!(
            e.to_string(),
            "IBAN : caractère « * » interdit en position 27"
        );
        assert_eq!(
            e.message_en(),
            "IBAN: character '*' not allowed at position 27"
        );
        assert_eq!(e.code(), "id_caractere");
        let e = check(IdKind::Nir, "1850578006048").expect_err("short");
        assert_eq!(e.to_string(), "NIR : longueur 13 au lieu de 15");
        let e = check(IdKind::Siret, "73282932000075").expect_err("key");
        assert_eq!(e.to_string(), "SIRET : clé de contrôle fausse");
        let e = IdError::RibKey;
        assert_eq!(e.code(), "rib_cle");
        assert!(e.to_string().contains("clé RIB"));
    }
}
