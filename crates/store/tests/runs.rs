//! Payment runs against the store: each rule with the case that breaks a naive version.

use jiff::civil::{Date, date};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban};
use relais_core::records::{
    Beneficiary, Benefit, PastPayment, Payee, PayeeKind, Record, Right, RightStatus,
};
use relais_core::roles::Role;
use relais_core::run::{AnomalyKind, RenewalPolicy, RunStatus};
use relais_store::numbering::{NumberingError, NumberingStore, SetNumbering};
use relais_store::runs::{BenefitParams, PrepareRun, RunParams, RunStore, RunStoreError};
use relais_store::{NewUser, SqliteStore, Store, StoreError};
use serde_json::json;
use std::collections::BTreeMap;

fn month(s: &str) -> Month {
    Month::parse(s).expect("month")
}

fn iban(n: u32) -> Iban {
    Iban::from_french_rib("30004", "00001", &format!("{n:011}")).expect("iban")
}

fn person(dossier: &str, last: &str, death: Option<Date>) -> Record {
    Record::Beneficiary(Beneficiary {
        dossier: dossier.into(),
        nir: None,
        last_name: last.into(),
        first_name: "Jeanne".into(),
        birth_date: date(1940, 1, 1),
        address: "1 rue de la Paix".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        phone: String::new(),
        site: "MDS01".into(),
        death_date: death,
        civility: None,
        extra: vec![],
    })
}

fn payee(id: &str, name: &str, account: u32, changed: Option<Date>) -> Record {
    Record::Payee(Payee {
        id: id.into(),
        kind: PayeeKind::Personne,
        name: name.into(),
        siret: None,
        iban: iban(account),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        holder: name.into(),
        address: "1 rue de la Paix".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban_changed_on: changed,
        legal_form: None,
        extra: vec![],
    })
}

fn right(id: &str, dossier: &str, benefit: Benefit, cents: i64, payee: &str) -> Right {
    Right {
        id: id.into(),
        dossier: dossier.into(),
        benefit,
        monthly_amount: Cents(cents),
        start: date(2020, 1, 1),
        end: date(2030, 12, 31),
        status: RightStatus::EnPaiement,
        payee_id: payee.into(),
        imputation: None,
        extra: vec![],
    }
}

fn paid(right_id: &str, m: &str, cents: i64) -> Record {
    Record::PastPayment(PastPayment {
        right_id: right_id.into(),
        month: month(m),
        amount: Cents(cents),
        paid_on: date(2026, 1, 10),
        reference: "X".into(),
        extra: vec![],
    })
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
}

fn user(store: &mut SqliteStore, login: &str, role: Role) {
    store
        .add_user(
            "admin",
            &NewUser {
                login: login.into(),
                roles: vec![role],
                site: None,
                password_hash: "$argon2id$fake".into(),
            },
        )
        .expect("user");
}

/// P1..P4 paid by themselves; R4 of a person who died on 15 November 2026; R5 ends on
/// 15 December 2026; R6 is RSA; R7 suspended; R8 already paid for December in the history;
/// T9's bank details changed on 2026-11-25.
fn fixture(records: Vec<Record>) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    user(&mut store, "admin", Role::Admin);
    user(&mut store, "liq", Role::Liquidation);
    user(&mut store, "liq2", Role::Liquidation);
    user(&mut store, "ord", Role::Ordonnateur);
    user(&mut store, "ord2", Role::Ordonnateur);
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session.commit("admin", json!({})).expect("commit");
    // The paierie's last numbers: bordereau 41 and mandate 1,200 in 2026, none yet in 2027.
    for (exercice, bordereau, mandate) in [(2026, 41, 1_200), (2027, 0, 0)] {
        store
            .set_numbering(&SetNumbering {
                exercice,
                last_bordereau: bordereau,
                last_mandate: mandate,
                cumul: Cents(12_345_678_900),
                reason: "confirmé par la paierie",
                actor: "ord",
                local_time: "2026-11-30 09:00",
            })
            .expect("numbering");
    }
    Fixture { _dir: dir, store }
}

fn standard() -> Vec<Record> {
    let mut r = vec![
        person("D1", "MARTIN", None),
        person("D2", "DURAND", None),
        person("D3", "PETIT", None),
        person("D4", "ROUX", Some(date(2026, 11, 15))),
        payee("T1", "MARTIN Jeanne", 1, None),
        payee("T2", "DURAND Jeanne", 2, None),
        payee("T3", "PETIT Jeanne", 3, None),
        payee("T4", "ROUX Jeanne", 4, None),
        payee("T9", "PETIT Paul", 9, Some(date(2026, 11, 25))),
    ];
    let mut rights = vec![
        right("R1", "D1", Benefit::ApaDom, 100_000, "T1"),
        right("R2", "D2", Benefit::Pch, 31_000, "T2"),
        right("R3", "D3", Benefit::Ash, 50_000, "T3"),
        right("R4", "D4", Benefit::ApaDom, 40_000, "T4"),
        right("R5", "D1", Benefit::Pch, 31_000, "T1"),
        right("R6", "D2", Benefit::Rsa, 60_000, "T2"),
        right("R7", "D3", Benefit::ApaDom, 20_000, "T3"),
        right("R8", "D2", Benefit::ApaDom, 10_000, "T2"),
        right("R9", "D3", Benefit::Pch, 12_000, "T9"),
    ];
    rights[4].end = date(2026, 12, 15);
    rights[6].status = RightStatus::Suspendu;
    r.extend(rights.into_iter().map(Record::Right));
    r.push(paid("R8", "2026-12", 10_000));
    r.push(paid("R1", "2026-11", 90_000));
    r.push(paid("R2", "2026-11", 31_000));
    r
}

fn params() -> RunParams {
    let b = |pay_day| BenefitParams {
        pay_date_note: None,
        by_payee: BTreeMap::new(),
        account: "651141".into(),
        function: "431".into(),
        pay_date: date(2026, 12, pay_day),
        ceiling: Some(Cents(60_000)),
    };
    RunParams {
        benefits: BTreeMap::from([
            (Benefit::ApaDom, b(10)),
            (Benefit::ApaEtab, b(10)),
            (Benefit::Pch, b(10)),
            (Benefit::Ash, b(10)),
            (Benefit::Rsa, b(5)),
        ]),
        change_threshold: Cents(5_000),
        bank_change_days: 30,
        caf: None,
        payroll: None,
    }
}

fn request<'a>(actor: &'a str, m: &str) -> PrepareRun<'a> {
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

const ALL: [Benefit; 5] = [
    Benefit::ApaDom,
    Benefit::ApaEtab,
    Benefit::Pch,
    Benefit::Ash,
    Benefit::Rsa,
];

/// The run "liq" prepares for month `m`, every benefit.
fn prepared(f: &mut Fixture, m: &str) -> relais_core::run::RunId {
    f.store
        .prepare_run(&request("liq", m), &ALL)
        .expect("prepare")
        .run
        .id
}

fn exclusions(s: &SqliteStore, id: relais_core::run::RunId) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    s.each_run_exclusion(id, &mut |e| {
        out.insert(e.right_id.clone(), e.reason.clone());
        Ok(())
    })
    .expect("exclusions");
    out
}

/// The mandated lines of run `id` in order: right, mandate and line, amount, payee.
type Mandated = Vec<(String, Option<(u32, u32)>, Cents, String)>;

fn mandated_lines(s: &SqliteStore, id: relais_core::run::RunId) -> Mandated {
    let mut out = Vec::new();
    s.each_run_line(id, &mut |l, p| {
        out.push((l.right_id.clone(), l.mandate, l.amount, p.id.clone()));
        Ok(())
    })
    .expect("lines");
    out
}

