//! The payment-run services on a real store, at a fixed instant: what the command line and
//! the web both get (times recorded from the injected clock, typed refusals, an export whose
//! files `SHA256SUMS` lists and that gives the same bytes again).

use relais_app::runs::{self, Authority, PrepareRequest};
use relais_app::{AppError, FixedClock, Missing};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::sample;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::roles::Role;
use relais_core::settings::Settings;
use relais_store::numbering::{NumberingStore, SetNumbering};
use relais_store::{NewUser, SqliteStore, Store};

/// 1 December 2026, 09:14 in Paris.
fn clock() -> FixedClock {
    FixedClock("2026-12-01T08:14:00Z".parse().expect("instant"))
}

fn settings() -> Settings {
    toml::from_str(include_str!("settings.toml")).expect("settings")
}

/// One person paid APA at home (450,12 € a month) to themself; one user per role; the
/// exercice's numbering confirmed.
fn store(dir: &std::path::Path) -> SqliteStore {
    let mut store = SqliteStore::open(&dir.join("relais.db")).expect("open");
    for role in Role::ALL {
        store
            .add_user(
                "system",
                &NewUser {
                    login: format!("u-{role}"),
                    roles: vec![role],
                    site: None,
                    password_hash: "not used".into(),
                },
            )
            .expect("user");
    }
    let records = [
        sample::person("D1", "LEFÈVRE", "Anne"),
        sample::payee(
            "T1",
            PayeeKind::Personne,
            "LEFÈVRE Anne",
            sample::iban("00000000001"),
        ),
        sample::right("R1", "D1", Benefit::ApaDom, 45_012, "T1"),
    ];
    let mut session = store.begin_import().expect("begin");
    for r in &records {
        session.insert(r).expect("insert");
    }
    session
        .commit("u-admin", serde_json::json!({}))
        .expect("commit");
    store
        .set_numbering(&SetNumbering {
            exercice: 2026,
            last_bordereau: 100,
            last_mandate: 1000,
            cumul: Cents(0),
            reason: "confirmé par la paierie",
            actor: "u-ordonnateur",
            local_time: "2026-11-30 09:00",
        })
        .expect("numbering");
    store
}

#[test]
fn a_run_is_prepared_validated_and_exported_at_the_clock_s_time() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let settings = settings();
    let tz = jiff::tz::TimeZone::get("Europe/Paris").expect("tz");
    let clock = clock();
    let at = Authority {
        settings: &settings,
        settings_path: None,
        tz: &tz,
        clock: &clock,
    };
    let month = Month::parse("2026-12").expect("month");
    let prepared = runs::prepare(
        &mut store,
        &at,
        &PrepareRequest {
            month,
            benefits: &[Benefit::ApaDom],
            actor: "u-liquidation",
            arrears: None,
        },
    )
    .expect("prepared");
    let id = prepared.run.id;
    assert_eq!(prepared.run.summary.prepared_at, "2026-12-01 09:14");
    assert_eq!(prepared.run.summary.total, Cents(45_012));

    // The preparer may not validate: a refusal, said in French.
    let refused =
        runs::validate(&mut store, &clock, &tz, id, "u-liquidation").expect_err("refused");
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    // Not validated: not exported.
    let early = runs::plan_export(&store, &at, id, "u-liquidation").err();
    assert!(matches!(early, Some(AppError::NotValidated { .. })));

    let later = FixedClock("2026-12-01T09:30:00Z".parse().expect("instant"));
    let run = runs::validate(&mut store, &later, &tz, id, "u-ordonnateur").expect("validated");
    assert_eq!(
        run.summary.validated_at.as_deref(),
        Some("2026-12-01 10:30")
    );

    // A run that does not exist is not found, whatever is asked of it.
    let missing = "P2026-12-09".parse().expect("id");
    let e = runs::cancel(&mut store, missing, "u-liquidation", "x").expect_err("missing");
    assert!(matches!(e, AppError::NotFound(Missing::Run(_))), "{e:?}");
    assert_eq!(e.french(), "aucun paiement P2026-12-09");

    // Who may export: not the desk.
    let desk = runs::plan_export(&store, &at, id, "u-accueil").err();
    assert!(matches!(desk, Some(AppError::Refused(_))));

    let export = |store: &mut SqliteStore, out: &std::path::Path| {
        let plan = runs::plan_export(&*store, &at, id, "u-liquidation").expect("plan");
        let written = runs::write_export(&plan, &*store, None::<&mut SqliteStore>, out, false)
            .expect("written");
        runs::record_export(store, plan, written, None, jiff::Timestamp::now()).expect("recorded")
    };
    let first = export(&mut store, &dir.path().join("a"));
    let names: Vec<&str> = first.written.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&format!("PES_{id}.xml").as_str()),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("bordereau_{id}.pdf").as_str()),
        "{names:?}"
    );
    let sums = std::fs::read_to_string(dir.path().join("a/SHA256SUMS")).expect("sums");
    assert_eq!(sums.lines().count(), first.written.len());
    // Exported again: the same bytes.
    let second = export(&mut store, &dir.path().join("b"));
    assert_eq!(first.written, second.written);
    assert!(second.journal_seq > first.journal_seq);
}

