use super::*;
use crate::data::DataDir;
use relais_store::{NewUser, SqliteStore, Store};

fn add_user(store: &mut SqliteStore, login: &str) {
    store
        .add_user(
            "admin",
            &NewUser {
                login: login.into(),
                roles: vec![relais_core::roles::Role::Admin],
                site: None,
                password_hash: "$argon2id$fake".into(),
            },
        )
        .expect("user");
}

fn setup() -> (tempfile::TempDir, Signer, SqliteStore) {
    let dir = tempfile::tempdir().expect("dir");
    let signer = Signer {
        keys: dir.path().join("keys"),
        log: dir.path().join(LOG),
        siret: "21770001500019".into(),
    };
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("store");
    add_user(&mut store, "admin");
    (dir, signer, store)
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

#[test]
fn the_head_is_signed_once_kept_twice_and_checks_with_its_public_key() {
    let (dir, signer, mut store) = setup();
    let now = at("2026-12-06T09:00:00Z");
    let c = signer
        .sign_head(&mut store, Reason::RunValidated, now)
        .expect("signed")
        .expect("a checkpoint");
    assert_eq!(c.seq, 1);
    assert!(c.line.contains(" reason=run_validated "), "{}", c.line);
    // The head did not move: nothing more to sign.
    assert_eq!(
        signer
            .sign_head(&mut store, Reason::Export, now)
            .expect("again"),
        None
    );
    let log = std::fs::read_to_string(dir.path().join(LOG)).expect("log");
    assert_eq!(log.lines().count(), 5, "{log}");
    assert_eq!(log, format!("{}\n{}", c.line, c.signature));
    use std::os::unix::fs::PermissionsExt;
    for (path, mode) in [
        (dir.path().join(LOG), 0o600),
        (dir.path().join("keys").join(SECRET), 0o600),
    ] {
        let m = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(m & 0o777, mode, "{}", path.display());
    }
    let report = check(&DataDir::new(dir.path()), &store, None, None).expect("checked");
    assert!(report.intact(), "{report:?}");
    assert_eq!((report.in_store, report.in_file), (1, 1));
    assert_eq!(report.judgement.matched, 1);
}

#[test]
fn hourly_signs_only_when_entries_came_and_the_last_is_an_hour_old() {
    let (_dir, signer, mut store) = setup();
    let first = at("2026-12-06T09:00:00Z");
    assert!(signer.hourly(&mut store, first).expect("first").is_some());
    add_user(&mut store, "agent");
    let soon = at("2026-12-06T09:59:59Z");
    assert_eq!(signer.hourly(&mut store, soon).expect("soon"), None);
    let later = at("2026-12-06T10:00:00Z");
    let c = signer
        .hourly(&mut store, later)
        .expect("later")
        .expect("signed");
    assert_eq!(c.seq, 2);
    // No entry since: nothing to sign however late.
    assert_eq!(
        signer
            .hourly(&mut store, at("2026-12-07T10:00:00Z"))
            .expect("idle"),
        None
    );
}

#[test]
fn an_altered_line_of_the_file_is_a_bad_signature() {
    let (dir, signer, mut store) = setup();
    let c = signer
        .sign_head(&mut store, Reason::Hourly, at("2026-12-06T09:00:00Z"))
        .expect("signed")
        .expect("a checkpoint");
    let log = dir.path().join(LOG);
    let text = std::fs::read_to_string(&log).expect("log");
    let forged = text.replace("reason=hourly", "reason=export");
    std::fs::write(&log, forged).expect("forge");
    let report = check(&DataDir::new(dir.path()), &store, None, None).expect("checked");
    assert!(!report.intact());
    assert_eq!(report.judgement.bad_signatures, vec![c.seq]);
    // A torn record is said, with its line.
    std::fs::write(&log, format!("{text}{}\n", c.line)).expect("torn");
    let report = check(&DataDir::new(dir.path()), &store, None, None).expect("checked");
    assert!(
        report.unreadable.iter().any(|u| u.contains("ligne 6")),
        "{:?}",
        report.unreadable
    );
}
