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

#[test]
fn agents_screens_in_a_real_browser() {
    common::e2e_dir();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 800);
    let (query, expect) = someone_with_an_accent(&data);
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
