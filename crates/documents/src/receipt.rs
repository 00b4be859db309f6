//! The deposit receipt ("accusé de réception" / récépissé): an A4 PDF in French, two pages —
//! the depositor's copy and the service's copy — with every mention CRPA L112-3 and R112-5
//! require for an application, the payment deadline for an invoice, the on-time status of a
//! bid, and the signed code with its QR code.

use crate::code::code_lines;
use crate::french::{date_long, date_short, datetime_long, datetime_short};
use crate::pdf::{Fonts, PAGE_W, a4, finish, french_document_with, wrap};
use jiff::tz::TimeZone;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use relais_core::deposits::{
    Deposit, DepositKind, KindRules, Regime, ServiceContact, bid_on_time, invoice_deadline,
};
use std::io::Write;

const MARGIN: f32 = 50.0;
const QR_SIZE: f32 = 120.0;
/// Where field values start, right of their labels.
const VALUE_X: f32 = MARGIN + 190.0;

/// What a receipt is made of, the deposit's rules already resolved.
pub struct ReceiptInput<'a> {
    /// The authority's name (settings).
    pub authority: &'a str,
    pub tz: &'a TimeZone,
    pub rules: &'a KindRules,
    /// The handling service, contact details filled.
    pub service: &'a ServiceContact,
    pub deposit: &'a Deposit,
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("police intégrée illisible")]
    Font,
    #[error("QR code impossible : {0}")]
    Qr(String),
    #[error("écriture du PDF : {0}")]
    Pdf(String),
    #[error("écriture : {0}")]
    Io(#[from] std::io::Error),
}

/// One line of the receipt: its style and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Title(String),
    Heading(String),
    /// Label and value.
    Field(String, String),
    Text(String),
    Small(String),
    Code(String),
    Gap,
}

/// The receipt's lines, in order: what the PDF prints (and what a test can read back).
pub fn receipt_lines(input: &ReceiptInput<'_>) -> Vec<Line> {
    use Line::*;
    let d = input.deposit;
    let f = &d.facts;
    let local = d.received_at.to_zoned(input.tz.clone());
    let received = local.date();
    let s = input.service;
    let mut l = vec![
        Small(input.authority.to_owned()),
        Title("Accusé de réception — récépissé de dépôt".to_owned()),
        Field("N° d'enregistrement".into(), d.number.to_string()),
        Field("Reçu le".into(), datetime_long(&local)),
        Small(format!(
            "Heure légale du fuseau {}",
            input.tz.iana_name().unwrap_or("local")
        )),
        Gap,
        Heading("Service chargé du dossier".into()),
        Field("Service".into(), s.name.clone()),
        Field("Adresse postale".into(), s.address.clone()),
        Field("Courriel".into(), s.email.clone()),
        Field("Téléphone".into(), s.phone.clone()),
        Gap,
        Heading("Dépôt".into()),
        Field("Nature".into(), input.rules.label.clone()),
    ];
    if let Some(subject) = &f.subject {
        l.push(Field("Objet".into(), subject.clone()));
    }
    l.push(Field("Déposant".into(), f.depositor.clone()));
    if let Some(a) = &f.address {
        l.push(Field("Adresse du déposant".into(), a.clone()));
    }
    l.push(Field(
        "Nombre de pages ou de pièces".into(),
        f.pages.to_string(),
    ));
    if let Some(c) = &d.cancellation {
        l.push(Field(
            "ANNULÉ".into(),
            format!(
                "le {} : {}",
                datetime_short(&c.at.to_zoned(input.tz.clone())),
                c.reason
            ),
        ));
    }
    l.push(Gap);
    if f.kind.is_application() || input.rules.regime != Regime::None {
        application(&mut l, input, received);
    }
    if let (Some(inv), DepositKind::Facture) = (&f.invoice, f.kind) {
        l.push(Heading("Facture".into()));
        l.push(Field(
            "Facture".into(),
            format!(
                "n° {}{} — SIRET {} — montant TTC {}",
                inv.number,
                inv.date
                    .map(|d| format!(" du {}", date_short(d)))
                    .unwrap_or_default(),
                inv.siret,
                inv.amount
            ),
        ));
        l.push(Field(
            "Date de réception de la facture".into(),
            date_long(received),
        ));
        let days = input.rules.payment_days.unwrap_or(30);
        if let Some(deadline) = invoice_deadline(received, days) {
            l.push(Field(
                "Délai global de paiement".into(),
                format!("{days} jours, soit au plus tard le {}", date_long(deadline)),
            ));
        }
        l.push(Small(
            "Le délai court à compter de cette date de réception (code de la commande publique, \
             art. R2192-10 à R2192-12). Au-delà, des intérêts moratoires (taux de la BCE + 8 points) \
             et une indemnité forfaitaire de 40 € pour frais de recouvrement sont dus de plein droit \
             (art. R2192-31 à R2192-35)."
                .into(),
        ));
        l.push(Gap);
    }
    if let (Some(deadline), DepositKind::OffreMarche) = (f.bid_deadline, f.kind) {
        l.push(Heading("Offre à un marché public".into()));
        l.push(Field(
            "Date limite de remise des offres".into(),
            datetime_long(&deadline.to_zoned(input.tz.clone())),
        ));
        let verdict = if bid_on_time(d.received_at, deadline) {
            "offre remise dans le délai"
        } else {
            "offre remise HORS DÉLAI (après la date limite)"
        };
        l.push(Field("Remise".into(), verdict.into()));
        l.push(Gap);
    }
    if !input.rules.documents.is_empty() {
        l.push(Heading("Pièces habituellement demandées".into()));
        for doc in &input.rules.documents {
            l.push(Text(format!("• {doc}")));
        }
        l.push(Gap);
    }
    l.push(Heading("Code de vérification".into()));
    for line in code_lines(&d.receipt_code, 9) {
        l.push(Code(line));
    }
    l.push(Small(
        "Ce code et le QR code portent un résumé signé (Ed25519) du dépôt : la collectivité \
         l'authentifie hors ligne (« relais receipt verify »)."
            .into(),
    ));
    l.push(Small(format!("Enregistré par : {}", d.registered_by)));
    l
}

