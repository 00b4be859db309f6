//! The payment certificate ("attestation de paiement") a desk hands to a person who must prove
//! an income while the authority's own system is down (a landlord, a bank, a social worker):
//! the authority, the person, the rights, the last payments, the next one, and where, when and
//! by whom it was issued. An A4 PDF laid out by [`crate::flow`], over `Write`; the caller gives
//! plain data, already in French where it is a sentence.

use crate::flow::{Block, write_flow_pdf};
use crate::french::{date_long, date_short, month_long};
use crate::receipt::DocumentError;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use std::io::Write;

/// Payments listed at most (a year of two rights).
pub const PAYMENTS_SHOWN: usize = 24;

/// What the certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInput {
    /// The authority's name (settings).
    pub authority: String,
    /// `DUPONT Marie`.
    pub name: String,
    pub dossier: String,
    pub birth_date: Option<Date>,
    /// One line: street, postal code and city.
    pub address: String,
    pub rights: Vec<CertificateRight>,
    /// The latest first.
    pub payments: Vec<CertificatePayment>,
    /// The next payment, one sentence per right (as the person's page says it).
    pub next: Vec<String>,
    /// Where it was issued: the agent's site, else the authority.
    pub place: String,
    pub issued_on: Date,
    /// The agent's login.
    pub issued_by: String,
}

/// A right as the certificate lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRight {
    /// `APA à domicile`.
    pub benefit: String,
    pub monthly: Cents,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// `en paiement`, `suspendu`, `clos`.
    pub status: String,
    /// Who receives it (the person, an establishment, a service, a guardian).
    pub payee: String,
}

/// A payment made, or prepared in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePayment {
    pub month: Month,
    pub benefit: String,
    pub amount: Cents,
    pub date: Option<Date>,
    /// `versé`, `validé, à verser`, `préparé, à valider`.
    pub state: String,
}

fn right_line(r: &CertificateRight) -> String {
    let mut s = format!("{} par mois", r.monthly);
    if let Some(start) = r.start {
        s.push_str(&format!(" du {}", date_short(start)));
    }
    if let Some(end) = r.end {
        s.push_str(&format!(" au {}", date_short(end)));
    }
    format!("{s} ; {} ; versé à {}", r.status, r.payee)
}

/// The certificate's blocks, in order.
fn certificate_blocks(c: &CertificateInput) -> Vec<Block> {
    let mut b = vec![
        Block::Small(c.authority.clone()),
        Block::Title("Attestation de paiement".into()),
        Block::Text(format!(
            "{} atteste que la personne ci-dessous bénéficie des prestations et des paiements \
             suivants, d'après ses données à la date de cette attestation.",
            c.authority
        )),
        Block::Heading("Bénéficiaire".into()),
        Block::Field("Nom".into(), c.name.clone()),
        Block::Field("Dossier".into(), c.dossier.clone()),
    ];
    if let Some(d) = c.birth_date {
        b.push(Block::Field("Date de naissance".into(), date_short(d)));
    }
    if !c.address.trim().is_empty() {
        b.push(Block::Field("Adresse".into(), c.address.clone()));
    }
    b.push(Block::Heading("Droits".into()));
    if c.rights.is_empty() {
        b.push(Block::Text("Aucun droit enregistré.".into()));
    }
    for r in &c.rights {
        b.push(Block::Field(r.benefit.clone(), right_line(r)));
    }
    b.push(Block::Heading("Derniers paiements".into()));
    if c.payments.is_empty() {
        b.push(Block::Text("Aucun paiement connu.".into()));
    }
    for p in c.payments.iter().take(PAYMENTS_SHOWN) {
        let when = p
            .date
            .map(|d| format!(" le {}", date_short(d)))
            .unwrap_or_default();
        b.push(Block::Field(
            month_long(p.month),
            format!("{} — {}, {}{when}", p.benefit, p.amount, p.state),
        ));
    }
    b.push(Block::Heading("Prochain paiement".into()));
    for line in &c.next {
        b.push(Block::Text(line.clone()));
    }
    b.push(Block::Gap(18.0));
    b.push(Block::Strong(format!(
        "Fait à {}, le {}, par {}.",
        c.place,
        date_long(c.issued_on),
        c.issued_by
    )));
    b.push(Block::Gap(8.0));
    b.push(Block::Small(
        "Attestation établie pendant l'interruption du système d'information, à partir des \
         données de paiement du département ; les paiements préparés ne sont versés qu'après \
         leur validation par l'ordonnateur et leur prise en charge par le comptable public."
            .into(),
    ));
    b
}

/// Writes the certificate as an A4 PDF.
pub fn write_certificate_pdf(
    c: &CertificateInput,
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let footer = format!(
        "{} — attestation de paiement, dossier {}, {}",
        c.authority,
        c.dossier,
        date_short(c.issued_on)
    );
    write_flow_pdf(
        &format!("Attestation de paiement — {}", c.name),
        &footer,
        &certificate_blocks(c),
        out,
    )
}
