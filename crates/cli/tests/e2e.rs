//! The web interface in a real headless Chromium (Debian's `chromium`, driven by
//! `playwright-core` from `e2e/`, with axe-core on every screen): `e2e/run.mjs` against
//! `relais serve` on a small demo. Screenshots of each screen go to
//! `target/e2e-screenshots/`. Needs `chromium`, `node` and `npm ci --prefix e2e` (done by
//! `.ci/run`): without them the test fails, it is never skipped.

mod common;

use relais_core::text::search_key;
use relais_store::SqliteStore;
use relais_store::desk::DeskStore;
use std::path::Path;
use std::process::{Command, Stdio};

/// A person of the demo whose first name has an accent: (query without accents, full name).
fn someone_with_an_accent(data: &Path) -> (String, String) {
    let store = SqliteStore::open(&data.join("relais.db")).expect("store");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data.join("extracts/beneficiaires.csv"))
        .expect("beneficiaires.csv");
    for row in reader.records().flatten() {
        let (Some(dossier), Some(first)) = (row.get(0), row.get(3)) else {
            continue;
        };
        if first.is_ascii() {
            continue;
        }
        let Ok(Some(page)) = store.person(dossier.trim_start_matches('\u{feff}'), None) else {
            continue;
        };
        // Paid on their own account (the demo's `TP…` payees): their bank details may be
        // changed from their page.
        if page.death_date.is_some() || !page.rights.iter().any(|r| r.payee_id.starts_with("TP")) {
            continue;
        }
        let p = &page.person;
        let part = |s: &str| -> String { search_key(s).chars().take(4).collect() };
        return (
            format!("{} {}", part(&p.last_name), part(&p.first_name)),
            format!("{} {}", p.last_name, p.first_name),
        );
    }
    panic!("no person with an accented first name in the demo");
}

