//! Supplier runs with the real binary (issue #23): the liquidated invoices mandated once each,
//! with the délai global de paiement and the supplier's invoice number for the accountant, late
//! interest and the EUR 40 indemnity mandated with the principal; files the official schemas
//! accept, byte-identical when exported again; bank details changed since the snapshot held
//! until an ordonnateur approves them; SIGKILL at any moment, then the same command gives the
//! same result.

mod common;

use common::{copy_dir as copy, files, killed_with, values, xmllint};
use std::time::Duration;

const PES_XSD: &str = "xsd/pes/PES_V2/Rev0/PES_Aller_Depense.xsd";
const PAIN_XSD: &str = "xsd/pain/pain.001.001.09.xsd";
/// The day of mandatement: a week after the demo's day.
const TODAY: &str = "2026-12-07";

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `relais ARGS` on [`TODAY`], as the demo user it names.
fn at(args: &[&str]) -> std::process::Output {
    common::relais_on(TODAY, args)
}

fn text(o: &std::process::Output) -> String {
    common::said(o)
}

fn ok(args: &[&str]) -> String {
    common::relais_ok_on(TODAY, args)
}

fn fails(args: &[&str]) -> String {
    let o = at(args);
    assert!(!o.status.success(), "relais {args:?} should fail");
    text(&o)
}

