//! Not yet on PostgreSQL: every method of this contract answers `StoreError::Unsupported`.

#![allow(unused_imports, unused_variables, clippy::useless_conversion)]

use super::super::PgStore;
use super::unsupported;
use crate::StoreError;
use crate::numbering::*;
use relais_core::Cents;
use relais_core::journal::Entry;

impl NumberingStore for PgStore {
    fn set_numbering(
        &mut self,
        req: &SetNumbering<'_>,
    ) -> Result<(ExerciceNumbering, Entry), NumberingError> {
        Err(unsupported("set_numbering").into())
    }
    fn numberings(&self) -> Result<Vec<ExerciceNumbering>, NumberingError> {
        Err(unsupported("numberings").into())
    }
    fn numbering(&self, exercice: i16) -> Result<Option<ExerciceNumbering>, NumberingError> {
        Err(unsupported("numbering").into())
    }
    fn history_in_exercice(&self, exercice: i16) -> Result<HistoryInExercice, NumberingError> {
        Err(unsupported("history_in_exercice").into())
    }
}
