//! One apply of another journal's events on PostgreSQL, in one writing transaction: the
//! rules are SQLite's ([`Follow`]), checked as each event is pushed; the events found new
//! are written a batch at a time — the events by binary COPY, the entities' merged states by
//! one statement — rather than one round trip each, since an export may bring a million.
//! Nothing is visible before the commit, and dropping the session rolls everything back.

use super::super::{journal, users, write};
use super::merge::merge_patch;
use crate::StoreError;
use crate::handback::{Applied, ApplySession, Origin, Pushed, ReplicaError, ReplicaEvent};
use crate::sqlite::handback::apply::{Follow, Step, entity_state};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, Transaction};
use relais_core::roles::Role;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// New events held in memory before they are written.
const BATCH: usize = 5_000;
/// Held events whose hashes one read brings, for a re-apply's known events.
const HELD_RANGE: u64 = 10_000;

/// A new event, not yet written, and the state after it as JSON (parsed when pushed, so
/// that malformed JSON is refused at its event, as SQLite's `json()` refuses it).
struct Pending {
    event: ReplicaEvent,
    state: Option<Value>,
}

pub(crate) struct PgApply<'c> {
    tx: Transaction<'c>,
    actor: String,
    follow: Follow,
    pending: Vec<Pending>,
    /// Hashes of held events by seq, read a range at a time (held events never change).
    held: BTreeMap<u64, String>,
}

impl<'c> PgApply<'c> {
    pub(crate) fn begin(
        client: &'c mut Client,
        actor: &str,
        origin: &Origin,
    ) -> Result<PgApply<'c>, ReplicaError> {
        let mut tx = write(client)?;
        users::require_any(&mut tx, actor, &[Role::Admin])?;
        let held = super::held_origin(&mut tx, &origin.siret)?;
        Ok(PgApply {
            tx,
            actor: actor.to_owned(),
            follow: Follow::new(origin, held),
            pending: Vec::new(),
            held: BTreeMap::new(),
        })
    }

    /// The hash held for event `seq`, reading it and the following ones when not read yet.
    fn held_hash(&mut self, seq: u64) -> Result<Option<String>, StoreError> {
        if let Some(hash) = self.held.get(&seq) {
            return Ok(Some(hash.clone()));
        }
        // An event pushed twice in this apply is held once written.
        self.flush()?;
        let upto = seq.saturating_add(HELD_RANGE - 1).min(self.follow.last.0);
        let rows = self.tx.query(
            "SELECT seq, hash FROM replica_events WHERE siret = $1 AND seq BETWEEN $2 AND $3",
            &[&self.follow.origin.siret, &(seq as i64), &(upto as i64)],
        )?;
        self.held.clear();
        for r in rows {
            self.held
                .insert(crate::sqlite::handback::seq(r.try_get(0)?), r.try_get(1)?);
        }
        Ok(self.held.get(&seq).cloned())
    }

    /// Writes the events pushed since the last batch, and the states they leave.
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let siret = self.follow.origin.siret.clone();
        write_events(&mut self.tx, &siret, &pending)?;
        project(&mut self.tx, &siret, pending)
    }
}

/// The batch's events, by binary COPY.
fn write_events(
    tx: &mut Transaction<'_>,
    siret: &str,
    pending: &[Pending],
) -> Result<(), StoreError> {
    let sink = tx.copy_in(
        "COPY replica_events (siret, seq, hash, prev, at, actor, kind, payload,
             entity_type, entity_id, before, after) FROM STDIN BINARY",
    )?;
    let mut types = vec![Type::TEXT; 12];
    types[1] = Type::INT8;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for Pending { event: e, .. } in pending {
        let (entity_type, entity_id) = match &e.entity {
            Some((t, i)) => (Some(t.as_str()), Some(i.as_str())),
            None => (None, None),
        };
        let row: [&(dyn ToSql + Sync); 12] = [
            &siret,
            &(e.seq as i64),
            &e.hash.to_hex(),
            &e.prev.to_hex(),
            &e.at,
            &e.actor,
            &e.kind,
            &e.payload,
            &entity_type,
            &entity_id,
            &e.before,
            &e.after,
        ];
        writer.write(&row)?;
    }
    writer.finish()?;
    Ok(())
}

