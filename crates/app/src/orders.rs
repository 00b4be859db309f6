//! Purchase orders (issue #23), for both front ends: an order issued — read from what the
//! agent typed (`relais_core::orders`), recorded by the store under its exercice's next
//! number with its journal entry, its PDF written in `DATA/commandes/` —, its PDF written
//! again, and the book of orders: what is invoiced against each and what remains, the orders
//! without invoices and the invoices that name no order.

use crate::clock::Clock;
use crate::error::AppError;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::Cents;
use relais_core::calendar::local_date;
use relais_core::deposits::{DepositKind, KindRules};
use relais_core::orders::{
    InvoiceClaim, NewOrder, OrderInput, OrderInputError, OrderNumber, match_invoices,
};
use relais_core::settings::Authority;
use relais_documents::purchase_order::{PurchaseOrder, write_purchase_order};
use relais_store::deposits::{DepositStore, service_contact};
use relais_store::orders::{Order, OrderError, OrderInvoice, OrderStore};
use std::path::{Path, PathBuf};

/// An order as the agent typed it.
#[derive(Debug, Clone, Default)]
pub struct OrderRequest {
    pub service: String,
    /// The supplier's SIRET.
    pub supplier: String,
    pub object: String,
    pub amount: String,
    pub commitment: Option<String>,
    pub delivery: Option<Date>,
}

/// An order issued, and where its PDF is.
#[derive(Debug, Clone)]
pub struct Issued {
    pub order: Order,
    pub pdf: PathBuf,
}

/// Where the purchase orders' PDFs go: `DATA/commandes/`.
pub fn orders_folder(data: &Path) -> PathBuf {
    data.join("commandes")
}

/// What issuing and printing an order need beyond the store: the authority, its time zone,
/// the deposit kinds' rules (the service that receives invoices, and its address, is the
/// invoice kind's) and the folder of the PDFs.
pub struct OrderDesk<'a> {
    pub authority: &'a Authority,
    pub tz: &'a TimeZone,
    pub rules: &'a [KindRules],
    pub folder: PathBuf,
}

impl OrderDesk<'_> {
    /// Issues the order `request` for `actor` on the authority's day, records it under its
    /// exercice's next number (the store checks the role and the supplier) and writes its
    /// PDF. An order the store refused writes nothing.
    pub fn issue<S: OrderStore + DepositStore + ?Sized>(
        &self,
        store: &mut S,
        clock: &dyn Clock,
        actor: &str,
        request: &OrderRequest,
    ) -> Result<Issued, AppError> {
        let today = local_date(clock.now(), self.tz);
        let input = OrderInput {
            service: &request.service,
            supplier: &request.supplier,
            object: &request.object,
            amount: &request.amount,
            commitment: request.commitment.as_deref(),
            delivery: request.delivery,
        };
        let new = NewOrder::parse(&input, today).map_err(invalid)?;
        let order = store.issue_order(actor, &new, today).map_err(refused)?;
        // The order is recorded for good: a PDF that could not be written is written again
        // from the store, and the agent is told so with its number.
        let pdf = self
            .write_pdf(&*store, &order)
            .map_err(|e| AppError::Write {
                path: self.folder.join(format!("{}.pdf", order.number)),
                source: format!(
                    "bon de commande {n} enregistré, PDF non écrit ({}) ; écrivez-le avec « relais commandes imprimer {n} »",
                    e.french(),
                    n = order.number
                )
                .into(),
            })?;
        Ok(Issued { order, pdf })
    }

    /// Writes the PDF of order `number` again (from what the store keeps): its path.
    pub fn reprint<S: OrderStore + DepositStore + ?Sized>(
        &self,
        store: &S,
        number: &str,
    ) -> Result<PathBuf, AppError> {
        let number: OrderNumber = number.parse().map_err(|e| AppError::Invalid {
            field: "numéro".into(),
            message: format!("{e}"),
        })?;
        let order = store
            .order(number)
            .map_err(refused)?
            .ok_or_else(|| AppError::Invalid {
                field: "numéro".into(),
                message: format!("aucun bon de commande {number}"),
            })?;
        self.write_pdf(store, &order)
    }

    /// The order's PDF, written atomically (private, like every file of the data folder).
    fn write_pdf<S: DepositStore + ?Sized>(
        &self,
        store: &S,
        order: &Order,
    ) -> Result<PathBuf, AppError> {
        let document = PurchaseOrder {
            authority: self.authority.name.clone(),
            authority_siret: self.authority.siret.clone(),
            number: order.number,
            issued_on: order.issued_on,
            service: order.service.clone(),
            supplier: order.supplier.clone(),
            supplier_address: order.address.clone(),
            supplier_siret: order.siret.clone(),
            object: order.object.clone(),
            amount: order.amount,
            commitment: order.commitment.clone(),
            delivery: order.delivery,
            invoice_to: self.invoice_to(store)?,
            by: order.issued_by.clone(),
        };
        let path = self.folder.join(format!("{}.pdf", order.number));
        crate::fsio::write_atomic_with(&path, |w| {
            write_purchase_order(&document, w).map_err(std::io::Error::other)
        })?;
        Ok(path)
    }

    /// The service that receives invoices (the invoice deposit kind's, completed from the
    /// directory): its name, address and how to reach it, the lines known.
    fn invoice_to<S: DepositStore + ?Sized>(&self, store: &S) -> Result<Vec<String>, AppError> {
        let rule = crate::deposits::rules_for(self.rules, DepositKind::Facture)?;
        let s = service_contact(store, rule).map_err(AppError::Deposit)?;
        let reach = [s.email.trim(), s.phone.trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        Ok([s.name.trim(), s.address.trim(), reach.as_str()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect())
    }
}

/// An order with what is invoiced against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub order: Order,
    /// The invoices that name it (ids), rejected ones aside.
    pub invoices: Vec<String>,
    pub invoiced: Cents,
    /// Negative when the invoices go beyond the order.
    pub remaining: Cents,
}

