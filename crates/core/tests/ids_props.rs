//! Property tests for identifiers: every typed form of a valid identifier reads back to the
//! same canonical value, and the typing errors each check digit scheme guarantees to catch are
//! caught.
//!
//! - ISO 7064 mod 97 (IBAN, NIR): every single-digit substitution and every transposition of two
//!   adjacent distinct digits changes the remainder (97 is prime and does not divide d·10^k or
//!   9·d·10^k for d < 10).
//! - Luhn (SIREN, SIRET): every single-digit substitution, and every adjacent transposition
//!   except 0↔9 (both contribute 0 and 9, doubled or not).

use proptest::prelude::*;
use proptest::sample::Index;
use relais_core::ids::{Bic, Iban, IdError, Nir, Siren, Siret};

/// Inserts separators a person might type (spaces, NBSP, dashes, dots) and lowers some letters.
fn noisy(canonical: &str, noise: &[(bool, u8)]) -> String {
    let mut out = String::from("  ");
    for (i, ch) in canonical.chars().enumerate() {
        let (lower, sep) = noise.get(i).copied().unwrap_or((false, 0));
        out.push(if lower { ch.to_ascii_lowercase() } else { ch });
        match sep % 8 {
            1 => out.push(' '),
            2 => out.push('\u{a0}'),
            3 => out.push('-'),
            4 => out.push('.'),
            5 => out.push('\u{202f}'),
            _ => {}
        }
    }
    out.push(' ');
    out
}

fn noise() -> impl Strategy<Value = Vec<(bool, u8)>> {
    proptest::collection::vec((any::<bool>(), any::<u8>()), 34)
}

/// `s` with the digit at byte `i` replaced by `d`; `None` when that is not a digit or is `d`.
fn substitute(s: &str, i: usize, d: u8) -> Option<String> {
    let mut bytes = s.as_bytes().to_vec();
    let b = bytes.get_mut(i)?;
    if !b.is_ascii_digit() || *b == b'0' + d {
        return None;
    }
    *b = b'0' + d;
    String::from_utf8(bytes).ok()
}

/// `s` with the bytes at `i` and `i + 1` swapped, when both are distinct digits and the swap
/// is not in `excluded`.
fn transpose(s: &str, i: usize, excluded: &[(u8, u8)]) -> Option<String> {
    let mut bytes = s.as_bytes().to_vec();
    let (a, b) = (*bytes.get(i)?, *bytes.get(i + 1)?);
    if !a.is_ascii_digit() || !b.is_ascii_digit() || a == b {
        return None;
    }
    if excluded.contains(&(a, b)) || excluded.contains(&(b, a)) {
        return None;
    }
    bytes.swap(i, i + 1);
    String::from_utf8(bytes).ok()
}

fn french_rib() -> impl Strategy<Value = (String, String, String)> {
    ("[0-9]{5}", "[0-9]{5}", "[0-9A-Z]{11}")
}

/// `digits` modulo 97.
fn mod97(digits: &str) -> u32 {
    digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .fold(0, |acc, d| (acc * 10 + d) % 97)
}

/// A Spanish CCC key: 11 − weighted sum mod 11, 10 read as 1 and 11 as 0.
fn ccc_key(digits: &str) -> u32 {
    let weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(weights)
        .map(|(d, w)| d * w)
        .sum();
    match 11 - sum % 11 {
        11 => 0,
        10 => 1,
        k => k,
    }
}

/// IBANs of several countries: French ones (with a RIB) and numeric BBANs elsewhere, with
/// their national keys (Belgian mod 97, Spanish CCC, Portuguese mod 97-10) where they have one.
fn any_iban() -> impl Strategy<Value = Iban> {
    prop_oneof![
        french_rib().prop_map(|(b, g, a)| Iban::from_french_rib(&b, &g, &a)),
        "[0-9]{18}".prop_map(|bban| Iban::from_country_bban("DE", &bban)),
        "[0-9]{16}".prop_map(|bban| Iban::from_country_bban("AT", &bban)),
        "[0-9]{10}".prop_map(|head| {
            let key = match mod97(&head) {
                0 => 97,
                k => k,
            };
            Iban::from_country_bban("BE", &format!("{head}{key:02}"))
        }),
        ("[0-9]{8}", "[0-9]{10}").prop_map(|(bank, account)| {
            let (k1, k2) = (ccc_key(&format!("00{bank}")), ccc_key(&account));
            Iban::from_country_bban("ES", &format!("{bank}{k1}{k2}{account}"))
        }),
        "[0-9]{19}".prop_map(|head| {
            let key = 98 - mod97(&format!("{head}00"));
            Iban::from_country_bban("PT", &format!("{head}{key:02}"))
        }),
    ]
    .prop_map(|r| r.expect("generated IBANs are valid"))
}

