//! `relais caf import` end to end with the real binary, on a demo département: a statement
//! built from the demo's own RSA rights with one unknown person, one missing right and one
//! amount 100 € off; a statement with bad rows refused whole, line by line; an import again
//! replacing the month's statement; the journal intact.

mod common;

use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::Nir;
use relais_core::payment::{self, RightTerms};
use relais_core::records::{Benefit, Record};
use relais_formats::extract::{
    Entity, ExtractSink, FileSummary, FlaggedRow, MemorySource, Unreadable, read_extracts,
};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Command, Output};

const MONTH: &str = "2026-11";

/// `relais ARGS`, as the demo user `--user` names when there is one (`common::demo_password`).
fn run(args: &[&str]) -> Output {
    common::output(
        Command::new(env!("CARGO_BIN_EXE_relais"))
            .env_remove("RELAIS_DATA")
            .env_remove("RELAIS_USER")
            .env_remove("RELAIS_PASSWORD_FILE")
            .args(args),
    )
}

fn run_owned(args: &[String]) -> Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// What the import accepted of the demo's extracts: the people and the rights.
#[derive(Default)]
struct Accepted {
    people: HashMap<String, (Option<Nir>, Option<jiff::civil::Date>)>,
    rights: Vec<relais_core::records::Right>,
}

impl ExtractSink for Accepted {
    type Error = std::convert::Infallible;
    fn accept(&mut self, _: Entity, _: u64, record: Record) -> Result<(), Self::Error> {
        match record {
            Record::Beneficiary(b) => {
                self.people.insert(b.dossier, (b.nir, b.death_date));
            }
            Record::Right(r) => self.rights.push(r),
            _ => {}
        }
        Ok(())
    }
    fn reject(&mut self, _: FlaggedRow) -> Result<(), Self::Error> {
        Ok(())
    }
    fn file_done(&mut self, _: &FileSummary) -> Result<(), Self::Error> {
        Ok(())
    }
    fn file_unreadable(&mut self, _: &Unreadable) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A household the CAF pays: its dossier, NIR, rights and what they are worth in the month.
struct Household {
    dossier: String,
    nir: Option<Nir>,
    rights: Vec<String>,
    amount: Cents,
}

/// The RSA households of the store, by dossier, read from the extracts the demo wrote (with
/// the extract reader, so that the rows the import refused are left out here too).
fn households(extracts: &Path) -> Vec<Household> {
    let mut source = MemorySource::new();
    for entry in std::fs::read_dir(extracts).expect("extracts") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        source.insert(name, std::fs::read(&path).expect("read"));
    }
    let mut accepted = Accepted::default();
    read_extracts(&source, &Default::default(), &mut accepted).expect("read extracts");
    let month = Month::parse(MONTH).expect("month");
    let mut by_dossier: BTreeMap<String, Household> = BTreeMap::new();
    for r in accepted.rights.iter().filter(|r| r.benefit == Benefit::Rsa) {
        let Some((nir, death)) = accepted.people.get(&r.dossier) else {
            continue;
        };
        let terms = RightTerms {
            benefit: r.benefit,
            monthly_amount: r.monthly_amount,
            start: r.start,
            end: r.end,
            status: r.status,
        };
        let Ok(amount) = payment::month_amount(&terms, month, *death) else {
            continue;
        };
        if amount.0 <= 0 {
            continue;
        }
        let h = by_dossier.entry(r.dossier.clone()).or_insert(Household {
            dossier: r.dossier.clone(),
            nir: nir.clone(),
            rights: Vec::new(),
            amount: Cents::ZERO,
        });
        h.rights.push(r.id.clone());
        h.amount = h.amount.checked_add(amount).expect("sum");
    }
    // A NIR two people share would find only one of them: those rows give their dossier.
    let mut nirs: HashMap<Nir, u32> = HashMap::new();
    for (nir, _) in accepted.people.values() {
        if let Some(n) = nir {
            *nirs.entry(n.clone()).or_default() += 1;
        }
    }
    let mut list: Vec<Household> = by_dossier.into_values().collect();
    for h in &mut list {
        if h.nir.as_ref().is_some_and(|n| nirs.get(n) != Some(&1)) {
            h.nir = None;
        }
    }
    list
}

