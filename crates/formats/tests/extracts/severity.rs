//! Field-level severity (issue #18): a phone number, an e-mail, a person's address or site
//! only need attention — the row is kept without the faulty value and its warnings listed —,
//! while identity, amounts, dates, status, references and bank details reject the row.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::rejects::RejectsWriter;
use relais_formats::extract::{Entity, MemorySource, Severity, severity};

/// A person with a bad phone, a person of an unknown site, a directory row with a bad
/// e-mail; their rights, and one person rejected for a real reason.
fn set() -> MemorySource {
    let people = [
        benef_row("D1").replace("01 99 00 12 34", "12 34"),
        benef_row("D2").replace("MDS01", "MDS-INCONNU"),
        benef_row("D3").replace(";77000;", ";7700;"),
        benef_row("D4").replace("01/02/1950", "31/02/1950"),
    ];
    let rights = [
        droit_row("R1", "D1", "T1"),
        droit_row("R2", "D2", "T1"),
        droit_row("R3", "D3", "T1"),
        droit_row("R4", "D4", "T1"),
    ];
    MemorySource::new()
        .with(
            "annuaire.csv",
            csv(
                ANNUAIRE,
                &[annuaire_row("MDS01", "Accueil").replace("mds@demo.invalid", "mds.demo")],
            ),
        )
        .with("beneficiaires.csv", csv(BENEF, &people))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &rights))
}

#[test]
fn warnings_keep_the_row_and_its_rights() {
    let r = read(&set());
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2, 3, 4]);
    assert_eq!(r.warnings_at(Entity::Beneficiaires, 2), vec!["telephone"]);
    assert_eq!(
        r.warnings_at(Entity::Beneficiaires, 3),
        vec!["site_inconnu"]
    );
    assert_eq!(r.warnings_at(Entity::Beneficiaires, 4), vec!["code_postal"]);
    assert_eq!(r.codes_at(Entity::Beneficiaires, 5), vec!["date_invalide"]);
    let people: Vec<(String, String, String)> = r
        .accepted(Entity::Beneficiaires)
        .into_iter()
        .filter_map(|(_, rec)| match rec {
            Record::Beneficiary(b) => Some((b.phone, b.site, b.postal_code)),
            _ => None,
        })
        .collect();
    assert_eq!(
        people,
        vec![
            (String::new(), "MDS01".into(), "77000".into()),
            ("01 99 00 12 34".into(), String::new(), "77000".into()),
            ("01 99 00 12 34".into(), "MDS01".into(), String::new()),
        ]
    );
    // Their rights are accepted, hence payable; the rejected person's right is not.
    assert_eq!(r.accepted_lines(Entity::Droits), vec![2, 3, 4]);
    assert_eq!(r.codes_at(Entity::Droits, 5), vec!["personne_rejetee"]);
    // The directory row keeps its phone and stays public.
    match &r.accepted(Entity::Annuaire)[..] {
        [(2, Record::DirectoryEntry(d))] => {
            assert_eq!((d.phone.as_str(), d.email.as_str()), ("01 99 00 12 34", ""));
            assert!(d.public);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.warnings_at(Entity::Annuaire, 2), vec!["email"]);
    let summary = r.summary(Entity::Beneficiaires);
    assert_eq!(
        (summary.accepted, summary.warned, summary.rejected),
        (3, 3, 1)
    );
    assert_eq!(r.outcome.warned_rows(), 4);
    assert_eq!(r.outcome.rejected_rows(), 2);
}

#[test]
fn a_rejected_row_still_says_which_problems_are_only_warnings() {
    let row = benef_row("D1")
        .replace("01 99 00 12 34", "12 34")
        .replace("01/02/1950", "31/02/1950");
    let r = read(&MemorySource::new().with("beneficiaires.csv", csv(BENEF, &[row])));
    let rejected = r.rejected_at(Entity::Beneficiaires, 2);
    let graves: Vec<(&str, Severity)> = rejected
        .problems
        .iter()
        .map(|p| (p.code.as_str(), rejected.problem_severity(p)))
        .collect();
    assert_eq!(
        graves,
        vec![
            ("date_invalide", Severity::Reject),
            ("telephone", Severity::Warning)
        ]
    );
    assert_eq!(rejected.severity(), Severity::Reject);
    assert!(r.warned(Entity::Beneficiaires).is_empty());
}

