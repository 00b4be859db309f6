//! What a payment run owes: for a right and a month, the amount due in cents, or the reason it
//! is not paid; and the legal deadline of an invoice. Pure rules, shared by `relais drill` and
//! the payment runs.
//!
//! # The amount of a right for a month
//!
//! A right is paid for the days of the month it covers. The covered days are those between
//! the right's start and end dates (both included), cut to the month, and — when the person
//! died within the month — ending on the day of death (benefits are due up to the death, not
//! after it).
//!
//! - A full month is paid the monthly amount `A`, whatever the number of days in the month.
//! - A part of a month `[first, last]` (days of the month, 1-based) of a month of `D` days is
//!   paid `floor(A·last/D) − floor(A·(first−1)/D)` cents.
//!
//! The rule is a difference of one cumulative function `F(d) = floor(A·d/D)`, with `F(0) = 0`
//! and `F(D) = A`; so the parts of a month always add up to the monthly amount exactly, to the
//! cent — a right ending on the 15th and its renewal starting on the 16th are paid `A`
//! together, which per-part rounding (`round(A·days/D)` twice) does not guarantee. The product
//! is computed in `i128`, so no amount an `i64` of cents holds can overflow.
//!
//! # When a right is not paid
//!
//! Checked in this order, the first that applies gives the reason ([`Exclusion`]): the right
//! is closed, or suspended; the person died before the month (or before the right started);
//! the right starts after the month; the right ended before the month; the benefit is the
//! RSA, which the département funds but does not pay — the CAF (or MSA) does (CASF L262-16).
//! The RSA comes last so that [`month_amount`] tells what the CAF would pay.

use crate::Cents;
use crate::calendar::Month;
use crate::records::{Benefit, RightStatus};
use jiff::civil::Date;
use serde::Serialize;

/// The terms of a right that decide what it is paid (`droits.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RightTerms {
    pub benefit: Benefit,
    pub monthly_amount: Cents,
    pub start: Date,
    pub end: Date,
    pub status: RightStatus,
}

/// Why a right is not paid for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The right is suspended (status `suspendu`).
    Suspended,
    /// The right is closed (status `clos`).
    Closed,
    /// The right starts after the month.
    NotStarted,
    /// The right ended before the month (for a right still `en_paiement`: it expired).
    Ended,
    /// The person died before the month, or before the right started.
    Deceased,
    /// RSA: paid by the CAF or the MSA, not mandated by the département (CASF L262-16).
    PaidByCaf,
}

impl Exclusion {
    pub const ALL: [Exclusion; 6] = [
        Exclusion::Suspended,
        Exclusion::Closed,
        Exclusion::NotStarted,
        Exclusion::Ended,
        Exclusion::Deceased,
        Exclusion::PaidByCaf,
    ];

    /// A stable code (reports, JSON).
    pub fn code(self) -> &'static str {
        match self {
            Exclusion::Suspended => "suspended",
            Exclusion::Closed => "closed",
            Exclusion::NotStarted => "not_started",
            Exclusion::Ended => "ended",
            Exclusion::Deceased => "deceased",
            Exclusion::PaidByCaf => "paid_by_caf",
        }
    }

    /// For agents.
    pub fn label_fr(self) -> &'static str {
        match self {
            Exclusion::Suspended => "droit suspendu",
            Exclusion::Closed => "droit clos",
            Exclusion::NotStarted => "droit qui commence après le mois",
            Exclusion::Ended => "droit terminé avant le mois",
            Exclusion::Deceased => "personne décédée avant le mois",
            Exclusion::PaidByCaf => "RSA versé par la CAF (CASF L262-16)",
        }
    }
}

/// What `right` is worth for `month` whoever pays it: [`due`] without the RSA rule.
pub fn month_amount(
    right: &RightTerms,
    month: Month,
    death: Option<Date>,
) -> Result<Cents, Exclusion> {
    match right.status {
        RightStatus::Clos => return Err(Exclusion::Closed),
        RightStatus::Suspendu => return Err(Exclusion::Suspended),
        RightStatus::EnPaiement => {}
    }
    let (month_first, month_last) = (month.first_day(), month.last_day());
    if death.is_some_and(|d| d < month_first || d < right.start) {
        return Err(Exclusion::Deceased);
    }
    if right.start > month_last {
        return Err(Exclusion::NotStarted);
    }
    if right.end < month_first {
        return Err(Exclusion::Ended);
    }
    let first = right.start.max(month_first);
    let mut last = right.end.min(month_last);
    if let Some(d) = death {
        last = last.min(d);
    }
    // Only an end before the start (which the extract reader refuses) leaves no day.
    if last < first {
        return Err(Exclusion::Ended);
    }
    Ok(prorate(
        right.monthly_amount,
        month.days(),
        first.day(),
        last.day(),
    ))
}

