//! `relais migrate`: a SQLite store copied whole into an empty PostgreSQL database — every
//! table, the journal and its head, row for row — in one transaction: all of it arrives, or
//! nothing does. The desk search's index is rebuilt from the people (SQLite's FTS5 table has
//! no PostgreSQL twin to copy); identity columns continue after the largest id copied.
//!
//! The schema's triggers are set aside while rows arrive (they guard the application's
//! changes; a copy writes rows that already passed them), foreign keys are not: tables are
//! filled parents first.

use super::desk::search::{spaced, word_pairs};
use super::{PgStore, write};
use crate::{SqliteStore, StoreError};
use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;
use std::collections::{BTreeMap, BTreeSet};

/// What was copied: rows per table, in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Tables of the PostgreSQL schema that are not copied: its version, and the search index
/// rebuilt after the people.
const NOT_COPIED: &[&str] = &["relais_schema", "person_words", "person_word_pairs"];

/// Copies `from` into `to`, which must hold nothing yet (no journal entry, no user).
pub fn copy_from_sqlite(from: &SqliteStore, to: &mut PgStore) -> Result<CopyReport, StoreError> {
    if !to.is_empty()? {
        return Err(StoreError::Tampered(
            "la base PostgreSQL de destination n'est pas vide (journal ou utilisateurs) : \
             la copie ne mélange pas deux stores"
                .into(),
        ));
    }
    let src = from.raw_connection();
    let client = to.client.get_mut();
    let mut tx = write(client)?;
    let tables = parents_first(&mut tx)?;
    for table in &tables {
        tx.batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))?;
    }
    let mut report = CopyReport::default();
    for table in &tables {
        let n = copy_table(src, &mut tx, table)?;
        report.tables.push((table.clone(), n));
    }
    let (words, pairs) = rebuild_person_words(&mut tx)?;
    report.tables.push(("person_words".into(), words));
    report.tables.push(("person_word_pairs".into(), pairs));
    for table in &tables {
        tx.batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))?;
    }
    continue_identities(&mut tx)?;
    tx.commit()?;
    Ok(report)
}

