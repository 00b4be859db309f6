//! The check digits some countries put inside the BBAN, on top of the IBAN's mod 97.
//!
//! An IBAN's check digits are computed over the whole account, so an account number with a
//! wrong national key (a typo made before the IBAN was computed, or a forged IBAN) still passes
//! mod 97; the paying bank then rejects the transfer. The rules are those python-stdnum
//! (`stdnum.iban` and its `be`, `es`, `me`, `no` modules) and schwifty (`schwifty.checksum`)
//! check; positions are 0-based in the BBAN, which the IBAN structure has already checked
//! (length, digits where digits are due). Germany's keys depend on each bank's method (the
//! Bundesbank's table, some 150 methods) and the Netherlands dropped theirs: neither is checked.
use super::{IdError, rib_key};

/// Checks the national key of `bban` for `country`; countries without one pass.
pub(super) fn check(country: &str, bban: &str) -> Result<(), IdError> {
    let ok = match country {
        // Banque de France: RIB key, 97 − (89·bank + 15·branch + 3·account) mod 97.
        "FR" | "MC" => {
            let key = part(bban, 21, 23).parse::<u8>().ok();
            if key.is_none()
                || rib_key(part(bban, 0, 5), part(bban, 5, 10), part(bban, 10, 21)) != key
            {
                return Err(IdError::RibKey);
            }
            true
        }
        "ES" => spanish_ccc(bban),
        "IT" | "SM" => italian_cin(part(bban, 1, 23)) == bban.chars().next(),
        // Bank and account (10 digits) mod 97, 97 for a remainder of 0.
        "BE" => {
            let rest = mod97(part(bban, 0, 10));
            Some(if rest == Some(0) {
                97
            } else {
                rest.unwrap_or(100)
            }) == number(part(bban, 10, 12))
        }
        // ISO 7064 mod 97-10 over the whole BBAN (schwifty's `iso7064_mod97_10`; stdnum.me.iban).
        "BA" | "ME" | "MK" | "PT" | "RS" | "SI" | "TL" => mod97(bban) == Some(1),
        // The variant whose key is 97 − r: the whole BBAN is a multiple of 97.
        "MR" | "TN" => mod97(bban) == Some(0),
        "NO" => norwegian_kontonr(bban),
        "FI" => luhn_valid(bban),
        "EE" => estonian(part(bban, 2, 15)) == digit_at(bban, 15),
        "PL" => weighted_key(part(bban, 0, 7), &[3, 9, 7, 1, 3, 9, 7]) == digit_at(bban, 7),
        "CZ" | "SK" => {
            weighted(part(bban, 4, 10), &[10, 5, 8, 4, 2, 1]).is_multiple_of(11)
                && weighted(part(bban, 10, 20), &[6, 3, 7, 9, 10, 5, 8, 4, 2, 1]).is_multiple_of(11)
        }
        "IS" => icelandic_kennitala(part(bban, 12, 22)),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(national_key_error(country))
    }
}

fn national_key_error(country: &str) -> IdError {
    let (name, name_en) = match country {
        "ES" => ("la clé CCC (Espagne)", "Spanish CCC check digits"),
        "IT" | "SM" => (
            "la lettre CIN (Italie, Saint-Marin)",
            "Italian CIN check letter",
        ),
        "BE" => ("la clé belge", "Belgian check digits"),
        "NO" => ("la clé norvégienne", "Norwegian check digit"),
        "FI" => ("la clé finlandaise (Luhn)", "Finnish check digit (Luhn)"),
        "EE" => ("la clé estonienne", "Estonian check digit"),
        "PL" => ("la clé polonaise", "Polish check digit"),
        "CZ" | "SK" => ("la clé tchèque ou slovaque", "Czech or Slovak check digits"),
        "IS" => (
            "la clé de la kennitala (Islande)",
            "Icelandic kennitala check digit",
        ),
        _ => ("la clé nationale", "national check digits"),
    };
    IdError::NationalKey { name, name_en }
}

fn part(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or("")
}

fn digits(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.chars().map(|c| c.to_digit(10).unwrap_or(0))
}

fn digit_at(s: &str, i: usize) -> Option<u32> {
    s.chars().nth(i).and_then(|c| c.to_digit(10))
}

fn number(s: &str) -> Option<u32> {
    s.parse().ok()
}

/// ISO 7064 mod 97 of digits and letters (A = 10 … Z = 35), digit by digit.
fn mod97(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |acc, c| {
        let v = c.to_digit(36)?;
        let acc = if v >= 10 { acc * 100 + v } else { acc * 10 + v };
        Some(acc % 97)
    })
}

fn weighted(s: &str, weights: &[u32]) -> u32 {
    digits(s).zip(weights).map(|(d, w)| d * w).sum()
}

/// The digit that makes the weighted sum a multiple of 10.
fn weighted_key(s: &str, weights: &[u32]) -> Option<u32> {
    Some((10 - weighted(s, weights) % 10) % 10)
}