/// The CAF's lines of run `id`, in the order of its file.
fn caf_lines(s: &SqliteStore, id: relais_core::run::RunId) -> Vec<(String, String, Cents)> {
    let mut out = Vec::new();
    s.each_caf_line(id, &mut |l| {
        out.push((l.dossier.clone(), l.right_id.clone(), l.amount));
        Ok(())
    })
    .expect("CAF lines");
    out
}

fn lines(s: &SqliteStore, id: relais_core::run::RunId) -> BTreeMap<String, Cents> {
    let mut out = BTreeMap::new();
    s.each_run_line(id, &mut |l, _| {
        out.insert(l.right_id.clone(), l.amount);
        Ok(())
    })
    .expect("lines");
    out
}

#[test]
fn a_run_pays_what_is_due_and_says_why_it_pays_nothing_else() {
    let mut f = fixture(standard());
    let p = f
        .store
        .prepare_run(&request("liq", "2026-12"), &ALL)
        .expect("prepare");
    assert!(p.created);
    let id = p.run.id;
    assert_eq!(id.to_string(), "P2026-12-01");
    let paid = lines(&f.store, id);
    // R5 ends on 15 December: floor(31000·15/31) = 15000.
    assert_eq!(
        paid,
        BTreeMap::from([
            ("R1".to_owned(), Cents(100_000)),
            ("R2".to_owned(), Cents(31_000)),
            ("R3".to_owned(), Cents(50_000)),
            ("R5".to_owned(), Cents(15_000)),
        ])
    );
    let ex = exclusions(&f.store, id);
    assert_eq!(ex.get("R4").map(String::as_str), Some("deceased"));
    assert_eq!(ex.get("R7").map(String::as_str), Some("suspended"));
    assert_eq!(ex.get("R8").map(String::as_str), Some("already_paid"));
    assert_eq!(
        ex.get("R9").map(String::as_str),
        Some("bank_change_unapproved")
    );
    // RSA: not mandated, handed to the CAF.
    let mut caf = Vec::new();
    f.store
        .each_caf_line(id, &mut |l| {
            caf.push((l.right_id.clone(), l.amount));
            Ok(())
        })
        .expect("caf");
    assert_eq!(caf, vec![("R6".to_owned(), Cents(60_000))]);
    let s = &p.run.summary;
    assert_eq!(s.total, Cents(196_000));
    assert_eq!(s.lines, 4);
    // T1 is paid R1 (APA) and R5 (PCH): one mandate per benefit and imputation, not one per
    // payee — the accountant reads one benefit in each mandate's object.
    assert_eq!(s.mandates, 4);
    assert_eq!((s.caf_rights, s.caf_total), (1, Cents(60_000)));
    // D1's APA went from 900 to 1000 €: above the 50 € threshold (per person and benefit:
    // R5 is PCH).
    let mut changes = Vec::new();
    f.store
        .each_run_change(id, &mut |c| {
            changes.push((c.dossier.clone(), c.previous, c.current));
            Ok(())
        })
        .expect("changes");
    assert_eq!(
        changes,
        vec![("D1".to_owned(), Cents(90_000), Cents(100_000))]
    );
    let mut kinds = Vec::new();
    f.store
        .each_run_anomaly(id, &mut |a| {
            kinds.push((a.kind, a.right_id.clone()));
            Ok(())
        })
        .expect("anomalies");
    // R1 is above the 600 € ceiling; R3 and R5 were never paid before.
    assert!(kinds.contains(&(AnomalyKind::AboveCeiling, "R1".into())));
    assert!(kinds.contains(&(AnomalyKind::FirstPayment, "R3".into())));
    assert!(kinds.contains(&(AnomalyKind::FirstPayment, "R5".into())));
    assert!(!kinds.iter().any(|(_, r)| r == "R2"));
}

/// The report's comparison with the previous month merges the history and the validated runs
/// of that month; people are counted once per benefit however many rights they have.
#[test]
fn the_previous_month_is_the_history_and_the_validated_runs() {
    let mut records = standard();
    // D1 gets a second APA right, paid in December only by the history.
    records.push(Record::Right(right(
        "R10",
        "D1",
        Benefit::ApaDom,
        7_000,
        "T1",
    )));
    records.push(paid("R10", "2026-12", 7_000));
    let mut f = fixture(records);
    // Two rights of one benefit for one person look like a right numbered again: an
    // ordonnateur confirms these are two (see the person guard's own test).
    f.store
        .release_duplicate(
            "ord",
            "R1",
            month("2026-12"),
            "deux droits APA distincts",
            "2026-11-30 10:00",
        )
        .expect("release");
    let december = prepared(&mut f, "2026-12");
    f.store
        .validate_run(december, "ord", "2026-12-01 10:00")
        .expect("validate December");
    let january = f
        .store
        .prepare_run(&request("liq", "2027-01"), &ALL)
        .expect("prepare January")
        .run;
    let per_benefit: BTreeMap<Benefit, (u64, u64, Option<Cents>)> = january
        .summary
        .benefits
        .iter()
        .map(|b| (b.benefit, (b.rights, b.people, b.previous_total)))
        .collect();
    // December: R1 1000 € (run) + R8 100 € and R10 70 € (history); R2 310 € and R5 150 € by
    // the run; R3 500 € by the run. January: R1 and R10 (D1: one person, two rights), R8
    // (D2); R2 (R5 ended on 15 December); R3.
    assert_eq!(
        per_benefit,
        BTreeMap::from([
            (Benefit::ApaDom, (3, 2, Some(Cents(117_000)))),
            (Benefit::Pch, (1, 1, Some(Cents(46_000)))),
            (Benefit::Ash, (1, 1, Some(Cents(50_000)))),
        ])
    );
    // Nobody's total moved by more than 50 €: D1's APA is 1070 € both months, D2's RSA 600 €
    // (the December run's CAF line), D1's PCH is not paid in January (not a change).
    let mut changes = Vec::new();
    f.store
        .each_run_change(january.id, &mut |c| {
            changes.push((c.dossier.clone(), c.benefit, c.previous, c.current));
            Ok(())
        })
        .expect("changes");
    assert_eq!(changes, vec![]);
}

#[test]
fn the_same_request_again_gets_the_same_run_and_claims_nothing_twice() {
    let mut f = fixture(standard());
    let a = f
        .store
        .prepare_run(&request("liq", "2026-12"), &ALL)
        .expect("first");
    let b = f
        .store
        .prepare_run(&request("liq2", "2026-12"), &ALL)
        .expect("again");
    assert!(!b.created);
    assert_eq!(a.run.id, b.run.id);
    assert!(matches!(
        f.store
            .prepare_run(&request("liq", "2026-12"), &[Benefit::Pch]),
        Err(RunStoreError::OtherRunOpen { .. })
    ));
    assert_eq!(f.store.runs().expect("runs").len(), 1);
}

/// Who may validate (never the preparer, only an ordonnateur) is in the contract suite
/// (`contract/runs.rs`); here, that a validated run stays as it is.
#[test]
fn a_validated_run_stays_as_it_is() {
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let v = f
        .store
        .validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    assert_eq!(v.status, RunStatus::Validated);
    assert_eq!(v.bordereau, Some((2026, 42)));
    // Again by the same: unchanged (a retry); by another: refused.
    assert_eq!(
        f.store
            .validate_run(id, "ord", "2026-12-01 11:00")
            .expect("again")
            .bordereau,
        Some((2026, 42))
    );
    assert!(
        f.store
            .validate_run(id, "ord2", "2026-12-01 11:00")
            .is_err()
    );
    assert!(matches!(
        f.store.cancel_run(id, "ord", "erreur"),
        Err(RunStoreError::WrongStatus { .. })
    ));
    // Nor through the backend itself: contract/kept.rs.
    assert!(f.store.verify_journal().is_ok());
}