/// The schema's tables, each after the tables its foreign keys name.
fn parents_first(tx: &mut Transaction<'_>) -> Result<Vec<String>, StoreError> {
    let mut tables: BTreeSet<String> = BTreeSet::new();
    for r in tx.query(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        &[],
    )? {
        let name: String = r.try_get(0)?;
        if !NOT_COPIED.contains(&name.as_str()) {
            tables.insert(name);
        }
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in tx.query(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
        &[],
    )? {
        let (child, parent): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        if child != parent {
            parents.entry(child).or_default().insert(parent);
        }
    }
    let mut order = Vec::new();
    let mut done = BTreeSet::new();
    while done.len() < tables.len() {
        let ready: Vec<String> = tables
            .iter()
            .filter(|t| !done.contains(*t))
            .filter(|t| {
                parents
                    .get(*t)
                    .is_none_or(|ps| ps.iter().all(|p| done.contains(p) || !tables.contains(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Corrupt(
                "clés étrangères circulaires dans le schéma PostgreSQL".into(),
            ));
        }
        for t in ready {
            done.insert(t.clone());
            order.push(t);
        }
    }
    Ok(order)
}

/// A value read from SQLite, to be written in a column of PostgreSQL type `ty`.
fn value(v: ValueRef<'_>, ty: &Type, at: &str) -> Result<Box<dyn ToSql + Sync>, StoreError> {
    let bad = || StoreError::Corrupt(format!("{at} : valeur {v:?} pour une colonne {ty}"));
    Ok(match (v, ty) {
        (ValueRef::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
        (ValueRef::Null, t) if *t == Type::FLOAT8 => Box::new(None::<f64>),
        (ValueRef::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (ValueRef::Null, _) => Box::new(None::<String>),
        (ValueRef::Integer(i), t) if *t == Type::INT8 => Box::new(i),
        (ValueRef::Integer(i), t) if *t == Type::FLOAT8 => Box::new(i as f64),
        (ValueRef::Integer(i), t) if *t == Type::TEXT => Box::new(i.to_string()),
        (ValueRef::Real(f), t) if *t == Type::FLOAT8 => Box::new(f),
        (ValueRef::Real(f), t) if *t == Type::TEXT => Box::new(f.to_string()),
        (ValueRef::Text(s), t) if *t == Type::TEXT => {
            Box::new(String::from_utf8(s.to_vec()).map_err(|_| bad())?)
        }
        (ValueRef::Text(s), t) if *t == Type::INT8 => Box::new(
            std::str::from_utf8(s)
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(bad)?,
        ),
        (ValueRef::Text(b) | ValueRef::Blob(b), t) if *t == Type::BYTEA => Box::new(b.to_vec()),
        _ => return Err(bad()),
    })
}

/// The columns of `table` on PostgreSQL, in order, with their types.
fn columns(tx: &mut Transaction<'_>, table: &str) -> Result<Vec<(String, Type)>, StoreError> {
    tx.query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )?
    .iter()
    .map(|r| {
        let (name, ty): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let ty = match ty.as_str() {
            "bigint" => Type::INT8,
            "double precision" => Type::FLOAT8,
            "bytea" => Type::BYTEA,
            "text" => Type::TEXT,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "{table}.{name} : type {other} que la copie ne sait pas écrire"
                )));
            }
        };
        Ok((name, ty))
    })
    .collect()
}

fn copy_table(
    src: &rusqlite::Connection,
    tx: &mut Transaction<'_>,
    table: &str,
) -> Result<u64, StoreError> {
    let cols = columns(tx, table)?;
    let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    let types: Vec<Type> = cols.iter().map(|(_, t)| t.clone()).collect();
    let list = names.join(", ");
    let mut stmt = src.prepare(&format!("SELECT {list} FROM {table}"))?;
    let mut rows = stmt.query([])?;
    let sink = tx.copy_in(&format!("COPY {table} ({list}) FROM STDIN BINARY"))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(cols.len());
        for (i, (name, ty)) in cols.iter().enumerate() {
            values.push(value(row.get_ref(i)?, ty, &format!("{table}.{name}"))?);
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        writer.write(&refs)?;
        n += 1;
    }
    writer.finish()?;
    Ok(n)
}

/// The desk search's words and pairs of words, from the people copied (as the import writes
/// them); their counts. Emptied first in this transaction (they are empty), so that COPY may
/// FREEZE their rows: seen by all at once, the search reads them from its indexes alone
/// (see `import.rs`).
fn rebuild_person_words(tx: &mut Transaction<'_>) -> Result<(u64, u64), StoreError> {
    let people = tx.query(
        "SELECT dossier, last_name, first_name FROM beneficiaries",
        &[],
    )?;
    tx.batch_execute("TRUNCATE person_words, person_word_pairs")?;
    let mut words = Vec::with_capacity(people.len());
    for p in &people {
        let dossier: String = p.try_get(0)?;
        let (last, first): (String, String) = (p.try_get(1)?, p.try_get(2)?);
        words.push((dossier, crate::sqlite::desk::name_words(&last, &first)));
    }
    drop(people);
    let sink =
        tx.copy_in("COPY person_words (dossier, word) FROM STDIN (FORMAT binary, FREEZE)")?;
    let mut writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT]);
    let mut n = 0;
    for (dossier, words) in &words {
        for word in words {
            writer.write(&[dossier, word])?;
            n += 1;
        }
    }
    writer.finish()?;
    let sink = tx.copy_in(
        "COPY person_word_pairs (head, second, first, dossier, words) FROM STDIN (FORMAT binary, FREEZE)",
    )?;
    let mut writer = BinaryCopyInWriter::new(sink, &[Type::TEXT; 5]);
    let mut pairs = 0;
    for (dossier, words) in &words {
        let all = spaced(words);
        for (head, second, first) in word_pairs(words) {
            writer.write(&[&head, &second, &first, dossier, &all])?;
            pairs += 1;
        }
    }
    writer.finish()?;
    tx.batch_execute("ANALYZE person_words, person_word_pairs")?;
    Ok((n, pairs))
}

/// Identity columns continue after the largest id copied.
fn continue_identities(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    let identities = tx.query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
        &[],
    )?;
    for r in identities {
        let (table, column): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        tx.query_one(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                               GREATEST(max({column}), 1), max({column}) IS NOT NULL)
                 FROM {table}"
            ),
            &[],
        )?;
    }
    Ok(())
}
