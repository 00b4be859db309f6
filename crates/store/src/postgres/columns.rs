//! PostgreSQL's rows read by the row decoders both backends share (`sqlite::decode::Columns`).

use crate::StoreError;
use crate::sqlite::decode::Columns;

impl Columns for postgres::Row {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn boolean(&self, i: usize) -> Result<Option<bool>, StoreError> {
        Ok(self.try_get(i)?)
    }
}
