//! One apply of another journal's events, in one transaction (see [`crate::handback`]).

use super::super::journal;
use crate::StoreError;
use crate::handback::{Applied, ApplySession, Origin, Pushed, ReplicaError, ReplicaEvent};
use relais_core::journal::EntryHash;
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// Where an origin's chain stands during one apply, and the rules each event pushed follows:
/// the part of an apply that is no SQL, shared with PostgreSQL so that both backends accept
/// and refuse the same events and journal the same `journal_apply`.
pub(crate) struct Follow {
    pub(crate) origin: Origin,
    /// Whether the origin already had its row.
    pub(crate) held: bool,
    pub(crate) base: (u64, EntryHash),
    pub(crate) last: (u64, EntryHash),
    pub(crate) first_new: Option<u64>,
    pub(crate) counts: Applied,
}

/// What the backend does with an event [`Follow::step`] let through.
pub(crate) enum Step {
    /// Before the origin's base: counted, nothing to write.
    BeforeBase,
    /// Already held: its stored hash goes to [`Follow::known`].
    Held,
    /// Follows on from the last event: the backend writes it, then calls [`Follow::applied`].
    New,
}

impl Follow {
    /// `held`: the origin's row as stored (base seq and hash, last seq and hash), if any.
    pub(crate) fn new(origin: &Origin, held: Option<(u64, EntryHash, u64, EntryHash)>) -> Follow {
        let from = (origin.from_seq, origin.from_hash);
        let (base, last) = match held {
            Some((b, bh, l, lh)) => ((b, bh), (l, lh)),
            None => (from, from),
        };
        Follow {
            origin: origin.clone(),
            held: held.is_some(),
            base,
            last,
            first_new: None,
            counts: Applied::default(),
        }
    }

    pub(crate) fn step(&mut self, e: &ReplicaEvent) -> Result<Step, ReplicaError> {
        let siret = &self.origin.siret;
        let (base_seq, base_hash) = self.base;
        if e.seq <= base_seq {
            if e.seq == base_seq && e.hash != base_hash {
                return Err(ReplicaError::ForkHash {
                    siret: siret.clone(),
                    seq: e.seq,
                    held: base_hash.to_hex(),
                    found: e.hash.to_hex(),
                });
            }
            self.counts.before_base += 1;
            return Ok(Step::BeforeBase);
        }
        let (last_seq, last_hash) = self.last;
        if e.seq <= last_seq {
            return Ok(Step::Held);
        }
        if e.seq != last_seq + 1 {
            return Err(ReplicaError::Gap {
                siret: siret.clone(),
                held: last_seq,
                found: e.seq,
            });
        }
        if e.prev != last_hash {
            return Err(ReplicaError::ForkPrev {
                siret: siret.clone(),
                seq: e.seq,
                prev: e.prev.to_hex(),
                held: last_hash.to_hex(),
            });
        }
        Ok(Step::New)
    }

    /// An event [`Step::Held`], against the hash stored for its seq.
    pub(crate) fn known(
        &mut self,
        e: &ReplicaEvent,
        held: Option<String>,
    ) -> Result<Pushed, ReplicaError> {
        let siret = &self.origin.siret;
        let held = held.ok_or_else(|| {
            StoreError::Corrupt(format!("replica of {siret}: event {} missing", e.seq))
        })?;
        if held != e.hash.to_hex() {
            return Err(ReplicaError::ForkHash {
                siret: siret.clone(),
                seq: e.seq,
                held,
                found: e.hash.to_hex(),
            });
        }
        self.counts.known += 1;
        Ok(Pushed::Known)
    }

    /// An event [`Step::New`], written.
    pub(crate) fn applied(&mut self, e: &ReplicaEvent) -> Pushed {
        self.last = (e.seq, e.hash);
        self.first_new.get_or_insert(e.seq);
        self.counts.new += 1;
        Pushed::New
    }

    /// The payload of the target's `journal_apply` entry: the caller's, with the counts.
    pub(crate) fn journal_payload(&self, payload: Value) -> Value {
        let mut payload = match payload {
            Value::Object(map) => map,
            other => {
                let mut map = serde_json::Map::new();
                map.insert("export".into(), other);
                map
            }
        };
        let (last_seq, last_hash) = self.last;
        payload.insert("siret".into(), self.origin.siret.clone().into());
        payload.insert("first_new".into(), self.first_new.unwrap_or(0).into());
        payload.insert("last".into(), last_seq.into());
        payload.insert("last_hash".into(), last_hash.to_hex().into());
        payload.insert("new".into(), self.counts.new.into());
        payload.insert("known".into(), self.counts.known.into());
        Value::Object(payload)
    }
}