/// `1234,56`, as a French export writes it.
fn french(c: Cents) -> String {
    c.to_decimal().replace('.', ",")
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).expect("report");
    r.records()
        .map(|rec| rec.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn import_compare_refuse_replace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let out = run(&[
        "demo",
        "--data",
        &s(&data),
        "--size",
        "2000",
        "--today",
        "2026-11-30",
        "--no-serve",
    ]);
    assert!(out.status.success(), "demo: {}", text(&out));
    let households = households(&data.join("extracts"));
    assert!(households.len() > 50, "{} RSA households", households.len());

    // The statement: every household but the first; the second 100 € more; one unknown
    // person; half the rows found by NIR alone (no dossier).
    let unknown_nir = Nir::from_first13("2991299999999").expect("nir");
    assert!(
        households
            .iter()
            .all(|h| h.nir.as_ref() != Some(&unknown_nir))
    );
    let mut statement = String::from("allocataire;nir;montant;mois;dossier\n");
    let mut total = Cents::ZERO;
    for (i, h) in households.iter().enumerate().skip(1) {
        let amount = if i == 1 {
            Cents(h.amount.0 + 10_000)
        } else {
            h.amount
        };
        total = total.checked_add(amount).expect("total");
        let nir = h.nir.as_ref().map(Nir::as_str).unwrap_or("");
        let dossier = if i % 2 == 0 && h.nir.is_some() {
            ""
        } else {
            h.dossier.as_str()
        };
        statement.push_str(&format!(
            "{:07};{nir};{};{MONTH};{dossier}\n",
            i + 1,
            french(amount)
        ));
    }
    statement.push_str(&format!(
        "9999999;{};123,45;{MONTH};\n",
        unknown_nir.as_str()
    ));
    total = total.checked_add(Cents(12_345)).expect("total");
    let rows = households.len();
    let file = dir.path().join("releve.csv");
    std::fs::write(&file, &statement).expect("write");
    let report = dir.path().join("rapport");
    let args = |user: &str, f: &Path| -> Vec<String> {
        [
            "caf",
            "import",
            &s(f),
            "--month",
            MONTH,
            "--user",
            user,
            "--data",
            &s(&data),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let mut first = args("liquidation", &file);
    first.extend(["--report".to_owned(), s(&report)]);
    let out = run_owned(&first);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some(format!("Relevé CAF {MONTH} importé : {rows} lignes, {total}").as_str()),
        "{said}"
    );
    // The screen shows no NIR.
    assert!(!said.contains(unknown_nir.as_str()), "{said}");
    assert!(said.contains("9999999"), "{said}");

    // The report: exactly the three planted discrepancies.
    let csv = |what: &str| read_csv(&report.join(format!("caf-{MONTH}-{what}.csv")));
    let second = &households[1];
    assert_eq!(
        csv("ecarts"),
        vec![vec![
            second.dossier.clone(),
            "2".to_owned(),
            "0000002".to_owned(),
            second.rights.join(" "),
            Cents(second.amount.0 + 10_000).to_decimal(),
            second.amount.to_decimal(),
            "100.00".to_owned(),
        ]]
    );
    assert_eq!(
        csv("inconnus"),
        vec![vec![
            (rows + 1).to_string(),
            "9999999".to_owned(),
            unknown_nir.as_str().to_owned(),
            String::new(),
            "123.45".to_owned(),
        ]]
    );
    let mut missing: Vec<(String, String)> = households[0]
        .rights
        .iter()
        .map(|r| (r.clone(), households[0].dossier.clone()))
        .collect();
    missing.sort();
    let absents: Vec<(String, String)> = csv("absents")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(absents, missing);
    assert!(csv("sans-droit").is_empty());
    let summary = csv("synthese");
    assert!(summary.contains(&vec!["releve".into(), rows.to_string(), total.to_decimal()]));
    #[cfg(unix)]
    for what in ["ecarts", "inconnus", "absents", "sans-droit", "synthese"] {
        use std::os::unix::fs::PermissionsExt;
        let path = report.join(format!("caf-{MONTH}-{what}.csv"));
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }

    // Bad rows: each named with its line and column, the statement refused whole.
    let bad = dir.path().join("mauvais.csv");
    let good_nir = households[2]
        .nir
        .clone()
        .unwrap_or_else(|| unknown_nir.clone());
    let mut wrong_key = good_nir.as_str().to_owned();
    let key = if good_nir.key() == "01" { "02" } else { "01" };
    wrong_key.replace_range(13.., key);
    std::fs::write(
        &bad,
        format!(
            "allocataire;nir;montant;mois;dossier\n\
             0000001;;100,00;{MONTH};{}\n\
             0000002;{wrong_key};100,00;{MONTH};\n\
             0000003;;0;{MONTH};\n\
             0000004;;100,00;2026-10;\n\
             ;;100,00;{MONTH};\n",
            households[0].dossier
        ),
    )
    .expect("write");
    let out = run_owned(&args("liquidation", &bad));
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let b = s(&bad);
    for expected in [
        format!("{b}:3:2: [nir] nir : NIR : clé de contrôle fausse"),
        format!("{b}:4:3: [montant] montant « 0 » doit être supérieur à zéro"),
        format!("{b}:5:4: [mois] mois 2026-10 : ce relevé est importé pour {MONTH}"),
        format!("{b}:6:1: [allocataire] allocataire est vide"),
        "refusé en entier, car son total serait faux ; rien n'est importé".to_owned(),
    ] {
        assert!(said.contains(&expected), "{expected:?} not in:\n{said}");
    }
    assert!(!said.contains(&wrong_key), "{said}");
    for code in [
        "(id_cle)",
        "(montant_negatif)",
        "(mois_different)",
        "(champ_obligatoire)",
    ] {
        assert!(said.contains(code), "{code} not in:\n{said}");
    }
    assert!(
        !said.contains(&format!("{b}:2:")),
        "line 2 is good:\n{said}"
    );

    // Files that cannot be read: exit 2, nothing changed.
    let out = run_owned(&args("liquidation", &dir.path().join("absent.csv")));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let empty = dir.path().join("vide.csv");
    std::fs::write(&empty, "").expect("write");
    let out = run_owned(&args("liquidation", &empty));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("fichier_illisible"), "{}", text(&out));

    // A role that may not import.
    let out = run_owned(&args("accueil", &file));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("n'a pas le rôle"), "{}", text(&out));

    // Imported again (without the unknown person): the month's statement is replaced, and the
    // refused imports left the first one as it was.
    let without: String = statement
        .lines()
        .filter(|l| !l.starts_with("9999999"))
        .fold(String::new(), |mut acc, l| {
            acc.push_str(l);
            acc.push('\n');
            acc
        });
    std::fs::write(&file, &without).expect("write");
    let out = run_owned(&args("ordonnateur", &file));
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    let replaced_total = Cents(total.0 - 12_345);
    assert!(
        said.starts_with(&format!(
            "Relevé CAF {MONTH} importé : {} lignes, {replaced_total}\n",
            rows - 1
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("par liquidation ({rows} lignes, {total})")),
        "{said}"
    );
    assert!(said.contains("personnes inconnues de la base"), "{said}");

    let out = run(&["journal", "verify", "--data", &s(&data)]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["journal", "list", "--data", &s(&data), "--limit", "100000"]);
    let journal = text(&out);
    assert_eq!(
        journal.matches("caf_statement_import").count(),
        2,
        "{journal}"
    );
    assert!(!journal.contains(unknown_nir.as_str()));
}
