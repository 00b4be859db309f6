//! SQLite's own guards of the purchase orders (migration 28): an order and its exercice's
//! counter never change nor go, the counter only steps by one, and an order only takes the
//! number its counter just gave — whatever a database client tries behind the store's back.

use jiff::civil::date;
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::orders::NewOrder;
use relais_core::records::{Record, Supplier};
use relais_core::roles::Role;
use relais_store::orders::OrderStore;
use relais_store::{NewUser, SqliteStore, Store};
use serde_json::json;

fn store() -> SqliteStore {
    let mut s = SqliteStore::open_in_memory().expect("open");
    s.add_user(
        "admin",
        &NewUser {
            login: "liq".into(),
            roles: vec![Role::Liquidation],
            site: None,
            password_hash: "x".into(),
        },
    )
    .expect("user");
    let siret = Siret::parse("73282932000074").expect("siret");
    let mut import = s.begin_import().expect("import");
    import
        .insert(&Record::Supplier(Supplier {
            siret: siret.clone(),
            name: "Fournitures SA".into(),
            iban: Iban::parse("FR7630006000011234567890189").expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
            address: "3 rue".into(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            extra: vec![],
        }))
        .expect("supplier");
    import.commit("admin", json!({})).expect("commit");
    let order = NewOrder {
        service: "Routes".into(),
        siret,
        object: "sel".into(),
        amount: Cents(10_000),
        commitment: None,
        delivery: None,
    };
    for _ in 0..2 {
        s.issue_order("liq", &order, date(2026, 12, 1))
            .expect("issued");
    }
    s
}

#[test]
fn orders_and_their_counters_refuse_every_rewrite() {
    let s = store();
    let c = s.raw_connection();
    for sql in [
        "UPDATE orders SET amount = 1",
        "UPDATE orders SET issued_by = 'mallory'",
        "DELETE FROM orders",
        "DELETE FROM order_counters",
        // Back, or a leap: a number lost or given twice.
        "UPDATE order_counters SET last = 1",
        "UPDATE order_counters SET last = 4",
        // An order that takes a number its counter did not give.
        "INSERT INTO orders VALUES ('BC-2026-000005', 2026, 5, 's', '73282932000074', 'F', '',
             'o', 1, NULL, NULL, 'liq', '2026-12-01', '2026-12-01T08:00:00Z')",
        // A number that is not the one its exercice and rank spell.
        "INSERT INTO orders VALUES ('BC-2026-000009', 2026, 2, 's', '73282932000074', 'F', '',
             'o', 1, NULL, NULL, 'liq', '2026-12-01', '2026-12-01T08:00:00Z')",
    ] {
        assert!(c.execute(sql, []).is_err(), "accepted: {sql}");
    }
    let last: i64 = c
        .query_row(
            "SELECT last FROM order_counters WHERE exercice = 2026",
            [],
            |r| r.get(0),
        )
        .expect("counter");
    assert_eq!(last, 2);
    assert_eq!(s.orders().expect("orders").len(), 2);
}
