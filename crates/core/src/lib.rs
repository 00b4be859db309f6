//! The domain core of Relais: money, identifiers, calendar, the records read from extracts,
//! what a payment run owes and its M57 imputations, roles, the journal's hash chain, the crisis
//! cell (main courante, incident, CNIL clock, systems' workflow, tasks) and the directory's phone
//! links.
//!
//! Invariant: this crate does no I/O (no files, no network, no clock, no database). Every
//! function's result depends only on its arguments, so every rule can be tested in isolation.

pub mod bank_change;
pub mod calendar;
pub mod checkpoint;
pub mod crisis;
pub mod deposits;
pub mod directory;
pub mod handback;
pub mod ids;
pub mod imputation;
pub mod invoices;
pub mod journal;
pub mod money;
pub mod month_guard;
pub mod orders;
pub mod payment;
pub mod payroll;
pub mod reconcile;
pub mod records;
pub mod regularisation;
pub mod roles;
pub mod run;
pub mod settings;
pub mod text;

pub use money::Cents;