#[test]
fn a_right_is_claimed_once_a_month_by_the_schema_itself() {
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let conn = f.store.raw_connection();
    let insert = |right: &str| {
        conn.execute(
            "INSERT INTO run_claims (right_id, month, run_id) VALUES (?1, '2026-12', ?2)",
            rusqlite::params![right, id.to_string()],
        )
    };
    // Paid in the history (a claim by the run itself, and another month's: the contract's
    // unique_right_month).
    assert!(insert("R8").is_err());
    // The history's payment of the month is a claim of no run, which nothing frees.
    assert!(
        conn.execute(
            "DELETE FROM run_claims WHERE right_id = 'R8' AND run_id IS NULL",
            []
        )
        .is_err()
    );
    // A claim never changes; once the run is validated, it is never freed either.
    assert!(
        conn.execute("UPDATE run_claims SET month = '2027-01'", [])
            .is_err()
    );
    f.store
        .validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    // Never freed once validated: contract/kept.rs.
    let conn = f.store.raw_connection();
    let claims: i64 = conn
        .query_row(
            "SELECT count(*) FROM run_claims WHERE run_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .expect("count");
    assert!(claims > 1);
}

#[test]
fn cancelling_frees_the_claims_and_the_next_run_pays_them() {
    let mut f = fixture(standard());
    let first = f
        .store
        .prepare_run(&request("liq", "2026-12"), &ALL)
        .expect("prepare");
    assert!(matches!(
        f.store.cancel_run(first.run.id, "liq", "  "),
        Err(RunStoreError::EmptyReason)
    ));
    f.store
        .cancel_run(first.run.id, "liq", "montants à revoir")
        .expect("cancel");
    let second = f
        .store
        .prepare_run(&request("liq", "2026-12"), &ALL)
        .expect("again");
    assert!(second.created);
    assert_eq!(second.run.id.to_string(), "P2026-12-02");
    assert_eq!(second.run.summary.total, first.run.summary.total);
    // Validated, the month is paid: a third prepare has nothing left.
    f.store
        .validate_run(second.run.id, "ord", "2026-12-01 10:00")
        .expect("validate");
    assert!(matches!(
        f.store.prepare_run(&request("liq", "2026-12"), &ALL),
        Err(RunStoreError::NothingToPay(_))
    ));
    // Rolled back: no run P2026-12-03.
    assert_eq!(f.store.runs().expect("runs").len(), 2);
    // The next month, R1 is no longer a first payment; January's bordereau is the first of
    // 2027.
    let jan = f
        .store
        .prepare_run(&request("liq", "2027-01"), &ALL)
        .expect("january");
    let v = f
        .store
        .validate_run(jan.run.id, "ord", "2027-01-02 10:00")
        .expect("validate");
    assert_eq!(v.bordereau, Some((2027, 1)));
}

#[test]
fn approved_bank_details_are_paid_and_shown() {
    let mut f = fixture(standard());
    assert!(f.store.approve_bank_details("T9", "liq").is_err());
    assert!(matches!(
        f.store.approve_bank_details("T404", "ord"),
        Err(RunStoreError::UnknownPayee(_))
    ));
    f.store.approve_bank_details("T9", "ord").expect("approve");
    let id = prepared(&mut f, "2026-12");
    assert_eq!(lines(&f.store, id).get("R9"), Some(&Cents(12_000)));
    let mut bank = Vec::new();
    f.store
        .each_run_anomaly(id, &mut |a| {
            if a.kind == AnomalyKind::BankChanged {
                bank.push(a.right_id.clone());
            }
            Ok(())
        })
        .expect("anomalies");
    assert_eq!(bank, vec!["R9".to_owned()]);
    // The approval holds for that IBAN only: the journal masks it.
    let entries = f.store.journal_entries(1, 100).expect("journal");
    let approve = entries
        .iter()
        .find(|e| e.kind == "bank_approve")
        .expect("entry");
    assert!(!approve.payload.contains(&iban(9).to_string()));
}

#[test]
fn one_iban_for_two_unrelated_payees_is_an_anomaly() {
    let mut records = standard();
    // T3 (PETIT) gets DURAND's account.
    for r in records.iter_mut() {
        if let Record::Payee(p) = r
            && p.id == "T3"
        {
            p.iban = iban(2);
        }
    }
    let mut f = fixture(records);
    let id = prepared(&mut f, "2026-12");
    let mut shared = Vec::new();
    f.store
        .each_run_anomaly(id, &mut |a| {
            if a.kind == AnomalyKind::SharedIban {
                shared.push(a.payee_id.clone());
            }
            Ok(())
        })
        .expect("anomalies");
    assert_eq!(shared, vec!["T2".to_owned(), "T3".to_owned()]);
}

#[test]
fn renewal_is_shown_applied_once_and_journaled() {
    let mut f = fixture(standard());
    let policy = RenewalPolicy {
        benefits: vec![Benefit::Pch, Benefit::ApaDom],
        ends_from: date(2026, 12, 1),
        ends_to: date(2026, 12, 31),
        new_end: date(2027, 6, 30),
        legal_reference: "arrêté n° 2026-1".into(),
        decided_by: "Le Président".into(),
    };
    assert!(f.store.renew_rights(&policy, "ord", false).is_err());
    let dry = f.store.renew_rights(&policy, "liq", true).expect("dry run");
    assert_eq!(dry.rights, 1);
    assert!(dry.entry.is_none());
    let done = f.store.renew_rights(&policy, "liq", false).expect("apply");
    assert_eq!(
        done.per_benefit.get(&Benefit::Pch),
        Some(&(1, Cents(31_000)))
    );
    let entry = done.entry.expect("journaled");
    assert!(entry.payload.contains("R5") && entry.payload.contains("2027-06-30"));
    let again = f.store.renew_rights(&policy, "liq", false).expect("again");
    assert_eq!(again.rights, 0);
    assert!(again.entry.is_none());
    // R5 is now paid the whole of December.
    let id = prepared(&mut f, "2026-12");
    assert_eq!(lines(&f.store, id).get("R5"), Some(&Cents(31_000)));
}

#[test]
fn a_part_of_a_month_worth_nothing_is_not_paid_and_says_why() {
    let mut records = standard();
    let mut r = right("R10", "D1", Benefit::Pch, 1, "T1");
    // One day of a 1-cent month: floor(1·1/31) = 0.
    r.end = date(2026, 12, 1);
    records.push(Record::Right(r));
    let mut f = fixture(records);
    let id = prepared(&mut f, "2026-12");
    assert_eq!(
        exclusions(&f.store, id).get("R10").map(String::as_str),
        Some("zero_amount")
    );
    assert!(!lines(&f.store, id).contains_key("R10"));
}

/// SQL adding, after run `?1`'s mandated lines, a block of one line: R1's, changed by the
/// `json_set` paths and values `changes`.
fn copy_of_r1(changes: &str) -> String {
    format!(
        "INSERT INTO run_line_blocks (run_id, caf, n, lines, data)
         SELECT b.run_id, 0,
             (SELECT max(n) + 1 FROM run_line_blocks WHERE run_id = ?1 AND caf = 0), 1,
             json_array(json_set(l.value, {changes}))
         FROM run_line_blocks b, json_each(run_lines_json(b.data)) l
         WHERE b.run_id = ?1 AND b.caf = 0 AND l.value ->> 2 = 'R1'"
    )
}

/// The lines of runs as rows, as schemas before 14 kept them (`run_lines`), from the blocks;
/// no totals kept with the runs.
const LINES_AS_ROWS: &str = "
DROP INDEX deposits_completed_once;
DROP TRIGGER deposits_keep_facts;
ALTER TABLE deposits DROP COLUMN registered_at;
ALTER TABLE deposits DROP COLUMN backdate_reason;
ALTER TABLE deposits DROP COLUMN missing;
ALTER TABLE deposits DROP COLUMN missing_deadline;
ALTER TABLE deposits DROP COLUMN completes;
CREATE TRIGGER deposits_keep_facts BEFORE UPDATE OF number, year, seq, received_at, kind,
    depositor, receipt_code ON deposits
BEGIN SELECT RAISE(ABORT, 'a deposit''s facts never change'); END;
DROP TRIGGER numbering_forward;
DROP TRIGGER numbering_kept;
DROP TABLE numbering;
ALTER TABLE runs DROP COLUMN first_mandate;
ALTER TABLE runs DROP COLUMN cumul_before;
ALTER TABLE beneficiaries DROP COLUMN civility;
ALTER TABLE payees DROP COLUMN legal_form;
ALTER TABLE run_payees DROP COLUMN legal_form;
DROP VIEW bank_approvals_current;
DROP TRIGGER bank_approvals_latest;
DROP TRIGGER bank_approval_log_fixed;
DROP TRIGGER bank_approval_log_kept;
DROP TABLE bank_approval_log;
ALTER TABLE bank_approvals DROP COLUMN changed_on;
ALTER TABLE bank_approvals DROP COLUMN request_id;
ALTER TABLE pending_rows DROP COLUMN severity;
DROP TABLE duplicate_releases;
DROP INDEX run_claims_by_person;
DROP TRIGGER run_claims_fixed;
ALTER TABLE run_claims DROP COLUMN dossier;
ALTER TABLE run_claims DROP COLUMN benefit;
CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
CREATE TABLE run_lines (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs (id), right_id TEXT NOT NULL,
    claim TEXT, dossier TEXT NOT NULL, nir TEXT, last_name TEXT NOT NULL,
    first_name TEXT NOT NULL, benefit TEXT NOT NULL, amount INTEGER NOT NULL CHECK (amount > 0),
    first_day TEXT NOT NULL, last_day TEXT NOT NULL, payee_id TEXT NOT NULL,
    account TEXT NOT NULL, function TEXT NOT NULL, pay_date TEXT NOT NULL, mandate INTEGER,
    mandate_line INTEGER);
INSERT INTO run_lines (run_id, claim, payee_id, pay_date, right_id, dossier, nir, last_name,
    first_name, benefit, amount, first_day, last_day, account, function, mandate, mandate_line)
SELECT b.run_id, u.month, l.value ->> 0, l.value ->> 1, l.value ->> 2, l.value ->> 3,
    l.value ->> 4, l.value ->> 5, l.value ->> 6, l.value ->> 7, l.value ->> 8, l.value ->> 9,
    l.value ->> 10, l.value ->> 11, l.value ->> 12, l.value ->> 13, l.value ->> 14
FROM run_line_blocks b JOIN runs u ON u.id = b.run_id, json_each(run_lines_json(b.data)) l
ORDER BY b.run_id, b.caf DESC, b.n, l.key;
CREATE INDEX run_lines_by_run ON run_lines (run_id, id);
DROP TABLE run_line_blocks;
ALTER TABLE runs DROP COLUMN totals;
";

/// Each line comes with its own payee's details: read beside the lines in payee order, and
/// looked up when a line is out of that order (a payee without lines is passed over).
#[test]
fn each_line_comes_with_its_own_payee() {
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let conn = f.store.raw_connection();
    let run = id.to_string();
    // A payee with no line, first in key order, and a line of T1 after all the others.
    conn.execute(
        "INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder,
             address, postal_code, city)
         SELECT run_id, 'T0', kind, 'NOBODY', siret, iban, bic, holder, address, postal_code, city
         FROM run_payees WHERE run_id = ?1 AND payee_id = 'T1'",
        [&run],
    )
    .expect("payee without lines");
    conn.execute(
        &copy_of_r1("'$[2]', 'R1-again', '$[13]', 99, '$[14]', 1"),
        [&run],
    )
    .expect("line out of order");
    let mut seen = Vec::new();
    f.store
        .each_run_line(id, &mut |l, p| {
            assert_eq!(l.payee_id, p.id, "line {}", l.right_id);
            seen.push((l.right_id.clone(), p.name.clone()));
            Ok(())
        })
        .expect("lines");
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(
        seen.last(),
        Some(&("R1-again".into(), "MARTIN Jeanne".into()))
    );
    assert!(seen.iter().all(|(_, name)| name != "NOBODY"), "{seen:?}");
}

