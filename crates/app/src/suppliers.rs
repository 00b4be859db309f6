//! Supplier runs (issue #23): gather the liquidated invoices into a run of mandats, one per
//! invoice and one per invoice paid late for its interest (`relais_core::invoices::mandate`
//! decides, the store claims), then export it as the paierie takes it (`export`). Validation
//! and cancellation are a run's like any other ([`crate::runs::validate`],
//! [`crate::runs::cancel`]); validation records each invoice as mandated.

pub(crate) mod export;

use crate::clock::local_now;
use crate::data::Data;
use crate::error::AppError;
use crate::runs::{Authority, run_params};
use relais_core::calendar::Month;
use relais_core::deposits::DepositKind;
use relais_core::invoices::lifecycle::{InvoiceState, fold};
use relais_core::invoices::mandate::{Held, SupplierRules, mandates_of};
use relais_core::invoices::{EcbRate, INVOICE_PAYMENT_DAYS, default_ecb_rates};
use relais_store::runs::Prepared;
use relais_store::suppliers::{PrepareSuppliers, SupplierBankWaiting, SupplierRunStore};
use std::path::Path;

pub use export::{write_supplier_export, write_supplier_report};

/// `DATA/ecb-rates.toml`: later changes of the ECB rate, added to the built-in table.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesFile {
    rate: Vec<EcbRate>,
}

/// The ECB rates: the built-in table (`relais_core::invoices::ECB_MRO_RATES`), with the
/// changes `DATA/ecb-rates.toml` adds or corrects.
pub fn ecb_rates(data: &Path) -> Result<Vec<EcbRate>, AppError> {
    let mut rates = default_ecb_rates();
    let path = data.join("ecb-rates.toml");
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| AppError::io(crate::error::IoAction::Read, &path, e))?;
        let file: RatesFile = toml::from_str(&text).map_err(|e| AppError::Invalid {
            field: path.display().to_string(),
            message: e.to_string(),
        })?;
        rates.retain(|r| file.rate.iter().all(|f| f.from != r.from));
        rates.extend(file.rate);
    }
    Ok(rates)
}

/// The délai global de paiement of the data folder: the invoices' deposit rules', else 30 days.
pub fn payment_days(data: &Data) -> Result<u16, AppError> {
    let rules = data.deposit_rules()?;
    Ok(crate::deposits::rules_for(&rules, DepositKind::Facture)
        .ok()
        .and_then(|r| r.payment_days)
        .unwrap_or(INVOICE_PAYMENT_DAYS))
}

/// Prepares a supplier run by `actor` (role liquidation): every invoice liquidated and not
/// mandated, with its late interest when its deadline has passed, mandated today; those that
/// wait are listed with the reason. While a supplier run is prepared, it is given back.
pub fn prepare<S: SupplierRunStore + ?Sized>(
    store: &mut S,
    at: &Authority<'_>,
    payment_days: u16,
    rates: &[EcbRate],
    actor: &str,
) -> Result<Prepared, AppError> {
    let payments = at.payments()?;
    let zone = at.settings.authority.holiday_zone;
    let (local_time, today) = local_now(at.clock, at.tz);
    let month = Month::of(today);
    let rules = SupplierRules {
        payment_days,
        rates,
        interest_account: &payments.suppliers.interest_account,
        today,
    };
    let mut mandates = Vec::new();
    let mut held = Vec::new();
    for (invoice, steps) in store.invoices_to_mandate(at.tz)? {
        let life = fold(&steps);
        if life.state != InvoiceState::Liquidated {
            continue;
        }
        let amount = life
            .liquidation
            .as_ref()
            .map_or(invoice.invoice_amount, |l| l.0);
        let supplier = invoice
            .supplier
            .as_ref()
            .map_or_else(|| invoice.siret.clone(), |s| s.name.clone());
        match mandates_of(&invoice, &life, &rules) {
            Ok((m, interest, hold)) => {
                mandates.push(m);
                mandates.extend(interest);
                if let Some(hold) = hold {
                    held.push(Held {
                        invoice: invoice.invoice.clone(),
                        supplier,
                        amount,
                        hold,
                    });
                }
            }
            Err(hold) => held.push(Held {
                invoice: invoice.invoice.clone(),
                supplier,
                amount,
                hold,
            }),
        }
    }
    let req = PrepareSuppliers {
        month,
        actor,
        authority: &at.settings.authority.name,
        local_time,
        today,
        run_params: run_params(payments, zone, month, &[])?,
        mandates,
        held,
    };
    Ok(store.prepare_supplier_run(&req)?)
}

/// [`prepare`] in the data folder, with its rules and rates.
pub fn prepare_in(
    data: &Data,
    clock: &dyn crate::Clock,
    actor: &str,
) -> Result<Prepared, AppError> {
    let days = payment_days(data)?;
    let rates = ecb_rates(&data.dir.path)?;
    let mut store = data.open_store()?;
    prepare(&mut *store, &data.authority(clock), days, &rates, actor)
}

/// Suppliers whose bank details changed since the snapshot and wait for an ordonnateur.
pub fn banks_waiting<S: SupplierRunStore + ?Sized>(
    store: &S,
) -> Result<Vec<SupplierBankWaiting>, AppError> {
    Ok(store.supplier_banks_waiting()?)
}

/// Approves `siret`'s bank details as they are now, by `actor` (an ordonnateur).
pub fn approve_bank<S: SupplierRunStore + ?Sized>(
    store: &mut S,
    at: &Authority<'_>,
    siret: &str,
    actor: &str,
) -> Result<SupplierBankWaiting, AppError> {
    let (local_time, _) = local_now(at.clock, at.tz);
    Ok(store.approve_supplier_bank(siret, actor, &local_time)?)
}
