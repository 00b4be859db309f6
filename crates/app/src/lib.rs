//! The services both front ends call: the command line (`relais`) parses arguments, calls
//! them and prints; the web parses forms, calls them and renders. Only here are the steps of
//! an operation put in order (settings, clock, store, files); only the store knows SQL; no
//! HTTP and no terminal here.
//!
//! - [`data`]: the data folder opened (settings, time zone, store, deposit kinds' rules);
//! - [`keys`]: the receipt signing key and its public key, in the data folder;
//! - [`profile`]: a mapping profile read;
//! - [`deposits`]: deposits at the desk and their receipts;
//! - [`bank`]: changes of bank details, asked, held, reviewed and decided;
//! - [`runs`]: payment runs — prepare, validate, cancel, export, report;
//! - [`run_files`]: a run's files and report, sent to `runs` or `payroll` by its kind;
//! - [`payroll`]: payroll runs — the month repeated from the last good one, its changes of
//!   situation, and its export;
//! - [`import`]: extracts imported, all or nothing;
//! - [`invoices`]: the invoices due and their late interest;
//! - [`pes_return`]: the accountant's return read and applied (paid, rejected mandats);
//! - [`orders`]: purchase orders issued and printed, and matched with the invoices;
//! - [`renewals`]: rights renewed by a crisis decision, applied as simulated;
//! - [`publish`]: the public continuity page and its posters;
//! - [`crisis`]: the crisis cell — main courante, incident and the CNIL clock, systems and
//!   tasks, directory and public message;
//! - [`clock`]: "now", injected;
//! - [`error`]: [`AppError`], English for logs, French for agents ([`AppError::french`]);
//! - [`fsio`]: atomic files and the direct-I/O writer of the payment files.

pub mod bank;
pub mod checkpoints;
pub mod clock;
pub mod crisis;
pub mod data;
pub mod deposits;
pub mod error;
pub mod fsio;
pub mod handback;
pub mod import;
pub mod invoice_batch;
pub mod invoices;
pub mod keys;
pub mod migrate;
pub mod orders;
pub mod payroll;
pub mod pes_return;
pub mod profile;
pub mod publish;
pub mod reconcile;
pub mod regularise;
pub mod renewals;
pub mod run_files;
pub mod runs;
pub mod suppliers;

pub use clock::{Clock, FixedClock, SystemClock};
pub use data::{Data, DataDir};
pub use error::{AppError, Missing, Refusal};
pub use import::{ImportError, Imported, OutcomeCheck, import_extracts};
