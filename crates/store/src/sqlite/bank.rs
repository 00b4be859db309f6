//! Bank-detail change requests in SQLite (see [`crate::bank`]).

use super::{SqliteStore, journal, users};
use crate::StoreError;
use crate::bank::{BankChange, BankChangeError, BankChangeStore, NewBankChange};
use relais_core::roles::Role;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;

/// An IBAN as the journal and the screens show it: its first and last four characters.
pub(crate) fn masked(iban: &str) -> String {
    relais_core::ids::mask_iban(iban)
}

const COLUMNS: &str =
    "c.id, c.payee_id, coalesce(p.name, ''), c.dossier, c.iban, c.holder, c.proof,
    c.requested_by, c.requested_at, c.status, c.decided_by";

fn change(r: &Row<'_>) -> rusqlite::Result<BankChange> {
    Ok(BankChange {
        id: r.get(0)?,
        payee_id: r.get(1)?,
        payee_name: r.get(2)?,
        dossier: r.get(3)?,
        iban_masked: masked(&r.get::<_, String>(4)?),
        holder: r.get(5)?,
        proof: r.get(6)?,
        requested_by: r.get(7)?,
        requested_at: r.get(8)?,
        status: r.get(9)?,
        decided_by: r.get(10)?,
    })
}

fn one(conn: &Connection, id: i64) -> Result<Option<BankChange>, BankChangeError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM bank_change_requests c
                 LEFT JOIN payees p ON p.id = c.payee_id WHERE c.id = ?1"
            ),
            [id],
            change,
        )
        .optional()?)
}

fn require(conn: &Connection, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
    users::require_any(conn, actor, roles)
}

impl BankChangeStore for SqliteStore {
    fn request_bank_change(
        &mut self,
        actor: &str,
        c: &NewBankChange,
    ) -> Result<i64, BankChangeError> {
        if c.proof.trim().is_empty() {
            return Err(BankChangeError::NoProof);
        }
        if c.holder.trim().is_empty() {
            return Err(BankChangeError::NoHolder);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require(&tx, actor, &[Role::Accueil, Role::Instruction])?;
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM payees WHERE id = ?1)",
            [&c.payee_id],
            |r| r.get(0),
        )?;
        if !known {
            return Err(BankChangeError::UnknownPayee(c.payee_id.clone()));
        }
        tx.execute(
            "INSERT INTO bank_change_requests (payee_id, dossier, iban, bic, holder, proof,
                 requested_by, requested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                c.payee_id,
                c.dossier,
                c.iban.as_str(),
                c.bic.as_str(),
                c.holder.trim(),
                c.proof.trim(),
                actor,
                super::now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        journal::append(
            &tx,
            actor,
            "bank_change_request",
            &json!({ "request": id, "payee": c.payee_id, "dossier": c.dossier,
                     "iban": masked(c.iban.as_str()), "proof": c.proof.trim() }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn decide_bank_change(
        &mut self,
        actor: &str,
        id: i64,
        approve: bool,
        today: &str,
    ) -> Result<BankChange, BankChangeError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require(&tx, actor, &[Role::Instruction, Role::Ordonnateur])?;
        let request: Option<(String, String, String, String, String, String)> = tx
            .query_row(
                "SELECT payee_id, iban, bic, holder, requested_by, status
                 FROM bank_change_requests WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?;
        let (payee, iban, bic, holder, by, status) =
            request.ok_or(BankChangeError::NotFound(id))?;
        if status != "pending" {
            return Err(BankChangeError::AlreadyDecided(id));
        }
        if by == actor {
            return Err(BankChangeError::SameAgent(id));
        }
        let decision = if approve { "approved" } else { "refused" };
        tx.execute(
            "UPDATE bank_change_requests SET status = ?2, decided_by = ?3, decided_at = ?4
             WHERE id = ?1",
            params![id, decision, actor, super::now()],
        )?;
        if approve {
            tx.execute(
                "UPDATE payees SET iban = ?2, bic = ?3, holder = ?4, iban_changed_on = ?5
                 WHERE id = ?1",
                params![payee, iban, bic, holder, today],
            )?;
            tx.execute(
                "INSERT INTO bank_approvals (payee_id, iban, approved_by, approved_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (payee_id, iban) DO NOTHING",
                params![payee, iban, actor, super::now()],
            )?;
        }
        journal::append(
            &tx,
            actor,
            if approve {
                "bank_change_approve"
            } else {
                "bank_change_refuse"
            },
            &json!({ "request": id, "payee": payee, "iban": masked(&iban) }),
        )?;
        let decided = one(&tx, id)?.ok_or(BankChangeError::NotFound(id))?;
        tx.commit()?;
        Ok(decided)
    }

    fn pending_bank_changes(&self) -> Result<Vec<BankChange>, BankChangeError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM bank_change_requests c LEFT JOIN payees p ON p.id = c.payee_id
             WHERE c.status = 'pending' ORDER BY c.id"
        ))?;
        let rows = stmt.query_map([], change)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
