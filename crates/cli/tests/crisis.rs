//! The crisis cell's commands, run as the cell would run them on the demo: the main courante
//! and its exports (pdftotext reads the entries back in order with their journal hashes), a
//! direct edit of the database caught by `relais journal verify`, the systems' import and
//! workflow, tasks, the directory and the posters.

mod common;

use relais_core::directory::tel_href;
use relais_store::SqliteStore;
use relais_store::crisis::CrisisStore;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `relais ARGS --data DATA`, as the demo user `--user` names when there is one
/// (`common::demo_password`).
fn relais(data: &Path, args: &[&str]) -> Output {
    common::output(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .args(args)
            .arg("--data")
            .arg(data),
    )
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs and expects success; its output.
fn ok(data: &Path, args: &[&str]) -> String {
    let o = relais(data, args);
    assert!(o.status.success(), "relais {args:?} failed: {}", text(&o));
    text(&o)
}

/// Runs, expects a refusal that says `why`, and that nothing else went wrong (no panic).
fn refused(data: &Path, args: &[&str], why: &str) {
    let o = relais(data, args);
    assert_eq!(o.status.code(), Some(1), "relais {args:?}: {}", text(&o));
    assert!(text(&o).contains(why), "relais {args:?}: {}", text(&o));
}

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    assert!(o.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 150);
    (dir, data)
}

