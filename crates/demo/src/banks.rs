//! Banks with their real French bank codes and BICs, and the bank details of the demo: valid
//! IBANs built by `relais_core` from a RIB, and the deliberately wrong ones.
//!
//! A wrong IBAN comes in two kinds that the checker must tell apart: wrong check digits (mod
//! 97), and right check digits over a RIB whose own key is wrong — the second passes a plain
//! ISO 13616 check and is only caught by the RIB key, as Hélios and the banks do.

use crate::rng::Rng;
use relais_core::ids::{Iban, IdError};
use std::io;

/// A bank: French bank code (code banque), BIC, weight among individuals.
#[derive(Debug, Clone, Copy)]
pub struct Bank {
    pub code: &'static str,
    pub bic: &'static str,
    pub weight: u32,
}

const fn b(code: &'static str, bic: &'static str, weight: u32) -> Bank {
    Bank { code, bic, weight }
}

/// Banks of individuals in Île-de-France, weighted by a rough market share.
pub const BANKS: &[Bank] = &[
    b("20041", "PSSTFRPPPAR", 180), // La Banque Postale
    b("18206", "AGRIFRPP882", 150), // Crédit Agricole Paris Île-de-France
    b("30003", "SOGEFRPPXXX", 120), // Société Générale
    b("30004", "BNPAFRPPXXX", 120), // BNP Paribas
    b("30002", "CRLYFRPPXXX", 100), // LCL
    b("17515", "CEPAFRPP751", 100), // Caisse d'Épargne Île-de-France
    b("10278", "CMCIFR2AXXX", 60),  // Crédit Mutuel
    b("10107", "BREDFRPPXXX", 50),  // BRED Banque Populaire
    b("10207", "CCBPFRPPMTG", 40),  // Banque Populaire Rives de Paris
    b("30066", "CMCIFRPPXXX", 30),  // CIC
    b("40618", "BOUSFRPPXXX", 30),  // Boursorama
    b("30006", "AGRIFRPPXXX", 8),   // Crédit Agricole SA
    b("11315", "CEPAFRPP131", 5),   // Caisse d'Épargne CEPAC
    b("13335", "CEPAFRPP333", 4),   // Caisse d'Épargne Aquitaine Poitou-Charentes
    b("14707", "CCBPFRPPMTZ", 3),   // Banque Populaire Alsace Lorraine Champagne
];

/// Public establishments (public EHPADs) hold their funds at the Banque de France, through the
/// Treasury (LOLF art. 26-3°).
pub const BANQUE_DE_FRANCE: Bank = b("30001", "BDFEFRPPCCT", 0);

/// Banks of neighbouring SEPA countries, for the rare payee with a foreign account:
/// (country, bank code, BIC).
const FOREIGN: &[(&str, &str, &str)] = &[
    ("BE", "001", "GEBABEBB"),
    ("BE", "310", "BBRUBEBB"),
    ("BE", "735", "KREDBEBB"),
    ("DE", "10070000", "DEUTDEBBXXX"),
    ("DE", "10040000", "COBADEFFXXX"),
    ("DE", "10010010", "PBNKDEFFXXX"),
];

/// Bank details as written in a file. `iban` and `bic` may be deliberately wrong.
#[derive(Debug, Clone)]
pub struct Account {
    pub iban: String,
    pub bic: &'static str,
}

/// What may be wrong with an account, for bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFlaw {
    /// IBAN check digits wrong (ISO 13616 mod 97).
    Mod97,
    /// IBAN check digits right, RIB key wrong.
    RibKey,
    /// BIC of 7 characters.
    Bic,
}

fn core_error(what: &str, e: IdError) -> io::Error {
    io::Error::other(format!("démo : {what} invalide ({e})"))
}

/// ISO 13616 mod 97 of `text` (digits and upper-case letters, A = 10 … Z = 35).
fn iso_mod97(text: &str) -> u32 {
    text.chars().fold(0u32, |acc, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 {
            (acc * 100 + v) % 97
        } else {
            (acc * 10 + v) % 97
        }
    })
}

/// The IBAN of `bban` with its check digits, without any national check. Needed for the one
/// IBAN `relais_core` rightly refuses to build: right mod 97 over a wrong RIB.
pub fn iban_with_check_digits(country: &str, bban: &str) -> String {
    let rest = iso_mod97(&format!("{bban}{country}00"));
    format!("{country}{:02}{bban}", 98 - rest)
}

/// A French account number: 11 digits; La Banque Postale's hold a letter (e.g.
/// `0412345K034`), which the RIB key counts by its own table.
fn account_number(rng: &mut Rng, bank: &Bank) -> String {
    let mut s = String::with_capacity(11);
    if bank.code == "20041" && rng.per_mille(500) {
        rng.digits(7, &mut s);
        s.push(char::from(b'A' + rng.below(26) as u8));
        s.push('0');
        rng.digits(2, &mut s);
    } else {
        s.push('0');
        rng.digits(10, &mut s);
    }
    s
}

/// A valid account at `bank`, or a deliberately wrong one.
pub fn french_account(
    rng: &mut Rng,
    bank: &Bank,
    flaw: Option<AccountFlaw>,
) -> io::Result<Account> {
    let mut branch = String::with_capacity(5);
    rng.digits(5, &mut branch);
    let account = account_number(rng, bank);
    let iban = Iban::from_french_rib(bank.code, &branch, &account)
        .map_err(|e| core_error("RIB", e))?
        .as_str()
        .to_owned();
    Ok(apply_flaw(iban, bank.bic, flaw))
}

