//! The crisis cell's services on a real store: "now" is the cell's clock, never the
//! system's (a time typed in the future, the CNIL's 72 hours); what the store refuses (who may
//! write, a late notification without its reasons, an unknown system or task) comes back as
//! `AppError::Crisis` in the store's own French; an inventory with errors imports nothing.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_app::crisis::courante::{self, Export, Format};
use relais_app::crisis::incident::{self, Cnil};
use relais_app::crisis::{Cell, directory, systems};
use relais_app::{AppError, FixedClock};
use relais_core::crisis::{
    EntryContent, EntryKind, FactKind, NewEntry, NewFact, Notification, NotificationKind,
    SystemStatus, TaskStatus,
};
use relais_core::directory::DirectoryRow;
use relais_core::roles::Role;
use relais_store::crisis::{CrisisError, NewTask};
use relais_store::{Backend, NewUser, SqliteStore, Store, StoreError};

fn store(dir: &std::path::Path) -> Box<dyn Backend> {
    let mut store = SqliteStore::open(&dir.join("relais.db")).expect("open");
    for (login, role) in [("crise", Role::Crise), ("accueil", Role::Accueil)] {
        store
            .add_user(
                "system",
                &NewUser {
                    login: login.into(),
                    roles: vec![role],
                    site: None,
                    password_hash: "not used".into(),
                },
            )
            .expect("user");
    }
    Box::new(store)
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").expect("tz")
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

fn entry(text: &str) -> NewEntry {
    NewEntry {
        at: None,
        content: EntryContent {
            kind: EntryKind::Decision,
            text: text.into(),
            corrects: None,
            system: None,
            site: None,
            document: None,
        },
    }
}

fn notification(kind: NotificationKind, sent_at: Timestamp) -> Notification {
    Notification {
        kind,
        nature: "Rançongiciel".into(),
        people_categories: "Allocataires".into(),
        people_count: 1200,
        record_categories: "Identité, RIB".into(),
        record_count: 1200,
        consequences: "Paiements retardés".into(),
        measures: "Serveurs isolés".into(),
        dpo_contact: "dpo@departement.fr".into(),
        sent_at,
        reference: None,
        delay_reasons: None,
    }
}

#[test]
fn a_time_typed_is_in_the_future_by_the_cells_clock_not_the_systems() {
    let tz = paris();
    // Years ago: what the system's clock would accept, the cell's refuses.
    let clock = FixedClock(at("2020-01-01T08:00:00Z"));
    let cell = Cell {
        authority: "Département test",
        tz: &tz,
        clock: &clock,
    };
    let e = cell
        .happened("--at", at("2020-06-01T08:00:00Z"))
        .expect_err("after the cell's now");
    assert!(
        matches!(&e, AppError::Crisis(CrisisError::Input(i)) if i.field == "--at"),
        "{e:?}"
    );
    assert!(e.french().starts_with("--at : "), "{}", e.french());
    let past = at("2019-12-31T08:00:00Z");
    assert_eq!(cell.happened("--at", past).expect("before"), past);
}

#[test]
fn the_main_courante_is_written_by_the_cell_only_and_exported_as_read() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = store(dir.path());
    let e = courante::add(&mut *s, "accueil", &entry("Cellule ouverte")).expect_err("role");
    assert!(
        matches!(
            &e,
            AppError::Crisis(CrisisError::Store(StoreError::Forbidden { .. }))
        ),
        "{e:?}"
    );
    assert!(Export::read(&*s).expect("read").entries().is_empty());

    let added = courante::add(&mut *s, "crise", &entry("Cellule ouverte")).expect("add");
    assert_eq!(added.id, 1);
    let mut correction = entry("Cellule ouverte à 9 h");
    correction.content.corrects = Some(7);
    let e = courante::add(&mut *s, "crise", &correction).expect_err("no entry 7");
    assert_eq!(e.french(), "entrée n° 7 de la main courante introuvable");

    let tz = paris();
    let clock = FixedClock(at("2026-12-01T08:14:00Z"));
    let cell = Cell {
        authority: "Département test",
        tz: &tz,
        clock: &clock,
    };
    let export = Export::read(&*s).expect("read");
    let mut csv = Vec::new();
    export.write(&cell, Format::Csv, &mut csv).expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Cellule ouverte"), "{csv}");
    let mut pdf = Vec::new();
    export.write(&cell, Format::Pdf, &mut pdf).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn the_cnil_clock_runs_from_awareness_on_the_cells_clock_and_stops_when_notified() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = store(dir.path());
    let tz = paris();
    let awareness = at("2026-12-01T08:00:00Z");
    let two_hours_later = FixedClock(at("2026-12-01T10:00:00Z"));

    let none = incident::read(&*s).expect("incident");
    assert_eq!(
        Cnil::of(&none, &two_hours_later),
        Cnil::Unknown { notified: false }
    );

    let fact = NewFact {
        at: Some(awareness),
        ..NewFact::default()
    };
    let recorded = incident::record_fact(
        &mut *s,
        &two_hours_later,
        "crise",
        FactKind::Awareness,
        &fact,
    )
    .expect("fact");
    let clock = recorded.cnil.expect("awareness sets the clock");
    assert_eq!(clock.deadline, at("2026-12-04T08:00:00Z"));
    assert_eq!(clock.label_fr(), "reste 70 h 00 min");
    let note = NewFact {
        note: Some("Plainte déposée".into()),
        ..NewFact::default()
    };
    let other = incident::record_fact(
        &mut *s,
        &two_hours_later,
        "crise",
        FactKind::Complaint,
        &note,
    )
    .expect("fact");
    assert_eq!(other.cnil, None);

    let read = incident::read(&*s).expect("incident");
    let four_days_later = FixedClock(at("2026-12-05T08:30:00Z"));
    let running = Cnil::of(&read, &four_days_later);
    assert!(running.is_overdue(), "{running:?}");
    assert_eq!(
        running.label_fr(&tz).as_deref(),
        Some("dépassé de 24 h 30 min")
    );

    // A complementary notification completes an initial one; a late one gives its reasons.
    let sent = four_days_later.0;
    let e = incident::notify(
        &mut *s,
        "crise",
        &notification(NotificationKind::Complementary, sent),
    )
    .expect_err("no initial");
    assert!(
        matches!(e, AppError::Crisis(CrisisError::NoInitialNotification)),
        "{e:?}"
    );
    let late = notification(NotificationKind::Initial, sent);
    let e = incident::notify(&mut *s, "crise", &late).expect_err("late without reasons");
    assert!(
        matches!(
            e,
            AppError::Crisis(CrisisError::LateWithoutReasons { hours: 96 })
        ),
        "{e:?}"
    );
    let e = incident::notify(&mut *s, "accueil", &late).expect_err("role");
    assert!(
        matches!(
            e,
            AppError::Crisis(CrisisError::Store(StoreError::Forbidden { .. }))
        ),
        "{e:?}"
    );
    let with_reasons = Notification {
        delay_reasons: Some("Serveurs chiffrés, périmètre inconnu".into()),
        ..late
    };
    incident::notify(&mut *s, "crise", &with_reasons).expect("notified");

    let read = incident::read(&*s).expect("incident");
    let stopped = Cnil::of(&read, &FixedClock(at("2026-12-09T08:00:00Z")));
    assert!(!stopped.is_overdue() && stopped.is_late(), "{stopped:?}");
    assert_eq!(
        stopped.label_fr(&tz).as_deref(),
        Some("notifiée le 05/12/2026 à 09:30, 96 h après la découverte")
    );
}

