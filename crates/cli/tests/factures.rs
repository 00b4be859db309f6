//! A supplier's invoice from receipt to liquidation, with the real binary (issue #23): the
//! service fait certified by an instruction agent, liquidated by another (a liquidation
//! agent), a suspension that stops the legal clock and moves the deadline, a rejection with
//! its reason, each step journaled; the list by deadline says where each invoice stands.

mod common;

use common::{relais_fails, relais_ok};

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn an_invoice_is_certified_liquidated_and_suspended_by_the_right_people() {
    let lab = tempfile::tempdir().expect("tempdir");
    let data = lab.path().join("data");
    let d = s(&data);
    relais_ok(&[
        "demo",
        "--data",
        &d,
        "--size",
        "1500",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    let list = relais_ok(&["factures", "list", "--data", &d, "--today", "2026-12-05"]);
    // The demo gives invoices in every state: certified, liquidated, suspended, rejected.
    for state in [
        "service fait : à liquider",
        "liquidée : à mandater",
        "suspendue",
        "rejetée",
    ] {
        assert!(list.contains(state), "{state}: {list}");
    }
    let received: Vec<String> = list
        .lines()
        .filter(|l| l.contains("reçue : service fait à certifier"))
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect();
    let (id, other) = (received[0].clone(), received[1].clone());
    let steps_before = relais_ok(&["journal", "list", "--data", &d])
        .matches("invoice_step")
        .count();

    // Liquidating before the service fait, or certifying without the role, is refused.
    let early = relais_fails(&[
        "factures",
        "liquider",
        &id,
        "--nature",
        "6068",
        "--fonction",
        "020",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(early.contains("liquider impossible"), "{early}");
    let role = relais_fails(&[
        "factures",
        "service-fait",
        &id,
        "--verifie",
        "bon de livraison",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(!role.is_empty());
    let done = relais_ok(&[
        "factures",
        "service-fait",
        &id,
        "--verifie",
        "bon de livraison signé",
        "--data",
        &d,
        "--user",
        "instruction",
    ]);
    assert!(done.contains("service fait : à liquider"), "{done}");
    // A revenue account is not a supplier's charge.
    let account = relais_fails(&[
        "factures",
        "liquider",
        &id,
        "--nature",
        "7061",
        "--fonction",
        "020",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(account.contains("compte de charge"), "{account}");
    let liquidated = relais_ok(&[
        "factures",
        "liquider",
        &id,
        "--nature",
        "6068",
        "--fonction",
        "020",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(liquidated.contains("liquidée : à mandater"), "{liquidated}");

    // A suspension moves the other invoice's deadline by the days its clock stood still.
    let before = relais_ok(&["factures", "list", "--data", &d, "--today", "2026-12-05"]);
    let deadline = |text: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{other}\t")))
            .and_then(|l| l.split('\t').nth(1))
            .expect("listed")
            .to_owned()
    };
    let was = deadline(&before);
    relais_ok(&[
        "factures",
        "suspendre",
        &other,
        "--reason",
        "bon de commande manquant",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    let letter = relais_ok(&["factures", "list", "--data", &d, "--today", "2026-12-15"]);
    let during = letter;
    let letters: Vec<_> = std::fs::read_dir(data.join("courriers"))
        .expect("the letters' folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(letters.len(), 1, "{letters:?}");
    let pdf = std::fs::read(&letters[0]).expect("letter");
    assert!(pdf.starts_with(b"%PDF"));
    assert!(
        during.contains("suspendue : délai arrêté (bon de commande manquant)"),
        "{during}"
    );
    assert_ne!(deadline(&during), was, "the clock stood still");
    let reject = relais_ok(&[
        "factures",
        "rejeter",
        &other,
        "--reason",
        "facture en double",
        "--data",
        &d,
        "--user",
        "ordonnateur",
    ]);
    assert!(reject.contains("rejetée"), "{reject}");
    let unknown = relais_fails(&[
        "factures",
        "reprendre",
        "F-INCONNUE",
        "--data",
        &d,
        "--user",
        "liquidation",
    ]);
    assert!(unknown.contains("aucune facture"), "{unknown}");
    let journal = relais_ok(&["journal", "list", "--data", &d]);
    assert_eq!(
        journal.matches("invoice_step").count(),
        steps_before + 4,
        "{journal}"
    );
}