/// The totals per pay date and per bordereau count each mandate once, also when one of its
/// lines comes after another mandate's (a sum of consecutive lines would count it twice).
#[test]
fn totals_count_each_mandate_once() {
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let run = f.store.run(id).expect("run").expect("found");
    let group = |mandates, total| relais_store::runs::GroupTotal { mandates, total };
    let expected = group(run.summary.mandates, run.summary.total);
    let t = f.store.run_totals(id).expect("totals");
    assert_eq!(run.summary.mandates, 4);
    assert_eq!(t.per_pay_date.get(&date(2026, 12, 10)), Some(&expected));
    assert_eq!(t.per_pay_date.len(), 1);
    assert_eq!(t.per_bordereau.get(&0), Some(&expected));
    assert_eq!(t.per_bordereau.len(), 1);
    // The totals kept at preparation are those the lines sum to; without them (a run of a
    // store before migration 14), the export sums the lines.
    let conn = f.store.raw_connection();
    conn.execute(
        "UPDATE runs SET totals = NULL WHERE id = ?1",
        [id.to_string()],
    )
    .expect("no totals kept");
    assert_eq!(f.store.run_totals(id).expect("summed"), t);
    conn.execute(
        &copy_of_r1("'$[2]', 'R1-again', '$[8]', 700, '$[14]', 9"),
        [id.to_string()],
    )
    .expect("line out of order");
    let t = f.store.run_totals(id).expect("totals");
    let more = group(4, Cents(run.summary.total.0 + 700));
    assert_eq!(t.per_pay_date.get(&date(2026, 12, 10)), Some(&more));
    assert_eq!(t.per_bordereau.get(&0), Some(&more));
}

