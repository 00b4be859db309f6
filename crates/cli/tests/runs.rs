//! Payment runs end to end with the real binary: prepare, control, validate, export; files
//! valid against the official schemas and the same bytes when exported again; SIGKILL at any
//! moment then the same command again; two prepares at once; hostile names and amounts.

mod common;
use common::{copy_dir, files, killed};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const MONTH: &str = "2026-12";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE");
    c
}

/// `relais ARGS`, as the demo user `--user` names when there is one (`common::demo_password`).
fn run(args: &[&str]) -> Output {
    common::output(bin().args(args))
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "relais {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(args: &[&str]) -> String {
    let out = run(args);
    assert!(!out.status.success(), "relais {args:?} should fail");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn demo(dir: &Path, size: &str) -> PathBuf {
    let data = dir.join("data");
    ok(&[
        "demo",
        "--data",
        &s(&data),
        "--size",
        size,
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    data
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn xmllint(schema: &str, file: &Path) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(shared().join(schema))
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian: apt-get install libxml2-utils)");
    assert!(
        out.status.success(),
        "{} invalid:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

const PES_XSD: &str = "xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd";
const PAIN_XSD: &str = "xsd/pain/pain.001.001.09.xsd";

fn validate_all(dir: &Path) {
    let names = files(dir);
    let mut pes = 0;
    let mut pain = 0;
    for name in names.keys() {
        if name.starts_with("PES_") {
            xmllint(PES_XSD, &dir.join(name));
            pes += 1;
        }
        if name.starts_with("pain001_") {
            xmllint(PAIN_XSD, &dir.join(name));
            pain += 1;
        }
    }
    assert_eq!(pes, 1, "{:?}", names.keys());
    assert!(pain >= 1, "{:?}", names.keys());
}

fn prepare(data: &str, benefits: &str) -> String {
    let out = ok(&[
        "run",
        "prepare",
        "--data",
        data,
        "--month",
        MONTH,
        "--benefits",
        benefits,
        "--user",
        "liquidation",
    ]);
    out.lines().next().expect("first line").to_owned()
}

const ALL: &str = "APA_DOM,APA_ETAB,PCH,ASH,RSA";

#[test]
fn prepare_control_validate_export_and_the_same_bytes_again() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = s(&demo(lab.path(), "3000"));
    let d = data.as_str();
    let out = ok(&[
        "run",
        "prepare",
        "--data",
        d,
        "--month",
        MONTH,
        "--benefits",
        ALL,
        "--user",
        "liquidation",
    ]);
    let id = out.lines().next().expect("id");
    assert_eq!(
        id, "P2026-12-01",
        "the identifier alone on the first line:\n{out}"
    );
    assert!(out.contains("Non payés"), "{out}");
    // Nobody may export or validate what is not theirs to.
    assert!(
        fails(&[
            "run",
            "export",
            id,
            "--data",
            d,
            "--user",
            "liquidation",
            "--out",
            &s(&lab.path().join("x"))
        ])
        .contains("validé")
    );
    assert!(
        fails(&["run", "validate", id, "--data", d, "--user", "liquidation"])
            .contains("ordonnateur")
    );
    assert!(
        fails(&["run", "validate", id, "--data", d, "--user", "accueil"]).contains("ordonnateur")
    );
    // The control report.
    let controle = lab.path().join("controle");
    ok(&["run", "show", id, "--data", d, "--out", &s(&controle)]);
    let html = String::from_utf8(
        std::fs::read(controle.join(format!("controle_{id}.html"))).expect("html"),
    )
    .expect("utf-8");
    assert!(html.contains(id) && html.contains("APA_DOM") || html.contains("APA"));
    ok(&["run", "validate", id, "--data", d, "--user", "ordonnateur"]);
    assert!(
        fails(&[
            "run",
            "cancel",
            id,
            "--data",
            d,
            "--user",
            "liquidation",
            "--reason",
            "trop tard"
        ])
        .contains("validé")
    );

    let first = lab.path().join("remise1");
    let second = lab.path().join("remise2");
    ok(&[
        "run",
        "export",
        id,
        "--data",
        d,
        "--user",
        "liquidation",
        "--out",
        &s(&first),
    ]);
    ok(&[
        "run",
        "export",
        id,
        "--data",
        d,
        "--user",
        "ordonnateur",
        "--out",
        &s(&second),
    ]);
    let a = files(&first);
    let b = files(&second);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            b.get(name) == Some(bytes),
            "{name} differs between two exports"
        );
    }
    validate_all(&first);
    // SHA256SUMS lists every other file, with its digest.
    let sums = String::from_utf8(a.get("SHA256SUMS").cloned().expect("sums")).expect("utf-8");
    assert_eq!(sums.lines().count(), a.len() - 1);
    let check = Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&first)
        .output()
        .expect("sha256sum");
    assert!(check.status.success());
    // RSA: one mandate to the CAF for the month (an advance: no statement imported), never
    // a household's line, and no file with NIRs (the CAF's hand-off file is gone).
    let pes = String::from_utf8_lossy(a.get(&format!("PES_{id}.xml")).expect("pes")).into_owned();
    assert_eq!(
        pes.matches("<Obj V=\"RSA 2026-12").count(),
        1,
        "one CAF mandate"
    );
    assert!(pes.contains("avance"));
    assert!(pes.contains("<NatJur V=\"11\"/>"), "the CAF's legal nature");
    assert!(!a.keys().any(|n| n.starts_with("caf_")), "{:?}", a.keys());
    // Everything is paid: a new prepare finds nothing, and says so.
    assert!(
        fails(&[
            "run",
            "prepare",
            "--data",
            d,
            "--month",
            MONTH,
            "--benefits",
            ALL,
            "--user",
            "liquidation"
        ])
        .contains("rien à payer")
    );
    ok(&["journal", "verify", "--data", d]);
}

