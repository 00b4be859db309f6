//! `relais journal export` and `relais journal apply` (docs/journal-export.md) on a demo: the
//! crisis' work (deposits, a bank change, a validated run) exported, applied to a second data
//! folder whose replica then agrees with the source's own tables; applied again, nothing
//! changes; a gap, a fork, a tampered event and a non-admin refused; the CSVs for a French
//! spreadsheet; the export encrypted to age recipients and opened with the `age` tool.

mod common;
use common::{copy_dir, relais_fails, relais_ok};

use relais_core::ids::{Bic, Iban};
use relais_store::SqliteStore;
use relais_store::bank::{BankChangeStore, NewBankChange};
use relais_store::runs::RunStore;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn demo(data: &Path) {
    common::demo_on(data, 300, 10, "2026-11-30");
}

fn register(d: &str, from: &str) -> String {
    let out = relais_ok(&[
        "deposit", "register", "--data", d, "--kind", "autre", "--from", from, "--user", "courrier",
    ]);
    out.split_whitespace()
        .find(|w| w.len() == 11 && w.starts_with("2026-"))
        .unwrap_or_else(|| panic!("no deposit number in {out}"))
        .to_owned()
}

/// Everything the replica holds, and the journal's head: equal before and after a no-op.
fn replica_dump(data: &Path) -> String {
    let out = Command::new("sqlite3")
        .arg(data.join("relais.db"))
        .arg(
            "SELECT * FROM replica_origins; SELECT * FROM replica_events ORDER BY id;
             SELECT * FROM replica_entities ORDER BY 1, 2, 3; SELECT max(seq) FROM journal;",
        )
        .output()
        .expect("sqlite3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The replica's latest state of each entity of `siret`: (type, id) → state.
fn projection(data: &Path) -> BTreeMap<(String, String), Value> {
    use relais_store::handback::HandbackStore;
    let store = SqliteStore::open(&data.join("relais.db")).expect("open");
    let origins = store.replica_origins().expect("origins");
    let mut out = BTreeMap::new();
    for o in origins {
        store
            .each_projected_entity(&o.siret, &mut |p| {
                out.insert(
                    (p.entity_type.clone(), p.entity_id.clone()),
                    serde_json::from_str(&p.state).expect("json"),
                );
                Ok(())
            })
            .expect("projection");
    }
    out
}

fn sha256sum_check(dir: &Path) {
    let out = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .expect("sha256sum");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn an_export_applied_twice_rebuilds_the_source_s_state_once() {
    let lab = tempfile::tempdir().expect("tempdir");
    let source = lab.path().join("source");
    let target = lab.path().join("target");
    demo(&source);
    demo(&target);
    let d = s(&source);
    let t = s(&target);

    // The crisis' work: deposits (one cancelled), a bank change approved, a run validated.
    let kept = register(&d, "Mme Dupont");
    let cancelled = register(&d, "M. Martin");
    relais_ok(&[
        "deposit", "cancel", &cancelled, "--reason", "doublon", "--data", &d, "--user", "courrier",
    ]);
    let new_iban = "FR7630006000011234567890189";
    let payee = {
        let mut store = SqliteStore::open(&source.join("relais.db")).expect("open");
        let payee: String = store
            .raw_connection()
            .query_row(
                "SELECT payee_id FROM rights r JOIN payees p ON p.id = r.payee_id
                 WHERE p.kind = 'etablissement' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("an establishment");
        let id = store
            .request_bank_change(
                "accueil",
                &NewBankChange {
                    payee_id: payee.clone(),
                    dossier: None,
                    iban: Iban::parse(new_iban).expect("iban"),
                    bic: Bic::parse("AGRIFRPP").expect("bic"),
                    holder: "EHPAD".into(),
                    proof: "RIB original présenté".into(),
                },
            )
            .expect("request");
        relais_ok(&[
            "bank",
            "approve",
            &id.to_string(),
            "--user",
            "ordonnateur",
            "--data",
            &d,
        ]);
        payee
    };
    let run = common::validated_run(&d, "aides", "2026-12");

    // Only an admin exports.
    let out = lab.path().join("export");
    let o = s(&out);
    let refused = relais_fails(&[
        "journal", "export", "--out", &o, "--data", &d, "--user", "courrier",
    ]);
    assert!(refused.contains("admin"), "{refused}");
    assert!(!out.exists());
    let said = relais_ok(&[
        "journal", "export", "--out", &o, "--data", &d, "--user", "admin",
    ]);
    assert!(said.contains("dernier import"), "{said}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&out), 0o700);
        for line in std::fs::read_to_string(out.join("SHA256SUMS"))
            .expect("sums")
            .lines()
        {
            let name = line.split_once("  ").expect("sum line").1;
            assert_eq!(mode(&out.join(name)), 0o600, "{name}");
        }
        assert_eq!(mode(&out.join("SHA256SUMS")), 0o600);
    }
    sha256sum_check(&out);
    // The head signed after the export's own entry, and the checkpoints copied in: the
    // source's journal checks against them.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).expect("sums");
    assert!(sums.contains("  checkpoints/"), "{sums}");
    let checkpoints = s(&out.join("checkpoints"));
    let verified = relais_ok(&[
        "journal",
        "verify",
        "--data",
        &d,
        "--checkpoints",
        &checkpoints,
    ]);
    assert!(verified.contains("intact"), "{verified}");
    // An existing, non-empty folder is refused.
    let again = relais_fails(&[
        "journal", "export", "--out", &o, "--data", &d, "--user", "admin",
    ]);
    assert!(again.contains("n'est pas vide"), "{again}");

    // The events file: a header, then one line per event with its id, entity and states.
    let text = std::fs::read_to_string(out.join("evenements.jsonl")).expect("events");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let header = &lines[0];
    assert_eq!(header["schema"], "relais.journal-export/1");
    let siret = header["authority"]["siret"]
        .as_str()
        .expect("siret")
        .to_owned();
    assert_eq!(header["count"].as_u64(), Some(lines.len() as u64 - 1));
    let validation = lines
        .iter()
        .find(|l| l["kind"] == "run_validate")
        .expect("the validation");
    assert_eq!(validation["entity"]["type"], "paiement");
    assert_eq!(
        validation["id"],
        format!("{siret}-{}", validation["seq"].as_u64().expect("seq"))
    );
    let approval = lines
        .iter()
        .find(|l| l["kind"] == "bank_change_approve")
        .expect("the approval");
    assert_eq!(approval["after"]["iban"], new_iban);

    // The CSVs: a French spreadsheet's.
    let deposits = std::fs::read_to_string(out.join("depots.csv")).expect("csv");
    assert!(
        deposits.starts_with("\u{feff}N° journal;Date;"),
        "{deposits}"
    );
    assert!(
        deposits.contains(&kept) && deposits.contains("annulation"),
        "{deposits}"
    );
    // Invoice steps in words, never their JSON.
    let invoices = std::fs::read_to_string(out.join("factures.csv")).expect("csv");
    assert!(
        invoices.contains("service fait certifié pour "),
        "{invoices}"
    );
    assert!(!invoices.contains("kind"), "{invoices}");
    let payments = std::fs::read_to_string(out.join("paiements.csv")).expect("csv");
    let first = payments.lines().nth(1).expect("a line paid");
    assert!(
        first.contains(";12/2026;") && first.contains("/12/2026"),
        "{first}"
    );
    assert!(
        first.split(';').nth(7).expect("amount").contains(','),
        "{first}"
    );

    // Applied to the second folder, then again: nothing changes the second time.
    let refused = relais_fails(&["journal", "apply", &o, "--data", &t, "--user", "courrier"]);
    assert!(refused.contains("admin"), "{refused}");
    let said = relais_ok(&["journal", "apply", &o, "--data", &t, "--user", "admin"]);
    assert!(said.contains("appliqué"), "{said}");
    let dump = replica_dump(&target);
    let said = relais_ok(&["journal", "apply", &o, "--data", &t, "--user", "admin"]);
    assert!(said.contains("0 nouvel événement"), "{said}");
    assert_eq!(replica_dump(&target), dump);

    // The replica agrees with the source's own tables.
    let p = projection(&target);
    let src = SqliteStore::open(&source.join("relais.db")).expect("open");
    for number in [&kept, &cancelled] {
        let (code, reason): (String, Option<String>) = src
            .raw_connection()
            .query_row(
                "SELECT receipt_code, cancel_reason FROM deposits WHERE number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("deposit");
        let state = &p[&("depot".to_owned(), number.clone())];
        assert_eq!(state["receipt_code"], code.as_str());
        assert_eq!(state["reason"].as_str(), reason.as_deref());
    }
    let iban: String = src
        .raw_connection()
        .query_row("SELECT iban FROM payees WHERE id = ?1", [&payee], |r| {
            r.get(0)
        })
        .expect("payee");
    assert_eq!(p[&("rib".to_owned(), payee.clone())]["iban"], iban.as_str());
    let mut paid: Vec<(String, String, i64)> = Vec::new();
    let id = run.parse().expect("run id");
    src.each_run_line(id, &mut |l, _| {
        paid.push((
            l.right_id.clone(),
            l.first_day.strftime("%Y-%m").to_string(),
            l.amount.0,
        ));
        Ok(())
    })
    .expect("lines");
    src.each_caf_line(id, &mut |l| {
        paid.push((
            l.right_id.clone(),
            l.first_day.strftime("%Y-%m").to_string(),
            l.amount.0,
        ));
        Ok(())
    })
    .expect("caf lines");
    let mut replayed: Vec<(String, String, i64)> =
        p[&("paiement".to_owned(), run.clone())]["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| {
                (
                    l["right"].as_str().expect("right").to_owned(),
                    l["month"].as_str().expect("month").to_owned(),
                    l["amount_cents"].as_i64().expect("amount"),
                )
            })
            .collect();
    paid.sort();
    replayed.sort();
    assert!(!paid.is_empty());
    assert_eq!(replayed, paid);

    // A gap: the next export skips an event the replica never saw.
    let fork = lab.path().join("fork");
    copy_dir(&source, &fork);
    register(&d, "Mme Durand");
    let last = lines.last().expect("last")["seq"].as_u64().expect("seq");
    let gap = lab.path().join("gap");
    relais_ok(&[
        "journal",
        "export",
        "--since",
        &(last + 1).to_string(),
        "--out",
        &s(&gap),
        "--data",
        &d,
        "--user",
        "admin",
    ]);
    let refused = relais_fails(&[
        "journal",
        "apply",
        &s(&gap),
        "--data",
        &t,
        "--user",
        "admin",
    ]);
    assert!(
        refused.contains("trou") && refused.contains(&format!("{siret}-")),
        "{refused}"
    );
    assert_eq!(replica_dump(&target), dump);

    // The events that follow on are applied; then a fork: the copy went on differently from
    // the same point.
    let next = lab.path().join("next");
    relais_ok(&[
        "journal",
        "export",
        "--since",
        &last.to_string(),
        "--out",
        &s(&next),
        "--data",
        &d,
        "--user",
        "admin",
    ]);
    let said = relais_ok(&[
        "journal",
        "apply",
        &s(&next),
        "--data",
        &t,
        "--user",
        "admin",
    ]);
    assert!(said.contains("3 nouveaux événements"), "{said}");
    let dump = replica_dump(&target);
    register(&s(&fork), "M. Autre");
    let forked = lab.path().join("forked");
    relais_ok(&[
        "journal",
        "export",
        "--since",
        &last.to_string(),
        "--out",
        &s(&forked),
        "--data",
        &s(&fork),
        "--user",
        "admin",
    ]);
    let refused = relais_fails(&[
        "journal",
        "apply",
        &s(&forked),
        "--data",
        &t,
        "--user",
        "admin",
    ]);
    assert!(refused.contains("fourche"), "{refused}");
    assert_eq!(replica_dump(&target), dump);

    // A tampered event: caught by SHA256SUMS, and, the sums rewritten, by its hash.
    let tampered = lab.path().join("tampered");
    copy_dir(&out, &tampered);
    let events = tampered.join("evenements.jsonl");
    let changed = text.replacen("Mme Dupont", "Mme Dupond", 1);
    assert_ne!(changed, text);
    std::fs::write(&events, &changed).expect("write");
    let refused = relais_fails(&[
        "journal",
        "apply",
        &s(&tampered),
        "--data",
        &t,
        "--user",
        "admin",
    ]);
    assert!(
        refused.contains("evenements.jsonl") && refused.contains("modifié"),
        "{refused}"
    );
    let sums = Command::new("sh")
        .arg("-c")
        .arg("sha256sum evenements.jsonl *.csv > SHA256SUMS")
        .current_dir(&tampered)
        .status()
        .expect("sha256sum");
    assert!(sums.success());
    let refused = relais_fails(&[
        "journal",
        "apply",
        &s(&tampered),
        "--data",
        &t,
        "--user",
        "admin",
    ]);
    let line = text
        .lines()
        .position(|l| l.contains("Mme Dupont"))
        .expect("line")
        + 1;
    assert!(
        refused.contains(&format!(
            "evenements.jsonl, ligne {line}, événement {siret}-"
        )) && refused.contains("empreinte recalculée"),
        "{refused}"
    );
    assert_eq!(replica_dump(&target), dump);
}

#[test]
fn an_export_encrypted_to_age_recipients_opens_with_the_age_tool_and_applies() {
    let lab = tempfile::tempdir().expect("tempdir");
    let source = lab.path().join("source");
    let target = lab.path().join("target");
    demo(&source);
    demo(&target);
    let d = s(&source);
    register(&d, "Mme Dupont");
    let key = lab.path().join("cle.txt");
    let made = Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen");
    assert!(made.status.success());
    let recipient = Command::new("age-keygen")
        .arg("-y")
        .arg(&key)
        .output()
        .expect("age-keygen -y");
    let recipients = lab.path().join("destinataires.txt");
    std::fs::write(&recipients, &recipient.stdout).expect("recipients");

    let out = lab.path().join("chiffre");
    relais_ok(&[
        "journal",
        "export",
        "--out",
        &s(&out),
        "--recipients",
        &s(&recipients),
        "--data",
        &d,
        "--user",
        "admin",
    ]);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["LISEZMOI.txt", "export.tar.age"]);
    // Nothing in clear beside it, nor left behind in the parent folder.
    assert_eq!(std::fs::read_dir(lab.path()).expect("lab").count(), 5);

    let opened = lab.path().join("ouvert");
    std::fs::create_dir(&opened).expect("mkdir");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "age -d -i '{}' '{}' | tar x -C '{}'",
            key.display(),
            out.join("export.tar.age").display(),
            opened.display()
        ))
        .status()
        .expect("age");
    assert!(status.success());
    sha256sum_check(&opened);
    assert!(opened.join("evenements.jsonl").is_file());

    let refused = relais_fails(&[
        "journal",
        "apply",
        &s(&out),
        "--data",
        &s(&target),
        "--user",
        "admin",
    ]);
    assert!(refused.contains("--identity"), "{refused}");
    let said = relais_ok(&[
        "journal",
        "apply",
        &s(&out),
        "--identity",
        &s(&key),
        "--data",
        &s(&target),
        "--user",
        "admin",
    ]);
    assert!(said.contains("nouveaux événements appliqués"), "{said}");
    // The decrypted copy is gone from the target's data folder.
    assert!(std::fs::read_dir(&target).expect("target").all(|e| {
        !e.expect("e")
            .file_name()
            .to_string_lossy()
            .starts_with(".journal-apply")
    }));
}
