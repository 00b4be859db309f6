//! Deposits at the desk and their receipts: what `relais deposit …`, `relais receipt …` and
//! the web's courrier screens all call, so that the steps, and what goes wrong, are the same
//! on both: register (the receipt's code signed in the same transaction), the receipt's PDF
//! (with the application a deposit of documents completes), cancel, list and search, and
//! check a receipt's code ([`verify`]).

pub mod verify;

use crate::data::DataDir;
use crate::error::{AppError, IoAction, Missing, Refusal};
use jiff::tz::TimeZone;
use relais_core::deposits::{ChronoNumber, Deposit, DepositKind, Desk, KindRules, NewDeposit};
use relais_core::roles::Role;
use relais_core::settings::Settings;
use relais_core::text::search_key;
use relais_documents::code::{ReceiptKey, ReceiptSummary};
use relais_documents::{Completed, ReceiptInput, write_receipt};
use relais_store::Backend;
use relais_store::deposits::{DepositFilter, completed_application, resolve_service};
use std::path::PathBuf;

/// The rules of `kind` among `rules`.
pub fn rules_for(rules: &[KindRules], kind: DepositKind) -> Result<&KindRules, AppError> {
    rules
        .iter()
        .find(|r| r.kind == kind)
        .ok_or(AppError::NoKindRules(kind))
}

/// The label of `kind` among `rules` ("Demande d'APA"…), or its code when it has none.
pub fn kind_label(rules: &[KindRules], kind: DepositKind) -> String {
    rules
        .iter()
        .find(|r| r.kind == kind)
        .map_or_else(|| kind.as_str().to_owned(), |r| r.label.clone())
}

/// How far back a time of receipt may be declared, in hours (`[courrier]
/// backdate_window_hours`, or its default without settings).
pub fn backdate_window_hours(settings: Option<&Settings>) -> u32 {
    settings.map_or(relais_core::deposits::DEFAULT_BACKDATE_WINDOW_HOURS, |s| {
        s.courrier().backdate_window_hours
    })
}

/// The desk at `now`: the authority's time zone and the window of a declared time of receipt.
pub fn desk<'t>(settings: Option<&Settings>, tz: &'t TimeZone, now: jiff::Timestamp) -> Desk<'t> {
    Desk {
        now,
        tz,
        backdate_window_hours: backdate_window_hours(settings),
    }
}

/// A deposit number as typed (`2026-000017`).
pub fn number(typed: &str) -> Result<ChronoNumber, AppError> {
    ChronoNumber::parse(typed).map_err(|e| AppError::DepositNumber(e.to_string()))
}

/// Registers `new` for `actor` (role courrier or accueil): the kind's rules and its service's
/// contact details are checked first (the receipt must carry them), then the store gives the
/// number and the code, signed with `key`, in one transaction. Nothing is registered when any
/// step refuses.
pub fn register(
    store: &mut dyn Backend,
    actor: &str,
    new: &NewDeposit,
    tz: &TimeZone,
    rules: &[KindRules],
    key: &ReceiptKey,
) -> Result<Deposit, AppError> {
    if store.authorize(actor, Role::Courrier).is_err()
        && store.authorize(actor, Role::Accueil).is_err()
    {
        return Err(AppError::Refused(Refusal::NotDeskAgent(actor.to_owned())));
    }
    let rule = rules_for(rules, new.kind)?;
    resolve_service(&*store, rule).map_err(AppError::NoService)?;
    let deposit = store
        .register_deposit(
            actor,
            new,
            tz,
            &mut |d| Ok(key.sign(&ReceiptSummary::of(d))),
        )
        .map_err(AppError::Deposit)?;
    tracing::info!(number = %deposit.number, kind = %deposit.facts.kind, "deposit registered");
    Ok(deposit)
}

/// What a deposit's receipt prints beyond the deposit: its kind's rules, the service that
/// handles it, and the application it completes.
pub struct Receipt<'r> {
    rules: &'r KindRules,
    service: relais_core::deposits::ServiceContact,
    completed: Option<(Deposit, &'r KindRules)>,
}

