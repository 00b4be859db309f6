//! Migrations from 33 on, PostgreSQL's with SQLite's (see `mod.rs`).

use super::Migration;

pub(super) const MIGRATIONS: &[Migration] = &[
    // 33: the replica of another journal (issue #24, `relais journal apply`,
    // relais_store::handback): per origin authority (SIRET) its base and last (seq, hash);
    // every event applied, kept for good; the latest state of each entity, rebuilt from the
    // events' `after`.
    // PostgreSQL starts here: its text is the whole schema as SQLite's migrations 1..=33 make
    // it, in PostgreSQL's SQL (`postgres/schema.sql`).
    Migration {
        sqlite: r#"
CREATE TABLE IF NOT EXISTS replica_origins (
    siret     TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    base_seq  INTEGER NOT NULL CHECK (base_seq >= 0),
    base_hash TEXT NOT NULL CHECK (length(base_hash) = 64),
    last_seq  INTEGER NOT NULL CHECK (last_seq >= base_seq),
    last_hash TEXT NOT NULL CHECK (length(last_hash) = 64),
    events    INTEGER NOT NULL CHECK (events >= 0)
);
CREATE TABLE IF NOT EXISTS replica_events (
    id          INTEGER PRIMARY KEY,
    siret       TEXT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    hash        TEXT NOT NULL CHECK (length(hash) = 64),
    prev        TEXT NOT NULL CHECK (length(prev) = 64),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    entity_type TEXT,
    entity_id   TEXT,
    before      TEXT,
    after       TEXT,
    UNIQUE (siret, seq)
);
CREATE TRIGGER IF NOT EXISTS replica_events_fixed BEFORE UPDATE ON replica_events
BEGIN SELECT RAISE(ABORT, 'an applied event never changes'); END;
CREATE TRIGGER IF NOT EXISTS replica_events_kept BEFORE DELETE ON replica_events
BEGIN SELECT RAISE(ABORT, 'an applied event is never deleted'); END;
CREATE TABLE IF NOT EXISTS replica_entities (
    siret       TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    PRIMARY KEY (siret, entity_type, entity_id)
);
"#,
        postgres: Some(include_str!("../postgres/schema.sql")),
    },
];
