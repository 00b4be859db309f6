//! Rows rejected at import, read back for payments: why a rejected right is not paid, and
//! what it would have been paid (shared by `relais drill` and the payment runs).

use crate::{FlaggedRecord, Store, StoreError};
use relais_core::Cents;
use relais_core::calendar::{Month, parse_date};
use relais_core::payment::{self, RightTerms};
use relais_core::records::{Benefit, RightStatus};
use std::collections::HashMap;

/// Why a right that was meant to be paid would not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unpayable {
    /// `en_paiement` but ended before the month: the renewal was not recorded in time.
    Expired,
    /// Rejected at import because its payee was, for the payee's IBAN or BIC.
    InvalidIban,
    /// Rejected at import because its payee was (another reason), or is missing.
    PayeeRejected,
    /// Rejected at import because its person was, or is missing.
    PersonRejected,
    /// The right's own row was rejected at import (amount, dates, duplicate…).
    RightRejected,
}

impl Unpayable {
    pub fn code(self) -> &'static str {
        match self {
            Unpayable::Expired => "expired",
            Unpayable::InvalidIban => "invalid_iban",
            Unpayable::PayeeRejected => "payee_rejected",
            Unpayable::PersonRejected => "person_rejected",
            Unpayable::RightRejected => "right_rejected",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Unpayable::Expired => "droit échu (fin avant le mois, toujours « en paiement »)",
            Unpayable::InvalidIban => "IBAN ou BIC du tiers invalide (tiers rejeté)",
            Unpayable::PayeeRejected => "tiers rejeté à l'import ou absent",
            Unpayable::PersonRejected => "personne rejetée à l'import ou absente",
            Unpayable::RightRejected => "ligne du droit rejetée (montant, dates, doublon…)",
        }
    }
}

/// The value of `field` in a rejected row, as read, when not blank.
pub fn raw<'a>(row: &'a FlaggedRecord, field: &str) -> Option<&'a str> {
    row.raw
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// A rejected right that would not have been paid anyway (closed, suspended, RSA, outside the
/// month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotDue;

/// Rejected payees: id → whether their bank details (IBAN or BIC) were among the problems.
pub fn rejected_payees(store: &dyn Store) -> Result<HashMap<String, bool>, StoreError> {
    let mut payees: HashMap<String, bool> = HashMap::new();
    store.each_flagged_row("tiers", &mut |row| add_rejected_payee(&mut payees, row))?;
    Ok(payees)
}

/// Adds one rejected `tiers` row to the map [`rejected_payees`] builds.
pub fn add_rejected_payee(payees: &mut HashMap<String, bool>, row: &FlaggedRecord) {
    if let Some(id) = &row.key {
        let bank = row
            .problems
            .iter()
            .any(|(field, _, _)| field == "iban" || field == "bic");
        *payees.entry(id.clone()).or_default() |= bank;
    }
}

/// Why a rejected right row is not paid, from its problems' codes (docs/extracts.md): the
/// payee first, as bank details are what a payment needs.
pub fn reason(row: &FlaggedRecord, payees: &HashMap<String, bool>) -> Unpayable {
    let has = |code: &str| row.problems.iter().any(|(_, c, _)| c == code);
    if has("tiers_rejete") {
        let bank = raw(row, "tiers_id").and_then(|id| payees.get(id).copied());
        if bank == Some(true) {
            return Unpayable::InvalidIban;
        }
        return Unpayable::PayeeRejected;
    }
    if has("tiers_inconnu") {
        return Unpayable::PayeeRejected;
    }
    if has("personne_rejetee") || has("personne_inconnue") {
        return Unpayable::PersonRejected;
    }
    Unpayable::RightRejected
}

