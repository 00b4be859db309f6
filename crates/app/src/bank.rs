//! Changes of bank details: asked at the desk (`/personne/{dossier}`, `/tiers/{id}`), listed
//! while they hold a payee's rights (`relais bank list`, `/rib`), reviewed and decided by an
//! ordonnateur who did not ask (`relais bank show|approve|refuse`, `/rib/{id}`). Who may do
//! what is `relais_core::bank_change`, applied by the store; the steps are put in order here,
//! once for both front ends.

use crate::error::AppError;
use jiff::civil::Date;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban};
use relais_core::records::PayeeKind;
use relais_core::settings::Settings;
use relais_documents::french;
use relais_store::Backend;
use relais_store::bank::{
    BankChange, BankChangeError, BankChangeReview, HeldBankDetails, NewBankChange, window_days,
};

/// A change of bank details as the agent typed it.
pub struct Asked<'a> {
    pub payee_id: &'a str,
    /// The person's page it is asked from (then only the person's own payee), if any.
    pub dossier: Option<&'a str>,
    pub iban: &'a str,
    pub bic: &'a str,
    pub holder: &'a str,
    pub proof: &'a str,
}

/// Records a request by `actor`; its number. An IBAN or a BIC that cannot be read is
/// [`AppError::BankDetails`], said before anything is asked of the store.
pub fn request(store: &mut dyn Backend, actor: &str, asked: &Asked<'_>) -> Result<i64, AppError> {
    let iban = Iban::parse(asked.iban).map_err(|e| AppError::BankDetails(format!("IBAN : {e}")))?;
    let bic = Bic::parse(asked.bic).map_err(|e| AppError::BankDetails(format!("BIC : {e}")))?;
    let change = NewBankChange {
        payee_id: asked.payee_id.to_owned(),
        dossier: asked.dossier.map(str::to_owned),
        iban,
        bic,
        holder: asked.holder.to_owned(),
        proof: asked.proof.to_owned(),
    };
    store
        .request_bank_change(actor, &change)
        .map_err(AppError::Bank)
}

/// Every bank detail waiting for an ordonnateur, and the month the next run pays.
pub struct Held {
    pub held: Vec<HeldBankDetails>,
    pub next: Month,
}

/// What waits for a decision on `today`: requests asked at the desk, and details the extracts
/// changed that nobody approved, within the runs' window that `settings` give.
pub fn held(
    store: &dyn Backend,
    today: Date,
    settings: Option<&Settings>,
) -> Result<Held, AppError> {
    Ok(Held {
        held: store
            .held_bank_details(today, window_days(settings))
            .map_err(AppError::Bank)?,
        next: next_month(store, today)?,
    })
}

/// The month the next run pays by default (after a decision: when the payee is paid).
pub fn next_month(store: &dyn Backend, today: Date) -> Result<Month, AppError> {
    store.first_unpaid_month(today).map_err(AppError::Bank)
}

/// Request `id` with everything its decision needs.
pub fn review(store: &dyn Backend, id: i64) -> Result<BankChangeReview, AppError> {
    store
        .bank_change_review(id)
        .map_err(AppError::Bank)?
        .ok_or(AppError::Bank(BankChangeError::NotFound(id)))
}

/// Approves (`approve`) or refuses request `id`, by `actor`, on `today`.
pub fn decide(
    store: &mut dyn Backend,
    actor: &str,
    id: i64,
    approve: bool,
    today: Date,
) -> Result<BankChange, AppError> {
    store
        .decide_bank_change(actor, id, approve, &today.to_string())
        .map_err(AppError::Bank)
}

/// Approves a payee's details as the extracts changed them, for that change only; the
/// journal's entry number.
pub fn approve_imported(
    store: &mut dyn Backend,
    actor: &str,
    payee_id: &str,
) -> Result<u64, AppError> {
    store
        .approve_imported_change(actor, payee_id.trim())
        .map_err(AppError::Bank)
}

/// A payee's kind in French ("établissement"…), or as stored when unknown.
pub fn kind_label(kind: &str) -> String {
    PayeeKind::parse(kind).map_or_else(
        || kind.to_owned(),
        |k| french::payee_kind_label(k).to_owned(),
    )
}