/// A person's page lists what runs pay them (found through their rights' claims), with the
/// run and its status, and what a cancelled run would have paid no longer.
#[test]
fn a_persons_page_shows_the_payments_of_runs() {
    use relais_store::desk::DeskStore;
    let mut f = fixture(standard());
    let payments = |s: &SqliteStore| -> Vec<(String, String, i64, String, String)> {
        s.person("D1", None)
            .expect("page")
            .expect("found")
            .payments
            .into_iter()
            .map(|p| (p.right_id, p.month, p.amount, p.date, p.source))
            .collect()
    };
    let row = |right: &str, month: &str, amount: i64, date: &str, source: &str| {
        (
            right.to_owned(),
            month.to_owned(),
            amount,
            date.to_owned(),
            source.to_owned(),
        )
    };
    let first = prepared(&mut f, "2026-12");
    f.store
        .cancel_run(first, "liq", "montants à revoir")
        .expect("cancel");
    assert_eq!(
        payments(&f.store),
        [row("R1", "2026-11", 90_000, "2026-01-10", "historique")]
    );
    let second = prepared(&mut f, "2026-12");
    f.store
        .validate_run(second, "ord", "2026-12-01 10:00")
        .expect("validate");
    let r5 = lines(&f.store, second)["R5"].0;
    assert_eq!(
        payments(&f.store),
        [
            row(
                "R1",
                "2026-12",
                100_000,
                "2026-12-10",
                "P2026-12-02 (validated)"
            ),
            row("R5", "2026-12", r5, "2026-12-10", "P2026-12-02 (validated)"),
            row("R1", "2026-11", 90_000, "2026-01-10", "historique"),
        ]
    );
}

/// A store whose runs were prepared before claims carried their amount and pay date gets
/// them from the run's lines when it is opened (migration 12).
#[test]
fn claims_of_earlier_runs_get_their_amounts_from_the_lines() {
    use relais_store::desk::DeskStore;
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let before = f
        .store
        .person("D1", None)
        .expect("page")
        .expect("found")
        .payments;
    let lines_before = (mandated_lines(&f.store, id), caf_lines(&f.store, id));
    let path = f._dir.path().join("relais.db");
    let conn = f.store.raw_connection();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SqliteStore::latest_schema_version());
    // The schema as migration 11 left it.
    conn.execute_batch(LINES_AS_ROWS).expect("lines as rows");
    conn.execute_batch(
        "DROP TRIGGER run_claims_fixed;
         ALTER TABLE run_claims DROP COLUMN amount;
         ALTER TABLE run_claims DROP COLUMN pay_date;
         CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
         BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
         PRAGMA user_version = 11;",
    )
    .expect("back to 11");
    drop(f.store);
    let store = SqliteStore::open(&path).expect("migrated");
    assert_eq!(
        store.schema_version().expect("version"),
        SqliteStore::latest_schema_version()
    );
    let after = store
        .person("D1", None)
        .expect("page")
        .expect("found")
        .payments;
    assert_eq!(after, before);
    // The lines came back from rows to blocks (migration 14) as they were.
    assert_eq!(
        (mandated_lines(&store, id), caf_lines(&store, id)),
        lines_before
    );
    assert!(
        after
            .iter()
            .any(|p| p.source == format!("{id} (prepared)") && p.amount == 100_000)
    );
    // Every claim found its line; the index made for the copy is gone.
    let conn = store.raw_connection();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(
        count(
            "SELECT count(*) FROM run_claims
             WHERE run_id IS NOT NULL AND (amount IS NULL OR pay_date IS NULL)"
        ),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM sqlite_master WHERE name = 'migration_12_lines'"),
        0
    );
    assert!(
        conn.execute("UPDATE run_claims SET amount = 1", [])
            .is_err()
    );
}

/// A store of schema 12 (claims of runs only, a trigger looking the history up for each)
/// keeps its claims when opened (migration 13); its next preparation of a month with history
/// records the history's payments as claims, which the key then refuses to pay again.
#[test]
fn a_store_of_schema_12_keeps_its_claims_and_the_history_becomes_claims() {
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let path = f._dir.path().join("relais.db");
    let conn = f.store.raw_connection();
    let count = |conn: &rusqlite::Connection, sql: &str| -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    };
    let run_claims = count(
        conn,
        "SELECT count(*) FROM run_claims WHERE run_id IS NOT NULL",
    );
    assert!(run_claims > 1);
    // R8's December, paid by the history, became a claim of no run.
    assert_eq!(
        count(
            conn,
            "SELECT count(*) FROM run_claims WHERE run_id IS NULL AND right_id = 'R8' AND month = '2026-12'"
        ),
        1
    );
    // The schema as migration 12 left it: no history in the claims, a trigger instead.
    conn.execute_batch(LINES_AS_ROWS).expect("lines as rows");
    conn.execute_batch(
        "DROP TRIGGER run_claims_kept;
         DROP TRIGGER run_claims_fixed;
         CREATE TABLE c12 (right_id TEXT NOT NULL, month TEXT NOT NULL,
             run_id TEXT NOT NULL REFERENCES runs (id), amount INTEGER, pay_date TEXT,
             PRIMARY KEY (right_id, month)) WITHOUT ROWID;
         INSERT INTO c12 SELECT * FROM run_claims WHERE run_id IS NOT NULL;
         DROP TABLE run_claims;
         ALTER TABLE c12 RENAME TO run_claims;
         CREATE TRIGGER run_claims_not_in_history BEFORE INSERT ON run_claims
         WHEN EXISTS (SELECT 1 FROM past_payments p WHERE p.right_id = NEW.right_id AND p.month = NEW.month)
         BEGIN SELECT RAISE(ABORT, 'right already paid for this month in the imported history'); END;
         CREATE TRIGGER run_claims_fixed BEFORE UPDATE ON run_claims
         BEGIN SELECT RAISE(ABORT, 'claims never change'); END;
         CREATE TRIGGER run_claims_kept BEFORE DELETE ON run_claims
         WHEN (SELECT status FROM runs WHERE id = OLD.run_id) <> 'prepared'
         BEGIN SELECT RAISE(ABORT, 'claims of a validated or cancelled run are never freed'); END;
         PRAGMA user_version = 12;",
    )
    .expect("back to 12");
    drop(f.store);
    let mut store = SqliteStore::open(&path).expect("migrated");
    assert_eq!(
        store.schema_version().expect("version"),
        SqliteStore::latest_schema_version()
    );
    {
        let conn = store.raw_connection();
        assert_eq!(count(conn, "SELECT count(*) FROM run_claims"), run_claims);
        assert_eq!(
            count(
                conn,
                "SELECT count(*) FROM sqlite_master WHERE name = 'run_claims_not_in_history'"
            ),
            0
        );
    }
    // Cancelled and prepared again: R8 is still not paid, and its history is now a claim.
    store
        .cancel_run(id, "liq", "montants à revoir")
        .expect("cancel");
    let again = store
        .prepare_run(&request("liq", "2026-12"), &ALL)
        .expect("again")
        .run
        .id;
    assert!(!lines(&store, again).contains_key("R8"));
    assert_eq!(
        exclusions(&store, again).get("R8").map(String::as_str),
        Some("already_paid")
    );
    let conn = store.raw_connection();
    assert!(
        conn.execute(
            "INSERT INTO run_claims (right_id, month, run_id) VALUES ('R8', '2026-12', ?1)",
            [again.to_string()],
        )
        .is_err()
    );
}

/// A store without a file (in memory) reads the rights and compares with the previous month
/// on its own connection, where a store on disk uses reading threads: the same run either way.
#[test]
fn a_store_in_memory_prepares_the_same_run_as_one_on_disk() {
    let mut records = standard();
    // D3's ASH moves from 100 € in November to 500 €, D1's APA from 900 € to 1000 €.
    records.push(paid("R3", "2026-11", 10_000));
    let on_disk = fixture(records.clone());
    let mut in_memory = Fixture {
        _dir: tempfile::tempdir().expect("tempdir"),
        store: SqliteStore::open_in_memory().expect("open"),
    };
    for (login, role) in [
        ("admin", Role::Admin),
        ("liq", Role::Liquidation),
        ("ord", Role::Ordonnateur),
    ] {
        user(&mut in_memory.store, login, role);
    }
    let mut session = in_memory.store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session.commit("admin", json!({})).expect("commit");
    let mut runs = Vec::new();
    for mut f in [on_disk, in_memory] {
        let id = prepared(&mut f, "2026-12");
        let run = f.store.run(id).expect("run").expect("found");
        let mut changes = Vec::new();
        f.store
            .each_run_change(id, &mut |c| {
                changes.push((c.dossier.clone(), c.benefit, c.previous, c.current));
                Ok(())
            })
            .expect("changes");
        runs.push((
            serde_json::to_value(&run.summary).expect("summary"),
            changes,
            exclusions(&f.store, id),
            mandated_lines(&f.store, id),
            caf_lines(&f.store, id),
        ));
    }
    assert_eq!(runs[0].1.len(), 2, "{:?}", runs[0].1);
    assert_eq!(runs[0], runs[1]);
}