/// The amount the département pays for `right` in `month`, the person having died on `death`
/// if at all; or why it pays nothing (see the module's documentation).
pub fn due(right: &RightTerms, month: Month, death: Option<Date>) -> Result<Cents, Exclusion> {
    let amount = month_amount(right, month, death)?;
    if right.benefit == Benefit::Rsa {
        return Err(Exclusion::PaidByCaf);
    }
    Ok(amount)
}

/// `floor(A·last/D) − floor(A·(first−1)/D)`: the share of `monthly` for the days
/// `first..=last` of a month of `days` days. Days outside `1..=days` are brought back into it.
pub fn prorate(monthly: Cents, days: i8, first: i8, last: i8) -> Cents {
    let d = i128::from(days.max(1));
    let first = i128::from(first).clamp(1, d);
    let last = i128::from(last).clamp(0, d);
    if last < first {
        return Cents::ZERO;
    }
    let a = i128::from(monthly.0);
    // div_euclid is the floor also for a negative amount, so parts still add up.
    let part = (a * last).div_euclid(d) - (a * (first - 1)).div_euclid(d);
    // |part| <= |A|, so it fits in an i64.
    Cents(i64::try_from(part).unwrap_or(monthly.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn right(amount: i64, start: Date, end: Date) -> RightTerms {
        RightTerms {
            benefit: Benefit::ApaDom,
            monthly_amount: Cents(amount),
            start,
            end,
            status: RightStatus::EnPaiement,
        }
    }

    fn month(s: &str) -> Month {
        Month::parse(s).expect("month")
    }

    #[test]
    fn a_full_month_is_the_monthly_amount_whatever_its_length() {
        let r = right(100_000, date(2020, 1, 1), date(2030, 12, 31));
        for m in ["2026-02", "2028-02", "2026-04", "2026-12"] {
            assert_eq!(due(&r, month(m), None), Ok(Cents(100_000)), "{m}");
        }
    }

    #[test]
    fn an_end_on_the_15th_and_a_start_on_the_16th_add_up_exactly() {
        // 1000.01 € in a 30-day month: each half is 500.005 €. Rounding each half gives
        // 500.01 twice (one cent too many), truncating gives 500.00 twice (one too few).
        let a = 100_001;
        let before = right(a, date(2025, 1, 1), date(2026, 11, 15));
        let after = right(a, date(2026, 11, 16), date(2027, 12, 31));
        let m = month("2026-11");
        let (x, y) = (
            due(&before, m, None).expect("due"),
            due(&after, m, None).expect("due"),
        );
        assert_eq!(x.0 + y.0, a);
        assert_eq!((x, y), (Cents(50_000), Cents(50_001)));
        let rounded = |days: i64| (a as f64 * days as f64 / 30.0).round() as i64;
        let truncated = |days: i64| a * days / 30;
        assert_ne!(rounded(15) + rounded(15), a, "must break per-part rounding");
        assert_ne!(
            truncated(15) + truncated(15),
            a,
            "must break per-part truncation"
        );
        // Three parts of a 31-day month too.
        let m = month("2026-12");
        let parts = [(1, 10), (11, 20), (21, 31)].map(|(f, l)| {
            let r = right(a, date(2026, 12, f), date(2026, 12, l));
            due(&r, m, None).expect("due").0
        });
        assert_eq!(parts.iter().sum::<i64>(), a);
    }

    #[test]
    fn february_of_a_leap_year_has_29_days() {
        let m = month("2028-02");
        let r = right(2_900, date(2028, 2, 15), date(2030, 1, 1));
        // Days 15 to 29 of 29: 15 days of 100 cents.
        assert_eq!(due(&r, m, None), Ok(Cents(1_500)));
        let r = right(2_800, date(2027, 2, 15), date(2030, 1, 1));
        assert_eq!(due(&r, month("2027-02"), None), Ok(Cents(1_400)));
    }

    #[test]
    fn a_right_outside_the_month_is_not_paid() {
        let m = month("2026-12");
        let ended = right(10_000, date(2025, 1, 1), date(2026, 11, 30));
        assert_eq!(due(&ended, m, None), Err(Exclusion::Ended));
        let later = right(10_000, date(2027, 1, 1), date(2028, 1, 1));
        assert_eq!(due(&later, m, None), Err(Exclusion::NotStarted));
        let one_day = right(3_100, date(2026, 12, 31), date(2026, 12, 31));
        assert_eq!(due(&one_day, m, None), Ok(Cents(100)));
    }

    #[test]
    fn death_before_the_month_excludes_and_within_it_prorates() {
        let m = month("2026-12");
        let r = right(31_000, date(2020, 1, 1), date(2030, 1, 1));
        assert_eq!(
            due(&r, m, Some(date(2026, 11, 30))),
            Err(Exclusion::Deceased)
        );
        // Paid up to the day of death, included.
        assert_eq!(due(&r, m, Some(date(2026, 12, 10))), Ok(Cents(10_000)));
        assert_eq!(due(&r, m, Some(date(2027, 1, 5))), Ok(Cents(31_000)));
        // Died before a right that was to start within the month.
        let late = right(31_000, date(2026, 12, 20), date(2030, 1, 1));
        assert_eq!(
            due(&late, m, Some(date(2026, 12, 10))),
            Err(Exclusion::Deceased)
        );
    }

    #[test]
    fn status_and_rsa() {
        let m = month("2026-12");
        let mut r = right(10_000, date(2020, 1, 1), date(2030, 1, 1));
        r.status = RightStatus::Clos;
        assert_eq!(due(&r, m, None), Err(Exclusion::Closed));
        r.status = RightStatus::Suspendu;
        assert_eq!(due(&r, m, None), Err(Exclusion::Suspended));
        r.status = RightStatus::EnPaiement;
        r.benefit = Benefit::Rsa;
        assert_eq!(due(&r, m, None), Err(Exclusion::PaidByCaf));
        assert_eq!(month_amount(&r, m, None), Ok(Cents(10_000)));
        // A closed RSA is closed, not "paid by the CAF".
        r.status = RightStatus::Clos;
        assert_eq!(due(&r, m, None), Err(Exclusion::Closed));
    }

    #[test]
    fn nonsense_never_panics() {
        let m = month("2026-12");
        let backwards = right(10_000, date(2026, 12, 20), date(2026, 12, 10));
        assert_eq!(due(&backwards, m, None), Err(Exclusion::Ended));
        let huge = right(i64::MAX, date(2026, 12, 2), date(2026, 12, 31));
        assert!(due(&huge, m, None).is_ok());
        assert_eq!(prorate(Cents(100), 31, 20, 10), Cents::ZERO);
        assert_eq!(prorate(Cents(100), 0, 1, 1), Cents(100));
    }

    proptest! {
        #[test]
        fn any_split_of_a_month_adds_up(
            amount in 0i64..=i64::MAX / 2,
            year in 1900i16..2200,
            m in 1i8..=12,
            split in 0i8..=31,
        ) {
            let month = Month::new(year, m).expect("month");
            let days = month.days();
            let k = split.min(days);
            let first = month.first_day();
            let last = month.last_day();
            // [1, k] and [k+1, D] as two rights (one may be empty).
            let part = |from: i8, to: i8| {
                if from > to {
                    return 0;
                }
                let r = right(
                    amount,
                    first.with().day(from).build().expect("day"),
                    first.with().day(to).build().expect("day"),
                );
                due(&r, month, None).expect("due").0
            };
            prop_assert_eq!(part(1, k) + part(k + 1, days), amount);
            // Death on day k and a right starting on k+1 also add up.
            if k >= 1 {
                let whole = right(amount, first, last);
                let died = due(&whole, month, Some(first.with().day(k).build().expect("day")))
                    .expect("due").0;
                prop_assert_eq!(died + part(k + 1, days), amount);
            }
        }

        #[test]
        fn a_part_never_exceeds_the_whole(amount in 0i64..=i64::MAX, a in 1i8..=31, b in 1i8..=31) {
            let p = prorate(Cents(amount), 31, a.min(b), a.max(b));
            prop_assert!(p.0 >= 0 && p.0 <= amount);
        }
    }
}
