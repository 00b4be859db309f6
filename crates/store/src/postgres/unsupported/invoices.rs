//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::invoices::*;
use jiff::civil::Date;
use relais_core::invoices::lifecycle::{InvoiceEvent, LifecycleError, Step};
use std::collections::BTreeMap;

impl InvoiceStore for PgStore {
    fn record_invoice_step(
        &mut self,
        invoice: &str,
        event: &InvoiceEvent,
        actor: &str,
        on: Date,
    ) -> Result<Vec<Step>, InvoiceError> {
        Err(unsupported("record_invoice_step").into())
    }
    fn record_invoice_steps(
        &mut self,
        steps: &[(String, relais_core::invoices::lifecycle::StepRequest)],
        actor: &str,
        on: Date,
    ) -> Result<usize, InvoiceError> {
        Err(unsupported("record_invoice_steps").into())
    }
    fn steps_of_invoice(&self, invoice: &str) -> Result<Vec<Step>, InvoiceError> {
        Err(unsupported("steps_of_invoice").into())
    }
    fn invoice_amount(&self, invoice: &str) -> Result<Option<relais_core::Cents>, InvoiceError> {
        Err(unsupported("invoice_amount").into())
    }
    fn invoice_party(&self, invoice: &str) -> Result<Option<InvoiceParty>, InvoiceError> {
        Err(unsupported("invoice_party").into())
    }
    fn invoice_steps(&self) -> Result<BTreeMap<String, Vec<Step>>, InvoiceError> {
        Err(unsupported("invoice_steps").into())
    }
}
