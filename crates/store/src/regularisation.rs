//! Regularising a run paid before its mandat (arrêté of 16 February 2015; issue #24): one
//! bordereau of mandats émis après paiement (PES TypPce 05), one per mandate of the run, whose
//! numbers continue the exercice's — the same gap-free counters as the runs' validations
//! ([`crate::numbering`]).
//!
//! The file is written before its numbers are recorded (its SHA-256 is kept with them), from
//! the exercice's next numbers as read then; [`RegularisationStore::record_regularisation`]
//! takes them in one transaction with the journal entry `run_regularise`, and refuses them if
//! another writer took numbers meanwhile (the file is then thrown away and written again).
//! A run is regularised once: its numbers and digest are kept for good (migration 32,
//! `run_regularisations`, never updated nor deleted); asking again gives them back.
//!
//! Rules, checked in the recording transaction and not only by the caller: role ordonnateur;
//! the run validated and exported (its payments made); never a payroll
//! ([`relais_core::regularisation::may_regularise`]).

use crate::StoreError;
use relais_core::run::{RunId, RunStatus};

/// A run's regularisation, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRegularisation {
    pub run: RunId,
    pub exercice: i16,
    /// The first and last `IdBord` (the same but for a run of more than 99,999 mandates).
    pub bordereau: u32,
    pub last_bordereau: u32,
    pub first_mandate: u32,
    pub last_mandate: u32,
    /// SHA-256 (hex) of the PES file written with these numbers.
    pub sha256: String,
    pub journal_seq: u64,
    pub by: String,
    /// The authority's local time, `2026-12-01 09:14`.
    pub at: String,
}

/// A regularisation to record: the numbers its file was written with, and its digest.
#[derive(Debug, Clone)]
pub struct RecordRegularisation<'a> {
    pub run: RunId,
    pub actor: &'a str,
    pub local_time: &'a str,
    pub exercice: i16,
    pub bordereau: u32,
    pub last_bordereau: u32,
    pub first_mandate: u32,
    pub last_mandate: u32,
    pub sha256: &'a str,
    /// The file's name, for the journal.
    pub file: &'a str,
}

/// Why a run cannot be regularised, in French for the agent.
#[derive(Debug, thiserror::Error)]
pub enum RegularisationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("aucun paiement {0}")]
    NotFound(RunId),
    #[error("{run} : {reason}")]
    Refused { run: RunId, reason: &'static str },
    #[error(
        "le paiement {run} est {status} : seul un paiement validé puis exporté (ses virements faits) se régularise",
        status = .status.label_fr()
    )]
    NotValidated { run: RunId, status: RunStatus },
    #[error(
        "le paiement {0} n'a pas été exporté : ses virements ne sont pas faits, il n'y a rien à régulariser (relais run export d'abord)"
    )]
    NotExported(RunId),
    #[error("numérotation de l'exercice {0} non confirmée (relais numbering set)")]
    NoNumbering(i16),
    #[error(
        "la numérotation de l'exercice {exercice} a avancé pendant l'écriture du fichier (dernier bordereau {last_bordereau}, dernier mandat {last_mandate}) : recommencez"
    )]
    NumberingMoved {
        exercice: i16,
        last_bordereau: u32,
        last_mandate: u32,
    },
}

/// What a store of regularisations offers.
pub trait RegularisationStore {
    /// The run's regularisation, when recorded.
    fn regularisation(&self, run: RunId) -> Result<Option<RunRegularisation>, RegularisationError>;
    /// Whether the run's files were exported (a `run_export` entry in the journal).
    fn run_exported(&self, run: RunId) -> Result<bool, RegularisationError>;
    /// Records the regularisation of `req.run` with the numbers its file was written with,
    /// taking them from the exercice's numbering, with its journal entry, in one
    /// transaction. When the run is already regularised, gives the recorded one back and
    /// `false`, taking nothing.
    fn record_regularisation(
        &mut self,
        req: &RecordRegularisation<'_>,
    ) -> Result<(RunRegularisation, bool), RegularisationError>;
}
