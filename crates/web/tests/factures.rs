//! Issue #23 through the web, without a socket: the invoices' list a page at a time with its
//! totals over all; a liquidation agent prepares the suppliers' payment from it, an ordonnateur
//! validates it from the page that states what it mandates, its files are written; the invoice
//! is then mandated, and its payment recorded by hand; a supplier's changed bank details are
//! approved by an ordonnateur only.

use axum::http::StatusCode;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::records::{Invoice, Record, Supplier};
use relais_core::roles::Role;
use relais_store::numbering::{NumberingStore, SetNumbering};
use relais_store::{NewUser, SqliteStore, Store};
use relais_web::{App, Config, Shared, hash_password};
use std::sync::Arc;

mod common;
use common::*;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").expect("tz"))
        .date()
}

fn day(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

const PAID: &str = "73282932000074";
const CHANGED: &str = "10000000900009";

fn supplier(siret: &str, name: &str, account: &str) -> Record {
    Record::Supplier(Supplier {
        siret: Siret::parse(siret).expect("siret"),
        name: name.into(),
        iban: Iban::from_french_rib("30006", "00001", account).expect("iban"),
        bic: Bic::parse("AGRIFRPP").expect("bic"),
        address: "3 rue de la Gare".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        extra: vec![],
    })
}

/// `n` invoices of the first supplier received a day apart back from today (F000 today), and
/// one of the second (G1).
fn invoices(n: usize) -> Vec<Record> {
    let mut out: Vec<Record> = (0..n)
        .map(|i| {
            let received = today()
                .checked_sub(jiff::Span::new().days(i as i64))
                .expect("day");
            Record::Invoice(Invoice {
                id: format!("F{i:03}"),
                siret: Siret::parse(PAID).expect("siret"),
                number: format!("N-{i:03}"),
                invoice_date: received,
                received_on: received,
                amount_incl_tax: Cents(123_456 + i as i64),
                commitment: None,
                status: "a_payer".into(),
                extra: vec![],
            })
        })
        .collect();
    out.push(Record::Invoice(Invoice {
        id: "G1".into(),
        siret: Siret::parse(CHANGED).expect("siret"),
        number: "G-1".into(),
        invoice_date: today(),
        received_on: today(),
        amount_incl_tax: Cents(50_000),
        commitment: None,
        status: "a_payer".into(),
        extra: vec![],
    }));
    out
}

/// Imports the suppliers (the second with the bank account `changed`) and 150 invoices.
fn import(store: &mut SqliteStore, changed: &str) {
    let mut session = store.begin_import().expect("begin");
    let records = [
        supplier(PAID, "Fournitures Martin SAS", "00000000001"),
        supplier(CHANGED, "Travaux Lefèvre SARL", changed),
    ];
    for r in records.iter().chain(&invoices(150)) {
        session.insert(r).expect("insert");
    }
    session
        .commit("u-admin", serde_json::json!({}))
        .expect("commit");
}

/// One user per role; the suppliers and invoices imported twice, the second supplier's bank
/// account changed the second time (it waits for an ordonnateur); the exercice's numbering
/// confirmed; the payment settings loaded; the runs' files written under the fixture's folder.
fn fixture() -> (tempfile::TempDir, Shared) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = SqliteStore::open(&dir.path().join("relais.db")).expect("open");
    let hash = hash_password(PASSWORD).expect("hash");
    for role in Role::ALL {
        store
            .add_user(
                "system",
                &NewUser {
                    login: format!("u-{role}"),
                    roles: vec![role],
                    site: None,
                    password_hash: hash.clone(),
                },
            )
            .expect("user");
    }
    import(&mut store, "00000000002");
    import(&mut store, "00000000003");
    store
        .set_numbering(&SetNumbering {
            exercice: today().year(),
            last_bordereau: 100,
            last_mandate: 1000,
            cumul: Cents(0),
            reason: "confirmé par la paierie",
            actor: "u-ordonnateur",
            local_time: "2026-12-01 09:00",
        })
        .expect("numbering");
    let config = Config {
        settings: Some(
            toml::from_str(include_str!("next_payment_settings.toml")).expect("settings"),
        ),
        exports: Some(relais_web::paiements::Exports {
            dir: dir.path().join("exports"),
        }),
        ..Config::default()
    };
    let now = jiff::Timestamp::now().as_second();
    let app = App::new(store, config, Arc::new(move || now)).expect("app");
    (dir, app)
}

