//! End-to-end tests of the `relais` command, run as a user would run it.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn relais() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE");
    c
}

/// `relais ARGS`, as the demo user `--user` names when there is one (`common::demo_password`).
fn run(args: &[&str]) -> Output {
    common::output(relais().args(args))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// A demo data folder of `size` people, built with a fixed seed and date.
fn demo(dir: &Path, size: u32) -> PathBuf {
    let data = dir.join("data");
    let o = run(&[
        "demo",
        "--data",
        data.to_str().expect("path"),
        "--size",
        &size.to_string(),
        "--seed",
        "7",
        "--today",
        "2026-11-22",
        "--no-serve",
    ]);
    assert_eq!(
        code(&o),
        0,
        "demo failed: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    data
}

fn count(data: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn check_id_answers_each_line_in_order() {
    let mut child = relais()
        .arg("check-id")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = "iban\tFR76 3000 6000 0112 3456 7890 189\n\
                 iban\tFR76 3000 6000 0112 3456 7890 188\n\
                 bic\tbnpafrpp\n\
                 nir\t1 85 05 78 006 084 91\n\
                 siret\t732 829 320 00074\n\
                 siren\t732829321\n\
                 couleur\tbleu\n\
                 sans tabulation\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 0);
    assert_eq!(
        text(&out.stdout),
        "true\nfalse\ntrue\ntrue\ntrue\nfalse\nfalse\nfalse\n"
    );
}

#[test]
fn check_id_with_arguments_gives_the_canonical_form_or_the_reason() {
    let ok = run(&["check-id", "iban", "fr76 3000-6000 0112 3456 7890 189"]);
    assert_eq!(code(&ok), 0);
    assert_eq!(text(&ok.stdout).trim(), "FR7630006000011234567890189");
    let bad = run(&["check-id", "siret", "73282932000075"]);
    assert_eq!(code(&bad), 1);
    assert!(text(&bad.stdout).contains("SIRET"), "{}", text(&bad.stdout));
}

#[test]
fn demo_imports_and_its_journal_verifies_then_tampering_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 1500);

    let users = std::fs::read_to_string(data.join("demo-users.txt")).expect("users");
    let logins: Vec<&str> = users
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    for role in [
        "accueil",
        "courrier",
        "instruction",
        "liquidation",
        "ordonnateur",
        "crise",
        "admin",
    ] {
        assert!(logins.contains(&role), "no demo user {role}: {users}");
    }
    assert!(
        users
            .lines()
            .all(|l| l.split('\t').count() == 3
                && l.split('\t').nth(1).is_some_and(|p| p.len() >= 16))
    );
    // Every person is either imported or in the register of rows to handle by hand.
    assert!(count(&data, "beneficiaries") + count(&data, "pending_rows") >= 1500);
    assert!(count(&data, "rights") > 1000);
    assert!(
        count(&data, "pending_rows") > 0,
        "the demo carries deliberately bad rows"
    );

    let v = run(&["journal", "verify", "--data", data.to_str().expect("path")]);
    assert_eq!(code(&v), 0, "{}{}", text(&v.stdout), text(&v.stderr));
    assert!(text(&v.stdout).contains("intact"));

    // The import entry records each file's hash and counts.
    let list = run(&["journal", "list", "--data", data.to_str().expect("path")]);
    let import_line = text(&list.stdout)
        .lines()
        .find(|l| l.contains("\timport\t"))
        .map(str::to_owned)
        .expect("import entry");
    assert!(
        import_line.contains("beneficiaires.csv") && import_line.contains("sha256"),
        "{import_line}"
    );

    // Alter one stored entry behind the store's back.
    let c = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    c.execute_batch(
        "DROP TRIGGER journal_no_update; UPDATE journal SET actor = 'mallory' WHERE seq = 3;",
    )
    .expect("tamper");
    drop(c);
    let v = run(&["journal", "verify", "--data", data.to_str().expect("path")]);
    assert_eq!(code(&v), 1);
    assert!(text(&v.stdout).contains("n° 3"), "{}", text(&v.stdout));
}

#[test]
fn extract_check_reports_rejects_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 800);
    let extracts = data.join("extracts");
    let rejects = dir.path().join("rejets.csv");
    let o = run(&[
        "extract",
        "check",
        extracts.to_str().expect("path"),
        "--rejects",
        rejects.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    let csv = std::fs::read_to_string(&rejects).expect("rejects file");
    assert!(
        csv.starts_with("file,line,column,field,code,message_fr,message_en,gravite\n"),
        "{csv}"
    );
    assert!(csv.lines().count() > 1);

    // A clean folder: exit 0.
    let clean = dir.path().join("clean");
    std::fs::create_dir(&clean).expect("mkdir");
    std::fs::write(
        clean.join("annuaire.csv"),
        "site_code;site;service;telephone;email;adresse;horaires;depot_papier;public\r\n\
         MDS01;MDS de Melun;Accueil;01 99 00 12 34;mds@demo.invalid;1 rue de la Paix 77000 Melun;9h-17h;oui;oui\r\n",
    )
    .expect("write");
    let o = run(&["extract", "check", clean.to_str().expect("path")]);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));

    // A file missing a required column cannot be read at all: exit 2.
    std::fs::write(clean.join("tiers.csv"), "tiers_id;nom\n1;Dupont\n").expect("write");
    let o = run(&["extract", "check", clean.to_str().expect("path")]);
    assert_eq!(code(&o), 2, "{}", text(&o.stdout));
}

