//! Payment runs: a right is paid at most once a month, whatever runs are prepared.

use super::TestBackend;
use super::fixtures::{Fixture, add_user, import, month, payee, person, right, with_admin};
use jiff::civil::date;
use relais_core::Cents;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::roles::Role;
use relais_core::run::{RunId, RunStatus};
use relais_store::StoreError;
use relais_store::numbering::SetNumbering;
use relais_store::runs::{BenefitParams, PrepareRun, RunParams, RunStoreError};
use std::collections::BTreeMap;

pub const ALL: [Benefit; 4] = [
    Benefit::ApaDom,
    Benefit::ApaEtab,
    Benefit::Pch,
    Benefit::Ash,
];

pub fn params() -> RunParams {
    let make = |pay_day| BenefitParams {
        pay_date_note: None,
        by_payee: BTreeMap::new(),
        account: "651141".into(),
        function: "431".into(),
        pay_date: date(2026, 12, pay_day),
        ceiling: None,
    };
    RunParams {
        benefits: ALL.iter().map(|b| (*b, make(10))).collect(),
        change_threshold: Cents(5_000),
        bank_change_days: 30,
        caf: None,
        payroll: None,
    }
}

pub fn request<'a>(actor: &'a str, m: &str) -> PrepareRun<'a> {
    PrepareRun {
        month: month(m),
        actor,
        authority: "Département de test",
        local_time: "2026-12-01 09:00".into(),
        today: date(2026, 12, 1),
        params: params(),
        arrears: None,
    }
}

/// Three people, each paid one right by a payee of their own; preparers "liq" and "liq2",
/// ordonnateurs "ord" and "ord2"; the paierie's last numbers of 2026: bordereau 41, mandate
/// 1,200. No history: any month up to next month may be paid.
pub fn with_rights<B: TestBackend>() -> Fixture<B> {
    let mut f = with_admin::<B>();
    for (login, role) in [
        ("liq", Role::Liquidation),
        ("liq2", Role::Liquidation),
        ("ord", Role::Ordonnateur),
        ("ord2", Role::Ordonnateur),
    ] {
        add_user(&mut f.store, login, &[role]);
    }
    import(
        &mut f.store,
        &[
            person("D1", "MARTIN", "Jeanne", None),
            person("D2", "DURAND", "Paul", None),
            person("D3", "PETIT", "Anne", None),
            payee("T1", "MARTIN Jeanne", 1, PayeeKind::Personne),
            payee("T2", "DURAND Paul", 2, PayeeKind::Personne),
            payee("T3", "PETIT Anne", 3, PayeeKind::Personne),
            right("R1", "D1", "T1", Benefit::ApaDom, 100_000),
            right("R2", "D2", "T2", Benefit::Pch, 31_000),
            right("R3", "D3", "T3", Benefit::Ash, 50_000),
        ],
    );
    f.store
        .set_numbering(&SetNumbering {
            exercice: 2026,
            last_bordereau: 41,
            last_mandate: 1_200,
            cumul: Cents(12_345_678_900),
            reason: "confirmé par la paierie",
            actor: "ord",
            local_time: "2026-11-30 09:00",
        })
        .expect("numbering");
    f
}

pub fn prepared<B: TestBackend>(store: &mut B, m: &str) -> RunId {
    store
        .prepare_run(&request("liq", m), &ALL)
        .expect("prepare")
        .run
        .id
}

fn paid_rights<B: TestBackend>(store: &B, id: RunId) -> Vec<String> {
    let mut out = Vec::new();
    store
        .each_run_line(id, &mut |l, _| {
            out.push(l.right_id.clone());
            Ok(())
        })
        .expect("lines");
    out.sort();
    out
}

