//! The crisis cell against the store (the main courante's append-only rule and its tamper
//! detection are in the contract suite, `contract/crisis.rs`): corrections point to an
//! entry, the systems' workflow, overdue tasks, journaled directory edits, roles.

use jiff::Timestamp;
use relais_core::crisis::{
    Criticality, EntryContent, EntryKind, FactKind, NewEntry, NewFact, NewSystem, Notification,
    NotificationKind, SystemStatus, TaskStatus,
};
use relais_core::directory::DirectoryRow;
use relais_core::roles::Role;
use relais_store::crisis::{CrisisError, CrisisStore, NewTask};
use relais_store::desk::DeskStore;
use relais_store::{NewUser, SqliteStore, Store};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    for (login, role) in [
        ("admin", Role::Admin),
        ("cellule", Role::Crise),
        ("acc", Role::Accueil),
    ] {
        let user = NewUser {
            login: login.into(),
            roles: vec![role],
            site: None,
            password_hash: "x".into(),
        };
        store.add_user("system", &user).expect("user");
    }
    (dir, store)
}

fn entry(text: &str) -> NewEntry {
    NewEntry {
        at: None,
        content: EntryContent::new(EntryKind::Decision, text),
    }
}

fn system(id: &str, criticality: Criticality, status: SystemStatus) -> NewSystem {
    NewSystem {
        id: id.into(),
        name: format!("Système {id}"),
        function: "paie".into(),
        criticality,
        owner: "DSI".into(),
        site: None,
        status,
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[test]
fn a_correction_points_to_an_existing_entry() {
    let (_dir, mut store) = store();
    let wrong = store
        .add_entry("cellule", &entry("Détection à 7 h"))
        .expect("add");
    let mut fix = entry("Correction : détection à 6 h 45");
    fix.content.corrects = Some(99);
    assert!(matches!(
        store.add_entry("cellule", &fix),
        Err(CrisisError::UnknownEntry(99))
    ));
    fix.content.corrects = Some(wrong.id);
    fix.content.system = Some("INCONNU".into());
    assert!(matches!(
        store.add_entry("cellule", &fix),
        Err(CrisisError::UnknownSystem(_))
    ));
    fix.content.system = None;
    fix.content.site = Some("NULLE-PART".into());
    assert!(matches!(
        store.add_entry("cellule", &fix),
        Err(CrisisError::UnknownSite(_))
    ));
    fix.content.site = None;
    let fixed = store.add_entry("cellule", &fix).expect("correction");
    assert_eq!(fixed.content.corrects, Some(wrong.id));
    assert_eq!(store.entries().expect("list").len(), 2);
}

#[test]
fn writing_needs_the_crisis_or_admin_role() {
    let (_dir, mut store) = store();
    let refused = store
        .add_entry("acc", &entry("Je passe par là"))
        .expect_err("refused");
    assert!(
        refused.to_string().contains("n'a pas le rôle « crise »"),
        "{refused}"
    );
    assert!(store.add_entry("inconnu", &entry("x")).is_err());
    assert!(store.add_entry("admin", &entry("Par l'admin")).is_ok());
    let task = NewTask {
        title: "t".into(),
        owner: "o".into(),
        due: None,
    };
    assert!(store.add_task("acc", &task).is_err());
    assert!(store.set_public_message("acc", "a", "g").is_err());
    assert!(
        store
            .import_systems(
                "acc",
                &[system("A", Criticality::Normal, SystemStatus::Compromised)]
            )
            .is_err()
    );
    assert!(
        store
            .record_fact("acc", FactKind::Start, &NewFact::default())
            .is_err()
    );
    assert_eq!(store.entries().expect("list").len(), 1);
    assert!(store.tasks().expect("tasks").is_empty());
}

#[test]
fn status_follows_the_workflow_and_writes_the_main_courante() {
    let (_dir, mut store) = store();
    let imported = store
        .import_systems(
            "cellule",
            &[
                system("PAIE", Criticality::Critical, SystemStatus::Compromised),
                system("WEB", Criticality::Normal, SystemStatus::Restored),
            ],
        )
        .expect("import");
    assert_eq!((imported.added, imported.updated), (2, 0));
    let refused = store
        .set_system_status("cellule", "PAIE", SystemStatus::Restored, None)
        .expect_err("refused");
    assert!(refused.to_string().contains("nettoyé"), "{refused}");
    assert!(store.entries().expect("list").is_empty(), "nothing written");
    let change = store
        .set_system_status(
            "cellule",
            "PAIE",
            SystemStatus::Isolated,
            Some("câble retiré"),
        )
        .expect("isolate");
    let entries = store.entries().expect("list");
    assert_eq!(change.entry, Some(entries[0].id));
    assert_eq!(entries[0].content.system.as_deref(), Some("PAIE"));
    assert_eq!(entries[0].content.kind, EntryKind::Action);
    assert!(
        entries[0]
            .content
            .text
            .contains("compromis → isolé. câble retiré"),
        "{}",
        entries[0].content.text
    );
    let history = store.status_history("PAIE").expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].from, Some(SystemStatus::Compromised));
    assert_eq!(history[1].by, "cellule");
    assert!(matches!(
        store.set_system_status("cellule", "NONE", SystemStatus::Isolated, None),
        Err(CrisisError::UnknownSystem(_))
    ));

    // A second import describes again, and keeps the status.
    let mut again = system("PAIE", Criticality::Critical, SystemStatus::Compromised);
    again.owner = "DRH".into();
    let imported = store.import_systems("cellule", &[again]).expect("import");
    assert_eq!((imported.added, imported.updated), (0, 1));
    let systems = store.systems().expect("systems");
    assert_eq!(systems[0].owner, "DRH");
    assert_eq!(systems[0].status, SystemStatus::Isolated);

    let summary = store.systems_summary().expect("summary");
    assert_eq!(summary.by_status.len(), 5);
    assert!(summary.by_status.contains(&(SystemStatus::Isolated, 1)));
    assert!(summary.by_status.contains(&(SystemStatus::Restored, 1)));
    let critical: Vec<&str> = summary
        .critical_not_restored
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(critical, ["PAIE"]);
    assert_eq!(store.verify_journal().expect("intact"), 3 + 1 + 2 + 1);
}

