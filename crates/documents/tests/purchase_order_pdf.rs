//! The purchase order: its text, as `pdftotext` reads it, holds the authority, the supplier,
//! the order's number, date, service, object and amount written the French way, where the
//! invoice goes, and the mention that the invoice must carry the order's number (CCP D2192-2).

mod common;

use jiff::civil::Date;
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::orders::OrderNumber;
use relais_documents::purchase_order::{PurchaseOrder, write_purchase_order};

fn order() -> PurchaseOrder {
    PurchaseOrder {
        authority: "Collectivité territoriale de Martinique".into(),
        authority_siret: Siret::parse("20005504400016").expect("siret"),
        number: OrderNumber::new(2026, 123).expect("number"),
        issued_on: Date::constant(2026, 12, 1),
        service: "Direction des routes".into(),
        supplier: "Béton des Îles SARL".into(),
        supplier_address: vec!["3 rue de l'Usine".into(), "97200 Fort-de-France".into()],
        supplier_siret: Siret::parse("73282932000074").expect("siret"),
        object: "Sel de déneigement, 20 tonnes, livré au centre d'exploitation".into(),
        amount: Cents(123_456_789),
        commitment: Some("ENG-2026-00042".into()),
        delivery: Some(Date::constant(2026, 12, 15)),
        invoice_to: vec![
            "Direction des finances — service des dépenses".into(),
            "Hôtel de la Collectivité, 97200 Fort-de-France".into(),
        ],
        by: "liquidation".into(),
    }
}

#[test]
fn the_order_says_what_whom_how_much_and_where_the_invoice_goes() {
    let mut pdf = Vec::new();
    write_purchase_order(&order(), &mut pdf).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let text = common::pdftotext(&pdf, &[]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Collectivité territoriale de Martinique — SIRET 20005504400016",
        "Béton des Îles SARL",
        "97200 Fort-de-France",
        "SIRET 73282932000074",
        "Bon de commande n° BC-2026-000123",
        "mardi 1er décembre 2026",
        "Direction des routes",
        "Sel de déneigement, 20 tonnes",
        "1 234 567,89 €",
        "ENG-2026-00042",
        "mardi 15 décembre 2026",
        "La facture doit porter le numéro de ce bon de commande, BC-2026-000123 (code de la commande publique, art. D2192-2)",
        "Direction des finances — service des dépenses",
        "numéro d'engagement BC-2026-000123",
        "Pour Collectivité territoriale de Martinique, liquidation",
    ] {
        assert!(flat.contains(expected), "{expected:?} not in:\n{text}");
    }
}

#[test]
fn without_commitment_nor_delivery_neither_line_is_printed() {
    let mut pdf = Vec::new();
    let bare = PurchaseOrder {
        commitment: None,
        delivery: None,
        ..order()
    };
    write_purchase_order(&bare, &mut pdf).expect("pdf");
    let text = common::pdftotext(&pdf, &[]);
    assert!(
        !text.contains("Engagement") && !text.contains("Livraison"),
        "{text}"
    );
    assert!(text.contains("D2192-2"), "{text}");
}
