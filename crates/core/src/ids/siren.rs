//! SIREN (9 digits) and SIRET (14 digits): Luhn; La Poste's SIRETs use a digit sum instead.
//!
//! INSEE: the last digit of a SIREN and of a SIRET is a Luhn check digit. Exception: the
//! establishments of La Poste (SIREN 356 000 000) are numbered so that the sum of the 14
//! digits is a multiple of 5; only its head office, 356 000 000 00048, follows Luhn. In every
//! case the SIRET's first 9 digits are a SIREN, valid on its own (Luhn).
use super::{IdError, IdKind, check_chars, compact};

/// La Poste's SIREN, whose establishments do not follow Luhn.
const LA_POSTE: &str = "356000000";
/// La Poste's head office, the one SIRET of La Poste that follows Luhn.
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

fn digits(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.chars().filter_map(|c| c.to_digit(10))
}

/// Luhn sum of `s`, doubling every second digit from the right; `check_appended` says whether
/// a check digit will be added after `s` (so the rightmost digit of `s` is doubled).
fn luhn_sum(s: &str, check_appended: bool) -> u32 {
    let offset = usize::from(check_appended);
    digits(s)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if (i + offset) % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum()
}

fn luhn_valid(s: &str) -> bool {
    luhn_sum(s, false).is_multiple_of(10)
}

fn luhn_digit(payload: &str) -> u32 {
    (10 - luhn_sum(payload, true) % 10) % 10
}

/// Compact, digits only, `len` long.
fn parse_digits(
    input: &str,
    kind: IdKind,
    len: usize,
    expected: &'static str,
) -> Result<String, IdError> {
    let s = compact(input);
    if s.is_empty() {
        return Err(IdError::Empty(kind));
    }
    check_chars(kind, &s, |_, ch| ch.is_ascii_digit())?;
    if s.len() != len {
        return Err(IdError::Length {
            kind,
            expected,
            found: s.chars().count(),
        });
    }
    Ok(s)
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    /// The SIREN whose first 8 digits are `first8`, with its Luhn digit computed.
    pub fn from_first8(first8: &str) -> Result<Siren, IdError> {
        let s = parse_digits(first8, IdKind::Siren, 8, "8")?;
        let key = luhn_digit(&s);
        Ok(Siren(format!("{s}{key}")))
    }

    pub fn parse(input: &str) -> Result<Siren, IdError> {
        let s = parse_digits(input, IdKind::Siren, 9, "9")?;
        if !luhn_valid(&s) {
            return Err(IdError::Key(IdKind::Siren));
        }
        Ok(Siren(s))
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
    /// The SIRET whose first 13 digits are `first13`, with its Luhn digit computed (for La
    /// Poste, the smallest digit that makes the digit sum a multiple of 5). Refused when the
    /// first 9 digits are not a valid SIREN.
    pub fn from_first13(first13: &str) -> Result<Siret, IdError> {
        let s = parse_digits(first13, IdKind::Siret, 13, "13")?;
        let key = if s.starts_with(LA_POSTE) {
            (5 - digits(&s).sum::<u32>() % 5) % 5
        } else {
            luhn_digit(&s)
        };
        Siret::parse(&format!("{s}{key}"))
    }

    /// The SIREN part (first 9 digits).
    pub fn siren(&self) -> &str {
        self.0.get(..9).unwrap_or("")
    }

    pub fn parse(input: &str) -> Result<Siret, IdError> {
        let s = parse_digits(input, IdKind::Siret, 14, "14")?;
        let valid = if s.starts_with(LA_POSTE) && s != LA_POSTE_HEAD_OFFICE {
            digits(&s).sum::<u32>().is_multiple_of(5)
        } else {
            luhn_valid(&s)
        };
        if !valid {
            return Err(IdError::Key(IdKind::Siret));
        }
        // INSEE: a SIRET is its SIREN followed by the NIC, so the SIREN must be valid on its
        // own; a 14-digit Luhn passes for one SIRET in ten whose SIREN is wrong.
        if !luhn_valid(s.get(..9).unwrap_or("")) {
            return Err(IdError::SirenInSiret);
        }
        Ok(Siret(s))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sirens() {
        for s in ["356000000", "732829320", "443061841"] {
            assert_eq!(Siren::parse(s).expect(s).as_str(), s);
        }
        assert_eq!(
            Siren::parse("732 829 320").expect("spaces").as_str(),
            "732829320"
        );
        assert_eq!(Siren::parse("732829321"), Err(IdError::Key(IdKind::Siren)));
        assert_eq!(
            Siren::parse("73282932"),
            Err(IdError::Length {
                kind: IdKind::Siren,
                expected: "9",
                found: 8
            })
        );
        assert_eq!(
            Siren::parse("7328293Z0"),
            Err(IdError::Character {
                kind: IdKind::Siren,
                ch: 'Z',
                pos: 8
            })
        );
        assert_eq!(Siren::parse(""), Err(IdError::Empty(IdKind::Siren)));
        assert_eq!(
            Siren::from_first8("73282932").expect("siren").as_str(),
            "732829320"
        );
    }

    #[test]
    fn sirets() {
        for s in ["73282932000074", "44306184100047"] {
            let siret = Siret::parse(s).expect(s);
            assert_eq!(siret.as_str(), s);
            assert_eq!(siret.siren(), s.get(..9).expect("9"));
        }
        assert_eq!(
            Siret::parse("732 829 320 00074").expect("spaces").as_str(),
            "73282932000074"
        );
        assert_eq!(
            Siret::parse("73282932000075"),
            Err(IdError::Key(IdKind::Siret))
        );
        assert_eq!(
            Siret::from_first13("7328293200007")
                .expect("siret")
                .as_str(),
            "73282932000074"
        );
    }

    #[test]
    fn a_siret_needs_a_valid_siren() {
        // 14-digit Luhn passes, but the SIREN 732829321 does not.
        assert!(luhn_valid("73282932100072"));
        assert!(!luhn_valid("732829321"));
        assert_eq!(Siret::parse("73282932100072"), Err(IdError::SirenInSiret));
        assert_eq!(
            Siret::parse("73282932100072").map_err(|e| e.code()),
            Err("siret_siren_cle")
        );
        assert_eq!(
            Siret::from_first13("7328293210007"),
            Err(IdError::SirenInSiret)
        );
    }

    #[test]
    fn la_poste_uses_a_digit_sum() {
        // Head office: Luhn-valid (its digit sum, 26, is not a multiple of 5).
        assert!(Siret::parse("35600000000048").is_ok());
        // Establishments: digit sum a multiple of 5, not Luhn-valid.
        assert!(!luhn_valid("35600000049837"));
        assert!(Siret::parse("35600000049837").is_ok());
        assert!(Siret::parse("35600000000042").is_ok());
        assert_eq!(
            Siret::parse("35600000049838"),
            Err(IdError::Key(IdKind::Siret))
        );
        // Luhn-valid but digit sum (19) not a multiple of 5: refused for La Poste.
        assert!(luhn_valid("35600000000014"));
        assert_eq!(
            Siret::parse("35600000000014"),
            Err(IdError::Key(IdKind::Siret))
        );
        assert_eq!(
            Siret::from_first13("3560000000004")
                .expect("siret")
                .as_str(),
            "35600000000042"
        );
    }
}
