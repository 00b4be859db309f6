//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::pes_return::*;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_formats::pes_return::{LineColumn, PieceState, ReturnedPiece};
use serde::{Deserialize, Serialize};

impl PesReturnStore for PgStore {
    fn apply_pes_return(
        &mut self,
        actor: &str,
        file: &ReturnFile<'_>,
    ) -> Result<ReturnApplied, StoreError> {
        Err(unsupported("apply_pes_return").into())
    }
    fn regularisation_requests(&self) -> Result<Vec<RegularisationRequest>, StoreError> {
        Err(unsupported("regularisation_requests").into())
    }
}
