//! What the tests share: a sink that records everything, and valid rows to break one field at
//! a time.

use relais_core::records::Record;
use relais_formats::extract::{
    Entity, ExtractSink, ExtractSource, FileSummary, FlaggedRow, Outcome, ReadOptions, Unreadable,
    read_extracts_with,
};
use relais_formats::profile::Profile;
use std::convert::Infallible;

/// Everything the reader told, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Accept(Entity, u64, Box<Record>),
    Reject(FlaggedRow),
    /// The warnings of a row accepted all the same (its `Accept` follows).
    Warn(FlaggedRow),
    Done(FileSummary),
    Unreadable(Unreadable),
}

#[derive(Default)]
pub struct Recorder {
    pub events: Vec<Event>,
}

impl ExtractSink for Recorder {
    type Error = Infallible;

    fn accept(&mut self, entity: Entity, line: u64, record: Record) -> Result<(), Infallible> {
        self.events
            .push(Event::Accept(entity, line, Box::new(record)));
        Ok(())
    }

    fn reject(&mut self, row: FlaggedRow) -> Result<(), Infallible> {
        self.events.push(Event::Reject(row));
        Ok(())
    }

    fn warn(&mut self, row: FlaggedRow) -> Result<(), Infallible> {
        self.events.push(Event::Warn(row));
        Ok(())
    }

    fn file_done(&mut self, summary: &FileSummary) -> Result<(), Infallible> {
        self.events.push(Event::Done(summary.clone()));
        Ok(())
    }

    fn file_unreadable(&mut self, problem: &Unreadable) -> Result<(), Infallible> {
        self.events.push(Event::Unreadable(problem.clone()));
        Ok(())
    }
}

/// What a read gave, with helpers to look at it.
pub struct Read {
    pub outcome: Outcome,
    pub events: Vec<Event>,
}

impl Read {
    pub fn accepted(&self, entity: Entity) -> Vec<(u64, Record)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Accept(en, line, r) if *en == entity => Some((*line, (**r).clone())),
                _ => None,
            })
            .collect()
    }

    pub fn accepted_lines(&self, entity: Entity) -> Vec<u64> {
        self.accepted(entity).into_iter().map(|(l, _)| l).collect()
    }

    pub fn rejected(&self, entity: Entity) -> Vec<FlaggedRow> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Reject(r) if r.entity == entity => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    /// The warnings of accepted rows of `entity`.
    pub fn warned(&self, entity: Entity) -> Vec<FlaggedRow> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Warn(r) if r.entity == entity => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    /// The codes of the warnings of the accepted row of `entity` at `line`.
    pub fn warnings_at(&self, entity: Entity, line: u64) -> Vec<String> {
        let rows: Vec<FlaggedRow> = self
            .warned(entity)
            .into_iter()
            .filter(|r| r.line == line)
            .collect();
        assert_eq!(rows.len(), 1, "warnings at line {line}: {:#?}", self.events);
        rows.into_iter()
            .flat_map(|r| r.problems)
            .map(|p| p.code)
            .collect()
    }

    /// The one rejected row of `entity` at `line`.
    pub fn rejected_at(&self, entity: Entity, line: u64) -> FlaggedRow {
        let rows: Vec<FlaggedRow> = self
            .rejected(entity)
            .into_iter()
            .filter(|r| r.line == line)
            .collect();
        assert_eq!(
            rows.len(),
            1,
            "one rejected row at line {line}: {:#?}",
            self.events
        );
        rows.into_iter().next().expect("one row")
    }

    /// The codes of the problems of the rejected row at `line`.
    pub fn codes_at(&self, entity: Entity, line: u64) -> Vec<String> {
        self.rejected_at(entity, line)
            .problems
            .into_iter()
            .map(|p| p.code)
            .collect()
    }

    pub fn summary(&self, entity: Entity) -> FileSummary {
        self.outcome
            .files
            .iter()
            .find(|f| f.entity == entity)
            .cloned()
            .expect("a summary for the file")
    }

    pub fn unreadable(&self, file: &str) -> Unreadable {
        self.outcome
            .unreadable
            .iter()
            .find(|u| u.file == file)
            .cloned()
            .expect("the file is unreadable")
    }
}

