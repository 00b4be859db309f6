//! Changes of bank details on SQLite, as only its SQL shows them: the approvals table beside
//! the view runs read, and the requests and approvals an agent with the file cannot rewrite.
//! What every backend does is the contract (`tests/contract/bank.rs`, run by
//! `sqlite_contract.rs` and `pg_contract.rs`).

use relais_core::ids::{Bic, Iban};
use relais_core::records::{Payee, PayeeKind, Record};
use relais_core::roles::Role;
use relais_store::bank::{BankChangeStore, NewBankChange};
use relais_store::{NewUser, SqliteStore, Store};
use serde_json::json;

fn fraud_iban() -> Iban {
    Iban::parse("DE89370400440532013000").expect("iban")
}

/// One establishment, T2; users admin, acc (accueil), ord (ordonnateur).
fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    for (login, role) in [
        ("admin", Role::Admin),
        ("acc", Role::Accueil),
        ("ord", Role::Ordonnateur),
    ] {
        let user = NewUser {
            login: login.into(),
            roles: vec![role],
            site: None,
            password_hash: "x".into(),
        };
        store.add_user("admin", &user).expect("user");
    }
    let t2 = Record::Payee(Payee {
        id: "T2".into(),
        kind: PayeeKind::Etablissement,
        name: "EHPAD Les Tilleuls".into(),
        siret: None,
        iban: Iban::from_french_rib("30004", "00001", "00000000002").expect("iban"),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        holder: "EHPAD Les Tilleuls".into(),
        address: String::new(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban_changed_on: None,
        legal_form: None,
        extra: vec![],
    });
    let mut session = store.begin_import().expect("begin");
    session.insert(&t2).expect("insert");
    session.commit("admin", json!({})).expect("commit");
    (dir, store)
}

/// Whether T2's `iban` is approved: in the table, and in the view of the details now (what
/// a run checks, `sqlite/runs/prepare.rs`).
fn approved(store: &SqliteStore, iban: &Iban) -> (bool, bool) {
    let conn = store.raw_connection();
    let check = |table: &str| -> bool {
        conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE payee_id = 'T2' AND iban = ?1)"),
            [iban.as_str()],
            |r| r.get(0),
        )
        .expect("check")
    };
    (check("bank_approvals"), check("bank_approvals_current"))
}

#[test]
fn approvals_and_decisions_are_kept_behind_the_store() {
    let (_dir, mut store) = store();
    let ask = NewBankChange {
        payee_id: "T2".into(),
        dossier: None,
        iban: fraud_iban(),
        bic: Bic::parse("COBADEFF").expect("bic"),
        holder: "EHPAD Les Tilleuls".into(),
        proof: "RIB original présenté".into(),
    };
    let id = store.request_bank_change("acc", &ask).expect("request");
    assert_eq!(approved(&store, &fraud_iban()), (false, false));
    store
        .decide_bank_change("ord", id, true, "2026-12-02")
        .expect("approve");
    assert_eq!(approved(&store, &fraud_iban()), (true, true));
    // The same IBAN dated again behind the store: the approval stays in the table, for the
    // earlier change only.
    store
        .raw_connection()
        .execute(
            "UPDATE payees SET iban_changed_on = '2026-12-05' WHERE id = 'T2'",
            [],
        )
        .expect("set");
    assert_eq!(approved(&store, &fraud_iban()), (true, false));
    store.approve_imported_change("ord", "T2").expect("approve");
    assert_eq!(approved(&store, &fraud_iban()), (true, true));
    // Decisions and approvals never change, not through SQL either; every approval is kept.
    let conn = store.raw_connection();
    assert!(
        conn.execute("UPDATE bank_change_requests SET status = 'pending'", [])
            .is_err()
    );
    assert!(
        conn.execute(
            "UPDATE bank_change_requests SET decided_by = requested_by",
            []
        )
        .is_err()
    );
    assert!(
        conn.execute("DELETE FROM bank_change_requests", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM bank_approval_log", []).is_err());
    let log: i64 = conn
        .query_row(
            "SELECT count(*) FROM bank_approval_log WHERE payee_id = 'T2'",
            [],
            |r| r.get(0),
        )
        .expect("log");
    assert_eq!(log, 2);
    assert!(store.verify_journal().is_ok());
}
