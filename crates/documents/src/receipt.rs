//! The deposit receipt ("accusé de réception" / récépissé): an A4 PDF in French, two pages —
//! the depositor's copy and the service's copy — with every mention CRPA L112-3 and R112-5
//! require for an application, the payment deadline for an invoice, the on-time status of a
//! bid, and the signed code with its QR code.

mod lines;

use crate::pdf::{Fonts, PAGE_H, PAGE_W, a4, finish, french_document_with, wrap_width};
use jiff::tz::TimeZone;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::Fill;
use krilla::surface::Surface;
pub use lines::receipt_lines;
use relais_core::deposits::{Deposit, KindRules, ServiceContact};
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
    /// For additional documents that complete an application: that application and its
    /// kind's rules (its decision delay now runs).
    pub completed: Option<Completed<'a>>,
}

/// The application a deposit of additional documents completes.
#[derive(Clone, Copy)]
pub struct Completed<'a> {
    pub deposit: &'a Deposit,
    pub rules: &'a KindRules,
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

/// Writes the receipt, both copies, to `out`. A copy longer than a page goes on over the next
/// one, its heading repeated: nothing is cut.
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
        let pages = layout(fonts, &lines);
        let count = pages.len();
        for (i, page_lines) in pages.into_iter().enumerate() {
            let settings = a4().ok_or_else(|| DocumentError::Pdf("page".into()))?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            let mut pen = Pen {
                surface: &mut surface,
                fonts,
                y: MARGIN + 10.0,
            };
            let heading = if count > 1 {
                format!("{copy} — page {}/{count}", i + 1)
            } else {
                copy.to_owned()
            };
            let x = PAGE_W - MARGIN - fonts.width(&heading, 9.0, true);
            pen.text(&heading, 9.0, true, x);
            for (line, right, qr_here) in page_lines {
                if qr_here {
                    // The QR code stands right of the printed code.
                    draw_qr(
                        pen.surface,
                        &qr,
                        PAGE_W - MARGIN - QR_SIZE,
                        pen.y - 12.0,
                        QR_SIZE,
                    );
                }
                pen.line(line, right);
            }
            surface.finish();
            page.finish();
        }
    }
    let bytes = finish(document).map_err(DocumentError::Pdf)?;
    out.write_all(&bytes)?;
    Ok(())
}

/// The text sizes: (size, bold, left, space before, advance after the last wrapped line).
fn style(line: &Line) -> (f32, bool, f32) {
    match line {
        Line::Title(_) => (15.0, true, MARGIN),
        Line::Heading(_) => (11.0, true, MARGIN),
        Line::Field(..) => (9.5, false, VALUE_X),
        Line::Text(_) => (9.0, false, MARGIN),
        Line::Small(_) => (7.5, false, MARGIN),
        Line::Code(_) => (9.0, true, MARGIN),
        Line::Gap => (0.0, false, MARGIN),
    }
}

/// Where each line goes: pages of (line, right edge of its text, whether the QR code starts
/// there). Past the code, text keeps clear of the QR code until below it.
fn layout<'l>(fonts: &Fonts, lines: &'l [Line]) -> Vec<Vec<(&'l Line, f32, bool)>> {
    let bottom = PAGE_H - MARGIN;
    let mut pages = vec![Vec::new()];
    let mut y = MARGIN + 10.0;
    let mut qr_bottom: Option<f32> = None;
    for line in lines {
        let starts_qr = matches!(line, Line::Code(_)) && qr_bottom.is_none();
        let mut right = PAGE_W - MARGIN;
        let mut h = height(fonts, line, right);
        // The code and the QR code stay together on one page.
        let needed = if starts_qr { h.max(QR_SIZE) } else { h };
        if y + needed > bottom {
            pages.push(Vec::new());
            y = MARGIN + 10.0;
            if qr_bottom.is_some() {
                qr_bottom = Some(0.0);
            }
        }
        if starts_qr {
            qr_bottom = Some(y - 12.0 + QR_SIZE);
        }
        if qr_bottom.is_some_and(|b| y < b) {
            right = PAGE_W - MARGIN - QR_SIZE - 8.0;
            h = height(fonts, line, right);
        }
        if let Some(page) = pages.last_mut() {
            page.push((line, right, starts_qr));
        }
        y += h;
    }
    pages
}

/// How far down `line` moves the pen, its text wrapped before `right`.
fn height(fonts: &Fonts, line: &Line, right: f32) -> f32 {
    let (size, bold, x) = style(line);
    let wrapped = |t: &str| wrap_width(fonts, t, size, bold, right - x).len() as f32;
    match line {
        Line::Title(_) => 38.0,
        Line::Heading(_) => 19.0,
        Line::Field(label, value) => {
            let own_line = label_needs_own_line(fonts, label);
            (wrapped(value) + f32::from(u8::from(own_line))) * size * 1.35
        }
        Line::Text(t) | Line::Small(t) => wrapped(t) * size * 1.35,
        Line::Code(_) => 12.5,
        Line::Gap => 6.0,
    }
}

fn label_needs_own_line(fonts: &Fonts, label: &str) -> bool {
    fonts.width(&format!("{label} :"), 9.5, true) > VALUE_X - MARGIN - 6.0
}

struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    fonts: &'s Fonts,
    y: f32,
}

impl Pen<'_, '_> {
    fn text(&mut self, text: &str, size: f32, bold: bool, x: f32) {
        self.fonts
            .draw(self.surface, Point::from_xy(x, self.y), text, size, bold);
    }

    /// Prints `text` from `x`, wrapped before `right`, and moves down.
    fn wrapped(&mut self, text: &str, size: f32, bold: bool, x: f32, right: f32) {
        for part in wrap_width(self.fonts, text, size, bold, right - x) {
            self.text(&part, size, bold, x);
            self.y += size * 1.35;
        }
    }

    fn line(&mut self, line: &Line, right: f32) {
        let (size, bold, x) = style(line);
        match line {
            Line::Title(t) => {
                self.y += 14.0;
                self.text(t, size, bold, x);
                self.y += 24.0;
            }
            Line::Heading(t) => {
                self.y += 4.0;
                self.text(t, size, bold, x);
                self.y += 15.0;
            }
            Line::Field(label, value) => {
                self.text(&format!("{label} :"), size, true, MARGIN);
                // A label too long for its column gets a line of its own.
                if label_needs_own_line(self.fonts, label) {
                    self.y += size * 1.35;
                }
                self.wrapped(value, size, bold, x, right);
            }
            Line::Text(t) | Line::Small(t) => self.wrapped(t, size, bold, x, right),
            Line::Code(t) => {
                self.text(t, size, bold, x);
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