#[test]
fn what_payment_needs_is_never_a_warning() {
    for (entity, field) in [
        (Entity::Beneficiaires, "dossier"),
        (Entity::Beneficiaires, "nir"),
        (Entity::Beneficiaires, "date_naissance"),
        (Entity::Beneficiaires, "date_deces"),
        (Entity::Tiers, "iban"),
        (Entity::Tiers, "bic"),
        (Entity::Tiers, "adresse"),
        (Entity::Tiers, "code_postal"),
        (Entity::Droits, "dossier"),
        (Entity::Droits, "tiers_id"),
        (Entity::Droits, "montant_mensuel"),
        (Entity::Droits, "statut"),
        (Entity::Agents, "iban"),
        (Entity::Fournisseurs, "iban"),
        (Entity::Factures, "montant_ttc"),
        // A whole-row problem (field count) leaves the row in doubt.
        (Entity::Beneficiaires, ""),
    ] {
        assert_eq!(
            severity(entity, field),
            Severity::Reject,
            "{entity:?} {field}"
        );
    }
    assert_eq!(
        severity(Entity::Beneficiaires, "telephone"),
        Severity::Warning
    );
    assert_eq!(severity(Entity::Annuaire, "email"), Severity::Warning);
}

#[test]
fn the_rejects_file_gives_each_problem_its_gravity() {
    let r = read(&set());
    let mut w = RejectsWriter::new(Vec::new()).expect("writer");
    for e in &r.events {
        match e {
            Event::Reject(row) | Event::Warn(row) => w.write(row).expect("write"),
            _ => {}
        }
    }
    let text = String::from_utf8(w.finish().expect("finish")).expect("utf8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        vec![
            "file",
            "line",
            "column",
            "field",
            "code",
            "message_fr",
            "message_en",
            "gravite"
        ]
    );
    let lines: Vec<(String, String, String)> = reader
        .records()
        .map(|r| r.expect("record"))
        .map(|r| (r[0].to_owned(), r[4].to_owned(), r[7].to_owned()))
        .collect();
    let line = |f: &str, c: &str, g: &str| (f.to_owned(), c.to_owned(), g.to_owned());
    assert_eq!(
        lines,
        vec![
            line("annuaire.csv", "email", "avertissement"),
            line("beneficiaires.csv", "telephone", "avertissement"),
            line("beneficiaires.csv", "site_inconnu", "avertissement"),
            line("beneficiaires.csv", "code_postal", "avertissement"),
            line("beneficiaires.csv", "date_invalide", "rejet"),
            line("droits.csv", "personne_rejetee", "rejet"),
        ]
    );
}

#[test]
fn no_message_of_a_real_set_misses_a_contraction() {
    let bad_payee = tiers_row("T1").replace(IBAN, "FR7630006000011234567890188");
    let source = set().with("tiers.csv", csv(TIERS, &[bad_payee])).with(
        "paiements.csv",
        csv(PAIEMENTS, &[paiement_row("R4", "2026-01")]),
    );
    let r = read(&source);
    let mut seen = 0;
    for e in &r.events {
        if let Event::Reject(row) | Event::Warn(row) = e {
            for p in &row.problems {
                seen += 1;
                for wrong in [" de le ", " de les ", " à le ", " à les "] {
                    assert!(!p.message_fr.contains(wrong), "{wrong}: {}", p.message_fr);
                }
            }
        }
    }
    assert!(seen >= 8, "{seen}");
    let rejected = r.rejected_at(Entity::Droits, 2);
    assert!(
        rejected
            .problems
            .iter()
            .any(|p| p.message_fr.contains("la ligne du tiers dans tiers.csv")),
        "{rejected:?}"
    );
    let payment = r.rejected_at(Entity::Paiements, 2);
    assert!(
        payment.problems[0]
            .message_fr
            .contains("la ligne du droit dans droits.csv"),
        "{payment:?}"
    );
}
