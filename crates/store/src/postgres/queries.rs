//! The readiness queries on PostgreSQL (as `sqlite/queries.rs`): not yet.

use super::unsupported;
use crate::{FlaggedCount, FlaggedRecord, OpenInvoice, PaymentRight, Payroll, StoreError};
use postgres::{Client, GenericClient};
use relais_core::calendar::Month;

pub(crate) fn flagged_rows(
    _c: &mut impl GenericClient,
    _offset: u64,
    _limit: u64,
) -> Result<Vec<FlaggedRecord>, StoreError> {
    Err(unsupported("flagged_rows"))
}

pub(crate) fn each_payment_right(
    _c: &mut Client,
    _each: &mut dyn FnMut(&PaymentRight),
) -> Result<u64, StoreError> {
    Err(unsupported("each_payment_right"))
}

pub(crate) fn payroll(_c: &mut impl GenericClient, _month: Month) -> Result<Payroll, StoreError> {
    Err(unsupported("payroll"))
}

pub(crate) fn each_open_invoice(
    _c: &mut Client,
    _each: &mut dyn FnMut(&OpenInvoice),
) -> Result<u64, StoreError> {
    Err(unsupported("each_open_invoice"))
}

pub(crate) fn flagged_counts(_c: &mut impl GenericClient) -> Result<Vec<FlaggedCount>, StoreError> {
    Err(unsupported("flagged_counts"))
}

pub(crate) fn each_flagged_row(
    _c: &mut Client,
    _entity: &str,
    _each: &mut dyn FnMut(&FlaggedRecord),
) -> Result<u64, StoreError> {
    Err(unsupported("each_flagged_row"))
}
