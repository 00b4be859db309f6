//! The purchase-order services on a real store, at a fixed instant: the exercice is the year
//! of the authority's day (not UTC's), the PDF lands in the folder given, a PDF that cannot be
//! written leaves the order recorded and says how to write it again, and the book matches the
//! invoices that name an order.

use jiff::civil::date;
use jiff::tz::TimeZone;
use relais_app::FixedClock;
use relais_app::orders::{OrderDesk, OrderRequest, book};
use relais_core::Cents;
use relais_core::deposits::{KindOverrides, kind_rules};
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::records::{Invoice, Record, Supplier};
use relais_core::roles::Role;
use relais_core::settings::Settings;
use relais_store::orders::OrderStore;
use relais_store::{NewUser, SqliteStore, Store};

const SIRET: &str = "73282932000074";

fn settings() -> Settings {
    toml::from_str(include_str!("settings.toml")).expect("settings")
}

fn invoice(id: &str, cents: i64, commitment: &str) -> Record {
    Record::Invoice(Invoice {
        id: id.into(),
        siret: Siret::parse(SIRET).expect("siret"),
        number: format!("N-{id}"),
        invoice_date: date(2026, 12, 1),
        received_on: date(2026, 12, 2),
        amount_incl_tax: Cents(cents),
        commitment: Some(commitment.into()),
        status: "a_payer".into(),
        extra: vec![],
    })
}

/// A supplier, two invoices (one naming the first order of 2027), a `liquidation` agent.
fn store() -> SqliteStore {
    let mut store = SqliteStore::open_in_memory().expect("open");
    store
        .add_user(
            "system",
            &NewUser {
                login: "liq".into(),
                roles: vec![Role::Liquidation],
                site: None,
                password_hash: "not used".into(),
            },
        )
        .expect("user");
    let mut session = store.begin_import().expect("begin");
    for r in [
        Record::Supplier(Supplier {
            siret: Siret::parse(SIRET).expect("siret"),
            name: "Fournitures SA".into(),
            iban: Iban::parse("FR7630006000011234567890189").expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
            address: "3 rue de la Gare".into(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            extra: vec![],
        }),
        invoice("F1", 30_000, "BC-2027-000001"),
        invoice("F2", 1_000, "ENG-2026-00012"),
    ] {
        session.insert(&r).expect("insert");
    }
    session
        .commit("system", serde_json::json!({}))
        .expect("commit");
    store
}

fn request(amount: &str) -> OrderRequest {
    OrderRequest {
        service: "Direction des routes".into(),
        supplier: SIRET.into(),
        object: "Sel de déneigement".into(),
        amount: amount.into(),
        ..OrderRequest::default()
    }
}

#[test]
fn the_exercice_is_the_authority_s_year_and_the_book_matches_invoices() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = settings();
    let tz = TimeZone::get("Europe/Paris").expect("tz");
    let rules = kind_rules(&KindOverrides::new()).expect("rules");
    let desk = OrderDesk {
        authority: &settings.authority,
        tz: &tz,
        rules: &rules,
        folder: dir.path().join("commandes"),
    };
    let mut store = store();
    // 31 December 23:30 in UTC is already 1 January in Paris.
    let new_year = FixedClock("2026-12-31T23:30:00Z".parse().expect("instant"));
    let issued = desk
        .issue(&mut store, &new_year, "liq", &request("1 000"))
        .expect("issued");
    assert_eq!(issued.order.number.to_string(), "BC-2027-000001");
    assert_eq!(issued.order.issued_on, date(2027, 1, 1));
    assert_eq!(issued.pdf, dir.path().join("commandes/BC-2027-000001.pdf"));
    assert!(
        std::fs::read(&issued.pdf)
            .expect("pdf")
            .starts_with(b"%PDF")
    );

    // A refusal names its field and writes nothing.
    let e = desk
        .issue(&mut store, &new_year, "liq", &request("0"))
        .expect_err("zero");
    assert!(e.french().starts_with("montant : "), "{}", e.french());
    assert_eq!(store.orders().expect("orders").len(), 1);

    let book = book(&store).expect("book");
    assert_eq!(book.orders.len(), 1);
    assert_eq!(book.orders[0].invoices, ["F1"]);
    assert_eq!(book.orders[0].invoiced, Cents(30_000));
    assert_eq!(book.orders[0].remaining, Cents(70_000));
    assert_eq!(book.without_invoices().count(), 0);
    let loose: Vec<&str> = book.unmatched.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(loose, ["F2"]);
}

#[test]
fn an_order_whose_pdf_cannot_be_written_stays_recorded_and_says_how_to_print_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = settings();
    let tz = TimeZone::get("Europe/Paris").expect("tz");
    let rules = kind_rules(&KindOverrides::new()).expect("rules");
    // A file where the folder should be.
    let blocked = dir.path().join("commandes");
    std::fs::write(&blocked, "").expect("file");
    let desk = OrderDesk {
        authority: &settings.authority,
        tz: &tz,
        rules: &rules,
        folder: blocked.clone(),
    };
    let mut store = store();
    let clock = FixedClock("2026-12-01T08:14:00Z".parse().expect("instant"));
    let e = desk
        .issue(&mut store, &clock, "liq", &request("10"))
        .expect_err("no folder");
    assert!(
        e.french()
            .contains("bon de commande BC-2026-000001 enregistré, PDF non écrit")
            && e.french()
                .contains("relais commandes imprimer BC-2026-000001"),
        "{}",
        e.french()
    );
    assert_eq!(store.orders().expect("orders").len(), 1);
    // Once the folder can be made, the PDF is written again from the store.
    std::fs::remove_file(&blocked).expect("unblock");
    let path = desk.reprint(&store, "bc-2026-1").expect("reprint");
    assert_eq!(path, blocked.join("BC-2026-000001.pdf"));
    assert!(path.exists());
}