async fn step(app: &Shared, who: &str, invoice: &str, what: &str, fields: &str) -> Answer {
    let (cookie, csrf) = login(app, who).await;
    send(
        app,
        post(
            &format!("/factures/{invoice}/{what}"),
            &cookie,
            &format!("csrf_token={csrf}&{fields}"),
        ),
    )
    .await
}

#[tokio::test]
async fn the_list_is_paged_with_its_totals_over_all() {
    let (_dir, app) = fixture();
    let (cookie, _) = login(&app, "u-instruction").await;
    let first = send(&app, get("/factures", &cookie)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    for shown in [
        "<strong>151 factures</strong>",
        "Page 1 sur 2 : factures 1 à 100",
        "href=\"/factures?page=2\"",
        "Page suivante (2)",
        // The most urgent first: F149, received 149 days ago, late by 119 days.
        "en retard de 119 jour(s)",
        "1\u{a0}236,05\u{a0}€",
    ] {
        assert!(first.body.contains(shown), "{shown}: {}", first.body);
    }
    // Every invoice received more than 30 days ago is late, whatever its page.
    assert!(
        first.body.contains("(119 facture(s) en retard)"),
        "{}",
        first.body
    );
    assert_eq!(
        first.body.matches("<tr><td><a href=\"/factures/").count(),
        100
    );
    let second = send(&app, get("/factures?page=2", &cookie)).await;
    assert_eq!(
        second.body.matches("<tr><td><a href=\"/factures/").count(),
        51
    );
    assert!(second.body.contains("Page 2 sur 2 : factures 101 à 151"));
    // Beyond the last page: the last; not a number: the first.
    let beyond = send(&app, get("/factures?page=99", &cookie)).await;
    assert!(beyond.body.contains("Page 2 sur 2"), "{}", beyond.body);
    let odd = send(&app, get("/factures?page=deux", &cookie)).await;
    assert!(odd.body.contains("Page 1 sur 2"), "{}", odd.body);
    // Dates as agents write them, states in words.
    assert!(second.body.contains(&day(today())), "{}", second.body);
    assert!(second.body.contains("reçue : service fait à certifier"));
    assert!(!second.body.contains("recue"));
    // The instruction agent neither prepares a payment nor approves bank details.
    assert!(!first.body.contains("Préparer le paiement des fournisseurs"));
    assert!(!first.body.contains("Approuver les coordonnées"));
}

#[tokio::test]
async fn a_supplier_run_prepared_from_the_list_is_validated_then_the_invoice_paid() {
    let (dir, app) = fixture();
    for invoice in ["F040", "G1"] {
        let a = step(
            &app,
            "u-instruction",
            invoice,
            "service-fait",
            "verifie=bon+de+livraison&montant=",
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let a = step(
            &app,
            "u-liquidation",
            invoice,
            "liquider",
            "nature=6068&fonction=0202&montant=",
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    }
    let (liq, liq_csrf) = login(&app, "u-liquidation").await;
    let list = send(&app, get("/factures", &liq)).await;
    assert!(
        list.body.contains("Préparer le paiement des fournisseurs"),
        "{}",
        list.body
    );
    // The route is the liquidation's alone, and asks for the session's token.
    let (ord, ord_csrf) = login(&app, "u-ordonnateur").await;
    let a = send(
        &app,
        post(
            "/fournisseurs/paiement",
            &ord,
            &format!("csrf_token={ord_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&app, post("/fournisseurs/paiement", &liq, "csrf_token=x")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(
        &app,
        post(
            "/fournisseurs/paiement",
            &liq,
            &format!("csrf_token={liq_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let run = a.location();
    assert!(run.starts_with("/paiements/P"), "{run}");
    let page = send(&app, get(&run, &liq)).await;
    for shown in [
        "Paiement des fournisseurs",
        "1 facture pour 1\u{a0}234,96\u{a0}€",
        "1 mandat pour",
        // The late invoice's interest and the EUR 40 indemnity.
        "Factures en attente",
        "Travaux Lefèvre SARL",
        "un ordonnateur doit les approuver, sur la page Factures",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    assert!(!page.body.contains("Par prestation"), "{}", page.body);
    assert!(!page.body.contains("relais factures"), "{}", page.body);
    // Prepared again while it waits: the same run, said.
    let a = send(
        &app,
        post(
            "/fournisseurs/paiement",
            &liq,
            &format!("csrf_token={liq_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.location(), format!("{run}?fait=deja"));
    // Validated by an ordonnateur from the page that states what it mandates.
    let confirm = send(&app, get(&format!("{run}/valider"), &ord)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm.body.contains("paiement des fournisseurs") && confirm.body.contains("1 facture"),
        "{}",
        confirm.body
    );
    assert!(!confirm.body.contains("droits"), "{}", confirm.body);
    let digest = input_value(&confirm.body, "empreinte");
    let a = send(
        &app,
        post(
            &format!("{run}/valider"),
            &ord,
            &format!("csrf_token={ord_csrf}&empreinte={digest}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // Its files, through the same service as `relais run export`.
    let a = send(
        &app,
        post(
            &format!("{run}/exporter"),
            &ord,
            &format!("csrf_token={ord_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&app, get(&run, &ord)).await;
    assert!(page.body.contains(">PES_"), "{}", page.body);
    assert!(page.body.contains("SHA256SUMS"), "{}", page.body);
    let id = run.trim_start_matches("/paiements/");
    assert!(
        dir.path()
            .join("exports")
            .join(id)
            .join("SHA256SUMS")
            .exists()
    );
    // The invoice is mandated: its page says so, and offers to record its payment.
    let invoice = send(&app, get("/factures/F040", &ord)).await;
    assert!(
        invoice
            .body
            .contains("mandatée : paiement par le comptable"),
        "{}",
        invoice.body
    );
    assert!(invoice.body.contains("Enregistrer le paiement"));
    let (inst, _) = login(&app, "u-instruction").await;
    let seen = send(&app, get("/factures/F040", &inst)).await;
    assert!(!seen.body.contains("Enregistrer le paiement"));
    let a = step(
        &app,
        "u-instruction",
        "F040",
        "paiement",
        "paye_le=&source=x",
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = step(
        &app,
        "u-ordonnateur",
        "F040",
        "paiement",
        "paye_le=31%2F02%2F2026&source=relev%C3%A9",
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains("JJ/MM/AAAA"), "{}", a.body);
    let a = step(
        &app,
        "u-ordonnateur",
        "F040",
        "paiement",
        &format!(
            "paye_le={}&source=retour+du+comptable",
            day(today()).replace('/', "%2F")
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/factures/F040?fait=payee");
    let paid = send(&app, get(&a.location(), &ord)).await;
    for shown in [
        format!("payée le {}", day(today())),
        "retour du comptable".to_owned(),
        "Paiement enregistré".to_owned(),
    ] {
        assert!(paid.body.contains(&shown), "{shown}: {}", paid.body);
    }
    // Paid: no longer on the list to pay.
    let list = send(&app, get("/factures?page=2", &ord)).await;
    assert!(!list.body.contains("href=\"/factures/F040\""));
    assert!(
        list.body.contains("<strong>150 factures</strong>"),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn a_suppliers_changed_bank_details_are_approved_by_an_ordonnateur() {
    let (_dir, app) = fixture();
    let (liq, liq_csrf) = login(&app, "u-liquidation").await;
    let list = send(&app, get("/factures", &liq)).await;
    assert!(list.body.contains("Travaux Lefèvre SARL"), "{}", list.body);
    assert!(!list.body.contains("Approuver les coordonnées"));
    let path = format!("/fournisseurs/{CHANGED}/approbation");
    let a = send(&app, post(&path, &liq, &format!("csrf_token={liq_csrf}"))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let (ord, ord_csrf) = login(&app, "u-ordonnateur").await;
    let list = send(&app, get("/factures", &ord)).await;
    assert!(
        list.body
            .contains("Approuver les coordonnées de Travaux Lefèvre SARL"),
        "{}",
        list.body
    );
    let a = send(&app, post(&path, &ord, "csrf_token=faux")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&app, post(&path, &ord, &format!("csrf_token={ord_csrf}"))).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/factures?fait=rib");
    let list = send(&app, get(&a.location(), &ord)).await;
    assert!(list.body.contains("Coordonnées bancaires approuvées"));
    assert!(!list.body.contains("Approuver les coordonnées"));
    // Approved already, and a supplier nobody knows.
    let a = send(&app, post(&path, &ord, &format!("csrf_token={ord_csrf}"))).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    let a = send(
        &app,
        post(
            "/fournisseurs/12345678900017/approbation",
            &ord,
            &format!("csrf_token={ord_csrf}"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
}
