//! IBAN (ISO 13616): country code, two check digits (mod 97), then the country's BBAN.
//!
//! The country lengths and structures and the mod-97 check come from the `iban_validate` crate
//! (plus Honduras and Pakistan, which it lacks). On top of it, the national key inside the BBAN
//! must be right where the country has one (`bban.rs`): the French RIB key in FR and MC IBANs,
//! the Italian CIN, the Spanish CCC keys… The IBAN check digits are computed over the whole
//! account (for the RIB, with letters counted 10 to 35, the key with letters counted 1 to 9),
//! so an IBAN can pass mod 97 and still carry a wrong national key, which the paying bank then
//! rejects.
use super::{IdError, IdKind, bban, check_chars, compact, rib_key};
use serde::{Deserialize, Serialize};

const KIND: IdKind = IdKind::Iban;

/// Countries whose BBAN is a French RIB (bank 5 digits, branch 5 digits, account 11, key 2).
/// The overseas departments and collectivities (GP, MQ, GF, RE, YT, PM, NC, PF, WF, BL, MF, TF)
/// are given FR IBANs; `iban_validate` does not know their own codes as IBAN countries.
const RIB_COUNTRIES: [&str; 2] = ["FR", "MC"];

/// IBAN lengths per country (ISO 13616 registry, as in `iban_validate` 5), used only to say
/// "length 26 instead of 27" rather than a vaguer structure error.
const LENGTHS: [(&str, &str); 89] = [
    ("AD", "24"),
    ("AE", "23"),
    ("AL", "28"),
    ("AT", "20"),
    ("AZ", "28"),
    ("BA", "20"),
    ("BE", "16"),
    ("BG", "22"),
    ("BH", "22"),
    ("BI", "27"),
    ("BR", "29"),
    ("BY", "28"),
    ("CH", "21"),
    ("CR", "22"),
    ("CY", "28"),
    ("CZ", "24"),
    ("DE", "22"),
    ("DJ", "27"),
    ("DK", "18"),
    ("DO", "28"),
    ("EE", "20"),
    ("EG", "29"),
    ("ES", "24"),
    ("FI", "18"),
    ("FK", "18"),
    ("FO", "18"),
    ("FR", "27"),
    ("GB", "22"),
    ("GE", "22"),
    ("GI", "23"),
    ("GL", "18"),
    ("GR", "27"),
    ("GT", "28"),
    ("HN", "28"),
    ("HR", "21"),
    ("HU", "28"),
    ("IE", "22"),
    ("IL", "23"),
    ("IQ", "23"),
    ("IS", "26"),
    ("IT", "27"),
    ("JO", "30"),
    ("KW", "30"),
    ("KZ", "20"),
    ("LB", "28"),
    ("LC", "32"),
    ("LI", "21"),
    ("LT", "20"),
    ("LU", "20"),
    ("LV", "21"),
    ("LY", "25"),
    ("MC", "27"),
    ("MD", "24"),
    ("ME", "22"),
    ("MK", "19"),
    ("MN", "20"),
    ("MR", "27"),
    ("MT", "31"),
    ("MU", "30"),
    ("NI", "28"),
    ("NL", "18"),
    ("NO", "15"),
    ("OM", "23"),
    ("PK", "24"),
    ("PL", "28"),
    ("PS", "29"),
    ("PT", "25"),
    ("QA", "29"),
    ("RO", "24"),
    ("RS", "22"),
    ("RU", "33"),
    ("SA", "24"),
    ("SC", "31"),
    ("SD", "18"),
    ("SE", "24"),
    ("SI", "19"),
    ("SK", "24"),
    ("SM", "27"),
    ("SO", "23"),
    ("ST", "25"),
    ("SV", "28"),
    ("TL", "23"),
    ("TN", "24"),
    ("TR", "26"),
    ("UA", "29"),
    ("VA", "22"),
    ("VG", "24"),
    ("XK", "20"),
    ("YE", "30"),
];

