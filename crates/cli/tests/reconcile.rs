//! `relais reconcile` with the real binary (issue #24): a demo paid in December by Relais (social
//! aid, payroll, suppliers), then the restored system's extracts with one right raised, one
//! ended and one mandated invoice missing; the report names each, and what Relais paid adds up
//! to the run's total.

mod common;

use common::copy_dir;
use std::collections::BTreeMap;
use std::path::Path;

const TODAY: &str = "2026-12-07";

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn ok(args: &[&str]) -> String {
    common::relais_ok_on(TODAY, args)
}

/// A spreadsheet CSV (BOM, `;`) as rows of (header → value).
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// `1 234,56 €` or `1234,56` as cents.
fn cents(text: &str) -> i64 {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().expect("amount")
}

fn reconcile(d: &str, extracts: &Path, out: &Path) -> String {
    ok(&[
        "reconcile",
        "--data",
        d,
        "--extracts",
        &s(extracts),
        "--out",
        &s(out),
    ])
}

/// Rewrites the row of `droits.csv` whose id is `right` with `change`.
fn change_right(file: &Path, right: &str, change: impl Fn(&mut Vec<String>)) {
    let text = std::fs::read_to_string(file).expect("droits");
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            let mut f: Vec<String> = l.split(';').map(str::to_owned).collect();
            if f[0] == right {
                change(&mut f);
            }
            f.join(";")
        })
        .collect();
    std::fs::write(file, out.join("\n") + "\n").expect("write");
}

