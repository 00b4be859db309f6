//! Files that cannot be read at all, files that are not there, and a sink that fails.

use crate::support::*;
use relais_core::records::Record;
use relais_formats::extract::{
    Entity, ExtractSink, ExtractSource, FileSummary, FlaggedRow, MemorySource, ReadError,
    Unreadable, read_extracts,
};
use relais_formats::profile::Profile;

#[test]
fn a_missing_required_column_makes_the_file_unreadable_and_names_every_one() {
    let header = "dossier;nom;prenom;adresse;code_postal;commune;telephone";
    let source = MemorySource::new().with("beneficiaires.csv", csv(header, &["D1".into()]));
    let r = read(&source);
    let u = r.unreadable("beneficiaires.csv");
    assert_eq!(u.code, "colonne_manquante");
    assert!(
        u.message_fr.contains("date_naissance, site"),
        "{}",
        u.message_fr
    );
    assert!(u.message_fr.contains("« prenom »"), "{}", u.message_fr);
    assert!(u.message_en.contains("date_naissance, site"));
    // Reported once, as unreadable, with no summary and no row.
    assert!(
        r.outcome
            .files
            .iter()
            .all(|f| f.entity != Entity::Beneficiaires)
    );
    let unreadable_events = r
        .events
        .iter()
        .filter(|e| matches!(e, Event::Unreadable(_)))
        .count();
    assert_eq!(unreadable_events, 1);
    assert!(r.rejected(Entity::Beneficiaires).is_empty());
    assert_eq!(r.outcome.rejected_rows(), 0);
}

#[test]
fn optional_columns_may_be_missing_from_the_header() {
    let header = "dossier;nom;prenom;date_naissance;adresse;code_postal;commune;telephone;site";
    let row = "D1;Dupont;Jean;01/02/1950;1 rue;77000;Melun;;MDS01";
    let r = read(&MemorySource::new().with("beneficiaires.csv", csv(header, &[row.into()])));
    assert_eq!(r.accepted_lines(Entity::Beneficiaires), vec![2]);
}

#[test]
fn two_columns_for_one_field() {
    let header = format!("{BENEF};Nom");
    let r = read(&MemorySource::new().with("beneficiaires.csv", csv(&header, &[])));
    let u = r.unreadable("beneficiaires.csv");
    assert_eq!(u.code, "colonne_double");
    assert!(
        u.message_fr.contains("nom : colonnes 3 et 12"),
        "{}",
        u.message_fr
    );
}

#[test]
fn binary_empty_and_blank_files_are_unreadable() {
    let source = MemorySource::new()
        .with(
            "annuaire.csv",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec(),
        )
        .with("beneficiaires.csv", Vec::new())
        .with("tiers.csv", "\r\n\n ; ;\n");
    let r = read(&source);
    for file in ["annuaire.csv", "beneficiaires.csv", "tiers.csv"] {
        assert_eq!(r.unreadable(file).code, "fichier_illisible", "{file}");
    }
    assert!(
        r.unreadable("annuaire.csv")
            .message_fr
            .contains("pas un fichier texte")
    );
    assert!(
        r.unreadable("beneficiaires.csv")
            .message_fr
            .contains("vide")
    );
}

#[test]
fn a_header_without_rows_is_a_file_of_zero_rows() {
    let r = read(&MemorySource::new().with("tiers.csv", format!("{TIERS}\n")));
    let s = r.summary(Entity::Tiers);
    assert!(s.present);
    assert_eq!((s.rows, s.accepted, s.rejected), (0, 0, 0));
    assert!(r.outcome.unreadable.is_empty());
}

#[test]
fn absent_files_are_reported_in_order() {
    let r = read(&MemorySource::new().with("agents.csv", csv(AGENTS, &[agent_row("A1")])));
    let done: Vec<(Entity, bool)> = r
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Done(s) => Some((s.entity, s.present)),
            _ => None,
        })
        .collect();
    let expected: Vec<(Entity, bool)> = Entity::ALL
        .iter()
        .map(|&e| (e, e == Entity::Agents))
        .collect();
    assert_eq!(done, expected);
    assert_eq!(r.summary(Entity::Droits).amount_total, None);
}

/// A source whose files fail: on open, or after `after` bytes of reading.
struct Failing {
    inner: MemorySource,
    fail_open: &'static str,
    fail_read: &'static str,
    after: usize,
}

