//! The demo as its users see it: files read back with an independent CSV parser and checked
//! with `relais_core`'s identifiers, money and text folding.

use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Nir, Siret};
use relais_core::text::header_key;
use relais_demo::{DemoConfig, DemoSummary, FILES, MemoryOutput, generate};
use std::collections::{BTreeMap, BTreeSet};

fn config(size: u32, seed: u64, bad: u32) -> DemoConfig {
    DemoConfig {
        size,
        seed,
        today: jiff::civil::date(2026, 11, 22),
        bad_per_mille: bad,
        agents: None,
    }
}

fn build(c: &DemoConfig) -> (MemoryOutput, DemoSummary) {
    let mut out = MemoryOutput::default();
    let summary = generate(c, &mut out).expect("generate");
    (out, summary)
}

/// A file as text: BOM removed, Windows-1252 decoded for the payroll.
fn text(out: &MemoryOutput, name: &str) -> String {
    let bytes = out.files.get(name).expect(name);
    if name == "agents.csv" {
        let (t, _, malformed) = encoding_rs::WINDOWS_1252.decode(bytes);
        assert!(!malformed);
        return t.into_owned();
    }
    let t = std::str::from_utf8(bytes).expect("utf-8");
    t.strip_prefix('\u{feff}').unwrap_or(t).to_owned()
}

fn separator(name: &str) -> u8 {
    match name {
        "tiers.csv" | "fournisseurs.csv" => b',',
        "paiements.csv" => b'\t',
        _ => b';',
    }
}

/// (header keys, records as maps from our column name to value, records' field counts).
struct Parsed {
    headers: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
    widths: Vec<usize>,
}

fn parse(out: &MemoryOutput, name: &str) -> Parsed {
    let t = text(out, name);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(name))
        .flexible(true)
        .from_reader(t.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(header_key)
        .collect();
    let mut rows = Vec::new();
    let mut widths = Vec::new();
    for r in reader.records() {
        let r = r.expect("record");
        if r.len() == 1 && r.get(0) == Some("") {
            continue;
        }
        widths.push(r.len());
        rows.push(
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect(),
        );
    }
    Parsed {
        headers,
        rows,
        widths,
    }
}

#[test]
fn same_inputs_same_bytes_other_seed_other_bytes() {
    let (a, sa) = build(&config(3000, 77, 10));
    let (b, _) = build(&config(3000, 77, 10));
    assert_eq!(a.files.len(), 9);
    assert_eq!(a.files, b.files);
    let (c, _) = build(&config(3000, 78, 10));
    for (name, bytes) in &a.files {
        assert_ne!(
            Some(bytes),
            c.files.get(name),
            "{name} does not depend on the seed"
        );
    }
    let (d, _) = build(&DemoConfig {
        today: jiff::civil::date(2026, 12, 22),
        ..config(3000, 77, 10)
    });
    assert_ne!(a.files.get("paiements.csv"), d.files.get("paiements.csv"));
    let names: Vec<&str> = sa.files.iter().map(|(n, _, _)| n.as_str()).collect();
    let expected: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected);
}

#[test]
fn one_row_per_person_and_the_right_headers() {
    let (out, summary) = build(&config(2500, 1, 10));
    let people = summary
        .files
        .iter()
        .find(|f| f.0 == "beneficiaires.csv")
        .expect("file");
    assert_eq!(people.1, 2500);
    for (name, columns) in FILES {
        let p = parse(&out, name);
        let mut expected: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        if name == "beneficiaires.csv" {
            expected.push("commentaire".into());
        }
        assert_eq!(p.headers, expected, "{name}");
        let rows = summary
            .files
            .iter()
            .find(|f| f.0 == name)
            .expect("summary")
            .1;
        assert_eq!(p.rows.len() as u64, rows, "{name}");
    }
    assert_eq!(parse(&out, "beneficiaires.csv").rows.len(), 2500);
    // The spelling of each export.
    let bytes = |n: &str| out.files.get(n).expect(n).clone();
    assert!(bytes("beneficiaires.csv").starts_with("\u{feff}Dossier;NIR;Nom;Prénom".as_bytes()));
    assert!(bytes("beneficiaires.csv").windows(2).any(|w| w == b"\r\n"));
    assert!(bytes("agents.csv").starts_with(b"MATRICULE;NOM;PR\xc9NOM;"));
    assert!(bytes("fournisseurs.csv").starts_with(b"\"siret\",\"raison_sociale\""));
    let tiers = text(&out, "tiers.csv");
    assert!(
        tiers.contains(",\u{c9}tablissement,"),
        "kinds typed with capitals and accents"
    );
    assert!(
        tiers.contains(", bât. "),
        "addresses with the separator, quoted"
    );
    let agents = text(&out, "agents.csv");
    assert!(agents.ends_with("\r\n\r\n"), "a blank line at the end");
    assert!(agents.contains(";;"), "empty variables");
}

