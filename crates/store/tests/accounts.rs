//! Accounts: changes of accounts that move money are journaled as such and listed for the
//! ordonnateurs' dashboard; wrong command-line passwords slow the next attempts down.

use relais_core::roles::Role;
use relais_store::logins::{Backoff, LoginThrottle};
use relais_store::{NewUser, SqliteStore, Store};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    store
        .add_user("admin", &user("admin", &[Role::Admin]))
        .expect("admin");
    (dir, store)
}

fn user(login: &str, roles: &[Role]) -> NewUser {
    NewUser {
        login: login.into(),
        roles: roles.to_vec(),
        site: None,
        password_hash: "$argon2id$fake-secret-hash".into(),
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[test]
fn accounts_that_move_money_are_shown_when_created_enabled_or_reset() {
    let (_d, mut s) = store();
    let start = now();
    s.add_user("admin", &user("accueil", &[Role::Accueil]))
        .expect("accueil");
    let created = s
        .add_user("admin", &user("admin2", &[Role::Ordonnateur, Role::Admin]))
        .expect("second account");
    assert_eq!(created.kind, "privileged_account_created");
    s.set_user_disabled("admin", "admin2", true).expect("off");
    let enabled = s
        .set_user_disabled("admin", "admin2", false)
        .expect("on again");
    assert_eq!(enabled.kind, "privileged_account_changed");
    s.add_user("admin", &user("c.martin", &[Role::Liquidation]))
        .expect("liquidation");
    let own = s
        .set_user_password("c.martin", "c.martin", "$argon2id$new")
        .expect("own password");
    assert_eq!(own.kind, "user.password");
    let reset = s
        .set_user_password("admin", "c.martin", "$argon2id$reset")
        .expect("reset");
    assert_eq!(reset.kind, "privileged_account_changed");
    let other = s
        .set_user_password("admin", "accueil", "$argon2id$other")
        .expect("reset accueil");
    assert_eq!(other.kind, "user.password");

    let shown = s.privileged_account_changes(start - 1).expect("changes");
    let seen: Vec<(bool, &str, &str)> = shown
        .iter()
        .map(|c| (c.created, c.login.as_str(), c.actor.as_str()))
        .collect();
    // The latest first.
    assert_eq!(
        seen,
        vec![
            (false, "c.martin", "admin"),
            (true, "c.martin", "admin"),
            (false, "admin2", "admin"),
            (true, "admin2", "admin"),
        ]
    );
    assert_eq!(shown[0].roles, "liquidation");
    assert_eq!(shown[0].change, "password_reset");
    assert_eq!(shown[2].change, "enabled");
    for e in s.journal_entries(1, 100).expect("journal") {
        assert!(!e.payload.contains("argon2"), "{}", e.payload);
    }
    assert!(
        s.privileged_account_changes(now() + 3600)
            .expect("none")
            .is_empty()
    );
    assert_eq!(
        s.user("c.martin").expect("u").expect("u").password_hash,
        "$argon2id$reset"
    );
    assert!(
        s.set_user_password("admin", "nobody", "$argon2id$x")
            .is_err()
    );
    assert_eq!(s.verify_journal().expect("journal"), 9);
}

#[test]
fn wrong_passwords_space_the_next_attempts_out() {
    let (_d, mut s) = store();
    let b = Backoff {
        base_ms: 1_000,
        cap_ms: 8_000,
        forget_after_ms: 3_600_000,
    };
    let t = 1_000_000;
    assert_eq!(s.login_turn("ordonnateur", t, &b).expect("turn"), 0);
    assert_eq!(s.login_failed("ordonnateur", t, &b).expect("fail"), 1);
    // The next attempt waits a second after the failure; one launched beside it a second more.
    assert_eq!(s.login_turn("ordonnateur", t + 200, &b).expect("turn"), 800);
    assert_eq!(
        s.login_turn("ordonnateur", t + 200, &b).expect("turn"),
        1_800
    );
    assert_eq!(
        s.login_failed("ordonnateur", t + 1_000, &b).expect("fail"),
        2
    );
    assert_eq!(
        s.login_failed("ordonnateur", t + 3_000, &b).expect("fail"),
        3
    );
    // After three failures, four seconds from the last one.
    assert_eq!(
        s.login_turn("ordonnateur", t + 3_000, &b).expect("turn"),
        4_000
    );
    for i in 0..10 {
        s.login_failed("ordonnateur", t + 10_000 + i, &b)
            .expect("fail");
    }
    let wait = s.login_turn("ordonnateur", t + 10_009, &b).expect("turn");
    assert!(wait <= 8_000, "capped: {wait}");
    // Other logins are not slowed down; success and time forget.
    assert_eq!(
        s.login_turn("liquidation", t + 10_009, &b).expect("turn"),
        0
    );
    s.login_succeeded("ordonnateur").expect("ok");
    assert_eq!(
        s.login_turn("ordonnateur", t + 10_010, &b).expect("turn"),
        0
    );
    s.login_failed("admin", t, &b).expect("fail");
    assert_eq!(s.login_turn("admin", t + 3_600_000, &b).expect("turn"), 0);
    // Nothing of this is in the journal.
    assert_eq!(s.verify_journal().expect("journal"), 1);
}
