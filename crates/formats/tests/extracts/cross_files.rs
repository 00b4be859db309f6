//! References between files: a row pointing to a key that is absent is told apart from one
//! pointing to a row that was rejected.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::{Entity, MemorySource};

fn siret(first13: &str) -> String {
    relais_core::ids::Siret::from_first13(first13)
        .expect("siret")
        .as_str()
        .to_owned()
}

fn message_at(r: &Read, entity: Entity, line: u64) -> String {
    r.rejected_at(entity, line).problems[0].message_fr.clone()
}

#[test]
fn a_right_names_a_missing_person_apart_from_a_rejected_one() {
    let people = [
        benef_row("D1"),
        benef_row("D2").replace("01/02/1950", "32/01/1950"),
    ];
    let rights = [
        droit_row("R1", "D1", "T1"),
        droit_row("R2", "D2", "T1"),
        droit_row("R3", "D9", "T1"),
    ];
    let source = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &people))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &rights));
    let r = read(&source);
    assert_eq!(r.accepted_lines(Entity::Droits), vec![2]);
    assert_eq!(r.codes_at(Entity::Droits, 3), vec!["personne_rejetee"]);
    assert_eq!(r.codes_at(Entity::Droits, 4), vec!["personne_inconnue"]);
    let p = &r.rejected_at(Entity::Droits, 4).problems[0];
    assert_eq!((p.field.as_str(), p.column), ("dossier", Some(2)));
    assert!(
        p.message_fr.contains("« D9 » absent de beneficiaires.csv"),
        "{}",
        p.message_fr
    );
    assert!(message_at(&r, Entity::Droits, 3).contains("rejetée"));
}

#[test]
fn duplicated_people_make_their_rights_rejected_not_unknown() {
    let people = [benef_row("D1"), benef_row("D1")];
    let source = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &people))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &[droit_row("R1", "D1", "T1")]));
    let r = read(&source);
    assert_eq!(r.codes_at(Entity::Droits, 2), vec!["personne_rejetee"]);
}

#[test]
fn payees_rights_and_suppliers_are_checked_the_same_way() {
    let payees = [tiers_row("T1"), tiers_row("T2").replace(BIC, "X")];
    let rights = [
        droit_row("R1", "D1", "T1"),
        droit_row("R2", "D1", "T2"),
        droit_row("R3", "D1", "T3"),
        droit_row("R4", "D1", "T1").replace("512,30", "-1"),
    ];
    let payments = [
        paiement_row("R1", "2026-01"),
        paiement_row("R4", "2026-01"),
        paiement_row("R9", "2026-01"),
    ];
    let bad_supplier = siret("5520813176652");
    let unknown_supplier = siret("4430618410001");
    let suppliers = [
        fournisseur_row(SIRET),
        fournisseur_row(&bad_supplier).replace(IBAN, "FR00"),
    ];
    let invoices = [
        facture_row("F1", "732 829 320 00074"),
        facture_row("F2", &bad_supplier),
        facture_row("F3", &unknown_supplier),
    ];
    let source = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &[benef_row("D1")]))
        .with("tiers.csv", csv(TIERS, &payees))
        .with("droits.csv", csv(DROITS, &rights))
        .with("paiements.csv", csv(PAIEMENTS, &payments))
        .with("fournisseurs.csv", csv(FOURNISSEURS, &suppliers))
        .with("factures.csv", csv(FACTURES, &invoices));
    let r = read(&source);
    assert_eq!(r.codes_at(Entity::Droits, 3), vec!["tiers_rejete"]);
    assert_eq!(r.codes_at(Entity::Droits, 4), vec!["tiers_inconnu"]);
    assert_eq!(r.accepted_lines(Entity::Paiements), vec![2]);
    assert_eq!(r.codes_at(Entity::Paiements, 3), vec!["droit_rejete"]);
    assert_eq!(r.codes_at(Entity::Paiements, 4), vec!["droit_inconnu"]);
    // The invoice's SIRET with spaces finds the supplier's.
    assert_eq!(r.accepted_lines(Entity::Factures), vec![2]);
    assert_eq!(r.codes_at(Entity::Factures, 3), vec!["fournisseur_rejete"]);
    assert_eq!(r.codes_at(Entity::Factures, 4), vec!["fournisseur_inconnu"]);
}

#[test]
fn a_missing_file_leaves_every_reference_to_it_unknown() {
    let source = MemorySource::new()
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &[droit_row("R1", "D1", "T1")]));
    let r = read(&source);
    assert_eq!(r.codes_at(Entity::Droits, 2), vec!["personne_inconnue"]);
    assert!(!r.summary(Entity::Beneficiaires).present);
}

#[test]
fn an_unreadable_file_counts_as_absent_for_the_files_after_it() {
    let source = MemorySource::new()
        .with("beneficiaires.csv", "dossier;nom\nD1;Dupont\n")
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &[droit_row("R1", "D1", "T1")]));
    let r = read(&source);
    assert_eq!(r.unreadable("beneficiaires.csv").code, "colonne_manquante");
    assert_eq!(r.codes_at(Entity::Droits, 2), vec!["personne_inconnue"]);
}

#[test]
fn sites_are_checked_only_when_the_directory_is_there() {
    let people = [benef_row("D1"), benef_row("D2").replace("MDS01", "MDS99")];
    let directory = [
        annuaire_row("MDS01", "Accueil"),
        // A directory row rejected for its phone still makes its site known.
        annuaire_row("MDS99", "Accueil").replace("01 99 00 12 34", "12"),
    ];
    let with = MemorySource::new()
        .with("annuaire.csv", csv(ANNUAIRE, &directory[..1]))
        .with("beneficiaires.csv", csv(BENEF, &people));
    let r = read(&with);
    // An unknown site is a warning: the person is kept, attached to no site.
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 3]);
    assert_eq!(
        r.warnings_at(Entity::Beneficiaires, 3),
        vec!["site_inconnu"]
    );
    let warned = &r.warned(Entity::Beneficiaires)[0];
    assert!(warned.problems[0].message_fr.contains("annuaire.csv"));
    match &r.accepted(Entity::Beneficiaires)[1] {
        (3, Record::Beneficiary(b)) => assert_eq!(b.site, ""),
        other => panic!("{other:?}"),
    }

    let r = read(&with.clone().with("annuaire.csv", csv(ANNUAIRE, &directory)));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 3]);

    let without = MemorySource::new().with("beneficiaires.csv", csv(BENEF, &people));
    assert_eq!(
        read(&without).accepted_lines(Entity::Beneficiaires),
        vec![2, 3]
    );
}