#[test]
fn an_inventory_with_errors_imports_nothing_and_statuses_follow_the_workflow() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = store(dir.path());
    let broken = dir.path().join("broken.csv");
    std::fs::write(
        &broken,
        "id;nom;fonction;criticite;responsable\nGF;Gestion financière;Mandats;vitale;DAF\n",
    )
    .expect("write");
    let e = systems::import(&mut *s, "crise", &broken).expect_err("criticality");
    assert!(
        matches!(&e, AppError::Inventory(errors) if errors.len() == 1),
        "{e:?}"
    );
    assert!(
        e.french()
            .starts_with("inventaire refusé, rien n'est importé :\n"),
        "{}",
        e.french()
    );
    assert!(e.french().contains("broken.csv:2"), "{}", e.french());
    assert!(s.systems().expect("systems").is_empty());
    let e = systems::import(&mut *s, "crise", &dir.path().join("absent.csv")).expect_err("absent");
    assert!(e.french().starts_with("lecture de "), "{}", e.french());

    let good = dir.path().join("systemes.csv");
    std::fs::write(
        &good,
        "id;nom;fonction;criticite;responsable\nGF;Gestion financière;Mandats;critique;DAF\n",
    )
    .expect("write");
    let done = systems::import(&mut *s, "crise", &good).expect("import");
    assert_eq!((done.added, done.updated), (1, 0));
    let e = systems::set_status(&mut *s, "crise", "PAIE", SystemStatus::Isolated, None)
        .expect_err("unknown");
    assert!(
        matches!(&e, AppError::Crisis(CrisisError::UnknownSystem(id)) if id == "PAIE"),
        "{e:?}"
    );
    let change = systems::set_status(&mut *s, "crise", "GF", SystemStatus::Isolated, None)
        .expect("isolated");
    assert_eq!(change.to, SystemStatus::Isolated);
    assert!(change.entry.is_some(), "the main courante notes it");
    let e = systems::set_status(&mut *s, "crise", "GF", SystemStatus::Restored, None)
        .expect_err("not along the workflow");
    assert!(
        matches!(e, AppError::Crisis(CrisisError::Transition(_))),
        "{e:?}"
    );
}

