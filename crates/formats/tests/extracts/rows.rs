//! Each row accepted, or rejected once with all its problems, its raw values and its key.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::{Entity, MemorySource, Severity};

fn people(rows: &[String]) -> MemorySource {
    MemorySource::new().with("beneficiaires.csv", csv(BENEF, rows))
}

/// A person, a payee and `rows` of rights.
fn rights(rows: &[String]) -> MemorySource {
    people(&[benef_row("D1")])
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, rows))
}

#[test]
fn every_problem_of_a_row_is_listed_once_in_column_order() {
    let bad = "D1;185057800604831;;Jean;31/02/1950;1 rue de la Paix;7700;Melun;12 34;MDS01;";
    let r = read(&people(&[bad.into(), benef_row("D2")]));
    let row = r.rejected_at(Entity::Beneficiaires, 2);
    let got: Vec<(Option<u32>, &str, &str)> = row
        .problems
        .iter()
        .map(|p| (p.column, p.field.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(2), "nir", "id_cle"),
            (Some(3), "nom", "champ_obligatoire"),
            (Some(5), "date_naissance", "date_invalide"),
            (Some(7), "code_postal", "code_postal"),
            (Some(9), "telephone", "telephone"),
        ]
    );
    assert_eq!(row.key.as_deref(), Some("D1"));
    assert_eq!(row.file, "beneficiaires.csv");
    assert_eq!(row.raw.len(), 11);
    assert_eq!(row.raw[6], ("code_postal".to_owned(), "7700".to_owned()));
    for p in &row.problems {
        assert!(!p.message_fr.is_empty() && !p.message_en.is_empty());
    }
    assert!(
        row.problems[4].message_fr.contains("« 12 34 »"),
        "{:?}",
        row.problems[4]
    );
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![3]);
}

#[test]
fn optional_fields_may_be_empty_required_ones_may_not() {
    let no_nir_phone_death = "D1;;Dupont;Jean;01/02/1950;1 rue;77000;Melun;;MDS01;";
    let no_site = "D2;;Dupont;Jean;01/02/1950;1 rue;77000;Melun;;;";
    let r = read(&people(&[no_nir_phone_death.into(), no_site.into()]));
    // The site is a warning: the person is kept, attached to no site.
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 3]);
    assert_eq!(
        r.warnings_at(Entity::Beneficiaires, 3),
        vec!["champ_obligatoire"]
    );
    let row = &r.warned(Entity::Beneficiaires)[0];
    let p = &row.problems[0];
    assert_eq!((p.field.as_str(), p.column), ("site", Some(10)));
    assert!(p.message_fr.contains("obligatoire"));
    assert_eq!(row.severity(), Severity::Warning);
    match &r.accepted(Entity::Beneficiaires)[1] {
        (3, Record::Beneficiary(b)) => assert_eq!(b.site, ""),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.summary(Entity::Beneficiaires).warned, 1);
    assert_eq!(r.summary(Entity::Beneficiaires).rejected, 0);
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_rejected() {
    let short = "D1;;Dupont;Jean;01/02/1950;1 rue;77000";
    let long = format!("{};en trop", benef_row("D2"));
    let r = read(&people(&[short.into(), long, benef_row("D3")]));
    let row = r.rejected_at(Entity::Beneficiaires, 2);
    // The missing fields are the count's fault: no `champ_obligatoire` for each of them.
    assert_eq!(r.codes_at(Entity::Beneficiaires, 2), vec!["colonnes"]);
    assert_eq!(
        (row.problems[0].column, row.problems[0].field.as_str()),
        (None, "")
    );
    assert!(
        row.problems[0].message_fr.contains("7 champs"),
        "{:?}",
        row.problems[0]
    );
    assert!(row.problems[0].message_fr.contains("11 colonnes"));
    assert_eq!(r.codes_at(Entity::Beneficiaires, 3), vec!["colonnes"]);
    // The raw row keeps the field beyond the header.
    let long_row = r.rejected_at(Entity::Beneficiaires, 3);
    assert_eq!(
        long_row.raw.last(),
        Some(&("colonne_12".to_owned(), "en trop".to_owned()))
    );
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![4]);
}