/// The demo's invoices made more than a page of the list (130 more, some late, copies of its
/// valid rows' suppliers), and the bank account of a supplier no invoice names changed (it
/// waits for an ordonnateur): imported again, as the extracts of another day would be.
fn more_invoices(data: &Path) {
    let extracts = data.join("extracts");
    let reader = |name: &str, delimiter: u8| {
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_path(extracts.join(name))
            .expect(name)
    };
    let mut suppliers = reader("fournisseurs.csv", b',');
    let header = suppliers.headers().expect("header").clone();
    let mut rows: Vec<csv::StringRecord> = suppliers.records().flatten().collect();
    let known: Vec<String> = rows.iter().map(|r| r[0].to_owned()).collect();
    let mut invoices = reader("factures.csv", b';');
    let columns = invoices.headers().expect("header").len();
    let named: Vec<String> = invoices
        .records()
        .flatten()
        .filter(|r| r.len() == columns)
        .map(|r| r[1].to_owned())
        .collect();
    let sirets: Vec<&String> = named.iter().filter(|s| known.contains(s)).collect();
    let today = jiff::Zoned::now().date();
    let mut added = String::new();
    for i in 0..130 {
        let received = today
            .checked_sub(jiff::Span::new().days(i % 45))
            .expect("day");
        added.push_str(&format!(
            "FAC-E2E-{i:04};{};E2E-{i:04};{received};{received};{},{:02};;a_payer{}\n",
            sirets[i as usize % sirets.len()],
            100 + i * 37,
            i % 100,
            ";".repeat(columns - 8)
        ));
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(extracts.join("factures.csv"))
        .expect("factures.csv");
    std::io::Write::write_all(&mut file, added.as_bytes()).expect("append");
    let unnamed = rows
        .iter_mut()
        .find(|r| !named.contains(&r[0].to_owned()))
        .expect("a supplier no invoice names");
    let iban =
        relais_core::ids::Iban::from_french_rib("30004", "00001", "00012345678").expect("iban");
    *unnamed = unnamed
        .iter()
        .enumerate()
        .map(|(i, v)| if i == 2 { iban.as_str() } else { v })
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_path(extracts.join("fournisseurs.csv"))
        .expect("fournisseurs.csv");
    writer.write_record(&header).expect("header");
    for r in &rows {
        writer.write_record(r).expect("row");
    }
    writer.flush().expect("flush");
    let extracts = extracts.to_string_lossy().into_owned();
    let data = data.to_string_lossy().into_owned();
    common::relais_ok(&["import", &extracts, "--data", &data, "--user", "admin"]);
}

#[test]
fn agents_screens_in_a_real_browser() {
    agents_screens_on(false);
}

/// The same screens with the demo's store moved to PostgreSQL (`relais migrate`) before the
/// server starts: what an agent sees and does does not depend on the backend.
#[test]
fn agents_screens_in_a_real_browser_on_postgres() {
    agents_screens_on(true);
}

fn agents_screens_on(postgres: bool) {
    common::e2e_dir();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 800);
    more_invoices(&data);
    let (query, expect) = someone_with_an_accent(&data);
    if postgres {
        let url = common::fresh_postgres_database("e2e");
        let data = data.to_string_lossy().into_owned();
        common::relais_ok(&["migrate", "--from", &data, "--to", &url, "--user", "admin"]);
    }
    // One agent who holds both finance roles: may prepare, and validate others' runs only.
    let password = "double-role-mot-de-passe";
    let password_file = dir.path().join("double.mdp");
    std::fs::write(&password_file, password).expect("password file");
    let mut add = Command::new(env!("CARGO_BIN_EXE_relais"));
    add.args(["user", "add", "--user", "admin", "--login", "double"])
        .args(["--role", "liquidation,ordonnateur", "--password-file"])
        .arg(&password_file)
        .arg("--data")
        .arg(&data)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    // The admin's own password, from the demo's users (`common::demo_password`).
    let _admin_password = common::demo_password(&mut add);
    let status = add.status().expect("user add");
    assert!(status.success());
    let server = common::Server::start(&data);
    let shots = common::root().join("target/e2e-screenshots");
    let url = format!("http://127.0.0.1:{}", server.port);
    let iban =
        relais_core::ids::Iban::from_french_rib("20041", "01005", "0500013M026").expect("iban");
    let users = data.join("demo-users.txt");
    common::node(
        "run.mjs",
        &[
            ("RELAIS_URL", url.as_ref()),
            ("RELAIS_USERS", users.as_ref()),
            ("RELAIS_QUERY", query.as_ref()),
            ("RELAIS_EXPECT", expect.as_ref()),
            ("RELAIS_SHOTS", shots.as_ref()),
            ("RELAIS_DOUBLE_PASSWORD", password.as_ref()),
            ("RELAIS_NEW_IBAN", iban.as_str().as_ref()),
        ],
    );
    assert!(shots.join("personne.png").exists());
}

/// Two `relais serve` processes on one PostgreSQL database (the demo moved there), an agent
/// on each registering deposits at the same moment in a real browser: one register, numbers
/// without a gap or a repeat (`e2e/two_servers.mjs`).
#[test]
fn two_servers_on_one_postgres_database_register_as_one() {
    common::e2e_dir();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 100);
    let url = common::fresh_postgres_database("two_servers");
    let folder = data.to_string_lossy().into_owned();
    common::relais_ok(&[
        "migrate", "--from", &folder, "--to", &url, "--user", "admin",
    ]);
    let a = common::Server::start(&data);
    let b = common::Server::start(&data);
    let users = data.join("demo-users.txt");
    let (url_a, url_b) = (
        format!("http://127.0.0.1:{}", a.port),
        format!("http://127.0.0.1:{}", b.port),
    );
    common::node(
        "two_servers.mjs",
        &[
            ("RELAIS_URL_A", url_a.as_ref()),
            ("RELAIS_URL_B", url_b.as_ref()),
            ("RELAIS_USERS", users.as_ref()),
        ],
    );
}