fn expected_length(country: &str) -> Option<&'static str> {
    LENGTHS
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, len)| *len)
}

/// Registry countries `iban_validate` 5 does not know, with their BBAN structure (SWIFT IBAN
/// registry: Honduras 4!a20!n, Pakistan 4!a16!c; python-stdnum knows both).
const EXTRA_COUNTRIES: [(&str, usize); 2] = [("HN", 4), ("PK", 4)];

/// Mod 97 and structure of an IBAN of `EXTRA_COUNTRIES` (length already checked): a bank code
/// of letters, then digits (HN) or digits and letters (PK).
fn extra_country(s: &str) -> Result<(), IdError> {
    let country = s.get(..2).unwrap_or("");
    let Some(&(_, letters)) = EXTRA_COUNTRIES.iter().find(|(c, _)| *c == country) else {
        return Err(unknown_country());
    };
    let bban = s.get(4..).unwrap_or("");
    let structure = bban
        .chars()
        .enumerate()
        .all(|(i, c)| match (i < letters, country) {
            (true, _) => c.is_ascii_uppercase(),
            (false, "HN") => c.is_ascii_digit(),
            (false, _) => c.is_ascii_alphanumeric(),
        });
    if !structure {
        return Err(structure_error());
    }
    let check = s.get(..4).unwrap_or("");
    if iso_mod97(&format!("{bban}{check}")) != Some(1) {
        return Err(IdError::Key(KIND));
    }
    Ok(())
}

fn structure_error() -> IdError {
    IdError::Format {
        kind: KIND,
        reason: "la partie compte ne suit pas le format du pays",
        reason_en: "the account part does not follow the country's format",
    }
}

fn unknown_country() -> IdError {
    IdError::Format {
        kind: KIND,
        reason: "code pays inconnu (les 2 premières lettres, FR pour la France)",
        reason_en: "unknown country code (the first 2 letters, FR for France)",
    }
}

