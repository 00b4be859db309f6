//! The crisis cell's main courante: append-only, and an edit or a removal behind the
//! backend's guards is caught by the journal's verification.

use super::fixtures::{Fixture, add_user, with_admin};
use super::{CouranteTamper, TestBackend};
use relais_core::crisis::{EntryContent, EntryKind, NewEntry};
use relais_core::roles::Role;
use relais_store::StoreError;

fn entry(text: &str) -> NewEntry {
    NewEntry {
        at: None,
        content: EntryContent::new(EntryKind::Decision, text),
    }
}

/// The administrator and "cellule" (role crise): a journal of two entries.
fn cell<B: TestBackend>() -> Fixture<B> {
    let mut f = with_admin::<B>();
    add_user(&mut f.store, "cellule", &[Role::Crise]);
    f
}

pub fn entries_carry_their_journal_event_and_cannot_be_rewritten<B: TestBackend>() {
    let mut f = cell::<B>();
    let s = &mut f.store;
    let first = s
        .add_entry("cellule", &entry("Couper Internet"))
        .expect("add");
    let second = s
        .add_entry("cellule", &entry("Ouvrir la cellule"))
        .expect("add");
    assert_eq!((first.id, second.id), (1, 2));
    let journal = s.journal_entries(first.journal_seq, 1).expect("journal");
    assert_eq!(journal[0].kind, "courante.add");
    assert_eq!(journal[0].hash.to_hex(), first.journal_hash);
    assert!(journal[0].payload.contains("Couper Internet"));
    assert_eq!(s.entries().expect("list"), vec![first, second]);
    assert!(s.courante_refuses_rewrite(1));
    assert_eq!(s.verify_journal().expect("intact"), 2 + 2);
}

pub fn an_edited_courante_entry_is_caught_by_verify<B: TestBackend>() {
    let mut f = cell::<B>();
    let s = &mut f.store;
    s.add_entry("cellule", &entry("Ne pas payer la rançon"))
        .expect("add");
    s.add_entry("cellule", &entry("Plainte déposée"))
        .expect("add");
    s.tamper_courante(CouranteTamper::Edit {
        id: 1,
        text: "Payer la rançon",
    });
    match s.verify_journal() {
        Err(StoreError::Tampered(what)) => {
            assert!(what.contains("l'entrée n° 1 de la main courante"), "{what}")
        }
        other => panic!("an edited entry must be caught: {other:?}"),
    }
}

pub fn a_removed_courante_entry_is_caught_by_verify<B: TestBackend>() {
    let mut f = cell::<B>();
    let s = &mut f.store;
    s.add_entry("cellule", &entry("Première")).expect("add");
    let second = s.add_entry("cellule", &entry("Seconde")).expect("add");
    s.tamper_courante(CouranteTamper::Remove { id: 2 });
    match s.verify_journal() {
        Err(StoreError::Tampered(what)) => assert!(
            what.contains(&format!("n° {} du journal", second.journal_seq)),
            "{what}"
        ),
        other => panic!("a removed entry must be caught: {other:?}"),
    }
}
