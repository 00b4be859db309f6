//! The store contract: what every backend must do. Run here against SQLite (the only backend
//! so far); a PostgreSQL backend will run the same story.

use relais_core::journal::ChainError;
use relais_core::records::{DirectoryEntry, Record};
use relais_core::roles::Role;
use relais_store::{NewUser, SqliteStore, Store, StoreError};
use serde_json::json;

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    (dir, store)
}

fn admin(store: &mut SqliteStore) {
    let user = NewUser {
        login: "admin".into(),
        roles: vec![Role::Admin],
        site: None,
        password_hash: "$argon2id$fake".into(),
    };
    store.add_user("admin", &user).expect("add admin");
}

fn directory_entry(code: &str) -> Record {
    Record::DirectoryEntry(DirectoryEntry {
        site_code: code.into(),
        site: format!("MDS {code}"),
        service: "Accueil".into(),
        phone: "01 99 00 12 34".into(),
        email: "mds@demo.invalid".into(),
        address: "1 rue de la Paix 77000 Melun".into(),
        hours: "9h-17h".into(),
        paper_deposit: true,
        public: true,
        extra: vec![("commentaire".into(), "ouvert".into())],
    })
}

#[test]
fn users_and_roles() {
    let (_d, mut s) = store();
    admin(&mut s);
    assert!(matches!(
        s.add_user(
            "admin",
            &NewUser {
                login: "admin".into(),
                roles: vec![Role::Crise],
                site: None,
                password_hash: "x".into()
            }
        ),
        Err(StoreError::UserExists(_))
    ));
    assert!(s.authorize("admin", Role::Admin).is_ok());
    assert!(matches!(
        s.authorize("admin", Role::Ordonnateur),
        Err(StoreError::Forbidden { .. })
    ));
    assert!(matches!(
        s.authorize("nobody", Role::Admin),
        Err(StoreError::UnknownUser(_))
    ));
    s.set_user_disabled("admin", "admin", true)
        .expect("disable");
    assert!(matches!(
        s.authorize("admin", Role::Admin),
        Err(StoreError::DisabledUser(_))
    ));
    assert_eq!(s.verify_journal().expect("verify"), 2);
}

#[test]
fn the_password_hash_is_not_in_debug_output_nor_in_the_journal() {
    let (_d, mut s) = store();
    let user = NewUser {
        login: "a".into(),
        roles: vec![Role::Admin],
        site: None,
        password_hash: "$argon2id$SECRET".into(),
    };
    assert!(!format!("{user:?}").contains("SECRET"));
    let entry = s.add_user("a", &user).expect("add");
    assert!(!entry.payload.contains("SECRET"));
}

#[test]
fn an_import_commits_with_its_journal_entry() {
    let (_d, mut s) = store();
    admin(&mut s);
    let mut session = s.begin_import().expect("begin");
    session.insert(&directory_entry("MDS01")).expect("insert");
    let entry = session
        .commit("admin", json!({"files": []}))
        .expect("commit");
    assert_eq!(entry.kind, "import");
    assert_eq!(s.counts().expect("counts").directory, 1);
    assert_eq!(s.verify_journal().expect("verify"), 2);
}

#[test]
fn an_abandoned_import_leaves_the_store_as_it_was() {
    let (_d, mut s) = store();
    admin(&mut s);
    let mut session = s.begin_import().expect("begin");
    session.insert(&directory_entry("MDS01")).expect("insert");
    session.commit("admin", json!({})).expect("commit");
    let before = s.counts().expect("counts");

    // A second import fails halfway: a duplicate key, as a store error would arise mid-way.
    let mut session = s.begin_import().expect("begin");
    session.insert(&directory_entry("MDS02")).expect("insert");
    session.insert(&directory_entry("MDS03")).expect("insert");
    assert!(session.insert(&directory_entry("MDS03")).is_err());
    drop(session);

    assert_eq!(s.counts().expect("counts"), before);
    assert_eq!(s.verify_journal().expect("verify"), 2);
    let codes: Vec<String> = s
        .raw_connection()
        .prepare("SELECT site_code FROM directory")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(codes, vec!["MDS01".to_owned()]);
}

#[test]
fn the_journal_refuses_update_and_delete_through_sql() {
    let (_d, mut s) = store();
    admin(&mut s);
    let c = s.raw_connection();
    assert!(
        c.execute("UPDATE journal SET actor = 'mallory' WHERE seq = 1", [])
            .is_err()
    );
    assert!(c.execute("DELETE FROM journal WHERE seq = 1", []).is_err());
    assert_eq!(s.verify_journal().expect("verify"), 1);
}

fn tamper(s: &SqliteStore, sql: &str) {
    let c = s.raw_connection();
    c.execute_batch("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;")
        .expect("drop triggers");
    c.execute_batch(sql).expect("tamper");
}

fn journal_of(n: usize) -> (tempfile::TempDir, SqliteStore) {
    let (d, mut s) = store();
    admin(&mut s);
    for i in 1..n {
        let user = NewUser {
            login: format!("u{i}"),
            roles: vec![Role::Accueil],
            site: None,
            password_hash: "x".into(),
        };
        s.add_user("admin", &user).expect("add");
    }
    (d, s)
}

#[test]
fn an_altered_entry_is_named() {
    let (_d, s) = journal_of(5);
    tamper(
        &s,
        "UPDATE journal SET payload = replace(payload, 'u2', 'u9') WHERE seq = 3",
    );
    assert!(matches!(
        s.verify_journal(),
        Err(StoreError::Journal(ChainError::Content { seq: 3 }))
    ));
}

#[test]
fn a_removed_entry_is_named() {
    let (_d, s) = journal_of(5);
    tamper(&s, "DELETE FROM journal WHERE seq = 2");
    assert!(matches!(
        s.verify_journal(),
        Err(StoreError::Journal(ChainError::Sequence {
            expected: 2,
            found: 3
        }))
    ));
}

#[test]
fn a_removed_last_entry_is_caught() {
    let (_d, s) = journal_of(5);
    tamper(&s, "DELETE FROM journal WHERE seq = 5");
    assert!(matches!(
        s.verify_journal(),
        Err(StoreError::Journal(ChainError::Truncated {
            last: 4,
            head: 5
        }))
    ));
}

#[test]
fn reordered_entries_are_named() {
    let (_d, s) = journal_of(5);
    // Swap the contents of entries 2 and 3, keeping the seq column in order.
    tamper(
        &s,
        "UPDATE journal SET seq = -2 WHERE seq = 2; UPDATE journal SET seq = 2 WHERE seq = 3; UPDATE journal SET seq = 3 WHERE seq = -2;",
    );
    assert!(matches!(
        s.verify_journal(),
        Err(StoreError::Journal(ChainError::Link { seq: 2 }))
    ));
}
