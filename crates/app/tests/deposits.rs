//! The deposit and receipt services on a real store: what `relais deposit`, `relais receipt`
//! and the web's courrier screens all get (the same refusals, in the same order; a receipt
//! whose code the register confirms, and that says ANNULÉ once cancelled).

use relais_app::deposits::{self, verify};
use relais_app::{AppError, DataDir, Missing, Refusal};
use relais_core::deposits::{
    DepositKind, KindOverrides, KindRules, NewDeposit, ServiceContact, kind_rules,
};
use relais_core::roles::Role;
use relais_store::deposits::DepositFilter;
use relais_store::{Backend, NewUser, SqliteStore, Store};

fn store(dir: &std::path::Path) -> Box<dyn Backend> {
    let mut store = SqliteStore::open(&dir.join("relais.db")).expect("open");
    for (login, role) in [("courrier", Role::Courrier), ("compta", Role::Liquidation)] {
        store
            .add_user(
                "system",
                &NewUser {
                    login: login.into(),
                    roles: vec![role],
                    site: None,
                    password_hash: "not used".into(),
                },
            )
            .expect("user");
    }
    Box::new(store)
}

/// The built-in rules, every service with the contact details a receipt must print.
fn rules() -> Vec<KindRules> {
    let mut rules = kind_rules(&KindOverrides::new()).expect("rules");
    for r in &mut rules {
        r.service = ServiceContact {
            name: "Service du courrier".into(),
            address: "1 rue de l'Hôtel du Département, 77000 Melun".into(),
            email: "courrier@example.fr".into(),
            phone: "01 99 00 00 00".into(),
        };
    }
    rules
}

fn apa(depositor: &str) -> NewDeposit {
    NewDeposit {
        subject: Some("Demande d'APA".into()),
        pages: 3,
        ..NewDeposit::new(DepositKind::DemandeApa, depositor)
    }
}

#[test]
fn a_deposit_is_registered_its_receipt_verified_then_cancelled() {
    let dir = tempfile::tempdir().expect("dir");
    let data = DataDir::new(dir.path());
    let key = data.receipt_key().expect("key");
    let mut s = store(dir.path());
    let tz = jiff::tz::TimeZone::UTC;
    let rules = rules();

    // Neither courrier nor accueil: refused, and said so, before anything is registered.
    let e = deposits::register(&mut *s, "compta", &apa("X"), &tz, &rules, &key)
        .expect_err("not a desk agent");
    assert!(matches!(e, AppError::Refused(Refusal::NotDeskAgent(_))));
    assert_eq!(
        e.french(),
        "l'utilisateur « compta » n'a ni le rôle courrier ni le rôle accueil"
    );
    // A service without its contact details: refused too, the receipt must print them.
    let bare = kind_rules(&KindOverrides::new()).expect("rules");
    if bare.iter().any(|r| !r.service.missing().is_empty()) {
        let e = deposits::register(&mut *s, "courrier", &apa("X"), &tz, &bare, &key)
            .expect_err("no service");
        assert!(matches!(e, AppError::NoService(_)), "{e:?}");
    }
    assert!(
        deposits::list(&*s, &DepositFilter::default())
            .expect("list")
            .is_empty(),
        "nothing registered"
    );

    let d = deposits::register(&mut *s, "courrier", &apa("Anne LEFÈVRE"), &tz, &rules, &key)
        .expect("registered");
    let pdf = deposits::receipt_pdf(&*s, "Département", &tz, &rules, &d).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let path = data
        .save_receipt(&*s, "Département", &tz, &rules, &d)
        .expect("saved");
    assert_eq!(path, data.receipt_path(d.number));
    assert!(path.exists());

    let public = data.receipt_public_key().expect("public key");
    let summary = verify::code(&d.receipt_code, &public).expect("genuine");
    assert_eq!(summary.number, d.number);
    let register = verify::in_register(&*s, &summary).expect("register");
    assert!(matches!(register, verify::InRegister::Same(_)));
    assert!(register.cancellation().is_none());
    let given = verify::Given {
        depositor: Some("Anne LEFÈVRE"),
        amount: Some("12,50"),
        ..verify::Given::default()
    };
    let compared = verify::compare(&given, &summary);
    assert_eq!(compared.len(), 2);
    assert_eq!(compared[0].same, Some(true), "the depositor is bound");
    assert_eq!(compared[1].same, None, "an aid application binds no amount");

    assert!(deposits::answers(&d, "lefevre"));
    assert!(!deposits::answers(&d, "dupont"));

    let number = deposits::number(&d.number.to_string()).expect("number");
    deposits::cancel(&mut *s, "courrier", number, "doublon").expect("cancelled");
    let register = verify::in_register(&*s, &summary).expect("register");
    assert_eq!(
        register.cancellation().map(|c| c.reason.as_str()),
        Some("doublon")
    );
    let e = deposits::cancel(&mut *s, "courrier", number, "encore").expect_err("twice");
    assert!(matches!(e, AppError::Deposit(_)));
    assert!(e.french().contains("déjà annulé"), "{}", e.french());

    let absent = deposits::number("2026-999999").expect("number");
    let e = deposits::deposit(&*s, absent).expect_err("absent");
    assert!(matches!(e, AppError::NotFound(Missing::Deposit(_))));
    assert!(deposits::number("douze").is_err());
}
