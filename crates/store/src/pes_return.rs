//! The accountant's return (issue #24, `relais pes retour`): the pieces of a
//! `PES_DepenseRetour` (read by `relais_formats::pes_return`) matched with the mandats Relais
//! issued — benefit, payroll and supplier runs, by (exercice, `IdBord`, `IdPce`) — and applied
//! in one transaction with one journal entry (`pes_return`) per file.
//!
//! Effects: a supplier invoice whose mandat is paid becomes paid (the return's date, source
//! "retour du comptable"); one whose mandat is rejected gets the rejection and its reason and
//! waits for a later supplier run (its claim released); a benefit run's rejected mandat
//! releases its lines' claims for the run's month, so that a later run of that month pays
//! those rights — once. A payroll mandat's state is recorded (a rejected pay is handled by
//! hand). A piece Relais never issued is reported; a regularisation request (TypBord 04,
//! TypPce 12 or 14) is recorded for a later regularisation mandat.
//!
//! Invariants, in the schema (migration 31): a file is applied once (its SHA-256); every
//! piece's state is kept for good; a mandat is paid or rejected once — rejected after being
//! paid (or paid after being rejected) is refused with its reason; a validated run's claim
//! is deleted only when a release names it, and a release only for a mandat the return
//! rejected and never paid.

use crate::StoreError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::journal::Entry;
use relais_formats::pes_return::{LineColumn, PieceState, ReturnedPiece};
use serde::{Deserialize, Serialize};

/// A return file to apply: its pieces as read, its digest and its name (for the journal).
#[derive(Debug, Clone, Copy)]
pub struct ReturnFile<'a> {
    pub sha256: &'a str,
    pub name: &'a str,
    pub pieces: &'a [ReturnedPiece],
    /// The authority's local time (`2026-12-10 09:14`), and its day: the day of the steps.
    pub local_time: &'a str,
    pub today: Date,
}

/// The kind of run that issued a mandat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MandateOf {
    Benefits,
    Payroll,
    Suppliers,
}

/// What Relais made of a returned piece.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PieceOutcome {
    /// Paid (soldé): on `on`, for `amount` (the `PaiementEmargement`s; `None` without any);
    /// the invoices it paid.
    Paid {
        run: String,
        of: MandateOf,
        on: Option<Date>,
        amount: Option<Cents>,
        invoices: Vec<String>,
    },
    /// Rejected for `reason`: the invoices to mandate again, the rights payable again for
    /// `month` (a benefit run's).
    Rejected {
        run: String,
        of: MandateOf,
        reason: String,
        invoices: Vec<String>,
        month: String,
        released_rights: u64,
    },
    TakenInCharge {
        run: String,
        of: MandateOf,
    },
    OnHold {
        run: String,
        of: MandateOf,
        reason: String,
    },
    /// Its state was already known from an earlier return: nothing changes.
    AlreadyKnown {
        run: String,
        of: MandateOf,
    },
    /// Refused, and why (rejected after being paid, paid after being rejected).
    Refused {
        run: String,
        of: MandateOf,
        why: String,
    },
    /// Relais never issued it.
    Unknown,
    /// A regularisation request (TypPce 12: a mandat to issue; 14: a titre).
    Request {
        typ_pce: u8,
        amount: Cents,
        object: Option<String>,
    },
}

/// A piece of the file and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PieceReport {
    pub exercice: i16,
    pub bordereau: u32,
    pub piece: u64,
    pub state: PieceState,
    /// Where the piece is in the file.
    pub at: LineColumn,
    pub outcome: PieceOutcome,
}

/// When a file was applied before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedBefore {
    pub seq: u64,
    pub by: String,
    pub at: String,
}

/// A return applied (or found applied before: then nothing changed, and the pieces' outcomes
/// are those of that time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnApplied {
    pub pieces: Vec<PieceReport>,
    /// The journal entry written; `None` when the file was applied before.
    pub entry: Option<Entry>,
    pub before: Option<AppliedBefore>,
}

/// A regularisation request the accountant sent (TypBord 04), as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularisationRequest {
    pub exercice: i16,
    pub bordereau: u32,
    pub piece: u64,
    pub typ_pce: u8,
    pub nat_pce: u8,
    pub object: Option<String>,
    pub amount: Cents,
    pub paid_on: Option<Date>,
    /// The return that brought it, and its journal entry.
    pub sha256: String,
    pub seq: u64,
}

/// What a store of the accountant's returns offers.
pub trait PesReturnStore {
    /// Applies the return `file` for `actor` (liquidation, ordonnateur or admin), all in one
    /// transaction with one journal entry; a file applied before changes nothing and is said
    /// so ([`ReturnApplied::before`]).
    fn apply_pes_return(
        &mut self,
        actor: &str,
        file: &ReturnFile<'_>,
    ) -> Result<ReturnApplied, StoreError>;
    /// Every regularisation request received, by exercice, bordereau and piece.
    fn regularisation_requests(&self) -> Result<Vec<RegularisationRequest>, StoreError>;
}
