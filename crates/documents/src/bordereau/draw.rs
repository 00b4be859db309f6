//! The second pass: each page's items drawn with krilla where the layout put them, with the
//! running header, the footer and the page number. Nothing is measured to decide anything
//! here but where a right-aligned text starts.

use super::layout::{
    FOOTER_STEP, FOOTER_Y, Frame, Item, PageSink, RUNNING_STEP, RUNNING_Y, SIGN_FIRST, SIGN_GAP,
    SIGN_STEP, Signatures,
};
use super::table::{ASCENT, CELL, LINE, PAD, Row, RowStyle, Sum};
use super::{MARGIN_X, WIDTH};
use crate::pdf::{Fonts, PAGE_W, a4};
use crate::run_report::ReportError;
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

/// Draws each page with krilla.
pub(super) struct Drawer<'d> {
    pub document: &'d mut Document,
    pub fonts: &'d Fonts,
    pub frame: &'d Frame,
    /// The number of pages, from the first pass.
    pub pages: u32,
}

impl PageSink for Drawer<'_> {
    fn page(&mut self, number: u32, items: &[Item]) -> Result<(), ReportError> {
        let settings = a4().ok_or_else(|| ReportError::Pdf("page".into()))?;
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: self.fonts,
            rules: PathBuilder::new(),
        };
        if number > 1 {
            for (i, line) in self.frame.running.iter().enumerate() {
                pen.text(
                    MARGIN_X,
                    RUNNING_Y + i as f32 * RUNNING_STEP,
                    line,
                    7.0,
                    false,
                );
            }
        }
        let mut y = self.frame.top(number);
        for item in items {
            pen.item(item, y);
            y += item.height();
        }
        let footer = &self.frame.footer;
        for (i, line) in footer.iter().enumerate() {
            let above = (footer.len() - 1 - i) as f32;
            pen.text(MARGIN_X, FOOTER_Y - above * FOOTER_STEP, line, 7.5, false);
        }
        let number = format!("page {number} / {}", self.pages);
        pen.text_right(PAGE_W - MARGIN_X, FOOTER_Y, &number, 7.5, false);
        pen.stroke_rules();
        surface.finish();
        page.finish();
        Ok(())
    }
}

struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    fonts: &'s Fonts,
    /// Thin rules between rows, stroked once per page.
    rules: PathBuilder,
}

/// The baseline of line `i` of a row whose lines start at `top`.
fn baseline(top: f32, i: usize) -> f32 {
    top + i as f32 * LINE + ASCENT
}

impl Pen<'_, '_> {
    fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        if text.is_empty() {
            return;
        }
        self.fonts
            .draw(self.surface, Point::from_xy(x, baseline), text, size, bold);
    }

    fn text_right(&mut self, right: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        let w = self.fonts.width(text, size, bold);
        self.text(right - w, baseline, text, size, bold);
    }

    fn rule(&mut self, y: f32) {
        self.rules.move_to(MARGIN_X, y);
        self.rules.line_to(MARGIN_X + WIDTH, y);
    }

    fn item(&mut self, item: &Item, y: f32) {
        match item {
            Item::Text(lines, s) => {
                for (i, line) in lines.iter().enumerate() {
                    let base = y + s.first + i as f32 * s.step;
                    self.text(MARGIN_X, base, line, s.size, s.bold);
                }
            }
            Item::Gap(_) => {}
            Item::Row(row) => self.row(row, y),
            Item::Sum(sum) => self.sum(sum, y),
            Item::Signatures(s) => self.signatures(s, y),
        }
    }

    fn row(&mut self, row: &Row, y: f32) {
        let h = row.height();
        match row.style {
            RowStyle::Header => self.shade(y, h),
            RowStyle::Total => self.rule(y),
            RowStyle::Plain => {}
        }
        let top = y + row.vpad();
        let bold = row.bold();
        let mut x = MARGIN_X;
        for (col, cell) in row.table.cols().iter().zip(&row.cells) {
            for (i, line) in cell.lines.iter().enumerate() {
                if col.right {
                    let right = x + col.width - PAD;
                    self.text_right(right, baseline(top, i), line, cell.size, bold);
                } else {
                    self.text(x + PAD, baseline(top, i), line, cell.size, bold);
                }
            }
            x += col.width;
        }
        if row.style != RowStyle::Header {
            self.rule(y + h);
        }
    }

    fn sum(&mut self, sum: &Sum, y: f32) {
        let top = y + (sum.height() - sum.label.len().max(1) as f32 * LINE) / 2.0;
        for (i, line) in sum.label.iter().enumerate() {
            self.text(MARGIN_X + PAD, baseline(top, i), line, CELL, true);
        }
        let first = baseline(top, 0);
        self.text_right(sum.lines_right, first, &sum.lines, CELL, true);
        self.text_right(MARGIN_X + WIDTH - PAD, first, &sum.amount, CELL, true);
        self.rule(y + sum.height());
    }

    fn shade(&mut self, y: f32, h: f32) {
        if let Some(r) = Rect::from_xywh(MARGIN_X, y, WIDTH, h) {
            let mut bg = PathBuilder::new();
            bg.push_rect(r);
            if let Some(path) = bg.finish() {
                self.surface.set_fill(Some(Fill {
                    paint: luma::Color::new(225).into(),
                    ..Fill::default()
                }));
                self.surface.draw_path(&path);
                self.surface.set_fill(Some(Fill::default()));
            }
        }
    }

    fn signatures(&mut self, s: &Signatures, y: f32) {
        let w = Signatures::box_width();
        let h = s.box_height();
        self.signature_box(MARGIN_X, y, w, h, &s.prepared);
        self.signature_box(MARGIN_X + w + SIGN_GAP, y, w, h, &s.ordonnateur);
    }

    /// A framed box: `lines` from its top, and room left under them to sign.
    fn signature_box(&mut self, x: f32, y: f32, w: f32, h: f32, lines: &[(String, bool)]) {
        for (i, (line, bold)) in lines.iter().enumerate() {
            let base = y + SIGN_FIRST + i as f32 * SIGN_STEP;
            self.text(x + 6.0, base, line, 9.0, *bold);
        }
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            let mut frame = PathBuilder::new();
            frame.push_rect(r);
            if let Some(path) = frame.finish() {
                self.surface.set_fill(None);
                self.surface.set_stroke(Some(Stroke {
                    width: 0.8,
                    ..Stroke::default()
                }));
                self.surface.draw_path(&path);
                self.surface.set_stroke(None);
                self.surface.set_fill(Some(Fill::default()));
            }
        }
    }

    fn stroke_rules(&mut self) {
        let rules = std::mem::take(&mut self.rules);
        if let Some(path) = rules.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: 0.3,
                paint: luma::Color::new(140).into(),
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill::default()));
        }
    }
}
