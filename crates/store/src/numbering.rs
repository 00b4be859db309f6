//! The PES numbering of an exercice: the last bordereau (`IdBord`) and mandate (`IdPce`)
//! numbers, continuing the old system's.
//!
//! Hélios refuses a bordereau whose number it already holds, and mandate numbers run over the
//! whole exercice. In a crisis the authority's own system is encrypted; the public accountant
//! (the paierie) knows the last numbers it received. An ordonnateur records them here as the
//! paierie confirmed them ([`NumberingStore::set_numbering`], one journal entry); each
//! validated run then takes the next ones (`relais_store::runs`), in the same transaction as
//! its validation: no gap, no repeat.
//!
//! Invariants, enforced by the schema (migration 15) and not only by queries:
//! - numbers never go back: the last numbers given only grow;
//! - once Relais has given a number in an exercice, its confirmed numbering never changes;
//! - a numbering is never deleted.
//!
//! The same row keeps `MtCumulAnnuel`, the amount mandated in the exercice so far: from the
//! amount the paierie confirmed (0 when not given), plus each validated run's mandates.

use crate::StoreError;
use relais_core::Cents;
use relais_core::journal::Entry;

/// The largest `IdBord` (7 digits, `PES_DepenseAller`).
pub const MAX_BORDEREAU: u32 = 9_999_999;
/// The largest `IdPce` (8 digits).
pub const MAX_MANDATE: u32 = 99_999_999;

/// An exercice's numbering: what the paierie confirmed, and what Relais gave since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciceNumbering {
    pub exercice: i16,
    /// The last `IdBord` and `IdPce` of the exercice the paierie confirmed, and the amount
    /// already mandated in it.
    pub confirmed_bordereau: u32,
    pub confirmed_mandate: u32,
    pub confirmed_cumul: Cents,
    /// Who recorded the confirmation, when (the authority's time, `2026-12-01 09:14`), why.
    pub confirmed_by: String,
    pub confirmed_at: String,
    pub reason: String,
    /// The last numbers given so far (the confirmed ones until a run is validated).
    pub last_bordereau: u32,
    pub last_mandate: u32,
    /// `MtCumulAnnuel`: mandated in the exercice so far, validated runs included.
    pub cumul: Cents,
}

impl ExerciceNumbering {
    /// Whether Relais has given a number in this exercice (then the confirmation is final).
    pub fn given(&self) -> bool {
        self.last_bordereau > self.confirmed_bordereau || self.last_mandate > self.confirmed_mandate
    }
}

/// A confirmation of an exercice's last numbers, by an ordonnateur.
#[derive(Debug, Clone)]
pub struct SetNumbering<'a> {
    pub exercice: i16,
    pub last_bordereau: u32,
    pub last_mandate: u32,
    /// The amount already mandated in the exercice, when the paierie gave it.
    pub cumul: Cents,
    pub reason: &'a str,
    pub actor: &'a str,
    /// The authority's local time, `2026-12-01 09:14`.
    pub local_time: &'a str,
}

/// Why a numbering could not be recorded, in French for the agent.
#[derive(Debug, thiserror::Error)]
pub enum NumberingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("le motif est vide : dites qui, à la paierie, a confirmé ces numéros et quand")]
    EmptyReason,
    #[error("exercice {0} hors de 2000 à 2999")]
    Exercice(i16),
    #[error("{field} {value} hors limites (de 0 à {max})")]
    OutOfRange {
        field: &'static str,
        value: i64,
        max: i64,
    },
    #[error(
        "la numérotation de l'exercice {exercice} ne peut plus changer : Relais a déjà donné des numéros (dernier bordereau {last_bordereau}, dernier mandat {last_mandate}) — les numéros ne reviennent jamais en arrière"
    )]
    AlreadyGiven {
        exercice: i16,
        last_bordereau: u32,
        last_mandate: u32,
    },
}

impl SetNumbering<'_> {
    /// What the schema would refuse, said before.
    pub fn check(&self) -> Result<(), NumberingError> {
        if self.reason.trim().is_empty() {
            return Err(NumberingError::EmptyReason);
        }
        if !(2000..=2999).contains(&self.exercice) {
            return Err(NumberingError::Exercice(self.exercice));
        }
        if self.last_bordereau >= MAX_BORDEREAU {
            return Err(NumberingError::OutOfRange {
                field: "dernier bordereau",
                value: i64::from(self.last_bordereau),
                max: i64::from(MAX_BORDEREAU) - 1,
            });
        }
        if self.last_mandate >= MAX_MANDATE {
            return Err(NumberingError::OutOfRange {
                field: "dernier mandat",
                value: i64::from(self.last_mandate),
                max: i64::from(MAX_MANDATE) - 1,
            });
        }
        if self.cumul.0 < 0 {
            return Err(NumberingError::OutOfRange {
                field: "cumul annuel",
                value: self.cumul.0,
                max: i64::MAX,
            });
        }
        Ok(())
    }
}

/// What the imported history paid in an exercice (by the year of its payment date): what the
/// old system mandated, to compare with the numbers the paierie gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryInExercice {
    /// Distinct payment dates (the old system sent at least a bordereau for each).
    pub pay_dates: u32,
    pub payments: u64,
    pub total: Cents,
}

/// What a store of numberings offers.
pub trait NumberingStore {
    /// Records the last numbers of an exercice as the paierie confirmed them (role
    /// ordonnateur), with its journal entry. Refused once Relais gave a number in it.
    fn set_numbering(
        &mut self,
        req: &SetNumbering<'_>,
    ) -> Result<(ExerciceNumbering, Entry), NumberingError>;
    /// Every exercice's numbering, latest exercice first.
    fn numberings(&self) -> Result<Vec<ExerciceNumbering>, NumberingError>;
    fn numbering(&self, exercice: i16) -> Result<Option<ExerciceNumbering>, NumberingError>;
    /// What the imported history paid in `exercice`.
    fn history_in_exercice(&self, exercice: i16) -> Result<HistoryInExercice, NumberingError>;
}
