//! Open invoices by their legal payment deadline: those of the extracts and those registered at
//! the courrier, with where each stands (days left, or late-payment interest and indemnity).
//! Used by `relais invoices due`, the dashboard and the web's list ([`list`]: the list
//! computed once, paged, and kept while nothing is written).

mod cache;
mod list;

pub use cache::DueCache;
pub use list::{DueList, due_list};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::invoices::lifecycle::{InvoiceEvent, InvoiceState, Step, fold, resolve};
use relais_core::invoices::{EcbRate, InvoiceStanding};
use relais_store::deposits::{DepositStore, DepositStoreError};
use relais_store::invoices::{InvoiceError, InvoiceStore};
use relais_store::{Store, StoreError};

/// An open invoice and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueInvoice {
    /// `extraction` (the finance system's extract) or `courrier` (registered on paper).
    pub source: &'static str,
    /// What the commands name it by: `factures.csv`'s id, or the deposit's chrono number.
    pub id: String,
    pub reference: String,
    pub supplier: String,
    pub amount: Cents,
    pub received: Date,
    /// Its deadline moved by the days its clock stood still (suspensions).
    pub standing: InvoiceStanding,
    /// Where its life stands (service fait, liquidation…), and the last suspension's or the
    /// rejection's reason.
    pub state: InvoiceState,
    pub reason: Option<String>,
    /// The day it was paid (a paid invoice, whose standing is as of that day).
    pub paid_on: Option<Date>,
}

/// Why the list cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum DueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Deposits(#[from] DepositStoreError),
    #[error(transparent)]
    Invoices(#[from] InvoiceError),
    /// An invoice is late over a period the table of ECB rates does not cover.
    #[error("taux de la BCE inconnu pour une période")]
    MissingRate,
}

/// Every open invoice, the most urgent first (by days left, then reference): paid within
/// `payment_days` of receipt, standing as of `today` (see [`due_list`]).
pub fn due_invoices<S: Store + DepositStore + InvoiceStore + ?Sized>(
    store: &S,
    payment_days: u16,
    today: Date,
    tz: &TimeZone,
    rates: &[EcbRate],
) -> Result<Vec<DueInvoice>, DueError> {
    Ok(due_list(store, payment_days, today, tz, rates)?.open)
}

/// Records a step of `invoice`'s life by `actor`, on the authority's day: the invoice's steps
/// with it.
pub fn record_step<S: InvoiceStore + ?Sized>(
    store: &mut S,
    clock: &dyn crate::Clock,
    tz: &TimeZone,
    invoice: &str,
    event: &InvoiceEvent,
    actor: &str,
) -> Result<Vec<Step>, crate::AppError> {
    let (_, today) = crate::clock::local_now(clock, tz);
    store
        .record_invoice_step(invoice.trim(), event, actor, today)
        .map_err(|e| match e {
            InvoiceError::Store(s) => crate::AppError::from(s),
            other => crate::AppError::Invoice(other),
        })
}

pub use relais_core::invoices::lifecycle::StepRequest;

/// The event `req` asks for `invoice`, its amounts filled from the invoice and its steps
/// ([`relais_core::invoices::lifecycle::resolve`]).
pub fn event_of<S: InvoiceStore + ?Sized>(
    store: &S,
    invoice: &str,
    req: StepRequest,
) -> Result<InvoiceEvent, crate::AppError> {
    let invoice = invoice.trim();
    let store_error = |e: InvoiceError| match e {
        InvoiceError::Store(s) => crate::AppError::from(s),
        other => crate::AppError::Invoice(other),
    };
    let amount = store
        .invoice_amount(invoice)
        .map_err(store_error)?
        .ok_or_else(|| crate::AppError::Invoice(InvoiceError::NotFound(invoice.to_owned())))?;
    let steps = store.steps_of_invoice(invoice).map_err(store_error)?;
    Ok(resolve(req, amount, &fold(&steps)))
}

/// Where the letters to suppliers go: `DATA/courriers/`.
pub fn letters_folder(data: &std::path::Path) -> std::path::PathBuf {
    data.join("courriers")
}

/// Writes the letter telling the supplier why `invoice`'s payment is suspended (CCP R2192-27)
/// into `folder` (see [`letters_folder`]), atomically, from `authority`: its path.
pub fn write_suspension_letter<S: InvoiceStore + ?Sized>(
    store: &S,
    authority: &str,
    folder: &std::path::Path,
    invoice: &str,
    reason: &str,
    by: &str,
    on: Date,
) -> Result<std::path::PathBuf, crate::AppError> {
    let invoice = invoice.trim();
    let party = store
        .invoice_party(invoice)
        .map_err(crate::AppError::Invoice)?
        .ok_or_else(|| crate::AppError::Invoice(InvoiceError::NotFound(invoice.to_owned())))?;
    let letter = relais_documents::supplier_letter::SuspensionLetter {
        authority: authority.to_owned(),
        supplier: party.supplier,
        address: party.address,
        number: party.number,
        invoice_date: party.invoice_date,
        received_on: party.received_on,
        amount: party.amount,
        reference: invoice.to_owned(),
        reason: reason.trim().to_owned(),
        sent_on: on,
        by: by.to_owned(),
    };
    let safe: String = invoice
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = folder.join(format!("suspension_{safe}_{on}.pdf"));
    crate::fsio::write_atomic_with(&path, |w| {
        relais_documents::supplier_letter::write_suspension_letter(&letter, w)
            .map_err(std::io::Error::other)
    })?;
    Ok(path)
}