/// The backend itself refuses a second claim of a right for a month (a conflict callers can
/// tell apart), and the same request again gets the same run.
pub fn unique_right_month<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let id = prepared(&mut f.store, "2026-12");
    let run = id.to_string();
    assert!(matches!(
        f.store.claim("R1", "2026-12", &run),
        Err(StoreError::Conflict(_))
    ));
    // Another month of the same right is another key.
    assert!(f.store.claim("R1", "2027-01", &run).is_ok());
    let again = f
        .store
        .prepare_run(&request("liq2", "2026-12"), &ALL)
        .expect("again");
    assert!(!again.created);
    assert_eq!(again.run.id, id);
    assert_eq!(f.store.runs().expect("runs").len(), 1);
}

/// A validated run's rights are not paid again that month; a cancelled run's are.
pub fn nothing_is_paid_twice_across_runs_of_a_month<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let id = prepared(&mut f.store, "2026-12");
    assert_eq!(paid_rights(&f.store, id), ["R1", "R2", "R3"]);
    f.store
        .validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    assert!(matches!(
        f.store.prepare_run(&request("liq", "2026-12"), &ALL),
        Err(RunStoreError::NothingToPay(_))
    ));
    let january = prepared(&mut f.store, "2027-01");
    f.store
        .cancel_run(january, "liq", "erreur de paramètres")
        .expect("cancel");
    let again = prepared(&mut f.store, "2027-01");
    assert_ne!(again, january);
    assert_eq!(paid_rights(&f.store, again), ["R1", "R2", "R3"]);
    assert!(f.store.verify_journal().is_ok());
}

pub fn a_preparer_never_validates_their_own_run<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let id = prepared(&mut f.store, "2026-12");
    // A preparer who is also an ordonnateur still may not validate their own run.
    f.store
        .set_roles("liq", &[Role::Liquidation, Role::Ordonnateur]);
    assert!(matches!(
        f.store.validate_run(id, "liq", "2026-12-01 10:00"),
        Err(RunStoreError::SamePerson(_))
    ));
    assert!(matches!(
        f.store.validate_run(id, "liq2", "2026-12-01 10:00"),
        Err(RunStoreError::Store(StoreError::Forbidden { .. }))
    ));
    let v = f
        .store
        .validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    assert_eq!(v.status, RunStatus::Validated);
    assert_eq!(v.bordereau, Some((2026, 42)));
    assert!(matches!(
        f.store.cancel_run(id, "ord", "erreur"),
        Err(RunStoreError::WrongStatus { .. })
    ));
}

/// What Relais paid, for the reconciliation: the claims of validated runs only (not of a run
/// still prepared), of the months asked, by right in byte order then month, with their amount,
/// person and benefit.
pub fn paid_claims_stream_validated_runs_by_right_then_month<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let december = prepared(&mut f.store, "2026-12");
    f.store
        .validate_run(december, "ord", "2026-12-01 10:00")
        .expect("validate");
    let _january = prepared(&mut f.store, "2027-01");
    let mut got = Vec::new();
    f.store
        .each_paid_claim(&[month("2026-12"), month("2027-01")], &mut |c| {
            got.push((
                c.right_id.clone(),
                c.month.to_string(),
                c.run.clone(),
                c.amount,
                c.dossier.clone(),
                c.benefit,
            ));
            Ok(())
        })
        .expect("claims");
    let run = Some(december.to_string());
    assert_eq!(
        got,
        vec![
            (
                "R1".into(),
                "2026-12".into(),
                run.clone(),
                Cents(100_000),
                "D1".into(),
                Benefit::ApaDom
            ),
            (
                "R2".into(),
                "2026-12".into(),
                run.clone(),
                Cents(31_000),
                "D2".into(),
                Benefit::Pch
            ),
            (
                "R3".into(),
                "2026-12".into(),
                run,
                Cents(50_000),
                "D3".into(),
                Benefit::Ash
            ),
        ]
    );
    let mut none = 0;
    f.store
        .each_paid_claim(&[month("2026-11")], &mut |_| {
            none += 1;
            Ok(())
        })
        .expect("claims");
    assert_eq!(none, 0);
}