#[test]
fn bad_rows_are_about_the_share_asked() {
    let (out, summary) = build(&config(20_000, 5, 10));
    for (name, rows, bad) in &summary.files {
        let share = *bad as f64 / *rows as f64;
        match name.as_str() {
            "annuaire.csv" => assert_eq!(*bad, 2),
            "fournisseurs.csv" => assert!((1..=4).contains(bad), "{name}: {bad}/{rows}"),
            // Its flaws are of another kind (an agent's lines a cent off, or none at all),
            // which only the payroll's preparation can see.
            "paie.csv" => assert_eq!(*bad, 0),
            _ => assert!((0.008..0.0135).contains(&share), "{name}: {bad}/{rows}"),
        }
    }
    // A few flavours, as they read in the files.
    let droits = text(&out, "droits.csv");
    assert!(droits.contains(";APA_XYZ;"));
    assert!(droits.contains(";en_attente;"));
    assert!(droits.contains(";31/02/"));
    assert!(droits.contains("R;"), "a right paid to a rejected payee");
    let people = parse(&out, "beneficiaires.csv");
    assert!(
        people
            .rows
            .iter()
            .any(|r| r.get("site").map(String::as_str) == Some("MDS-OZOIR"))
    );
    assert!(
        people
            .rows
            .iter()
            .any(|r| r.get("code_postal").is_some_and(|c| c.len() == 4))
    );
    assert!(
        people.widths.iter().any(|&w| w < 12),
        "a row with too few fields"
    );
    let dossiers: Vec<&String> = people
        .rows
        .iter()
        .filter_map(|r| r.get("dossier"))
        .collect();
    let distinct: BTreeSet<&&String> = dossiers.iter().collect();
    assert!(distinct.len() < dossiers.len(), "a duplicated dossier");
    let tiers = parse(&out, "tiers.csv");
    let wrong_rib = tiers
        .rows
        .iter()
        .filter_map(|r| r.get("iban"))
        .filter(|i| Iban::parse(i) == Err(relais_core::ids::IdError::RibKey))
        .count();
    assert!(
        wrong_rib > 0,
        "an IBAN with right mod 97 and a wrong RIB key"
    );
    let tiers_text = text(&out, "tiers.csv");
    assert!(
        tiers_text.lines().count() > tiers.rows.len() + 1,
        "an address on two lines, inside quotes"
    );
    let paiements = text(&out, "paiements.csv");
    assert!(paiements.contains("-13\t"));
    let factures = text(&out, "factures.csv");
    assert!(factures.contains("-02-30;"));
}

