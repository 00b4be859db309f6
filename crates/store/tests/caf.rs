//! The CAF's statements on SQLite, as only its SQL shows them: a month's statement is replaced
//! while its runs are prepared, and stays once one is validated — refused by the store and by
//! the triggers. What every backend does is the contract (`tests/contract/caf.rs`, run by
//! `sqlite_contract.rs` and `pg_contract.rs`).

use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::roles::Role;
use relais_formats::caf::CafRow;
use relais_store::caf::{CafError, CafImported, CafStore};
use relais_store::{NewUser, SqliteStore, Store};

const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000001";

fn november() -> Month {
    Month::parse("2026-11").expect("month")
}

/// A statement of November with one row of `cents`, by liq.
fn import(store: &mut SqliteStore, cents: i64) -> Result<CafImported, CafError> {
    let mut session = store.begin_caf_import("liq", november())?;
    session.insert(&CafRow {
        line: 2,
        allocataire: "A1".into(),
        nir: None,
        dossier: Some("D1".into()),
        amount: Cents(cents),
    })?;
    session.commit(SHA, 0)
}

/// A run of November as the runs table holds it (the run's preparation is
/// `relais_store::runs`'s own test): the rule is on the runs of the month and their status.
fn run(store: &SqliteStore, id: &str, status: &str) {
    let validated = status == "validated";
    store
        .raw_connection()
        .execute(
            "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at,
                 validated_by, validated_at, exercice, bordereau, params, summary)
             VALUES (?1, '2026-11', ?2, 'RSA', ?3, 'liq', '2026-11-30T09:00:00Z', ?4, ?5,
                 2026, ?6, '{}', '{}')",
            rusqlite::params![
                id,
                if validated { 2 } else { 1 },
                status,
                validated.then_some("ord"),
                validated.then_some("2026-11-30T10:00:00Z"),
                validated.then_some(42)
            ],
        )
        .expect("run");
}

#[test]
fn replaced_until_a_run_of_the_month_is_validated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    for (login, role) in [("admin", Role::Admin), ("liq", Role::Liquidation)] {
        let user = NewUser {
            login: login.into(),
            roles: vec![role],
            site: None,
            password_hash: "$argon2id$fake".into(),
        };
        store.add_user("admin", &user).expect("user");
    }
    import(&mut store, 50_000).expect("first");
    // A run prepared, not validated: the statement may still be replaced, and the run is
    // named (it keeps the total it was prepared with until prepared again).
    run(&store, "P2026-11-01", "prepared");
    let imported = import(&mut store, 60_000).expect("replaced");
    assert_eq!(imported.prepared_runs, vec!["P2026-11-01".to_owned()]);
    // Validated: no longer replaced, by the store nor behind its back.
    run(&store, "P2026-11-02", "validated");
    match import(&mut store, 70_000) {
        Err(e @ CafError::RunValidated(_)) => assert!(e.to_string().contains("validé"), "{e}"),
        other => panic!("{other:?}"),
    }
    let conn = store.raw_connection();
    assert!(conn.execute("DELETE FROM caf_statement_rows", []).is_err());
    assert!(conn.execute("DELETE FROM caf_statements", []).is_err());
    assert!(
        conn.execute("UPDATE caf_statements SET total_cents = 1", [])
            .is_err()
    );
    assert_eq!(
        store.caf_statement_total(november()).expect("t"),
        Some(Cents(60_000))
    );
    assert!(store.verify_journal().is_ok());
}
