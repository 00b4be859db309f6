//! Purchase orders: numbered without a gap per exercice, also under concurrent writers;
//! issued only by a `liquidation` agent or an ordonnateur, to a known supplier; kept across
//! imports; the invoices read with their commitment and whether they were rejected.

use super::TestBackend;
use super::fixtures::{add_user, import, with_admin};
use jiff::civil::{Date, date};
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::invoices::lifecycle::InvoiceEvent;
use relais_core::orders::{NewOrder, OrderNumber};
use relais_core::records::{Invoice, Record, Supplier};
use relais_core::roles::Role;
use relais_store::StoreError;
use relais_store::orders::OrderError;

const SIRET: &str = "73282932000074";

fn supplier() -> Record {
    Record::Supplier(Supplier {
        siret: Siret::parse(SIRET).expect("siret"),
        name: "Fournitures SA".into(),
        iban: Iban::parse("FR7630006000011234567890189").expect("iban"),
        bic: Bic::parse("BNPAFRPP").expect("bic"),
        address: "3 rue de la Gare".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        extra: vec![],
    })
}

fn invoice(id: &str, cents: i64, commitment: Option<&str>) -> Record {
    Record::Invoice(Invoice {
        id: id.into(),
        siret: Siret::parse(SIRET).expect("siret"),
        number: format!("N-{id}"),
        invoice_date: date(2026, 12, 1),
        received_on: date(2026, 12, 2),
        amount_incl_tax: Cents(cents),
        commitment: commitment.map(str::to_owned),
        status: "a_payer".into(),
        extra: vec![],
    })
}

fn order(object: &str, cents: i64) -> NewOrder {
    NewOrder {
        service: "Direction des routes".into(),
        siret: Siret::parse(SIRET).expect("siret"),
        object: object.into(),
        amount: Cents(cents),
        commitment: None,
        delivery: None,
    }
}

/// A store with its supplier, a `liquidation` agent and an ordonnateur.
fn ready<B: TestBackend>() -> super::fixtures::Fixture<B> {
    let mut f = with_admin::<B>();
    import(&mut f.store, &[supplier()]);
    add_user(&mut f.store, "liq", &[Role::Liquidation]);
    add_user(&mut f.store, "ord", &[Role::Ordonnateur]);
    f
}

fn number(text: &str) -> OrderNumber {
    text.parse().expect("number")
}

pub fn orders_are_numbered_without_a_gap_per_exercice<B: TestBackend>() {
    let mut f = ready::<B>();
    let s = &mut f.store;
    let days: [(&str, Date); 5] = [
        ("liq", date(2026, 12, 30)),
        ("ord", date(2026, 12, 31)),
        ("liq", date(2027, 1, 1)),
        ("liq", date(2026, 12, 31)),
        ("ord", date(2027, 1, 2)),
    ];
    let given: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, (who, on))| {
            let o = s
                .issue_order(who, &order(&format!("objet {i}"), 1_000), *on)
                .expect("issued");
            assert_eq!((o.issued_on, o.issued_by.as_str()), (*on, *who));
            o.number.to_string()
        })
        .collect();
    assert_eq!(
        given,
        [
            "BC-2026-000001",
            "BC-2026-000002",
            "BC-2027-000001",
            "BC-2026-000003",
            "BC-2027-000002"
        ]
    );
    let listed: Vec<String> = s
        .orders()
        .expect("orders")
        .iter()
        .map(|o| o.number.to_string())
        .collect();
    assert_eq!(
        listed,
        [
            "BC-2026-000001",
            "BC-2026-000002",
            "BC-2026-000003",
            "BC-2027-000001",
            "BC-2027-000002"
        ]
    );
    let o = s
        .order(number("BC-2027-000001"))
        .expect("read")
        .expect("kept");
    assert_eq!(o.object, "objet 2");
    assert_eq!(o.supplier, "Fournitures SA");
    assert_eq!(o.address, ["3 rue de la Gare", "77000 Melun"]);
    assert_eq!(s.order(number("BC-2027-000009")).expect("read"), None);
    // Each order is journaled, and the chain holds.
    let n = s.verify_journal().expect("journal");
    let entries = s.journal_entries(1, n).expect("entries");
    let issued: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == "order_issued")
        .collect();
    assert_eq!(issued.len(), 5);
    assert!(issued[0].payload.contains("BC-2026-000001"));
    assert!(issued[0].payload.contains("\"amount\":1000"));
}

