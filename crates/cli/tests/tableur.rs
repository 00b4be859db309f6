//! `--format tableur`: the deposit register, the rows to handle and the invoices due open in a
//! French spreadsheet (UTF-8 with BOM, `;`, decimal comma, JJ/MM/AAAA); `--format csv` stays
//! the machine form.

mod common;

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.env_remove("RELAIS_DATA")
        .env_remove("RELAIS_USER")
        .env_remove("RELAIS_PASSWORD_FILE")
        .args(args);
    common::output(&mut c)
}

fn ok(args: &[&str]) -> Vec<u8> {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn listings_open_in_a_french_spreadsheet_and_scripts_keep_their_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    common::demo(&data, 200);
    let d = data.to_str().expect("utf-8");
    ok(&[
        "deposit",
        "register",
        "--data",
        d,
        "--kind",
        "facture",
        "--from",
        "SARL Dupont; fils",
        "--siret",
        "73282932000074",
        "--invoice-number",
        "F-12",
        "--amount",
        "1234,56",
        "--user",
        "courrier",
    ]);
    let bom = "\u{feff}".as_bytes();
    let list = ok(&["deposit", "list", "--data", d, "--format", "tableur"]);
    assert!(list.starts_with(bom), "a BOM first");
    let text = String::from_utf8(list[bom.len()..].to_vec()).expect("utf-8");
    let header = text.lines().next().expect("header");
    assert!(
        header.starts_with("Numéro;Reçu le;Type;Déposant;"),
        "{header}"
    );
    let row = text
        .lines()
        .find(|l| l.contains("Dupont"))
        .expect("the invoice");
    assert!(row.contains(";\"SARL Dupont; fils\";"), "{row}");
    assert!(row.contains(";1234,56;"), "decimal comma: {row}");
    let received = row.split(';').nth(1).expect("received");
    assert!(
        received.len() == 16 && &received[2..3] == "/" && &received[13..14] == ":",
        "JJ/MM/AAAA HH:MM: {received}"
    );
    // The machine form is unchanged: no BOM, `,`, decimal point.
    let machine =
        String::from_utf8(ok(&["deposit", "list", "--data", d, "--format", "csv"])).expect("utf-8");
    assert!(machine.starts_with("numero,recu_le,type,"), "{machine}");
    assert!(machine.contains(",1234.56,"), "{machine}");
    // The rows to handle.
    let pending = ok(&["a-traiter", "--data", d, "--format", "tableur"]);
    assert!(pending.starts_with(bom));
    let text = String::from_utf8(pending[bom.len()..].to_vec()).expect("utf-8");
    assert!(
        text.starts_with("Fichier;Ligne;Clé;Champ;Code;Message;Gravité\r\n"),
        "{text}"
    );
    assert!(text.lines().count() > 1, "the demo has rejected rows");
    // The invoices due.
    let due = ok(&["invoices", "due", "--data", d, "--format", "tableur"]);
    assert!(due.starts_with(bom));
    let text = String::from_utf8(due[bom.len()..].to_vec()).expect("utf-8");
    assert!(text.starts_with("Échéance;Jours restants;"), "{text}");
    assert!(text.contains(";1234,56;"), "{text}");
}
