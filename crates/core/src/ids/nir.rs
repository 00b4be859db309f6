//! NIR, the social security number (INSEE): sex, year and month of birth, department,
//! commune (or country for people born abroad, department 99), order number, and a 2-digit key
//! = 97 − (the 13-digit number mod 97), with Corsica's 2A and 2B counted as 19 and 18.
//!
//! Layout (1-based positions): 1 sex, 2-3 year, 4-5 month, 6-7 department, 8-10 commune,
//! 11-13 order, 14-15 key. Overseas departments use 3 digits for the department (971…976) and
//! 2 for the commune, which is still 5 digits at positions 6-10.
use super::{IdError, IdKind, check_chars, compact};
use serde::{Deserialize, Serialize};

const KIND: IdKind = IdKind::Nir;

fn format_error(reason: &'static str, reason_en: &'static str) -> IdError {
    IdError::Format {
        kind: KIND,
        reason,
        reason_en,
    }
}

/// Digits everywhere, except the letter of Corsica's 2A/2B at position 7.
fn allowed(pos: usize, ch: char) -> bool {
    ch.is_ascii_digit() || (pos == 7 && matches!(ch, 'A' | 'B'))
}

/// Checks the structure of the 13 characters before the key and gives the number the key is
/// computed on.
fn body_number(body: &str) -> Result<u64, IdError> {
    let b = body.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(b'0');
    let digit = |i: usize| char::from(at(i)).to_digit(10).unwrap_or(0);
    let two = |i: usize| digit(i) * 10 + digit(i + 1);
    // INSEE: 1 and 2 for men and women; 3 and 4 for people born abroad being registered; 7
    // and 8 for temporary numbers (NIA).
    if !matches!(at(0), b'1'..=b'4' | b'7' | b'8') {
        return Err(format_error(
            "1er chiffre (sexe) : 1, 2, 3, 4, 7 ou 8 attendu",
            "first digit (sex): 1, 2, 3, 4, 7 or 8 expected",
        ));
    }
    // INSEE: 01-12 for a known month; 20 and 30-42 for unknown months or some registrations
    // from documents; 50-99 for numbers assigned to people registered without a birth record.
    if !matches!(two(3), 1..=12 | 20..=42 | 50..=99) {
        return Err(format_error(
            "mois de naissance (positions 4-5) impossible",
            "impossible month of birth (positions 4-5)",
        ));
    }
    let corsica = at(6).is_ascii_alphabetic();
    if corsica && at(5) != b'2' {
        return Err(format_error(
            "département (positions 6-7) : seuls 2A et 2B contiennent une lettre",
            "department (positions 6-7): only 2A and 2B contain a letter",
        ));
    }
    // INSEE: for the key, 2A is read as 19 and 2B as 18.
    let digits: String = match (corsica, at(6)) {
        (true, b'A') => body.replacen("2A", "19", 1),
        (true, _) => body.replacen("2B", "18", 1),
        (false, _) => body.to_owned(),
    };
    digits
        .parse::<u64>()
        .map_err(|_| format_error("numéro illisible", "unreadable number"))
}

