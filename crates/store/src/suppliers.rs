//! Supplier runs (issue #23): a storage contract beside [`crate::runs::RunStore`]. A supplier
//! run is a run (the same table, lifecycle, journal and numbering: validated by another
//! ordonnateur with [`crate::runs::RunStore::validate_run`], cancelled with `cancel_run`) whose
//! mandats are liquidated invoices and their late interest, decided by
//! `relais_core::invoices::mandate`.
//!
//! Invariants, in the schema: an invoice is mandated once (the primary key (invoice, kind) of
//! `supplier_claims`), and so is the same invoice under another reference (the unique key
//! (kind, SIRET, number, amount)); claims are freed only by cancelling a prepared run; a run's
//! mandats never change; validating a run records each invoice as mandated (an invoice step).

use crate::runs::{Each, Prepared, RunParams, RunStoreError};
use jiff::civil::Date;
use relais_core::calendar::Month;
use relais_core::invoices::lifecycle::Step;
use relais_core::invoices::mandate::{Held, SupplierMandate, SupplierRunSummary, ToMandate};
use relais_core::run::RunId;

/// A request to prepare a supplier run: the mandats decided, in order (each invoice's, then its
/// interest's), and the invoices that wait.
#[derive(Debug, Clone)]
pub struct PrepareSuppliers<'a> {
    /// The month of the run's id: the month of preparation.
    pub month: Month,
    pub actor: &'a str,
    pub authority: &'a str,
    /// The authority's local time of preparation (`2026-12-01 09:14`).
    pub local_time: String,
    /// The day of mandatement.
    pub today: Date,
    pub run_params: RunParams,
    pub mandates: Vec<SupplierMandate>,
    pub held: Vec<Held>,
}

/// A supplier whose bank details changed since the snapshot and wait for an ordonnateur.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierBankWaiting {
    pub siret: String,
    pub name: String,
    /// The IBAN now, masked but for its first and last four characters.
    pub iban_masked: String,
    /// The IBAN of the snapshot (or last approved), masked likewise.
    pub previous_masked: String,
}

/// What a store of supplier runs offers.
pub trait SupplierRunStore {
    /// Every invoice liquidated and not mandated, with its steps (in order) and its supplier
    /// (`None` when `fournisseurs.csv` does not know its SIRET); a courrier deposit's day of
    /// receipt in `tz`.
    fn invoices_to_mandate(
        &self,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<(ToMandate, Vec<Step>)>, RunStoreError>;
    /// Prepares a supplier run (role liquidation), all or nothing: claims each mandat, holds
    /// (as duplicates) those whose invoice is already mandated under another reference. While a
    /// supplier run is prepared and not validated, preparing again gives it back.
    fn prepare_supplier_run(
        &mut self,
        req: &PrepareSuppliers<'_>,
    ) -> Result<Prepared, RunStoreError>;
    fn supplier_run_summary(&self, run: RunId) -> Result<SupplierRunSummary, RunStoreError>;
    /// A supplier run's mandats, in order.
    fn each_supplier_mandate(
        &self,
        run: RunId,
        each: Each<'_, SupplierMandate>,
    ) -> Result<(), RunStoreError>;
    /// Suppliers whose bank details differ from the snapshot's and were not approved.
    fn supplier_banks_waiting(&self) -> Result<Vec<SupplierBankWaiting>, RunStoreError>;
    /// Approves `siret`'s bank details as they are now (an ordonnateur), journaled.
    fn approve_supplier_bank(
        &mut self,
        siret: &str,
        actor: &str,
        local_time: &str,
    ) -> Result<SupplierBankWaiting, RunStoreError>;
}
