//! The demo's invoices in every state: of the extracts' invoices, the oldest get their service
//! fait certified, some of those liquidated, one suspended (a purchase order missing) and one
//! rejected (a duplicate), by the demo's instruction and liquidation agents, so that the
//! Factures page and `relais factures list` show a life at each step (issue #23).

use anyhow::Result;
use jiff::civil::Date;
use relais_core::invoices::lifecycle::InvoiceEvent;
use relais_store::Backend;

/// Functions of the demo's liquidations (M57: general administration, colleges, roads).
const FUNCTIONS: [&str; 3] = ["0202", "221", "843"];

pub(super) fn seed(store: &mut dyn Backend, today: Date) -> Result<()> {
    let mut open = Vec::new();
    store.each_open_invoice(&mut |i| open.push((i.id.clone(), i.amount_incl_tax)))?;
    // Oldest first (by receipt): a quarter certified, half of those liquidated.
    let certified = open.len() / 4;
    for (n, (id, amount)) in open.iter().take(certified).enumerate() {
        let done = InvoiceEvent::ServiceDone {
            amount: *amount,
            checked: "bon de livraison signé".into(),
        };
        store.record_invoice_step(id, &done, "instruction", today)?;
        if n % 2 == 0 {
            let liquidate = InvoiceEvent::Liquidated {
                amount: *amount,
                account: if n % 3 == 0 { "2184" } else { "6068" }.into(),
                function: FUNCTIONS[n % FUNCTIONS.len()].into(),
            };
            store.record_invoice_step(id, &liquidate, "liquidation", today)?;
        }
    }
    // A few of the latest too, so that some invoices are mandated in time.
    for (id, amount) in open.iter().rev().take(3) {
        let done = InvoiceEvent::ServiceDone {
            amount: *amount,
            checked: "travaux constatés".into(),
        };
        store.record_invoice_step(id, &done, "instruction", today)?;
        let liquidate = InvoiceEvent::Liquidated {
            amount: *amount,
            account: "6156".into(),
            function: FUNCTIONS[0].into(),
        };
        store.record_invoice_step(id, &liquidate, "liquidation", today)?;
    }
    let mut rest = open.iter().skip(certified);
    if let Some((id, _)) = rest.next() {
        let suspend = InvoiceEvent::Suspended {
            reason: "le numéro du bon de commande manque sur la facture".into(),
        };
        store.record_invoice_step(id, &suspend, "liquidation", today)?;
    }
    if let Some((id, _)) = rest.next() {
        let reject = InvoiceEvent::Rejected {
            reason: "facture déjà reçue (doublon)".into(),
        };
        store.record_invoice_step(id, &reject, "ordonnateur", today)?;
    }
    Ok(())
}

/// Objects of the demo's purchase orders.
const OBJECTS: [&str; 4] = [
    "Fournitures pour les collèges",
    "Sel de déneigement, 20 t",
    "Location de groupes électrogènes",
    "Ramettes de papier et enveloppes",
];

/// The purchase orders the demo's invoices name (`BC-AAAA-000001`…), issued in their
/// numbers' order to the invoice's supplier for a little more than it, and one more that no
/// invoice names yet.
pub(super) fn seed_orders(store: &mut dyn Backend, today: Date) -> Result<()> {
    use relais_core::orders::NewOrder;
    let prefix = format!("BC-{}-", today.year());
    let mut named: Vec<(String, relais_core::ids::Siret, relais_core::Cents)> = Vec::new();
    for i in store.order_invoices()? {
        if let (Some(c), Ok(siret)) = (&i.commitment, relais_core::ids::Siret::parse(&i.siret))
            && c.starts_with(&prefix)
        {
            named.push((c.clone(), siret, i.amount));
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut issue = |n: usize, siret: relais_core::ids::Siret, amount: i64| -> Result<()> {
        let order = NewOrder {
            service: "Direction des achats".into(),
            siret,
            object: OBJECTS[n % OBJECTS.len()].into(),
            amount: relais_core::Cents(amount),
            commitment: None,
            delivery: None,
        };
        store.issue_order("liquidation", &order, today)?;
        Ok(())
    };
    for (n, (number, siret, amount)) in named.iter().enumerate() {
        // Only numbers in sequence: an invoice rejected at import leaves its number unissued.
        if *number != format!("{prefix}{:06}", n + 1) {
            break;
        }
        issue(n, siret.clone(), amount.0 + amount.0 / 5)?;
    }
    if let Some((_, siret, _)) = named.first() {
        issue(named.len(), siret.clone(), 250_000)?;
    }
    Ok(())
}
