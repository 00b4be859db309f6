//! Field-level severity end to end (issue #18): a person whose phone number is malformed, or
//! whose site is unknown, is imported and paid, their warnings listed in the register of rows
//! to handle; a directory row with a bad e-mail keeps its phone. `extract check` exits 1 only
//! for rejected rows, and its rejects file says each problem's gravity.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `relais ARGS`, as the demo user `--user` names when there is one (`common::demo_password`).
fn run(args: &[&str]) -> Output {
    common::output(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .args(args),
    )
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(o.status.success(), "relais {args:?} failed:\n{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Appends rows to a demo extract, in its own separator.
fn append(file: &Path, rows: &[&[&str]]) {
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
        w.write_record(*r).expect("row");
    }
    let mut bytes = text.into_bytes();
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend(w.into_inner().expect("csv"));
    std::fs::write(file, bytes).expect("write");
}

fn count(data: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    c.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// A demo of 300 people, plus: DW1 whose phone is malformed, DW2 whose site is unknown,
/// each with a PCH right paid to a payee of their own; a directory row with a bad e-mail.
fn demo_with_details(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    ok(&[
        "demo",
        "--data",
        &s(&data),
        "--size",
        "300",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let ex = data.join("extracts");
    // beneficiaires: Dossier;NIR;Nom;Prénom;Date naissance;Adresse;Code postal;Commune;
    // Téléphone;Site;Date décès;Civilité;Commentaire
    append(
        &ex.join("beneficiaires.csv"),
        &[
            &[
                "DW1",
                "",
                "Martin",
                "Léa",
                "01/01/1950",
                "1 rue",
                "77000",
                "Melun",
                "12 34",
                "MDS-MELUN",
                "",
                "Madame",
                "",
            ],
            &[
                "DW2",
                "",
                "Petit",
                "Paul",
                "02/02/1951",
                "2 rue",
                "77000",
                "Melun",
                "01 99 00 12 34",
                "MDS-NULLE-PART",
                "",
                "Monsieur",
                "",
            ],
        ],
    );
    for (id, name) in [("TW1", "Martin Léa"), ("TW2", "Petit Paul")] {
        append(
            &ex.join("tiers.csv"),
            &[&[
                id,
                "Personne",
                name,
                "",
                "FR7630006000011234567890189",
                "AGRIFRPP",
                name,
                "1 rue",
                "77000",
                "Melun",
                "",
                "",
            ]],
        );
    }
    append(
        &ex.join("droits.csv"),
        &[
            &[
                "RW1",
                "DW1",
                "PCH",
                "300,00",
                "01/01/2025",
                "31/12/2027",
                "en_paiement",
                "TW1",
                "",
            ],
            &[
                "RW2",
                "DW2",
                "PCH",
                "400,00",
                "01/01/2025",
                "31/12/2027",
                "en_paiement",
                "TW2",
                "",
            ],
        ],
    );
    append(
        &ex.join("annuaire.csv"),
        &[&[
            "MDS-TEST",
            "Maison des solidarités de test",
            "Accueil",
            "01 99 00 77 77",
            "accueil-sans-arobase.invalid",
            "1 place de la Mairie, 77000 Melun",
            "9h-12h",
            "oui",
            "oui",
        ]],
    );
    data
}

#[test]
fn a_bad_phone_an_unknown_site_and_a_bad_directory_email_do_not_stop_a_payment() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = demo_with_details(lab.path());
    let d = s(&data);
    let ex = data.join("extracts");

    // The check lists the warnings beside the rejections (the demo carries both) in the
    // rejects file, and exits 1 for the rejections alone.
    let rejects = lab.path().join("rejets.csv");
    let o = run(&["extract", "check", &s(&ex), "--rejects", &s(&rejects)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("avec avertissement"), "{said}");
    let csv_text = std::fs::read_to_string(&rejects).expect("rejects file");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "file",
            "line",
            "column",
            "field",
            "code",
            "message_fr",
            "message_en",
            "gravite"
        ]
    );
    let lines: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let gravity_of = |file: &str, code: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|r| &r[0] == file && &r[4] == code)
            .map(|r| r[7].to_owned())
            .collect()
    };
    assert!(gravity_of("beneficiaires.csv", "telephone").contains(&"avertissement".to_owned()));
    assert!(gravity_of("beneficiaires.csv", "site_inconnu").contains(&"avertissement".to_owned()));
    let emails = gravity_of("annuaire.csv", "email");
    assert!(
        !emails.is_empty() && emails.iter().all(|g| g == "avertissement"),
        "{emails:?}"
    );
    assert!(
        gravity_of("tiers.csv", "rib_cle")
            .iter()
            .all(|g| g == "rejet")
    );
    assert!(lines.iter().any(|r| &r[7] == "rejet"));
    assert!(
        lines
            .iter()
            .all(|r| &r[7] == "rejet" || &r[7] == "avertissement")
    );
    for r in &lines {
        for wrong in [" de le ", " de les ", " à le ", " à les "] {
            assert!(!r[5].contains(wrong), "{wrong}: {}", &r[5]);
        }
    }
    assert!(
        lines
            .iter()
            .any(|r| r[5].contains("la ligne de la personne dans beneficiaires.csv")),
        "the demo's rights of a rejected person"
    );

    // The import keeps the people, attached to no site for DW2, and says what to look at.
    let out = ok(&["import", &s(&ex), "--data", &d, "--user", "admin"]);
    assert!(out.contains("avec avertissement"), "{out}");
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM beneficiaries WHERE dossier = 'DW1' AND phone = '' AND site = 'MDS-MELUN'"
        ),
        1
    );
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM beneficiaries WHERE dossier = 'DW2' AND site = ''"
        ),
        1
    );
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM directory WHERE site_code = 'MDS-TEST' AND phone = '01 99 00 77 77' AND email = '' AND public = 1"
        ),
        1
    );
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM rights WHERE id IN ('RW1', 'RW2')"
        ),
        2
    );
    // The register lists the warnings, each row with its own gravity.
    let register = ok(&["a-traiter", "--data", &d, "--format", "csv"]);
    assert!(
        register.starts_with("file,line,key,field,code,message_fr,gravite\n"),
        "{register}"
    );
    for (key, code) in [("DW1", "telephone"), ("DW2", "site_inconnu")] {
        assert!(
            register.lines().any(|l| l.contains(&format!(",{key},"))
                && l.contains(&format!(",{code},"))
                && l.ends_with(",avertissement")),
            "{key} {code}:\n{register}"
        );
    }
    assert!(register.lines().any(|l| l.ends_with(",rejet")));
    // Warnings are not rejections: nothing counts them as rows not paid.
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM pending_rows WHERE severity = 'avertissement' AND key IN ('DW1', 'DW2')"
        ),
        2
    );

    // And the run pays them.
    ok(&[
        "run",
        "prepare",
        "--data",
        &d,
        "--month",
        "2026-12",
        "--benefits",
        "PCH",
        "--user",
        "liquidation",
    ]);
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM run_claims WHERE right_id IN ('RW1', 'RW2') AND month = '2026-12' AND run_id IS NOT NULL"
        ),
        2,
        "both rights are paid in the run"
    );
}

