//! The hand-back (docs/journal-export.md): what the journal export reads, and the replica a
//! `relais journal apply` keeps of another authority's (or site's) journal: every event
//! applied, per origin (SIRET), its last (seq, hash), and the latest state of each entity.
//!
//! The replica's rules, checked in the writing transaction: an origin's events follow on from
//! the last one held (seq + 1, `prev` = its hash), else a gap or a fork is refused and nothing
//! is written; an event already held must have the same hash; an origin never seen takes the
//! export's `from` (seq, hash) as its base.

use crate::StoreError;
use relais_core::journal::{Entry, EntryHash};
use serde_json::Value;

/// The origin of the events an apply brings: the authority that wrote them and the point of
/// its journal the export starts after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub siret: String,
    pub name: String,
    /// The export's `from`: the events follow this entry (0 and [`EntryHash::GENESIS`] for
    /// the journal's start).
    pub from_seq: u64,
    pub from_hash: EntryHash,
}

/// One event as applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaEvent {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    /// The origin's journal payload, as it was hashed.
    pub payload: String,
    pub prev: EntryHash,
    pub hash: EntryHash,
    /// (type, id) of the entity changed, when known.
    pub entity: Option<(String, String)>,
    /// The entity's state before and after, as JSON text.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What became of one event pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Applied now.
    New,
    /// Already held, with the same hash.
    Known,
    /// Before the origin's base: not held, not checkable here.
    BeforeBase,
}

/// What an apply refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(
        "trou dans le journal de {siret} : l'événement n° {found} arrive alors que le dernier événement tenu est le n° {held} (il manque les n° {} à {})",
        .held + 1, .found - 1
    )]
    Gap {
        siret: String,
        held: u64,
        found: u64,
    },
    #[error(
        "fourche dans le journal de {siret} : l'événement n° {seq} ne suit pas l'événement n° {} tenu ici (empreinte précédente {prev}, tenue {held})",
        .seq - 1
    )]
    ForkPrev {
        siret: String,
        seq: u64,
        prev: String,
        held: String,
    },
    #[error(
        "fourche dans le journal de {siret} : l'événement n° {seq} est déjà tenu avec une autre empreinte ({held}, reçue {found})"
    )]
    ForkHash {
        siret: String,
        seq: u64,
        held: String,
        found: String,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    pub new: u64,
    pub known: u64,
    pub before_base: u64,
    /// The target's journal entry `journal_apply`, when something was applied.
    pub entry: Option<Entry>,
}

/// One apply, in one transaction: nothing is written until [`ApplySession::commit`], and
/// dropping the session (after a refusal) rolls everything back.
pub trait ApplySession {
    fn push(&mut self, event: &ReplicaEvent) -> Result<Pushed, ReplicaError>;
    /// Commits, with the journal entry `journal_apply` (`payload` plus the counts) when
    /// something new was applied; otherwise writes nothing at all.
    fn commit(self: Box<Self>, payload: Value) -> Result<Applied, ReplicaError>;
}

/// An origin as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaOrigin {
    pub siret: String,
    pub name: String,
    pub base_seq: u64,
    pub base_hash: EntryHash,
    pub last_seq: u64,
    pub last_hash: EntryHash,
    pub events: u64,
}

/// The latest state of one entity of an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectedEntity {
    pub entity_type: String,
    pub entity_id: String,
    pub seq: u64,
    pub kind: String,
    /// JSON text.
    pub state: String,
}

/// Details of a journal entry that its payload does not hold and the store does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    pub before: Option<Value>,
    /// Replaces the payload as `after` when given.
    pub after: Option<Value>,
}

/// What the journal export reads and the replica writes.
pub trait HandbackStore {
    /// Entry `seq`.
    fn journal_entry(&self, seq: u64) -> Result<Option<Entry>, StoreError>;
    /// The last entry of `kind`.
    fn last_journal_entry_of_kind(&self, kind: &str) -> Result<Option<Entry>, StoreError>;
    /// Calls `each` with entries `from + 1 ..= to`, in order, one at a time.
    fn each_journal_entry(
        &self,
        from: u64,
        to: u64,
        each: &mut dyn FnMut(&Entry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// What the store holds beyond `entry`'s payload (full bank details, the state before).
    fn journal_detail(&self, entry: &Entry, payload: &Value) -> Result<Detail, StoreError>;
    /// Journals an export (kind `journal_export`, role admin checked in the transaction).
    fn record_journal_export(&mut self, actor: &str, payload: &Value) -> Result<Entry, StoreError>;

    /// Starts applying `origin`'s events by `actor` (role admin, checked now).
    fn begin_apply(
        &mut self,
        actor: &str,
        origin: &Origin,
    ) -> Result<Box<dyn ApplySession + '_>, ReplicaError>;
    /// Every origin held, by SIRET.
    fn replica_origins(&self) -> Result<Vec<ReplicaOrigin>, StoreError>;
    /// The latest state of each entity of `siret`, by type then id.
    fn each_projected_entity(
        &self,
        siret: &str,
        each: &mut dyn FnMut(&ProjectedEntity) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}
