//! Payment readiness: what `relais drill` and the payment runs read, streamed.

use super::TestBackend;
use super::fixtures::{Fixture, empty, with_admin};
use jiff::civil::{Date, date};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::ids::{Bic, Iban, Nir, Siret};
use relais_core::records::{
    Agent, Beneficiary, Benefit, Invoice, Payee, PayeeKind, Record, Right, RightStatus, Supplier,
};
use relais_formats::extract::{Entity, FlaggedRow, Problem};
use relais_store::{FlaggedCount, PaymentRight};
use serde_json::json;

const IBAN: &str = "FR7630006000011234567890189";

fn person(dossier: &str, death: Option<Date>) -> Record {
    Record::Beneficiary(Beneficiary {
        dossier: dossier.into(),
        nir: None,
        last_name: "Martin".into(),
        first_name: "Zoé".into(),
        birth_date: date(1940, 2, 1),
        address: "1 rue Victor Hugo".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        phone: String::new(),
        site: "MDS01".into(),
        death_date: death,
        civility: None,
        extra: vec![],
    })
}

fn payee(id: &str, kind: PayeeKind, changed: Option<Date>) -> Record {
    Record::Payee(Payee {
        id: id.into(),
        kind,
        name: "Payee".into(),
        siret: None,
        iban: Iban::parse(IBAN).expect("iban"),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        holder: "Payee".into(),
        address: "2 avenue Foch".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban_changed_on: changed,
        legal_form: None,
        extra: vec![],
    })
}

fn right(id: &str, dossier: &str, payee: &str, benefit: Benefit, cents: i64) -> Record {
    Record::Right(Right {
        id: id.into(),
        dossier: dossier.into(),
        benefit,
        monthly_amount: Cents(cents),
        start: date(2025, 1, 1),
        end: date(2027, 6, 30),
        status: RightStatus::EnPaiement,
        payee_id: payee.into(),
        imputation: None,
        extra: vec![],
    })
}

fn agent(matricule: &str, net: i64, exit: Option<Date>) -> Record {
    Record::Agent(Agent {
        matricule: matricule.into(),
        last_name: "Agent".into(),
        first_name: "Paul".into(),
        nir: Nir::parse("185057800604830").expect("nir"),
        iban: Iban::parse(IBAN).expect("iban"),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        net_monthly: Cents(net),
        variables: Cents(1_000),
        entry_date: date(2010, 1, 1),
        exit_date: exit,
        service: "DSI".into(),
        extra: vec![],
    })
}

fn rejected(entity: Entity, line: u64, key: &str, field: &str, code: &[&str]) -> FlaggedRow {
    FlaggedRow {
        entity,
        file: entity.file_name(),
        line,
        key: Some(key.into()),
        raw: vec![(field.into(), key.into())],
        problems: code
            .iter()
            .map(|c| Problem {
                column: Some(1),
                field: field.into(),
                code: (*c).into(),
                message_fr: format!("problème {c}"),
                message_en: format!("problem {c}"),
            })
            .collect(),
    }
}