#[test]
fn a_raised_right_an_ended_one_and_a_missing_invoice_are_reconciled_and_figures_add_up() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    ok(&[
        "demo",
        "--data",
        &d,
        "--size",
        "1500",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    // Social aid for December, validated and exported.
    let prepared = ok(&[
        "run",
        "prepare",
        "--data",
        &d,
        "--month",
        "2026-12",
        "--benefits",
        "APA_DOM,APA_ETAB,PCH,ASH,RSA",
        "--user",
        "liquidation",
    ]);
    let run = prepared.lines().next().expect("run id").to_owned();
    let validated = ok(&[
        "run",
        "validate",
        &run,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    // « … validé par ordonnateur le … : N mandats, 1 234,56 € ; bordereau… »
    let run_total = cents(
        validated
            .split(" mandats, ")
            .nth(1)
            .and_then(|t| t.split(" ;").next())
            .expect("the run's total"),
    );
    ok(&[
        "run",
        "export",
        &run,
        "--data",
        &d,
        "--user",
        "liquidation",
        "--out",
        &s(&lab.path().join("remise")),
    ]);
    // The payroll of December, and the suppliers' invoices liquidated: mandated.
    for kind in ["paie", "fournisseurs"] {
        let p = ok(&[
            "run",
            "prepare",
            "--kind",
            kind,
            "--month",
            "2026-12",
            "--data",
            &d,
            "--user",
            "liquidation",
        ]);
        let id = p.lines().next().expect("id").to_owned();
        ok(&[
            "run",
            "validate",
            &id,
            "--data",
            &d,
            "--user",
            "ordonnateur",
        ]);
    }
    let listed = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    let mandated: Vec<String> = listed
        .lines()
        .filter(|l| l.contains("mandatée"))
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect();
    assert!(mandated.len() >= 2, "{listed}");

    // The restored system as the snapshot was: only what Relais could not pay differs.
    let same = lab.path().join("same");
    let before = reconcile(&d, &data.join("extracts"), &same);
    assert!(before.starts_with("Rapprochement écrit dans "), "{before}");
    let baseline = rows(&same.join("rapprochement_personnes.csv"));
    assert!(
        baseline.iter().all(|r| cents(&r["paye_par_relais"]) == 0),
        "Relais paid exactly what the same extracts say: {baseline:?}"
    );
    let differing: Vec<&str> = baseline.iter().map(|r| r["droit"].as_str()).collect();

    // Two APA rights paid in full in December, with no difference.
    let restored = lab.path().join("restored");
    copy_dir(&data.join("extracts"), &restored);
    let droits = std::fs::read_to_string(restored.join("droits.csv")).expect("droits");
    let candidates: Vec<Vec<String>> = droits
        .lines()
        .skip(1)
        .map(|l| l.split(';').map(str::to_owned).collect::<Vec<_>>())
        .filter(|f| {
            f.len() >= 7
                && f[2] == "APA_DOM"
                && f[6] == "en_paiement"
                && f[4].ends_with("/2025")
                && f[5].ends_with("/2028")
                && !differing.contains(&f[0].as_str())
        })
        .collect();
    let (raised, ended) = (&candidates[0], &candidates[1]);
    change_right(&restored.join("droits.csv"), &raised[0], |f| {
        let amount = cents(&f[3]) + 10_000;
        f[3] = format!("{},{:02}", amount / 100, amount % 100);
    });
    change_right(&restored.join("droits.csv"), &ended[0], |f| {
        f[5] = "30/11/2026".into();
    });
    // One mandated invoice the restored system never received.
    let factures = std::fs::read_to_string(restored.join("factures.csv")).expect("factures");
    let kept: Vec<&str> = factures
        .lines()
        .filter(|l| !l.starts_with(&format!("{};", mandated[0])))
        .collect();
    std::fs::write(restored.join("factures.csv"), kept.join("\n") + "\n").expect("write");

    let out = lab.path().join("rapprochement");
    let said = reconcile(&d, &restored, &out);
    let first = said.lines().next().expect("first line");
    assert!(
        first.starts_with(&format!("Rapprochement écrit dans {} : ", s(&out))),
        "{said}"
    );

    let people = rows(&out.join("rapprochement_personnes.csv"));
    let line = |right: &str| {
        people
            .iter()
            .find(|r| r["droit"] == right)
            .unwrap_or_else(|| panic!("{right} in {people:?}"))
    };
    let up = line(&raised[0]);
    assert_eq!(cents(&up["rappel_a_payer"]), 10_000, "{up:?}");
    assert_eq!(cents(&up["indu_a_recuperer"]), 0);
    assert_eq!(up["mois"], "12/2026");
    assert_eq!(
        cents(&up["du_selon_systeme_restaure"]) - cents(&up["paye_par_relais"]),
        10_000
    );
    assert!(!up["nom"].is_empty(), "the person's name: {up:?}");
    let gone = line(&ended[0]);
    assert_eq!(cents(&gone["du_selon_systeme_restaure"]), 0);
    assert_eq!(gone["indu_a_recuperer"], gone["paye_par_relais"]);
    assert!(cents(&gone["paye_par_relais"]) > 0);
    assert_eq!(gone["motif"], "droit terminé avant le mois");
    assert_eq!(people.len(), baseline.len() + 2);

    // What Relais paid adds up to the run's total, month and grand total alike.
    let totals = rows(&out.join("rapprochement_totaux.csv"));
    let month = totals
        .iter()
        .find(|r| r["prestation"] == "TOTAL DU MOIS")
        .expect("month total");
    assert_eq!(cents(&month["paye_par_relais"]), run_total);
    assert_eq!(cents(&month["total_des_paiements_valides"]), run_total);
    let per_benefit: i64 = totals
        .iter()
        .filter(|r| r["mois"] == "12/2026" && r["prestation"] != "TOTAL DU MOIS")
        .map(|r| cents(&r["paye_par_relais"]))
        .sum();
    assert_eq!(per_benefit, run_total);
    assert_eq!(
        cents(&month["indu_a_recuperer"]),
        cents(&gone["indu_a_recuperer"])
    );
    let indu_line: i64 = people.iter().map(|r| cents(&r["indu_a_recuperer"])).sum();
    let rappel_line: i64 = people.iter().map(|r| cents(&r["rappel_a_payer"])).sum();
    assert_eq!(cents(&month["indu_a_recuperer"]), indu_line);
    assert_eq!(cents(&month["rappel_a_payer"]), rappel_line);
    assert_eq!(
        cents(
            first
                .split("indu ")
                .nth(1)
                .and_then(|t| t.split('€').next())
                .expect("indu")
        ),
        indu_line
    );

    // Suppliers: the missing invoice is to be entered; the others Relais mandated are still
    // to pay in the restored system's extract (it does not know they were paid).
    let suppliers = rows(&out.join("rapprochement_fournisseurs.csv"));
    let kind_of = |id: &str| {
        suppliers
            .iter()
            .find(|r| r["facture"] == id)
            .map(|r| r["situation"].clone())
    };
    assert!(
        kind_of(&mandated[0]).is_some_and(|k| k.contains("inconnue du système restauré")),
        "{suppliers:?}"
    );
    assert!(
        kind_of(&mandated[1]).is_some_and(|k| k.contains("encore à payer")),
        "{suppliers:?}"
    );
    // Agents: the payroll's deferred variable elements.
    let agents = rows(&out.join("rapprochement_agents.csv"));
    assert!(
        agents
            .iter()
            .all(|a| cents(&a["elements_variables_a_payer"]) != 0 && a["mois"] == "12/2026"),
        "{agents:?}"
    );

    // The page: French, self-contained, no script; every file in SHA256SUMS.
    let html = std::fs::read_to_string(out.join("rapprochement.html")).expect("html");
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    assert!(html.contains(&raised[0]) && html.contains("décembre 2026"));
    assert!(html.contains("APA à domicile") && !html.contains(">APA_DOM<"));
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).expect("sums");
    for name in [
        "rapprochement.html",
        "rapprochement_personnes.csv",
        "rapprochement_totaux.csv",
        "rapprochement_agents.csv",
        "rapprochement_fournisseurs.csv",
    ] {
        let line = sums
            .lines()
            .find(|l| l.ends_with(&format!("  {name}")))
            .unwrap_or_else(|| panic!("{name} in SHA256SUMS"));
        let bytes = std::fs::read(out.join(name)).expect("file");
        use sha2::Digest;
        assert!(
            line.starts_with(&hex::encode(sha2::Sha256::digest(&bytes))),
            "{name}"
        );
    }
}