#[test]
fn an_import_that_cannot_finish_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo(dir.path(), 600);
    let d = data.to_str().expect("path");
    let before = (
        count(&data, "beneficiaries"),
        count(&data, "rights"),
        count(&data, "journal"),
    );

    // A set with an unreadable file: refused with exit 2, nothing changes.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).expect("mkdir");
    for entry in std::fs::read_dir(data.join("extracts")).expect("read") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), broken.join(entry.file_name())).expect("copy");
    }
    std::fs::write(broken.join("paiements.csv"), "droit_id;montant\n1;2\n").expect("write");
    let o = run(&[
        "import",
        broken.to_str().expect("path"),
        "--data",
        d,
        "--user",
        "admin",
    ]);
    assert_eq!(code(&o), 2, "{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(
        (
            count(&data, "beneficiaries"),
            count(&data, "rights"),
            count(&data, "journal")
        ),
        before
    );

    // Only an administrator imports.
    let o = run(&[
        "import",
        data.join("extracts").to_str().expect("path"),
        "--data",
        d,
        "--user",
        "accueil",
    ]);
    assert_eq!(code(&o), 1);
    assert!(text(&o.stderr).contains("admin"), "{}", text(&o.stderr));
    assert_eq!(count(&data, "journal"), before.2);
}

#[test]
fn an_import_killed_midway_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = demo(dir.path(), 300);
    let before = (count(&small, "beneficiaries"), count(&small, "journal"));

    // A bigger set, built elsewhere, imported into the small store and killed midway.
    let big_dir = dir.path().join("big");
    std::fs::create_dir(&big_dir).expect("mkdir");
    let big = demo(&big_dir, 60_000);
    let mut import = relais();
    import
        .args([
            "import",
            big.join("extracts").to_str().expect("path"),
            "--data",
            small.to_str().expect("path"),
            "--user",
            "admin",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _password = common::demo_password(&mut import);
    let mut child = import.spawn().expect("spawn");
    // Wait until the import's transaction has started changing the store (its rollback
    // journal exists, or its write-ahead log grows), let it run a little more, then kill it.
    let journal = small.join("relais.db-journal");
    let wal = small.join("relais.db-wal");
    let started = std::time::Instant::now();
    let mut killed_midway = false;
    while started.elapsed() < std::time::Duration::from_secs(60) {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        let writing = journal.exists()
            || std::fs::metadata(&wal)
                .map(|m| m.len() > 1024 * 1024)
                .unwrap_or(false);
        if writing {
            std::thread::sleep(std::time::Duration::from_millis(300));
            if child.try_wait().expect("try_wait").is_none() {
                child.kill().expect("kill");
                killed_midway = true;
            }
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.wait().expect("wait");
    assert!(
        killed_midway,
        "the import finished before it could be killed: make the set bigger"
    );
    assert_eq!(
        (count(&small, "beneficiaries"), count(&small, "journal")),
        before
    );
    let v = run(&["journal", "verify", "--data", small.to_str().expect("path")]);
    assert_eq!(code(&v), 0, "{}", text(&v.stdout));
}

#[test]
fn users_are_managed_by_an_administrator_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let d = data.to_str().expect("path");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "un mot de passe assez long\n").expect("write");
    let short = dir.path().join("short");
    std::fs::write(&short, "court\n").expect("write");
    let p = pw.to_str().expect("path");

    let o = run(&[
        "init",
        "--data",
        d,
        "--authority",
        "Département test",
        "--siret",
        "73282932000074",
        "--admin",
        "chef",
        "--password-file",
        short.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 1);
    assert!(!data.join("settings.toml").exists());

    let o = run(&[
        "init",
        "--data",
        d,
        "--authority",
        "Département test",
        "--siret",
        "73282932000074",
        "--admin",
        "chef",
        "--password-file",
        p,
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let o = run(&[
        "user",
        "add",
        "--data",
        d,
        "--user",
        "chef",
        "--user-password-file",
        p,
        "--login",
        "marie",
        "--role",
        "accueil,courrier",
        "--password-file",
        p,
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let o = run(&[
        "user",
        "add",
        "--data",
        d,
        "--user",
        "marie",
        "--user-password-file",
        p,
        "--login",
        "paul",
        "--role",
        "admin",
        "--password-file",
        p,
    ]);
    assert_eq!(code(&o), 1, "a non-admin created a user");
    assert!(text(&o.stderr).contains("admin"), "{}", text(&o.stderr));
    let o = run(&[
        "user",
        "add",
        "--data",
        d,
        "--user",
        "chef",
        "--user-password-file",
        p,
        "--login",
        "paul",
        "--role",
        "chef",
        "--password-file",
        p,
    ]);
    assert_eq!(code(&o), 1);
    let list = text(&run(&["user", "list", "--data", d]).stdout);
    assert!(list.contains("marie\taccueil,courrier"), "{list}");
    assert!(!list.contains("paul"));
    assert!(
        !list.contains("argon2"),
        "password hashes must not be shown"
    );
    let o = run(&[
        "user",
        "disable",
        "--data",
        d,
        "--user",
        "chef",
        "--password-file",
        p,
        "marie",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(code(&run(&["journal", "verify", "--data", d])), 0);
}