/// The latest state of each entity the batch changed: each event's `after` merged over the
/// previous state (RFC 7396, as SQLite's `json_patch`), so that a run's export keeps the
/// lines its validation brought. One read of the states held, one write of the new ones.
fn project(tx: &mut Transaction<'_>, siret: &str, pending: Vec<Pending>) -> Result<(), StoreError> {
    let mut touched: BTreeMap<(String, String), Option<Latest>> = BTreeMap::new();
    for p in &pending {
        if let Some((t, i)) = &p.event.entity {
            touched.insert((t.clone(), i.clone()), None);
        }
    }
    if touched.is_empty() {
        return Ok(());
    }
    let (types, ids): (Vec<&str>, Vec<&str>) = touched
        .keys()
        .map(|(t, i)| (t.as_str(), i.as_str()))
        .unzip();
    let mut stored: HashMap<(String, String), Value> = HashMap::new();
    for r in tx.query(
        "SELECT e.entity_type, e.entity_id, e.state FROM replica_entities e
         JOIN unnest($2::text[], $3::text[]) AS k (t, i)
           ON e.entity_type = k.t AND e.entity_id = k.i
         WHERE e.siret = $1",
        &[&siret, &types, &ids],
    )? {
        let key: (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let text: String = r.try_get(2)?;
        let state = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("replica entity {}/{}: {e}", key.0, key.1)))?;
        stored.insert(key, state);
    }
    for Pending { event: e, state } in pending {
        let (Some(key), Some(state)) = (e.entity, state) else {
            continue;
        };
        let slot = touched.entry(key.clone()).or_default();
        let merged = match slot.take().map(|l| l.state).or_else(|| stored.remove(&key)) {
            Some(old) => merge_patch(old, state),
            None => state,
        };
        *slot = Some(Latest {
            seq: e.seq as i64,
            at: e.at,
            kind: e.kind,
            state: merged,
        });
    }
    let mut rows = Rows::default();
    for ((t, i), latest) in touched {
        if let Some(l) = latest {
            rows.types.push(t);
            rows.ids.push(i);
            rows.seqs.push(l.seq);
            rows.ats.push(l.at);
            rows.kinds.push(l.kind);
            rows.states.push(l.state.to_string());
        }
    }
    tx.execute(
        "INSERT INTO replica_entities (siret, entity_type, entity_id, seq, at, kind, state)
         SELECT $1, t, i, s, a, k, st
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
              AS u (t, i, s, a, k, st)
         ON CONFLICT (siret, entity_type, entity_id) DO UPDATE SET
             seq = excluded.seq, at = excluded.at, kind = excluded.kind, state = excluded.state",
        &[
            &siret,
            &rows.types,
            &rows.ids,
            &rows.seqs,
            &rows.ats,
            &rows.kinds,
            &rows.states,
        ],
    )?;
    Ok(())
}

/// An entity's state after the batch's last event of it.
struct Latest {
    seq: i64,
    at: String,
    kind: String,
    state: Value,
}

/// The entities' rows to write, a column each (sent as arrays).
#[derive(Default)]
struct Rows {
    types: Vec<String>,
    ids: Vec<String>,
    seqs: Vec<i64>,
    ats: Vec<String>,
    kinds: Vec<String>,
    states: Vec<String>,
}

impl ApplySession for PgApply<'_> {
    fn push(&mut self, e: &ReplicaEvent) -> Result<Pushed, ReplicaError> {
        match self.follow.step(e)? {
            Step::BeforeBase => Ok(Pushed::BeforeBase),
            Step::Held => {
                let held = self.held_hash(e.seq)?;
                self.follow.known(e, held)
            }
            Step::New => {
                let state = entity_state(e)
                    .map(|(_, _, text)| {
                        serde_json::from_str::<Value>(text).map_err(|err| {
                            StoreError::Backend(
                                format!(
                                    "événement n° {} de {} : état JSON illisible ({err})",
                                    e.seq, self.follow.origin.siret
                                )
                                .into(),
                            )
                        })
                    })
                    .transpose()?;
                self.pending.push(Pending {
                    event: e.clone(),
                    state,
                });
                if self.pending.len() >= BATCH {
                    self.flush()?;
                }
                Ok(self.follow.applied(e))
            }
        }
    }

    fn commit(mut self: Box<Self>, payload: Value) -> Result<Applied, ReplicaError> {
        if self.follow.counts.new == 0 {
            // Nothing new: nothing at all is written, not even a journal entry (the
            // transaction, dropped, rolls back).
            return Ok(std::mem::take(&mut self.follow.counts));
        }
        self.flush()?;
        let PgApply {
            mut tx,
            actor,
            mut follow,
            ..
        } = *self;
        let o = &follow.origin;
        let (base_seq, base_hash) = follow.base;
        let (last_seq, last_hash) = follow.last;
        let new = follow.counts.new as i64;
        if follow.held {
            tx.execute(
                "UPDATE replica_origins SET name = $2, last_seq = $3, last_hash = $4,
                     events = events + $5
                 WHERE siret = $1",
                &[
                    &o.siret,
                    &o.name,
                    &(last_seq as i64),
                    &last_hash.to_hex(),
                    &new,
                ],
            )?;
        } else {
            tx.execute(
                "INSERT INTO replica_origins (siret, name, base_seq, base_hash, last_seq,
                     last_hash, events)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &o.siret,
                    &o.name,
                    &(base_seq as i64),
                    &base_hash.to_hex(),
                    &(last_seq as i64),
                    &last_hash.to_hex(),
                    &new,
                ],
            )?;
        }
        let payload = follow.journal_payload(payload);
        let entry = journal::append(&mut tx, &actor, "journal_apply", &payload)?;
        tx.commit()?;
        let mut counts = std::mem::take(&mut follow.counts);
        counts.entry = Some(entry);
        Ok(counts)
    }
}
