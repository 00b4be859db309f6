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

/// The text with every run of white space as one space (pdftotext lays lines out).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
            "demande_apa",
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
    let text = flat(&pdftotext(&pdf));
    for needle in [
        "Accusé de réception",
        lines[0],
        "Reçu le",
        "Enregistré le",
        "Service chargé du dossier",
        "Adresse postale",
        "Courriel",
        "Téléphone",
        "Demande d'allocation personnalisée d'autonomie (APA)",
        "Demande d'APA à domicile",
        "Mme Hélène Lefèvre",
        "3 rue des Œillets",
        "Nombre de pages ou de pièces",
        "Décision implicite",
        "Dossier complet le",
        "réputée accordée pour un montant forfaitaire",
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
    let long_subject = "x".repeat(201);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--kind", "demande_aide", "--from", "  "], "--from"),
        (
            vec![
                "--kind",
                "demande_apa",
                "--from",
                "A",
                "--subject",
                &long_subject,
            ],
            "--subject",
        ),
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

/// Now in Paris, moved by `hours`, as typed at the desk (`AAAA-MM-JJ HH:MM`).
fn paris_time(hours: i64) -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours))
        .in_tz("Europe/Paris")
        .expect("tz")
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn first_line(o: &Output) -> String {
    stdout(o).lines().next().unwrap_or_default().to_owned()
}

fn receipt_text(o: &Output) -> String {
    flat(&pdftotext(Path::new(
        stdout(o).lines().nth(1).expect("receipt path"),
    )))
}

fn code_of(o: &Output) -> String {
    stdout(o).lines().nth(2).expect("code").to_owned()
}

#[test]
fn a_back_dated_bid_is_flagged_on_its_receipt_and_in_the_register() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8");
    let deadline = paris_time(-1);
    let claimed = paris_time(-2);
    let bid = |extra: &[&str]| {
        let mut args = vec![
            "--kind",
            "offre_marche",
            "--from",
            "BTP SA",
            "--deadline",
            &deadline,
            "--user",
            "courrier",
        ];
        args.extend_from_slice(extra);
        register(data, &args)
    };
    // A time of receipt before registration needs a reason, and the window.
    let o = bid(&["--received-at", &claimed]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--backdate-reason"), "{}", stderr(&o));
    let too_early = paris_time(-100);
    let o = bid(&["--at", &too_early, "--backdate-reason", "panne"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("72 h"), "{}", stderr(&o));
    assert!(list_csv(data).is_empty(), "nothing recorded");
    // Claimed before the deadline, registered after it: flagged, never "dans le délai".
    let o = bid(&[
        "--received-at",
        &claimed,
        "--backdate-reason",
        "registre indisponible pendant la panne",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("après la date limite"),
        "{}",
        stderr(&o)
    );
    let text = receipt_text(&o);
    for needle in [
        "Reçu le",
        "Enregistré le",
        "Enregistrement différé",
        "registre indisponible pendant la panne",
        "ENREGISTRÉE APRÈS LA DATE LIMITE",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("remise dans le délai"), "{text}");
    let list = run(&["deposit", "list", "--data", data, "--format", "csv"]);
    let list = stdout(&list);
    assert!(
        list.contains("offre enregistrée après la date limite")
            && list.contains("registre indisponible pendant la panne"),
        "{list}"
    );
    // The code carries both instants: verifying says the same.
    let v = run(&["receipt", "verify", &code_of(&o), "--data", data]);
    assert!(v.status.success(), "{}", stdout(&v));
    let out = stdout(&v);
    assert!(
        out.contains("enregistré le") && out.contains("ENREGISTRÉE APRÈS LA DATE LIMITE"),
        "{out}"
    );
}

#[test]
fn a_forged_invoice_amount_does_not_verify() {
    use relais_documents::code::{FACTS_AT, code_bytes, code_from_bytes};
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8");
    let siret = a_supplier_siret(&data_path);
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
    let code = code_of(&o);
    let v = run(&["receipt", "verify", &code, "--data", data]);
    assert!(v.status.success(), "{}", stdout(&v));
    assert!(stdout(&v).contains("234,56"), "{}", stdout(&v));
    // The amount changed inside the code: the signature no longer fits.
    let mut bytes = code_bytes(&code).expect("bytes");
    bytes[FACTS_AT..FACTS_AT + 6].copy_from_slice(&12_345_600u64.to_be_bytes()[2..]);
    let forged = code_from_bytes(&bytes);
    let v = run(&["receipt", "verify", &forged, "--data", data]);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stdout(&v).contains("NON AUTHENTIQUE"), "{}", stdout(&v));
    // The amount changed on the paper: checked offline against the code.
    let pubkey = dir.path().join("pub.txt");
    std::fs::write(&pubkey, run(&["receipt", "pubkey", "--data", data]).stdout).expect("pub");
    let pubkey = pubkey.to_str().expect("utf-8");
    let v = run(&[
        "receipt",
        "verify",
        &code,
        "--pubkey",
        pubkey,
        "--amount",
        "12 345,60",
    ]);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stdout(&v).contains("modifié : montant"), "{}", stdout(&v));
    let v = run(&[
        "receipt",
        "verify",
        &code,
        "--pubkey",
        pubkey,
        "--amount",
        "1234,56",
        "--invoice-number",
        "f-118",
        "--siret",
        &siret,
        "--depositor",
        "SARL DUPONT",
    ]);
    assert!(v.status.success(), "{}", stdout(&v));
    let v = run(&[
        "receipt",
        "verify",
        &code,
        "--pubkey",
        pubkey,
        "--invoice-number",
        "F-119",
    ]);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
}