#[test]
fn tasks_directory_and_message_are_the_cells_to_write() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = store(dir.path());
    let task = NewTask {
        title: "Prévenir la paierie".into(),
        owner: "DAF".into(),
        due: None,
    };
    let e = systems::add_task(&mut *s, "accueil", &task).expect_err("role");
    assert!(
        matches!(e, AppError::Crisis(CrisisError::Store(_))),
        "{e:?}"
    );
    let t = systems::add_task(&mut *s, "crise", &task).expect("task");
    let e = systems::set_task_status(&mut *s, "crise", t.id + 1, TaskStatus::Done)
        .expect_err("unknown");
    assert!(
        matches!(e, AppError::Crisis(CrisisError::UnknownTask(_))),
        "{e:?}"
    );
    let e = systems::set_task_status(&mut *s, "crise", t.id, t.status).expect_err("same");
    assert!(
        matches!(e, AppError::Crisis(CrisisError::SameTaskStatus(_))),
        "{e:?}"
    );
    systems::set_task_status(&mut *s, "crise", t.id, TaskStatus::Done).expect("done");

    let row = DirectoryRow {
        site_code: "MDS-MEAUX".into(),
        site: "Maison des solidarités de Meaux".into(),
        service: "Accueil".into(),
        phone: "+33160000000".into(),
        email: String::new(),
        address: String::new(),
        hours: String::new(),
        paper_deposit: true,
        public: true,
    };
    assert!(directory::set_entry(&mut *s, "accueil", &row).is_err());
    assert_eq!(
        directory::entry(&*s, "MDS-MEAUX", "Accueil").expect("read"),
        None
    );
    let change = directory::set_entry(&mut *s, "crise", &row).expect("added");
    assert!(change.old.is_none());
    assert_eq!(
        directory::entry(&*s, "MDS-MEAUX", "Accueil").expect("read"),
        Some(row)
    );
    let m = directory::set_message(&mut *s, "crise", "Paie", "RSA versé").expect("message");
    assert_eq!(m.updated_by, "crise");
}
