//! The purchase order sent to a supplier (bon de commande, issue #23): who orders what from
//! whom, for how much, and where the invoice goes, which must carry the order's number (CCP
//! D2192-2: an invoice states the purchase order's number, or the commitment's number the
//! buyer's system gave). An A4 PDF laid out by [`crate::flow`]; the caller gives plain data.

use crate::flow::{Block, write_flow_pdf};
use crate::french::date_long;
use crate::receipt::DocumentError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::orders::OrderNumber;
use std::io::Write;

/// What the order says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseOrder {
    pub authority: String,
    pub authority_siret: Siret,
    pub number: OrderNumber,
    pub issued_on: Date,
    /// The ordering service.
    pub service: String,
    pub supplier: String,
    pub supplier_address: Vec<String>,
    pub supplier_siret: Siret,
    pub object: String,
    pub amount: Cents,
    /// A commitment's number the finance system gave before the crisis, if any.
    pub commitment: Option<String>,
    pub delivery: Option<Date>,
    /// Where the invoice is sent on paper: the service that receives invoices, its address
    /// and contact lines.
    pub invoice_to: Vec<String>,
    /// Who issued it (the agent's login).
    pub by: String,
}

/// The mention the invoice must carry, as printed.
pub fn invoice_mention(number: OrderNumber) -> String {
    format!(
        "La facture doit porter le numéro de ce bon de commande, {number} (code de la commande \
         publique, art. D2192-2)."
    )
}

/// Writes the order as an A4 PDF.
pub fn write_purchase_order(o: &PurchaseOrder, out: &mut dyn Write) -> Result<(), DocumentError> {
    let mut b = vec![
        Block::Small(format!("{} — SIRET {}", o.authority, o.authority_siret)),
        Block::Gap(12.0),
        Block::Strong(o.supplier.clone()),
    ];
    for line in &o.supplier_address {
        b.push(Block::Text(line.clone()));
    }
    b.push(Block::Text(format!("SIRET {}", o.supplier_siret)));
    b.push(Block::Gap(12.0));
    b.push(Block::Title(format!("Bon de commande n° {}", o.number)));
    b.push(Block::Field("Date".into(), date_long(o.issued_on)));
    b.push(Block::Field("Service demandeur".into(), o.service.clone()));
    b.push(Block::Heading("Commande".into()));
    b.push(Block::Field("Objet".into(), o.object.clone()));
    b.push(Block::Field("Montant TTC".into(), o.amount.to_string()));
    if let Some(c) = &o.commitment {
        b.push(Block::Field("Engagement".into(), c.clone()));
    }
    if let Some(d) = o.delivery {
        b.push(Block::Field("Livraison souhaitée".into(), date_long(d)));
    }
    b.push(Block::Heading("Facturation".into()));
    b.push(Block::Strong(invoice_mention(o.number)));
    b.push(Block::Gap(4.0));
    b.push(Block::Text("Adressez la facture à :".into()));
    b.push(Block::Text(o.authority.clone()));
    for line in &o.invoice_to {
        b.push(Block::Text(line.clone()));
    }
    b.push(Block::Text(format!(
        "ou déposez-la sur Chorus Pro : SIRET destinataire {}, numéro d'engagement {}.",
        o.authority_siret, o.number
    )));
    b.push(Block::Gap(18.0));
    b.push(Block::Text(format!("Pour {}, {}", o.authority, o.by)));
    write_flow_pdf(
        &format!("Bon de commande {}", o.number),
        &format!("{} — bon de commande {}", o.authority, o.number),
        &b,
        out,
    )
}
