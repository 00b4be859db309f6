//! Relais on PostgreSQL, as a user runs it: `relais init --database`, `relais migrate` of a
//! SQLite folder, and several processes on one database behaving as one. The database
//! cluster is the one `RELAIS_TEST_POSTGRES` names (`scripts/pg-cluster`, started by
//! `scripts/test` and CI); each test makes databases of its own in it.

mod common;

use common::{demo, relais, relais_fails, relais_ok};
use std::path::Path;

/// A new empty database: its URL.
fn fresh_database(name: &str) -> String {
    common::fresh_postgres_database(&format!("cli_{name}"))
}

fn entries(data: &str) -> String {
    let said = relais_ok(&["journal", "verify", "--data", data]);
    said.lines().next().unwrap_or_default().to_owned()
}

/// `relais init` of a folder for a test authority on the database `url`.
fn init_on(data: &str, password_file: &str, url: &str) -> std::process::Output {
    relais(&[
        "init",
        "--data",
        data,
        "--authority",
        "Département de test",
        "--siret",
        "22770001000019",
        "--password-file",
        password_file,
        "--database",
        url,
    ])
}

#[test]
fn init_on_postgres_keeps_no_password_and_one_database_serves_one_folder() {
    let dir = tempfile::tempdir().expect("dir");
    let pw = common::password_file(dir.path(), "admin", "un-mot-de-passe-solide-1");
    let url = fresh_database("init");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8");
    let pw = pw.to_str().expect("utf-8");
    let init = |data: &str, url: &str| init_on(data, pw, url);
    let o = init(data, &url);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let settings =
        std::fs::read_to_string(Path::new(data).join("settings.toml")).expect("settings");
    assert!(
        settings.contains("[database]") && settings.contains(&url),
        "{settings}"
    );
    assert!(
        !Path::new(data).join("relais.db").exists(),
        "no SQLite file beside PostgreSQL"
    );
    assert!(relais_ok(&["user", "list", "--data", data]).contains("admin"));
    assert_eq!(entries(data), "Journal intact : 1 entrée(s).");

    // A second folder on the same database would mix two authorities' journals.
    let other = dir.path().join("other");
    let o = init(other.to_str().expect("utf-8"), &url);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("contient déjà des utilisateurs"));

    // A password in the address is refused, and not repeated.
    let with_secret = url.replace("relais@", "relais:s3cr3t@");
    let third = dir.path().join("third");
    let o = init(third.to_str().expect("utf-8"), &with_secret);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && said.contains("mot de passe"),
        "{said}"
    );
    assert!(!said.contains("s3cr3t"), "{said}");
}

/// A database on another machine is reached by TLS, checked against the authority the
/// address names; without one, `relais init` refuses to send anything in clear and says how.
#[test]
fn a_database_elsewhere_is_reached_by_tls_or_not_at_all() {
    let dir = tempfile::tempdir().expect("dir");
    let pw = common::password_file(dir.path(), "admin", "un-mot-de-passe-solide-1");
    let pw = pw.to_str().expect("utf-8");
    let plain = fresh_database("tls");
    // The same database by TCP, the name of the server's certificate, its authority.
    let tls = std::env::var("RELAIS_TEST_POSTGRES_TLS").expect("RELAIS_TEST_POSTGRES_TLS");
    let setting = |key: &str| {
        tls.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .expect(key)
            .to_owned()
    };
    let db = plain
        .split_once("/relais_")
        .and_then(|(_, rest)| rest.split('?').next())
        .expect("database name");
    let url = format!(
        "postgres://relais@localhost:{}/relais_{db}?sslrootcert={}",
        setting("port"),
        setting("sslrootcert")
    );
    let init = |data: &Path, url: &str| init_on(data.to_str().expect("utf-8"), pw, url);
    // Another machine without an authority: refused before anything is sent.
    let elsewhere = dir.path().join("elsewhere");
    let o = init(&elsewhere, "postgres://relais@db.cd77.invalid/relais");
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{said}");
    assert!(
        said.contains("connexion en clair refusée vers db.cd77.invalid"),
        "{said}"
    );
    assert!(said.contains("sslrootcert"), "{said}");

    let data = dir.path().join("data");
    let o = init(&data, &url);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The folder works through it: its administrator written at init, the journal read back.
    let data = data.to_str().expect("utf-8");
    assert!(relais_ok(&["user", "list", "--data", data]).contains("admin"));
    assert_eq!(entries(data), "Journal intact : 1 entrée(s).");
}