#[test]
fn overdue_tasks_are_the_open_ones_past_their_due_time() {
    let (_dir, mut store) = store();
    let mut add = |title: &str, due: Option<&str>| {
        let task = NewTask {
            title: title.into(),
            owner: "DGS".into(),
            due: due.map(ts),
        };
        store.add_task("cellule", &task).expect("task")
    };
    let late = add("Plainte", Some("2026-11-22T08:00:00Z"));
    let done = add("CNIL", Some("2026-11-22T07:00:00Z"));
    add("Plus tard", Some("2026-11-23T08:00:00Z"));
    add("Sans échéance", None);
    store
        .set_task_status("cellule", done.id, TaskStatus::Done)
        .expect("done");
    assert!(matches!(
        store.set_task_status("cellule", done.id, TaskStatus::Done),
        Err(CrisisError::SameTaskStatus(_))
    ));
    let overdue = store
        .overdue_tasks(ts("2026-11-22T09:00:00Z"))
        .expect("overdue");
    let titles: Vec<&str> = overdue.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Plainte"]);
    assert_eq!(overdue[0].id, late.id);
    let all = store.tasks().expect("tasks");
    assert_eq!(all.last().map(|t| t.title.as_str()), Some("Sans échéance"));
}

#[test]
fn directory_edits_are_journaled_with_old_and_new_values() {
    let (_dir, mut store) = store();
    let mut row = DirectoryRow {
        site_code: "MDS-MELUN".into(),
        site: "MDS de Melun".into(),
        service: "Accueil".into(),
        phone: "01 99 00 10 10".into(),
        email: "mds@exemple.invalid".into(),
        address: "1 rue de Melun".into(),
        hours: "9h–17h".into(),
        paper_deposit: true,
        public: true,
    };
    let added = store.set_directory_entry("cellule", &row).expect("add");
    assert_eq!(added.old, None);
    row.phone = "06 39 98 10 10".into();
    let changed = store.set_directory_entry("cellule", &row).expect("edit");
    assert_eq!(
        changed.old.map(|o| o.phone).as_deref(),
        Some("01 99 00 10 10")
    );
    assert_eq!(store.directory().expect("directory"), vec![row]);
    let last = store.journal_entries(1, 100).expect("journal");
    let event = last.last().expect("an event");
    assert_eq!(event.kind, "directory.set");
    assert_eq!(event.actor, "cellule");
    assert!(event.payload.contains("\"old\":{") && event.payload.contains("01 99 00 10 10"));
    assert!(event.payload.contains("06 39 98 10 10"));
    assert!(store.set_directory_entry("acc", &changed.new).is_err());
}