#[test]
fn enumerated_values() {
    let rows = [
        "R1;D1;APA;512,30;01/01/2025;31/12/2026;en_paiement;T1;".into(),
        "R2;D1;apa dom;512,30;01/01/2025;31/12/2026;En paiement;T1;".into(),
        "R3;D1;PCH;512,30;01/01/2025;31/12/2026;payé;T1;".into(),
    ];
    let r = read(&rights(&rows));
    assert_eq!(r.codes_at(Entity::Droits, 2), vec!["valeur_inconnue"]);
    let p = &r.rejected_at(Entity::Droits, 2).problems[0];
    assert!(
        p.message_fr.contains("APA_DOM, APA_ETAB, PCH, ASH, RSA"),
        "{}",
        p.message_fr
    );
    assert_eq!(r.accepted_lines(Entity::Droits), vec![3]);
    assert_eq!(r.codes_at(Entity::Droits, 4), vec!["valeur_inconnue"]);
}

#[test]
fn amounts_must_not_be_negative_and_a_monthly_right_must_be_positive() {
    let rows = [
        "R1;D1;APA_DOM;0;01/01/2025;31/12/2026;en_paiement;T1;".into(),
        "R2;D1;APA_DOM;-5,00;01/01/2025;31/12/2026;en_paiement;T1;".into(),
        "R3;D1;APA_DOM;12,345;01/01/2025;31/12/2026;en_paiement;T1;".into(),
        "R4;D1;APA_DOM;douze;01/01/2025;31/12/2026;en_paiement;T1;".into(),
        droit_row("R5", "D1", "T1"),
    ];
    let payments = [
        "R5;2026-01;-1;05/01/2026;V1".into(),
        "R5;2026-02;0;05/02/2026;V2".into(),
    ];
    let r = read(&rights(&rows).with("paiements.csv", csv(PAIEMENTS, &payments)));
    assert_eq!(r.codes_at(Entity::Droits, 2), vec!["montant_negatif"]);
    assert_eq!(r.codes_at(Entity::Droits, 3), vec!["montant_negatif"]);
    assert_eq!(r.codes_at(Entity::Droits, 4), vec!["montant_decimales"]);
    assert_eq!(r.codes_at(Entity::Droits, 5), vec!["montant_invalide"]);
    assert_eq!(r.codes_at(Entity::Paiements, 2), vec!["montant_negatif"]);
    assert_eq!(r.accepted_lines(Entity::Paiements), vec![3]);
}

#[test]
fn dates_out_of_order() {
    let rights_rows = ["R1;D1;APA_DOM;10;01/01/2026;31/12/2025;en_paiement;T1;".into()];
    let people_rows = [
        benef_row("D1"),
        benef_row("D2").replace(";MDS01;", ";MDS01;31/12/1949"),
    ];
    let agents = [agent_row("A1").replace(";;Routes", ";31/08/2015;Routes")];
    let invoices = [facture_row("F1", SIRET).replace("05/03/2026", "01/03/2026")];
    let source = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &people_rows))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &rights_rows))
        .with("agents.csv", csv(AGENTS, &agents))
        .with(
            "fournisseurs.csv",
            csv(FOURNISSEURS, &[fournisseur_row(SIRET)]),
        )
        .with("factures.csv", csv(FACTURES, &invoices));
    let r = read(&source);
    for (entity, field) in [
        (Entity::Droits, "date_fin"),
        (Entity::Agents, "date_sortie"),
        (Entity::Factures, "date_reception"),
    ] {
        let row = r.rejected_at(entity, 2);
        assert_eq!(row.problems.len(), 1, "{row:#?}");
        assert_eq!(
            (
                row.problems[0].code.as_str(),
                row.problems[0].field.as_str()
            ),
            ("dates_incoherentes", field)
        );
    }
    let row = r.rejected_at(Entity::Beneficiaires, 3);
    assert_eq!(row.problems[0].code, "dates_incoherentes");
    assert_eq!(row.problems[0].field, "date_deces");
    assert!(
        row.problems[0].message_fr.contains("1949-12-31"),
        "{:?}",
        row.problems[0]
    );
}

