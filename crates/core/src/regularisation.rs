//! Regularising payments made before their mandat (arrêté of 16 February 2015, NOR
//! FCPE1430400A): aide sociale may be paid without prior ordonnancement (art. 3, never
//! salaries), then regularised by a mandat émis après paiement (PES TypPce 05, NatPce 01 to 05
//! only — DosTech annexe 1) within 30 days of the payment and before the year's end (art. 6).

use crate::run::RunKind;
use jiff::civil::Date;

/// Days after the payment within which its mandat is to be issued (art. 6).
pub const DAYS_TO_REGULARISE: i32 = 30;

/// Why a payroll is never regularised after payment, in French for the agent.
pub const PAYROLL_REFUSED: &str = "la paie ne peut pas être régularisée par des mandats émis après paiement (annexe 1 du PES V2 : TypPce 05 non admis pour la paie)";

/// Whether a run of `kind` may be regularised by mandats émis après paiement: benefits and
/// suppliers' invoices (NatPce 01 or 02) may; a payroll (NatPce 11) may not.
pub fn may_regularise(kind: RunKind) -> Result<(), &'static str> {
    match kind {
        RunKind::Paie => Err(PAYROLL_REFUSED),
        RunKind::Aides | RunKind::Fournisseurs => Ok(()),
    }
}

/// The last day to regularise a payment made on `paid_on` in `exercice`: 30 days after it,
/// and 31 December of the exercice, whichever comes first.
pub fn deadline(paid_on: Date, exercice: i16) -> Date {
    let thirty = paid_on
        .checked_add(jiff::Span::new().days(DAYS_TO_REGULARISE))
        .unwrap_or(paid_on);
    match Date::new(exercice, 12, 31) {
        Ok(year_end) => thirty.min(year_end),
        Err(_) => thirty,
    }
}

/// Where a regularisation stands on `today` against its `deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Still in time: days left, the deadline's day included.
    InTime { days_left: i32 },
    /// Past its deadline by so many days: still due, late.
    Late { days_late: i32 },
}

pub fn timeliness(deadline: Date, today: Date) -> Timeliness {
    // A `Date`'s span is in days.
    let days = today.until(deadline).map_or(0, |s| s.get_days());
    if days >= 0 {
        Timeliness::InTime { days_left: days }
    } else {
        Timeliness::Late {
            days_late: days.saturating_neg(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::new(y, m, day).expect("date")
    }

    #[test]
    fn thirty_days_after_the_payment() {
        assert_eq!(deadline(d(2026, 3, 5), 2026), d(2026, 4, 4));
        // Across a month of 28 days.
        assert_eq!(deadline(d(2026, 2, 5), 2026), d(2026, 3, 7));
    }

    #[test]
    fn never_after_the_year_end() {
        assert_eq!(deadline(d(2026, 12, 10), 2026), d(2026, 12, 31));
        assert_eq!(deadline(d(2026, 12, 1), 2026), d(2026, 12, 31));
        assert_eq!(deadline(d(2026, 11, 30), 2026), d(2026, 12, 30));
    }

    #[test]
    fn late_counts_the_days_after_the_deadline() {
        assert_eq!(
            timeliness(d(2026, 4, 4), d(2026, 4, 4)),
            Timeliness::InTime { days_left: 0 }
        );
        assert_eq!(
            timeliness(d(2026, 4, 4), d(2026, 4, 6)),
            Timeliness::Late { days_late: 2 }
        );
        assert_eq!(
            timeliness(d(2026, 12, 31), d(2027, 1, 2)),
            Timeliness::Late { days_late: 2 }
        );
    }

    #[test]
    fn payroll_is_refused_benefits_and_suppliers_are_not() {
        assert_eq!(may_regularise(RunKind::Paie), Err(PAYROLL_REFUSED));
        assert!(may_regularise(RunKind::Aides).is_ok());
        assert!(may_regularise(RunKind::Fournisseurs).is_ok());
    }
}
