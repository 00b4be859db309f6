//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::handback::*;
use relais_core::journal::{Entry, EntryHash};
use serde_json::Value;

impl HandbackStore for PgStore {
    fn journal_entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        Err(unsupported("journal_entry").into())
    }
    fn last_journal_entry_of_kind(&self, kind: &str) -> Result<Option<Entry>, StoreError> {
        Err(unsupported("last_journal_entry_of_kind").into())
    }
    fn each_journal_entry(
        &self,
        from: u64,
        to: u64,
        each: &mut dyn FnMut(&Entry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Err(unsupported("each_journal_entry").into())
    }
    fn journal_detail(&self, entry: &Entry, payload: &Value) -> Result<Detail, StoreError> {
        Err(unsupported("journal_detail").into())
    }
    fn record_journal_export(&mut self, actor: &str, payload: &Value) -> Result<Entry, StoreError> {
        Err(unsupported("record_journal_export").into())
    }
    fn begin_apply(
        &mut self,
        actor: &str,
        origin: &Origin,
    ) -> Result<Box<dyn ApplySession + '_>, ReplicaError> {
        Err(unsupported("begin_apply").into())
    }
    fn replica_origins(&self) -> Result<Vec<ReplicaOrigin>, StoreError> {
        Err(unsupported("replica_origins").into())
    }
    fn each_projected_entity(
        &self,
        siret: &str,
        each: &mut dyn FnMut(&ProjectedEntity) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Err(unsupported("each_projected_entity").into())
    }
}
