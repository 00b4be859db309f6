//! Clap value parsers: a month, a run identifier, a date or an exercice is typed when the
//! command line is read, so that a command never parses it again, and a malformed value is
//! refused as a usage error (exit 2) with a French message saying what is expected.

use jiff::civil::Date;
use relais_core::calendar::{Month, parse_date};
use relais_core::run::RunId;

/// `--month`: `AAAA-MM` (`2026-12`), or as an agent types it (`12/2026`, `décembre 2026`).
pub fn month(s: &str) -> Result<Month, String> {
    Month::parse_typed(s)
        .map_err(|_| format!("mois illisible « {s} » : attendu AAAA-MM (2026-12) ou MM/AAAA"))
}

/// What a run pays: `aides` (social aid) or `paie` (the agents' payroll).
pub fn run_kind(s: &str) -> Result<relais_core::run::RunKind, String> {
    relais_core::run::RunKind::parse(s).ok_or_else(|| {
        format!("nature de paiement inconnue « {s} » : attendu aides, paie ou fournisseurs")
    })
}

/// A run's identifier, `P2026-12-01`.
pub fn run_id(s: &str) -> Result<RunId, String> {
    s.parse::<RunId>().map_err(|_| {
        format!(
            "identifiant de paiement illisible « {s} » : attendu P + mois + numéro (P2026-12-01)"
        )
    })
}

/// A day without a time zone: `AAAA-MM-JJ` (`2026-12-01`) or `JJ/MM/AAAA`.
pub fn date(s: &str) -> Result<Date, String> {
    parse_date(s).map_err(|_| {
        format!("date illisible « {s} » : attendu AAAA-MM-JJ (2026-12-01) ou JJ/MM/AAAA")
    })
}

/// An exercice (budget year), `AAAA`; whether the store keeps that year is its own check.
pub fn exercice(s: &str) -> Result<i16, String> {
    s.trim()
        .parse::<i16>()
        .map_err(|_| format!("exercice illisible « {s} » : attendu une année AAAA (2026)"))
}

/// An amount in euros, `2 104,55` or `2104.55`.
pub fn cents(s: &str) -> Result<relais_core::Cents, String> {
    relais_core::Cents::parse(s).map_err(|e| format!("montant illisible « {s} » : {e}"))
}

/// An IBAN (spaces allowed), its check digits verified.
pub fn iban(s: &str) -> Result<relais_core::ids::Iban, String> {
    relais_core::ids::Iban::parse(s).map_err(|e| format!("IBAN « {s} » : {e}"))
}

/// A BIC, 8 or 11 characters.
pub fn bic(s: &str) -> Result<relais_core::ids::Bic, String> {
    relais_core::ids::Bic::parse(s).map_err(|e| format!("BIC « {s} » : {e}"))
}

/// A NIR, its key verified.
pub fn nir(s: &str) -> Result<relais_core::ids::Nir, String> {
    relais_core::ids::Nir::parse(s).map_err(|e| format!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_and_french_refusals() {
        assert_eq!(
            month("2026-12").map(|m| m.to_string()),
            Ok("2026-12".into())
        );
        assert_eq!(
            month("12/2026").map(|m| m.to_string()),
            Ok("2026-12".into())
        );
        assert_eq!(
            month("2026-13"),
            Err("mois illisible « 2026-13 » : attendu AAAA-MM (2026-12) ou MM/AAAA".into())
        );
        assert_eq!(
            run_id("P2026-12-01").map(|r| r.to_string()),
            Ok("P2026-12-01".into())
        );
        assert!(
            run_id("P2026-12")
                .expect_err("no sequence")
                .contains("attendu")
        );
        assert_eq!(
            date("2026-12-01").map(|d| d.to_string()),
            Ok("2026-12-01".into())
        );
        assert_eq!(
            date("01/12/2026").map(|d| d.to_string()),
            Ok("2026-12-01".into())
        );
        assert!(
            date("2026-02-30")
                .expect_err("30 February")
                .starts_with("date illisible")
        );
        assert_eq!(exercice("2026"), Ok(2026));
        assert!(exercice("deux mille").expect_err("words").contains("AAAA"));
    }
}