#[test]
fn two_prepares_at_once_make_one_run() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = s(&demo(lab.path(), "3000"));
    let spawn = || {
        let mut prepare = bin();
        prepare
            .args([
                "run",
                "prepare",
                "--data",
                &data,
                "--month",
                MONTH,
                "--user",
                "liquidation",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let password = common::demo_password(&mut prepare);
        (prepare.spawn().expect("spawn"), password)
    };
    let ((a, _pa), (b, _pb)) = (spawn(), spawn());
    let a = a.wait_with_output().expect("a");
    let b = b.wait_with_output().expect("b");
    assert!(a.status.success() && b.status.success());
    let first = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(first(&a), "P2026-12-01");
    assert_eq!(first(&b), "P2026-12-01");
    let list = ok(&["run", "list", "--data", &data]);
    assert_eq!(list.lines().count(), 1, "{list}");
}

/// The run's totals as `run show` prints them (without the times).
fn totals(data: &str, id: &str) -> Vec<String> {
    ok(&["run", "show", id, "--data", data])
        .lines()
        .filter(|l| {
            !l.starts_with("Préparé") && !l.starts_with("Validé") && !l.starts_with("Paiement")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn sigkill_at_any_moment_then_the_same_command_gives_the_uninterrupted_result() {
    let lab = tempfile::tempdir().expect("tempdir");
    let base = demo(lab.path(), "8000");
    // The uninterrupted result.
    let reference = lab.path().join("reference");
    copy_dir(&base, &reference);
    let r = s(&reference);
    let id = prepare(&r, ALL);
    let expected = totals(&r, &id);
    ok(&[
        "run",
        "validate",
        &id,
        "--data",
        &r,
        "--user",
        "ordonnateur",
    ]);
    let ref_out = lab.path().join("ref-out");
    ok(&[
        "run",
        "export",
        &id,
        "--data",
        &r,
        "--user",
        "liquidation",
        "--out",
        &s(&ref_out),
    ]);
    let reference_files = files(&ref_out);

    for (i, ms) in [0u64, 15, 40, 80, 150, 300, 600].into_iter().enumerate() {
        let delay = Duration::from_millis(ms);
        let case = lab.path().join(format!("case{i}"));
        copy_dir(&base, &case);
        let d = s(&case);
        // Prepare, killed, then again.
        killed(
            &[
                "run",
                "prepare",
                "--data",
                &d,
                "--month",
                MONTH,
                "--benefits",
                ALL,
                "--user",
                "liquidation",
            ],
            delay,
        );
        let again = prepare(&d, ALL);
        assert_eq!(again, "P2026-12-01", "no number lost or doubled ({ms} ms)");
        assert_eq!(totals(&d, &again), expected, "prepare killed at {ms} ms");
        assert_eq!(ok(&["run", "list", "--data", &d]).lines().count(), 1);
        // Validate, killed, then again.
        killed(
            &[
                "run",
                "validate",
                &again,
                "--data",
                &d,
                "--user",
                "ordonnateur",
            ],
            delay,
        );
        let v = ok(&[
            "run",
            "validate",
            &again,
            "--data",
            &d,
            "--user",
            "ordonnateur",
        ]);
        assert!(v.contains("2026/1"), "bordereau 1, once ({ms} ms): {v}");
        // Export, killed: whatever has its final name is complete; then again: the same
        // files as an uninterrupted export, except the times of validation.
        let out = case.join("out");
        killed(
            &[
                "run",
                "export",
                &again,
                "--data",
                &d,
                "--user",
                "liquidation",
                "--out",
                &s(&out),
            ],
            delay,
        );
        let partial = files(&out);
        let first_export = case.join("out-first");
        ok(&[
            "run",
            "export",
            &again,
            "--data",
            &d,
            "--user",
            "liquidation",
            "--out",
            &s(&first_export),
        ]);
        let complete = files(&first_export);
        for (name, bytes) in &partial {
            assert!(
                complete.get(name) == Some(bytes),
                "{name} half-written after SIGKILL at {ms} ms"
            );
        }
        ok(&[
            "run",
            "export",
            &again,
            "--data",
            &d,
            "--user",
            "liquidation",
            "--out",
            &s(&out),
        ]);
        assert_eq!(
            files(&out),
            complete,
            "export again after SIGKILL at {ms} ms"
        );
        assert_eq!(
            complete.keys().collect::<Vec<_>>(),
            reference_files.keys().collect::<Vec<_>>()
        );
        let mandates = format!("controle_{again}_mandats.csv");
        assert_eq!(complete.get(&mandates), reference_files.get(&mandates));
        ok(&["journal", "verify", "--data", &d]);
    }
}

/// Appends rows to a demo extract, in its own separator.
fn append(file: &Path, rows: &[Vec<String>]) {
    let text = std::fs::read_to_string(file).expect("utf-8 extract");
    let header = text.lines().next().unwrap_or("");
    let sep = [';', '\t', ',']
        .into_iter()
        .find(|c| header.contains(*c))
        .unwrap_or(';');
    let mut w = csv::WriterBuilder::new()
        .delimiter(sep as u8)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("row");
    }
    let mut bytes = text.into_bytes();
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend(w.into_inner().expect("csv"));
    std::fs::write(file, bytes).expect("write");
}

fn row(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn hostile_names_and_extreme_amounts_keep_the_files_valid() {
    let lab = tempfile::tempdir().expect("tempdir");
    let source = lab.path().join("source");
    ok(&[
        "demo",
        "--data",
        &s(&source),
        "--size",
        "300",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let ex = source.join("extracts");
    let long = "Ñ".repeat(140);
    let names = [
        (
            "X1",
            "Łukasz Œuvre-Dœ 😀",
            "DE89370400440532013000",
            "COBADEFFXXX",
            "150000,00",
        ),
        (
            "X2",
            "&<>\"' Ça c'est l'été",
            "ES9121000418450200051332",
            "CAIXESBBXXX",
            "1000000,00",
        ),
        (
            "X3",
            "",
            "IT60X0542811101000000123456",
            "BPMOIT22XXX",
            "0,00",
        ),
        (
            "X4",
            long.as_str(),
            "FR7630006000011234567890189",
            "AGRIFRPP",
            "0,01",
        ),
        (
            "X5",
            " ",
            "FR7630006000011234567890189",
            "AGRIFRPP",
            "10,00",
        ),
    ];
    let mut people = Vec::new();
    let mut payees = Vec::new();
    let mut rights = Vec::new();
    for (i, (id, name, iban, bic, amount)) in names.iter().enumerate() {
        let dossier = format!("DX{i}");
        // beneficiaires: Dossier;NIR;Nom;Prénom;Date naissance;Adresse;Code postal;Commune;Téléphone;Site;Date décès;Civilité;Commentaire
        let person_name = if name.trim().is_empty() { "Sans" } else { name };
        people.push(row(&[
            &dossier,
            "",
            person_name,
            person_name,
            "01/01/1950",
            "1 rue & Cie",
            "77000",
            "Melun",
            "",
            "MDS-MELUN",
            "",
            "Madame",
            "",
        ]));
        // tiers: Tiers_ID,Type,Nom,SIRET,IBAN,BIC,Titulaire,Adresse,Code postal,Commune,IBAN
        // modifié le,Forme juridique
        // An empty name is refused at import (X5): it never reaches a file.
        let payee_name = if name.is_empty() { "Sans nom" } else { name };
        payees.push(row(&[
            id,
            "Personne",
            payee_name,
            "",
            iban,
            bic,
            payee_name,
            "2 rue <b>",
            "77000",
            "Melun",
            "",
            "",
        ]));
        // droits: droit_id;dossier;prestation;montant_mensuel;date_debut;date_fin;statut;tiers_id;imputation
        rights.push(row(&[
            &format!("RX{i}"),
            &dossier,
            "PCH",
            amount,
            "01/01/2025",
            "31/12/2027",
            "en_paiement",
            id,
            "",
        ]));
    }
    append(&ex.join("beneficiaires.csv"), &people);
    append(&ex.join("tiers.csv"), &payees);
    append(&ex.join("droits.csv"), &rights);
    ok(&["import", &s(&ex), "--data", &s(&source), "--user", "admin"]);
    let d = s(&source);
    let id = prepare(&d, "PCH");
    ok(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let out = lab.path().join("out");
    ok(&[
        "run",
        "export",
        &id,
        "--data",
        &d,
        "--user",
        "liquidation",
        "--out",
        &s(&out),
    ]);
    validate_all(&out);
    let all = files(&out);
    let pain = all
        .iter()
        .find(|(n, _)| n.starts_with("pain001_"))
        .map(|(_, b)| String::from_utf8(b.clone()).expect("pain is UTF-8"))
        .expect("pain");
    // The accounts are paid (0 € is not: it is excluded, with its reason).
    for iban in [
        "DE89370400440532013000",
        "ES9121000418450200051332",
        "FR7630006000011234567890189",
    ] {
        assert!(pain.contains(iban), "{iban} not paid");
    }
    assert!(pain.contains("<InstdAmt Ccy=\"EUR\">1000000.00</InstdAmt>"));
    assert!(!pain.contains("IT60X0542811101000000123456"));
    assert!(
        pain.contains("Lukasz OEuvre-DOEe") || pain.contains("Lukasz"),
        "transliterated"
    );
    let excluded = String::from_utf8(
        all.get(&format!("controle_{id}_non_payes.csv"))
            .cloned()
            .expect("csv"),
    )
    .expect("utf-8");
    // A monthly amount of 0 is refused at import (a right pays something), with its reason.
    assert!(
        excluded.contains("RX2,DX2,,PCH,right_rejected"),
        "{excluded}"
    );
    assert!(
        excluded.contains("RX4,DX4,,PCH,payee_rejected"),
        "{excluded}"
    );
}

/// The reviewer's case: June prepared on a store whose history holds August to October paid
/// thousands of lines again. A month before the history is refused and says why; one inside
/// it needs `--rappel` and a reason, and then pays only the rights not paid that month.
#[test]
fn a_month_already_paid_by_the_old_system_is_refused() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = s(&demo(lab.path(), "300"));
    let d = data.as_str();
    let prepare = |month: &'static str| {
        vec![
            "run",
            "prepare",
            "--data",
            d,
            "--month",
            month,
            "--user",
            "liquidation",
        ]
    };
    let said = fails(&prepare("2026-06"));
    assert!(
        said.contains("premier mois de l'historique des paiements (2026-08)"),
        "{said}"
    );
    let said = fails(&prepare("2026-09"));
    assert!(said.contains("--rappel"), "{said}");
    // --rappel without a reason is refused before anything is read.
    let said = fails(&[prepare("2026-09"), vec!["--rappel"]].concat());
    assert!(said.contains("--reason"), "{said}");
    let arrears = run(&[
        prepare("2026-09"),
        vec!["--rappel", "--reason", "droits ouverts en retard"],
    ]
    .concat());
    let arrears = format!(
        "{}{}",
        String::from_utf8_lossy(&arrears.stdout),
        String::from_utf8_lossy(&arrears.stderr)
    );
    if arrears.contains("rien à payer") {
        return;
    }
    let december = ok(&prepare("2026-12"));
    // The line count of a run's summary (`… 1 234 lignes, …`).
    let lines = |out: &str| -> u64 {
        out.lines()
            .find_map(|l| {
                let before = l.split(" lignes").next().filter(|b| *b != l)?;
                before.split_whitespace().last()?.parse().ok()
            })
            .unwrap_or(0)
    };
    // Only September's unpaid rights: far fewer lines than a month's.
    assert!(
        lines(&december) > 0 && lines(&arrears) < lines(&december) / 2,
        "{arrears}\n{december}"
    );
}
