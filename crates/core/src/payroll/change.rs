//! A change of an agent's situation while the payroll system is down: an entry, an exit, a new
//! net, new bank details. Asked by one user with its proof (an arrêté), applied to the payroll
//! only once an ordonnateur other than the asker approved it.

use crate::Cents;
use crate::ids::{Bic, Iban};
use crate::records::Agent;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentChange {
    /// A new agent (not in `agents.csv`), or an agent's entry date.
    Entry(Box<Agent>),
    /// The agent leaves on `date` (last day in post).
    Exit { date: Date },
    /// The agent's monthly net (their lines, if any, are no longer repeated: the net alone is).
    Net { net: Cents },
    /// New bank details.
    Bank { iban: Iban, bic: Bic },
}

impl AgentChange {
    pub fn code(&self) -> &'static str {
        match self {
            AgentChange::Entry(_) => "entree",
            AgentChange::Exit { .. } => "sortie",
            AgentChange::Net { .. } => "net",
            AgentChange::Bank { .. } => "rib",
        }
    }

    /// In French, for the lists: `sortie le 15/12/2026`.
    pub fn describe(&self) -> String {
        match self {
            AgentChange::Entry(a) => format!(
                "entrée le {} ({} {}, net {}, {})",
                a.entry_date.strftime("%d/%m/%Y"),
                a.last_name,
                a.first_name,
                a.net_monthly,
                a.service
            ),
            AgentChange::Exit { date } => format!("sortie le {}", date.strftime("%d/%m/%Y")),
            AgentChange::Net { net } => format!("net mensuel porté à {net}"),
            AgentChange::Bank { iban, .. } => {
                let s = iban.as_str();
                format!(
                    "nouvelles coordonnées bancaires ({}…{})",
                    s.get(..4).unwrap_or(""),
                    s.get(s.len().saturating_sub(4)..).unwrap_or("")
                )
            }
        }
    }

    /// `agent` with this change applied. A new net drops the agent's lines (`true`): the net
    /// alone is repeated.
    pub fn apply(&self, agent: &mut Agent) -> bool {
        match self {
            AgentChange::Entry(a) => {
                agent.entry_date = a.entry_date;
                false
            }
            AgentChange::Exit { date } => {
                agent.exit_date = Some(*date);
                false
            }
            AgentChange::Net { net } => {
                agent.net_monthly = *net;
                true
            }
            AgentChange::Bank { iban, bic } => {
                agent.iban = iban.clone();
                agent.bic = bic.clone();
                false
            }
        }
    }
}

/// A change as recorded, with who asked and who decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: u64,
    pub matricule: String,
    pub change: AgentChange,
    /// The proof: the arrêté's reference.
    pub proof: String,
    pub reason: String,
    pub asked_by: String,
    pub asked_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// `Some(true)` approved, `Some(false)` refused, `None` waiting.
    pub approved: Option<bool>,
    pub refusal: Option<String>,
}

impl ChangeRecord {
    /// Where the request stands, in French: `approuvée par …`, `refusée par … : motif`,
    /// `en attente d'un ordonnateur`.
    pub fn state_fr(&self) -> String {
        match (self.approved, &self.decided_by) {
            (Some(true), Some(by)) => format!("approuvée par {by}"),
            (Some(false), Some(by)) => format!(
                "refusée par {by} : {}",
                self.refusal.as_deref().unwrap_or("")
            ),
            _ => "en attente d'un ordonnateur".into(),
        }
    }
}
