//! The CAF's statements (`relais_store::caf`): import all or nothing, by the right roles,
//! replaced and journaled without NIRs; the totals a payment run needs; the comparison with the
//! RSA rights, household by household. That a validated run keeps its month's statement needs
//! a validated run: each backend's own test (`tests/caf.rs` for SQLite).

use super::TestBackend;
use super::fixtures::{Fixture, add_user, import, month, payee, person, right, with_admin};
use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::Nir;
use relais_core::records::{Benefit, PayeeKind, Record, RightStatus};
use relais_core::roles::Role;
use relais_formats::caf::CafRow;
use relais_store::StoreError;
use relais_store::caf::{CafDiscrepancy, CafError, CafImported, Tally};
use serde_json::json;

fn nir(n: u32) -> Nir {
    Nir::from_first13(&format!("18505780{n:05}")).expect("nir")
}

/// D1 RSA 600 €; D2 RSA 500 €; D3 RSA 400 €; D4 RSA 300 €; D5 a suspended RSA and an APA;
/// D6 an RSA of 600 € ending on 15 November and its renewal from the 16th; D7 died in
/// October. Users: admin, liq (liquidation), ord (ordonnateur), acc (accueil).
fn fixture<B: TestBackend>() -> Fixture<B> {
    let mut f = with_admin::<B>();
    add_user(&mut f.store, "liq", &[Role::Liquidation]);
    add_user(&mut f.store, "ord", &[Role::Ordonnateur]);
    add_user(&mut f.store, "acc", &[Role::Accueil]);
    let mut records = vec![payee("CAF", "CAF", 1, PayeeKind::Etablissement)];
    for n in 1..=7 {
        let death = (n == 7).then_some(date(2026, 10, 20));
        let mut p = person(&format!("D{n}"), "MARTIN", "Jeanne", death);
        if let Record::Beneficiary(b) = &mut p {
            b.nir = Some(nir(n));
        }
        records.push(p);
    }
    let rsa = |id: &str, dossier: &str, cents| right(id, dossier, "CAF", Benefit::Rsa, cents);
    let mut rights = vec![
        rsa("R1", "D1", 60_000),
        rsa("R2", "D2", 50_000),
        rsa("R3", "D3", 40_000),
        rsa("R4", "D4", 30_000),
        rsa("R5", "D5", 20_000),
        right("R5b", "D5", "CAF", Benefit::ApaDom, 20_000),
        rsa("R6a", "D6", 60_000),
        rsa("R6b", "D6", 60_000),
        rsa("R7", "D7", 45_000),
    ];
    for r in &mut rights {
        if let Record::Right(r) = r {
            match r.id.as_str() {
                "R5" => r.status = RightStatus::Suspendu,
                "R6a" => r.end = date(2026, 11, 15),
                "R6b" => r.start = date(2026, 11, 16),
                _ => {}
            }
        }
    }
    records.extend(rights);
    import(&mut f.store, &records);
    f
}

fn row(
    line: u64,
    allocataire: &str,
    nir: Option<Nir>,
    dossier: Option<&str>,
    cents: i64,
) -> CafRow {
    CafRow {
        line,
        allocataire: allocataire.into(),
        nir,
        dossier: dossier.map(str::to_owned),
        amount: Cents(cents),
    }
}

const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const SHA2: &str = "0000000000000000000000000000000000000000000000000000000000000002";

fn import_caf<B: TestBackend>(
    store: &mut B,
    actor: &str,
    m: &str,
    rows: &[CafRow],
    sha: &str,
) -> Result<CafImported, CafError> {
    let mut session = store.begin_caf_import(actor, month(m))?;
    for r in rows {
        session.insert(r)?;
    }
    session.commit(sha, 0)
}

/// November's statement: D1 exact; D2 found by its NIR (its dossier is wrong), 20 € more
/// (within the threshold); D3 100 € more; no row for D4; D5 has no payable RSA; D6 paid
/// once for both halves; one unknown person; D7 died before the month.
fn november() -> Vec<CafRow> {
    vec![
        row(2, "A1", Some(nir(1)), Some("D1"), 60_000),
        row(3, "A2", Some(nir(2)), Some("X2"), 52_000),
        row(4, "A3", None, Some("D3"), 50_000),
        row(5, "A5", None, Some("D5"), 20_000),
        row(6, "A6", None, Some("D6"), 60_000),
        row(7, "A9", Some(nir(99)), Some("D99"), 12_345),
    ]
}