/// The entity an event changed and its state after, as the projection takes it: the
/// event's `after`, else its payload.
pub(crate) fn entity_state(e: &ReplicaEvent) -> Option<(&str, &str, &str)> {
    let (t, i) = e.entity.as_ref()?;
    Some((t, i, e.after.as_deref().unwrap_or(&e.payload)))
}

pub(crate) struct SqliteApply<'c> {
    conn: &'c Connection,
    actor: String,
    follow: Follow,
    done: bool,
}

impl<'c> SqliteApply<'c> {
    pub(crate) fn begin(
        conn: &'c Connection,
        actor: &str,
        origin: &Origin,
    ) -> Result<SqliteApply<'c>, ReplicaError> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut session = SqliteApply {
            conn,
            actor: actor.to_owned(),
            follow: Follow::new(origin, None),
            done: false,
        };
        // From here on, dropping the session rolls back.
        super::super::users::require_any(conn, actor, &[Role::Admin])?;
        session.follow = Follow::new(origin, super::held_origin(conn, &origin.siret)?);
        Ok(session)
    }

    fn held_hash(&self, seq: u64) -> Result<Option<String>, ReplicaError> {
        Ok(self
            .conn
            .prepare_cached("SELECT hash FROM replica_events WHERE siret = ?1 AND seq = ?2")?
            .query_row(params![self.follow.origin.siret, seq as i64], |r| r.get(0))
            .optional()?)
    }
}

impl ApplySession for SqliteApply<'_> {
    fn push(&mut self, e: &ReplicaEvent) -> Result<Pushed, ReplicaError> {
        match self.follow.step(e)? {
            Step::BeforeBase => return Ok(Pushed::BeforeBase),
            Step::Held => {
                let held = self.held_hash(e.seq)?;
                return self.follow.known(e, held);
            }
            Step::New => {}
        }
        let siret = &self.follow.origin.siret;
        let (entity_type, entity_id) = match &e.entity {
            Some((t, i)) => (Some(t.as_str()), Some(i.as_str())),
            None => (None, None),
        };
        self.conn
            .prepare_cached(
                "INSERT INTO replica_events (siret, seq, hash, prev, at, actor, kind, payload,
                     entity_type, entity_id, before, after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                siret,
                e.seq as i64,
                e.hash.to_hex(),
                e.prev.to_hex(),
                e.at,
                e.actor,
                e.kind,
                e.payload,
                entity_type,
                entity_id,
                e.before,
                e.after,
            ])?;
        if let Some((t, i, state)) = entity_state(e) {
            // The latest state: each event's `after` merged over the previous (RFC 7396), so
            // that a run's export keeps the lines its validation brought.
            self.conn
                .prepare_cached(
                    "INSERT INTO replica_entities (siret, entity_type, entity_id, seq, at, kind, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, json(?7))
                     ON CONFLICT (siret, entity_type, entity_id) DO UPDATE SET
                         seq = excluded.seq, at = excluded.at, kind = excluded.kind,
                         state = json_patch(replica_entities.state, excluded.state)",
                )?
                .execute(params![siret, t, i, e.seq as i64, e.at, e.kind, state])?;
        }
        Ok(self.follow.applied(e))
    }

    fn commit(mut self: Box<Self>, payload: Value) -> Result<Applied, ReplicaError> {
        let f = &self.follow;
        if f.counts.new == 0 {
            // Nothing new: nothing at all is written, not even a journal entry.
            return Ok(std::mem::take(&mut self.follow.counts));
        }
        let o = &f.origin;
        let (base_seq, base_hash) = f.base;
        let (last_seq, last_hash) = f.last;
        if f.held {
            self.conn.execute(
                "UPDATE replica_origins SET name = ?2, last_seq = ?3, last_hash = ?4,
                     events = events + ?5
                 WHERE siret = ?1",
                params![
                    o.siret,
                    o.name,
                    last_seq as i64,
                    last_hash.to_hex(),
                    f.counts.new as i64
                ],
            )?;
        } else {
            self.conn.execute(
                "INSERT INTO replica_origins (siret, name, base_seq, base_hash, last_seq,
                     last_hash, events)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    o.siret,
                    o.name,
                    base_seq as i64,
                    base_hash.to_hex(),
                    last_seq as i64,
                    last_hash.to_hex(),
                    f.counts.new as i64
                ],
            )?;
        }
        let entry = journal::append(
            self.conn,
            &self.actor,
            "journal_apply",
            &f.journal_payload(payload),
        )?;
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        let mut counts = std::mem::take(&mut self.follow.counts);
        counts.entry = Some(entry);
        Ok(counts)
    }
}

impl Drop for SqliteApply<'_> {
    fn drop(&mut self) {
        if !self.done {
            // A refusal, an error, or nothing new: nothing of this apply remains.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