fn application(l: &mut Vec<Line>, input: &ReceiptInput<'_>, received: jiff::civil::Date) {
    use Line::*;
    l.push(Heading("Délai de décision".into()));
    match (input.rules.implicit_decision(received), input.rules.delay) {
        (Some((regime, end)), Some(delay)) => {
            let (word, label) = match regime {
                Regime::Sva => ("acceptée", "silence vaut acceptation"),
                _ => ("rejetée", "silence vaut rejet"),
            };
            l.push(Field(
                "Décision implicite".into(),
                format!("le {} ({label})", date_long(end)),
            ));
            l.push(Text(format!(
                "Sans réponse de l'administration dans un délai de {} à compter de la date de \
                 réception ci-dessus, soit au terme du {}, votre demande sera réputée {word} \
                 (code des relations entre le public et l'administration, art. L231-1, L231-4, \
                 L112-3 et R112-5).",
                delay.label_fr(),
                date_long(end)
            )));
            if regime == Regime::Sva {
                l.push(Small(
                    "Vous pourrez demander une attestation de la décision implicite d'acceptation \
                     (CRPA, art. L232-3)."
                        .into(),
                ));
            }
        }
        _ => l.push(Text(
            "Ce dépôt ne fait pas naître de décision implicite : le service vous répondra.".into(),
        )),
    }
    l.push(Small(
        "Si le dossier est incomplet, le service vous indiquera les pièces manquantes et le délai \
         pour les produire ; le délai de décision ne court qu'à compter de leur réception (CRPA, \
         art. L114-5)."
            .into(),
    ));
    if input.rules.regime == Regime::Svr
        && let Some(appeal) = &input.rules.appeal
    {
        l.push(Heading("Voies et délais de recours".into()));
        l.push(Text(appeal.clone()));
    }
    l.push(Gap);
}

