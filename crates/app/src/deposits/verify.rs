//! A receipt's code checked: its signature against the authority's public key, then what the
//! register says of its deposit, and the facts printed on the paper against those the code
//! binds.

use crate::error::AppError;
use relais_core::Cents;
use relais_core::deposits::Deposit;
use relais_documents::code::{
    BoundFacts, ReceiptSummary, VerifyingKey, depositor_digest, dossier_digest,
    invoice_number_digest,
};
use relais_store::Backend;

/// What the register says of a code's deposit.
pub enum InRegister {
    /// Checked offline (no data folder).
    NotChecked,
    Absent,
    Differs,
    Same(Box<Deposit>),
}

impl InRegister {
    /// The cancellation of the code's deposit, when the register holds it cancelled.
    pub fn cancellation(&self) -> Option<&relais_core::deposits::Cancellation> {
        match self {
            InRegister::Same(d) => d.cancellation.as_ref(),
            _ => None,
        }
    }
}

/// The summary a genuine code carries, or why it is not genuine (French).
pub fn code(code: &str, key: &VerifyingKey) -> Result<ReceiptSummary, String> {
    relais_documents::code::verify(code, key).map_err(|e| e.to_string())
}

/// What the register holds for the code's deposit.
pub fn in_register(store: &dyn Backend, summary: &ReceiptSummary) -> Result<InRegister, AppError> {
    Ok(
        match store.deposit(summary.number).map_err(AppError::Deposit)? {
            None => InRegister::Absent,
            Some(d) if summary.matches(&d) => InRegister::Same(Box::new(d)),
            Some(_) => InRegister::Differs,
        },
    )
}

/// The facts printed on the paper receipt, as the checker types them.
#[derive(Default)]
pub struct Given<'a> {
    pub depositor: Option<&'a str>,
    pub amount: Option<&'a str>,
    pub siret: Option<&'a str>,
    pub invoice_number: Option<&'a str>,
    pub dossier: Option<&'a str>,
}

/// One fact given, against the code: the same, different, or not bound by this code.
pub struct Compared<'a> {
    /// Its name, in French ("déposant", "montant"…).
    pub what: &'static str,
    pub given: &'a str,
    pub same: Option<bool>,
}

/// Each fact given, against the code, in the order the check says them.
pub fn compare<'a>(given: &Given<'a>, s: &ReceiptSummary) -> Vec<Compared<'a>> {
    let mut out = Vec::new();
    if let Some(name) = given.depositor {
        out.push(Compared {
            what: "déposant",
            given: name,
            same: Some(depositor_digest(name) == s.depositor_digest),
        });
    }
    let invoice = match &s.facts {
        BoundFacts::Invoice {
            amount,
            siret,
            number_digest,
        } => Some((amount, siret, number_digest)),
        _ => None,
    };
    if let Some(typed) = given.amount {
        out.push(Compared {
            what: "montant",
            given: typed,
            same: invoice.map(|(amount, ..)| Cents::parse(typed).ok() == Some(*amount)),
        });
    }
    if let Some(typed) = given.siret {
        let same = invoice.map(|(_, siret, _)| {
            typed
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                == siret.as_str()
        });
        out.push(Compared {
            what: "SIRET",
            given: typed,
            same,
        });
    }
    if let Some(typed) = given.invoice_number {
        out.push(Compared {
            what: "numéro de facture",
            given: typed,
            same: invoice.map(|(.., digest)| invoice_number_digest(typed) == *digest),
        });
    }
    if let Some(typed) = given.dossier {
        let bound = match &s.facts {
            BoundFacts::Application { dossier, .. } | BoundFacts::Documents { dossier, .. } => {
                Some(*dossier)
            }
            _ => None,
        };
        out.push(Compared {
            what: "numéro de dossier",
            given: typed,
            same: bound.map(|d| d == Some(dossier_digest(typed))),
        });
    }
    out
}
