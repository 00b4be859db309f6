//! Payroll continuity: the last good month repeated for each agent in post (docs/payroll.md).
//!
//! A département's systems gone, its agents must still be paid. Salaries may not be paid before
//! a mandat (the arrêté of 16 February 2015 lists aide sociale among the expenses payable before
//! ordonnancement, not salaries), so a month of payroll is a run of mandats like a benefit run:
//! here are its rules, without I/O.
//!
//! - [`change`]: an agent's entry, exit, new net or bank details, applied once approved;
//! - [`line`]: a line of the last good month (`paie.csv`), its rate, and who it is owed to;
//! - [`thirtieths`]: the days in post of a month, counted in thirtieths;
//! - [`repeat`]: an agent's month repeated from their lines, or why they are not paid;
//! - [`mandates`]: the month's pay gathered into one mandat per budget account and function,
//!   each line split by creditor;
//! - [`summary`]: the control figures of a payroll run, its exclusions and deferred elements;
//! - [`settings`]: the creditors (URSSAF, CNRACL, the DGFiP…) as the settings name them.

pub mod change;
pub mod line;
pub mod mandates;
pub mod repeat;
pub mod settings;
pub mod summary;
pub mod thirtieths;

pub use change::{AgentChange, ChangeRecord};
pub use line::{AGENT_CREDITOR, PayLine, Rate};
pub use mandates::{MandateKey, MandateTotals, PayrollMandates};
pub use repeat::{AgentPay, Exclusion, PaidLine, repeat_month};
pub use settings::{Creditor, PayrollSettings};
pub use summary::{Deferred, PayrollExclusion, PayrollSummary};
pub use thirtieths::{Presence, presence};