#[test]
fn main_courante_exports_in_order_with_hashes_and_catches_an_edit() {
    let (dir, data) = demo();
    let sha = "ab".repeat(32);
    ok(
        &data,
        &[
            "courante",
            "add",
            "--user",
            "crise",
            "--kind",
            "décision",
            "--text",
            "Ne pas payer la rançon",
            "--document",
            &sha,
            "--site",
            "MDPH",
        ],
    );
    refused(
        &data,
        &[
            "courante", "add", "--user", "accueil", "--kind", "action", "--text", "x",
        ],
        "n'a pas le rôle « crise »",
    );
    refused(
        &data,
        &[
            "courante", "add", "--user", "crise", "--kind", "rumeur", "--text", "x",
        ],
        "nature inconnue « rumeur »",
    );
    refused(
        &data,
        &[
            "courante",
            "add",
            "--user",
            "crise",
            "--kind",
            "action",
            "--text",
            "x",
            "--corrects",
            "999",
        ],
        "entrée n° 999 de la main courante introuvable",
    );

    let store = SqliteStore::open(&data.join("relais.db")).expect("store");
    let entries = store.entries().expect("entries");
    drop(store);
    let last = entries.last().expect("entries");
    let fix = ok(
        &data,
        &[
            "courante",
            "add",
            "--user",
            "crise",
            "--kind",
            "information",
            "--text",
            "Correction : la rançon est de 2 BTC",
            "--corrects",
            &last.id.to_string(),
        ],
    );
    assert!(fix.contains("inscrite"), "{fix}");
    let list = ok(&data, &["courante", "list"]);
    assert!(
        list.contains(&format!("[corrige n° {}]", last.id)),
        "{list}"
    );

    let pdf = dir.path().join("main-courante.pdf");
    let csv = dir.path().join("main-courante.csv");
    ok(
        &data,
        &[
            "courante",
            "export",
            "--pdf",
            pdf.to_str().expect("path"),
            "--csv",
            csv.to_str().expect("path"),
        ],
    );
    let store = SqliteStore::open(&data.join("relais.db")).expect("store");
    let entries = store.entries().expect("entries");
    drop(store);
    let printed = pdf_text(&pdf).replace('\n', " ");
    let mut from = 0;
    for e in &entries {
        let mark = format!(
            "Journal n° {} — empreinte {}",
            e.journal_seq, e.journal_hash
        );
        let found = printed.get(from..).and_then(|rest| rest.find(&mark));
        assert!(
            found.is_some(),
            "entry {} missing or out of order in the PDF",
            e.id
        );
        from += found.unwrap_or(0) + mark.len();
    }
    assert!(printed.contains("Ne pas payer la rançon"));
    assert!(printed.contains(&format!("Document (SHA-256) : {sha}")));
    let csv_text = std::fs::read_to_string(&csv).expect("csv");
    assert_eq!(csv_text.lines().count(), entries.len() + 1);
    assert!(csv_text.contains(&entries[0].journal_hash));

    // A direct edit of the file, triggers dropped, is caught by the journal's verification.
    assert!(ok(&data, &["journal", "verify"]).contains("Journal intact"));
    let conn = rusqlite::Connection::open(data.join("relais.db")).expect("db");
    conn.execute_batch(
        "DROP TRIGGER courante_no_update;
         UPDATE courante SET text = 'Payer la rançon' WHERE text = 'Ne pas payer la rançon';",
    )
    .expect("edit");
    drop(conn);
    let verify = relais(&data, &["journal", "verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        text(&verify).contains("Journal altéré"),
        "{}",
        text(&verify)
    );
}

#[test]
fn systems_tasks_incident_and_directory_from_the_command_line() {
    let (dir, data) = demo();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id;nom;fonction;criticite;responsable\nX;Y;Z;vitale;DSI\n",
    )
    .expect("csv");
    refused(
        &data,
        &[
            "systemes",
            "import",
            bad.to_str().expect("path"),
            "--user",
            "crise",
        ],
        "bad.csv:2:4 : criticité inconnue « vitale »",
    );

    refused(
        &data,
        &["systemes", "statut", "PAIE", "restauré", "--user", "crise"],
        "refusé",
    );
    let moved = ok(
        &data,
        &[
            "systemes",
            "statut",
            "PAIE",
            "isolé",
            "--user",
            "crise",
            "--note",
            "réseau coupé",
        ],
    );
    assert!(moved.contains("compromis → isolé"), "{moved}");
    let listed = ok(&data, &["systemes", "list"]);
    assert!(
        listed.contains("Systèmes critiques non restaurés : GF, PAIE, SOCIAL"),
        "{listed}"
    );
    assert!(ok(&data, &["courante", "list"]).contains("réseau coupé"));

    let overdue = ok(&data, &["taches", "list", "--overdue"]);
    assert!(overdue.contains("Déposer plainte"), "{overdue}");
    assert!(!overdue.contains("Notifier"), "{overdue}");
    ok(
        &data,
        &[
            "taches",
            "add",
            "--user",
            "crise",
            "--title",
            "Rappeler la paierie",
            "--owner",
            "DGS",
            "--due",
            "2020-01-01 10:00",
        ],
    );
    ok(&data, &["taches", "statut", "1", "fait", "--user", "crise"]);
    let overdue = ok(&data, &["taches", "list", "--overdue"]);
    assert!(
        overdue.contains("Rappeler la paierie") && !overdue.contains("Déposer plainte"),
        "{overdue}"
    );

    ok(
        &data,
        &[
            "incident",
            "set",
            "plainte",
            "--user",
            "crise",
            "--at",
            "2026-11-21 14:00",
            "--place",
            "Commissariat de Melun",
            "--reference",
            "PV 2026/1234",
        ],
    );
    let ransom = ok(
        &data,
        &[
            "incident", "set", "rancon", "--user", "crise", "--answer", "oui",
        ],
    );
    assert!(ransom.contains("Ne jamais payer la rançon"), "{ransom}");
    let show = ok(&data, &["incident", "show"]);
    assert!(
        show.contains("PV 2026/1234") && show.contains("Notification CNIL : au plus tard le"),
        "{show}"
    );
    ok(
        &data,
        &[
            "cnil",
            "notify",
            "--user",
            "crise",
            "--nature",
            "Rançongiciel",
            "--people-categories",
            "bénéficiaires",
            "--people-count",
            "12000",
            "--record-categories",
            "dossiers",
            "--record-count",
            "40000",
            "--consequences",
            "retards",
            "--measures",
            "mode dégradé",
            "--dpo",
            "dpo@exemple.invalid",
            "--sent-at",
            "2026-11-22 08:00",
            "--reference",
            "CNIL-42",
        ],
    );
    let summary = dir.path().join("incident.pdf");
    ok(
        &data,
        &[
            "incident",
            "summary",
            "--pdf",
            summary.to_str().expect("path"),
        ],
    );
    let printed = pdf_text(&summary);
    for expected in [
        "Commissariat de Melun",
        "Ne jamais payer la rançon",
        "Échéance (72 heures)",
        "CNIL-42",
    ] {
        assert!(
            printed.contains(expected),
            "{expected} missing from:\n{printed}"
        );
    }

    let edited = ok(
        &data,
        &[
            "annuaire",
            "set",
            "--user",
            "crise",
            "--site-code",
            "MDPH",
            "--service",
            "Accueil, information et dépôt des demandes",
            "--phone",
            "01 99 00 77 77",
        ],
    );
    assert!(edited.contains("modifiée"), "{edited}");
    let journal = ok(&data, &["journal", "list", "--limit", "1000"]);
    let event = journal
        .lines()
        .find(|l| l.contains("directory.set"))
        .expect("journaled");
    assert!(
        event.contains("01 99 00 77 77") && event.contains("\"old\""),
        "{event}"
    );
    refused(
        &data,
        &[
            "annuaire",
            "set",
            "--user",
            "crise",
            "--site-code",
            "NEUF",
            "--service",
            "Accueil",
        ],
        "obligatoire",
    );

    let out = dir.path().join("public");
    ok(
        &data,
        &[
            "message",
            "set",
            "--user",
            "crise",
            "--affected",
            "Messagerie",
            "--guaranteed",
            "Les aides APA, PCH et ASH seront versées",
        ],
    );
    ok(
        &data,
        &[
            "publish",
            "--out",
            out.to_str().expect("path"),
            "--posters",
            "--general",
            "HDD-STANDARD",
        ],
    );
    let poster = pdf_text(&out.join("affiches/MDPH.pdf"));
    assert!(poster.contains("01 99 00 77 77"), "{poster}");
    let store = SqliteStore::open(&data.join("relais.db")).expect("store");
    let standard = relais_store::desk::DeskStore::directory(&store)
        .expect("directory")
        .into_iter()
        .find(|r| r.site_code == "HDD-STANDARD")
        .expect("the general number");
    assert!(
        poster.contains(&standard.phone),
        "general number missing: {poster}"
    );
    assert!(tel_href(&standard.phone).is_some());
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .expect("page")
            .contains("seront versées")
    );
    // The public page is for a web server to read; the data folder's database is not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o755);
        assert_eq!(mode(&out.join("affiches")), 0o755);
        for file in ["index.html", "relais-public.css", "affiches/MDPH.pdf"] {
            assert_eq!(mode(&out.join(file)), 0o644, "{file}");
        }
        assert_eq!(
            mode(&data.join("relais.db")) & 0o077,
            0,
            "relais.db is private"
        );
    }

    // A directory number typed is checked as at import, and written as the import writes it.
    refused(
        &data,
        &[
            "annuaire",
            "set",
            "--user",
            "crise",
            "--site-code",
            "MDPH",
            "--service",
            "Accueil, information et dépôt des demandes",
            "--phone",
            "01 99 00 77 7",
        ],
        "--phone : téléphone « 01 99 00 77 7 » : ce n'est pas un numéro français",
    );
    ok(
        &data,
        &[
            "annuaire",
            "set",
            "--user",
            "crise",
            "--site-code",
            "MDPH",
            "--service",
            "Accueil, information et dépôt des demandes",
            "--phone",
            "+33 1 99 00 77 78",
        ],
    );
    let store = SqliteStore::open(&data.join("relais.db")).expect("store");
    assert!(
        relais_store::desk::DeskStore::directory(&store)
            .expect("directory")
            .iter()
            .any(|r| r.site_code == "MDPH" && r.phone == "01 99 00 77 78")
    );

    // Facts that happened are not dated after now.
    refused(
        &data,
        &[
            "incident",
            "set",
            "plainte",
            "--user",
            "crise",
            "--at",
            "2099-01-01 10:00",
        ],
        "--at : le 01/01/2099 à 10:00 est dans le futur",
    );
    // Awareness long ago: a notification after 72 hours gives the reasons for its delay.
    ok(
        &data,
        &[
            "incident",
            "set",
            "prise_de_connaissance",
            "--user",
            "crise",
            "--at",
            "2026-11-01 09:00",
        ],
    );
    let late = [
        "cnil",
        "notify",
        "--user",
        "crise",
        "--nature",
        "Rançongiciel",
        "--people-categories",
        "bénéficiaires",
        "--people-count",
        "12000",
        "--record-categories",
        "dossiers",
        "--record-count",
        "40000",
        "--consequences",
        "retards",
        "--measures",
        "mode dégradé",
        "--dpo",
        "dpo@exemple.invalid",
        "--sent-at",
        "2026-11-05 10:00",
    ];
    refused(
        &data,
        &late,
        "motifs du retard : la notification part 97 h après",
    );
    let mut with_reasons = late.to_vec();
    with_reasons.extend(["--delay-reasons", "messagerie chiffrée"]);
    ok(&data, &with_reasons);
    let show = ok(&data, &["incident", "show"]);
    assert!(
        show.contains(
            "Notification CNIL : notifiée le 05/11/2026 à 10:00, 97 h après la découverte"
        ) && show.contains("motifs du retard : messagerie chiffrée"),
        "{show}"
    );
    // The incident's summary, the cell's record of it, prints the reasons too.
    let summary = data.join("incident-retard.pdf");
    ok(
        &data,
        &[
            "incident",
            "summary",
            "--pdf",
            summary.to_str().expect("path"),
        ],
    );
    let printed = pdf_text(&summary);
    assert!(
        printed.contains("Motifs du retard") && printed.contains("messagerie chiffrée"),
        "{printed}"
    );
}
