//! `relais bank` on a demo: a request for an establishment's account, shown in full and
//! decided by the rule the web applies — an instruction agent, and the agent who asked, are
//! refused; an ordonnateur decides once.

mod common;

use common::{relais_fails, relais_ok};
use relais_core::ids::{Bic, Iban};
use relais_store::SqliteStore;
use relais_store::bank::{BankChangeStore, NewBankChange};

#[test]
fn only_an_ordonnateur_who_did_not_ask_decides_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 60);
    let d = data.to_str().expect("utf-8");
    let fraud = Iban::parse("DE89370400440532013000").expect("iban");
    let (id, payee) = {
        let mut store = SqliteStore::open(&data.join("relais.db")).expect("open");
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
                    iban: fraud.clone(),
                    bic: Bic::parse("COBADEFF").expect("bic"),
                    holder: "EHPAD".into(),
                    proof: "RIB original présenté".into(),
                },
            )
            .expect("request");
        (id.to_string(), payee)
    };
    assert!(relais_ok(&["bank", "list", "--data", d]).contains(&payee));
    let shown = relais_ok(&["bank", "show", &id, "--data", d]);
    for s in [
        fraud.as_str(),
        "Allemagne",
        "ATTENTION",
        "accueil",
        "personne(s)",
    ] {
        assert!(shown.contains(s), "{s}: {shown}");
    }
    for who in ["instruction", "accueil"] {
        let said = relais_fails(&["bank", "approve", &id, "--user", who, "--data", d]);
        assert!(said.contains("ordonnateur"), "{who}: {said}");
    }
    relais_ok(&["bank", "approve", &id, "--user", "ordonnateur", "--data", d]);
    let said = relais_fails(&["bank", "refuse", &id, "--user", "ordonnateur", "--data", d]);
    assert!(said.contains("déjà traitée"), "{said}");
    // A change made by the extracts: an ordonnateur's too.
    let said = relais_fails(&[
        "bank",
        "approve",
        "--payee",
        &payee,
        "--user",
        "instruction",
        "--data",
        d,
    ]);
    assert!(said.contains("ordonnateur"), "{said}");
}

/// `relais bank list`: what the extracts changed and nobody approved, read without a password,
/// in text and CSV; approved, a payee leaves the list and the CLI says which run pays it.
#[test]
fn held_details_are_listed_and_leave_the_list_once_approved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 400);
    let d = data.to_str().expect("utf-8");
    let text = relais_ok(&["bank", "list", "--data", d]);
    assert!(text.contains("en attente de décision"), "{text}");
    assert!(text.contains("changées par les extractions"), "{text}");
    assert!(text.contains("prochain paiement préparé"), "{text}");
    let csv = relais_ok(&["bank", "list", "--format", "csv", "--data", d]);
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("tiers,nom,nature,demande"), "{header}");
    let first = lines.next().expect("a held payee");
    let payee = first.split(',').next().expect("payee").to_owned();
    assert!(first.ends_with(",oui"), "{first}");
    // Full IBANs never appear in the list: masked.
    assert!(first.contains('…'), "{first}");
    let said = relais_ok(&[
        "bank",
        "approve",
        "--payee",
        &payee,
        "--user",
        "ordonnateur",
        "--data",
        d,
    ]);
    assert!(said.contains("prochain paiement préparé"), "{said}");
    let after = relais_ok(&["bank", "list", "--format", "csv", "--data", d]);
    assert!(!after.contains(&format!("{payee},")), "{after}");
}
