//! The second pass: each page's items drawn where the layout put them, with the running
//! header, the footer and "page n / N", into the streaming PDF writer (`crate::streaming_pdf`),
//! which writes the page out when it is finished. Nothing is measured here to decide anything
//! but where a right-aligned text starts.
//!
//! A page's texts of one face and size are one text object, moved from one text to the next
//! (a table row is five to nine texts, or more when a name wraps); its rules are stroked once.

use super::paging::PageSink;
use super::table::{Row, RowStyle, Sum, Table};
use super::{
    FOOTER_SIZE, FOOTER_STEP, FOOTER_Y, Frame, MARGIN_X, RUNNING_SIZE, RUNNING_STEP, RUNNING_Y,
    WIDTH, page_number,
};
use crate::pdf::{Fonts, PAGE_W};
use crate::streaming_pdf::{Failure, StreamingPdf};

/// An item that knows how to draw itself from `y`, its top.
pub(crate) trait Draw {
    fn draw(&self, pen: &mut Pen<'_, '_>, y: f32);
}

/// Draws each page into the document, which writes it out.
pub(crate) struct Drawer<'d, 'w, E> {
    pub document: &'d mut StreamingPdf<'w>,
    pub frame: &'d Frame,
    /// The number of pages, from the first pass.
    pub pages: u32,
    /// The writer's error for a page that cannot be written.
    pub fail: fn(Failure) -> E,
}

impl<I: Draw, E> PageSink<I, E> for Drawer<'_, '_, E> {
    fn page(&mut self, number: u32, items: &[(f32, I)]) -> Result<(), E> {
        let fonts = self.document.fonts();
        let mut pen = Pen {
            pdf: self.document,
            fonts,
        };
        if number > 1 {
            for (i, line) in self.frame.running.iter().enumerate() {
                let y = RUNNING_Y + i as f32 * RUNNING_STEP;
                pen.text(MARGIN_X, y, line, RUNNING_SIZE, false);
            }
        }
        for (y, item) in items {
            item.draw(&mut pen, *y);
        }
        let footer = &self.frame.footer;
        for (i, line) in footer.iter().enumerate() {
            let above = (footer.len() - 1 - i) as f32;
            let y = FOOTER_Y - above * FOOTER_STEP;
            pen.text(MARGIN_X, y, line, FOOTER_SIZE, false);
        }
        let number = page_number(number, self.pages);
        pen.text_right(PAGE_W - MARGIN_X, FOOTER_Y, &number, FOOTER_SIZE, false);
        self.document.finish_page().map_err(self.fail)
    }
}

/// Draws a page's texts, rules and bands.
pub(crate) struct Pen<'s, 'w> {
    pdf: &'s mut StreamingPdf<'w>,
    fonts: &'static Fonts,
}

/// The baseline of line `i` of a row of `table` whose lines start at `top`.
fn baseline(table: &Table, top: f32, i: usize) -> f32 {
    top + i as f32 * table.line + table.ascent
}

impl Pen<'_, '_> {
    /// `text` from `x`, on `baseline`.
    pub fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        self.pdf.text(x, baseline, text, size, bold);
    }

    /// `text` ending at `right`, on `baseline`.
    pub fn text_right(&mut self, right: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        let w = self.fonts.width(text, size, bold);
        self.text(right - w, baseline, text, size, bold);
    }

    /// A thin rule across the page at `y`.
    pub fn rule(&mut self, y: f32) {
        self.pdf.rule(MARGIN_X, MARGIN_X + WIDTH, y);
    }

    pub fn row(&mut self, row: &Row, y: f32) {
        let (table, h, bold) = (row.table, row.height(), row.bold());
        match row.style {
            RowStyle::Header => self.shade(y, h),
            RowStyle::Total => self.rule(y),
            RowStyle::Plain => {}
        }
        let top = y + row.vpad();
        let lines = row.cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        for i in 0..lines {
            let mut x = MARGIN_X;
            for (col, cell) in table.cols.iter().zip(&row.cells) {
                if let Some(line) = cell.lines.get(i) {
                    let base = baseline(table, top, i);
                    if col.right {
                        let right = x + col.width - table.pad;
                        self.text_right(right, base, line, cell.size, bold);
                    } else {
                        self.text(x + table.pad, base, line, cell.size, bold);
                    }
                }
                x += col.width;
            }
        }
        if row.style != RowStyle::Header || table.header_rule {
            self.rule(y + h);
        }
    }

    pub fn sum(&mut self, sum: &Sum, y: f32) {
        let (table, h) = (sum.table, sum.height());
        let top = y + (h - sum.label.len().max(1) as f32 * table.line) / 2.0;
        for (i, line) in sum.label.iter().enumerate() {
            let base = baseline(table, top, i);
            self.text(MARGIN_X + table.pad, base, line, table.size, true);
        }
        let first = baseline(table, top, 0);
        if let Some((count, right)) = &sum.count {
            self.text_right(*right, first, count, table.size, true);
        }
        let right = MARGIN_X + WIDTH - table.pad;
        self.text_right(right, first, &sum.amount, table.size, true);
        self.rule(y + h);
    }

    /// A shaded band across the page (a table's header).
    fn shade(&mut self, y: f32, h: f32) {
        self.pdf.fill(MARGIN_X, y, WIDTH, h, 225);
    }

    /// A framed box (a signature's).
    pub fn frame_box(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.pdf.frame(x, y, w, h, 0.8);
    }
}