#[test]
fn migrate_copies_the_store_with_its_journal_and_refuses_a_store_already_there() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    demo(&data, 300);
    let data = data.to_str().expect("utf-8");
    let before = entries(data);
    let flagged_before = relais_ok(&["a-traiter", "--data", data]);
    let url = fresh_database("migrate");

    let said = relais_ok(&["migrate", "--from", data, "--to", &url, "--user", "admin"]);
    assert!(
        said.starts_with("Base copiée dans postgres://relais@/"),
        "{said}"
    );
    assert!(said.contains("journal vérifié"), "{said}");
    // The folder now reads PostgreSQL: the same journal, the same register of rows to handle.
    assert_eq!(entries(data), before);
    assert_eq!(relais_ok(&["a-traiter", "--data", data]), flagged_before);
    // And it goes on: a deposit registered on PostgreSQL, numbered after the demo's.
    relais_ok(&[
        "deposit",
        "register",
        "--data",
        data,
        "--kind",
        "autre",
        "--from",
        "M. Martin",
        "--user",
        "courrier",
    ]);

    // Once moved, a folder is not moved again.
    let again = relais_fails(&["migrate", "--from", data, "--to", &url, "--user", "admin"]);
    assert!(again.contains("déjà sur PostgreSQL"), "{again}");
    // Another folder's store is not poured into a database already holding one.
    let second = dir.path().join("second");
    demo(&second, 100);
    let second = second.to_str().expect("utf-8");
    let refused = relais_fails(&["migrate", "--from", second, "--to", &url, "--user", "admin"]);
    assert!(refused.contains("n'est pas vide"), "{refused}");
    // The refused folder is still on its own SQLite file.
    assert!(
        !std::fs::read_to_string(Path::new(second).join("settings.toml"))
            .expect("settings")
            .contains("[database]")
    );
}

/// The desk finds the same people on PostgreSQL as on SQLite, on the demo's people: the demo
/// made on SQLite, its store kept aside, then moved by `relais migrate`; the searches an agent
/// types (a name's beginning with a first name's, a name alone, a first name with a birth
/// year, a site's agent) asked of both.
#[test]
fn the_desk_search_finds_on_postgresql_what_it_finds_on_sqlite_on_the_demo() {
    use relais_store::desk::DeskStore;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    demo(&data, 1500);
    let kept = dir.path().join("sqlite.db");
    std::fs::copy(data.join("relais.db"), &kept).expect("copy");
    let url = fresh_database("search");
    let data_str = data.to_str().expect("utf-8");
    relais_ok(&[
        "migrate", "--from", data_str, "--to", &url, "--user", "admin",
    ]);
    let sqlite = relais_store::SqliteStore::open(&kept).expect("sqlite");
    let pg = relais_store::PgStore::connect(&relais_store::PgConfig {
        url,
        password: None,
    })
    .expect("postgres");

    let fold = |s: &str| relais_core::text::search_key(s);
    let beginning = |s: &str, n: usize| fold(s).chars().take(n).collect::<String>();
    let mut people = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data.join("extracts/beneficiaires.csv"))
        .expect("extract");
    let mut queries = Vec::new();
    for (i, row) in people.records().enumerate().step_by(7) {
        let row = row.expect("row");
        let (last, first, born, site) = (&row[2], &row[3], &row[4], &row[9]);
        queries.push((
            format!("{} {}", beginning(last, 4), beginning(first, 3)),
            None,
        ));
        queries.push((beginning(last, 3 + i % 4), None));
        queries.push((
            format!("{} {}", beginning(first, 2), beginning(last, 1)),
            None,
        ));
        queries.push((
            format!("{} {}", fold(first), born.get(6..).unwrap_or("")),
            None,
        ));
        queries.push((
            format!("{} {}", beginning(last, 2), beginning(first, 4)),
            Some(site.to_owned()),
        ));
    }
    let files = |hits: Vec<relais_store::desk::PersonHit>| {
        hits.into_iter().map(|h| h.dossier).collect::<Vec<_>>()
    };
    let mut found = 0;
    for (q, site) in &queries {
        let site = site.as_deref();
        // Everyone found, in the same French order.
        let on_sqlite = files(sqlite.search_people(q, 100_000, site).expect("sqlite"));
        let on_pg = files(pg.search_people(q, 100_000, site).expect("postgres"));
        assert_eq!(on_pg, on_sqlite, "{q:?} {site:?}");
        found += on_sqlite.len();
        // As many when the screen shows 50.
        assert_eq!(
            pg.search_people(q, 50, site).expect("postgres").len(),
            sqlite.search_people(q, 50, site).expect("sqlite").len(),
            "{q:?} {site:?} (50)"
        );
    }
    assert!(
        queries.len() > 1000 && found > queries.len(),
        "{} {found}",
        queries.len()
    );
}