fn any_nir() -> impl Strategy<Value = Nir> {
    let sex = prop::sample::select(vec!['1', '2', '3', '4', '7', '8']);
    let month = prop_oneof![1u32..=12, 20u32..=42, 50u32..=99];
    let department = prop_oneof!["[0-9]{2}", Just("2A".to_owned()), Just("2B".to_owned())];
    (sex, 0u32..100, month, department, "[0-9]{3}", "[0-9]{3}").prop_map(
        |(sex, year, month, dept, commune, order)| {
            Nir::from_first13(&format!("{sex}{year:02}{month:02}{dept}{commune}{order}"))
                .expect("generated NIRs are valid")
        },
    )
}

const LA_POSTE: &str = "356000000";

proptest! {
    #[test]
    fn iban_typed_forms_read_back(iban in any_iban(), noise in noise()) {
        let typed = noisy(iban.as_str(), &noise);
        prop_assert_eq!(Iban::parse(&typed), Ok(iban.clone()));
        prop_assert_eq!(Iban::parse(&iban.display_grouped()), Ok(iban));
    }

    #[test]
    fn iban_single_substitution_is_caught(iban in any_iban(), i in any::<Index>(), d in 0u8..10) {
        let s = iban.as_str();
        if let Some(changed) = substitute(s, i.index(s.len()), d) {
            prop_assert!(Iban::parse(&changed).is_err(), "{} accepted", changed);
        }
    }

    #[test]
    fn iban_adjacent_transposition_is_caught(iban in any_iban(), i in any::<Index>()) {
        let s = iban.as_str();
        if let Some(changed) = transpose(s, i.index(s.len()), &[]) {
            prop_assert!(Iban::parse(&changed).is_err(), "{} accepted", changed);
        }
    }

    /// A naive check (mod 97 only) would accept these: the IBAN check digits are right for
    /// the account, but the RIB key inside it is not.
    #[test]
    fn french_iban_with_wrong_rib_key_is_refused(
        (bank, branch, account) in french_rib(),
        wrong in 0u8..100,
        monaco in any::<bool>(),
    ) {
        let key = relais_core::ids::rib_key(&bank, &branch, &account).expect("rib form");
        prop_assume!(wrong != key);
        let country = if monaco { "MC" } else { "FR" };
        let bban = format!("{bank}{branch}{account}{wrong:02}");
        prop_assert_eq!(Iban::from_country_bban(country, &bban), Err(IdError::RibKey));
        let good = format!("{bank}{branch}{account}{key:02}");
        prop_assert!(Iban::from_country_bban(country, &good).is_ok());
    }

    #[test]
    fn bic_typed_forms_read_back(
        bic in "[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?",
        noise in noise(),
    ) {
        let parsed = Bic::parse(&bic).expect("valid BIC");
        prop_assert_eq!(parsed.as_str(), bic.as_str());
        prop_assert_eq!(Bic::parse(&noisy(&bic, &noise)), Ok(parsed));
    }

    #[test]
    fn bic_digit_in_bank_or_country_is_located(
        bic in "[A-Z]{6}[A-Z0-9]{2}",
        i in 0usize..6,
        d in 0u8..10,
    ) {
        let mut chars: Vec<char> = bic.chars().collect();
        chars[i] = char::from(b'0' + d);
        let changed: String = chars.into_iter().collect();
        let expected = IdError::Character {
            kind: relais_core::ids::IdKind::Bic,
            ch: char::from(b'0' + d),
            pos: i + 1,
        };
        prop_assert_eq!(Bic::parse(&changed), Err(expected));
    }

    #[test]
    fn nir_typed_forms_read_back(nir in any_nir(), noise in noise()) {
        prop_assert_eq!(Nir::parse(&noisy(nir.as_str(), &noise)), Ok(nir));
    }

    #[test]
    fn nir_single_substitution_is_caught(nir in any_nir(), i in 0usize..15, d in 0u8..10) {
        if let Some(changed) = substitute(nir.as_str(), i, d) {
            prop_assert!(Nir::parse(&changed).is_err(), "{} accepted", changed);
        }
    }

    #[test]
    fn nir_adjacent_transposition_is_caught(nir in any_nir(), i in 0usize..14) {
        if let Some(changed) = transpose(nir.as_str(), i, &[]) {
            prop_assert!(Nir::parse(&changed).is_err(), "{} accepted", changed);
        }
    }

    #[test]
    fn siren_typed_forms_read_back(first8 in "[0-9]{8}", noise in noise()) {
        let siren = Siren::from_first8(&first8).expect("valid");
        prop_assert_eq!(Siren::parse(&noisy(siren.as_str(), &noise)), Ok(siren));
    }

    #[test]
    fn siren_errors_are_caught(first8 in "[0-9]{8}", i in 0usize..9, d in 0u8..10) {
        let siren = Siren::from_first8(&first8).expect("valid");
        if let Some(changed) = substitute(siren.as_str(), i, d) {
            prop_assert!(Siren::parse(&changed).is_err(), "{} accepted", changed);
        }
        // Luhn cannot see 0↔9: both weigh 0 and 9, doubled or not.
        if let Some(changed) = transpose(siren.as_str(), i, &[(b'0', b'9')]) {
            prop_assert!(Siren::parse(&changed).is_err(), "{} accepted", changed);
        }
    }

    #[test]
    fn siret_typed_forms_read_back(first8 in "[0-9]{8}", nic in "[0-9]{4}", noise in noise()) {
        let first13 = format!("{}{nic}", Siren::from_first8(&first8).expect("siren"));
        let siret = Siret::from_first13(&first13).expect("valid");
        prop_assert_eq!(siret.siren(), first13.get(..9).expect("9 digits"));
        prop_assert_eq!(Siret::parse(&noisy(siret.as_str(), &noise)), Ok(siret));
    }

    #[test]
    fn siret_errors_are_caught(first8 in "[0-9]{8}", nic in "[0-9]{4}", i in 0usize..14, d in 0u8..10) {
        let first13 = format!("{}{nic}", Siren::from_first8(&first8).expect("siren"));
        // La Poste's digit sum catches neither transpositions nor changes by 5.
        prop_assume!(!first13.starts_with(LA_POSTE));
        let siret = Siret::from_first13(&first13).expect("valid");
        let not_la_poste = |c: &String| !c.starts_with(LA_POSTE);
        if let Some(changed) = substitute(siret.as_str(), i, d).filter(not_la_poste) {
            prop_assert!(Siret::parse(&changed).is_err(), "{} accepted", changed);
        }
        if let Some(changed) = transpose(siret.as_str(), i, &[(b'0', b'9')]).filter(not_la_poste) {
            prop_assert!(Siret::parse(&changed).is_err(), "{} accepted", changed);
        }
    }

    #[test]
    fn la_poste_sirets_follow_the_digit_sum(rest in "[0-9]{4}") {
        let siret = Siret::from_first13(&format!("{LA_POSTE}{rest}")).expect("valid");
        let sum: u32 = siret.as_str().chars().filter_map(|c| c.to_digit(10)).sum();
        prop_assert_eq!(sum % 5, 0);
        prop_assert_eq!(Siret::parse(siret.as_str()), Ok(siret));
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}") {
        let _ = Iban::parse(&s);
        let _ = Bic::parse(&s);
        let _ = Nir::parse(&s);
        let _ = Nir::from_first13(&s);
        let _ = Siren::parse(&s);
        let _ = Siret::parse(&s);
        let _ = Siren::from_first8(&s);
        let _ = Siret::from_first13(&s);
        let _ = Iban::from_french_rib(&s, &s, &s);
    }

    #[test]
    fn parsers_never_panic_on_near_misses(s in "[0-9A-Za-z \\-]{0,40}") {
        let _ = Iban::parse(&format!("FR76{s}"));
        let _ = Nir::parse(&s);
        let _ = Bic::parse(&s);
        let _ = Siret::parse(&s);
    }
}
