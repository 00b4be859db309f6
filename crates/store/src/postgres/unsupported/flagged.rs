//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::flagged::*;
use crate::{FlaggedRecord, StoreError};

impl FlaggedRowStore for PgStore {
    fn flagged_views(
        &self,
        offset: u64,
        limit: u64,
        open_only: bool,
    ) -> Result<(Vec<FlaggedView>, u64), StoreError> {
        Err(unsupported("flagged_views").into())
    }
    fn flagged_view(&self, id: i64) -> Result<Option<FlaggedView>, StoreError> {
        Err(unsupported("flagged_view").into())
    }
    fn handle_flagged(
        &mut self,
        actor: &str,
        id: i64,
        outcome: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<u64>, StoreError> {
        Err(unsupported("handle_flagged").into())
    }
}