/// Writes the receipt, both copies, to `out`.
pub fn write_receipt(input: &ReceiptInput<'_>, out: &mut dyn Write) -> Result<(), DocumentError> {
    let fonts = Fonts::shared().ok_or(DocumentError::Font)?;
    let lines = receipt_lines(input);
    let qr = qrcode::QrCode::new(input.deposit.receipt_code.as_bytes())
        .map_err(|e| DocumentError::Qr(e.to_string()))?;
    let title = format!("Récépissé de dépôt n° {}", input.deposit.number);
    let mut document = french_document_with(title, false);
    for copy in [
        "Exemplaire à remettre au déposant",
        "Exemplaire à conserver par le service",
    ] {
        let settings = a4().ok_or_else(|| DocumentError::Pdf("page".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            regular: &fonts.regular,
            bold: &fonts.bold,
            y: MARGIN + 10.0,
            right: PAGE_W - MARGIN,
        };
        pen.text(copy, 9.0, true, PAGE_W - MARGIN - 200.0);
        let mut qr_drawn = false;
        for line in &lines {
            if matches!(line, Line::Code(_)) && !qr_drawn {
                // The QR code stands right of the printed code; text after it keeps clear.
                let x = PAGE_W - MARGIN - QR_SIZE;
                draw_qr(pen.surface, &qr, x, pen.y - 12.0, QR_SIZE);
                pen.right = x - 8.0;
                qr_drawn = true;
            }
            pen.line(line);
        }
        surface.finish();
        page.finish();
    }
    let bytes = finish(document).map_err(DocumentError::Pdf)?;
    out.write_all(&bytes)?;
    Ok(())
}

struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    regular: &'s Font,
    bold: &'s Font,
    y: f32,
    /// The right edge of text.
    right: f32,
}

impl Pen<'_, '_> {
    fn text(&mut self, text: &str, size: f32, bold: bool, x: f32) {
        let font = if bold { self.bold } else { self.regular };
        self.surface.draw_text(
            Point::from_xy(x, self.y),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// Prints `text` from `x`, wrapped to the right margin, and moves down.
    fn wrapped(&mut self, text: &str, size: f32, bold: bool, x: f32) {
        // DejaVu Sans averages under 0.58 em a character in French text: wrap on that.
        let max = (((self.right - x) / (size * 0.58)) as usize).max(10);
        for part in wrap(text, max) {
            self.text(&part, size, bold, x);
            self.y += size * 1.35;
        }
    }

    fn line(&mut self, line: &Line) {
        match line {
            Line::Title(t) => {
                self.y += 14.0;
                self.text(t, 15.0, true, MARGIN);
                self.y += 24.0;
            }
            Line::Heading(t) => {
                self.y += 4.0;
                self.text(t, 11.0, true, MARGIN);
                self.y += 15.0;
            }
            Line::Field(label, value) => {
                let label = format!("{label} :");
                self.text(&label, 9.5, true, MARGIN);
                // A label too long for its column gets a line of its own.
                if label.chars().count() as f32 * 9.5 * 0.62 > VALUE_X - MARGIN - 6.0 {
                    self.y += 9.5 * 1.35;
                }
                self.wrapped(value, 9.5, false, VALUE_X);
            }
            Line::Text(t) => self.wrapped(t, 9.0, false, MARGIN),
            Line::Small(t) => self.wrapped(t, 7.5, false, MARGIN),
            Line::Code(t) => {
                self.text(t, 9.0, true, MARGIN);
                self.y += 12.5;
            }
            Line::Gap => self.y += 6.0,
        }
    }
}

/// Draws the QR code's dark modules as black squares, with its quiet zone, in a `size` square.
fn draw_qr(surface: &mut Surface<'_>, qr: &qrcode::QrCode, x: f32, y: f32, size: f32) {
    let width = qr.width();
    let quiet = 4usize;
    let module = size / (width + 2 * quiet) as f32;
    let mut path = PathBuilder::new();
    for (i, color) in qr.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (row, col) = (i / width, i % width);
            if let Some(r) = Rect::from_xywh(
                x + (col + quiet) as f32 * module,
                y + (row + quiet) as f32 * module,
                module,
                module,
            ) {
                path.push_rect(r);
            }
        }
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(Fill::default()));
        surface.draw_path(&path);
    }
}
