//! What the control report of a payroll run says: headcount and totals against the last good
//! month, nets that changed, an IBAN shared by several agents, the deferred total.

use crate::Cents;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The control figures of a payroll run, made at preparation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PayrollSummary {
    pub pay_date: Option<Date>,
    /// Why the pay date is earlier than the settings' day, when it is.
    pub pay_date_note: Option<String>,
    /// Agents paid, and the totals of the month.
    pub agents: u64,
    pub gross: Cents,
    pub net: Cents,
    pub employer: Cents,
    /// Agents of `agents.csv` and their nets in the last good month.
    pub previous_agents: u64,
    pub previous_net: Cents,
    /// Agents paid the net alone (no `paie.csv` lines): contributions to regularise.
    pub net_only: u64,
    /// Agents paid in thirtieths (an entry or an exit within the month).
    pub prorated: u64,
    /// Not in post this month (left before it, or entered after).
    pub not_in_post: u64,
    /// Already paid for the month by another run.
    pub already_paid: u64,
    /// Excluded, with a reason (listed in the run's exclusions).
    pub excluded: u64,
    /// Variable elements deferred, and for how many agents.
    pub deferred: Cents,
    pub deferred_agents: u64,
    /// Agents whose net this month differs from their last good month's: (matricule, name,
    /// last good month's net, this month's).
    pub changed: Vec<(String, String, Cents, Cents)>,
    /// An IBAN paid to several agents: (IBAN, matricules).
    pub shared_ibans: Vec<(String, Vec<String>)>,
}

/// An agent in post not paid this month, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollExclusion {
    pub matricule: String,
    pub name: String,
    pub service: String,
    /// [`super::Exclusion::code`].
    pub reason: String,
    /// The French reason.
    pub label: String,
    pub net: Cents,
}

/// Variable elements of the last month deferred for an agent and a month: kept for the
/// hand-back, never paid by a repeated month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferred {
    pub matricule: String,
    pub name: String,
    pub service: String,
    pub month: crate::calendar::Month,
    pub amount: Cents,
}