#[test]
fn duplicates_reject_every_row_and_name_the_other_lines() {
    let rows = [
        benef_row("D1"),
        benef_row("D2"),
        // A quoted field over two lines: D1's second row starts on line 4, ends on 5.
        benef_row("D1").replace("1 rue de la Paix", "\"1 rue\nde la Paix\""),
        benef_row("D3"),
        benef_row(" D2 "),
        benef_row("D2"),
    ];
    let r = read(&people(&rows));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![6]);
    let message = |line| {
        r.rejected_at(Entity::Beneficiaires, line).problems[0]
            .message_fr
            .clone()
    };
    assert_eq!(r.codes_at(Entity::Beneficiaires, 2), vec!["doublon"]);
    assert!(
        message(2).contains("dossier « D1 » figure aussi ligne 4 :"),
        "{}",
        message(2)
    );
    assert!(message(4).contains("aussi ligne 2 :"), "{}", message(4));
    assert!(message(3).contains("aussi lignes 7, 8 :"), "{}", message(3));
    assert!(message(7).contains("aussi lignes 3, 8 :"), "{}", message(7));
    assert!(message(8).contains("aussi lignes 3, 7 :"), "{}", message(8));
    let p = &r.rejected_at(Entity::Beneficiaires, 2).problems[0];
    assert_eq!((p.field.as_str(), p.column), ("dossier", Some(1)));
    let s = r.summary(Entity::Beneficiaires);
    assert_eq!((s.rows, s.accepted, s.rejected), (6, 1, 5));
}

#[test]
fn a_duplicate_that_is_also_bad_lists_both_problems() {
    let rows = [benef_row("D1"), benef_row("D1").replace("77000", "7700")];
    let r = read(&people(&rows));
    assert_eq!(r.codes_at(Entity::Beneficiaires, 2), vec!["doublon"]);
    assert_eq!(
        r.codes_at(Entity::Beneficiaires, 3),
        vec!["doublon", "code_postal"]
    );
}

#[test]
fn composite_and_normalized_keys() {
    // Payment history: (droit_id, mois) is the key; the same right in two months is fine.
    let payments = [
        paiement_row("R1", "2026-01"),
        paiement_row("R1", "2026-02"),
        paiement_row("R1", "2026-01"),
    ];
    // Suppliers: the SIRET with spaces is the same key as without.
    let suppliers = [fournisseur_row(SIRET), fournisseur_row("732 829 320 00074")];
    let source = rights(&[droit_row("R1", "D1", "T1")])
        .with("paiements.csv", csv(PAIEMENTS, &payments))
        .with("fournisseurs.csv", csv(FOURNISSEURS, &suppliers));
    let r = read(&source);
    assert_eq!(r.accepted_lines(Entity::Paiements), vec![3]);
    let row = r.rejected_at(Entity::Paiements, 4);
    assert_eq!(row.key.as_deref(), Some("R1/2026-01"));
    assert!(
        row.problems[0]
            .message_fr
            .contains("droit_id/mois « R1/2026-01 » figure aussi ligne 2"),
        "{:?}",
        row.problems
    );
    assert_eq!(r.codes_at(Entity::Fournisseurs, 2), vec!["doublon"]);
    assert_eq!(r.codes_at(Entity::Fournisseurs, 3), vec!["doublon"]);
}

#[test]
fn identifiers_are_checked_with_the_core_codes() {
    let rows = [
        tiers_row("T1").replace(IBAN, "FR7630006000011234567890188"),
        tiers_row("T2").replace(BIC, "BNP"),
        tiers_row("T3").replace(";;FR76", ";73282932000075;FR76"),
        tiers_row("T4").replace("personne", "banque"),
        tiers_row("T5").replace(IBAN, "fr76 3000 6000 0112 3456 7890 189"),
    ];
    let r = read(&MemorySource::new().with("tiers.csv", csv(TIERS, &rows)));
    assert_eq!(r.codes_at(Entity::Tiers, 2), vec!["id_cle"]);
    assert_eq!(r.codes_at(Entity::Tiers, 3), vec!["id_longueur"]);
    assert_eq!(r.codes_at(Entity::Tiers, 4), vec!["id_cle"]);
    assert_eq!(r.codes_at(Entity::Tiers, 5), vec!["valeur_inconnue"]);
    match &r.accepted(Entity::Tiers)[..] {
        [(6, Record::Payee(p))] => assert_eq!(p.iban.as_str(), IBAN),
        other => panic!("{other:?}"),
    }
}

