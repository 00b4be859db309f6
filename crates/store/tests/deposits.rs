//! The register of deposits: gap-free, unique numbers under concurrency; the year in the
//! authority's time zone; cancellation keeps the number; a refused registration records nothing.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::deposits::{ChronoNumber, DepositKind, NewDeposit};
use relais_core::roles::Role;
use relais_store::deposits::{DepositFilter, DepositStore, DepositStoreError};
use relais_store::{NewUser, SqliteStore, Store};
use std::path::Path;

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").expect("tz")
}

fn store_with_users(path: &Path) -> SqliteStore {
    let mut store = SqliteStore::open(path).expect("open");
    for (login, role) in [
        ("courrier", Role::Courrier),
        ("accueil", Role::Accueil),
        ("compta", Role::Liquidation),
    ] {
        store
            .add_user(
                "admin",
                &NewUser {
                    login: login.into(),
                    roles: vec![role],
                    site: None,
                    password_hash: "x".into(),
                },
            )
            .expect("user");
    }
    store
}

fn letter(from: &str) -> NewDeposit {
    NewDeposit {
        kind: DepositKind::Autre,
        depositor: from.into(),
        address: None,
        subject: None,
        pages: 1,
        invoice: None,
        bid_deadline: None,
        received_at: None,
        dossier: None,
    }
}

fn seal_with_number(d: &relais_core::deposits::Deposit) -> Result<String, String> {
    Ok(format!("code-{}", d.number))
}

#[test]
fn sixteen_writers_get_exactly_one_to_sixteen_thousand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relais.db");
    drop(store_with_users(&path));
    let threads = 16;
    let per_thread = 1000;
    let start = std::time::Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).expect("open");
                let tz = paris();
                let mut numbers = Vec::with_capacity(per_thread);
                for i in 0..per_thread {
                    let d = store
                        .register_deposit(
                            "courrier",
                            &letter(&format!("déposant {t}-{i}")),
                            &tz,
                            &mut seal_with_number,
                        )
                        .expect("register");
                    numbers.push(d.number);
                }
                numbers
            })
        })
        .collect();
    let mut all: Vec<ChronoNumber> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread"))
        .collect();
    let elapsed = start.elapsed();
    eprintln!(
        "{} registrations by {threads} writers in {elapsed:?} ({:.0}/s, debug build)",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64()
    );
    // One year: every number 1..=16000, once.
    let years: std::collections::BTreeSet<i16> = all.iter().map(|n| n.year()).collect();
    all.sort();
    if years.len() == 1 {
        let seqs: Vec<u32> = all.iter().map(|n| n.seq()).collect();
        assert_eq!(
            seqs,
            (1..=(threads * per_thread) as u32).collect::<Vec<_>>()
        );
    } else {
        // The test ran across New Year's Eve in Paris: each year still starts at 1, no gap.
        for y in years {
            let seqs: Vec<u32> = all
                .iter()
                .filter(|n| n.year() == y)
                .map(|n| n.seq())
                .collect();
            assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>());
        }
    }
    let store = SqliteStore::open(&path).expect("open");
    let listed = store.deposits(&DepositFilter::default()).expect("list");
    assert_eq!(listed.len(), threads * per_thread);
    assert!(
        listed
            .iter()
            .all(|d| d.receipt_code == format!("code-{}", d.number))
    );
    // Numbers and instants rise together: the instant is read under the write lock.
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].received_at <= w[1].received_at
                || w[0].number.year() != w[1].number.year())
    );
    // 3 users + 16,000 deposits, each with its journal entry, chain intact.
    assert_eq!(store.verify_journal().expect("journal"), 3 + 16_000);
}

#[test]
fn the_year_is_the_one_of_the_authoritys_time_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store_with_users(&dir.path().join("relais.db"));
    let martinique = TimeZone::get("America/Martinique").expect("tz");
    let at = |s: &str| Some(s.parse::<Timestamp>().expect("ts"));
    let mut d = letter("Mme Joseph");
    // 23:59:59 on 31 December 2025 in Martinique = 03:59:59 on 1 January 2026 UTC.
    d.received_at = at("2026-01-01T03:59:59Z");
    let old = store
        .register_deposit("accueil", &d, &martinique, &mut seal_with_number)
        .expect("r");
    assert_eq!(old.number.to_string(), "2025-000001");
    d.received_at = at("2026-01-01T04:00:00Z");
    let new = store
        .register_deposit("accueil", &d, &martinique, &mut seal_with_number)
        .expect("r");
    assert_eq!(new.number.to_string(), "2026-000001");
    d.received_at = at("2025-12-31T12:00:00Z");
    let late = store
        .register_deposit("accueil", &d, &martinique, &mut seal_with_number)
        .expect("r");
    assert_eq!(late.number.to_string(), "2025-000002");
    let on_31 = store
        .deposits(&DepositFilter {
            from: Some(jiff::civil::date(2025, 12, 31)),
            to: Some(jiff::civil::date(2025, 12, 31)),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(on_31.len(), 2);
}

#[test]
fn a_cancelled_number_stays_and_is_never_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store_with_users(&dir.path().join("relais.db"));
    let tz = paris();
    let first = store
        .register_deposit("courrier", &letter("A"), &tz, &mut seal_with_number)
        .expect("r");
    let cancelled = store
        .cancel_deposit("courrier", first.number, "doublon du dépôt précédent")
        .expect("cancel");
    assert_eq!(
        cancelled.cancellation.as_ref().map(|c| c.reason.as_str()),
        Some("doublon du dépôt précédent")
    );
    assert!(matches!(
        store.cancel_deposit("courrier", first.number, "encore"),
        Err(DepositStoreError::AlreadyCancelled(_))
    ));
    assert!(matches!(
        store.cancel_deposit("courrier", first.number, "  "),
        Err(DepositStoreError::EmptyReason)
    ));
    let second = store
        .register_deposit("courrier", &letter("B"), &tz, &mut seal_with_number)
        .expect("r");
    assert_eq!(second.number.seq(), first.number.seq() + 1);
    let again = store
        .deposit(first.number)
        .expect("get")
        .expect("still there");
    assert!(again.cancellation.is_some());
    // SQL itself refuses to remove a deposit.
    assert!(
        store
            .raw_connection()
            .execute("DELETE FROM deposits", [])
            .is_err()
    );
    assert_eq!(store.verify_journal().expect("journal"), 3 + 3);
}

#[test]
fn a_refused_registration_records_nothing_and_consumes_no_number() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store_with_users(&dir.path().join("relais.db"));
    let tz = paris();
    assert!(matches!(
        store.register_deposit("compta", &letter("A"), &tz, &mut seal_with_number),
        Err(DepositStoreError::NotDeskAgent(_))
    ));
    assert!(
        store
            .register_deposit("inconnu", &letter("A"), &tz, &mut seal_with_number)
            .is_err()
    );
    let mut failing =
        |_: &relais_core::deposits::Deposit| Err::<String, _>("clé absente".to_owned());
    assert!(matches!(
        store.register_deposit("courrier", &letter("A"), &tz, &mut failing),
        Err(DepositStoreError::Seal(_))
    ));
    let d = store
        .register_deposit("courrier", &letter("A"), &tz, &mut seal_with_number)
        .expect("r");
    assert_eq!(d.number.seq(), 1);
    assert_eq!(
        store
            .deposits(&DepositFilter::default())
            .expect("list")
            .len(),
        1
    );
    assert_eq!(store.verify_journal().expect("journal"), 3 + 1);
}