fn confirm<'a>(exercice: i16, bordereau: u32, mandate: u32, actor: &'a str) -> SetNumbering<'a> {
    SetNumbering {
        exercice,
        last_bordereau: bordereau,
        last_mandate: mandate,
        cumul: Cents::ZERO,
        reason: "appel à la paierie, M. Dupont, 01/12/2026",
        actor,
        local_time: "2026-12-01 08:00",
    }
}

/// Hélios refuses a bordereau number it holds, and mandate numbers run over the exercice:
/// two runs, the second cut into two bordereaux, continue the paierie's numbers without a
/// gap or a repeat, and the mandate numbers do not restart at each bordereau.
#[test]
fn numbers_continue_the_paierie_s_across_runs_and_bordereaux() {
    let mut f = fixture(standard());
    let first = prepared(&mut f, "2026-12");
    let v = f
        .store
        .validate_run(first, "ord", "2026-12-01 10:00")
        .expect("validate");
    let mandates = u32::try_from(v.summary.mandates).expect("mandates");
    assert!(mandates >= 2, "the fixture pays several payees");
    assert_eq!(v.bordereau, Some((2026, 42)));
    assert_eq!(v.first_mandate, Some(1_201));
    assert_eq!(v.piece_position(1), (0, 1_201));
    assert_eq!(v.piece_position(mandates), (0, 1_200 + mandates));
    // A run of more than 99,999 mandates: its second bordereau's first mandate follows the
    // first's last one (not 1).
    assert_eq!(v.piece_position(100_000), (1, 101_200));
    let n = f.store.numbering(2026).expect("read").expect("numbering");
    assert_eq!(n.last_bordereau, 42);
    assert_eq!(n.last_mandate, 1_200 + mandates);
    let mandated: i64 = f
        .store
        .run_totals(first)
        .expect("totals")
        .per_bordereau
        .values()
        .map(|g| g.total.0)
        .sum();
    assert_eq!(v.cumul_before, Some(Cents(12_345_678_900)));
    assert_eq!(n.cumul, Cents(12_345_678_900 + mandated));
    // Numbers never go back: the confirmation is final once a number was given.
    assert!(matches!(
        f.store.set_numbering(&confirm(2026, 10, 10, "ord")),
        Err(NumberingError::AlreadyGiven { .. })
    ));
    // Nor through the backend itself: contract/kept.rs.
    // The next run (another month of the same exercice: arrears of November) continues.
    let mut november = request("liq", "2026-11");
    november.arrears = Some("rappel de novembre");
    let second = f
        .store
        .prepare_run(&november, &ALL)
        .expect("november")
        .run
        .id;
    let w = f
        .store
        .validate_run(second, "ord", "2026-12-02 10:00")
        .expect("validate");
    assert_eq!(w.bordereau, Some((2026, 43)));
    assert_eq!(w.first_mandate, Some(1_201 + mandates));
    assert!(f.store.verify_journal().is_ok());
}

#[test]
fn validation_needs_the_exercice_s_numbering_and_its_year() {
    let mut f = fixture(standard());
    // January 2027 prepared in December 2026: validated in December it would be a bordereau
    // of 2026 paying 2027.
    let jan = prepared(&mut f, "2027-01");
    let e = f
        .store
        .validate_run(jan, "ord", "2026-12-28 10:00")
        .expect_err("next exercice");
    assert!(matches!(e, RunStoreError::FutureExercice { .. }));
    assert!(e.to_string().contains("01/01/2027"), "{e}");
    // In 2028 nobody confirmed the numbering: validation says what to ask the paierie.
    let e = f
        .store
        .validate_run(jan, "ord", "2028-01-03 10:00")
        .expect_err("no numbering");
    assert!(matches!(e, RunStoreError::NoNumbering { exercice: 2028 }));
    assert!(e.to_string().contains("paierie"), "{e}");
    assert!(
        e.to_string()
            .contains("relais numbering set --exercice 2028"),
        "{e}"
    );
    // Refused twice, the run is still prepared, and no number was taken.
    let n = f.store.numbering(2027).expect("read").expect("2027");
    assert!(!n.given());
    let v = f
        .store
        .validate_run(jan, "ord", "2027-01-02 10:00")
        .expect("validate");
    assert_eq!(v.bordereau, Some((2027, 1)));
    assert_eq!(v.first_mandate, Some(1));
}

#[test]
fn only_an_ordonnateur_confirms_numbers_with_a_reason_and_may_correct_them_before_use() {
    let mut f = fixture(standard());
    assert!(matches!(
        f.store.set_numbering(&confirm(2028, 5, 50, "liq")),
        Err(NumberingError::Store(StoreError::Forbidden { .. }))
    ));
    let mut no_reason = confirm(2028, 5, 50, "ord");
    no_reason.reason = "  ";
    assert!(matches!(
        f.store.set_numbering(&no_reason),
        Err(NumberingError::EmptyReason)
    ));
    assert!(matches!(
        f.store.set_numbering(&confirm(2028, 9_999_999, 50, "ord")),
        Err(NumberingError::OutOfRange { .. })
    ));
    f.store
        .set_numbering(&confirm(2028, 5, 50, "ord"))
        .expect("first");
    // A mistake corrected before any number is given: allowed, and both are in the journal.
    let (n, entry) = f
        .store
        .set_numbering(&confirm(2028, 6, 60, "ord2"))
        .expect("corrected");
    assert_eq!((n.last_bordereau, n.last_mandate), (6, 60));
    assert_eq!(n.confirmed_by, "ord2");
    assert_eq!(entry.kind, "numbering_set");
    assert!(entry.payload.contains("\"replaces\""), "{}", entry.payload);
    let all = f.store.numberings().expect("all");
    assert_eq!(
        all.iter().map(|n| n.exercice).collect::<Vec<_>>(),
        vec![2028, 2027, 2026]
    );
}

fn with_kind(record: Record, kind: PayeeKind) -> Record {
    match record {
        Record::Payee(mut p) => {
            p.kind = kind;
            Record::Payee(p)
        }
        other => other,
    }
}

