//! An invoice's life (issue #23): its steps, recorded for good with their journal entry, each
//! checked against the steps before it (`relais_core::invoices::lifecycle`) and against the
//! acting user's role in the same transaction.

use crate::StoreError;
use jiff::civil::Date;
use relais_core::invoices::lifecycle::{InvoiceEvent, LifecycleError, Step};
use std::collections::BTreeMap;

/// Why a step is refused.
#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "aucune facture « {0} » (identifiant de factures.csv ou numéro chrono d'un dépôt de facture)"
    )]
    NotFound(String),
    #[error(transparent)]
    Refused(#[from] LifecycleError),
    /// The same invoice (supplier's SIRET, number and amount) is already liquidated under
    /// another reference: paying it twice is refused.
    #[error(
        "facture déjà liquidée sous la référence « {0} » (même SIRET, même numéro, même montant) : elle ne sera pas payée deux fois ; rejetez celle-ci comme doublon"
    )]
    AlreadyLiquidated(String),
    /// An invoice is mandated by validating the supplier run it is in, never by hand.
    #[error(
        "une facture est mandatée par la validation de son paiement (relais run validate), pas à la main"
    )]
    MandatedByValidation,
    /// A courrier's invoice whose SIRET names no supplier of `fournisseurs.csv`.
    #[error(
        "fournisseur inconnu : le SIRET {0} n'est pas dans fournisseurs.csv (pas de coordonnées bancaires) ; faites-le créer dans le logiciel financier, puis importez l'extraction"
    )]
    UnknownSupplier(String),
    #[error(
        "la facture est dans le paiement {0}, en préparation : validez-le, ou annulez-le pour la modifier"
    )]
    InPreparedRun(String),
    /// Steps of a batch refused, each with its place in the batch (from 0), its invoice and
    /// why: nothing of the batch was recorded.
    #[error(
        "{} étape(s) refusée(s), rien n'a été enregistré : {}",
        .0.len(),
        .0.iter().take(20).map(|(i, inv, why)| format!("n° {} ({inv}) : {why}", i + 1)).collect::<Vec<_>>().join(" ; ")
    )]
    Batch(Vec<(usize, String, String)>),
}

/// What a letter to the supplier about an invoice needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceParty {
    pub supplier: String,
    /// The supplier's address lines (street; postal code and city), when known.
    pub address: Vec<String>,
    pub number: String,
    pub invoice_date: Option<Date>,
    pub received_on: Date,
    pub amount: relais_core::Cents,
}

/// What a store of invoices' lives offers.
pub trait InvoiceStore {
    /// Records `event` for `invoice` by `actor` on `on` (the authority's day): the service fait
    /// by an `instruction` agent, the liquidation by a `liquidation` agent who did not certify
    /// it, a suspension, resumption or rejection by a `liquidation` agent or an ordonnateur.
    /// The invoice's steps so far, with this one.
    fn record_invoice_step(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<Vec<Step>, InvoiceError>;
    /// Records `steps` (invoice, step asked) by `actor` on `on`, all in one transaction: each
    /// checked as [`Self::record_invoice_step`] checks it, after the batch's earlier steps; if
    /// any is refused, none is recorded ([`InvoiceError::Batch`] lists them all). How many.
    fn record_invoice_steps(
        &mut self,
        steps: &[(String, relais_core::invoices::lifecycle::StepRequest)],
        actor: &str,
        on: Date,
    ) -> Result<usize, InvoiceError>;
    /// The steps of `invoice`, in order.
    fn steps_of_invoice(&self, invoice: &str) -> Result<Vec<Step>, InvoiceError>;
    /// The amount of `invoice` (imported, or deposited at the courrier), if there is one.
    fn invoice_amount(&self, invoice: &str) -> Result<Option<relais_core::Cents>, InvoiceError>;
    /// The supplier and the invoice's facts, for a letter.
    fn invoice_party(&self, invoice: &str) -> Result<Option<InvoiceParty>, InvoiceError>;
    /// Every invoice's steps, in order, by invoice.
    fn invoice_steps(&self) -> Result<BTreeMap<String, Vec<Step>>, InvoiceError>;
}
