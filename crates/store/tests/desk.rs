//! The desk's search, the person's page, and web sessions against the store.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Nir};
use relais_core::records::{Beneficiary, Benefit, Payee, PayeeKind, Record, Right, RightStatus};
use relais_core::roles::Role;
use relais_store::desk::DeskStore;
use relais_store::sessions::SessionStore;
use relais_store::{NewUser, SqliteStore, Store};
use serde_json::json;

fn person(dossier: &str, last: &str, first: &str, nir: Option<&str>) -> Record {
    Record::Beneficiary(Beneficiary {
        dossier: dossier.into(),
        nir: nir.map(|n| Nir::parse(n).expect("nir")),
        last_name: last.into(),
        first_name: first.into(),
        birth_date: date(1941, 7, 4),
        address: "1 rue de la Paix".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        phone: String::new(),
        site: "MDS01".into(),
        death_date: None,
        civility: None,
        extra: vec![],
    })
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    store
        .add_user(
            "system",
            &NewUser {
                login: "admin".into(),
                roles: vec![Role::Admin],
                site: None,
                password_hash: "x".into(),
            },
        )
        .expect("user");
    for (login, role) in [
        ("acc", Role::Accueil),
        ("acc2", Role::Accueil),
        ("ins", Role::Instruction),
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
    let nir = "1 41 07 75 056 012 59";
    let records = vec![
        person("D1", "LEFÈVRE", "Jean-Marc", Some(nir)),
        person("D2", "LEFEBVRE", "Anne", None),
        person("D3", "MARTIN", "Jeanne", None),
        Record::Payee(Payee {
            id: "T1".into(),
            kind: PayeeKind::Personne,
            name: "LEFÈVRE Jean-Marc".into(),
            siret: None,
            iban: Iban::from_french_rib("30004", "00001", "00000000001").expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
            holder: "LEFÈVRE Jean-Marc".into(),
            address: String::new(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            iban_changed_on: None,
            legal_form: None,
            extra: vec![],
        }),
        Record::Right(Right {
            id: "R1".into(),
            dossier: "D1".into(),
            benefit: Benefit::ApaDom,
            monthly_amount: Cents(45_012),
            start: date(2024, 1, 1),
            end: date(2027, 12, 31),
            status: RightStatus::EnPaiement,
            payee_id: "T1".into(),
            imputation: None,
            extra: vec![],
        }),
    ];
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session.commit("admin", json!({})).expect("commit");
    (dir, store)
}

fn files(hits: &[relais_store::desk::PersonHit]) -> Vec<&str> {
    hits.iter().map(|h| h.dossier.as_str()).collect()
}

#[test]
fn partial_names_without_accents_find_people() {
    let (_dir, store) = store();
    assert_eq!(
        files(&store.search_people("lefev", 10, None).expect("search")),
        ["D1"]
    );
    assert_eq!(
        files(&store.search_people("LEFE", 10, None).expect("search")),
        ["D2", "D1"]
    );
    assert_eq!(
        files(&store.search_people("jean lef", 10, None).expect("search")),
        ["D1"]
    );
    assert_eq!(
        files(&store.search_people("marc", 10, None).expect("search")),
        ["D1"]
    );
    assert!(
        store
            .search_people("lefevre anne", 10, None)
            .expect("search")
            .is_empty()
    );
    assert_eq!(
        files(&store.search_people("D3", 10, None).expect("search")),
        ["D3"]
    );
    assert_eq!(
        files(
            &store
                .search_people("141077505601259", 10, None)
                .expect("nir")
        ),
        ["D1"]
    );
    assert_eq!(
        files(&store.search_people("04/07/1941", 1, None).expect("date")).len(),
        1
    );
    assert!(
        store
            .search_people("  ", 10, None)
            .expect("empty")
            .is_empty()
    );
    // SQL and LIKE characters are plain text.
    assert!(
        store
            .search_people("%' OR 1=1 --", 10, None)
            .expect("quote")
            .is_empty()
    );
}

#[test]
fn the_page_shows_rights_with_a_masked_iban() {
    let (_dir, store) = store();
    let page = store.person("D1", None).expect("page").expect("found");
    assert_eq!(page.rights.len(), 1);
    assert_eq!(page.rights[0].monthly_amount, 45_012);
    assert_eq!(page.rights[0].iban_end.len(), 4);
    assert!(store.person("D9", None).expect("page").is_none());
}

/// Closed after 900 s unused; a working day is longer than these tests.
const IDLE_900: relais_store::sessions::Lifetime = relais_store::sessions::Lifetime {
    idle_seconds: 900,
    absolute_seconds: 10 * 3600,
};

#[test]
fn sessions_expire_when_idle_and_close() {
    let (_dir, mut store) = store();
    store
        .open_session("h1", "admin", "c1", 1_000)
        .expect("open");
    let s = store
        .session("h1", 1_500, IDLE_900)
        .expect("read")
        .expect("open");
    assert_eq!(s.login, "admin");
    assert!(s.has(Role::Admin));
    // Touched at 1,500: still open at 2,300, closed after 900 s of nothing.
    assert!(
        store
            .session("h1", 2_300, IDLE_900)
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .session("h1", 3_300, IDLE_900)
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .session("h1", 3_301, IDLE_900)
            .expect("read")
            .is_none()
    );
    store
        .open_session("h2", "admin", "c2", 5_000)
        .expect("open");
    store.close_session("h2").expect("close");
    assert!(
        store
            .session("h2", 5_001, IDLE_900)
            .expect("read")
            .is_none()
    );
    // A disabled user's sessions end at once.
    store
        .open_session("h3", "admin", "c3", 6_000)
        .expect("open");
    store
        .set_user_disabled("admin", "admin", true)
        .expect("disable");
    assert!(
        store
            .session("h3", 6_001, IDLE_900)
            .expect("read")
            .is_none()
    );
    assert!(store.verify_journal().is_ok());
}

#[test]
fn contacts_are_logged_by_desk_agents_and_never_changed() {
    let (_dir, mut store) = store();
    let id = store
        .log_contact(
            "acc",
            "D1",
            "telephone",
            "Appelle pour son paiement de décembre",
            "2026-12-02 09:10",
        )
        .expect("log");
    assert!(id.is_some());
    assert_eq!(
        store
            .log_contact("acc", "D9", "visite", "x", "2026-12-02 09:11")
            .expect("none"),
        None
    );
    assert!(
        store
            .log_contact("acc", "D1", "pigeon", "x", "2026-12-02 09:11")
            .is_err()
    );
    assert!(
        store
            .log_contact("acc", "D1", "visite", "  ", "2026-12-02 09:11")
            .is_err()
    );
    assert!(
        store
            .log_contact("admin", "D1", "visite", "x", "2026-12-02 09:11")
            .is_err()
    );
    let page = store.person("D1", None).expect("page").expect("D1");
    assert_eq!(page.contacts.len(), 1);
    assert_eq!(page.contacts[0].agent, "acc");
    // That the backend itself keeps contacts for good: contract/kept.rs.
}

/// An agent bound to a site: the search, the page and a contact reach only that site's
/// people, whatever is typed (a file number, a NIR, a name).
#[test]
fn a_site_narrows_the_search_the_page_and_contacts() {
    let (_dir, mut store) = store();
    store
        .add_user(
            "admin",
            &NewUser {
                login: "acc-mds02".into(),
                roles: vec![Role::Accueil],
                site: Some("MDS02".into()),
                password_hash: "x".into(),
            },
        )
        .expect("user");
    for q in ["lefev", "D1", "141077505601259", "04/07/1941"] {
        assert!(!files(&store.search_people(q, 10, None).expect("all")).is_empty());
        assert!(
            files(&store.search_people(q, 10, Some("MDS02")).expect("site")).is_empty(),
            "{q}"
        );
        assert!(!files(&store.search_people(q, 10, Some("MDS01")).expect("site")).is_empty());
    }
    assert!(store.person("D1", Some("MDS02")).expect("page").is_none());
    assert!(store.person("D1", Some("MDS01")).expect("page").is_some());
    assert_eq!(
        store
            .log_contact("acc-mds02", "D1", "visite", "x", "2026-12-02 09:11")
            .expect("none"),
        None
    );
    assert!(
        store
            .person("D1", None)
            .expect("page")
            .expect("D1")
            .contacts
            .is_empty()
    );
}

/// The person's page also reads what stands in the way of a payment: a change of bank details
/// awaiting its decision (the new IBAN masked), import problems about the file that nobody
/// handled (a `D12` row is not `D1`'s), and no run yet.
#[test]
fn the_page_reads_pending_changes_and_import_problems() {
    use relais_store::bank::{BankChangeStore, NewBankChange};
    let (_dir, mut store) = store();
    let iban = Iban::from_french_rib("30004", "00001", "00000000002").expect("iban");
    let id = store
        .request_bank_change(
            "acc",
            &NewBankChange {
                payee_id: "T1".into(),
                dossier: Some("D1".into()),
                iban: iban.clone(),
                bic: Bic::parse("BNPAFRPP").expect("bic"),
                holder: "LEFÈVRE Jean-Marc".into(),
                proof: "RIB original présenté".into(),
            },
        )
        .expect("request");
    let conn = store.raw_connection();
    for (key, raw) in [
        (Some("D1"), r#"[["dossier","D1"],["nom","LEFÈVRE"]]"#),
        (
            Some("R7"),
            r#"[["id","R7"],["dossier","D1"],["montant","abc"]]"#,
        ),
        (Some("D12"), r#"[["dossier","D12"]]"#),
        (
            Some("R8"),
            r#"[["id","R8"],["dossier","D1"],["montant","x"]]"#,
        ),
    ] {
        conn.execute(
            "INSERT INTO pending_rows (entity, file, line, key, raw, problems, severity)
             VALUES ('droits', 'droits.csv', 3, ?1, ?2,
                     '[[\"montant\",\"amount\",\"montant illisible\"]]', 'rejet')",
            rusqlite::params![key, raw],
        )
        .expect("pending row");
    }
    // R8's row was handled: it is no longer a problem to show.
    conn.execute(
        "INSERT INTO pending_outcomes (file, raw, outcome, note, handled_by, handled_at)
         VALUES ('droits.csv', ?1, 'sans_suite', 'doublon', 'ins', '2026-12-01 10:00')",
        [r#"[["id","R8"],["dossier","D1"],["montant","x"]]"#],
    )
    .expect("outcome");
    let page = store.person("D1", None).expect("page").expect("D1");
    assert_eq!(page.bank_requests.len(), 1);
    assert_eq!(page.bank_requests[0].id, id);
    assert_eq!(page.bank_requests[0].requested_by, "acc");
    assert_eq!(
        page.bank_requests[0].iban_masked,
        relais_core::ids::mask_iban(iban.as_str())
    );
    assert_eq!(page.import_problems.len(), 2, "{:?}", page.import_problems);
    assert_eq!(
        page.import_problems[0].problem,
        "montant : montant illisible"
    );
    assert_eq!(page.import_problems[0].severity, "rejet");
    assert!(page.runs.is_empty() && page.exclusions.is_empty());
    assert!(page.paid_months.is_empty());
    assert!(!page.rights[0].iban_approved);
    // Another person's page shows none of it.
    let other = store.person("D2", None).expect("page").expect("D2");
    assert!(other.bank_requests.is_empty() && other.import_problems.is_empty());
}

/// Issuing a payment certificate is journaled; not for an unknown file, nor for an agent of
/// another site, nor for a role the desk does not have.
#[test]
fn a_certificate_issued_is_journaled() {
    let (_dir, mut store) = store();
    store
        .add_user(
            "admin",
            &NewUser {
                login: "acc-mds02".into(),
                roles: vec![Role::Accueil],
                site: Some("MDS02".into()),
                password_hash: "x".into(),
            },
        )
        .expect("user");
    assert_eq!(
        store.log_certificate("acc", "D1").expect("issued"),
        Some(())
    );
    assert_eq!(store.log_certificate("acc", "D9").expect("unknown"), None);
    assert_eq!(
        store.log_certificate("acc-mds02", "D1").expect("site"),
        None
    );
    assert!(store.log_certificate("admin", "D1").is_err());
    let issued: Vec<_> = store
        .journal_entries(1, 1000)
        .expect("journal")
        .into_iter()
        .filter(|e| e.kind == "payment_certificate")
        .collect();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].actor, "acc");
    assert_eq!(issued[0].payload, r#"{"dossier":"D1"}"#);
}

/// A store of people born on given days, for the searches by birth and the order of names.
fn people(rows: &[(&str, &str, &str, jiff::civil::Date)]) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    store
        .add_user(
            "system",
            &NewUser {
                login: "admin".into(),
                roles: vec![Role::Admin],
                site: None,
                password_hash: "x".into(),
            },
        )
        .expect("user");
    let mut session = store.begin_import().expect("begin");
    for (dossier, last, first, born) in rows {
        let mut r = person(dossier, last, first, None);
        if let Record::Beneficiary(b) = &mut r {
            b.birth_date = *born;
        }
        session.insert(&r).expect("insert");
    }
    session.commit("admin", json!({})).expect("commit");
    (dir, store)
}

#[test]
fn a_birth_date_as_typed_and_a_year_with_a_name() {
    let (_dir, store) = people(&[
        ("D1", "DUPONT", "Marie", date(1972, 12, 10)),
        ("D2", "DUPONT", "Marc", date(1972, 3, 1)),
        ("D3", "DUPONT", "Luc", date(1950, 12, 10)),
        ("D4", "MARTIN", "Anne", date(1972, 12, 10)),
    ]);
    let find = |q: &str| {
        let mut found: Vec<String> = store
            .search_people(q, 10, None)
            .expect("search")
            .into_iter()
            .map(|h| h.dossier)
            .collect();
        found.sort();
        found
    };
    for q in [
        "10121972",
        "10/12/1972",
        "10.12.1972",
        "1972-12-10",
        "10 12 1972",
    ] {
        assert_eq!(find(q), ["D1", "D4"], "{q}");
    }
    assert_eq!(find("dupont 1972"), ["D1", "D2"]);
    assert_eq!(find("1972 dup"), ["D1", "D2"]);
    assert_eq!(find("dupont 10121972"), ["D1"]);
    assert_eq!(find("martin 1950"), Vec::<String>::new());
    assert_eq!(find("1950"), ["D3"]);
}

#[test]
fn results_are_in_french_order() {
    let born = date(1941, 7, 4);
    let (_dir, store) = people(&[
        ("D1", "LEVY", "Anne", born),
        ("D2", "LÉVÊQUE", "Hélène", born),
        ("D3", "LEROY", "Jean", born),
        ("D4", "Lévêque", "Adèle", born),
        ("D5", "LEBLANC", "Zoé", born),
    ]);
    let names: Vec<String> = store
        .search_people("le", 10, None)
        .expect("search")
        .into_iter()
        .map(|h| format!("{} {}", h.last_name, h.first_name))
        .collect();
    // In byte order, LÉVÊQUE would come after every unaccented L name.
    assert_eq!(
        names,
        [
            "LEBLANC Zoé",
            "LEROY Jean",
            "Lévêque Adèle",
            "LÉVÊQUE Hélène",
            "LEVY Anne"
        ]
    );
}
