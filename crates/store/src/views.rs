//! What the read-only queries of payment readiness return (`relais drill`, and later payment
//! runs): typed rows, parsed once from the store so that callers never see SQL text.

use jiff::civil::Date;
use relais_core::Cents;
use relais_core::payment::RightTerms;
use relais_core::records::{Benefit, PayeeKind, RightStatus};

/// A right as a payment run sees it: its terms, its person's death date, and its payee's kind
/// and last change of bank details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRight {
    pub right_id: String,
    pub dossier: String,
    pub benefit: Benefit,
    pub monthly_amount: Cents,
    pub start: Date,
    pub end: Date,
    pub status: RightStatus,
    pub payee_id: String,
    pub payee_kind: PayeeKind,
    pub iban_changed_on: Option<Date>,
    pub death_date: Option<Date>,
    /// The right's own budget imputation (the extract's column), when it has one.
    pub imputation: Option<String>,
}

impl PaymentRight {
    /// The terms [`relais_core::payment::due`] needs.
    pub fn terms(&self) -> RightTerms {
        RightTerms {
            benefit: self.benefit,
            monthly_amount: self.monthly_amount,
            start: self.start,
            end: self.end,
            status: self.status,
        }
    }
}

/// The agents on the payroll of a month and what they are paid.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Payroll {
    /// Agents in post for at least one day of the month.
    pub agents: u64,
    /// Sum of their net monthly pay.
    pub net_total: Cents,
    /// Sum of last month's variable elements (deferred in a crisis).
    pub variables_total: Cents,
    /// Of those, agents with lines in `paie.csv` (the others: their net alone).
    pub with_lines: u64,
    /// Of those, agents whose latest month's lines do not add up to their net (not paid).
    pub lines_off: u64,
    /// The creditors `paie.csv` names (besides `AGENT`): each must be in the settings.
    pub creditors: Vec<String>,
}

/// An invoice not yet paid (`factures.csv`), with its supplier's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub id: String,
    pub siret: relais_core::ids::Siret,
    pub supplier: String,
    pub number: String,
    pub invoice_date: Date,
    pub received_on: Date,
    pub amount_incl_tax: Cents,
    pub status: String,
}

/// How many rows of a file were rejected at import with one code. A row with several problems
/// counts once under each of its codes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlaggedCount {
    /// `droits`, `tiers`… ([`relais_formats::extract::Entity::name`]).
    pub entity: String,
    pub file: String,
    pub code: String,
    pub rows: u64,
}
