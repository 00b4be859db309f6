//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::orders::*;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::orders::{NewOrder, OrderNumber};

impl OrderStore for PgStore {
    fn issue_order(
        &mut self,
        actor: &str,
        order: &NewOrder,
        on: Date,
    ) -> Result<Order, OrderError> {
        Err(unsupported("issue_order").into())
    }
    fn orders(&self) -> Result<Vec<Order>, OrderError> {
        Err(unsupported("orders").into())
    }
    fn order(&self, number: OrderNumber) -> Result<Option<Order>, OrderError> {
        Err(unsupported("order").into())
    }
    fn order_invoices(&self) -> Result<Vec<OrderInvoice>, OrderError> {
        Err(unsupported("order_invoices").into())
    }
}
