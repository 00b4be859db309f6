//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::sessions::*;
use relais_core::journal::Entry;
use relais_core::roles::Role;

impl SessionStore for PgStore {
    fn open_session(
        &mut self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        Err(unsupported("open_session").into())
    }
    fn session(
        &mut self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<Session>, StoreError> {
        Err(unsupported("session").into())
    }
    fn peek_session(
        &self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<(Session, i64)>, StoreError> {
        Err(unsupported("peek_session").into())
    }
    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        Err(unsupported("close_session").into())
    }
    fn change_own_password(
        &mut self,
        login: &str,
        password_hash: &str,
        keep_token_hash: &str,
    ) -> Result<Entry, StoreError> {
        Err(unsupported("change_own_password").into())
    }
}
