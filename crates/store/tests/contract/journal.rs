//! The journal: a chain every entry extends, which no one rewrites unseen.

use super::fixtures::{Fixture, add_user, with_admin};
use super::{JournalTamper, TestBackend};
use relais_core::journal::ChainError;
use relais_core::roles::Role;
use relais_store::StoreError;

pub fn the_journal_refuses_rewrite_and_delete<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    assert!(s.journal_refuses_rewrite(1));
    assert_eq!(s.verify_journal().expect("verify"), 1);
}

/// A journal of `n` entries: the administrator and `n - 1` users.
fn journal_of<B: TestBackend>(n: usize) -> Fixture<B> {
    let mut f = with_admin::<B>();
    for i in 1..n {
        add_user(&mut f.store, &format!("u{i}"), &[Role::Accueil]);
    }
    f
}

pub fn an_altered_entry_is_named<B: TestBackend>() {
    let f = journal_of::<B>(5);
    f.store.tamper_journal(JournalTamper::Alter {
        seq: 3,
        from: "u2",
        to: "u9",
    });
    assert!(matches!(
        f.store.verify_journal(),
        Err(StoreError::Journal(ChainError::Content { seq: 3 }))
    ));
}

pub fn a_removed_entry_is_named<B: TestBackend>() {
    let f = journal_of::<B>(5);
    f.store.tamper_journal(JournalTamper::Remove { seq: 2 });
    assert!(matches!(
        f.store.verify_journal(),
        Err(StoreError::Journal(ChainError::Sequence {
            expected: 2,
            found: 3
        }))
    ));
}

pub fn a_removed_last_entry_is_caught<B: TestBackend>() {
    let f = journal_of::<B>(5);
    f.store.tamper_journal(JournalTamper::Remove { seq: 5 });
    assert!(matches!(
        f.store.verify_journal(),
        Err(StoreError::Journal(ChainError::Truncated {
            last: 4,
            head: 5
        }))
    ));
}

pub fn reordered_entries_are_named<B: TestBackend>() {
    let f = journal_of::<B>(5);
    f.store.tamper_journal(JournalTamper::Swap { a: 2, b: 3 });
    assert!(matches!(
        f.store.verify_journal(),
        Err(StoreError::Journal(ChainError::Link { seq: 2 }))
    ));
}
