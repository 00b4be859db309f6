//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::desk::*;

impl DeskStore for PgStore {
    fn search_people(
        &self,
        query: &str,
        limit: usize,
        site: Option<&str>,
    ) -> Result<Vec<PersonHit>, StoreError> {
        Err(unsupported("search_people").into())
    }
    fn person(&self, dossier: &str, site: Option<&str>) -> Result<Option<PersonPage>, StoreError> {
        Err(unsupported("person").into())
    }
    fn directory(&self) -> Result<Vec<DirectoryRow>, StoreError> {
        Err(unsupported("directory").into())
    }
    fn log_contact(
        &mut self,
        actor: &str,
        dossier: &str,
        channel: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<i64>, StoreError> {
        Err(unsupported("log_contact").into())
    }
    fn log_certificate(&mut self, actor: &str, dossier: &str) -> Result<Option<()>, StoreError> {
        Err(unsupported("log_certificate").into())
    }
}
