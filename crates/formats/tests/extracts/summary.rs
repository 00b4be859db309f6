//! What is told of each file: hash, encoding, separator, counts, totals, extra columns.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::{Entity, MemorySource};
use sha2::{Digest, Sha256};

#[test]
fn summaries_count_hash_and_total() {
    let rows = [
        droit_row("R1", "D1", "T1"),
        droit_row("R2", "D1", "T1").replace("512,30", "100"),
        droit_row("R3", "D1", "T1").replace("512,30", "-3"),
    ];
    let header = format!("{DROITS};Commentaire;Gestionnaire");
    let rows: Vec<String> = rows.iter().map(|r| format!("{r};à revoir;Mme X")).collect();
    let droits = csv(&header, &rows);
    let source = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &[benef_row("D1")]))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", droits.clone());
    let r = read(&source);
    let s = r.summary(Entity::Droits);
    assert!(s.present);
    assert_eq!(s.file, "droits.csv");
    assert_eq!(s.sha256, hex::encode(Sha256::digest(&droits)));
    assert_eq!((s.encoding.as_str(), s.separator), ("UTF-8", ';'));
    assert_eq!((s.rows, s.accepted, s.rejected), (3, 2, 1));
    assert_eq!(s.amount_total.map(|c| c.0), Some(51230 + 10000));
    assert_eq!(s.extra_columns, vec!["Commentaire", "Gestionnaire"]);
    assert_eq!(r.summary(Entity::Beneficiaires).amount_total, None);
    match &r.accepted(Entity::Droits)[0] {
        (2, Record::Right(d)) => assert_eq!(
            d.extra,
            vec![
                ("Commentaire".to_owned(), "à revoir".to_owned()),
                ("Gestionnaire".to_owned(), "Mme X".to_owned())
            ]
        ),
        other => panic!("{other:?}"),
    }
    // A rejected row keeps its extra columns in its raw values, under their headers.
    let rejected = r.rejected_at(Entity::Droits, 4);
    assert_eq!(
        rejected.raw.last(),
        Some(&("Gestionnaire".to_owned(), "Mme X".to_owned()))
    );
    assert_eq!(
        rejected.raw[3],
        ("montant_mensuel".to_owned(), "-3".to_owned())
    );
    assert_eq!(r.outcome.rejected_rows(), 1);
}

#[test]
fn the_hash_covers_a_windows_1252_file_as_stored() {
    let bytes = b"tiers_id;type;nom;siret;iban;bic;titulaire;adresse;code_postal;commune\r\n\
                  T1;personne;L\xE9a;;FR7630006000011234567890189;BNPAFRPP;L\xE9a;1 rue;77000;Melun\r\n"
        .to_vec();
    let r = read(&MemorySource::new().with("tiers.csv", bytes.clone()));
    let s = r.summary(Entity::Tiers);
    assert_eq!(s.sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(s.encoding, "windows-1252");
    assert_eq!(s.accepted, 1);
}