/// Sorts of a few keys each, merged three at a time: every file of every test goes through
/// temporary files and merges in several rounds, the path a large set takes.
pub fn tiny_sorts() -> ReadOptions {
    ReadOptions::default().spill_chunk_bytes(64).merge_fan_in(3)
}

pub fn read_with(source: &dyn ExtractSource, profile: &Profile) -> Read {
    read_with_options(source, profile, &tiny_sorts())
}

pub fn read_with_options(
    source: &dyn ExtractSource,
    profile: &Profile,
    options: &ReadOptions,
) -> Read {
    let mut sink = Recorder::default();
    let outcome = match read_extracts_with(source, profile, &mut sink, options) {
        Ok(o) => o,
        Err(e) => match e {},
    };
    Read {
        outcome,
        events: sink.events,
    }
}

pub fn read(source: &dyn ExtractSource) -> Read {
    read_with(source, &Profile::default())
}

// Valid identifiers (checked by the core's own tests).
pub const IBAN: &str = "FR7630006000011234567890189";
pub const BIC: &str = "BNPAFRPP";
pub const NIR: &str = "185057800604830";
pub const SIRET: &str = "73282932000074";

pub const ANNUAIRE: &str =
    "site_code;site;service;telephone;email;adresse;horaires;depot_papier;public";
pub const BENEF: &str =
    "dossier;nir;nom;prenom;date_naissance;adresse;code_postal;commune;telephone;site;date_deces";
pub const TIERS: &str =
    "tiers_id;type;nom;siret;iban;bic;titulaire;adresse;code_postal;commune;iban_modifie_le";
pub const DROITS: &str =
    "droit_id;dossier;prestation;montant_mensuel;date_debut;date_fin;statut;tiers_id;imputation";
pub const PAIEMENTS: &str = "droit_id;mois;montant;date_paiement;reference";
pub const AGENTS: &str =
    "matricule;nom;prenom;nir;iban;bic;net_mensuel;variables;date_entree;date_sortie;service";
pub const FOURNISSEURS: &str = "siret;raison_sociale;iban;bic;adresse;code_postal;commune";
pub const FACTURES: &str =
    "facture_id;siret;numero;date_facture;date_reception;montant_ttc;engagement;statut";

pub fn annuaire_row(site: &str, service: &str) -> String {
    format!(
        "{site};Maison des solidarités;{service};01 99 00 12 34;mds@demo.invalid;1 rue de la Paix 77000 Melun;9h-17h;oui;oui"
    )
}

pub fn benef_row(dossier: &str) -> String {
    format!(
        "{dossier};{NIR};Dupont;Jean;01/02/1950;1 rue de la Paix;77000;Melun;01 99 00 12 34;MDS01;"
    )
}

pub fn tiers_row(id: &str) -> String {
    format!("{id};personne;Dupont Jean;;{IBAN};{BIC};Jean Dupont;1 rue de la Paix;77000;Melun;")
}

pub fn droit_row(id: &str, dossier: &str, tiers: &str) -> String {
    format!("{id};{dossier};APA_DOM;512,30;01/01/2025;31/12/2026;en_paiement;{tiers};6514")
}

pub fn paiement_row(droit: &str, mois: &str) -> String {
    format!(
        "{droit};{mois};512,30;05/{}/{};VIR-{droit}-{mois}",
        &mois[5..7],
        &mois[0..4]
    )
}

pub fn agent_row(matricule: &str) -> String {
    format!("{matricule};Martin;Claire;{NIR};{IBAN};{BIC};2 104,55;120,00;01/09/2015;;Routes")
}

pub fn fournisseur_row(siret: &str) -> String {
    format!("{siret};Transports Dupont SARL;{IBAN};{BIC};2 avenue Foch;77000;Melun")
}

pub fn facture_row(id: &str, siret: &str) -> String {
    format!("{id};{siret};F-2026-{id};02/03/2026;05/03/2026;1 200,00;ENG-1;a_payer")
}

/// A file: header then rows, each line ended by `\n`.
pub fn csv(header: &str, rows: &[String]) -> Vec<u8> {
    let mut out = String::from(header);
    out.push('\n');
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out.into_bytes()
}
