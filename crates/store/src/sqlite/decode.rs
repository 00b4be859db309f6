//! Text read back from the database, parsed into its domain type: text that does not parse
//! means the database was changed outside Relais ([`StoreError::Corrupt`]), never a panic.
//! A leaf: every module that reads rows may use it, it uses none of them.

use crate::StoreError;
use jiff::civil::Date;
use relais_core::records::Benefit;

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

/// Dates are stored as ISO `YYYY-MM-DD` (the import writes `Date`'s `Display`).
pub(crate) fn date(what: &str, value: &str) -> Result<Date, StoreError> {
    value.parse().map_err(|_| corrupt(what, value))
}

pub(crate) fn benefit(value: &str) -> Result<Benefit, StoreError> {
    Benefit::parse(value).ok_or_else(|| corrupt("benefit", value))
}

/// A row as a backend gives it, column by column: text or integer, NULL as `None` — so that
/// one function decodes a row of either backend (`postgres/` reads SQLite's queries' rows).
pub(crate) trait Columns {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError>;
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn boolean(&self, i: usize) -> Result<Option<bool>, StoreError>;
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(i)?)
    }

    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }

    fn boolean(&self, i: usize) -> Result<Option<bool>, StoreError> {
        Ok(self.get(i)?)
    }
}