#[test]
fn two_processes_registering_deposits_at_once_get_consecutive_numbers() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    demo(&data, 100);
    let data = data.to_str().expect("utf-8").to_owned();
    let url = fresh_database("deposits");
    relais_ok(&["migrate", "--from", &data, "--to", &url, "--user", "admin"]);
    let per_agent = 8;
    let agents: Vec<_> = ["courrier", "accueil"]
        .into_iter()
        .map(|agent| {
            let data = data.clone();
            std::thread::spawn(move || {
                for i in 0..per_agent {
                    let from = format!("{agent} {i}");
                    relais_ok(&[
                        "deposit", "register", "--data", &data, "--kind", "autre", "--from", &from,
                        "--user", agent,
                    ]);
                }
            })
        })
        .collect();
    for a in agents {
        a.join().expect("agent");
    }
    let list = relais_ok(&["deposit", "list", "--data", &data, "--format", "csv"]);
    let mut numbers: Vec<u64> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .filter_map(|n| n.rsplit('-').next().and_then(|s| s.parse().ok()))
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers.len(), 2 * per_agent, "{list}");
    let first = numbers[0];
    assert_eq!(
        numbers,
        (first..first + 2 * per_agent as u64).collect::<Vec<_>>(),
        "{list}"
    );
    assert!(relais_ok(&["journal", "verify", "--data", &data]).starts_with("Journal intact"));
}

#[test]
fn two_prepares_of_the_same_month_at_once_from_two_processes_make_one_run() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    common::demo_on(&data, 300, 20, "2026-11-30");
    let data = data.to_str().expect("utf-8").to_owned();
    let url = fresh_database("prepare");
    relais_ok(&["migrate", "--from", &data, "--to", &url, "--user", "admin"]);
    let prepares: Vec<_> = (0..2)
        .map(|_| {
            let data = data.clone();
            std::thread::spawn(move || {
                common::relais_ok_on(
                    "2026-11-30",
                    &[
                        "run",
                        "prepare",
                        "--data",
                        &data,
                        "--month",
                        "2026-12",
                        "--benefits",
                        "APA_DOM",
                        "--user",
                        "liquidation",
                    ],
                )
            })
        })
        .collect();
    let said: Vec<String> = prepares
        .into_iter()
        .map(|p| p.join().expect("prepare"))
        .collect();
    let ids: Vec<&str> = said
        .iter()
        .map(|s| s.lines().next().unwrap_or_default())
        .collect();
    assert_eq!(ids[0], ids[1], "{said:?}");
    let again = said
        .iter()
        .filter(|s| s.contains("rien n'a été réservé une seconde fois"))
        .count();
    assert_eq!(again, 1, "one prepares, the other finds it: {said:?}");
    let runs = relais_ok(&["run", "list", "--data", &data]);
    assert_eq!(runs.matches(ids[0]).count(), 1, "{runs}");
    assert_eq!(
        runs.lines().filter(|l| l.contains("2026-12")).count(),
        1,
        "{runs}"
    );
}
