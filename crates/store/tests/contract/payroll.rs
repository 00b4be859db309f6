//! Payroll runs: an agent is paid once a month whatever the runs, the preparer never
//! validates, cancelling frees the month, and a change of situation waits for another
//! ordonnateur.

use super::TestBackend;
use super::fixtures::{Fixture, add_user, import, month, with_admin};
use super::runs::params;
use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Nir};
use relais_core::payroll::{AgentChange, PayrollSettings};
use relais_core::records::{Agent, Record};
use relais_core::roles::Role;
use relais_core::run::{RunId, RunKind, RunStatus};
use relais_store::numbering::SetNumbering;
use relais_store::payroll::{AskChange, PayrollParams, PreparePayroll};
use relais_store::runs::RunStoreError;

fn agent(matricule: &str, net: i64) -> Record {
    agent_paid_to(matricule, net, "FR7630006000011234567890189")
}

fn agent_paid_to(matricule: &str, net: i64, iban: &str) -> Record {
    Record::Agent(Agent {
        matricule: matricule.into(),
        last_name: "Agent".into(),
        first_name: "Paul".into(),
        nir: Nir::parse("185057800604830").expect("nir"),
        iban: Iban::parse(iban).expect("iban"),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        net_monthly: Cents(net),
        variables: Cents(5_000),
        entry_date: date(2010, 1, 1),
        exit_date: None,
        service: "DSI".into(),
        extra: vec![],
    })
}

fn staffed<B: TestBackend>() -> Fixture<B> {
    let mut f = with_admin::<B>();
    for (login, role) in [
        ("liq", Role::Liquidation),
        ("ord", Role::Ordonnateur),
        ("ord2", Role::Ordonnateur),
    ] {
        add_user(&mut f.store, login, &[role]);
    }
    import(&mut f.store, &[agent("A1", 200_000), agent("A2", 150_000)]);
    f.store
        .set_numbering(&SetNumbering {
            exercice: 2026,
            last_bordereau: 41,
            last_mandate: 1_200,
            cumul: Cents(1_000_000),
            reason: "confirmé par la paierie",
            actor: "ord",
            local_time: "2026-11-30 09:00",
        })
        .expect("numbering");
    f
}

fn request(m: &str) -> PreparePayroll<'static> {
    PreparePayroll {
        month: month(m),
        actor: "liq",
        authority: "Département de test",
        local_time: "2026-12-01 09:00".into(),
        params: PayrollParams {
            pay_date: date(2026, 12, 24),
            pay_date_note: None,
            settings: PayrollSettings::default(),
        },
        run_params: params(),
    }
}

fn prepare<B: TestBackend>(store: &mut B, m: &str) -> Result<RunId, RunStoreError> {
    Ok(store.prepare_payroll(&request(m))?.run.id)
}

pub fn an_agent_is_paid_once_a_month<B: TestBackend>() {
    let mut f = staffed::<B>();
    let s = &mut f.store;
    let id = prepare(s, "2026-12").expect("prepare");
    let run = s.run(id).expect("run").expect("some");
    assert_eq!(run.kind, RunKind::Paie);
    let summary = s.payroll_summary(id).expect("summary");
    assert_eq!(
        (summary.agents, summary.net, summary.deferred),
        (2, Cents(350_000), Cents(10_000))
    );
    // Again: the same run, nothing claimed twice.
    assert_eq!(prepare(s, "2026-12").expect("again"), id);
    // The preparer never validates; another ordonnateur does.
    assert!(s.validate_run(id, "liq", "2026-12-02 09:00").is_err());
    let validated = s
        .validate_run(id, "ord", "2026-12-02 09:00")
        .expect("validate");
    // Numbered on from the paierie's last bordereau and mandate, like every run.
    assert_eq!(validated.bordereau, Some((2026, 42)));
    assert_eq!(validated.first_mandate, Some(1_201));
    // Validated, the month is paid: nobody is left to pay.
    assert!(matches!(
        prepare(s, "2026-12"),
        Err(RunStoreError::NoAgentToPay(_))
    ));
    // Another month is its own.
    let january = prepare(s, "2027-01").expect("january");
    // Cancelled, its month is free again.
    let cancelled = s.cancel_run(january, "liq", "erreur").expect("cancel");
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert!(prepare(s, "2027-01").is_ok());
    // A payroll run open does not stand in the way of the month's benefits, nor theirs in its.
    let mut deferred = 0;
    s.each_deferred(id, &mut |d| {
        deferred += d.amount.0;
        Ok(())
    })
    .expect("deferred");
    assert_eq!(deferred, 10_000);
}

