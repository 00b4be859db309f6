//! Separation of duties on the command line (#19): every command that changes the data proves
//! who acts with that user's password; wrong passwords slow the next attempts down; reading
//! needs none; accounts that move money, when created or changed, are journaled as such.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A day the demo's month can be paid and validated on, whatever the clock says.
const TODAY: &str = "2026-12-01";
const MONTH: &str = "2026-12";

/// `relais ARGS --data DATA`, with exactly the password file given (none: none at all).
fn relais(data: &Path, args: &[&str], password: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE")
        .env("RELAIS_TEST_TODAY", TODAY)
        .env("RELAIS_TEST_AUTH_DELAY_MS", "150")
        .args(args)
        .arg("--data")
        .arg(data);
    if let Some(p) = password {
        c.env("RELAIS_PASSWORD_FILE", p);
    }
    c.output().expect("run relais")
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(data: &Path, args: &[&str], password: Option<&Path>) -> String {
    let o = relais(data, args, password);
    assert!(o.status.success(), "relais {args:?}: {}", said(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(data: &Path, args: &[&str], password: Option<&Path>) -> String {
    let o = relais(data, args, password);
    assert_eq!(o.status.code(), Some(1), "relais {args:?}: {}", said(&o));
    said(&o)
}

/// A demo of 150 people, and a private file with each demo user's password.
struct Demo {
    dir: tempfile::TempDir,
    data: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let o = Command::new(env!("CARGO_BIN_EXE_relais"))
            .args([
                "demo",
                "--size",
                "150",
                "--today",
                "2026-11-30",
                "--no-serve",
            ])
            .arg("--data")
            .arg(&data)
            .env("RELAIS_TEST_TODAY", TODAY)
            .output()
            .expect("demo");
        assert!(o.status.success(), "{}", said(&o));
        Demo { dir, data }
    }

    /// The file of `login`'s password, as the demo made it.
    fn password(&self, login: &str) -> PathBuf {
        let users = std::fs::read_to_string(self.data.join("demo-users.txt")).expect("users");
        let password = users
            .lines()
            .find_map(|l| {
                let mut f = l.split('\t');
                (f.next() == Some(login)).then(|| f.next())?
            })
            .expect("a demo user");
        common::password_file(self.dir.path(), login, password)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        common::password_file(self.dir.path(), name, text)
    }
}

#[test]
fn one_shell_cannot_prepare_and_validate_a_run_without_both_passwords() {
    let demo = Demo::new();
    let d = &demo.data;
    let prepare = ["run", "prepare", "--month", MONTH, "--user", "liquidation"];
    let no = refused(d, &prepare, None);
    assert!(
        no.contains("demande son mot de passe") && no.contains("--password-file"),
        "{no}"
    );
    assert!(ok(d, &["run", "list"], None).contains("Aucun paiement"));

    let prepared = ok(d, &prepare, Some(&demo.password("liquidation")));
    let run = prepared.lines().next().expect("id").to_owned();
    let validate = ["run", "validate", run.as_str(), "--user", "ordonnateur"];
    let no = refused(d, &validate, None);
    assert!(no.contains("« ordonnateur »"), "{no}");
    // Another user's password does not do either.
    let no = refused(d, &validate, Some(&demo.password("liquidation")));
    assert!(no.contains("mot de passe incorrect"), "{no}");
    assert!(
        ok(d, &["run", "show", &run], None).contains("à valider"),
        "still not validated"
    );
    let validated = ok(d, &validate, Some(&demo.password("ordonnateur")));
    assert!(validated.contains("validé par ordonnateur"), "{validated}");
}

#[test]
fn wrong_passwords_are_refused_alike_and_each_makes_the_next_wait_longer() {
    let demo = Demo::new();
    let d = &demo.data;
    let wrong = demo.file("faux", "ce n'est pas le bon mot de passe");
    let cancel = [
        "deposit",
        "cancel",
        "2026-000001",
        "--reason",
        "essai",
        "--user",
        "courrier",
    ];
    let mut waits = Vec::new();
    for _ in 0..4 {
        let started = Instant::now();
        let no = refused(d, &cancel, Some(&wrong));
        waits.push(started.elapsed());
        assert!(
            no.contains("identifiant ou mot de passe incorrect pour « courrier »"),
            "{no}"
        );
        assert!(
            !no.contains("ce n'est pas le bon"),
            "the password was printed"
        );
    }
    // 150 ms after the first failure, 300 after the second, 600 after the third (counted
    // from the failure, a little before this process started).
    for (attempt, least_ms) in [(1, 100), (2, 250), (3, 550)] {
        assert!(
            waits[attempt] >= Duration::from_millis(least_ms),
            "attempt {} waited {:?}: {waits:?}",
            attempt + 1,
            waits[attempt]
        );
    }
    // The right password still gets in (a pause, not a lockout), and clears the failures.
    let right = demo.password("accueil");
    let new = [
        "deposit",
        "register",
        "--kind",
        "autre",
        "--from",
        "Mme Essai",
        "--user",
        "accueil",
    ];
    let no = refused(d, &new, Some(&wrong));
    assert!(no.contains("mot de passe incorrect"), "{no}");
    let after_failure = relais(d, &new, Some(&right));
    assert!(after_failure.status.success(), "{}", said(&after_failure));
    assert!(
        said(&after_failure).contains("vérification dans 0,"),
        "{}",
        said(&after_failure)
    );
    let after_success = relais(d, &new, Some(&right));
    assert!(after_success.status.success(), "{}", said(&after_success));
    assert!(
        !said(&after_success).contains("vérification dans"),
        "failures forgotten"
    );

    // Unknown and disabled users get the very same answer.
    let no = refused(
        d,
        &[
            "deposit",
            "cancel",
            "2026-000001",
            "--reason",
            "x",
            "--user",
            "personne",
        ],
        Some(&wrong),
    );
    assert!(
        no.contains("identifiant ou mot de passe incorrect pour « personne »"),
        "{no}"
    );
    ok(
        d,
        &["user", "disable", "crise", "--user", "admin"],
        Some(&demo.password("admin")),
    );
    let no = refused(
        d,
        &[
            "courante", "add", "--kind", "action", "--text", "x", "--user", "crise",
        ],
        Some(&demo.password("crise")),
    );
    assert!(
        no.contains("identifiant ou mot de passe incorrect pour « crise »"),
        "{no}"
    );
    let journal = ok(d, &["journal", "list", "--limit", "1000"], None);
    assert!(!journal.contains("ce n'est pas le bon"), "{journal}");
}

#[test]
fn reading_needs_no_password() {
    let demo = Demo::new();
    let d = &demo.data;
    for args in [
        &["run", "list"][..],
        &["journal", "verify"],
        &["journal", "list"],
        &["user", "list"],
        &["bank", "list"],
        &["deposit", "list"],
        &["a-traiter"],
        &["invoices", "due"],
        &["numbering", "show"],
        &["incident", "show"],
        &["courante", "list"],
        &["systemes", "list"],
        &["taches", "list"],
    ] {
        ok(d, args, None);
    }
}

#[test]
fn passwords_change_and_accounts_that_move_money_are_shown_to_the_ordonnateurs() {
    let demo = Demo::new();
    let d = &demo.data;
    let admin = demo.password("admin");
    let old = demo.password("ordonnateur");
    let new = demo.file("nouveau", "un tout nouveau mot de passe");
    let passwd = [
        "user",
        "passwd",
        "--user",
        "ordonnateur",
        "--new-password-file",
    ];

    // Their own, authenticated by the old one; at least 12 characters.
    let short = demo.file("court", "court");
    let mut args = passwd.to_vec();
    args.push(short.to_str().expect("path"));
    assert!(refused(d, &args, Some(&old)).contains("trop court"));
    let mut args = passwd.to_vec();
    args.push(new.to_str().expect("path"));
    refused(d, &args, None);
    assert!(ok(d, &args, Some(&old)).contains("Mot de passe de ordonnateur changé"));
    let release = [
        "run",
        "release",
        "R1",
        "--month",
        MONTH,
        "--reason",
        "essai",
        "--user",
        "ordonnateur",
    ];
    assert!(refused(d, &release, Some(&old)).contains("mot de passe incorrect"));

    // Another's: an administrator only, journaled as a privileged change.
    let reset = [
        "user",
        "passwd",
        "--login",
        "liquidation",
        "--new-password-file",
        new.to_str().expect("path"),
    ];
    let mut as_ordonnateur = reset.to_vec();
    as_ordonnateur.extend(["--user", "ordonnateur"]);
    assert!(refused(d, &as_ordonnateur, Some(&new)).contains("admin"));
    let mut as_admin = reset.to_vec();
    as_admin.extend(["--user", "admin"]);
    let done = ok(d, &as_admin, Some(&admin));
    assert!(done.contains("signalée à chaque ordonnateur"), "{done}");
    ok(
        d,
        &["run", "prepare", "--month", MONTH, "--user", "liquidation"],
        Some(&new),
    );

    // An administrator's second account, to validate their own run: seen.
    let second = [
        "user",
        "add",
        "--login",
        "admin-bis",
        "--role",
        "ordonnateur",
        "--password-file",
        new.to_str().expect("path"),
        "--user",
        "admin",
    ];
    let no = refused(d, &second, None);
    assert!(no.contains("--user-password-file"), "{no}");
    let done = ok(d, &second, Some(&admin));
    assert!(done.contains("signalée à chaque ordonnateur"), "{done}");

    let store = relais_store::SqliteStore::open(&d.join("relais.db")).expect("store");
    let since = jiff::Timestamp::now().as_second() - 7 * 24 * 3600;
    let shown = relais_store::Store::privileged_account_changes(&store, since).expect("changes");
    // The latest first.
    assert!(shown[0].created, "{:?}", shown[0]);
    assert_eq!(shown[0].login, "admin-bis");
    assert!(!shown[1].created, "{:?}", shown[1]);
    assert_eq!(shown[1].change, "password_reset");
    let journal = relais_store::Store::journal_entries(&store, 1, 10_000).expect("journal");
    for e in &journal {
        assert!(!e.payload.contains("nouveau mot de passe"), "{}", e.payload);
    }
}