#[test]
fn directory_rows() {
    let rows = [
        annuaire_row("MDS01", "Accueil"),
        annuaire_row("MDS01", "PMI")
            .replace("mds@demo.invalid", "")
            .replace("01 99 00 12 34", "+33 1 99 00 12 35"),
        annuaire_row("MDS02", "Accueil").replace("mds@demo.invalid", "mds@"),
        annuaire_row("MDS03", "Accueil").replace(";oui;oui", ";peut-être;non"),
        annuaire_row("MDS04", "Accueil").replace("01 99 00 12 34", "5"),
        annuaire_row("MDS01", "Accueil"),
    ];
    let r = read(&MemorySource::new().with("annuaire.csv", csv(ANNUAIRE, &rows)));
    match &r.accepted(Entity::Annuaire)[..] {
        [
            (3, Record::DirectoryEntry(d)),
            (4, Record::DirectoryEntry(bad_email)),
            (6, Record::DirectoryEntry(bad_phone)),
        ] => {
            assert_eq!((d.phone.as_str(), d.email.as_str()), ("01 99 00 12 35", ""));
            assert!(d.paper_deposit && d.public);
            // A bad e-mail keeps the phone number, and the row stays public.
            assert_eq!(
                (bad_email.phone.as_str(), bad_email.email.as_str()),
                ("01 99 00 12 34", "")
            );
            assert!(bad_email.public);
            assert_eq!(
                (bad_phone.phone.as_str(), bad_phone.email.as_str()),
                ("", "mds@demo.invalid")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.warnings_at(Entity::Annuaire, 4), vec!["email"]);
    assert_eq!(r.codes_at(Entity::Annuaire, 5), vec!["valeur_inconnue"]);
    assert_eq!(r.warnings_at(Entity::Annuaire, 6), vec!["telephone"]);
    assert_eq!(r.codes_at(Entity::Annuaire, 2), vec!["doublon"]);
    assert_eq!(
        r.rejected_at(Entity::Annuaire, 7).key.as_deref(),
        Some("MDS01/Accueil")
    );
}

#[test]
fn agents_variables_may_be_empty_or_negative() {
    let rows = [
        agent_row("A1"),
        agent_row("A2").replace(";120,00;", ";;"),
        agent_row("A3").replace(";120,00;", ";-35,20;"),
        agent_row("A4").replace(";2 104,55;", ";-1;"),
    ];
    let r = read(&MemorySource::new().with("agents.csv", csv(AGENTS, &rows)));
    let variables: Vec<i64> = r
        .accepted(Entity::Agents)
        .into_iter()
        .filter_map(|(_, rec)| match rec {
            Record::Agent(a) => Some(a.variables.0),
            _ => None,
        })
        .collect();
    assert_eq!(variables, vec![12000, 0, -3520]);
    assert_eq!(r.codes_at(Entity::Agents, 5), vec!["montant_negatif"]);
    assert_eq!(
        r.summary(Entity::Agents).amount_total.map(|c| c.0),
        Some(3 * 210455)
    );
}

#[test]
fn records_are_typed_and_normalized() {
    let row = "D1;1 85 05 78 006 048 30;Dupont;Jean;1950-02-01;1 rue;77 000;Melun;01.99.00.12.34;MDS01;03/04/2024";
    let r = read(&people(&[row.into()]));
    match &r.accepted(Entity::Beneficiaires)[..] {
        [(2, Record::Beneficiary(b))] => {
            assert_eq!(b.nir.as_ref().map(|n| n.as_str()), Some(NIR));
            assert_eq!(b.postal_code, "77000");
            assert_eq!(b.phone, "01 99 00 12 34");
            assert_eq!(
                b.death_date.map(|d| d.to_string()).as_deref(),
                Some("2024-04-03")
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `forme_juridique` is optional, read in any spelling, and an unknown one is refused with
/// its column and the values allowed (the PES category would otherwise be guessed wrong).
#[test]
fn a_payee_s_legal_form() {
    use relais_core::records::LegalForm;
    let header = format!("{TIERS};forme_juridique");
    let rows = [
        format!("{};Société", tiers_row("T1")),
        format!("{};", tiers_row("T2")),
        format!("{};Établissement public", tiers_row("T3")),
        format!("{};SCI", tiers_row("T4")),
    ];
    let r = read(&MemorySource::new().with("tiers.csv", csv(&header, &rows)));
    let forms: Vec<Option<LegalForm>> = r
        .accepted(Entity::Tiers)
        .into_iter()
        .map(|(_, rec)| match rec {
            Record::Payee(p) => p.legal_form,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        forms,
        vec![
            Some(LegalForm::Societe),
            None,
            Some(LegalForm::EtablissementPublic)
        ]
    );
    assert_eq!(r.codes_at(Entity::Tiers, 5), vec!["valeur_inconnue"]);
    let p = &r.rejected_at(Entity::Tiers, 5).problems[0];
    assert_eq!(p.column, Some(12));
    assert_eq!(p.field, "forme_juridique");
    assert!(
        p.message_fr.contains("association, societe"),
        "{}",
        p.message_fr
    );
}