/// A guardian paid for three protected people gets three mandates (three transfers), one per
/// person (Code civil art. 427), where a naive grouping by payee gives one.
#[test]
fn a_guardian_of_three_people_is_paid_three_mandates() {
    let mut records = vec![
        person("D1", "MARTIN", None),
        person("D2", "DURAND", None),
        person("D3", "PETIT", None),
        with_kind(
            payee("TUT", "UDAF DE SEINE-ET-MARNE", 7, None),
            PayeeKind::Tuteur,
        ),
    ];
    for (r, d) in [("R1", "D1"), ("R2", "D2"), ("R3", "D3"), ("R4", "D1")] {
        records.push(Record::Right(right(r, d, Benefit::Pch, 10_000, "TUT")));
    }
    let mut f = fixture(records);
    let id = prepared(&mut f, "2026-12");
    let lines = mandated_lines(&f.store, id);
    let mandates: std::collections::BTreeSet<u32> =
        lines.iter().filter_map(|l| l.1.map(|m| m.0)).collect();
    assert_eq!(mandates.len(), 3, "{lines:?}");
    // D1's two rights are one mandate of two lines.
    let d1: Vec<_> = lines
        .iter()
        .filter(|l| l.0 == "R1" || l.0 == "R4")
        .map(|l| l.1.map(|m| m.0))
        .collect();
    assert_eq!(d1.first(), d1.last());
    // One account for three protected people: the control report flags it, once, naming them.
    let mut flagged = Vec::new();
    f.store
        .each_run_anomaly(id, &mut |a| {
            flagged.push((a.kind, a.payee_id.clone(), a.detail.clone()));
            Ok(())
        })
        .expect("anomalies");
    let guardian: Vec<_> = flagged
        .iter()
        .filter(|a| a.0 == AnomalyKind::GuardianSharedIban)
        .collect();
    assert_eq!(guardian.len(), 1, "{flagged:?}");
    assert_eq!(guardian[0].1, "TUT");
    for name in [
        "3 personnes protégées",
        "MARTIN",
        "DURAND",
        "PETIT",
        "art. 427",
    ] {
        assert!(guardian[0].2.contains(name), "{}", guardian[0].2);
    }
}

/// A guardian paid for one protected person is no anomaly, however many rights.
#[test]
fn a_guardian_of_one_person_is_not_flagged() {
    let records = vec![
        person("D1", "MARTIN", None),
        with_kind(
            payee("TUT", "MANDATAIRE DUPONT", 7, None),
            PayeeKind::Tuteur,
        ),
        Record::Right(right("R1", "D1", Benefit::Pch, 10_000, "TUT")),
        Record::Right(right("R2", "D1", Benefit::ApaDom, 10_000, "TUT")),
    ];
    let mut f = fixture(records);
    let id = prepared(&mut f, "2026-12");
    f.store
        .each_run_anomaly(id, &mut |a| {
            assert_ne!(a.kind, AnomalyKind::GuardianSharedIban, "{a:?}");
            Ok(())
        })
        .expect("anomalies");
}

/// The imputation is chosen by benefit and payee kind (APA at home paid to a home-help
/// service is not APA paid to the person), and one mandate carries one imputation.
#[test]
fn the_imputation_follows_the_payee_kind() {
    let mut records = vec![
        person("D1", "MARTIN", None),
        person("D2", "DURAND", None),
        payee("T1", "MARTIN Jeanne", 1, None),
        with_kind(
            payee("SAAD", "AIDE A DOMICILE 77", 2, None),
            PayeeKind::Service,
        ),
    ];
    records.push(Record::Right(right(
        "R1",
        "D1",
        Benefit::ApaDom,
        10_000,
        "T1",
    )));
    records.push(Record::Right(right(
        "R2",
        "D2",
        Benefit::ApaDom,
        20_000,
        "SAAD",
    )));
    let mut f = fixture(records);
    let mut req = request("liq", "2026-12");
    if let Some(apa) = req.params.benefits.get_mut(&Benefit::ApaDom) {
        apa.account = "651142".into();
        apa.function = "431".into();
        apa.by_payee
            .insert(PayeeKind::Service, ("651141".into(), "431".into()));
    }
    let id = f.store.prepare_run(&req, &ALL).expect("prepare").run.id;
    let mut seen = BTreeMap::new();
    f.store
        .each_run_line(id, &mut |l, p| {
            seen.insert(p.id.clone(), (l.account.clone(), l.function.clone()));
            Ok(())
        })
        .expect("lines");
    assert_eq!(seen["T1"], ("651142".to_owned(), "431".to_owned()));
    assert_eq!(seen["SAAD"], ("651141".to_owned(), "431".to_owned()));
}

/// A right whose own imputation (the extract's column) is not an M57 account stops the
/// preparation, naming the right, and nothing is claimed.
#[test]
fn an_imputation_outside_m57_is_refused_naming_the_rights() {
    let mut records = standard();
    for r in &mut records {
        if let Record::Right(right) = r
            && right.id == "R2"
        {
            right.imputation = Some("65-652421".into());
        }
    }
    let mut f = fixture(records);
    let e = f
        .store
        .prepare_run(&request("liq", "2026-12"), &ALL)
        .expect_err("refused");
    assert!(
        matches!(e, RunStoreError::BadImputations { count: 1, .. }),
        "{e}"
    );
    let text = e.to_string();
    assert!(text.contains("R2") && text.contains("652421"), "{text}");
    assert!(f.store.runs().expect("runs").is_empty());
    let claims: i64 = f
        .store
        .raw_connection()
        .query_row(
            "SELECT count(*) FROM run_claims WHERE run_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("claims");
    assert_eq!(claims, 0);
}

/// RSA is mandated to the CAF once for the month (CASF L262-25): the CAF's statement of the
/// month when imported, else the latest one as an advance, else the snapshot's RSA rights —
/// never a household's line.
#[test]
fn the_rsa_is_one_mandate_to_the_caf_on_the_best_basis() {
    use relais_store::runs::CafParams;
    let mut f = fixture(standard());
    let mut req = request("liq", "2026-12");
    req.params.caf = Some(CafParams {
        name: "CAF DE SEINE-ET-MARNE".into(),
        iban: iban(77),
        bic: None,
        siret: None,
        address: "21 rue Paul Doumer".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
    });
    let prepare_and_cancel = |f: &mut Fixture| {
        let run = f.store.prepare_run(&req, &ALL).expect("prepare").run;
        let caf_lines: Vec<_> = mandated_lines(&f.store, run.id)
            .into_iter()
            .filter(|l| l.3 == "CAF")
            .collect();
        f.store.cancel_run(run.id, "liq", "essai").expect("cancel");
        (run.summary, caf_lines)
    };
    // No statement: the rights (R6, 600 €), as an advance.
    let (s, lines) = prepare_and_cancel(&mut f);
    let caf = s.caf_mandate.clone().expect("mandated");
    assert_eq!((caf.amount, caf.from_statement), (Cents(60_000), false));
    assert!(caf.basis.contains("droits"), "{}", caf.basis);
    assert_eq!(s.mandates, 5, "four payees' mandates and the CAF's");
    assert_eq!(s.total, Cents(196_000 + 60_000));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].1, Some((5, 1)), "the last mandate");
    let statement = |month: &str, cents: i64| {
        format!(
            "INSERT INTO caf_statements (month, file_sha256, rows, total_cents, imported_by, imported_at)
             VALUES ('{month}', '{}', 1, {cents}, 'liq', '2026-12-01 09:00')",
            "0".repeat(64)
        )
    };
    // November's statement: December's advance.
    f.store
        .raw_connection()
        .execute(&statement("2026-11", 58_000), [])
        .expect("november");
    let (s, _) = prepare_and_cancel(&mut f);
    let caf = s.caf_mandate.expect("mandated");
    assert_eq!((caf.amount, caf.from_statement), (Cents(58_000), false));
    assert!(caf.basis.contains("2026-11"), "{}", caf.basis);
    // December's own statement wins.
    f.store
        .raw_connection()
        .execute(&statement("2026-12", 61_234), [])
        .expect("december");
    let (s, _) = prepare_and_cancel(&mut f);
    let caf = s.caf_mandate.expect("mandated");
    assert_eq!((caf.amount, caf.from_statement), (Cents(61_234), true));
    assert_eq!(s.total, Cents(196_000 + 61_234));
}

