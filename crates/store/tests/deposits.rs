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
    NewDeposit::new(DepositKind::Autre, from)
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
    // Numbers and instants of registration rise together: the instant is read under the
    // write lock.
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].registered_at <= w[1].registered_at
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
    // That the backend itself refuses to remove a deposit: contract/kept.rs.
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

#[test]
fn a_deposit_received_earlier_takes_the_next_number_and_keeps_both_instants() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store_with_users(&dir.path().join("relais.db"));
    let tz = paris();
    let first = store
        .register_deposit("courrier", &letter("A"), &tz, &mut seal_with_number)
        .expect("r");
    assert_eq!(first.received_at, first.registered_at);
    let mut late = letter("B");
    let an_hour_ago = Timestamp::now() - jiff::SignedDuration::from_hours(1);
    late.received_at = Some(an_hour_ago);
    late.backdate_reason = Some("registre indisponible".into());
    let second = store
        .register_deposit("courrier", &late, &tz, &mut seal_with_number)
        .expect("r");
    // Numbers follow registration, not the time of receipt claimed.
    assert_eq!(second.number.seq(), first.number.seq() + 1);
    assert!(second.received_at < first.received_at);
    assert!(second.registered_at >= first.registered_at);
    assert!(second.is_backdated());
    let again = store.deposit(second.number).expect("get").expect("there");
    assert_eq!(again.registered_at, second.registered_at);
    assert_eq!(again.received_at, second.received_at);
    assert_eq!(
        again.facts.backdate_reason.as_deref(),
        Some("registre indisponible")
    );
    // A time of receipt after the registration is refused.
    let mut future = letter("C");
    future.received_at = Some(Timestamp::now() + jiff::SignedDuration::from_hours(1));
    assert!(matches!(
        store.register_deposit("courrier", &future, &tz, &mut seal_with_number),
        Err(DepositStoreError::ReceivedAfterRegistration)
    ));
}

#[test]
fn an_incomplete_application_is_completed_once_by_its_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store_with_users(&dir.path().join("relais.db"));
    let tz = paris();
    let mut apa = NewDeposit::new(DepositKind::DemandeApa, "Mme Joseph");
    apa.missing = vec!["justificatif de domicile".into(), "RIB".into()];
    apa.missing_deadline = Some(jiff::civil::date(2099, 1, 31));
    let first = store
        .register_deposit("accueil", &apa, &tz, &mut seal_with_number)
        .expect("incomplete application");
    assert!(first.is_incomplete());
    let complete = store
        .register_deposit(
            "accueil",
            &NewDeposit::new(DepositKind::DemandePch, "M. Louis"),
            &tz,
            &mut seal_with_number,
        )
        .expect("complete application");
    let docs_for = |n: ChronoNumber| {
        let mut d = NewDeposit::new(DepositKind::PiecesComplementaires, "Mme Joseph");
        d.completes = Some(n);
        d
    };
    // Completing what cannot be completed records nothing.
    let unknown = ChronoNumber::new(first.number.year(), 999).expect("n");
    assert!(matches!(
        store.register_deposit("accueil", &docs_for(unknown), &tz, &mut seal_with_number),
        Err(DepositStoreError::CompletedUnknown(_))
    ));
    assert!(matches!(
        store.register_deposit(
            "accueil",
            &docs_for(complete.number),
            &tz,
            &mut seal_with_number
        ),
        Err(DepositStoreError::NotCompletable(..))
    ));
    let docs = store
        .register_deposit(
            "accueil",
            &docs_for(first.number),
            &tz,
            &mut seal_with_number,
        )
        .expect("documents");
    assert_eq!(
        docs.number.seq(),
        complete.number.seq() + 1,
        "no number lost"
    );
    let first_now = store.deposit(first.number).expect("get").expect("there");
    assert_eq!(
        first_now.completion.as_ref().map(|c| (c.by, c.at)),
        Some((docs.number, docs.received_at))
    );
    assert!(!first_now.is_incomplete());
    assert_eq!(first_now.facts.missing, apa.missing);
    assert_eq!(first_now.facts.missing_deadline, apa.missing_deadline);
    // Once only.
    assert!(matches!(
        store.register_deposit("accueil", &docs_for(first.number), &tz, &mut seal_with_number),
        Err(DepositStoreError::AlreadyCompleted(_, by)) if by == docs.number
    ));
    // The completing deposit cancelled, the file is incomplete again and may be completed.
    store
        .cancel_deposit("accueil", docs.number, "pièces d'un autre dossier")
        .expect("cancel");
    assert!(
        store
            .deposit(first.number)
            .expect("get")
            .expect("there")
            .is_incomplete()
    );
    let again = store
        .register_deposit(
            "accueil",
            &docs_for(first.number),
            &tz,
            &mut seal_with_number,
        )
        .expect("completed again");
    let listed = store.deposits(&DepositFilter::default()).expect("list");
    let first_listed = listed
        .iter()
        .find(|d| d.number == first.number)
        .expect("listed");
    assert_eq!(
        first_listed.completion.as_ref().map(|c| c.by),
        Some(again.number)
    );
}

#[test]
fn deposits_registered_before_migration_21_get_their_journal_instant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relais.db");
    let mut store = store_with_users(&path);
    let tz = paris();
    let mut d = letter("A");
    d.received_at = Some(Timestamp::now() - jiff::SignedDuration::from_hours(5));
    let old = store
        .register_deposit("courrier", &d, &tz, &mut seal_with_number)
        .expect("r");
    let conn = store.raw_connection();
    // The schema as migration 20 left it.
    conn.execute_batch(
        "DROP INDEX deposits_completed_once;
         DROP TRIGGER deposits_keep_facts;
         ALTER TABLE deposits DROP COLUMN registered_at;
         ALTER TABLE deposits DROP COLUMN backdate_reason;
         ALTER TABLE deposits DROP COLUMN missing;
         ALTER TABLE deposits DROP COLUMN missing_deadline;
         ALTER TABLE deposits DROP COLUMN completes;
         CREATE TRIGGER deposits_keep_facts BEFORE UPDATE OF number, year, seq, received_at,
             kind, depositor, receipt_code ON deposits
         BEGIN SELECT RAISE(ABORT, 'a deposit''s facts never change'); END;
         PRAGMA user_version = 20;",
    )
    .expect("back to 20");
    drop(store);
    let store = SqliteStore::open(&path).expect("migrated");
    let back = store.deposit(old.number).expect("get").expect("there");
    assert_eq!(back.registered_at, old.registered_at);
    assert_eq!(back.received_at, old.received_at);
    assert!(back.is_backdated());
}
