//! The parsers of typed fields, as `Checker::req` and `Checker::opt` take them: each reads a
//! trimmed, non-empty value (and the field's name, for messages) and gives the type or a
//! `FieldError` with its code.

use crate::extract::messages::{self, FieldError};
use crate::extract::values;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::{Month, parse_date};
use relais_core::ids::{Bic, Iban, Nir, Siret};
use relais_core::records::{Benefit, LegalForm, PayeeKind, RightStatus};

pub(super) fn date(field: &str, v: &str) -> Result<Date, FieldError> {
    if let Some(d) = quick_date(v) {
        return Ok(d);
    }
    parse_date(v).map_err(|e| messages::date(field, &e))
}

/// `dd/mm/yyyy` and `yyyy-mm-dd` exactly, the forms of nearly every export, read without
/// the general parser's allocations (millions of dates per import). Anything else, an
/// impossible date included, goes to `calendar::parse_date`, which has the last word.
fn quick_date(v: &str) -> Option<Date> {
    let b = v.as_bytes();
    if b.len() != 10 {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i16> {
        b.get(from..to)?.iter().try_fold(0i16, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i16::from(c - b'0'))
        })
    };
    let (year, month, day) = match (b.get(2), b.get(4), b.get(5), b.get(7)) {
        (Some(b'/'), _, Some(b'/'), _) => (number(6, 10)?, number(3, 5)?, number(0, 2)?),
        (_, Some(b'-'), _, Some(b'-')) => (number(0, 4)?, number(5, 7)?, number(8, 10)?),
        _ => return None,
    };
    if year == 0 {
        return None;
    }
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

pub(super) fn month(field: &str, v: &str) -> Result<Month, FieldError> {
    Month::parse(v).map_err(|e| messages::date(field, &e))
}

pub(super) fn amount(field: &str, v: &str) -> Result<Cents, FieldError> {
    Cents::parse(v).map_err(|e| messages::money(field, &e))
}

/// An amount to pay: zero is allowed, a negative amount is not.
pub(super) fn non_negative(field: &str, v: &str) -> Result<Cents, FieldError> {
    let c = amount(field, v)?;
    if c.is_negative() {
        return Err(messages::negative(field, v, false));
    }
    Ok(c)
}

/// A monthly right: a right of zero is not paid, so it is no right to pay.
pub(super) fn positive(field: &str, v: &str) -> Result<Cents, FieldError> {
    let c = amount(field, v)?;
    if c <= Cents::ZERO {
        return Err(messages::negative(field, v, true));
    }
    Ok(c)
}

pub(super) fn iban(field: &str, v: &str) -> Result<Iban, FieldError> {
    Iban::parse(v).map_err(|e| messages::identifier(field, v, &e))
}

pub(super) fn bic(field: &str, v: &str) -> Result<Bic, FieldError> {
    Bic::parse(v).map_err(|e| messages::identifier(field, v, &e))
}

pub(super) fn nir(field: &str, v: &str) -> Result<Nir, FieldError> {
    Nir::parse(v).map_err(|e| messages::identifier(field, v, &e))
}

pub(super) fn siret(field: &str, v: &str) -> Result<Siret, FieldError> {
    Siret::parse(v).map_err(|e| messages::identifier(field, v, &e))
}

pub(super) fn rate(field: &str, v: &str) -> Result<relais_core::payroll::Rate, FieldError> {
    relais_core::payroll::Rate::parse(v).ok_or_else(|| messages::rate(field, v))
}

/// A budget account or function: digits only (`6411`, `020`), at most ten.
pub(super) fn budget_code(field: &str, v: &str) -> Result<String, FieldError> {
    let t = v.trim();
    if t.is_empty() || t.len() > 10 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(messages::budget_code(field, v));
    }
    Ok(t.to_owned())
}

pub(super) fn postal(_: &str, v: &str) -> Result<String, FieldError> {
    values::postal_code(v)
}

// The enums' own parsers fold case and accents, which allocates; exports nearly always
// carry the exact code, so that is tried first.

