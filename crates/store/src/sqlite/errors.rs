//! SQLite's errors in the store's driver-neutral kinds (see [`crate::StoreError`]): the only
//! place that looks inside a `rusqlite::Error`. A leaf, like `decode`.

use crate::StoreError;
use crate::bank::BankChangeError;
use crate::caf::CafError;
use crate::crisis::CrisisError;
use crate::deposits::DepositStoreError;
use crate::numbering::NumberingError;
use crate::runs::RunStoreError;
use rusqlite::ErrorCode;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        let unique = matches!(
            &e,
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        );
        match e.sqlite_error_code() {
            _ if unique => StoreError::Conflict(Box::new(e)),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Busy(Box::new(e))
            }
            _ if matches!(e, rusqlite::Error::QueryReturnedNoRows) => {
                StoreError::NotFound(Box::new(e))
            }
            _ => StoreError::Backend(Box::new(e)),
        }
    }
}

impl From<rusqlite::Error> for CafError {
    fn from(e: rusqlite::Error) -> CafError {
        CafError::Store(StoreError::from(e))
    }
}

impl From<rusqlite::Error> for RunStoreError {
    fn from(e: rusqlite::Error) -> RunStoreError {
        RunStoreError::Store(StoreError::from(e))
    }
}

impl From<rusqlite::Error> for CrisisError {
    fn from(e: rusqlite::Error) -> CrisisError {
        CrisisError::Store(StoreError::from(e))
    }
}

impl From<rusqlite::Error> for DepositStoreError {
    fn from(e: rusqlite::Error) -> DepositStoreError {
        DepositStoreError::Store(StoreError::from(e))
    }
}

impl From<rusqlite::Error> for BankChangeError {
    fn from(e: rusqlite::Error) -> BankChangeError {
        BankChangeError::Store(StoreError::from(e))
    }
}

impl From<rusqlite::Error> for NumberingError {
    fn from(e: rusqlite::Error) -> NumberingError {
        NumberingError::Store(StoreError::from(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::StoreError;
    use rusqlite::Connection;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, u TEXT UNIQUE)")
            .expect("table");
        conn.execute("INSERT INTO t VALUES ('a', 'x')", [])
            .expect("row");
        conn
    }

    #[test]
    fn a_key_taken_twice_is_a_conflict() {
        let conn = conn();
        for sql in [
            "INSERT INTO t VALUES ('a', 'y')",
            "INSERT INTO t VALUES ('b', 'x')",
        ] {
            let e = StoreError::from(conn.execute(sql, []).expect_err("refused"));
            assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
            assert!(e.to_string().starts_with("base de données : "), "{e}");
        }
    }

    #[test]
    fn a_missing_row_is_not_found_and_a_syntax_error_is_the_backend_s() {
        let conn = conn();
        let missing = conn
            .query_row("SELECT k FROM t WHERE k = 'z'", [], |r| {
                r.get::<_, String>(0)
            })
            .expect_err("none");
        assert!(matches!(StoreError::from(missing), StoreError::NotFound(_)));
        let bad = conn.execute("SELEC 1", []).expect_err("syntax");
        assert!(matches!(StoreError::from(bad), StoreError::Backend(_)));
    }

    #[test]
    fn a_database_another_writer_holds_is_busy() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("t.db");
        let one = Connection::open(&file).expect("open");
        one.execute_batch("CREATE TABLE t (k TEXT); BEGIN IMMEDIATE; INSERT INTO t VALUES ('a')")
            .expect("hold");
        let two = Connection::open(&file).expect("open");
        two.busy_timeout(std::time::Duration::ZERO)
            .expect("timeout");
        let e = StoreError::from(
            two.execute("INSERT INTO t VALUES ('b')", [])
                .expect_err("busy"),
        );
        assert!(matches!(e, StoreError::Busy(_)), "{e:?}");
    }
}
