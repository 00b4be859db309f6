//! Measures the extract reader alone: writes a synthetic set of N people to a folder (with 1.2
//! rights and 3.6 past payments each, like a large département), reads it back into a sink
//! that drops the records, and prints rows per second. Peak memory (`/usr/bin/time -v`) is
//! then the reader's own: the files are not held in memory.
//!
//! `cargo run --release -p relais-formats --example read_speed -- 1000000 [FOLDER]`

use relais_core::records::Record;
use relais_formats::extract::{
    Entity, ExtractSink, ExtractSource, FileSummary, FlaggedRow, Unreadable, read_extracts,
};
use relais_formats::profile::Profile;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::time::Instant;

const IBAN: &str = "FR7630006000011234567890189";

/// Extract files in a folder.
struct Folder(std::path::PathBuf);

impl ExtractSource for Folder {
    fn open(&self, name: &str) -> std::io::Result<Option<Box<dyn std::io::Read + '_>>> {
        match std::fs::File::open(self.0.join(name)) {
            Ok(f) => Ok(Some(Box::new(std::io::BufReader::with_capacity(
                256 * 1024,
                f,
            )))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn build(people: usize, dir: &std::path::Path) -> std::io::Result<()> {
    let mut annuaire = String::from(
        "site_code;site;service;telephone;email;adresse;horaires;depot_papier;public\n",
    );
    for s in 0..20 {
        let _ = writeln!(
            annuaire,
            "MDS{s:02};MDS n°{s};Accueil;01 99 00 12 {s:02};mds{s}@demo.invalid;{s} rue de la Paix 77000 Melun;9h-17h;oui;oui"
        );
    }
    let mut benef = String::from(
        "dossier;nir;nom;prenom;date_naissance;adresse;code_postal;commune;telephone;site;date_deces\n",
    );
    let mut tiers = String::from(
        "tiers_id;type;nom;siret;iban;bic;titulaire;adresse;code_postal;commune;iban_modifie_le\n",
    );
    let mut droits = String::from(
        "droit_id;dossier;prestation;montant_mensuel;date_debut;date_fin;statut;tiers_id;imputation\n",
    );
    let mut paiements = String::from("droit_id;mois;montant;date_paiement;reference\n");
    let mut rights = 0usize;
    for i in 0..people {
        let _ = writeln!(
            benef,
            "D{i:07};185057800604830;Lefèvre;Zoé;{:02}/{:02}/19{:02};{} rue Victor Hugo;77000;Melun;01 99 00 {:02} {:02};MDS{:02};",
            i % 28 + 1,
            i % 12 + 1,
            i % 60 + 30,
            i % 200,
            i % 100,
            i % 97,
            i % 20
        );
        let _ = writeln!(
            tiers,
            "T{i:07};personne;Lefèvre Zoé;;{IBAN};BNPAFRPP;Zoé Lefèvre;{} rue Victor Hugo;77000;Melun;",
            i % 200
        );
        let n = if i % 5 == 0 { 2 } else { 1 };
        for _ in 0..n {
            let _ = writeln!(
                droits,
                "R{rights:08};D{i:07};APA_DOM;{},{:02};01/01/2025;31/12/2026;en_paiement;T{i:07};6514",
                300 + i % 700,
                i % 100
            );
            for m in 1..=3 {
                let _ = writeln!(
                    paiements,
                    "R{rights:08};2026-{m:02};{},{:02};05/{m:02}/2026;VIR-2026{m:02}-{rights}",
                    300 + i % 700,
                    i % 100
                );
            }
            rights += 1;
        }
    }
    std::fs::create_dir_all(dir)?;
    for (name, text) in [
        ("annuaire.csv", annuaire),
        ("beneficiaires.csv", benef),
        ("tiers.csv", tiers),
        ("droits.csv", droits),
        ("paiements.csv", paiements),
    ] {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

#[derive(Default)]
struct Counter {
    accepted: u64,
    rejected: u64,
    started: Option<Instant>,
}

impl ExtractSink for Counter {
    type Error = Infallible;
    fn accept(&mut self, _: Entity, _: u64, r: Record) -> Result<(), Infallible> {
        self.accepted += 1;
        drop(r);
        Ok(())
    }
    fn reject(&mut self, row: FlaggedRow) -> Result<(), Infallible> {
        if self.rejected < 3 {
            eprintln!("rejected: {row:?}");
        }
        self.rejected += 1;
        Ok(())
    }
    fn file_done(&mut self, s: &FileSummary) -> Result<(), Infallible> {
        if let Some(t) = self.started.replace(Instant::now()) {
            let secs = t.elapsed().as_secs_f64();
            if s.present {
                println!(
                    "{:<18} {:>9} rows in {:>6.2} s: {:>10.0} rows/s",
                    s.file,
                    s.rows,
                    secs,
                    s.rows as f64 / secs
                );
            }
        }
        Ok(())
    }
    fn file_unreadable(&mut self, u: &Unreadable) -> Result<(), Infallible> {
        eprintln!("{u}");
        Ok(())
    }
}

fn main() {
    let people: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::args()
        .nth(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("relais-read-speed-{people}")));
    if !dir.join("paiements.csv").exists() {
        let t = Instant::now();
        if let Err(e) = build(people, &dir) {
            eprintln!("{}: {e}", dir.display());
            std::process::exit(2);
        }
        println!(
            "built {people} people in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let source = Folder(dir);
    let mut sink = Counter {
        started: Some(Instant::now()),
        ..Counter::default()
    };
    let t = Instant::now();
    let outcome = match read_extracts(&source, &Profile::default(), &mut sink) {
        Ok(o) => o,
        Err(e) => match e {},
    };
    let secs = t.elapsed().as_secs_f64();
    let rows: u64 = outcome.files.iter().map(|f| f.rows).sum();
    println!(
        "total: {rows} rows ({} accepted, {} rejected) in {secs:.2} s: {:.0} rows/s",
        sink.accepted,
        sink.rejected,
        rows as f64 / secs
    );
}
