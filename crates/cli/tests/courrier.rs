//! The courrier service end to end, with the real binary: register, receipt PDF (text checked
//! with `pdftotext`), verify, cancel, list, invoices due, bad input, and SIGKILL in mid-load.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn demo(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let o = run(&[
        "demo",
        "--data",
        data.to_str().expect("utf-8"),
        "--size",
        "300",
        "--seed",
        "7",
        "--today",
        "2026-11-22",
        "--no-serve",
    ]);
    assert!(o.status.success(), "demo: {}", stderr(&o));
    data
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is needed by this test ({e}): install it with `apt-get install poppler-utils`")
        });
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

fn register(data: &str, extra: &[&str]) -> Output {
    let mut args = vec!["deposit", "register", "--data", data];
    args.extend_from_slice(extra);
    run(&args)
}

fn list_csv(data: &str) -> Vec<Vec<String>> {
    let o = run(&["deposit", "list", "--data", data, "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// A valid SIRET of the demo's suppliers.
fn a_supplier_siret(data: &Path) -> String {
    let text = std::fs::read_to_string(data.join("extracts").join("fournisseurs.csv"))
        .expect("fournisseurs.csv");
    // The SIRET is the first column.
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(|s| s.trim_matches('"').to_owned())
        .find(|s| run(&["check-id", "siret", s]).status.success())
        .expect("a valid SIRET")
}

#[test]
fn register_print_verify_cancel_and_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8");
    let o = register(
        data,
        &[
            "--kind",
            "demande_aide",
            "--from",
            "Mme Hélène Lefèvre",
            "--address",
            "3 rue des Œillets, 77000 Melun",
            "--subject",
            "Demande d'APA à domicile",
            "--pages",
            "7",
            "--user",
            "courrier",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].ends_with("-000001") && lines[0].len() == 11,
        "{out}"
    );
    let pdf = PathBuf::from(lines[1]);
    assert!(
        pdf.starts_with(data_path.join("receipts")) && pdf.exists(),
        "{out}"
    );
    let code = lines[2];
    let text = pdftotext(&pdf);
    for needle in [
        "Accusé de réception",
        lines[0],
        "Reçu le",
        "Service chargé du dossier",
        "Adresse postale",
        "Courriel",
        "Téléphone",
        "Demande d'aide (APA, PCH, aide sociale…)",
        "Demande d'APA à domicile",
        "Mme Hélène Lefèvre",
        "3 rue des Œillets",
        "Nombre de pages ou de pièces",
        "Décision implicite",
        "réputée rejetée",
        "Voies et délais de recours",
        "Code de vérification",
        "Exemplaire à remettre au déposant",
        "Exemplaire à conserver par le service",
    ] {
        assert!(
            text.contains(needle),
            "missing {needle:?} in receipt:\n{text}"
        );
    }
    // Genuine, with the facts.
    let v = run(&["receipt", "verify", code, "--data", data]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
    let vo = stdout(&v);
    assert!(
        vo.contains("AUTHENTIQUE") && vo.contains(lines[0]) && vo.contains("Mme Hélène Lefèvre"),
        "{vo}"
    );
    // One character changed: not genuine.
    let mut altered: Vec<char> = code.chars().collect();
    altered[30] = if altered[30] == 'Z' { 'Y' } else { 'Z' };
    let altered: String = altered.into_iter().collect();
    let v = run(&["receipt", "verify", &altered, "--data", data]);
    assert_eq!(v.status.code(), Some(1));
    assert!(
        stdout(&v).contains("modifié") || stdout(&v).contains("faux"),
        "{}",
        stdout(&v)
    );
    // Another authority's key: not genuine either.
    let other = tempfile::tempdir().expect("tempdir");
    let other_data = demo(other.path());
    let o2 = register(
        other_data.to_str().expect("utf-8"),
        &["--kind", "autre", "--from", "X", "--user", "courrier"],
    );
    let other_code = stdout(&o2).lines().nth(2).expect("code").to_owned();
    let v = run(&["receipt", "verify", &other_code, "--data", data]);
    assert_eq!(v.status.code(), Some(1));
    assert!(stdout(&v).contains("faux"), "{}", stdout(&v));
    // Offline with the exported public key, and the printed name.
    let pubkey = dir.path().join("pub.txt");
    let p = run(&["receipt", "pubkey", "--data", data]);
    std::fs::write(&pubkey, p.stdout).expect("write pubkey");
    let v = run(&[
        "receipt",
        "verify",
        code,
        "--pubkey",
        pubkey.to_str().expect("p"),
        "--depositor",
        "MME HELENE LEFEVRE",
    ]);
    assert!(v.status.success(), "{}", stdout(&v));
    // The key is the owner's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data_path.join("keys/receipt-signing.key"))
        .expect("key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Cancel: the number stays, the next one follows.
    let c = run(&[
        "deposit", "cancel", lines[0], "--reason", "doublon", "--data", data, "--user", "courrier",
    ]);
    assert!(c.status.success(), "{}", stderr(&c));
    let next = register(
        data,
        &[
            "--kind",
            "autre",
            "--from",
            "M. Martin",
            "--user",
            "accueil",
        ],
    );
    assert!(
        stdout(&next).starts_with(&lines[0][..5])
            && stdout(&next)
                .lines()
                .next()
                .expect("n")
                .ends_with("-000002")
    );
    let rows = list_csv(data);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].iter().any(|f| f == "doublon"), "{rows:?}");
    let j = run(&["journal", "verify", "--data", data]);
    assert!(j.status.success(), "{}", stdout(&j));
}

#[test]
fn bad_input_is_refused_in_french_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8");
    let siret = a_supplier_siret(&data_path);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--kind", "demande_aide", "--from", "  "], "--from"),
        (vec!["--kind", "colis", "--from", "A"], "--kind"),
        (
            vec![
                "--kind",
                "facture",
                "--from",
                "A",
                "--invoice-number",
                "F1",
                "--amount",
                "10",
            ],
            "--siret",
        ),
        (
            vec![
                "--kind",
                "facture",
                "--from",
                "A",
                "--siret",
                &siret,
                "--invoice-number",
                "F1",
            ],
            "--amount",
        ),
        (
            vec![
                "--kind",
                "facture",
                "--from",
                "A",
                "--siret",
                &siret,
                "--invoice-number",
                "F1",
                "--amount",
                "12,345",
            ],
            "--amount",
        ),
        (
            vec!["--kind", "autre", "--from", "A", "--at", "2099-01-01 10:00"],
            "--at",
        ),
    ];
    for (args, field) in cases {
        let mut all = args.clone();
        all.extend(["--user", "courrier"]);
        let o = register(data, &all);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains(field) && err.contains("rien n'est enregistré"),
            "{args:?}: {err}"
        );
    }
    // A user without the role.
    let o = register(
        data,
        &["--kind", "autre", "--from", "A", "--user", "liquidation"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(list_csv(data).is_empty());
    assert!(
        !data_path.join("receipts").exists()
            || std::fs::read_dir(data_path.join("receipts"))
                .expect("dir")
                .next()
                .is_none()
    );
    // A valid invoice is then due in 30 days.
    let o = register(
        data,
        &[
            "--kind",
            "facture",
            "--from",
            "SARL Dupont",
            "--siret",
            &siret,
            "--invoice-number",
            "F-118",
            "--amount",
            "1 234,56",
            "--user",
            "courrier",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = pdftotext(Path::new(stdout(&o).lines().nth(1).expect("path")));
    assert!(
        text.contains("Délai global de paiement") && text.contains("1 234,56 €"),
        "{text}"
    );
    let due = run(&["invoices", "due", "--data", data, "--format", "csv"]);
    assert!(due.status.success(), "{}", stderr(&due));
    let due = stdout(&due);
    assert!(
        due.lines()
            .any(|l| l.contains("F-118") && l.contains(",30,") && l.contains("courrier")),
        "{due}"
    );
    // Months later it is late: interest and the EUR 40 indemnity.
    let late = run(&[
        "invoices",
        "due",
        "--data",
        data,
        "--today",
        "2027-06-30",
        "--within",
        "0",
    ]);
    let late = stdout(&late);
    assert!(late.contains("RETARD") && late.contains("40,00"), "{late}");
}

#[test]
fn a_sigkill_in_mid_load_loses_no_printed_number_and_leaves_no_gap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8").to_owned();
    // The key exists before the load, so the load is only registrations.
    let _ = run(&["receipt", "pubkey", "--data", &data]);
    let printed = Arc::new(Mutex::new(Vec::<String>::new()));
    let running = Arc::new(Mutex::new(Vec::<std::process::Child>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (printed, running, stop, data) =
                (printed.clone(), running.clone(), stop.clone(), data.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    i += 1;
                    let mut register = relais();
                    register
                        .args([
                            "deposit",
                            "register",
                            "--data",
                            &data,
                            "--kind",
                            "autre",
                            "--from",
                            &format!("D {w}-{i}"),
                            "--user",
                            "courrier",
                        ])
                        .stdin(Stdio::null())
                        .stdout(Stdio::piped())
                        .stderr(Stdio::null());
                    // Kept until this registration has ended, killed or not.
                    let _password = common::demo_password(&mut register);
                    let child = register.spawn().expect("spawn");
                    let pid = child.id();
                    running.lock().expect("lock").push(child);
                    // Wait for this child (it may be killed meanwhile).
                    loop {
                        let mut guard = running.lock().expect("lock");
                        let Some(pos) = guard.iter().position(|c| c.id() == pid) else {
                            break;
                        };
                        if let Ok(Some(_)) = guard[pos].try_wait() {
                            let child = guard.remove(pos);
                            drop(guard);
                            let out = child.wait_with_output().expect("output");
                            if let Some(n) = String::from_utf8_lossy(&out.stdout).lines().next() {
                                printed.lock().expect("lock").push(n.to_owned());
                            }
                            break;
                        }
                        drop(guard);
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    // SIGKILL every registration still running, wherever it is.
    let mut killed = 0;
    for mut c in running.lock().expect("lock").drain(..) {
        if c.kill().is_ok() {
            killed += 1;
        }
        let _ = c.wait();
    }
    for w in workers {
        w.join().expect("worker");
    }
    let printed = printed.lock().expect("lock").clone();
    assert!(
        printed.len() > 5,
        "too few registrations: {}",
        printed.len()
    );
    eprintln!("{} printed, {killed} killed in flight", printed.len());
    let rows = list_csv(&data);
    let numbers: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    for n in &printed {
        assert!(numbers.contains(n), "printed {n} lost");
    }
    let seqs: Vec<u32> = numbers
        .iter()
        .map(|n| n[5..].parse().expect("seq"))
        .collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u32).collect::<Vec<_>>(),
        "gap in {numbers:?}"
    );
    let j = run(&["journal", "verify", "--data", &data]);
    assert!(j.status.success(), "{}", stdout(&j));
}