pub fn a_change_of_situation_waits_for_another_ordonnateur<B: TestBackend>() {
    let mut f = staffed::<B>();
    let s = &mut f.store;
    let ask = AskChange {
        actor: "liq",
        matricule: "A1",
        change: AgentChange::Exit {
            date: date(2026, 11, 30),
        },
        proof: "ARR-1",
        reason: "retraite",
        local_time: "2026-12-01 09:00",
    };
    let asked = s.ask_payroll_change(&ask).expect("ask");
    let unknown = AskChange {
        matricule: "ZZ",
        ..ask.clone()
    };
    assert!(matches!(
        s.ask_payroll_change(&unknown),
        Err(RunStoreError::UnknownAgent(_))
    ));
    let no_proof = AskChange { proof: " ", ..ask };
    assert!(matches!(
        s.ask_payroll_change(&no_proof),
        Err(RunStoreError::NoProof)
    ));
    // Waiting: not applied, both agents paid.
    let id = prepare(s, "2026-12").expect("prepare");
    assert_eq!(s.payroll_summary(id).expect("summary").agents, 2);
    s.cancel_run(id, "liq", "à refaire").expect("cancel");
    // The asker may not decide; a liquidation agent neither; an ordonnateur may, once.
    assert!(
        s.decide_payroll_change("liq", asked.id, None, "2026-12-01 10:00")
            .is_err()
    );
    s.decide_payroll_change("ord", asked.id, None, "2026-12-01 10:00")
        .expect("approve");
    assert!(matches!(
        s.decide_payroll_change("ord2", asked.id, Some("non"), "2026-12-01 10:00"),
        Err(RunStoreError::ChangeDecided(_))
    ));
    // Approved: A1 left before December and is not paid.
    let id = prepare(s, "2026-12").expect("prepare again");
    let summary = s.payroll_summary(id).expect("summary");
    assert_eq!((summary.agents, summary.not_in_post), (1, 1));
    assert!(s.payroll_changes(true).expect("pending").is_empty());
    // New bank details asked: the agent is paid to neither account until it is decided.
    s.cancel_run(id, "liq", "à refaire").expect("cancel");
    s.ask_payroll_change(&AskChange {
        actor: "liq",
        matricule: "A2",
        change: AgentChange::Bank {
            iban: Iban::parse("FR7630006000011234567890189").expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
        },
        proof: "RIB signé",
        reason: "changement de banque",
        local_time: "2026-12-01 11:00",
    })
    .expect("ask rib");
    assert!(matches!(
        prepare(s, "2026-12"),
        Err(RunStoreError::NoAgentToPay(_))
    ));
}

pub fn bank_details_changed_by_the_extracts_wait_for_an_approval<B: TestBackend>() {
    let mut f = staffed::<B>();
    let s = &mut f.store;
    let december = prepare(s, "2026-12").expect("december");
    s.validate_run(december, "ord", "2026-12-02 09:00")
        .expect("validate");
    // The next snapshot gives A1 other bank details than December paid.
    let other = "FR7630001007941234567890185";
    import(
        s,
        &[agent_paid_to("A1", 200_000, other), agent("A2", 150_000)],
    );
    let january = prepare(s, "2027-01").expect("january");
    let summary = s.payroll_summary(january).expect("summary");
    assert_eq!((summary.agents, summary.excluded), (1, 1));
    let mut reasons = Vec::new();
    s.each_payroll_exclusion(january, &mut |x| {
        reasons.push((x.matricule.clone(), x.reason.clone()));
        Ok(())
    })
    .expect("exclusions");
    assert_eq!(
        reasons,
        [("A1".to_owned(), "bank_change_unapproved".to_owned())]
    );
    // Asked and approved: paid to the new account.
    s.cancel_run(january, "liq", "RIB à approuver")
        .expect("cancel");
    let asked = s
        .ask_payroll_change(&AskChange {
            actor: "liq",
            matricule: "A1",
            change: AgentChange::Bank {
                iban: Iban::parse(other).expect("iban"),
                bic: Bic::parse("BNPAFRPP").expect("bic"),
            },
            proof: "RIB signé",
            reason: "changement de banque",
            local_time: "2027-01-02 09:00",
        })
        .expect("ask");
    s.decide_payroll_change("ord", asked.id, None, "2027-01-02 10:00")
        .expect("approve");
    let again = prepare(s, "2027-01").expect("january again");
    assert_eq!(s.payroll_summary(again).expect("summary").agents, 2);
}