pub fn only_liquidation_or_ordonnateur_issue_and_only_to_a_known_supplier<B: TestBackend>() {
    let mut f = ready::<B>();
    let s = &mut f.store;
    add_user(s, "inst", &[Role::Instruction]);
    let day = date(2026, 12, 1);
    for who in ["inst", "admin"] {
        assert!(matches!(
            s.issue_order(who, &order("x", 100), day),
            Err(OrderError::Store(StoreError::Forbidden { .. }))
        ));
    }
    assert!(matches!(
        s.issue_order("nobody", &order("x", 100), day),
        Err(OrderError::Store(StoreError::UnknownUser(_)))
    ));
    s.set_user_disabled("admin", "liq", true).expect("disable");
    assert!(matches!(
        s.issue_order("liq", &order("x", 100), day),
        Err(OrderError::Store(StoreError::DisabledUser(_)))
    ));
    let stranger = NewOrder {
        siret: Siret::parse("44306184100013").expect("siret"),
        ..order("x", 100)
    };
    let e = s.issue_order("ord", &stranger, day).expect_err("unknown");
    assert!(matches!(e, OrderError::UnknownSupplier(_)));
    assert!(e.to_string().contains("44306184100013"), "{e}");
    // A refusal uses no number.
    let first = s.issue_order("ord", &order("x", 100), day).expect("issued");
    assert_eq!(first.number.to_string(), "BC-2026-000001");
    assert_eq!(s.orders().expect("orders").len(), 1);
}

pub fn concurrent_issuers_get_consecutive_numbers<B: TestBackend>() {
    let f = ready::<B>();
    let (threads, per_thread) = (4, 10);
    let dir = f.dir.path().to_owned();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut store = B::connect(&dir);
                (0..per_thread)
                    .map(|i| {
                        let who = if t % 2 == 0 { "liq" } else { "ord" };
                        store
                            .issue_order(who, &order(&format!("{t}-{i}"), 100), date(2026, 6, 1))
                            .expect("issued")
                            .number
                            .seq()
                    })
                    .collect::<Vec<u32>>()
            })
        })
        .collect();
    let mut all: Vec<u32> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("issuer"))
        .collect();
    all.sort_unstable();
    assert_eq!(all, (1..=threads * per_thread).collect::<Vec<u32>>());
}

pub fn orders_outlive_imports_and_invoices_carry_commitment_and_rejection<B: TestBackend>() {
    let mut f = ready::<B>();
    let s = &mut f.store;
    s.issue_order("liq", &order("sel", 10_000), date(2026, 12, 1))
        .expect("issued");
    // The extracts imported again: the order stays, the invoices are the new ones.
    import(
        s,
        &[
            supplier(),
            invoice("F2", 4_000, Some("BC-2026-000001")),
            invoice("F1", 3_000, Some("  ")),
            invoice("F3", 5_000, Some("ENG-2026-00012")),
        ],
    );
    assert_eq!(s.orders().expect("orders").len(), 1);
    add_user(s, "inst", &[Role::Instruction]);
    let rejected = InvoiceEvent::Rejected {
        reason: "doublon".into(),
    };
    s.record_invoice_step("F3", &rejected, "liq", date(2026, 12, 3))
        .expect("rejected");
    let invoices = s.order_invoices().expect("invoices");
    let seen: Vec<(&str, &str, Option<&str>, i64, bool)> = invoices
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.source,
                i.commitment.as_deref(),
                i.amount.0,
                i.rejected,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("F1", "extraction", None, 3_000, false),
            ("F2", "extraction", Some("BC-2026-000001"), 4_000, false),
            ("F3", "extraction", Some("ENG-2026-00012"), 5_000, true),
        ]
    );
    assert_eq!(invoices[0].supplier, "Fournitures SA");
    assert_eq!(invoices[0].number, "N-F1");
}
