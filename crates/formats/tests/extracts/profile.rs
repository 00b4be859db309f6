//! Mapping profiles: another system's file names and headers, and defaults for what it lacks.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::{Entity, MemorySource};
use relais_formats::profile::Profile;

const PROFILE: &str = r#"
[beneficiaires]
file = "EXPORT_BENEF.TXT"
[beneficiaires.columns]
dossier = "NUM_DOSSIER"
date_naissance = "DT_NAISS"
"Prénom" = "PRENOM_USUEL"
[beneficiaires.defaults]
site = "MDS01"
telephone = ""

[droits.defaults]
statut = "en_paiement"
"#;

#[test]
fn a_profile_renames_columns_names_files_and_sets_defaults() {
    let profile = Profile::parse(PROFILE).expect("profile");
    // Their export: other names, no site column, a `prenom` column that is not the first name
    // they want (the profile points at PRENOM_USUEL), a `dossier` column that is something else.
    let benef = "Num dossier;Nom;PRENOM_USUEL;prenom;dt_naiss;adresse;code_postal;commune;telephone;dossier\n\
                 D1;Dupont;Jean;Jean-Marie;01/02/1950;1 rue;77000;Melun;;ancien-7\n";
    let droits_header =
        "droit_id;dossier;prestation;montant_mensuel;date_debut;date_fin;statut;tiers_id";
    let droits = format!(
        "{droits_header}\nR1;D1;PCH;100;01/01/2025;31/12/2026;;T1\nR2;D1;PCH;100;01/01/2025;31/12/2026;suspendu;T1\n"
    );
    let source = MemorySource::new()
        .with("EXPORT_BENEF.TXT", benef)
        .with("beneficiaires.csv", "ce fichier-ci n'est pas lu")
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", droits);
    let r = read_with(&source, &profile);
    let s = r.summary(Entity::Beneficiaires);
    assert_eq!(s.file, "EXPORT_BENEF.TXT");
    match &r.accepted(Entity::Beneficiaires)[..] {
        [(2, Record::Beneficiary(b))] => {
            assert_eq!(b.dossier, "D1");
            assert_eq!(b.first_name, "Jean");
            assert_eq!(b.birth_date.to_string(), "1950-02-01");
            assert_eq!(b.site, "MDS01");
            assert_eq!(
                b.extra,
                vec![
                    ("prenom".to_owned(), "Jean-Marie".to_owned()),
                    ("dossier".to_owned(), "ancien-7".to_owned())
                ]
            );
        }
        other => panic!("{other:?} {:#?}", r.events),
    }
    assert_eq!(s.extra_columns, vec!["prenom", "dossier"]);
    // The default fills the empty cell; a value in the cell wins.
    let statuses: Vec<String> = r
        .accepted(Entity::Droits)
        .into_iter()
        .filter_map(|(_, rec)| match rec {
            Record::Right(d) => Some(d.status.code().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, vec!["en_paiement", "suspendu"]);
}

#[test]
fn a_mapped_column_missing_from_the_file_is_named_with_the_profile() {
    let profile = Profile::parse(PROFILE).expect("profile");
    let benef = "NUM_DOSSIER;nom;PRENOM_USUEL;adresse;code_postal;commune;telephone\nD1\n";
    let r = read_with(
        &MemorySource::new().with("EXPORT_BENEF.TXT", benef),
        &profile,
    );
    let u = r.unreadable("EXPORT_BENEF.TXT");
    assert_eq!(u.code, "colonne_manquante");
    assert!(
        u.message_fr
            .contains("date_naissance (colonne « DT_NAISS » d'après le profil)"),
        "{}",
        u.message_fr
    );
    // `site` has a default: not missing.
    assert!(!u.message_fr.contains("site"), "{}", u.message_fr);
}

#[test]
fn a_default_for_a_key_is_a_key_like_any_other() {
    let profile = Profile::parse("[annuaire.defaults]\nservice = \"Accueil\"\n").expect("profile");
    let header = "site_code;site;telephone;email;adresse;horaires;depot_papier;public";
    let rows = [
        "MDS01;MDS de Melun;01 99 00 12 34;;1 rue;9h-17h;oui;oui".to_owned(),
        "MDS01;MDS de Melun;01 99 00 12 35;;1 rue;9h-17h;oui;oui".to_owned(),
    ];
    let r = read_with(
        &MemorySource::new().with("annuaire.csv", csv(header, &rows)),
        &profile,
    );
    assert_eq!(r.codes_at(Entity::Annuaire, 2), vec!["doublon"]);
    let row = r.rejected_at(Entity::Annuaire, 3);
    assert_eq!(row.key.as_deref(), Some("MDS01/Accueil"));
    assert!(
        row.raw
            .contains(&("service".to_owned(), "Accueil".to_owned())),
        "{row:?}"
    );
}

#[test]
fn unknown_names_in_a_profile_are_refused_in_french() {
    let e = Profile::parse("[beneficiaire.columns]\ndossier = \"X\"\n").expect_err("entity");
    assert!(
        e.to_string().contains("section [beneficiaire] inconnue"),
        "{e}"
    );
    let e = Profile::parse("[droits.columns]\nmontant = \"MT\"\n").expect_err("column");
    assert!(
        e.to_string()
            .contains("« montant » n'est pas une colonne de droits.csv"),
        "{e}"
    );
    assert!(e.message_en.contains("montant_mensuel"), "{}", e.message_en);
}