#[test]
fn warnings_alone_exit_0_and_are_listed() {
    let lab = tempfile::tempdir().expect("tempdir");
    let dir = lab.path().join("x");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(
        dir.join("annuaire.csv"),
        "site_code;site;service;telephone;email;adresse;horaires;depot_papier;public\n\
         MDS01;MDS de Melun;Accueil;01 99 00 12 34;mds-sans-arobase;1 rue de la Paix;9h-17h;oui;oui\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("beneficiaires.csv"),
        "dossier;nom;prenom;date_naissance;adresse;code_postal;commune;telephone;site\n\
         D1;Dupont;Jean;01/02/1950;1 rue;77000;Melun;12 34;MDS01\n\
         D2;Durand;Anne;01/02/1950;1 rue;77000;Melun;;MDS99\n",
    )
    .expect("write");
    let rejects = lab.path().join("rejets.csv");
    let o = run(&["extract", "check", &s(&dir), "--rejects", &s(&rejects)]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains("beneficiaires.csv:2:8: avertissement : [telephone]"),
        "{said}"
    );
    assert!(
        said.contains("beneficiaires.csv:3:9: avertissement : [site]"),
        "{said}"
    );
    assert!(
        said.contains("annuaire.csv:2:5: avertissement : [email]"),
        "{said}"
    );
    assert!(
        said.contains("Toutes les lignes sont acceptées, dont 3 avec avertissement."),
        "{said}"
    );
    let csv_text = std::fs::read_to_string(&rejects).expect("rejects");
    assert_eq!(csv_text.lines().count(), 4, "{csv_text}");
    assert!(
        csv_text
            .lines()
            .skip(1)
            .all(|l| l.ends_with(",avertissement")),
        "{csv_text}"
    );

    // A real rejection: exit 1.
    std::fs::write(
        dir.join("beneficiaires.csv"),
        "dossier;nom;prenom;date_naissance;adresse;code_postal;commune;telephone;site\n\
         D1;Dupont;Jean;31/02/1950;1 rue;77000;Melun;12;MDS01\n",
    )
    .expect("write");
    let o = run(&["extract", "check", &s(&dir)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}