/// A valid account in Belgium or Germany (a handful of payees), checked by `relais_core`.
pub fn foreign_account(rng: &mut Rng) -> io::Result<Account> {
    let (country, bank, bic) = rng.pick(FOREIGN);
    let mut bban = String::from(bank);
    if country == "BE" {
        rng.digits(7, &mut bban);
        // Belgian national check: the first 10 digits mod 97, 97 for 0.
        let n: u64 = bban.parse().unwrap_or(0);
        let key = match n % 97 {
            0 => 97,
            k => k,
        };
        bban.push_str(&format!("{key:02}"));
    } else {
        rng.digits(10, &mut bban);
    }
    let iban = iban_with_check_digits(country, &bban);
    let iban = Iban::parse(&iban)
        .map_err(|e| core_error("IBAN étranger", e))?
        .as_str()
        .to_owned();
    Ok(Account { iban, bic })
}

fn apply_flaw(iban: String, bic: &'static str, flaw: Option<AccountFlaw>) -> Account {
    match flaw {
        None => Account { iban, bic },
        Some(AccountFlaw::Mod97) => {
            // Other check digits: mod 97 fails, the RIB inside is intact. (01 and 98 would be
            // equivalent, hence a step of one, down from the top.)
            let check: u32 = iban.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(2);
            let wrong = if check < 97 { check + 1 } else { check - 1 };
            let country = iban.get(..2).unwrap_or("FR");
            let bban = iban.get(4..).unwrap_or("");
            Account {
                iban: format!("{country}{wrong:02}{bban}"),
                bic,
            }
        }
        Some(AccountFlaw::RibKey) => {
            let bban = iban.get(4..).unwrap_or("");
            let (head, key) = bban.split_at(bban.len().saturating_sub(2));
            let key: u32 = key.parse().unwrap_or(1);
            let wrong = key % 97 + 1;
            Account {
                iban: iban_with_check_digits("FR", &format!("{head}{wrong:02}")),
                bic,
            }
        }
        Some(AccountFlaw::Bic) => Account {
            iban,
            bic: bad_bic(bic),
        },
    }
}

/// A BIC cut to 7 characters (neither 8 nor 11).
fn bad_bic(bic: &'static str) -> &'static str {
    bic.get(..7).unwrap_or("BNPAFRP")
}

/// Draws a bank of individuals by weight.
pub fn draw_bank(rng: &mut Rng) -> &'static Bank {
    let total: u64 = BANKS.iter().map(|b| u64::from(b.weight)).sum();
    let mut x = rng.below(total);
    for bank in BANKS {
        if x < u64::from(bank.weight) {
            return bank;
        }
        x -= u64::from(bank.weight);
    }
    &BANKS[0]
}

/// IBAN in groups of four, as printed on a RIB (`FR76 3000 4000 …`): some exports keep it so.
pub fn grouped(iban: &str) -> String {
    let mut out = String::with_capacity(iban.len() + iban.len() / 4);
    for (i, c) in iban.chars().enumerate() {
        if i > 0 && i.is_multiple_of(4) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Aspect, Streams};
    use relais_core::ids::Bic;

    /// Checks that the BIC table is well formed, with `relais_core` (used by tests).
    pub fn all_bics_parse() -> Result<(), IdError> {
        for bank in BANKS.iter().chain([&BANQUE_DE_FRANCE]) {
            Bic::parse(bank.bic)?;
        }
        for (_, _, bic) in FOREIGN {
            Bic::parse(bic)?;
        }
        Ok(())
    }

    #[test]
    fn valid_and_wrong_accounts_are_told_apart_by_core() {
        all_bics_parse().expect("bics");
        let streams = Streams::new(1);
        let mut rng = streams.stream(Aspect::Bank, 0);
        for i in 0..200 {
            let bank = if i % 7 == 0 {
                &BANKS[0]
            } else {
                draw_bank(&mut rng)
            };
            let ok = french_account(&mut rng, bank, None).expect("account");
            assert!(Iban::parse(&ok.iban).is_ok(), "{}", ok.iban);
            assert!(Iban::parse(&grouped(&ok.iban)).is_ok());
            let m = french_account(&mut rng, bank, Some(AccountFlaw::Mod97)).expect("account");
            assert_eq!(
                Iban::parse(&m.iban),
                Err(IdError::Key(relais_core::ids::IdKind::Iban)),
                "{}",
                m.iban
            );
            let r = french_account(&mut rng, bank, Some(AccountFlaw::RibKey)).expect("account");
            assert_eq!(Iban::parse(&r.iban), Err(IdError::RibKey), "{}", r.iban);
            let b = french_account(&mut rng, bank, Some(AccountFlaw::Bic)).expect("account");
            assert!(Bic::parse(b.bic).is_err());
            let f = foreign_account(&mut rng).expect("foreign");
            assert!(Iban::parse(&f.iban).is_ok(), "{}", f.iban);
        }
    }

    #[test]
    fn known_iban() {
        // The example of the CLI tests: RIB 30006 00001 12345678901 key 89.
        let iban = Iban::from_french_rib("30006", "00001", "12345678901").expect("iban");
        assert_eq!(iban.as_str(), "FR7630006000011234567890189");
        assert_eq!(
            iban_with_check_digits("FR", "30006000011234567890189"),
            "FR7630006000011234567890189"
        );
    }
}
