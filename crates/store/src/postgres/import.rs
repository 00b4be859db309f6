//! The import on PostgreSQL: not yet (see ARCHITECTURE.md).

use super::unsupported;
use crate::{ImportSession, StoreError};
use postgres::Client;
use relais_core::journal::Entry;
use relais_core::records::Record;
use relais_formats::extract::FlaggedRow;

pub(crate) struct PgImport<'c> {
    _client: &'c mut Client,
}

impl<'c> PgImport<'c> {
    pub(crate) fn begin(client: &'c mut Client) -> Result<PgImport<'c>, StoreError> {
        let _ = client;
        Err(unsupported("begin_import"))
    }
}

impl ImportSession for PgImport<'_> {
    fn insert(&mut self, _record: &Record) -> Result<(), StoreError> {
        Err(unsupported("import"))
    }
    fn reject(&mut self, _row: &FlaggedRow) -> Result<(), StoreError> {
        Err(unsupported("import"))
    }
    fn commit(
        self: Box<Self>,
        _actor: &str,
        _payload: serde_json::Value,
    ) -> Result<Entry, StoreError> {
        Err(unsupported("import"))
    }
}