#[test]
fn a_clean_set_is_valid_and_consistent() {
    let (out, summary) = build(&config(4000, 11, 0));
    assert!(summary.files.iter().all(|(_, _, bad)| *bad == 0));

    let sites: BTreeSet<String> = parse(&out, "annuaire.csv")
        .rows
        .iter()
        .filter_map(|r| r.get("site_code").cloned())
        .collect();
    let people = parse(&out, "beneficiaires.csv");
    let mut dossiers = BTreeSet::new();
    for r in &people.rows {
        assert!(
            dossiers.insert(r["dossier"].clone()),
            "duplicate {}",
            r["dossier"]
        );
        if !r["nir"].is_empty() {
            let nir = Nir::parse(&r["nir"]).unwrap_or_else(|e| panic!("{}: {e}", r["nir"]));
            // Sex and birth date agree with the NIR.
            let birth = &r["date_naissance"];
            assert_eq!(&nir.as_str()[1..3], &birth[8..10], "{r:?}");
            assert_eq!(&nir.as_str()[3..5], &birth[3..5], "{r:?}");
        }
        assert!(sites.contains(&r["site"]), "{r:?}");
        assert_eq!(r["code_postal"].len(), 5);
        assert!(!r["nom"].is_empty() && !r["prenom"].is_empty());
    }
    assert!(
        people
            .rows
            .iter()
            .any(|r| r["nir"].contains("2A") || r["nir"].contains("2B"))
    );
    assert!(people.rows.iter().any(|r| r["nir"].get(5..7) == Some("99")));
    assert!(people.rows.iter().any(|r| r["nir"].get(5..7) == Some("97")));

    let tiers = parse(&out, "tiers.csv");
    let mut payees = BTreeSet::new();
    for r in &tiers.rows {
        assert!(
            payees.insert(r["tiers_id"].clone()),
            "duplicate {}",
            r["tiers_id"]
        );
        Iban::parse(&r["iban"]).unwrap_or_else(|e| panic!("{}: {e}", r["iban"]));
        Bic::parse(&r["bic"]).unwrap_or_else(|e| panic!("{}: {e}", r["bic"]));
        if !r["siret"].is_empty() {
            Siret::parse(&r["siret"]).unwrap_or_else(|e| panic!("{}: {e}", r["siret"]));
        }
        assert!(!r["titulaire"].is_empty());
    }
    assert!(
        tiers.rows.iter().any(|r| !r["iban"].starts_with("FR")),
        "a few foreign IBANs"
    );

    let rights = parse(&out, "droits.csv");
    let mut right_ids = BTreeSet::new();
    for r in &rights.rows {
        assert!(right_ids.insert(r["droit_id"].clone()));
        assert!(dossiers.contains(&r["dossier"]), "{r:?}");
        assert!(payees.contains(&r["tiers_id"]), "{r:?}");
        let amount = Cents::parse(&r["montant_mensuel"]).expect("amount");
        assert!(amount.0 > 0);
    }
    let ratio = rights.rows.len() as f64 / people.rows.len() as f64;
    assert!((1.1..1.3).contains(&ratio), "{ratio} rights per person");

    for r in &parse(&out, "paiements.csv").rows {
        assert!(right_ids.contains(&r["droit_id"]), "{r:?}");
        assert!(Cents::parse(&r["montant"]).expect("amount").0 > 0);
        assert!(r["date_paiement"].starts_with(&r["mois"]));
    }
    for r in &parse(&out, "agents.csv").rows {
        Nir::parse(&r["nir"]).unwrap_or_else(|e| panic!("{}: {e}", r["nir"]));
        Iban::parse(&r["iban"]).unwrap_or_else(|e| panic!("{}: {e}", r["iban"]));
        Bic::parse(&r["bic"]).expect("bic");
        let net = Cents::parse(&r["net_mensuel"]).expect("net").0;
        assert!((150_000..=450_099).contains(&net), "{net}");
    }
    let mut suppliers = BTreeSet::new();
    for r in &parse(&out, "fournisseurs.csv").rows {
        Siret::parse(&r["siret"]).expect("siret");
        Iban::parse(&r["iban"]).expect("iban");
        Bic::parse(&r["bic"]).expect("bic");
        suppliers.insert(r["siret"].clone());
    }
    for r in &parse(&out, "factures.csv").rows {
        assert!(suppliers.contains(&r["siret"]), "{r:?}");
        assert!(Cents::parse(&r["montant_ttc"]).expect("amount").0 > 0);
    }
}

/// ARCEP's ranges reserved for fiction (docs/domain.md), compact.
const FICTION: [&str; 6] = ["019900", "026191", "035301", "046571", "053649", "063998"];

fn is_fiction(phone: &str) -> bool {
    let digits: String = phone.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 10 && FICTION.iter().any(|p| digits.starts_with(p))
}

#[test]
fn phones_are_fiction_numbers_and_mails_cannot_be_delivered() {
    let (out, _) = build(&config(3000, 2, 0));
    let directory = parse(&out, "annuaire.csv");
    for r in &directory.rows {
        assert!(is_fiction(&r["telephone"]), "{r:?}");
        assert!(
            r["email"].ends_with(".invalid") && r["email"].contains('@'),
            "{r:?}"
        );
    }
    let codes: Vec<&str> = directory
        .rows
        .iter()
        .map(|r| r["site_code"].as_str())
        .collect();
    assert_eq!(codes.iter().filter(|c| c.starts_with("MDS-")).count(), 14);
    assert_eq!(codes.iter().filter(|c| c.starts_with("PAT-")).count(), 6);
    assert!(codes.contains(&"MDPH"));
    assert!(directory.rows.iter().any(|r| r["public"] == "non"));
    let people = parse(&out, "beneficiaires.csv");
    let empty = people
        .rows
        .iter()
        .filter(|r| r["telephone"].is_empty())
        .count();
    assert!(
        empty > 0 && empty * 10 < people.rows.len(),
        "some people have no phone"
    );
    for r in people.rows.iter().filter(|r| !r["telephone"].is_empty()) {
        assert!(is_fiction(&r["telephone"]), "{r:?}");
    }
    // Bad phones stay in the fiction ranges: only their length is wrong.
    let (bad, _) = build(&config(3000, 2, 50));
    for r in &parse(&bad, "beneficiaires.csv").rows {
        if let Some(p) = r.get("telephone").filter(|p| !p.is_empty()) {
            let digits: String = p.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(FICTION.iter().any(|f| digits.starts_with(f)), "{p}");
        }
    }
}

#[test]
fn the_authority_siret_is_valid() {
    let a = relais_demo::authority();
    assert!(Siret::parse(&a.siret).is_ok(), "{}", a.siret);
    assert_ne!(a.siret, "22770001000019", "not the real département's");
}
