//! What a run is prepared with, from the settings: frozen with the run, so that a later change
//! of the settings changes nothing of a run already prepared.

use crate::error::AppError;
use relais_core::Cents;
use relais_core::calendar::{HolidayZone, Month};
use relais_core::records::Benefit;
use relais_core::settings::PaymentSettings;
use relais_store::runs::{BenefitParams, CafParams, RunParams};
use std::collections::BTreeMap;

/// A PES bordereau holds at most this many mandates (`NbrPce` has five digits). The store
/// numbers a run's bordereaux at validation, inside its transaction, so the limit is its own:
/// named here for the services.
pub use relais_store::runs::MANDATES_PER_BORDEREAU;

/// The parameters of a run of `month` for `benefits`, from the settings: each benefit's
/// account, function and ceiling, and its pay date moved back to a working day of `zone`.
/// Names the missing section when a benefit has none.
pub fn run_params(
    payments: &PaymentSettings,
    zone: HolidayZone,
    month: Month,
    benefits: &[Benefit],
) -> Result<RunParams, AppError> {
    let mut per = BTreeMap::new();
    for b in benefits {
        let p = payments.benefit(*b).ok_or_else(|| AppError::Invalid {
            field: "paramètres de paiement".into(),
            message: format!(
                "section [payments.benefits.{}] absente (compte, fonction, jour)",
                b.code()
            ),
        })?;
        per.insert(
            *b,
            BenefitParams {
                account: p.account.clone(),
                function: p.function.clone(),
                pay_date: relais_core::run::pay_date(month, p.pay_day, zone),
                pay_date_note: relais_core::run::pay_date_note(month, p.pay_day, zone),
                by_payee: p
                    .by_payee
                    .iter()
                    .map(|(k, i)| (*k, (i.account.clone(), i.function.clone())))
                    .collect(),
                ceiling: p.ceiling_euros.map(|e| Cents(i64::from(e) * 100)),
            },
        );
    }
    Ok(RunParams {
        benefits: per,
        change_threshold: Cents(i64::from(payments.change_threshold_euros) * 100),
        bank_change_days: payments.bank_change_days,
        caf: payments.caf.as_ref().map(|c| CafParams {
            name: c.name.clone(),
            iban: c.iban.clone(),
            bic: c.bic.clone(),
            siret: c.siret.clone(),
            address: c.address.clone(),
            postal_code: c.postal_code.clone(),
            city: c.city.clone(),
        }),
        payroll: None,
    })
}