/// What a rejected right would have been paid for `month`, as far as its row can be read:
/// `Ok(None)` when the amount is unreadable, `Err(NotDue)` when it would not have been paid
/// anyway (closed, suspended, RSA, outside the month).
pub fn rejected_amount(row: &FlaggedRecord, month: Month) -> Result<Option<Cents>, NotDue> {
    let benefit = raw(row, "prestation").and_then(Benefit::parse);
    let status = raw(row, "statut").and_then(RightStatus::parse);
    if benefit == Some(Benefit::Rsa)
        || matches!(status, Some(RightStatus::Clos | RightStatus::Suspendu))
    {
        return Err(NotDue);
    }
    let amount = raw(row, "montant_mensuel")
        .and_then(|s| Cents::parse(s).ok())
        .filter(|c| !c.is_negative());
    let date = |field| raw(row, field).and_then(|s| parse_date(s).ok());
    match (
        benefit,
        amount,
        date("date_debut"),
        date("date_fin"),
        status,
    ) {
        // Dates in order: the month decides. Out of order, one of them is wrong: unknown.
        (Some(benefit), Some(monthly_amount), Some(start), Some(end), Some(status))
            if start <= end =>
        {
            let terms = RightTerms {
                benefit,
                monthly_amount,
                start,
                end,
                status,
            };
            payment::due(&terms, month, None)
                .map(Some)
                .map_err(|_| NotDue)
        }
        _ => Ok(amount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(raw: &[(&str, &str)], codes: &[&str]) -> FlaggedRecord {
        FlaggedRecord {
            id: 1,
            severity: relais_formats::extract::Severity::Reject,
            file: "droits.csv".into(),
            line: 2,
            key: Some("R1".into()),
            raw: raw
                .iter()
                .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
                .collect(),
            problems: codes
                .iter()
                .map(|c| ("x".to_owned(), (*c).to_owned(), String::new()))
                .collect(),
        }
    }

    const GOOD: [(&str, &str); 6] = [
        ("prestation", "PCH"),
        ("montant_mensuel", "310,00"),
        ("date_debut", "01/01/2025"),
        ("date_fin", "16/12/2026"),
        ("statut", "en_paiement"),
        ("tiers_id", "T1"),
    ];

    #[test]
    fn a_rejected_right_is_valued_as_the_run_would_have_paid_it() {
        let m = Month::parse("2026-12").expect("month");
        assert_eq!(
            rejected_amount(&row(&GOOD, &["tiers_rejete"]), m),
            Ok(Some(Cents(16_000)))
        );
        let mut rsa = GOOD;
        rsa[0] = ("prestation", "RSA");
        assert_eq!(rejected_amount(&row(&rsa, &[]), m), Err(NotDue));
        let mut closed = GOOD;
        closed[4] = ("statut", "clos");
        assert_eq!(rejected_amount(&row(&closed, &[]), m), Err(NotDue));
        let mut ended = GOOD;
        ended[3] = ("date_fin", "30/11/2026");
        assert_eq!(rejected_amount(&row(&ended, &[]), m), Err(NotDue));
        let mut unreadable = GOOD;
        unreadable[1] = ("montant_mensuel", "12,345");
        assert_eq!(rejected_amount(&row(&unreadable, &[]), m), Ok(None));
        let mut backwards = GOOD;
        backwards[2] = ("date_debut", "01/01/2027");
        assert_eq!(
            rejected_amount(&row(&backwards, &[]), m),
            Ok(Some(Cents(31_000)))
        );
    }

    #[test]
    fn the_payee_comes_first_among_reasons() {
        let mut payees = HashMap::new();
        payees.insert("T1".to_owned(), true);
        payees.insert("T2".to_owned(), false);
        let r = row(&GOOD, &["montant_negatif", "tiers_rejete"]);
        assert_eq!(reason(&r, &payees), Unpayable::InvalidIban);
        let mut other = GOOD;
        other[5] = ("tiers_id", "T2");
        assert_eq!(
            reason(&row(&other, &["tiers_rejete"]), &payees),
            Unpayable::PayeeRejected
        );
        assert_eq!(
            reason(&row(&GOOD, &["personne_inconnue"]), &payees),
            Unpayable::PersonRejected
        );
        assert_eq!(
            reason(&row(&GOOD, &["doublon"]), &payees),
            Unpayable::RightRejected
        );
    }
}
