//! Changes of bank details asked at the desk: the proof seen is recorded, and nothing changes
//! for payments until another agent (instruction or ordonnateur) approves. Approving writes
//! the new details to the payee, dated, and marks them approved, so the next run pays them
//! without flagging them as an unapproved change.

use crate::StoreError;
use relais_core::ids::{Bic, Iban};

/// What the desk asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankChange {
    pub payee_id: String,
    /// The person from whose page it was asked.
    pub dossier: String,
    pub iban: Iban,
    pub bic: Bic,
    pub holder: String,
    /// The document seen: "RIB original présenté", "attestation bancaire du 2026-11-30"…
    pub proof: String,
}

/// A request, pending or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankChange {
    pub id: i64,
    pub payee_id: String,
    pub payee_name: String,
    pub dossier: String,
    /// The IBAN asked, masked but for its first and last four characters.
    pub iban_masked: String,
    pub holder: String,
    pub proof: String,
    pub requested_by: String,
    pub requested_at: String,
    pub status: String,
    pub decided_by: Option<String>,
}

/// Why a request or a decision is refused.
#[derive(Debug, thiserror::Error)]
pub enum BankChangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("tiers inconnu : {0}")]
    UnknownPayee(String),
    #[error("la pièce justificative vue n'est pas indiquée")]
    NoProof,
    #[error("le titulaire du compte n'est pas indiqué")]
    NoHolder,
    #[error("demande n° {0} introuvable")]
    NotFound(i64),
    #[error("la demande n° {0} est déjà traitée")]
    AlreadyDecided(i64),
    #[error("la demande n° {0} doit être validée par un autre agent que celui qui l'a faite")]
    SameAgent(i64),
}

impl From<rusqlite::Error> for BankChangeError {
    fn from(e: rusqlite::Error) -> BankChangeError {
        BankChangeError::Store(StoreError::from(e))
    }
}

pub trait BankChangeStore {
    /// Records a request by `actor` (role accueil or instruction); journaled.
    fn request_bank_change(
        &mut self,
        actor: &str,
        change: &NewBankChange,
    ) -> Result<i64, BankChangeError>;

    /// Approves (`approve`) or refuses a pending request, by another agent with the role
    /// instruction or ordonnateur; `today` dates the change of the payee's details.
    fn decide_bank_change(
        &mut self,
        actor: &str,
        id: i64,
        approve: bool,
        today: &str,
    ) -> Result<BankChange, BankChangeError>;

    /// Pending requests, oldest first.
    fn pending_bank_changes(&self) -> Result<Vec<BankChange>, BankChangeError>;
}