fn key_of(number: u64) -> u64 {
    97 - number % 97
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nir(String);

impl Nir {
    pub fn parse(input: &str) -> Result<Nir, IdError> {
        let s = compact(input);
        if s.is_empty() {
            return Err(IdError::Empty(KIND));
        }
        check_chars(KIND, &s, allowed)?;
        if s.len() != 15 {
            return Err(IdError::Length {
                kind: KIND,
                expected: "15",
                found: s.chars().count(),
            });
        }
        let (body, key) = s.split_at_checked(13).ok_or(IdError::Key(KIND))?;
        let number = body_number(body)?;
        if key.parse::<u64>().ok() != Some(key_of(number)) {
            return Err(IdError::Key(KIND));
        }
        Ok(Nir(s))
    }

    /// Canonical form: compact, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The NIR whose first 13 characters are `first13` (2A/2B allowed), with its key computed.
    /// For test and demo data.
    pub fn from_first13(first13: &str) -> Result<Nir, IdError> {
        let s = compact(first13);
        if s.is_empty() {
            return Err(IdError::Empty(KIND));
        }
        check_chars(KIND, &s, allowed)?;
        if s.len() != 13 {
            return Err(IdError::Length {
                kind: KIND,
                expected: "13",
                found: s.chars().count(),
            });
        }
        let key = key_of(body_number(&s)?);
        Ok(Nir(format!("{s}{key:02}")))
    }

    /// The key (positions 14-15).
    pub fn key(&self) -> &str {
        self.0.get(13..).unwrap_or("")
    }

    /// The civility its first digit tells (INSEE: odd for men, even for women — 1 and 2,
    /// 3 and 4 born abroad being registered, 7 and 8 temporary numbers): `M` or `MME`, as
    /// the PES `Civilite` of a person is written.
    pub fn civility(&self) -> &'static str {
        match self.0.as_bytes().first() {
            Some(b'1' | b'3' | b'7') => "M",
            _ => "MME",
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Nir::parse(s).expect(s).as_str().to_owned()
    }

    #[test]
    fn accepts_valid_numbers() {
        assert_eq!(ok("1 85 05 78 006 048 30"), "185057800604830");
        assert_eq!(ok("2-93-01-20-123-456-82"), "293012012345682");
        // Corsica: 2A counts as 19, 2B as 18 (key 01 here).
        assert_eq!(ok("1 85 05 2a 006 048 71"), "185052A00604871");
        assert_eq!(ok("185052B00604801"), "185052B00604801");
        // Born abroad: department 99, country code 350 (Morocco).
        assert_eq!(ok("1 68 09 99 350 123 53"), "168099935012353");
        // Overseas: department 972 (Martinique), commune 09.
        assert_eq!(ok("2 85 03 972 09 011 75"), "285039720901175");
        // Unknown month (20) and temporary number (sex 7).
        assert!(Nir::from_first13("1852099350123").is_ok());
        assert!(Nir::from_first13("7850599350123").is_ok());
    }

    #[test]
    fn computes_the_key() {
        assert_eq!(
            Nir::from_first13("1 85 05 78 006 048")
                .expect("nir")
                .as_str(),
            "185057800604830"
        );
        let corsica = Nir::from_first13("185052B006048").expect("nir");
        assert_eq!(corsica.key(), "01");
        // 2A and 19 give the same key: the rule is to read 2A as 19.
        assert_eq!(
            Nir::from_first13("185052A006048").expect("nir").key(),
            Nir::from_first13("1850519006048").expect("nir").key()
        );
    }

    #[test]
    fn key_97_when_the_number_is_a_multiple_of_97() {
        // 1850578006048 + r ≡ 0 (mod 97) for some r < 97 in the order number.
        let nir = (0..1000)
            .filter_map(|order| Nir::from_first13(&format!("18505780{order:03}00")).ok())
            .find(|n| n.key() == "97")
            .expect("a multiple of 97 in range");
        assert!(Nir::parse(nir.as_str()).is_ok());
    }

    #[test]
    fn errors() {
        assert_eq!(Nir::parse("  "), Err(IdError::Empty(KIND)));
        assert_eq!(
            Nir::parse("1850578006048"),
            Err(IdError::Length {
                kind: KIND,
                expected: "15",
                found: 13
            })
        );
        assert_eq!(
            Nir::parse("18505780060483X"),
            Err(IdError::Character {
                kind: KIND,
                ch: 'X',
                pos: 15
            })
        );
        assert_eq!(
            Nir::parse("1850A7800604830"),
            Err(IdError::Character {
                kind: KIND,
                ch: 'A',
                pos: 5
            })
        );
        assert_eq!(Nir::parse("185057800604831"), Err(IdError::Key(KIND)));
        assert_eq!(Nir::parse("185057800604800"), Err(IdError::Key(KIND)));
        let code = |s: &str| Nir::parse(s).map_err(|e| e.code());
        // Sex 5, month 13, month 00, month 45, 3A.
        assert_eq!(code("585057800604830"), Err("id_format"));
        assert_eq!(code("185137800604830"), Err("id_format"));
        assert_eq!(code("185007800604830"), Err("id_format"));
        assert_eq!(code("185457800604830"), Err("id_format"));
        assert_eq!(code("185053A00604830"), Err("id_format"));
        assert_eq!(
            Nir::from_first13("18505780060"),
            Err(IdError::Length {
                kind: KIND,
                expected: "13",
                found: 11
            })
        );
    }
}
