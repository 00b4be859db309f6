//! Purchase orders (issue #23): each issued under its exercice's next number, gap-free, in
//! the transaction that records it with its journal entry, by an agent holding `liquidation`
//! or `ordonnateur`, to a supplier of the imported `fournisseurs.csv`; never changed after.
//! And the invoices as the matching with orders reads them (`relais_core::orders`).

use crate::StoreError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::orders::{NewOrder, OrderNumber};

/// Why an order is refused.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "aucun fournisseur de SIRET {0} dans fournisseurs.csv importé ; un bon de commande ne s'adresse qu'à un fournisseur connu (vérifiez le SIRET, ou importez les extractions à jour)"
    )]
    UnknownSupplier(Siret),
    #[error("l'exercice {0} a épuisé ses numéros de bon de commande (999 999)")]
    Exhausted(i16),
}

/// An order as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub number: OrderNumber,
    pub service: String,
    pub siret: Siret,
    /// The supplier's name and address lines (street; postal code and city) when the order
    /// was issued.
    pub supplier: String,
    pub address: Vec<String>,
    pub object: String,
    pub amount: Cents,
    pub commitment: Option<String>,
    pub delivery: Option<Date>,
    pub issued_by: String,
    /// The authority's day the order was issued (its exercice's year).
    pub issued_on: Date,
}

/// An invoice the authority holds, imported (`factures.csv`) or deposited at the courrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderInvoice {
    /// What the commands name it by: `factures.csv`'s id, or the deposit's chrono number.
    pub id: String,
    /// `extraction` or `courrier`.
    pub source: &'static str,
    pub siret: String,
    pub supplier: String,
    /// The supplier's number.
    pub number: String,
    pub amount: Cents,
    /// Its `engagement` (a courrier deposit has none).
    pub commitment: Option<String>,
    /// Rejected in its life (`relais factures rejeter`).
    pub rejected: bool,
}

/// What a store of purchase orders offers.
pub trait OrderStore {
    /// Issues `order` for `actor` (role `liquidation` or `ordonnateur`) on `on`, the
    /// authority's day, whose year is the exercice: its supplier must be known.
    fn issue_order(&mut self, actor: &str, order: &NewOrder, on: Date)
    -> Result<Order, OrderError>;
    /// Every order, by exercice and number.
    fn orders(&self) -> Result<Vec<Order>, OrderError>;
    fn order(&self, number: OrderNumber) -> Result<Option<Order>, OrderError>;
    /// Every invoice held, imported then deposited, each in its id's order.
    fn order_invoices(&self) -> Result<Vec<OrderInvoice>, OrderError>;
}
