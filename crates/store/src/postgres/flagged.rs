//! Outcomes of rejected rows, and of rows accepted with warnings, on PostgreSQL (see
//! [`crate::flagged`]; as `sqlite/flagged.rs`). An outcome is keyed by the row's file and
//! content, so it survives the imports that empty `pending_rows`.

use super::queries::{FLAGGED_COLUMNS, flagged_record};
use super::{PgStore, journal, users};
use crate::StoreError;
use crate::flagged::{FlaggedRowStore, FlaggedView, Handling};
use crate::sqlite::flagged::severity;
use postgres::Row;
use relais_core::roles::Role;
use serde_json::json;

const FROM: &str = "FROM pending_rows p
    LEFT JOIN pending_outcomes o ON o.file = p.file AND o.raw = p.raw";

/// The columns [`view`] reads.
fn columns() -> String {
    format!("{FLAGGED_COLUMNS}, p.severity, o.outcome, o.note, o.handled_by, o.handled_at")
}

fn view(r: &Row) -> Result<FlaggedView, StoreError> {
    let row = flagged_record(r, severity(r.try_get(6)?)?)?;
    let outcome: Option<String> = r.try_get(7)?;
    let handling = match outcome {
        None => None,
        Some(outcome) => Some(Handling {
            outcome,
            note: r.try_get(8)?,
            by: r.try_get(9)?,
            at: r.try_get(10)?,
        }),
    };
    Ok(FlaggedView { row, handling })
}

impl FlaggedRowStore for PgStore {
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
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut c = self.conn()?;
        let rows = c
            .query(
                &format!(
                    "SELECT {} {FROM} {filter} ORDER BY p.id LIMIT $1 OFFSET $2",
                    columns()
                ),
                &[&limit, &offset],
            )?
            .iter()
            .map(view)
            .collect::<Result<Vec<_>, _>>()?;
        let open: i64 = c
            .query_one(
                &format!("SELECT count(*) {FROM} WHERE o.outcome IS NULL"),
                &[],
            )?
            .try_get(0)?;
        Ok((rows, u64::try_from(open).unwrap_or(0)))
    }

    fn flagged_view(&self, id: i64) -> Result<Option<FlaggedView>, StoreError> {
        self.conn()?
            .query_opt(
                &format!("SELECT {} {FROM} WHERE p.id = $1", columns()),
                &[&id],
            )?
            .as_ref()
            .map(view)
            .transpose()
    }

    fn handle_flagged(
        &mut self,
        actor: &str,
        id: i64,
        outcome: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = super::write(self.client.get_mut())?;
        users::require_any(&mut tx, actor, &[Role::Instruction, Role::Admin])?;
        let Some(row) = tx.query_opt(
            "SELECT file, line, key, raw FROM pending_rows WHERE id = $1",
            &[&id],
        )?
        else {
            return Ok(None);
        };
        let file: String = row.try_get(0)?;
        let line: i64 = row.try_get(1)?;
        let key: Option<String> = row.try_get(2)?;
        let raw: String = row.try_get(3)?;
        tx.execute(
            "INSERT INTO pending_outcomes (file, raw, outcome, note, handled_by, handled_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (file, raw) DO UPDATE SET outcome = excluded.outcome,
                 note = excluded.note, handled_by = excluded.handled_by,
                 handled_at = excluded.handled_at",
            &[&file, &raw, &outcome, &note.trim(), &actor, &at],
        )?;
        let entry = journal::append(
            &mut tx,
            actor,
            "pending_row.handle",
            &json!({ "file": file, "line": line, "key": key, "outcome": outcome, "note": note.trim() }),
        )?;
        tx.commit()?;
        Ok(Some(entry.seq))
    }
}
