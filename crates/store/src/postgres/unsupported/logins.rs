//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::logins::*;

impl LoginThrottle for PgStore {
    fn login_turn(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<i64, StoreError> {
        Err(unsupported("login_turn").into())
    }
    fn login_failed(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<u32, StoreError> {
        Err(unsupported("login_failed").into())
    }
    fn login_succeeded(&mut self, login: &str) -> Result<(), StoreError> {
        Err(unsupported("login_succeeded").into())
    }
}
