//! The letter that tells a supplier why the payment of their invoice is suspended (CCP
//! R2192-27: the payment period may be suspended once, by a notification stating what is
//! missing or wrong; it runs again when the supplier's answer arrives). An A4 PDF laid out by
//! [`crate::flow`]; the caller gives plain data.

use crate::flow::{Block, write_flow_pdf};
use crate::french::date_long;
use crate::receipt::DocumentError;
use jiff::civil::Date;
use relais_core::Cents;
use std::io::Write;

/// What the letter says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionLetter {
    pub authority: String,
    pub supplier: String,
    pub address: Vec<String>,
    /// The invoice: the supplier's number, its date, when it was received, its amount.
    pub number: String,
    pub invoice_date: Option<Date>,
    pub received_on: Date,
    pub amount: Cents,
    /// Our reference (`factures.csv`'s id, or the deposit's chrono number).
    pub reference: String,
    pub reason: String,
    pub sent_on: Date,
    /// Who suspends it (the agent's login).
    pub by: String,
}

/// Writes the letter as an A4 PDF.
pub fn write_suspension_letter(
    l: &SuspensionLetter,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let mut b = vec![Block::Small(l.authority.clone()), Block::Gap(12.0)];
    b.push(Block::Strong(l.supplier.clone()));
    for line in &l.address {
        b.push(Block::Text(line.clone()));
    }
    b.push(Block::Gap(12.0));
    b.push(Block::Text(format!("Le {}", date_long(l.sent_on))));
    b.push(Block::Title("Suspension du délai de paiement".into()));
    b.push(Block::Field("Votre facture".into(), l.number.clone()));
    if let Some(d) = l.invoice_date {
        b.push(Block::Field("Du".into(), date_long(d)));
    }
    b.push(Block::Field("Reçue le".into(), date_long(l.received_on)));
    b.push(Block::Field("Montant".into(), l.amount.to_string()));
    b.push(Block::Field("Notre référence".into(), l.reference.clone()));
    b.push(Block::Gap(8.0));
    b.push(Block::Text(
        "Madame, Monsieur,\n\nLe délai de paiement de cette facture est suspendu à compter de \
         ce jour, pour le motif suivant (article R2192-27 du code de la commande publique) :"
            .into(),
    ));
    b.push(Block::Strong(l.reason.clone()));
    b.push(Block::Text(
        "Le délai reprendra à la réception de votre réponse ou des éléments demandés, pour la \
         durée qui restait à courir, sans pouvoir être inférieure à sept jours. Merci de \
         rappeler notre référence dans votre réponse."
            .into(),
    ));
    b.push(Block::Gap(18.0));
    b.push(Block::Text(format!("Pour {}, {}", l.authority, l.by)));
    write_flow_pdf(
        &format!("Suspension du délai de paiement — facture {}", l.number),
        &format!(
            "{} — suspension du délai de paiement, référence {}",
            l.authority, l.reference
        ),
        &b,
        out,
    )
}
