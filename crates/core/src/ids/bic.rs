//! BIC (ISO 9362, the SWIFT code of a bank): 4 letters for the bank, 2 letters for the country,
//! 2 letters or digits for the location, and an optional 3-character branch code.
use super::{IdError, IdKind, check_chars, compact};
use serde::{Deserialize, Serialize};

const KIND: IdKind = IdKind::Bic;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic(String);

impl Bic {
    pub fn parse(input: &str) -> Result<Bic, IdError> {
        let s = compact(input);
        if s.is_empty() {
            return Err(IdError::Empty(KIND));
        }
        check_chars(KIND, &s, |_, ch| ch.is_ascii_alphanumeric())?;
        let len = s.chars().count();
        if len != 8 && len != 11 {
            return Err(IdError::Length {
                kind: KIND,
                expected: "8 ou 11",
                found: len,
            });
        }
        // ISO 9362: bank code and ISO 3166 country code are letters.
        check_chars(KIND, &s, |pos, ch| pos > 6 || ch.is_ascii_uppercase())?;
        Ok(Bic(s))
    }

    /// Canonical form: compact, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code (positions 5 and 6).
    pub fn country(&self) -> &str {
        self.0.get(4..6).unwrap_or("")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_8_and_11_characters() {
        for (input, canonical) in [
            ("BNPAFRPP", "BNPAFRPP"),
            ("bnpafrppxxx", "BNPAFRPPXXX"),
            ("AGRI FR PP 882", "AGRIFRPP882"),
            ("PSSTFRPPSCE", "PSSTFRPPSCE"),
            ("DEUTDEFF", "DEUTDEFF"),
            ("CEPAFRPP1A0", "CEPAFRPP1A0"),
        ] {
            assert_eq!(Bic::parse(input).expect(input).as_str(), canonical);
        }
        assert_eq!(Bic::parse("BNPAFRPP").expect("bic").country(), "FR");
    }

    #[test]
    fn errors_with_positions() {
        assert_eq!(Bic::parse(""), Err(IdError::Empty(KIND)));
        assert_eq!(
            Bic::parse("BNPAFRP"),
            Err(IdError::Length {
                kind: KIND,
                expected: "8 ou 11",
                found: 7
            })
        );
        assert_eq!(
            Bic::parse("BNPAFRPP1"),
            Err(IdError::Length {
                kind: KIND,
                expected: "8 ou 11",
                found: 9
            })
        );
        assert_eq!(
            Bic::parse("BNP1FRPP"),
            Err(IdError::Character {
                kind: KIND,
                ch: '1',
                pos: 4
            })
        );
        assert_eq!(
            Bic::parse("BNPAF1PP"),
            Err(IdError::Character {
                kind: KIND,
                ch: '1',
                pos: 6
            })
        );
        assert_eq!(
            Bic::parse("BNPAFRPÉ"),
            Err(IdError::Character {
                kind: KIND,
                ch: 'É',
                pos: 8
            })
        );
    }
}