struct BrokenReader<'a> {
    bytes: &'a [u8],
    left: usize,
}

impl std::io::Read for BrokenReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("secteur illisible"));
        }
        let n = buf.len().min(self.left).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.left -= n;
        Ok(n)
    }
}

impl ExtractSource for Failing {
    fn open(&self, name: &str) -> std::io::Result<Option<Box<dyn std::io::Read + '_>>> {
        if name == self.fail_open {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "accès refusé",
            ));
        }
        if name == self.fail_read {
            let bytes = self.inner.get(name).unwrap_or(&[]);
            return Ok(Some(Box::new(BrokenReader {
                bytes,
                left: self.after,
            })));
        }
        self.inner.open(name)
    }
}

#[test]
fn input_errors_make_the_file_unreadable() {
    let rows: Vec<String> = (0..5000).map(|i| tiers_row(&format!("T{i}"))).collect();
    let source = Failing {
        inner: MemorySource::new()
            .with("beneficiaires.csv", csv(BENEF, &[benef_row("D1")]))
            .with("tiers.csv", csv(TIERS, &rows))
            .with("droits.csv", csv(DROITS, &[droit_row("R1", "D1", "T1")])),
        fail_open: "beneficiaires.csv",
        fail_read: "tiers.csv",
        after: 100_000,
    };
    let r = read(&source);
    let u = r.unreadable("beneficiaires.csv");
    assert_eq!(u.code, "fichier_illisible");
    assert!(u.message_fr.contains("accès refusé"), "{}", u.message_fr);
    let u = r.unreadable("tiers.csv");
    assert!(
        u.message_fr.contains("secteur illisible"),
        "{}",
        u.message_fr
    );
    // Nothing of the broken file was handed over: the first pass met the error.
    assert!(r.accepted(Entity::Tiers).is_empty());
    assert_eq!(
        r.codes_at(Entity::Droits, 2),
        vec!["personne_inconnue", "tiers_inconnu"]
    );
}

/// A sink that fails on the second row it is given.
struct Refusing {
    rows: usize,
}

impl ExtractSink for Refusing {
    type Error = String;
    fn accept(&mut self, _: Entity, _: u64, _: Record) -> Result<(), String> {
        self.rows += 1;
        if self.rows == 2 {
            Err("disque plein".into())
        } else {
            Ok(())
        }
    }
    fn reject(&mut self, _: FlaggedRow) -> Result<(), String> {
        Ok(())
    }
    fn file_done(&mut self, _: &FileSummary) -> Result<(), String> {
        Ok(())
    }
    fn file_unreadable(&mut self, _: &Unreadable) -> Result<(), String> {
        Ok(())
    }
}

#[test]
fn a_sink_error_stops_the_reading() {
    let source = MemorySource::new().with(
        "beneficiaires.csv",
        csv(BENEF, &[benef_row("D1"), benef_row("D2"), benef_row("D3")]),
    );
    let mut sink = Refusing { rows: 0 };
    match read_extracts(&source, &Profile::default(), &mut sink) {
        Err(ReadError::Sink(e)) => assert_eq!(e, "disque plein"),
        Ok(o) => panic!("read on: {o:?}"),
    }
    assert_eq!(sink.rows, 2);
}

/// A source whose file changes after its first reading.
struct Changing {
    first: Vec<u8>,
    then: Vec<u8>,
    opened: std::cell::Cell<u32>,
}

impl ExtractSource for Changing {
    fn open(&self, name: &str) -> std::io::Result<Option<Box<dyn std::io::Read + '_>>> {
        if name != "tiers.csv" {
            return Ok(None);
        }
        self.opened.set(self.opened.get() + 1);
        let bytes = if self.opened.get() == 1 {
            &self.first
        } else {
            &self.then
        };
        Ok(Some(Box::new(&bytes[..])))
    }
}

#[test]
fn a_file_replaced_between_the_two_readings_is_unreadable() {
    let source = Changing {
        first: csv(TIERS, &[tiers_row("T1")]),
        then: csv(
            &TIERS.replace("tiers_id;type", "type;tiers_id"),
            &[tiers_row("T1")],
        ),
        opened: std::cell::Cell::new(0),
    };
    let r = read(&source);
    let u = r.unreadable("tiers.csv");
    assert!(u.message_fr.contains("a changé"), "{}", u.message_fr);
    assert!(r.accepted(Entity::Tiers).is_empty() && r.rejected(Entity::Tiers).is_empty());
}