/// Every order with its balance, and the invoices that name no order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBook {
    pub orders: Vec<OrderLine>,
    /// Invoices, rejected ones aside, whose `engagement` is empty or names no known order.
    pub unmatched: Vec<OrderInvoice>,
}

impl OrderBook {
    /// The orders no invoice names yet.
    pub fn without_invoices(&self) -> impl Iterator<Item = &OrderLine> {
        self.orders.iter().filter(|l| l.invoices.is_empty())
    }
}

/// The book of orders, read from the store and matched (`relais_core::orders::match_invoices`).
pub fn book<S: OrderStore + ?Sized>(store: &S) -> Result<OrderBook, AppError> {
    let orders = store.orders().map_err(refused)?;
    let invoices = store.order_invoices().map_err(refused)?;
    let keys: Vec<(OrderNumber, Cents)> = orders.iter().map(|o| (o.number, o.amount)).collect();
    let claims: Vec<InvoiceClaim<'_>> = invoices
        .iter()
        .map(|i| InvoiceClaim {
            commitment: i.commitment.as_deref(),
            amount: i.amount,
            rejected: i.rejected,
        })
        .collect();
    let matching = match_invoices(&keys, &claims);
    let id = |k: &usize| invoices.get(*k).map(|i| i.id.clone());
    let lines = orders
        .into_iter()
        .zip(matching.balances)
        .map(|(order, b)| OrderLine {
            order,
            invoices: b.invoices.iter().filter_map(id).collect(),
            invoiced: b.invoiced,
            remaining: b.remaining,
        })
        .collect();
    let unmatched = matching
        .unmatched
        .iter()
        .filter_map(|k| invoices.get(*k).cloned())
        .collect();
    Ok(OrderBook {
        orders: lines,
        unmatched,
    })
}

/// A field refused, named as the form and the command line name it.
fn invalid(e: OrderInputError) -> AppError {
    AppError::Invalid {
        field: e.field().label_fr().into(),
        message: e.to_string(),
    }
}

/// The store's refusals: who may (a refusal), an unknown supplier (the field), the rest.
fn refused(e: OrderError) -> AppError {
    match e {
        OrderError::Store(s) => AppError::from(s),
        OrderError::UnknownSupplier(_) => AppError::Invalid {
            field: "fournisseur".into(),
            message: e.to_string(),
        },
        OrderError::Exhausted(_) => AppError::Invalid {
            field: "exercice".into(),
            message: e.to_string(),
        },
    }
}