#[test]
fn without_payment_settings_nothing_is_prepared_and_the_agent_is_told_where() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store(dir.path());
    let mut settings = settings();
    settings.payments = None;
    let tz = jiff::tz::TimeZone::get("Europe/Paris").expect("tz");
    let path = dir.path().join("settings.toml");
    let at = Authority {
        settings: &settings,
        settings_path: Some(&path),
        tz: &tz,
        clock: &clock(),
    };
    let e = runs::prepare(
        &mut store,
        &at,
        &PrepareRequest {
            month: Month::parse("2026-12").expect("month"),
            benefits: &[Benefit::ApaDom],
            actor: "u-liquidation",
            arrears: None,
        },
    )
    .expect_err("no settings");
    assert!(matches!(e, AppError::NoPaymentSettings { .. }));
    assert!(
        e.french().contains(&path.display().to_string()),
        "{}",
        e.french()
    );
    assert!(runs::list(&store).expect("runs").is_empty());
}

/// A renewal confirmed on a simulation is applied only while the simulation still gives the
/// digest the agent saw; applied once, the same decision changes nothing and says so.
#[test]
fn a_renewal_is_applied_only_as_it_was_simulated() {
    use relais_app::renewals::{Applied, apply_as_simulated, digest, renew};
    use relais_core::records::Benefit;
    use relais_core::run::RenewalPolicy;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(dir.path());
    let policy = RenewalPolicy {
        benefits: vec![Benefit::ApaDom],
        ends_from: jiff::civil::date(2027, 12, 1),
        ends_to: jiff::civil::date(2027, 12, 31),
        new_end: jiff::civil::date(2028, 6, 30),
        legal_reference: "arrêté n° 2027-1".into(),
        decided_by: "Le Président".into(),
    };
    let simulated = renew(&mut store, &policy, "u-instruction", true).expect("simulate");
    assert_eq!(simulated.rights, 1);
    let seen = digest(&policy, &simulated);
    // Another decision's digest: nothing is applied, today's simulation is given back.
    let other = RenewalPolicy {
        new_end: jiff::civil::date(2029, 12, 31),
        ..policy.clone()
    };
    match apply_as_simulated(&mut store, &other, "u-instruction", &seen).expect("apply") {
        Applied::Changed(now) => assert_eq!(now.rights, 1),
        Applied::Done(_) => panic!("applied a decision that was not the one confirmed"),
    }
    match apply_as_simulated(&mut store, &policy, "u-instruction", &seen).expect("apply") {
        Applied::Done(done) => assert!(done.rights == 1 && done.entry.is_some()),
        Applied::Changed(_) => panic!("the confirmed simulation still held"),
    }
    // Applied once: the same confirmation no longer holds (nothing left to change).
    match apply_as_simulated(&mut store, &policy, "u-instruction", &seen).expect("apply") {
        Applied::Changed(now) => assert_eq!(now.rights, 0),
        Applied::Done(_) => panic!("applied twice"),
    }
}
