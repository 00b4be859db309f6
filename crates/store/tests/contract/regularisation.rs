//! A run's regularisation by mandats émis après paiement: its numbers continue the exercice's
//! (after the run's own, before the next run's), taken once with the journal entry; asking
//! again gives the same numbers and takes none; refused before the export, to any role but
//! ordonnateur, and when another writer took numbers since the file was written.

use super::runs::{prepared, with_rights};
use super::{Kept, TestBackend};
use relais_core::run::RunId;
use relais_store::regularisation::{RecordRegularisation, RegularisationError};

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn request(run: RunId, actor: &str, b: u32, first: u32, last: u32) -> RecordRegularisation<'_> {
    RecordRegularisation {
        run,
        actor,
        local_time: "2026-12-03 10:00",
        exercice: 2026,
        bordereau: b,
        last_bordereau: b,
        first_mandate: first,
        last_mandate: last,
        sha256: SHA,
        file: "PES_REGUL.xml",
    }
}

/// A validated and exported run of the fixture (three mandates): bordereau 42, mandates
/// 1,201 to 1,203.
fn exported<B: TestBackend>(store: &mut B, month: &str) -> RunId {
    let id = prepared(store, month);
    store
        .validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    store
        .record_run_export(id, "liq", &serde_json::json!({}))
        .expect("export");
    id
}

pub fn a_regularisation_continues_the_numbering_and_is_given_once<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let id = exported(&mut f.store, "2026-08");
    let run = f.store.run(id).expect("read").expect("run");
    assert_eq!(run.bordereau, Some((2026, 42)));
    assert_eq!(run.first_mandate, Some(1_201));
    assert_eq!(run.summary.mandates, 3);
    let cumul = f.store.numbering(2026).expect("n").expect("n").cumul;

    let (done, created) = f
        .store
        .record_regularisation(&request(id, "ord", 43, 1_204, 1_206))
        .expect("regularise");
    assert!(created);
    assert_eq!(
        (done.bordereau, done.first_mandate, done.last_mandate),
        (43, 1_204, 1_206)
    );
    let n = f.store.numbering(2026).expect("n").expect("n");
    assert_eq!((n.last_bordereau, n.last_mandate), (43, 1_206));
    // The payments were counted when the run was validated.
    assert_eq!(n.cumul, cumul);
    let entries = f
        .store
        .journal_entries(done.journal_seq, 1)
        .expect("journal");
    let entry = entries.first().expect("entry");
    assert_eq!(entry.kind, "run_regularise");
    assert_eq!(entry.seq, done.journal_seq);

    // Again, even with other numbers: the same regularisation, nothing taken.
    for (b, first, last) in [(43, 1_204, 1_206), (44, 1_207, 1_209)] {
        let (again, created) = f
            .store
            .record_regularisation(&request(id, "ord2", b, first, last))
            .expect("again");
        assert!(!created);
        assert_eq!(again, done);
    }
    assert_eq!(f.store.regularisation(id).expect("read"), Some(done));
    let n = f.store.numbering(2026).expect("n").expect("n");
    assert_eq!((n.last_bordereau, n.last_mandate), (43, 1_206));

    // The next run continues after the regularisation's numbers.
    let next = prepared(&mut f.store, "2026-09");
    let next = f
        .store
        .validate_run(next, "ord", "2026-12-04 10:00")
        .expect("validate");
    assert_eq!(next.bordereau, Some((2026, 44)));
    assert_eq!(next.first_mandate, Some(1_207));
    assert!(f.store.refuses_rewrite(Kept::Regularisation));
    assert!(f.store.verify_journal().is_ok());
}

pub fn a_regularisation_waits_for_the_export_and_an_ordonnateur<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let id = prepared(&mut f.store, "2026-08");
    let err = f
        .store
        .record_regularisation(&request(id, "ord", 42, 1_201, 1_203))
        .expect_err("prepared only");
    assert!(
        matches!(err, RegularisationError::NotValidated { .. }),
        "{err}"
    );
    f.store
        .validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    assert!(!f.store.run_exported(id).expect("read"));
    let err = f
        .store
        .record_regularisation(&request(id, "ord", 43, 1_204, 1_206))
        .expect_err("not exported");
    assert!(matches!(err, RegularisationError::NotExported(_)), "{err}");
    f.store
        .record_run_export(id, "liq", &serde_json::json!({}))
        .expect("export");
    assert!(f.store.run_exported(id).expect("read"));
    let err = f
        .store
        .record_regularisation(&request(id, "liq", 43, 1_204, 1_206))
        .expect_err("liquidation may not");
    assert!(matches!(err, RegularisationError::Store(_)), "{err}");
    let n = f.store.numbering(2026).expect("n").expect("n");
    assert_eq!((n.last_bordereau, n.last_mandate), (42, 1_203));
    assert_eq!(f.store.regularisation(id).expect("read"), None);
}

pub fn numbers_taken_meanwhile_refuse_the_file_written_before<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let id = exported(&mut f.store, "2026-08");
    // The file was written with bordereau 43; a run validated meanwhile took it.
    let other = prepared(&mut f.store, "2026-09");
    f.store
        .validate_run(other, "ord", "2026-12-02 10:00")
        .expect("validate");
    let err = f
        .store
        .record_regularisation(&request(id, "ord", 43, 1_204, 1_206))
        .expect_err("numbers moved");
    assert!(
        matches!(err, RegularisationError::NumberingMoved { .. }),
        "{err}"
    );
    assert_eq!(f.store.regularisation(id).expect("read"), None);
    let (done, _) = f
        .store
        .record_regularisation(&request(id, "ord", 44, 1_207, 1_209))
        .expect("written again with the next numbers");
    assert_eq!((done.bordereau, done.first_mandate), (44, 1_207));
}