#[test]
fn a_cancelled_receipt_verifies_as_cancelled_with_a_non_zero_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8");
    let o = register(
        data,
        &[
            "--kind",
            "demande_ash",
            "--from",
            "M. Martin",
            "--user",
            "courrier",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let code = code_of(&o);
    assert!(
        run(&["receipt", "verify", &code, "--data", data])
            .status
            .success()
    );
    let c = run(&[
        "deposit",
        "cancel",
        &first_line(&o),
        "--reason",
        "enregistré deux fois",
        "--data",
        data,
        "--user",
        "courrier",
    ]);
    assert!(c.status.success(), "{}", stderr(&c));
    let v = run(&["receipt", "verify", &code, "--data", data]);
    assert_eq!(v.status.code(), Some(3), "{}", stdout(&v));
    let out = stdout(&v);
    assert!(
        out.starts_with("ANNULÉ") && out.contains("enregistré deux fois"),
        "{out}"
    );
}

#[test]
fn each_kind_s_mentions_and_an_incomplete_application_completed_later() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_path = demo(dir.path());
    let data = data_path.to_str().expect("utf-8");
    let reg = |kind: &str, extra: &[&str]| {
        let mut args = vec!["--kind", kind, "--from", "Mme Lefèvre", "--user", "accueil"];
        args.extend_from_slice(extra);
        let o = register(data, &args);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        o
    };
    let pch = receipt_text(&reg("demande_pch", &[]));
    for needle in [
        "(CDAPH)",
        "délai de 4 mois",
        "silence vaut rejet",
        "R241-33",
        "(RAPO)",
        "pôle social du tribunal judiciaire",
    ] {
        assert!(pch.contains(needle), "PCH: missing {needle:?} in:\n{pch}");
    }
    let ash = receipt_text(&reg("demande_ash", &[]));
    for needle in ["(ASH)", "L231-4 (3°)", "L134-2", "réputée rejetée"] {
        assert!(ash.contains(needle), "ASH: missing {needle:?} in:\n{ash}");
    }
    // An incomplete APA application: its missing documents and the deadline, no decision date.
    let by = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30))
        .in_tz("Europe/Paris")
        .expect("tz")
        .strftime("%d/%m/%Y")
        .to_string();
    let apa = reg(
        "demande_apa",
        &[
            "--missing",
            "justificatif de domicile; relevé d'identité bancaire",
            "--missing-deadline",
            &by,
        ],
    );
    let number = first_line(&apa);
    let text = receipt_text(&apa);
    for needle in [
        "INCOMPLET",
        "• justificatif de domicile",
        "• relevé d'identité bancaire",
        "À produire au plus tard le",
        "L114-5",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("Décision implicite :"), "{text}");
    // The documents complete it: the receipt states the day it became complete.
    let docs = reg("pieces_complementaires", &["--completes", &number]);
    let text = receipt_text(&docs);
    for needle in [
        &format!("Complète le dépôt : n° {number}"),
        "Dossier complet le",
        "R232-23",
        "Décision implicite : le",
        "montant forfaitaire",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let v = run(&["receipt", "verify", &code_of(&docs), "--data", data]);
    assert!(
        stdout(&v).contains(&format!("complète le dépôt n° {number}")),
        "{}",
        stdout(&v)
    );
    // Once only.
    let again = register(
        data,
        &[
            "--kind",
            "pieces_complementaires",
            "--from",
            "Mme Lefèvre",
            "--completes",
            &number,
            "--user",
            "accueil",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("déjà complété"),
        "{}",
        stderr(&again)
    );
    let list = run(&["deposit", "list", "--data", data, "--format", "csv"]);
    let row = stdout(&list)
        .lines()
        .find(|l| l.starts_with(&number))
        .unwrap_or_default()
        .to_owned();
    assert!(row.contains(&first_line(&docs)), "{row}");
}