/// Two people (one dead), three payees, four rights, two agents, two invoices, and rejected
/// rows of tiers and droits.
pub fn filled<B: TestBackend>() -> Fixture<B> {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    let siret = Siret::parse("73282932000074").expect("siret");
    let records = vec![
        person("D2", None),
        person("D1", Some(date(2026, 12, 10))),
        payee("T1", PayeeKind::Personne, Some(date(2026, 11, 20))),
        payee("T2", PayeeKind::Service, None),
        payee("E1", PayeeKind::Etablissement, None),
        right("R3", "D2", "T2", Benefit::ApaDom, 30_000),
        right("R1", "D1", "T1", Benefit::Pch, 10_000),
        right("R2", "D1", "E1", Benefit::Ash, 20_000),
        right("R4", "D2", "T2", Benefit::Rsa, 60_000),
        agent("A1", 200_000, None),
        agent("A2", 150_000, Some(date(2026, 10, 31))),
        agent("A3", 100_000, Some(date(2026, 12, 1))),
        Record::Supplier(Supplier {
            siret: siret.clone(),
            name: "Fournitures SA".into(),
            iban: Iban::parse(IBAN).expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
            address: "3 rue".into(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            extra: vec![],
        }),
    ];
    let invoice = |id: &str, received: Date, cents: i64| {
        Record::Invoice(Invoice {
            id: id.into(),
            siret: siret.clone(),
            number: format!("N-{id}"),
            invoice_date: date(2026, 10, 1),
            received_on: received,
            amount_incl_tax: Cents(cents),
            commitment: None,
            status: "a_payer".into(),
            extra: vec![],
        })
    };
    let mut session = s.begin_import().expect("begin");
    for r in records.iter().chain(
        [
            invoice("F2", date(2026, 11, 2), 5_000),
            invoice("F1", date(2026, 10, 2), 7_000),
        ]
        .iter(),
    ) {
        session.insert(r).expect("insert");
    }
    session
        .reject(&rejected(Entity::Tiers, 4, "T9", "iban", &["rib_cle"]))
        .expect("reject");
    session
        .reject(&rejected(
            Entity::Droits,
            7,
            "R9",
            "tiers_id",
            &["tiers_rejete"],
        ))
        .expect("reject");
    session
        .reject(&rejected(
            Entity::Droits,
            9,
            "R8",
            "montant_mensuel",
            &["montant_negatif", "tiers_rejete"],
        ))
        .expect("reject");
    session.commit("admin", json!({})).expect("commit");
    f
}

pub fn rights_stream_with_their_person_and_payee_ordered_by_dossier<B: TestBackend>() {
    let f = filled::<B>();
    let s = &f.store;
    let mut seen: Vec<PaymentRight> = Vec::new();
    let n = s
        .each_payment_right(&mut |r| seen.push(r.clone()))
        .expect("rights");
    assert_eq!(n, 4);
    let dossiers: Vec<&str> = seen.iter().map(|r| r.dossier.as_str()).collect();
    assert_eq!(dossiers, ["D1", "D1", "D2", "D2"]);
    let r1 = seen.iter().find(|r| r.right_id == "R1").expect("R1");
    assert_eq!(r1.death_date, Some(date(2026, 12, 10)));
    assert_eq!(r1.payee_kind, PayeeKind::Personne);
    assert_eq!(r1.iban_changed_on, Some(date(2026, 11, 20)));
    assert_eq!(r1.benefit, Benefit::Pch);
    assert_eq!(r1.monthly_amount, Cents(10_000));
    assert_eq!(r1.status, RightStatus::EnPaiement);
    assert_eq!((r1.start, r1.end), (date(2025, 1, 1), date(2027, 6, 30)));
    let r3 = seen.iter().find(|r| r.right_id == "R3").expect("R3");
    assert_eq!(r3.death_date, None);
    assert_eq!(r3.payee_kind, PayeeKind::Service);
    assert_eq!(r3.iban_changed_on, None);
    assert_eq!(r3.terms().monthly_amount, Cents(30_000));
}

pub fn an_empty_store_streams_nothing<B: TestBackend>() {
    let f = empty::<B>();
    let s = &f.store;
    assert_eq!(s.each_payment_right(&mut |_| {}).expect("rights"), 0);
    assert_eq!(s.each_open_invoice(&mut |_| {}).expect("invoices"), 0);
    assert_eq!(s.each_flagged_row("droits", &mut |_| {}).expect("rows"), 0);
    assert!(s.flagged_counts().expect("counts").is_empty());
    let p = s
        .payroll(Month::parse("2026-12").expect("month"))
        .expect("payroll");
    assert_eq!((p.agents, p.net_total), (0, Cents::ZERO));
}

pub fn payroll_counts_agents_in_post_during_the_month<B: TestBackend>() {
    let f = filled::<B>();
    let s = &f.store;
    let december = s
        .payroll(Month::parse("2026-12").expect("month"))
        .expect("payroll");
    // A2 left in October; A3 leaves on 1 December and is still paid for that month.
    assert_eq!(december.agents, 2);
    assert_eq!(december.net_total, Cents(300_000));
    assert_eq!(december.variables_total, Cents(2_000));
    let october = s
        .payroll(Month::parse("2026-10").expect("month"))
        .expect("payroll");
    assert_eq!(october.agents, 3);
    let before = s
        .payroll(Month::parse("2009-12").expect("month"))
        .expect("payroll");
    assert_eq!(before.agents, 0);
}

pub fn open_invoices_come_by_date_of_receipt_with_their_supplier<B: TestBackend>() {
    let f = filled::<B>();
    let s = &f.store;
    let mut seen = Vec::new();
    let n = s
        .each_open_invoice(&mut |i| seen.push(i.clone()))
        .expect("invoices");
    assert_eq!(n, 2);
    assert_eq!(seen[0].id, "F1");
    assert_eq!(seen[0].received_on, date(2026, 10, 2));
    assert_eq!(seen[0].amount_incl_tax, Cents(7_000));
    assert_eq!(seen[0].supplier, "Fournitures SA");
    assert_eq!(seen[0].number, "N-F1");
    assert_eq!(seen[1].id, "F2");
    assert_eq!(seen[1].status, "a_payer");
}

pub fn rejected_rows_are_counted_by_file_and_code_and_streamed_by_entity<B: TestBackend>() {
    let f = filled::<B>();
    let s = &f.store;
    let counts = s.flagged_counts().expect("counts");
    let c = |entity: &str, file: &str, code: &str, rows: u64| FlaggedCount {
        entity: entity.into(),
        file: file.into(),
        code: code.into(),
        rows,
    };
    assert_eq!(
        counts,
        vec![
            c("droits", "droits.csv", "montant_negatif", 1),
            c("droits", "droits.csv", "tiers_rejete", 2),
            c("tiers", "tiers.csv", "rib_cle", 1),
        ]
    );
    let mut keys = Vec::new();
    let n = s
        .each_flagged_row("droits", &mut |r| {
            keys.push((r.key.clone(), r.line, r.problems.len()))
        })
        .expect("rows");
    assert_eq!(n, 2);
    assert_eq!(
        keys,
        vec![(Some("R9".into()), 7, 1), (Some("R8".into()), 9, 2)]
    );
    let mut tiers = Vec::new();
    s.each_flagged_row("tiers", &mut |r| tiers.push(r.problems.clone()))
        .expect("rows");
    assert_eq!(tiers.len(), 1);
    assert_eq!(tiers[0][0].0, "iban");
    assert_eq!(tiers[0][0].1, "rib_cle");
}

pub fn text_changed_behind_the_store_is_reported_not_guessed<B: TestBackend>() {
    let f = filled::<B>();
    let s = &f.store;
    s.corrupt_right_benefit("R1", "XYZ");
    assert!(matches!(
        s.each_payment_right(&mut |_| {}),
        Err(relais_store::StoreError::Corrupt(_))
    ));
}

pub fn a_rejected_row_handled_by_hand_stays_handled_across_imports<B: TestBackend>() {
    let mut f = filled::<B>();
    let s = &mut f.store;
    let (open, count) = s.flagged_views(0, 100, true).expect("views");
    assert_eq!((open.len(), count), (3, 3));
    let id = open[0].row.id;
    assert_eq!(
        s.handle_flagged("admin", 999_999, "sans_suite", "x", "t")
            .expect("none"),
        None
    );
    // The schema refuses an unknown outcome or an empty note.
    assert!(s.handle_flagged("admin", id, "oublie", "x", "t").is_err());
    assert!(
        s.handle_flagged("admin", id, "sans_suite", "  ", "t")
            .is_err()
    );
    let before = s.verify_journal().expect("journal");
    let seq = s
        .handle_flagged(
            "admin",
            id,
            "traite_a_la_main",
            "payé par mandat manuel",
            "2026-12-02 10:00",
        )
        .expect("handle")
        .expect("row");
    assert_eq!(s.verify_journal().expect("journal"), before + 1);
    assert!(seq > 0);
    let (open, count) = s.flagged_views(0, 100, true).expect("views");
    assert_eq!((open.len(), count), (2, 2));
    let one = s.flagged_view(id).expect("view").expect("row");
    let h = one.handling.expect("handled");
    assert_eq!(
        (h.outcome.as_str(), h.by.as_str()),
        ("traite_a_la_main", "admin")
    );
    // A new import that rejects the same row again: the outcome still applies.
    let mut session = s.begin_import().expect("begin");
    session
        .reject(&rejected(Entity::Tiers, 4, "T9", "iban", &["rib_cle"]))
        .expect("reject");
    session.commit("admin", json!({})).expect("commit");
    let (all, count) = s.flagged_views(0, 100, false).expect("views");
    assert_eq!((all.len(), count), (1, 0));
    assert!(all[0].handling.is_some());
}