pub fn totals_for_the_payment_run<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = fixture::<B>();
    assert_eq!(
        store.caf_statement_total(month("2026-11")).expect("total"),
        None
    );
    assert_eq!(
        store
            .latest_caf_statement_before(month("2026-12"))
            .expect("latest"),
        None
    );
    let october = [
        row(2, "A1", None, Some("D1"), 60_000),
        row(3, "A2", None, None, 1),
    ];
    import_caf(&mut store, "liq", "2026-10", &october, SHA).expect("october");
    let imported = import_caf(&mut store, "ord", "2026-11", &november(), SHA).expect("november");
    let total = Cents(60_000 + 52_000 + 50_000 + 20_000 + 60_000 + 12_345);
    assert_eq!(imported.statement.total, total);
    assert_eq!(imported.statement.rows, 6);
    assert_eq!(imported.statement.imported_by, "ord");
    assert_eq!(imported.replaced, None);
    assert!(imported.prepared_runs.is_empty());
    let got = |m: &str| store.caf_statement_total(month(m)).expect("total");
    assert_eq!(got("2026-11"), Some(total));
    assert_eq!(got("2026-10"), Some(Cents(60_001)));
    assert_eq!(got("2026-09"), None);
    let latest = |m: &str| store.latest_caf_statement_before(month(m)).expect("latest");
    assert_eq!(latest("2027-03"), Some((month("2026-11"), total)));
    assert_eq!(latest("2026-12"), Some((month("2026-11"), total)));
    assert_eq!(latest("2026-11"), Some((month("2026-10"), Cents(60_001))));
    assert_eq!(latest("2026-10"), None);
    let statement = store
        .caf_statement(month("2026-11"))
        .expect("read")
        .expect("there");
    assert_eq!(statement.file_sha256, SHA);
    assert_eq!(statement, imported.statement);
}

pub fn comparison_household_by_household<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = fixture::<B>();
    import_caf(&mut store, "liq", "2026-11", &november(), SHA).expect("import");
    let mut seen = Vec::new();
    let cmp = store
        .compare_caf_statement(month("2026-11"), Cents(5_000), &mut |d| {
            seen.push(d.clone())
        })
        .expect("compare")
        .expect("imported");
    assert_eq!(
        seen,
        vec![
            CafDiscrepancy::UnknownPerson(row(7, "A9", Some(nir(99)), Some("D99"), 12_345)),
            CafDiscrepancy::AmountDiffers {
                dossier: "D3".into(),
                rows: vec![(4, "A3".into())],
                right_ids: vec!["R3".into()],
                statement: Cents(50_000),
                rights: Cents(40_000),
            },
            CafDiscrepancy::MissingRow {
                right_id: "R4".into(),
                dossier: "D4".into(),
                amount: Cents(30_000),
            },
            CafDiscrepancy::NoRight {
                dossier: "D5".into(),
                row: row(5, "A5", None, Some("D5"), 20_000),
            },
        ]
    );
    let tally = |count, cents| Tally {
        count,
        amount: Cents(cents),
    };
    assert_eq!(cmp.statement, tally(6, 254_345));
    // R1, R2, R3, R4, and D6's two halves (30,000 for 15 days of 30, and the rest).
    assert_eq!(
        cmp.rights,
        tally(6, 60_000 + 50_000 + 40_000 + 30_000 + 60_000)
    );
    assert_eq!(cmp.matched, tally(4, 60_000 + 52_000 + 50_000 + 60_000));
    assert_eq!(cmp.differing, tally(1, 50_000));
    assert_eq!(cmp.differing_rights, Cents(40_000));
    assert_eq!(cmp.unknown, tally(1, 12_345));
    assert_eq!(cmp.without_right, tally(1, 20_000));
    assert_eq!(cmp.missing, tally(1, 30_000));
    // With a threshold of 10 €, D2's 20 € show too; of 100 €, D3's exactly 100 € do not.
    let differing = |euros: i64| {
        let mut n = Vec::new();
        store
            .compare_caf_statement(month("2026-11"), Cents(euros * 100), &mut |d| {
                if let CafDiscrepancy::AmountDiffers { dossier, .. } = d {
                    n.push(dossier.clone());
                }
            })
            .expect("compare");
        n
    };
    assert_eq!(differing(10), vec!["D2".to_owned(), "D3".to_owned()]);
    assert!(differing(100).is_empty());
    let none = store
        .compare_caf_statement(month("2026-12"), Cents(5_000), &mut |_| {})
        .expect("compare");
    assert_eq!(none, None);
}

