//! The second pass: each page's items drawn with krilla where the layout put them, with the
//! running header, the footer and "page n / N". Nothing is measured here to decide anything
//! but where a right-aligned text starts.
//!
//! A page's texts of one face and size are drawn as one run of glyphs, moved from one text
//! to the next (a table row is five to nine texts, or more when a name wraps): each text drawn
//! on its own costs krilla a text object and its graphics state, which made most of a page's
//! bytes, and so most of the time spent compressing them, over thousands of pages.

use super::paging::PageSink;
use super::table::{Row, RowStyle, Sum, Table};
use super::{
    FOOTER_SIZE, FOOTER_STEP, FOOTER_Y, Frame, MARGIN_X, RUNNING_SIZE, RUNNING_STEP, RUNNING_Y,
    WIDTH, page_number,
};
use crate::pdf::{Fonts, PAGE_W, a4};
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::{Fill, Stroke};
use krilla::surface::{Location, Surface};
use krilla::text::{Glyph, GlyphId};
use std::ops::Range;

/// An item that knows how to draw itself from `y`, its top.
pub(crate) trait Draw {
    fn draw(&self, pen: &mut Pen<'_, '_>, y: f32);
}

/// Draws each page with krilla.
pub(crate) struct Drawer<'d, E> {
    pub document: &'d mut Document,
    pub fonts: &'d Fonts,
    pub frame: &'d Frame,
    /// The number of pages, from the first pass.
    pub pages: u32,
    /// The writer's error for a page krilla cannot make.
    pub fail: fn(String) -> E,
}

impl<I: Draw, E> PageSink<I, E> for Drawer<'_, E> {
    fn page(&mut self, number: u32, items: &[(f32, I)]) -> Result<(), E> {
        let settings = a4().ok_or_else(|| (self.fail)("page A4".into()))?;
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: self.fonts,
            runs: Vec::new(),
            rules: PathBuilder::new(),
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
        pen.finish();
        surface.finish();
        page.finish();
        Ok(())
    }
}

/// A glyph where a [`Run`] puts it: krilla's own glyph type is twice as large, and a page's
/// glyphs are all held until it is drawn.
#[derive(Debug, Clone)]
struct Placed {
    id: u16,
    /// In em.
    advance: f32,
    y_offset: f32,
    text: Range<u32>,
}

impl Glyph for Placed {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(u32::from(self.id))
    }

    fn text_range(&self) -> Range<usize> {
        self.text.start as usize..self.text.end as usize
    }

    fn x_advance(&self, size: f32) -> f32 {
        self.advance * size
    }

    fn x_offset(&self, _: f32) -> f32 {
        0.0
    }

    fn y_offset(&self, size: f32) -> f32 {
        self.y_offset * size
    }

    fn y_advance(&self, _: f32) -> f32 {
        0.0
    }

    fn location(&self) -> Option<Location> {
        None
    }
}

/// Texts of one face and size, drawn at the end of the page in one call: a line of text from
/// one glyph run to the next is a change of position, not a new text object.
struct Run {
    bold: bool,
    size: f32,
    start: Point,
    glyphs: Vec<Placed>,
    text: String,
    /// Where the next glyph would go.
    x: f32,
}

impl Run {
    fn push(&mut self, fonts: &Fonts, x: f32, baseline: f32, text: &str) {
        if self.glyphs.is_empty() {
            self.start = Point::from_xy(x, baseline);
        } else if let Some(last) = self.glyphs.last_mut() {
            // The last glyph's advance takes the pen to this text's start.
            last.advance += (x - self.x) / self.size;
        }
        self.x = x;
        let y_offset = (self.start.y - baseline) / self.size;
        for c in text.chars() {
            let (id, advance) = fonts.glyph(c, self.bold);
            let from = self.text.len();
            self.text.push(c);
            self.glyphs.push(Placed {
                id,
                advance,
                y_offset,
                // A page's text is far under 4 GiB.
                text: from as u32..self.text.len() as u32,
            });
            self.x += advance * self.size;
        }
    }
}

/// Draws a page's texts, rules and bands.
pub(crate) struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    fonts: &'s Fonts,
    runs: Vec<Run>,
    /// Thin rules between rows, stroked once per page.
    rules: PathBuilder,
}

/// The baseline of line `i` of a row of `table` whose lines start at `top`.
fn baseline(table: &Table, top: f32, i: usize) -> f32 {
    top + i as f32 * table.line + table.ascent
}

impl Pen<'_, '_> {
    /// `text` from `x`, on `baseline`.
    pub fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        if text.is_empty() {
            return;
        }
        let at = self
            .runs
            .iter()
            .position(|r| r.bold == bold && r.size.to_bits() == size.to_bits());
        let run = match at {
            Some(i) => &mut self.runs[i],
            None => {
                self.runs.push(Run {
                    bold,
                    size,
                    start: Point::from_xy(x, baseline),
                    glyphs: Vec::new(),
                    text: String::new(),
                    x,
                });
                let last = self.runs.len() - 1;
                &mut self.runs[last]
            }
        };
        run.push(self.fonts, x, baseline, text);
    }

    /// `text` ending at `right`, on `baseline`.
    pub fn text_right(&mut self, right: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        let w = self.fonts.width(text, size, bold);
        self.text(right - w, baseline, text, size, bold);
    }

    /// A thin rule across the page at `y`.
    pub fn rule(&mut self, y: f32) {
        self.rules.move_to(MARGIN_X, y);
        self.rules.line_to(MARGIN_X + WIDTH, y);
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

    /// A framed box (a signature's).
    pub fn frame_box(&mut self, x: f32, y: f32, w: f32, h: f32) {
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

    /// The page's texts, then its rules.
    fn finish(&mut self) {
        for run in std::mem::take(&mut self.runs) {
            let font = self.fonts.font(run.bold).clone();
            self.surface
                .draw_glyphs(run.start, &run.glyphs, font, &run.text, run.size, false);
        }
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
