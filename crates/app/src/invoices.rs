//! Open invoices by their legal payment deadline: those of the extracts and those registered at
//! the courrier, with where each stands (days left, or late-payment interest and indemnity).
//! Used by `relais invoices due` and by the dashboard.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::calendar::local_date;
use relais_core::deposits::DepositKind;
use relais_core::invoices::{EcbRate, InvoiceStanding, invoice_standing};
use relais_store::deposits::{DepositFilter, DepositStore, DepositStoreError};
use relais_store::{Store, StoreError};

/// An open invoice and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueInvoice {
    /// `extraction` (the finance system's extract) or `courrier` (registered on paper).
    pub source: &'static str,
    pub reference: String,
    pub supplier: String,
    pub amount: Cents,
    pub received: Date,
    pub standing: InvoiceStanding,
}

/// Why the list cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum DueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Deposits(#[from] DepositStoreError),
    /// An invoice is late over a period the table of ECB rates does not cover.
    #[error("taux de la BCE inconnu pour une période")]
    MissingRate,
}

/// Every open invoice, the most urgent first (by days left, then reference): paid within
/// `payment_days` of receipt, standing as of `today`.
pub fn due_invoices<S: Store + DepositStore + ?Sized>(
    store: &S,
    payment_days: u16,
    today: Date,
    tz: &TimeZone,
    rates: &[EcbRate],
) -> Result<Vec<DueInvoice>, DueError> {
    let mut out = Vec::new();
    let mut missing_rate = false;
    let mut push = |source, reference: String, supplier: String, amount: Cents, received: Date| {
        match invoice_standing(amount, received, payment_days, today, rates) {
            Some(standing) => out.push(DueInvoice {
                source,
                reference,
                supplier,
                amount,
                received,
                standing,
            }),
            None => missing_rate = true,
        }
    };
    store.each_open_invoice(&mut |i| {
        push(
            "extraction",
            i.number.clone(),
            i.supplier.clone(),
            i.amount_incl_tax,
            i.received_on,
        )
    })?;
    let filter = DepositFilter {
        kind: Some(DepositKind::Facture),
        ..Default::default()
    };
    for d in store.deposits(&filter)? {
        if d.cancellation.is_some() {
            continue;
        }
        if let Some(inv) = &d.facts.invoice {
            push(
                "courrier",
                format!("{} ({})", inv.number, d.number),
                d.facts.depositor.clone(),
                inv.amount,
                local_date(d.received_at, tz),
            );
        }
    }
    if missing_rate {
        return Err(DueError::MissingRate);
    }
    out.sort_by(|x, y| {
        (x.standing.days_left, &x.reference).cmp(&(y.standing.days_left, &y.reference))
    });
    Ok(out)
}