pub(super) fn benefit(field: &str, v: &str) -> Result<Benefit, FieldError> {
    if let Some(b) = Benefit::ALL.into_iter().find(|b| b.code() == v) {
        return Ok(b);
    }
    let codes: Vec<&str> = Benefit::ALL.iter().map(|b| b.code()).collect();
    Benefit::parse(v).ok_or_else(|| messages::unknown_value(field, v, &codes))
}

pub(super) fn payee_kind(field: &str, v: &str) -> Result<PayeeKind, FieldError> {
    if let Some(k) = PayeeKind::ALL.into_iter().find(|k| k.code() == v) {
        return Ok(k);
    }
    let codes: Vec<&str> = PayeeKind::ALL.iter().map(|k| k.code()).collect();
    // The CAF is a payee of the settings, not of `tiers.csv`.
    PayeeKind::parse(v)
        .filter(|k| PayeeKind::ALL.contains(k))
        .ok_or_else(|| messages::unknown_value(field, v, &codes))
}

pub(super) fn legal_form(field: &str, v: &str) -> Result<LegalForm, FieldError> {
    let codes: Vec<&str> = LegalForm::ALL.iter().map(|k| k.code()).collect();
    LegalForm::parse(v).ok_or_else(|| messages::unknown_value(field, v, &codes))
}

pub(super) fn right_status(field: &str, v: &str) -> Result<RightStatus, FieldError> {
    if let Some(s) = RightStatus::ALL.into_iter().find(|s| s.code() == v) {
        return Ok(s);
    }
    let codes: Vec<&str> = RightStatus::ALL.iter().map(|s| s.code()).collect();
    RightStatus::parse(v).ok_or_else(|| messages::unknown_value(field, v, &codes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quick_dates_agree_with_the_calendar() {
        for s in [
            "01/02/1950",
            "1950-02-01",
            "29/02/2024",
            "29/02/2023",
            "31/04/2026",
            "00/01/2026",
            "01/13/2026",
            "01/01/0000",
            "0000-01-01",
            "2026-1-01",
            "1/2/1950",
            "01-02-1950",
            "01.02.1950",
            "2026/01/01",
            "aa/bb/cccc",
            "01/02/195a",
            "+1/02/1950",
        ] {
            let quick = quick_date(s);
            if quick.is_some() {
                assert_eq!(quick, parse_date(s).ok(), "{s}");
            }
            assert_eq!(date("d", s).ok(), parse_date(s).ok(), "{s}");
        }
        assert!(quick_date("01/02/1950").is_some());
        assert!(quick_date("1950-02-01").is_some());
    }

    proptest! {
        #[test]
        fn quick_dates_never_disagree(s in "[0-9/-]{10}") {
            if let Some(d) = quick_date(&s) {
                prop_assert_eq!(Some(d), parse_date(&s).ok());
            }
        }
    }

    #[test]
    fn enums_by_code_or_by_the_core_parser() {
        assert_eq!(benefit("prestation", "APA_DOM"), Ok(Benefit::ApaDom));
        assert_eq!(benefit("prestation", "apa dom"), Ok(Benefit::ApaDom));
        assert_eq!(
            payee_kind("type", "Établissement"),
            Ok(PayeeKind::Etablissement)
        );
        assert_eq!(
            right_status("statut", "En paiement"),
            Ok(RightStatus::EnPaiement)
        );
        let e = right_status("statut", "payé").expect_err("unknown");
        assert_eq!(e.code, "valeur_inconnue");
        assert!(e.fr.contains("en_paiement, suspendu, clos"), "{}", e.fr);
    }

    #[test]
    fn amounts_by_sign() {
        assert_eq!(positive("m", "0,01"), Ok(Cents(1)));
        assert_eq!(
            positive("m", "0").map_err(|e| e.code),
            Err("montant_negatif")
        );
        assert_eq!(non_negative("m", "0"), Ok(Cents(0)));
        assert_eq!(
            non_negative("m", "-0,01").map_err(|e| e.code),
            Err("montant_negatif")
        );
        assert_eq!(amount("m", "-0,01"), Ok(Cents(-1)));
        assert_eq!(
            amount("m", "1,234").map_err(|e| e.code),
            Err("montant_decimales")
        );
    }
}
