//! The hand-back's reads of the journal and the replica of another journal
//! ([`crate::handback`]), migration 33.

pub(crate) mod apply;
mod bench;
pub(crate) mod detail;

use super::{SqliteStore, journal};
use crate::StoreError;
use crate::handback::{
    ApplySession, Detail, HandbackStore, Origin, ProjectedEntity, ReplicaError, ReplicaOrigin,
};
use relais_core::journal::{Entry, EntryHash};
use relais_core::roles::Role;
use rusqlite::OptionalExtension;
use serde_json::Value;

impl From<rusqlite::Error> for ReplicaError {
    fn from(e: rusqlite::Error) -> Self {
        ReplicaError::Store(e.into())
    }
}

/// A replica's stored hash (of event `seq`), read back.
pub(crate) fn hash(seq: u64, text: &str) -> Result<EntryHash, StoreError> {
    EntryHash::from_hex(text)
        .ok_or_else(|| StoreError::Corrupt(format!("replica event {seq}: hash {text:?}")))
}

pub(crate) fn seq(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl HandbackStore for SqliteStore {
    fn journal_entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{} WHERE seq = ?1", journal::SELECT))?;
        let mut rows = stmt.query([seq as i64])?;
        match rows.next()? {
            Some(row) => Ok(Some(journal::read_entry(row)??)),
            None => Ok(None),
        }
    }

    fn last_journal_entry_of_kind(&self, kind: &str) -> Result<Option<Entry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{} WHERE kind = ?1 ORDER BY seq DESC LIMIT 1",
            journal::SELECT
        ))?;
        let mut rows = stmt.query([kind])?;
        match rows.next()? {
            Some(row) => Ok(Some(journal::read_entry(row)??)),
            None => Ok(None),
        }
    }

    fn each_journal_entry(
        &self,
        from: u64,
        to: u64,
        each: &mut dyn FnMut(&Entry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{} WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
            journal::SELECT
        ))?;
        let mut rows = stmt.query([from as i64, to as i64])?;
        while let Some(row) = rows.next()? {
            let entry = journal::read_entry(row)??;
            each(&entry)?;
        }
        Ok(())
    }

    fn journal_detail(&self, entry: &Entry, payload: &Value) -> Result<Detail, StoreError> {
        detail::detail(&self.conn, entry, payload)
    }

    fn record_journal_export(&mut self, actor: &str, payload: &Value) -> Result<Entry, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        super::users::require_any(&tx, actor, &[Role::Admin])?;
        let entry = journal::append(&tx, actor, "journal_export", payload)?;
        tx.commit()?;
        Ok(entry)
    }

    fn begin_apply(
        &mut self,
        actor: &str,
        origin: &Origin,
    ) -> Result<Box<dyn ApplySession + '_>, ReplicaError> {
        Ok(Box::new(apply::SqliteApply::begin(
            &self.conn, actor, origin,
        )?))
    }

    fn replica_origins(&self) -> Result<Vec<ReplicaOrigin>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT siret, name, base_seq, base_hash, last_seq, last_hash, events
             FROM replica_origins ORDER BY siret",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let base_seq = seq(r.get(2)?);
            let last_seq = seq(r.get(4)?);
            out.push(ReplicaOrigin {
                siret: r.get(0)?,
                name: r.get(1)?,
                base_seq,
                base_hash: hash(base_seq, &r.get::<_, String>(3)?)?,
                last_seq,
                last_hash: hash(last_seq, &r.get::<_, String>(5)?)?,
                events: seq(r.get(6)?),
            });
        }
        Ok(out)
    }

    fn each_projected_entity(
        &self,
        siret: &str,
        each: &mut dyn FnMut(&ProjectedEntity) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT entity_type, entity_id, seq, kind, state FROM replica_entities
             WHERE siret = ?1 ORDER BY entity_type, entity_id",
        )?;
        let mut rows = stmt.query([siret])?;
        while let Some(r) = rows.next()? {
            each(&ProjectedEntity {
                entity_type: r.get(0)?,
                entity_id: r.get(1)?,
                seq: seq(r.get(2)?),
                kind: r.get(3)?,
                state: r.get(4)?,
            })?;
        }
        Ok(())
    }
}

/// The origin `siret` as held, inside the apply's transaction.
pub(super) fn held_origin(
    conn: &rusqlite::Connection,
    siret: &str,
) -> Result<Option<(u64, EntryHash, u64, EntryHash)>, StoreError> {
    let row: Option<(i64, String, i64, String)> = conn
        .query_row(
            "SELECT base_seq, base_hash, last_seq, last_hash FROM replica_origins WHERE siret = ?1",
            [siret],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    row.map(|(b, bh, l, lh)| Ok((seq(b), hash(seq(b), &bh)?, seq(l), hash(seq(l), &lh)?)))
        .transpose()
}
