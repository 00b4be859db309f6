//! The contracts PostgreSQL does not offer yet, one file each: every method answers
//! `StoreError::Unsupported`, so that a `PgStore` is a whole `Backend` while they are written.

mod bank;
mod caf;
mod deposits;
mod desk;
mod handback;
mod orders;
mod payroll;
mod pes_return;
mod regularisation;

pub(crate) use super::unsupported;