/// June on a history of November and December: refused (the reviewer's case paid 13,865 lines
/// of a month already paid by the old system); November needs an arrears run with a reason,
/// and pays only the rights with no payment that month; October, before the history, never;
/// February from December is too far ahead.
#[test]
fn a_month_is_paid_only_where_the_history_allows_it() {
    use relais_core::month_guard::MonthRefusal;
    let mut f = fixture(standard());
    let refused = |f: &mut Fixture, m: &str, arrears: Option<&str>| {
        let mut req = request("liq", m);
        req.arrears = arrears;
        f.store.prepare_run(&req, &ALL).err()
    };
    assert!(matches!(
        refused(&mut f, "2026-11", None),
        Some(RunStoreError::Month(MonthRefusal::PastMonth { .. }))
    ));
    assert!(matches!(
        refused(&mut f, "2026-11", Some("  ")),
        Some(RunStoreError::EmptyReason)
    ));
    assert!(matches!(
        refused(&mut f, "2026-10", Some("rappel")),
        Some(RunStoreError::Month(MonthRefusal::BeforeHistory { .. }))
    ));
    assert!(matches!(
        refused(&mut f, "2027-02", None),
        Some(RunStoreError::Month(MonthRefusal::TooFarAhead { .. }))
    ));
    // Nothing was written by the refusals.
    assert!(f.store.runs().expect("runs").is_empty());
    let mut req = request("liq", "2026-11");
    req.arrears = Some("rappel : droits ouverts en retard");
    let run = f.store.prepare_run(&req, &ALL).expect("arrears").run;
    let lines = mandated_lines(&f.store, run.id);
    // R1 and R2 were paid in November by the history: not again.
    assert!(
        lines.iter().all(|l| l.0 != "R1" && l.0 != "R2"),
        "{lines:?}"
    );
    assert!(!lines.is_empty());
    let journal = f.store.journal_entries(1, 1000).expect("journal");
    let prepare = journal
        .iter()
        .rev()
        .find(|e| e.kind == "run_prepare")
        .expect("journaled");
    assert!(
        prepare.payload.contains("droits ouverts en retard"),
        "{}",
        prepare.payload
    );
}

/// A right numbered again by the source system (R8 paid for December by the old system, the
/// same person's APA at home now also under R8B): the claims' key does not see it, the person
/// guard does. The line is excluded with its own reason until an ordonnateur releases that
/// right for that month; a liquidation agent cannot, nor can a right that is no such case.
#[test]
fn a_person_paid_a_benefit_under_another_right_is_not_paid_it_again() {
    let mut records = standard();
    records.push(Record::Right(right(
        "R8B",
        "D2",
        Benefit::ApaDom,
        10_000,
        "T2",
    )));
    let mut f = fixture(records);
    let id = prepared(&mut f, "2026-12");
    let excluded = exclusions(&f.store, id);
    assert_eq!(
        excluded.get("R8B").map(String::as_str),
        Some("already_paid_other_right"),
        "{excluded:?}"
    );
    let mut label = String::new();
    f.store
        .each_run_exclusion(id, &mut |e| {
            if e.right_id == "R8B" {
                label = e.reason_fr.clone();
            }
            Ok(())
        })
        .expect("exclusions");
    assert!(label.contains("sous un autre droit (R8)"), "{label}");
    assert!(mandated_lines(&f.store, id).iter().all(|l| l.0 != "R8B"));
    let december = month("2026-12");
    let refused = f
        .store
        .release_duplicate(
            "liq",
            "R8B",
            december,
            "même droit renuméroté",
            "2026-12-02 10:00",
        )
        .expect_err("liquidation may not release");
    assert!(
        refused.to_string().contains("ordonnateur") || refused.to_string().contains("rôle"),
        "{refused}"
    );
    assert!(matches!(
        f.store
            .release_duplicate("ord", "R3", december, "pas un doublon", "2026-12-02 10:00"),
        Err(RunStoreError::NotADuplicate { .. })
    ));
    // The ordonnateur's decision: the next preparation pays it.
    let other = f
        .store
        .release_duplicate(
            "ord",
            "R8B",
            december,
            "deux droits distincts, vérifié",
            "2026-12-02 10:00",
        )
        .expect("released");
    assert_eq!(other, "R8");
    f.store
        .cancel_run(id, "liq", "levée de R8B")
        .expect("cancel");
    let again = prepared(&mut f, "2026-12");
    assert!(mandated_lines(&f.store, again).iter().any(|l| l.0 == "R8B"));
    let journal = f.store.journal_entries(1, 1000).expect("journal");
    assert!(
        journal
            .iter()
            .any(|e| e.kind == "run_release_duplicate" && e.payload.contains("vérifié"))
    );
}

#[test]
fn the_history_s_totals_are_summed_by_benefit_and_month_within_the_months_asked() {
    let f = fixture(standard());
    let totals = f
        .store
        .history_totals(month("2026-10"), month("2026-12"))
        .expect("totals");
    assert_eq!(
        totals,
        vec![
            (Benefit::ApaDom, month("2026-11"), Cents(90_000)),
            (Benefit::ApaDom, month("2026-12"), Cents(10_000)),
            (Benefit::Pch, month("2026-11"), Cents(31_000)),
        ]
    );
    let december = f
        .store
        .history_totals(month("2026-12"), month("2027-05"))
        .expect("totals");
    assert_eq!(
        december,
        vec![(Benefit::ApaDom, month("2026-12"), Cents(10_000))]
    );
}

/// A person's page reads why a run left their rights out (through the exclusions' index by
/// file, migration 24), the run itself, and every month claimed; a cancelled run's say
/// nothing any more.
#[test]
fn a_persons_page_reads_what_runs_left_out_and_why() {
    use relais_store::desk::DeskStore;
    let mut f = fixture(standard());
    let id = prepared(&mut f, "2026-12");
    let page = f.store.person("D3", None).expect("page").expect("D3");
    let why: BTreeMap<String, (String, String)> = page
        .exclusions
        .iter()
        .map(|e| (e.right_id.clone(), (e.reason.clone(), e.month.clone())))
        .collect();
    assert_eq!(
        why.get("R7"),
        Some(&("suspended".to_owned(), "2026-12".to_owned()))
    );
    assert_eq!(
        why.get("R9").map(|(r, _)| r.as_str()),
        Some("bank_change_unapproved")
    );
    assert!(page.exclusions.iter().all(|e| e.run_id == id.to_string()));
    assert!(
        page.runs
            .iter()
            .any(|r| r.id == id.to_string() && r.status == "prepared")
    );
    assert!(
        page.paid_months
            .iter()
            .any(|p| p.right_id == "R3" && p.month == "2026-12")
    );
    // Another person's exclusions are not theirs; the account each run pays them on is the
    // run's copy.
    let other = f.store.person("D1", None).expect("page").expect("D1");
    assert!(other.exclusions.is_empty());
    let account = iban(1);
    let account = account.as_str();
    assert_eq!(
        other.run_accounts,
        [(
            id.to_string(),
            "T1".to_owned(),
            account[account.len() - 4..].to_owned()
        )]
    );
    f.store
        .cancel_run(id, "liq", "erreur de paramètres")
        .expect("cancel");
    let page = f.store.person("D3", None).expect("page").expect("D3");
    assert!(page.exclusions.is_empty() && page.runs.is_empty());
    assert!(page.paid_months.iter().all(|p| p.month != "2026-12"));
}
