//! The register of paper deposits: a storage contract of its own, beside [`crate::Store`], so
//! that the courrier service's register evolves without touching the main trait.
//!
//! Invariant: a chrono number is given by the same transaction (`BEGIN IMMEDIATE`) that records
//! the deposit and its journal entry; a number that was ever seen was committed, and the numbers
//! of a year run 1, 2, 3… with no gap and no repeat, whatever the number of writers.

use crate::StoreError;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::deposits::{ChronoNumber, Deposit, DepositKind, NewDeposit, ServiceContact};

/// Why a deposit operation failed, in French for the agent.
#[derive(Debug, thiserror::Error)]
pub enum DepositStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("aucun dépôt n° {0} dans le registre")]
    NotFound(ChronoNumber),
    #[error("le dépôt n° {0} est déjà annulé")]
    AlreadyCancelled(ChronoNumber),
    #[error("le motif d'annulation est vide (--reason)")]
    EmptyReason,
    #[error("l'utilisateur « {0} » n'a ni le rôle « courrier » ni le rôle « accueil »")]
    NotDeskAgent(String),
    #[error("les numéros de l'année {0} sont épuisés (999 999 dépôts)")]
    Exhausted(i16),
    #[error("aucune personne n'a le numéro de dossier « {0} »")]
    UnknownDossier(String),
    #[error("signature du récépissé impossible : {0}")]
    Seal(String),
    #[error("le dépôt n° {0} à compléter est absent du registre (--completes)")]
    CompletedUnknown(ChronoNumber),
    #[error("le dépôt n° {0} ne peut pas être complété : {1}")]
    NotCompletable(ChronoNumber, &'static str),
    #[error("le dépôt n° {0} est déjà complété par le dépôt n° {1}")]
    AlreadyCompleted(ChronoNumber, ChronoNumber),
    #[error(
        "les pièces concernent le dossier « {0} », le dépôt à compléter le dossier « {1} » (--dossier)"
    )]
    OtherDossier(String, String),
    #[error("l'heure de réception déclarée suit l'heure d'enregistrement (horloge du poste ?)")]
    ReceivedAfterRegistration,
    #[error("motif trop long ({0} caractères au plus) ou avec des caractères de contrôle")]
    BadReason(usize),
}

/// Which deposits to list: by kind, and by day of receipt in the authority's time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepositFilter {
    pub kind: Option<DepositKind>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Only the deposits of this person's file.
    pub dossier: Option<String>,
}

/// Computes the receipt's code of a deposit whose number and instant are known, inside the
/// registering transaction (so the code is stored with the deposit).
pub type Seal<'a> = &'a mut dyn FnMut(&Deposit) -> Result<String, String>;

/// What a store of deposits offers.
pub trait DepositStore {
    /// Registers `deposit` for `actor` (role `courrier` or `accueil`): takes the next number of
    /// the year of receipt in `tz` (numbers of a year follow registration), records the instant
    /// of registration (now) and of receipt (the same, unless the deposit says when), checks
    /// and ties the application it completes, calls `seal` for the receipt's code, and commits
    /// it all with a journal entry.
    fn register_deposit(
        &mut self,
        actor: &str,
        deposit: &NewDeposit,
        tz: &TimeZone,
        seal: Seal<'_>,
    ) -> Result<Deposit, DepositStoreError>;

    /// Cancels a number: it stays in the register, with the reason.
    fn cancel_deposit(
        &mut self,
        actor: &str,
        number: ChronoNumber,
        reason: &str,
    ) -> Result<Deposit, DepositStoreError>;

    fn deposit(&self, number: ChronoNumber) -> Result<Option<Deposit>, DepositStoreError>;

    /// The deposits matching `filter`, by number.
    fn deposits(&self, filter: &DepositFilter) -> Result<Vec<Deposit>, DepositStoreError>;

    /// The contact details of a directory entry (`site_code`), for the handling service.
    fn directory_contact(
        &self,
        site_code: &str,
    ) -> Result<Option<ServiceContact>, DepositStoreError>;
}

/// The handling service with every contact detail the receipt must print (CRPA R112-5): the
/// kind's own, completed from its directory entry. Names what is still missing.
pub fn resolve_service<S: DepositStore + ?Sized>(
    store: &S,
    rules: &relais_core::deposits::KindRules,
) -> Result<relais_core::deposits::ServiceContact, String> {
    let s = service_contact(store, rules).map_err(|e| e.to_string())?;
    let missing = s.missing();
    if !missing.is_empty() {
        return Err(format!(
            "service chargé des dépôts « {} » : {} manquant(s) ; le récépissé doit les porter (CRPA R112-5). \
             Renseignez-les dans deposit-kinds.toml ([{}.service]) ou dans l'annuaire.",
            rules.kind,
            missing.join(", "),
            rules.kind
        ));
    }
    Ok(s)
}

/// The handling service of a kind as known: the kind's own contact details, blank ones
/// filled from its directory entry; some may still be blank.
pub fn service_contact<S: DepositStore + ?Sized>(
    store: &S,
    rules: &relais_core::deposits::KindRules,
) -> Result<relais_core::deposits::ServiceContact, DepositStoreError> {
    let mut s = rules.service.clone();
    if let Some(code) = &rules.directory
        && let Some(entry) = store.directory_contact(code)?
    {
        for (target, value) in [
            (&mut s.name, entry.name),
            (&mut s.address, entry.address),
            (&mut s.email, entry.email),
            (&mut s.phone, entry.phone),
        ] {
            if target.trim().is_empty() {
                *target = value;
            }
        }
    }
    Ok(s)
}

/// The application a deposit of additional documents completes, for its receipt.
pub fn completed_application<S: DepositStore + ?Sized>(
    store: &S,
    d: &Deposit,
) -> Result<Option<Deposit>, DepositStoreError> {
    match d.facts.completes {
        None => Ok(None),
        Some(n) => store
            .deposit(n)?
            .map(Some)
            .ok_or(DepositStoreError::CompletedUnknown(n)),
    }
}
