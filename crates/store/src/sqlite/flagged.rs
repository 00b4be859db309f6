//! Outcomes of rejected rows, and of rows accepted with warnings, in SQLite (see
//! [`crate::flagged`]). A row's severity (migration 18) is `rejet` or `avertissement`.

use super::{SqliteStore, journal, users};
use crate::flagged::{FlaggedRowStore, FlaggedView, Handling};
use crate::{FlaggedRecord, StoreError};
use relais_core::roles::Role;
use relais_formats::extract::Severity;
use rusqlite::{OptionalExtension, Row, params};
use serde_json::json;

const COLUMNS: &str = "p.id, p.file, p.line, p.key, p.raw, p.problems,
    o.outcome, o.note, o.handled_by, o.handled_at, p.severity";
const FROM: &str = "FROM pending_rows p
    LEFT JOIN pending_outcomes o ON o.file = p.file AND o.raw = p.raw";

fn corrupt(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// The severity stored as `code` (`rejet`, `avertissement`; the schema allows no other).
pub(crate) fn severity(code: &str) -> Result<Severity, StoreError> {
    Severity::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("pending row severity {code:?}")))
}

fn view(r: &Row<'_>) -> rusqlite::Result<FlaggedView> {
    let line: i64 = r.get(2)?;
    let raw: String = r.get(4)?;
    let problems: String = r.get(5)?;
    let outcome: Option<String> = r.get(6)?;
    let code: String = r.get(10)?;
    let severity = Severity::from_code(&code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            10,
            rusqlite::types::Type::Text,
            format!("pending row severity {code:?}").into(),
        )
    })?;
    Ok(FlaggedView {
        row: FlaggedRecord {
            id: r.get(0)?,
            severity,
            file: r.get(1)?,
            line: u64::try_from(line).unwrap_or(0),
            key: r.get(3)?,
            raw: serde_json::from_str(&raw).map_err(corrupt)?,
            problems: serde_json::from_str(&problems).map_err(corrupt)?,
        },
        handling: match outcome {
            None => None,
            Some(outcome) => Some(Handling {
                outcome,
                note: r.get(7)?,
                by: r.get(8)?,
                at: r.get(9)?,
            }),
        },
    })
}

impl FlaggedRowStore for SqliteStore {
    fn flagged_views(
        &self,
        offset: u64,
        limit: u64,
        open_only: bool,
    ) -> Result<(Vec<FlaggedView>, u64), StoreError> {
        let filter = if open_only {
            "WHERE o.outcome IS NULL"
        } else {
            ""
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} {FROM} {filter} ORDER BY p.id LIMIT ?1 OFFSET ?2"
        ))?;
        let rows = stmt
            .query_map(
                params![
                    i64::try_from(limit).unwrap_or(i64::MAX),
                    i64::try_from(offset).unwrap_or(i64::MAX)
                ],
                view,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let open: i64 = self.conn.query_row(
            &format!("SELECT count(*) {FROM} WHERE o.outcome IS NULL"),
            [],
            |r| r.get(0),
        )?;
        Ok((rows, u64::try_from(open).unwrap_or(0)))
    }

    fn flagged_view(&self, id: i64) -> Result<Option<FlaggedView>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} {FROM} WHERE p.id = ?1"),
                [id],
                view,
            )
            .optional()?)
    }

    fn handle_flagged(
        &mut self,
        actor: &str,
        id: i64,
        outcome: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<u64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        users::require_any(&tx, actor, &[Role::Instruction, Role::Admin])?;
        let row: Option<(String, i64, Option<String>, String)> = tx
            .query_row(
                "SELECT file, line, key, raw FROM pending_rows WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((file, line, key, raw)) = row else {
            return Ok(None);
        };
        tx.execute(
            "INSERT INTO pending_outcomes (file, raw, outcome, note, handled_by, handled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (file, raw) DO UPDATE SET outcome = excluded.outcome,
                 note = excluded.note, handled_by = excluded.handled_by,
                 handled_at = excluded.handled_at",
            params![file, raw, outcome, note.trim(), actor, at],
        )?;
        let entry = journal::append(
            &tx,
            actor,
            "pending_row.handle",
            &json!({ "file": file, "line": line, "key": key, "outcome": outcome, "note": note.trim() }),
        )?;
        tx.commit()?;
        Ok(Some(entry.seq))
    }
}