/// ISO 13616 mod 97 of `text` (digits and upper-case letters, letters counted A = 10 … Z = 35),
/// digit by digit.
fn iso_mod97(text: &str) -> Option<u32> {
    text.chars().try_fold(0u32, |acc, c| {
        let v = c.to_digit(36)?;
        let acc = if v >= 10 { acc * 100 + v } else { acc * 10 + v };
        Some(acc % 97)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, IdError> {
        let s = compact(input);
        if s.is_empty() {
            return Err(IdError::Empty(KIND));
        }
        // ISO 13616: two letters, two digits, then letters and digits only.
        check_chars(KIND, &s, |pos, ch| match pos {
            1 | 2 => ch.is_ascii_uppercase(),
            3 | 4 => ch.is_ascii_digit(),
            _ => ch.is_ascii_alphanumeric(),
        })?;
        let country = s.get(..2).unwrap_or("");
        let expected = expected_length(country).ok_or_else(unknown_country)?;
        if expected.parse::<usize>().ok() != Some(s.len()) {
            return Err(IdError::Length {
                kind: KIND,
                expected,
                found: s.chars().count(),
            });
        }
        if RIB_COUNTRIES.contains(&country) {
            // Bank, branch and key are digits in a RIB; only the account may hold letters.
            check_chars(KIND, &s, |pos, ch| match pos {
                5..=14 | 26..=27 => ch.is_ascii_digit(),
                _ => true,
            })?;
        }
        match s.parse::<iban::Iban>() {
            Ok(_) => {}
            Err(iban::ParseIbanError::InvalidBaseIban {
                source: iban::ParseBaseIbanError::InvalidChecksum,
            }) => return Err(IdError::Key(KIND)),
            Err(iban::ParseIbanError::UnknownCountry(_)) => extra_country(&s)?,
            Err(_) => return Err(structure_error()),
        }
        bban::check(country, s.get(4..).unwrap_or(""))?;
        Ok(Iban(s))
    }

    /// Canonical form: compact, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The IBAN of a country's BBAN, computing the check digits (ISO 13616: 98 − mod 97 of
    /// BBAN + country + "00"). The result is then checked like any input.
    pub fn from_country_bban(country: &str, bban: &str) -> Result<Iban, IdError> {
        let country = compact(country);
        let bban = compact(bban);
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(unknown_country());
        }
        check_chars(KIND, &bban, |_, ch| ch.is_ascii_alphanumeric()).map_err(|e| match e {
            // Positions in the IBAN, where the BBAN starts at 5.
            IdError::Character { kind, ch, pos } => IdError::Character {
                kind,
                ch,
                pos: pos + 4,
            },
            other => other,
        })?;
        let rest = iso_mod97(&format!("{bban}{country}00")).ok_or(IdError::Key(KIND))?;
        Iban::parse(&format!("{country}{:02}{bban}", 98 - rest))
    }

    /// The French IBAN of a RIB (bank code 5 digits, branch code 5 digits, account number 11
    /// characters), computing the RIB key and the IBAN check digits. For test and demo data.
    pub fn from_french_rib(bank: &str, branch: &str, account: &str) -> Result<Iban, IdError> {
        let (bank, branch, account) = (compact(bank), compact(branch), compact(account));
        let digits5 = |s: &str| s.len() == 5 && s.chars().all(|c| c.is_ascii_digit());
        if !digits5(&bank) {
            return Err(IdError::Format {
                kind: KIND,
                reason: "code banque : 5 chiffres attendus",
                reason_en: "bank code: 5 digits expected",
            });
        }
        if !digits5(&branch) {
            return Err(IdError::Format {
                kind: KIND,
                reason: "code guichet : 5 chiffres attendus",
                reason_en: "branch code: 5 digits expected",
            });
        }
        let key = rib_key(&bank, &branch, &account).ok_or(IdError::Format {
            kind: KIND,
            reason: "numéro de compte : 11 chiffres ou lettres attendus",
            reason_en: "account number: 11 digits or letters expected",
        })?;
        Iban::from_country_bban("FR", &format!("{bank}{branch}{account}{key:02}"))
    }

    /// Two-letter country code.
    pub fn country(&self) -> &str {
        self.0.get(..2).unwrap_or("")
    }

    /// Whether SEPA credit transfers reach this account's country (EPC409-09, the SEPA
    /// schemes' geographical scope): the EU and EEA, and AD, AL, CH, GB, GI, MC, MD, ME, MK,
    /// SM, VA. French overseas departments and collectivities use FR IBANs; Jersey, Guernsey
    /// and Man use GB ones.
    pub fn in_sepa_area(&self) -> bool {
        SEPA_COUNTRIES.contains(&self.country())
    }

    /// The paper form, in groups of four: `FR76 3000 6000 0112 3456 7890 189`.
    pub fn display_grouped(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + self.0.len() / 4);
        for (i, ch) in self.0.chars().enumerate() {
            if i > 0 && i.is_multiple_of(4) {
                out.push(' ');
            }
            out.push(ch);
        }
        out
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

/// Countries whose IBANs SEPA credit transfers reach (see [`Iban::in_sepa_area`]).
const SEPA_COUNTRIES: &[&str] = &[
    "AD", "AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI",
    "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL",
    "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Iban::parse(s).expect(s).as_str().to_owned()
    }

    #[test]
    fn accepts_real_format_ibans() {
        for s in [
            "FR7630006000011234567890189",
            "FR1420041010050500013M02606",
            "MC5811222000010123456789030",
            "MC5810096180790123456789085",
            "DE89370400440532013000",
            "BE68539007547034",
        ] {
            assert_eq!(ok(s), s);
        }
    }

    #[test]
    fn typed_forms_are_canonicalised() {
        let canonical = "FR7630006000011234567890189";
        assert_eq!(ok("FR76 3000 6000 0112 3456 7890 189"), canonical);
        assert_eq!(ok(" fr76-3000-6000-0112-3456-7890-189 "), canonical);
        assert_eq!(
            ok("FR76\u{a0}3000\u{202f}6000.0112 3456\t7890 189"),
            canonical
        );
        assert_eq!(
            ok("fr1420041010050500013m02606"),
            "FR1420041010050500013M02606"
        );
    }

    #[test]
    fn grouped_display_and_country() {
        let iban = Iban::parse("FR7630006000011234567890189").expect("valid");
        assert_eq!(iban.display_grouped(), "FR76 3000 6000 0112 3456 7890 189");
        assert_eq!(iban.country(), "FR");
        let be = Iban::parse("BE68539007547034").expect("valid");
        assert_eq!(be.display_grouped(), "BE68 5390 0754 7034");
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(Iban::parse(" - "), Err(IdError::Empty(KIND)));
        assert_eq!(
            Iban::parse("FR763000600001123456789018"),
            Err(IdError::Length {
                kind: KIND,
                expected: "27",
                found: 26
            })
        );
        assert_eq!(
            Iban::parse("FR76300060000112345678901899"),
            Err(IdError::Length {
                kind: KIND,
                expected: "27",
                found: 28
            })
        );
        assert_eq!(
            Iban::parse("FR76 3000 6000 0112 3456 7890 18*"),
            Err(IdError::Character {
                kind: KIND,
                ch: '*',
                pos: 27
            })
        );
        assert_eq!(
            Iban::parse("7630006000011234567890189"),
            Err(IdError::Character {
                kind: KIND,
                ch: '7',
                pos: 1
            })
        );
        assert_eq!(
            Iban::parse("FRX630006000011234567890189"),
            Err(IdError::Character {
                kind: KIND,
                ch: 'X',
                pos: 3
            })
        );
        // Letter O typed for a zero in the bank code.
        assert_eq!(
            Iban::parse("FR763OOO6000011234567890189"),
            Err(IdError::Character {
                kind: KIND,
                ch: 'O',
                pos: 6
            })
        );
        assert_eq!(
            Iban::parse("FR7730006000011234567890189"),
            Err(IdError::Key(KIND))
        );
        assert_eq!(
            Iban::parse("DE88370400440532013000"),
            Err(IdError::Key(KIND))
        );
        assert_eq!(
            Iban::parse("ZZ89370400440532013000").map_err(|e| e.code()),
            Err("id_format")
        );
        // DE BBAN is 18 digits: a letter in it is a structure error.
        let de_letter = Iban::from_country_bban("DE", "37040044053201300A");
        assert_eq!(de_letter.map_err(|e| e.code()), Err("id_format"));
    }

    #[test]
    fn wrong_rib_key_with_good_mod97_is_rejected() {
        // Same RIB as FR7630006000011234567890189 with key 88 instead of 89, IBAN check digits
        // recomputed so that mod 97 passes: only the RIB key check catches it.
        let forged = Iban::from_country_bban("FR", "30006000011234567890188");
        assert_eq!(forged, Err(IdError::RibKey));
        let bban = "30006000011234567890188";
        let rest = iso_mod97(&format!("{bban}FR00")).expect("digits");
        let text = format!("FR{:02}{bban}", 98 - rest);
        assert!(text.parse::<iban::Iban>().is_ok(), "mod 97 passes");
        assert_eq!(Iban::parse(&text), Err(IdError::RibKey));
        // Monaco embeds a RIB too.
        let mc = Iban::from_country_bban("MC", "11222000010123456789031");
        assert_eq!(mc, Err(IdError::RibKey));
        // Letters: M counts 4 in the RIB key but 22 in mod 97.
        let letter = Iban::from_country_bban("FR", "20041010050500013M02607");
        assert_eq!(letter, Err(IdError::RibKey));
    }

    #[test]
    fn builds_from_a_french_rib() {
        let iban = Iban::from_french_rib("30006", "00001", "12345678901").expect("rib");
        assert_eq!(iban.as_str(), "FR7630006000011234567890189");
        let iban = Iban::from_french_rib("20041", "01005", "0500013m026").expect("rib");
        assert_eq!(iban.as_str(), "FR1420041010050500013M02606");
        assert_eq!(
            Iban::from_french_rib("3000", "00001", "12345678901").map_err(|e| e.code()),
            Err("id_format")
        );
        assert_eq!(
            Iban::from_french_rib("30006", "00001", "1234567890").map_err(|e| e.code()),
            Err("id_format")
        );
    }

    #[test]
    fn length_table_matches_iban_validate() {
        for (country, len) in LENGTHS {
            let len: usize = len.parse().expect("number");
            let bban = "0".repeat(len - 4);
            let rest = iso_mod97(&format!("{bban}{country}00")).expect("digits");
            let text = format!("{country}{:02}{bban}", 98 - rest);
            let extra = EXTRA_COUNTRIES.iter().any(|(c, _)| *c == country);
            match text.parse::<iban::Iban>() {
                // If iban_validate learns them, EXTRA_COUNTRIES can go.
                Err(iban::ParseIbanError::UnknownCountry(_)) if extra => {}
                Ok(_) | Err(iban::ParseIbanError::InvalidBban(_)) if !extra => {}
                Err(e) => panic!("{country}: {e:?}"),
                Ok(_) => panic!("{country}: iban_validate knows it now"),
            }
        }
    }

    /// An IBAN whose mod 97 is made right over `bban`, whatever its national key.
    fn with_good_mod97(country: &str, bban: &str) -> String {
        let rest = iso_mod97(&format!("{bban}{country}00")).expect("digits");
        let text = format!("{country}{:02}{bban}", 98 - rest);
        assert!(text.parse::<iban::Iban>().is_ok(), "mod 97 passes: {text}");
        text
    }

    #[test]
    fn wrong_national_keys_with_good_mod97_are_rejected() {
        // Italy: CIN X is right for this account; Y passes mod 97 once the IBAN digits are
        // recomputed, and only the CIN check catches it.
        assert_eq!(
            ok("IT60X0542811101000000123456"),
            "IT60X0542811101000000123456"
        );
        for (country, bban) in [
            ("IT", "Y0542811101000000123456"),
            ("SM", "V0322509800000000270100"),
            ("ES", "21000418460200051332"),
            ("BE", "539007547035"),
            ("PT", "000201231234567890155"),
            ("NO", "86011117948"),
            ("FI", "12345600000786"),
        ] {
            let text = with_good_mod97(country, bban);
            assert!(
                matches!(Iban::parse(&text), Err(IdError::NationalKey { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn countries_iban_validate_lacks() {
        assert_eq!(
            ok("HN88CABF00000000000250005469"),
            "HN88CABF00000000000250005469"
        );
        assert_eq!(
            ok("pk36 scbl 0000 0011 2345 6702"),
            "PK36SCBL0000001123456702"
        );
        assert_eq!(
            Iban::parse("HN89CABF00000000000250005469"),
            Err(IdError::Key(KIND))
        );
        let bban = "CABF0000000000025000546A";
        let rest = iso_mod97(&format!("{bban}HN00")).expect("digits");
        let letter = format!("HN{:02}{bban}", 98 - rest);
        assert_eq!(Iban::parse(&letter).map_err(|e| e.code()), Err("id_format"));
        assert_eq!(
            Iban::parse("HN88CABF0000000000025000546"),
            Err(IdError::Length {
                kind: KIND,
                expected: "28",
                found: 27
            })
        );
    }

    #[test]
    fn overseas_codes_are_not_iban_countries() {
        // They bank with FR IBANs; if iban_validate ever learns them, RIB_COUNTRIES must too.
        for country in [
            "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF", "BL", "MF", "TF",
        ] {
            assert_eq!(
                Iban::from_country_bban(country, "30006000011234567890188"),
                Err(unknown_country()),
                "{country}"
            );
        }
    }
}