pub fn only_liquidation_or_ordonnateur_import<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = fixture::<B>();
    for actor in ["acc", "admin"] {
        match import_caf(&mut store, actor, "2026-11", &november(), SHA) {
            Err(CafError::Store(StoreError::Forbidden { login, .. })) => assert_eq!(login, actor),
            other => panic!("{actor}: {other:?}"),
        }
    }
    assert!(matches!(
        import_caf(&mut store, "nobody", "2026-11", &november(), SHA),
        Err(CafError::Store(StoreError::UnknownUser(_)))
    ));
    assert_eq!(store.caf_statement(month("2026-11")).expect("read"), None);
    import_caf(&mut store, "liq", "2026-11", &november(), SHA).expect("liquidation");
    import_caf(&mut store, "ord", "2026-11", &november(), SHA2).expect("ordonnateur");
}

pub fn a_statement_is_all_or_nothing<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = fixture::<B>();
    import_caf(&mut store, "liq", "2026-11", &november(), SHA).expect("first");
    let before = store.journal_entries(1, 1_000).expect("journal").len();
    let other = [row(2, "B1", None, Some("D1"), 100)];
    // Rows rejected by the reader: the statement is refused whole, the old one stays.
    let mut session = store
        .begin_caf_import("liq", month("2026-11"))
        .expect("begin");
    session.insert(&other[0]).expect("insert");
    match session.commit(SHA2, 2) {
        Err(e @ CafError::RejectedRows { rejected: 2, .. }) => {
            assert!(e.to_string().contains("refusé en entier"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // No row at all.
    assert!(matches!(
        import_caf(&mut store, "liq", "2026-11", &[], SHA2),
        Err(CafError::Empty(_))
    ));
    // A session dropped (the file could not be read to its end).
    {
        let mut session = store
            .begin_caf_import("liq", month("2026-11"))
            .expect("begin");
        session.insert(&other[0]).expect("insert");
    }
    let kept = store
        .caf_statement(month("2026-11"))
        .expect("read")
        .expect("kept");
    assert_eq!((kept.rows, kept.file_sha256.as_str()), (6, SHA));
    assert_eq!(
        store.journal_entries(1, 1_000).expect("journal").len(),
        before
    );
    // Two rows on one line: the store refuses too.
    let twice = [row(2, "B1", None, None, 1), row(2, "B2", None, None, 1)];
    assert!(import_caf(&mut store, "liq", "2026-11", &twice, SHA2).is_err());
    assert_eq!(
        store.caf_statement_total(month("2026-11")).expect("t"),
        Some(Cents(254_345))
    );
}

pub fn a_replaced_statement_is_journaled_without_nirs<B: TestBackend>() {
    let Fixture {
        dir: _dir,
        mut store,
    } = fixture::<B>();
    import_caf(&mut store, "liq", "2026-11", &november(), SHA).expect("first");
    let again = [row(2, "B1", None, Some("D1"), 60_000)];
    let imported = import_caf(&mut store, "ord", "2026-11", &again, SHA2).expect("replaced");
    assert_eq!(imported.statement.rows, 1);
    assert_eq!(imported.replaced.as_ref().map(|r| r.rows), Some(6));
    let cmp = store
        .compare_caf_statement(month("2026-11"), Cents(5_000), &mut |_| {})
        .expect("compare")
        .expect("imported");
    assert_eq!(cmp.statement.count, 1);
    // The journal: one entry per import, facts and no NIR.
    let entries = store.journal_entries(1, 1_000).expect("journal");
    let caf: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == "caf_statement_import")
        .collect();
    assert_eq!(caf.len(), 2);
    assert_eq!(caf[1].seq, imported.entry.seq);
    let payload: serde_json::Value = serde_json::from_str(&caf[1].payload).expect("json");
    assert_eq!(
        payload,
        json!({ "month": "2026-11", "sha256": SHA2, "rows": 1, "total": 60_000,
                "rejected": 0, "replaces": SHA })
    );
    for e in &entries {
        for n in 1..=7 {
            assert!(!e.payload.contains(nir(n).as_str()), "NIR in {e:?}");
        }
    }
    assert!(!caf[0].payload.contains(nir(99).as_str()));
    // Another month is free.
    import_caf(&mut store, "liq", "2026-12", &november(), SHA).expect("december");
    assert_eq!(
        store.verify_journal().expect("verify"),
        entries.len() as u64 + 1
    );
}
