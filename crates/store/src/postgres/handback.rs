//! The hand-back's reads of the journal and the replica of another journal
//! ([`crate::handback`]) on PostgreSQL, as on SQLite (`sqlite/handback.rs`): the apply's
//! rules are SQLite's own ([`Follow`]); only the writing differs, by batches (see
//! [`apply`]).

mod apply;
mod detail;
mod merge;

use super::{PgStore, journal, write};
use crate::StoreError;
use crate::handback::{
    ApplySession, Detail, HandbackStore, Origin, ProjectedEntity, ReplicaError, ReplicaOrigin,
};
use crate::sqlite::handback::{hash, seq};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{GenericClient, Row};
use relais_core::journal::{Entry, EntryHash};
use relais_core::roles::Role;
use serde_json::Value;

/// Rows a stream reads at a time: memory stays flat however long the journal.
const PORTAL_ROWS: i32 = 10_000;

impl HandbackStore for PgStore {
    fn journal_entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        self.conn()?
            .query_opt(
                &format!("{} WHERE seq = $1", journal::SELECT),
                &[&(seq as i64)],
            )?
            .as_ref()
            .map(journal::read_entry)
            .transpose()
    }

    fn last_journal_entry_of_kind(&self, kind: &str) -> Result<Option<Entry>, StoreError> {
        self.conn()?
            .query_opt(
                &format!(
                    "{} WHERE kind = $1 ORDER BY seq DESC LIMIT 1",
                    journal::SELECT
                ),
                &[&kind],
            )?
            .as_ref()
            .map(journal::read_entry)
            .transpose()
    }

    fn each_journal_entry(
        &self,
        from: u64,
        to: u64,
        each: &mut dyn FnMut(&Entry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        // One snapshot, read a portal at a time: the export sees the journal as it was when
        // it began, without holding it all in memory.
        let mut tx = conn
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let stmt = tx.prepare(&format!(
            "{} WHERE seq > $1 AND seq <= $2 ORDER BY seq",
            journal::SELECT
        ))?;
        let portal = tx.bind(&stmt, &[&(from as i64), &(to as i64)])?;
        loop {
            let rows = tx.query_portal(&portal, PORTAL_ROWS)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                each(&journal::read_entry(row)?)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn journal_detail(&self, entry: &Entry, payload: &Value) -> Result<Detail, StoreError> {
        detail::detail(&mut *self.conn()?, entry, payload)
    }

    fn record_journal_export(&mut self, actor: &str, payload: &Value) -> Result<Entry, StoreError> {
        let mut tx = write(self.client.get_mut())?;
        super::users::require_any(&mut tx, actor, &[Role::Admin])?;
        let entry = journal::append(&mut tx, actor, "journal_export", payload)?;
        tx.commit()?;
        Ok(entry)
    }

    fn begin_apply(
        &mut self,
        actor: &str,
        origin: &Origin,
    ) -> Result<Box<dyn ApplySession + '_>, ReplicaError> {
        Ok(Box::new(apply::PgApply::begin(
            self.client.get_mut(),
            actor,
            origin,
        )?))
    }

    fn replica_origins(&self) -> Result<Vec<ReplicaOrigin>, StoreError> {
        self.conn()?
            .query(
                "SELECT siret, name, base_seq, base_hash, last_seq, last_hash, events
                 FROM replica_origins ORDER BY siret",
                &[],
            )?
            .iter()
            .map(|r| {
                let base_seq = seq(r.try_get(2)?);
                let last_seq = seq(r.try_get(4)?);
                Ok(ReplicaOrigin {
                    siret: r.try_get(0)?,
                    name: r.try_get(1)?,
                    base_seq,
                    base_hash: hash(base_seq, r.try_get(3)?)?,
                    last_seq,
                    last_hash: hash(last_seq, r.try_get(5)?)?,
                    events: seq(r.try_get(6)?),
                })
            })
            .collect()
    }

    fn each_projected_entity(
        &self,
        siret: &str,
        each: &mut dyn FnMut(&ProjectedEntity) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        // Streamed: an origin may hold a million entities.
        let mut rows = conn.query_raw(
            "SELECT entity_type, entity_id, seq, kind, state FROM replica_entities
             WHERE siret = $1 ORDER BY entity_type, entity_id",
            [siret],
        )?;
        while let Some(r) = rows.next()? {
            each(&ProjectedEntity {
                entity_type: r.try_get(0)?,
                entity_id: r.try_get(1)?,
                seq: seq(r.try_get(2)?),
                kind: r.try_get(3)?,
                state: r.try_get(4)?,
            })?;
        }
        Ok(())
    }
}

/// The origin `siret` as held, inside the apply's transaction.
fn held_origin(
    c: &mut impl GenericClient,
    siret: &str,
) -> Result<Option<(u64, EntryHash, u64, EntryHash)>, StoreError> {
    let row: Option<Row> = c.query_opt(
        "SELECT base_seq, base_hash, last_seq, last_hash FROM replica_origins WHERE siret = $1",
        &[&siret],
    )?;
    row.map(|r| {
        let (b, l) = (seq(r.try_get(0)?), seq(r.try_get(2)?));
        Ok((b, hash(b, r.try_get(1)?)?, l, hash(l, r.try_get(3)?)?))
    })
    .transpose()
}
