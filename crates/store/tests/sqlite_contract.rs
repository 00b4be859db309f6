//! The store contract (`tests/contract/`) run against SQLite: the hooks in SQLite's own SQL,
//! then every contract test, one line for all.

mod contract;

use contract::{CouranteTamper, JournalTamper, Kept, TestBackend};
use relais_core::roles::Role;
use relais_store::{SqliteStore, StoreError};
use std::path::Path;

impl TestBackend for SqliteStore {
    fn create(dir: &Path) -> Self {
        SqliteStore::open(&dir.join("relais.db")).expect("open")
    }

    fn connect(dir: &Path) -> Self {
        SqliteStore::open(&dir.join("relais.db")).expect("open again")
    }

    fn tamper_journal(&self, tamper: JournalTamper<'_>) {
        let c = self.raw_connection();
        c.execute_batch("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;")
            .expect("drop triggers");
        match tamper {
            JournalTamper::Alter { seq, from, to } => c.execute(
                "UPDATE journal SET payload = replace(payload, ?2, ?3) WHERE seq = ?1",
                rusqlite::params![seq, from, to],
            ),
            JournalTamper::Remove { seq } => c.execute("DELETE FROM journal WHERE seq = ?1", [seq]),
            JournalTamper::Swap { a, b } => c
                .execute_batch(&format!(
                    "UPDATE journal SET seq = -1 WHERE seq = {a};
                     UPDATE journal SET seq = {a} WHERE seq = {b};
                     UPDATE journal SET seq = {b} WHERE seq = -1;"
                ))
                .map(|()| 0),
        }
        .expect("tamper");
    }

    fn journal_refuses_rewrite(&self, seq: u64) -> bool {
        let c = self.raw_connection();
        let update = c.execute("UPDATE journal SET actor = 'mallory' WHERE seq = ?1", [seq]);
        let delete = c.execute("DELETE FROM journal WHERE seq = ?1", [seq]);
        update.is_err() && delete.is_err()
    }

    fn tamper_courante(&self, tamper: CouranteTamper<'_>) {
        let c = self.raw_connection();
        match tamper {
            CouranteTamper::Edit { id, text } => c.execute_batch(&format!(
                "DROP TRIGGER courante_no_update;
                 UPDATE courante SET text = '{}' WHERE id = {id};",
                text.replace('\'', "''")
            )),
            CouranteTamper::Remove { id } => c.execute_batch(&format!(
                "DROP TRIGGER courante_no_delete; DELETE FROM courante WHERE id = {id};"
            )),
        }
        .expect("tamper");
    }

    fn courante_refuses_rewrite(&self, id: i64) -> bool {
        let c = self.raw_connection();
        let refused =
            |r: rusqlite::Result<usize>| r.is_err_and(|e| e.to_string().contains("append-only"));
        refused(c.execute(
            "UPDATE courante SET text = 'autre chose' WHERE id = ?1",
            [id],
        )) && refused(c.execute("DELETE FROM courante WHERE id = ?1", [id]))
    }

    fn refuses_rewrite(&self, kept: Kept) -> bool {
        let c = self.raw_connection();
        contract::rewrites_of(kept)
            .iter()
            .all(|sql| c.execute(sql, []).is_err())
    }

    fn corrupt_right_benefit(&self, right_id: &str, code: &str) {
        self.raw_connection()
            .execute(
                "UPDATE rights SET benefit = ?2 WHERE id = ?1",
                [right_id, code],
            )
            .expect("tamper");
    }

    fn claim(&self, right_id: &str, month: &str, run: &str) -> Result<(), StoreError> {
        self.raw_connection().execute(
            "INSERT INTO run_claims (right_id, month, run_id) VALUES (?1, ?2, ?3)",
            [right_id, month, run],
        )?;
        Ok(())
    }

    fn release_refused(
        &self,
        run: &str,
        right_id: &str,
        month: &str,
        mandate: (i16, u32, u64),
    ) -> bool {
        let c = self.raw_connection();
        let release = c.execute(
            "INSERT INTO run_claim_releases (run_id, right_id, month, exercice, bordereau, piece, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
            rusqlite::params![run, right_id, month, mandate.0, mandate.1, mandate.2 as i64],
        );
        let delete = c.execute(
            "DELETE FROM run_claims WHERE run_id = ?1 AND right_id = ?2 AND month = ?3",
            [run, right_id, month],
        );
        release.is_err() && delete.is_err()
    }

    fn set_roles(&self, login: &str, roles: &[Role]) {
        let codes: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        self.raw_connection()
            .execute(
                "UPDATE users SET roles = ?2 WHERE login = ?1",
                [login, &codes.join(",")],
            )
            .expect("roles");
    }
}

every_contract!(SqliteStore);
