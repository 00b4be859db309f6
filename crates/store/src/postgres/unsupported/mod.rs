//! The contracts PostgreSQL does not offer yet, one file each: every method answers
//! `StoreError::Unsupported`, so that a `PgStore` is a whole `Backend` while they are written.

mod payroll;

pub(crate) use super::unsupported;