impl<'r> Receipt<'r> {
    /// Gathers what the receipt of `deposit` prints.
    pub fn of(
        store: &dyn Backend,
        rules: &'r [KindRules],
        deposit: &Deposit,
    ) -> Result<Receipt<'r>, AppError> {
        let rule = rules_for(rules, deposit.facts.kind)?;
        let service = resolve_service(store, rule).map_err(AppError::NoService)?;
        let completed = match completed_application(store, deposit).map_err(AppError::Deposit)? {
            Some(first) => {
                let first_rules = rules_for(rules, first.facts.kind)?;
                Some((first, first_rules))
            }
            None => None,
        };
        Ok(Receipt {
            rules: rule,
            service,
            completed,
        })
    }

    /// The receipt's PDF, written to `out`.
    pub fn write(
        &self,
        authority: &str,
        tz: &TimeZone,
        deposit: &Deposit,
        out: &mut dyn std::io::Write,
    ) -> Result<(), relais_documents::DocumentError> {
        let input = ReceiptInput {
            authority,
            tz,
            rules: self.rules,
            service: &self.service,
            deposit,
            completed: self
                .completed
                .as_ref()
                .map(|(deposit, rules)| Completed { deposit, rules }),
        };
        write_receipt(&input, out)
    }
}

/// The receipt of `deposit` as a PDF, in memory (the web's download).
pub fn receipt_pdf(
    store: &dyn Backend,
    authority: &str,
    tz: &TimeZone,
    rules: &[KindRules],
    deposit: &Deposit,
) -> Result<Vec<u8>, AppError> {
    let receipt = Receipt::of(store, rules, deposit)?;
    let mut out = Vec::new();
    receipt
        .write(authority, tz, deposit, &mut out)
        .map_err(|e| AppError::Receipt(Box::new(e)))?;
    Ok(out)
}

impl DataDir {
    /// Where the receipt of deposit `number` is kept: `DATA/receipts/NUMBER.pdf`.
    pub fn receipt_path(&self, number: ChronoNumber) -> PathBuf {
        self.path.join("receipts").join(format!("{number}.pdf"))
    }

    /// Writes the receipt of `deposit` in the data folder (atomically); returns its path.
    pub fn save_receipt(
        &self,
        store: &dyn Backend,
        authority: &str,
        tz: &TimeZone,
        rules: &[KindRules],
        deposit: &Deposit,
    ) -> Result<PathBuf, AppError> {
        let receipt = Receipt::of(store, rules, deposit)?;
        let path = self.receipt_path(deposit.number);
        let dir = self.path.join("receipts");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::io(IoAction::Create, &dir, e))?;
        crate::fsio::write_atomic_with(&path, |w| {
            receipt
                .write(authority, tz, deposit, w)
                .map_err(std::io::Error::other)
        })?;
        Ok(path)
    }
}

/// Cancels deposit `number` for `actor`, with `reason`: the number stays in the register.
pub fn cancel(
    store: &mut dyn Backend,
    actor: &str,
    number: ChronoNumber,
    reason: &str,
) -> Result<Deposit, AppError> {
    store
        .cancel_deposit(actor, number, reason)
        .map_err(AppError::Deposit)
}

/// The deposit `number`.
pub fn deposit(store: &dyn Backend, number: ChronoNumber) -> Result<Deposit, AppError> {
    store
        .deposit(number)
        .map_err(AppError::Deposit)?
        .ok_or(AppError::NotFound(Missing::Deposit(number)))
}

/// The deposits `filter` selects, by number (oldest first).
pub fn list(store: &dyn Backend, filter: &DepositFilter) -> Result<Vec<Deposit>, AppError> {
    store.deposits(filter).map_err(AppError::Deposit)
}

/// Whether a deposit answers a searched text, as [`search_key`] makes it (accents and case
/// ignored): its number, depositor, subject or file.
pub fn answers(d: &Deposit, key: &str) -> bool {
    if key.is_empty() {
        return true;
    }
    let hay = [
        d.number.to_string(),
        d.facts.depositor.clone(),
        d.facts.subject.clone().unwrap_or_default(),
        d.facts.dossier.clone().unwrap_or_default(),
    ];
    hay.iter().any(|h| search_key(h).contains(key))
}