fn luhn_valid(s: &str) -> bool {
    let sum: u32 = digits(s)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (1, d2) if d2 > 9 => d2 - 9,
            (1, d2) => d2,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Código Cuenta Corriente: bank and branch (8 digits), two keys, account (10 digits); each
/// key is 11 − (weighted sum mod 11), 10 read as 1 and 11 as 0.
fn spanish_ccc(bban: &str) -> bool {
    const WEIGHTS: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let key = |s: &str| match 11 - weighted(s, &WEIGHTS) % 11 {
        11 => 0,
        10 => 1,
        k => k,
    };
    let first = key(&format!("00{}", part(bban, 0, 8)));
    let second = key(part(bban, 10, 20));
    digit_at(bban, 8) == Some(first) && digit_at(bban, 9) == Some(second)
}

/// Codice di controllo interno (CIN): the letter of the 22 characters of ABI, CAB and account,
/// odd positions (1-based) through the table below, even ones as they are (digits as
/// themselves, letters A = 0 … Z = 25), sum mod 26.
fn italian_cin(rest: &str) -> Option<char> {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let mut sum = 0;
    for (i, c) in rest.chars().enumerate() {
        let v = match c {
            '0'..='9' => c.to_digit(10)?,
            'A'..='Z' => u32::from(c) - u32::from('A'),
            _ => return None,
        };
        sum += if i % 2 == 0 {
            *ODD.get(usize::try_from(v).ok()?)?
        } else {
            v
        };
    }
    char::from_u32(u32::from('A') + sum % 26)
}

/// Kontonummer (11 digits): mod 11 with weights 6, 7, 8, 9, 4, 5, 6, 7, 8, 9 equal to the
/// last digit; the old postal giro numbers (bank 0000) are 7 digits under Luhn.
fn norwegian_kontonr(bban: &str) -> bool {
    if let Some(giro) = bban.strip_prefix("0000") {
        return luhn_valid(giro);
    }
    let sum = weighted(part(bban, 0, 10), &[6, 7, 8, 9, 4, 5, 6, 7, 8, 9]) % 11;
    digit_at(bban, 10) == Some(sum)
}

/// Estonian account: weights 7, 3, 1 from the right, key completing the sum to a multiple of 10.
fn estonian(s: &str) -> Option<u32> {
    let sum: u32 = digits(s)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .zip([7, 3, 1].iter().cycle())
        .map(|(d, w)| d * w)
        .sum();
    Some((10 - sum % 10) % 10)
}

/// Icelandic BBANs end with the holder's kennitala: its 9th digit is 11 − (weighted sum of
/// the first 8 mod 11), 0 for 0; a remainder of 1 gives no valid kennitala.
fn icelandic_kennitala(id: &str) -> bool {
    let rest = weighted(id, &[3, 2, 7, 6, 5, 4, 3, 2]) % 11;
    let key = if rest == 0 { 0 } else { 11 - rest };
    digit_at(id, 8) == Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bban(iban: &str) -> (&str, &str) {
        (part(iban, 0, 2), iban.get(4..).unwrap_or(""))
    }

    #[test]
    fn published_examples_pass() {
        // Examples from the SWIFT IBAN registry and the national banks.
        for iban in [
            "FR1420041010050500013M02606",
            "ES9121000418450200051332",
            "IT60X0542811101000000123456",
            "SM86U0322509800000000270100",
            "BE68539007547034",
            "PT50000201231234567890154",
            "NO9386011117947",
            "FI2112345600000785",
            "EE382200221020145685",
            "PL61109010140000071219812874",
            "CZ6508000000192000145399",
            "SK3112000000198742637541",
            "IS140159260076545510730339",
            "BA391290079401028494",
            "ME25505000012345678951",
            "MK07250120000058984",
            "RS35260005601001611379",
            "SI56263300012039086",
            "TL380080012345678910157",
            "MR1300020001010000123456753",
            "TN5910006035183598478831",
            "DE89370400440532013000",
        ] {
            let (country, b) = bban(iban);
            assert_eq!(check(country, b), Ok(()), "{iban}");
        }
    }

    #[test]
    fn one_changed_key_digit_fails() {
        for (country, b) in [
            ("ES", "21000418460200051332"),
            ("IT", "Y0542811101000000123456"),
            ("BE", "539007547035"),
            ("PT", "000201231234567890155"),
            ("NO", "86011117948"),
            ("FI", "12345600000786"),
            ("EE", "2200221020145686"),
            ("PL", "109010150000071219812874"),
            ("CZ", "08000000192000145398"),
            ("IS", "0159260076545510730349"),
            ("ME", "505000012345678952"),
            ("TN", "10006035183598478832"),
        ] {
            assert!(
                matches!(check(country, b), Err(IdError::NationalKey { .. })),
                "{country} {b}"
            );
        }
        assert_eq!(check("FR", "20041010050500013M02607"), Err(IdError::RibKey));
    }

    #[test]
    fn messages_name_the_key() {
        let e = check("IT", "Y0542811101000000123456").expect_err("cin");
        assert_eq!(
            e.to_string(),
            "IBAN : la lettre CIN (Italie, Saint-Marin) du numéro de compte national est fausse ; \
             vérifiez le RIB ou l'IBAN fourni"
        );
        assert_eq!(
            e.message_en(),
            "IBAN: the Italian CIN check letter of the national account number is wrong"
        );
        assert_eq!(e.code(), "iban_cle_nationale");
    }

    #[test]
    fn norwegian_postal_giro_uses_luhn() {
        assert!(norwegian_kontonr("00001234566"));
        assert!(!norwegian_kontonr("00001234567"));
    }
}
