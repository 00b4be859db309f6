//! Payroll runs: prepare the month from the last good one, then export it the way the paierie
//! accepts it (docs/payroll.md). Validation and cancellation are a run's like any other
//! ([`crate::runs::validate`], [`crate::runs::cancel`]); the rules are in
//! `relais_core::payroll`, the claims in the store (`relais_store::payroll`).

pub mod changes;
mod export;
mod pes;

use crate::clock::local_now;
use crate::error::AppError;
use crate::runs::{Authority, run_params};
use relais_core::calendar::Month;
use relais_core::run::{pay_date, pay_date_note};
use relais_store::payroll::{PayrollParams, PayrollStore, PreparePayroll};
use relais_store::runs::Prepared;

pub use export::{write_payroll_export, write_payroll_report};

/// Prepares the payroll of `month` by `actor` (role liquidation): each agent in post repeated
/// from their last good month, at the settings' pay day moved back to a bank working day.
pub fn prepare<S: PayrollStore + ?Sized>(
    store: &mut S,
    at: &Authority<'_>,
    month: Month,
    actor: &str,
) -> Result<Prepared, AppError> {
    let payments = at.payments()?;
    let settings = payments.payroll.clone().ok_or_else(|| AppError::Invalid {
        field: "paramètres de paiement".into(),
        message: "section [payments.payroll] absente (jour de paie, créanciers des cotisations)"
            .into(),
    })?;
    let zone = at.settings.authority.holiday_zone;
    let (local_time, _) = local_now(at.clock, at.tz);
    let req = PreparePayroll {
        month,
        actor,
        authority: &at.settings.authority.name,
        local_time,
        params: PayrollParams {
            pay_date: pay_date(month, settings.pay_day, zone),
            pay_date_note: pay_date_note(month, settings.pay_day, zone),
            settings,
        },
        run_params: run_params(payments, zone, month, &[])?,
    };
    Ok(store.prepare_payroll(&req)?)
}