#[test]
fn every_revision_of_a_fact_is_kept_and_notifications_follow_an_initial_one() {
    let (_dir, mut store) = store();
    for (at, estimate) in [
        ("2026-11-20T01:00:00Z", true),
        ("2026-11-19T23:30:00Z", false),
    ] {
        let fact = NewFact {
            at: Some(ts(at)),
            estimate,
            ..NewFact::default()
        };
        store
            .record_fact("cellule", FactKind::Start, &fact)
            .expect("fact");
    }
    let incident = store.incident().expect("incident");
    assert_eq!(incident.revisions(FactKind::Start).count(), 2);
    let current = incident.current(FactKind::Start).expect("current");
    assert_eq!(current.value.at, Some(ts("2026-11-19T23:30:00Z")));
    assert!(!current.value.estimate);
    assert!(
        store
            .raw_connection()
            .execute("UPDATE incident_facts SET estimate = 1", [])
            .is_err()
    );
    let mut n = Notification {
        kind: NotificationKind::Complementary,
        nature: "Indisponibilité (rançongiciel)".into(),
        people_categories: "bénéficiaires de l'APA".into(),
        people_count: 12_000,
        record_categories: "dossiers d'aide sociale".into(),
        record_count: 40_000,
        consequences: "retard de paiement".into(),
        measures: "paiement en mode dégradé".into(),
        dpo_contact: "dpo@exemple.invalid".into(),
        sent_at: ts("2026-11-21T08:00:00Z"),
        reference: None,
        delay_reasons: None,
    };
    assert!(matches!(
        store.record_notification("cellule", &n),
        Err(CrisisError::NoInitialNotification)
    ));
    n.kind = NotificationKind::Initial;
    store.record_notification("cellule", &n).expect("initial");
    n.kind = NotificationKind::Complementary;
    store
        .record_notification("cellule", &n)
        .expect("complementary");
    assert_eq!(store.incident().expect("incident").notifications.len(), 2);
}

#[test]
fn an_initial_notification_after_72_hours_needs_the_reasons_for_the_delay() {
    let (_dir, mut store) = store();
    let awareness = NewFact {
        at: Some(ts("2026-11-20T08:00:00Z")),
        ..NewFact::default()
    };
    store
        .record_fact("cellule", FactKind::Awareness, &awareness)
        .expect("awareness");
    let mut n = Notification {
        kind: NotificationKind::Initial,
        nature: "Indisponibilité (rançongiciel)".into(),
        people_categories: "bénéficiaires de l'APA".into(),
        people_count: 12_000,
        record_categories: "dossiers d'aide sociale".into(),
        record_count: 40_000,
        consequences: "retard de paiement".into(),
        measures: "paiement en mode dégradé".into(),
        dpo_contact: "dpo@exemple.invalid".into(),
        sent_at: ts("2026-11-23T09:00:00Z"),
        reference: None,
        delay_reasons: None,
    };
    let refused = store.record_notification("cellule", &n).expect_err("late");
    assert!(matches!(
        refused,
        CrisisError::LateWithoutReasons { hours: 73 }
    ));
    assert!(refused.to_string().starts_with("motifs du retard : "));
    n.delay_reasons = Some("messagerie chiffrée par l'attaquant".into());
    store
        .record_notification("cellule", &n)
        .expect("late, with reasons");
    let incident = store.incident().expect("incident");
    assert_eq!(
        incident.notifications[0]
            .notification
            .delay_reasons
            .as_deref(),
        Some("messagerie chiffrée par l'attaquant")
    );
    // Within the 72 hours nothing more is asked.
    let (_dir, mut store) = self::store();
    store
        .record_fact("cellule", FactKind::Awareness, &awareness)
        .expect("awareness");
    n.delay_reasons = None;
    n.sent_at = ts("2026-11-23T08:00:00Z");
    store.record_notification("cellule", &n).expect("in time");
}

#[test]
fn the_public_message_keeps_its_history_and_time() {
    let (_dir, mut store) = store();
    assert_eq!(store.public_message().expect("none"), None);
    store
        .set_public_message("cellule", "Messagerie", "APA versée")
        .expect("message");
    let latest = store
        .set_public_message("cellule", " Messagerie, site ", " APA, PCH et ASH versées ")
        .expect("message");
    let current = store.public_message().expect("read").expect("a message");
    assert_eq!(current, latest);
    assert_eq!(current.guaranteed, "APA, PCH et ASH versées");
}