fn demo(data: &std::path::Path) {
    ok(&[
        "demo",
        "--data",
        &s(data),
        "--size",
        "1500",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
}

fn prepare(d: &str) -> String {
    ok(&[
        "run",
        "prepare",
        "--kind",
        "fournisseurs",
        "--data",
        d,
        "--user",
        "liquidation",
    ])
}

fn export(d: &str, run: &str, out: &std::path::Path) -> String {
    ok(&[
        "run",
        "export",
        run,
        "--data",
        d,
        "--user",
        "liquidation",
        "--out",
        &s(out),
    ])
}

#[test]
fn each_liquidated_invoice_is_mandated_once_with_its_deadline_and_late_interest() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    demo(&data);
    let d = s(&data);
    let prepared = prepare(&d);
    let id = prepared.lines().next().expect("id").to_owned();
    assert!(id.starts_with("P2026-12-"), "{prepared}");
    assert!(prepared.contains("Factures mandatées"), "{prepared}");
    // The demo's invoices received before 7 November are late on 7 December.
    assert!(prepared.contains("intérêts moratoires"), "{prepared}");

    // Preparing again while it waits gives it back; only another ordonnateur validates.
    let again = prepare(&d);
    assert!(again.starts_with(&format!("{id}\nDéjà préparé")), "{again}");
    let refused = fails(&[
        "run",
        "validate",
        &id,
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(!refused.is_empty());
    // An invoice in the prepared run is not suspended behind its back.
    let listed = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    let liquidated = listed
        .lines()
        .find(|l| l.contains("liquidée : à mandater"))
        .and_then(|l| l.split('\t').next())
        .expect("a liquidated invoice")
        .to_owned();
    let blocked = fails(&[
        "factures",
        "suspendre",
        &liquidated,
        "--reason",
        "RIB illisible",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(blocked.contains("en préparation"), "{blocked}");
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
    export(&d, &id, &out);
    let written = files(&out);
    let pes_name = format!("PES_{id}.xml");
    let pes_path = out.join(&pes_name);
    xmllint(PES_XSD, &pes_path);
    let pain = written
        .keys()
        .find(|n| n.starts_with("pain001_"))
        .expect("pain.001")
        .clone();
    xmllint(PAIN_XSD, &out.join(&pain));
    let pes = String::from_utf8_lossy(&written[&pes_name]).into_owned();
    let pieces = values(&pes, "IdPce").len();
    assert!(pieces > 0);
    // Each mandat names its supplier by SIRET, carries the supplier's invoice number, and an
    // invoice's its délai global de paiement with the ECB rate code.
    assert_eq!(values(&pes, "IdTiers").len(), pieces);
    assert!(values(&pes, "NatIdTiers").iter().all(|v| *v == "01"));
    assert_eq!(values(&pes, "Facture").len(), pieces);
    let invoices = values(&pes, "DteDebDgp").len();
    assert!(
        invoices > 0 && invoices < pieces,
        "interest mandats have no DGP"
    );
    assert!(values(&pes, "CodIntMor").iter().all(|v| *v == "02"));
    assert!(
        values(&pes, "TypPce")
            .iter()
            .all(|v| ["01", "09"].contains(v))
    );
    assert!(
        values(&pes, "NatPce")
            .iter()
            .all(|v| ["01", "02"].contains(v))
    );
    assert!(values(&pes, "Nature").contains(&"6711"), "interest on 6711");
    // The demo pays under a marché (TypPce 09), on an investment account (NatPce 02), an
    // association (NatJur 06) among companies (03).
    assert!(
        values(&pes, "TypPce").contains(&"09"),
        "a mandat sur marché"
    );
    assert!(values(&pes, "NatPce").contains(&"02"), "an investment");
    assert!(values(&pes, "NatJur").contains(&"03"));
    // Numbering continues the exercice's (the demo's paierie confirmed its last numbers).
    let first: u64 = values(&pes, "IdPce")[0].parse().expect("number");
    assert!(first > 1, "{first}");
    let interest: Vec<_> = written
        .keys()
        .filter(|n| n.starts_with("interets/"))
        .collect();
    assert_eq!(interest.len(), pieces - invoices, "{interest:?}");
    assert!(written[interest[0].as_str()].starts_with(b"%PDF"));
    assert!(written[&format!("bordereau_{id}.pdf")].starts_with(b"%PDF"));
    let csv = String::from_utf8_lossy(&written[&format!("mandats_{id}.csv")]).into_owned();
    assert_eq!(csv.lines().count(), pieces + 1, "{csv}");

    // Exported again: the same bytes.
    let second = lab.path().join("second");
    export(&d, &id, &second);
    assert_eq!(files(&second), written);

    // Mandated: the list says so, and nothing is left to mandate.
    let listed = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    let mandated = listed
        .lines()
        .find(|l| l.contains("mandatée"))
        .and_then(|l| l.split('\t').next())
        .expect("a mandated invoice")
        .to_owned();
    let nothing = fails(&[
        "run",
        "prepare",
        "--kind",
        "fournisseurs",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(nothing.contains("rien à mandater"), "{nothing}");
    let early = fails(&[
        "factures",
        "payee",
        &mandated,
        "--date",
        "2026-12-01",
        "--source",
        "relevé",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(early.contains("antérieure au mandatement"), "{early}");
    let paid = ok(&[
        "factures",
        "payee",
        &mandated,
        "--date",
        "2026-12-09",
        "--source",
        "retour PES du comptable",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(paid.contains("payée"), "{paid}");
    let listed = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    assert!(
        !listed
            .lines()
            .any(|l| l.starts_with(&format!("{mandated}\t"))),
        "a paid invoice is no longer due"
    );
}

#[test]
fn new_bank_details_of_a_supplier_wait_for_an_ordonnateur() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    demo(&data);
    let d = s(&data);
    // The restored system's extract gives a liquidated invoice's supplier another account.
    let extracts = data.join("extracts");
    let invoices = std::fs::read_to_string(extracts.join("factures.csv")).expect("factures");
    let listed = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    let liquidated = listed
        .lines()
        .find(|l| l.contains("liquidée : à mandater"))
        .and_then(|l| l.split('\t').next())
        .expect("a liquidated invoice")
        .to_owned();
    let siret = invoices
        .lines()
        .find(|l| l.starts_with(&format!("{liquidated};")))
        .and_then(|l| l.split(';').nth(1))
        .expect("its supplier")
        .to_owned();
    let suppliers_csv = extracts.join("fournisseurs.csv");
    let suppliers = std::fs::read_to_string(&suppliers_csv).expect("fournisseurs");
    let changed: String = suppliers
        .lines()
        .map(|l| {
            if l.starts_with(&format!("\"{siret}\"")) {
                let mut cells: Vec<String> = l.split("\",\"").map(str::to_owned).collect();
                cells[2] = "FR76 3000 4000 0312 3456 7890 143".into();
                cells.join("\",\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&suppliers_csv, changed + "\n").expect("write");
    ok(&["import", &s(&extracts), "--data", &d, "--user", "admin"]);
    let waiting = ok(&["factures", "rib-en-attente", "--data", &d]);
    assert!(waiting.contains(&siret), "{waiting}");
    let prepared = prepare(&d);
    assert!(
        prepared.contains(&liquidated) && prepared.contains("relais factures approuver-rib"),
        "{prepared}"
    );
    let id = prepared.lines().next().expect("id").to_owned();
    ok(&[
        "run",
        "cancel",
        &id,
        "--reason",
        "RIB à approuver",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    let refused = fails(&[
        "factures",
        "approuver-rib",
        &siret,
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(!refused.is_empty());
    ok(&[
        "factures",
        "approuver-rib",
        &siret,
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    let prepared = prepare(&d);
    assert!(!prepared.contains("approuver-rib"), "{prepared}");
    let journal = ok(&["journal", "list", "--data", &d]);
    assert!(journal.contains("supplier_bank_approve"), "{journal}");
}

#[test]
fn sigkill_at_any_moment_of_a_supplier_run_then_the_same_command_gives_the_same_result() {
    let lab = tempfile::tempdir().expect("tempdir");
    let base = lab.path().join("base");
    demo(&base);
    let reference = lab.path().join("reference");
    copy(&base, &reference);
    let expected = prepare(&s(&reference));
    let id = expected.lines().next().expect("id").to_owned();
    let figures = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with("Préparé") && !l.starts_with("Déjà"))
            .map(str::to_owned)
            .collect()
    };
    for ms in [0u64, 40, 150] {
        let case = lab.path().join(format!("case{ms}"));
        copy(&base, &case);
        let d = s(&case);
        killed_at(
            &[
                "run",
                "prepare",
                "--kind",
                "fournisseurs",
                "--data",
                &d,
                "--user",
                "liquidation",
            ],
            ms,
        );
        let again = prepare(&d);
        assert_eq!(again.lines().next(), Some(id.as_str()), "{again}");
        assert_eq!(
            figures(&again),
            figures(&expected),
            "prepare killed at {ms} ms"
        );
        killed_at(
            &[
                "run",
                "validate",
                &id,
                "--data",
                &d,
                "--user",
                "ordonnateur",
            ],
            ms,
        );
        let _ = at(&[
            "run",
            "validate",
            &id,
            "--data",
            &d,
            "--user",
            "ordonnateur",
        ]);
        let shown = ok(&["run", "show", &id, "--data", &d]);
        assert!(shown.contains("validé"), "{shown}");
        let out = case.join("out");
        killed_at(
            &[
                "run",
                "export",
                &id,
                "--data",
                &d,
                "--user",
                "liquidation",
                "--out",
                &s(&out),
            ],
            ms,
        );
        let partial = files(&out);
        let complete_dir = case.join("complete");
        export(&d, &id, &complete_dir);
        let complete = files(&complete_dir);
        for (name, bytes) in &partial {
            assert!(
                complete.get(name) == Some(bytes),
                "{name} half-written after SIGKILL at {ms} ms"
            );
        }
        export(&d, &id, &out);
        assert_eq!(
            files(&out),
            complete,
            "export again after SIGKILL at {ms} ms"
        );
    }
}

/// `relais ARGS` on [`TODAY`], killed with SIGKILL after `ms` milliseconds.
fn killed_at(args: &[&str], ms: u64) {
    killed_with(
        args,
        &[("RELAIS_TEST_TODAY", TODAY)],
        Duration::from_millis(ms),
    );
}

#[test]
fn a_batch_of_steps_lands_whole_or_not_at_all() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    demo(&data);
    let d = s(&data);
    let listed = ok(&["factures", "list", "--data", &d, "--today", TODAY]);
    let received: Vec<String> = listed
        .lines()
        .filter(|l| l.contains("reçue : service fait à certifier"))
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .take(3)
        .collect();
    assert_eq!(received.len(), 3);
    let steps_before = ok(&["journal", "list", "--data", &d])
        .matches("invoice_step")
        .count();
    // One unknown invoice among them: the file is refused whole, with the line named.
    let bad = lab.path().join("sf.csv");
    std::fs::write(
        &bad,
        format!(
            "facture;verifie\n{};livraison\nFAC-INCONNUE;livraison\n{};livraison\n",
            received[0], received[1]
        ),
    )
    .expect("write");
    let refused = fails(&[
        "factures",
        "lot",
        &s(&bad),
        "--etape",
        "service-fait",
        "--data",
        &d,
        "--user",
        "instruction",
    ]);
    assert!(
        refused.contains("sf.csv:3:1") && refused.contains("FAC-INCONNUE"),
        "{refused}"
    );
    let good = lab.path().join("sf2.csv");
    std::fs::write(
        &good,
        format!(
            "facture,verifie,montant\n{},bon de livraison,\n{},travaux constatés,\n{},bon,\n",
            received[0], received[1], received[2]
        ),
    )
    .expect("write");
    // The liquidation agent may not certify, even by the batch.
    fails(&[
        "factures",
        "lot",
        &s(&good),
        "--etape",
        "service-fait",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    let done = ok(&[
        "factures",
        "lot",
        &s(&good),
        "--etape",
        "service-fait",
        "--data",
        &d,
        "--user",
        "instruction",
    ]);
    assert!(done.starts_with("3 facture(s)"), "{done}");
    let liq = lab.path().join("liq.csv");
    std::fs::write(
        &liq,
        format!(
            "facture;nature;fonction\n{};6068;0202\n{};2184;221\n{};6156;843\n",
            received[0], received[1], received[2]
        ),
    )
    .expect("write");
    let liquidated = ok(&[
        "factures",
        "lot",
        &s(&liq),
        "--etape",
        "liquider",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(liquidated.starts_with("3 facture(s)"), "{liquidated}");
    let journal = ok(&["journal", "list", "--data", &d]);
    assert_eq!(journal.matches("invoice_step").count(), steps_before + 6);
}

#[test]
fn a_courrier_invoice_is_paid_like_an_extract_s_and_an_unknown_supplier_is_refused() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    demo(&data);
    let d = s(&data);
    let register = |siret: &str, number: &str| -> String {
        ok(&[
            "deposit",
            "register",
            "--data",
            &d,
            "--kind",
            "facture",
            "--from",
            "Un fournisseur",
            "--siret",
            siret,
            "--invoice-number",
            number,
            "--amount",
            "980,00",
            "--user",
            "courrier",
        ])
        .lines()
        .next()
        .expect("chrono")
        .to_owned()
    };
    // The demo's first purchase order, whose supplier this courrier invoice names.
    let orders = ok(&["commandes", "list", "--data", &d, "--format", "csv"]);
    let (order, known) = orders
        .lines()
        .find(|l| l.starts_with("commande,"))
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[1].to_owned(), cells[4].to_owned())
        })
        .expect("a demo order");
    let paid = ok(&[
        "deposit",
        "register",
        "--data",
        &d,
        "--kind",
        "facture",
        "--from",
        "Un fournisseur",
        "--siret",
        &known,
        "--invoice-number",
        "PAPIER-1",
        "--amount",
        "980,00",
        "--engagement",
        &order,
        "--user",
        "courrier",
    ])
    .lines()
    .next()
    .expect("chrono")
    .to_owned();
    // Matched to its order at once.
    let orders = ok(&["commandes", "list", "--data", &d, "--format", "csv"]);
    assert!(
        orders
            .lines()
            .any(|l| l.starts_with(&format!("commande,{order},")) && l.contains(&paid)),
        "{orders}"
    );
    // A valid SIRET that no supplier of fournisseurs.csv has.
    let stranger = register("73282932000074", "PAPIER-2");
    for chrono in [&paid, &stranger] {
        ok(&[
            "factures",
            "service-fait",
            chrono,
            "--verifie",
            "bon de livraison",
            "--data",
            &d,
            "--user",
            "instruction",
        ]);
    }
    let refused = fails(&[
        "factures",
        "liquider",
        &stranger,
        "--nature",
        "6068",
        "--fonction",
        "0202",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(refused.contains("fournisseur inconnu"), "{refused}");
    ok(&[
        "factures",
        "liquider",
        &paid,
        "--nature",
        "6068",
        "--fonction",
        "0202",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    let id = prepare(&d).lines().next().expect("id").to_owned();
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
    export(&d, &id, &out);
    let csv = std::fs::read_to_string(out.join(format!("mandats_{id}.csv"))).expect("csv");
    assert!(
        csv.lines()
            .any(|l| l.contains(&paid) && l.contains("PAPIER-1") && l.contains(&known)),
        "{csv}"
    );
}
