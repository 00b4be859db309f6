//! Invoices: the payment deadline and late-payment interest (Code de la commande publique
//! R2192-10 to R2192-36; décret n° 2013-269). The deadline is NOT moved to a working day:
//! interest runs "from the day after the end of the delay" (R2192-31) whatever day that is.

pub mod lifecycle;
pub mod mandate;

use crate::Cents;
use crate::deposits::Delay;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Délai global de paiement of a collectivité territoriale: 30 days (Code de la commande
/// publique R2192-10), unless the authority's settings say otherwise.
pub const INVOICE_PAYMENT_DAYS: u16 = 30;

/// The last day to pay an invoice received on `received` (CCP R2192-10: 30 days for the
/// collectivités; the delay runs from the date of receipt recorded by the services, R2192-12).
pub fn invoice_deadline(received: Date, payment_days: u16) -> Option<Date> {
    Delay::Days(payment_days).end(received)
}

/// The date of receipt of an invoice when the services recorded none: its date + 2 days
/// (décret n° 2013-269, art. 2; CCP R2192-12).
pub fn presumed_receipt(invoice_date: Date) -> Option<Date> {
    invoice_date.checked_add(2.days()).ok()
}

/// A rate of the ECB's main refinancing operations, in force from `from`, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcbRate {
    pub from: Date,
    pub basis_points: u32,
}

/// The ECB main refinancing operations rate (fixed rate tenders), as changed since 2016.
/// Source: European Central Bank, "Key ECB interest rates", https://www.ecb.europa.eu/stats/
/// policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html (dates are those from
/// which each rate applies). Later changes are added in `DATA/ecb-rates.toml`.
pub const ECB_MRO_RATES: &[(i16, i8, i8, u32)] = &[
    (2016, 3, 16, 0),
    (2022, 7, 27, 50),
    (2022, 9, 14, 125),
    (2022, 11, 2, 200),
    (2022, 12, 21, 250),
    (2023, 2, 8, 300),
    (2023, 3, 22, 350),
    (2023, 5, 10, 375),
    (2023, 6, 21, 400),
    (2023, 8, 2, 425),
    (2023, 9, 20, 450),
    (2024, 6, 12, 425),
    (2024, 9, 18, 365),
    (2024, 10, 23, 340),
    (2024, 12, 18, 315),
    (2025, 2, 5, 290),
    (2025, 3, 12, 265),
    (2025, 4, 23, 240),
    (2025, 6, 11, 215),
];

/// The built-in table as [`EcbRate`]s.
pub fn default_ecb_rates() -> Vec<EcbRate> {
    ECB_MRO_RATES
        .iter()
        .filter_map(|&(y, m, d, bp)| {
            Date::new(y, m, d).ok().map(|from| EcbRate {
                from,
                basis_points: bp,
            })
        })
        .collect()
}

/// The late-payment rate, in basis points, for interest that started to run on `start`: the
/// ECB rate in force on the first day of that calendar half-year, plus 8 points (décret
/// n° 2013-269, art. 8; CCP R2192-31). `None` when the table does not reach back that far.
pub fn late_rate(rates: &[EcbRate], start: Date) -> Option<u32> {
    let semester_start = Date::new(start.year(), if start.month() <= 6 { 1 } else { 7 }, 1).ok()?;
    rates
        .iter()
        .filter(|r| r.from <= semester_start)
        .max_by_key(|r| r.from)
        .map(|r| r.basis_points + 800)
}

/// Simple interest on `amount` at `basis_points` a year for `days` days, in cents, exactly:
/// amount × bp × days / (10,000 × 365), computed on integers (i128) and rounded half up. Year of
/// 365 days (the decree gives no day count; we follow the DGFiP's practice, "année civile").
pub fn interest(amount: Cents, basis_points: u32, days: u32) -> Option<Cents> {
    if amount.0 <= 0 || days == 0 {
        return Some(Cents::ZERO);
    }
    let num = i128::from(amount.0) * i128::from(basis_points) * i128::from(days);
    let den: i128 = 10_000 * 365;
    // Half up for a positive quotient: floor((2n + d) / 2d).
    let q = (2 * num + den) / (2 * den);
    i64::try_from(q).ok().map(Cents)
}

/// The fixed compensation for recovery costs, EUR 40 (décret n° 2013-269, art. 9; CCP R2192-35).
pub const RECOVERY_INDEMNITY: Cents = Cents(4_000);

/// Where an open invoice stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceStanding {
    pub deadline: Date,
    /// Days left before the deadline (negative: days late).
    pub days_left: i64,
    /// When late: the rate applied, the interest to `today` included, and the indemnity.
    pub late: Option<LateCharges>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateCharges {
    pub basis_points: u32,
    pub days: u32,
    pub interest: Cents,
    pub indemnity: Cents,
}

/// The standing of an invoice received on `received`, if paid on `today`: interest runs from
/// the day after the deadline to the payment date included (CCP R2192-31).
pub fn invoice_standing(
    amount: Cents,
    received: Date,
    payment_days: u16,
    today: Date,
    rates: &[EcbRate],
) -> Option<InvoiceStanding> {
    let deadline = invoice_deadline(received, payment_days)?;
    let days_left = -i64::from(deadline.until((jiff::Unit::Day, today)).ok()?.get_days());
    let late = if days_left < 0 {
        let start = deadline.tomorrow().ok()?;
        let basis_points = late_rate(rates, start)?;
        let days = u32::try_from(-days_left).ok()?;
        Some(LateCharges {
            basis_points,
            days,
            interest: interest(amount, basis_points, days)?,
            indemnity: RECOVERY_INDEMNITY,
        })
    } else {
        None
    };
    Some(InvoiceStanding {
        deadline,
        days_left,
        late,
    })
}
