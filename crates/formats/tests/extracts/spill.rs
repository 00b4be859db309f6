//! Keys sorted in temporary files give exactly what keys sorted in memory give: the same rows
//! accepted and rejected, the same messages on the same lines, the same summaries.

use crate::support::*;
use relais_formats::extract::{Entity, MemorySource, ReadOptions};
use relais_formats::profile::Profile;
use std::collections::BTreeSet;

/// A demo set with `per_mille` deliberately bad rows: duplicates, unknown and rejected
/// references among them.
fn demo_set(size: u32, per_mille: u32) -> MemorySource {
    let config = relais_demo::DemoConfig {
        size,
        seed: 11,
        today: jiff::civil::date(2026, 11, 22),
        bad_per_mille: per_mille,
        agents: None,
    };
    let mut out = relais_demo::MemoryOutput::default();
    relais_demo::generate(&config, &mut out).expect("demo set");
    out.files.into_iter().collect()
}

fn codes(r: &Read) -> BTreeSet<String> {
    r.events
        .iter()
        .filter_map(|e| match e {
            Event::Reject(row) | Event::Warn(row) => {
                Some(row.problems.iter().map(|p| p.code.clone()))
            }
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn tiny_sorts_and_the_default_budget_give_the_same_results() {
    let source = demo_set(4000, 150);
    let profile = Profile::default();
    // The default budget holds this set in memory; the others write every few keys to a
    // temporary file and merge them in several rounds.
    let memory = read_with_options(&source, &profile, &ReadOptions::default());
    let found = codes(&memory);
    for code in [
        "doublon",
        "site_inconnu",
        "personne_inconnue",
        "personne_rejetee",
        "tiers_rejete",
        "droit_inconnu",
        "droit_rejete",
        "fournisseur_inconnu",
    ] {
        assert!(found.contains(code), "no {code} in the demo set: {found:?}");
    }
    for entity in [Entity::Beneficiaires, Entity::Tiers, Entity::Droits] {
        let duplicated = memory
            .rejected(entity)
            .iter()
            .filter(|r| r.problems.iter().any(|p| p.code == "doublon"))
            .count();
        assert!(
            duplicated >= 2,
            "{duplicated} duplicated rows in {entity:?}"
        );
    }
    assert!(memory.outcome.unreadable.is_empty());
    for options in [
        tiny_sorts(),
        ReadOptions::default().spill_chunk_bytes(1).merge_fan_in(2),
        ReadOptions::default()
            .spill_chunk_bytes(4096)
            .merge_fan_in(8),
    ] {
        let spilled = read_with_options(&source, &profile, &options);
        assert_eq!(spilled.outcome, memory.outcome, "{options:?}");
        assert_eq!(spilled.events.len(), memory.events.len(), "{options:?}");
        for (s, m) in spilled.events.iter().zip(&memory.events) {
            assert_eq!(s, m, "{options:?}");
        }
    }
}

#[test]
fn temporary_files_go_where_they_are_told() {
    let source = demo_set(300, 60);
    let dir = tempfile::tempdir().expect("temporary folder");
    let options = tiny_sorts().temp_dir(dir.path());
    let there = read_with_options(&source, &Profile::default(), &options);
    let memory = read_with_options(&source, &Profile::default(), &ReadOptions::default());
    assert_eq!(there.events, memory.events);
    // Anonymous files: nothing is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
}

#[test]
fn a_temporary_folder_that_fails_makes_files_unreadable_not_a_panic() {
    let source = demo_set(300, 60);
    let dir = tempfile::tempdir().expect("temporary folder");
    let options = tiny_sorts().temp_dir(dir.path().join("absent"));
    let r = read_with_options(&source, &Profile::default(), &options);
    assert_eq!(r.outcome.unreadable.len(), 9, "{:#?}", r.outcome.unreadable);
    for u in &r.outcome.unreadable {
        assert_eq!(u.code, "fichier_illisible");
        assert!(
            u.message_fr.contains("fichier temporaire"),
            "{}",
            u.message_fr
        );
    }
    assert!(r.outcome.files.is_empty());
}

/// A source whose `droits.csv` is replaced, same header, between the two readings.
struct Replaced {
    inner: MemorySource,
    then: Vec<u8>,
    opened: std::cell::Cell<u32>,
}

impl relais_formats::extract::ExtractSource for Replaced {
    fn open(&self, name: &str) -> std::io::Result<Option<Box<dyn std::io::Read + '_>>> {
        if name == "droits.csv" {
            self.opened.set(self.opened.get() + 1);
            if self.opened.get() > 1 {
                return Ok(Some(Box::new(&self.then[..])));
            }
        }
        self.inner.open(name)
    }
}

#[test]
fn a_file_replaced_with_the_same_header_is_caught_after_its_rows() {
    // The first reading finds the person D1; the second, which hands the rows over, reads D9,
    // whom nobody knows: the answers prepared for the first cannot be trusted for it.
    let inner = MemorySource::new()
        .with("beneficiaires.csv", csv(BENEF, &[benef_row("D1")]))
        .with("tiers.csv", csv(TIERS, &[tiers_row("T1")]))
        .with("droits.csv", csv(DROITS, &[droit_row("R1", "D1", "T1")]));
    let source = Replaced {
        inner,
        then: csv(DROITS, &[droit_row("R1", "D9", "T1")]),
        opened: std::cell::Cell::new(0),
    };
    let r = read(&source);
    let u = r.unreadable("droits.csv");
    assert!(u.message_fr.contains("a changé"), "{}", u.message_fr);
    assert!(r.outcome.files.iter().all(|f| f.entity != Entity::Droits));
}
