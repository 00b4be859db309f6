//! The second pass: each page's items drawn with krilla where the layout put them, with the
//! running header, the footer and "page n / N". Nothing is measured here to decide anything
//! but where a right-aligned text starts.
//!
//! A page's texts of one face and size are drawn as one run of glyphs, moved from one text
//! to the next (a table row is five texts, or more when a name wraps): each text drawn on its
//! own costs krilla a text object and its graphics state, which made most of a page's bytes,
//! and so most of the time spent compressing them, over thousands of statements.

use super::StatementError;
use super::layout::{
    ASCENT, CELL, COLS, FOOTER_STEP, FOOTER_Y, Frame, Item, LINE, MARGIN_X, PAD, PageSink,
    RUNNING_STEP, RUNNING_Y, Row, STRONG, SUM_HEIGHT, Sum, TEXT, VALUE_X, WIDTH,
};
use crate::pdf::{Fonts, PAGE_W, a4};
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::{Fill, Stroke};
use krilla::surface::{Location, Surface};
use krilla::text::{Glyph, GlyphId};
use std::ops::Range;

/// Draws each page with krilla.
pub(super) struct Drawer<'d> {
    pub document: &'d mut Document,
    pub fonts: &'d Fonts,
    pub frame: &'d Frame,
    pub glyphs: &'d Glyphs,
    /// The number of pages, from the first pass.
    pub pages: u32,
}

impl PageSink for Drawer<'_> {
    fn page(&mut self, number: u32, items: &[(f32, Item)]) -> Result<(), StatementError> {
        let settings = a4().ok_or_else(|| StatementError::Pdf("page A4".into()))?;
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: self.fonts,
            glyphs: self.glyphs,
            runs: Vec::new(),
            rules: PathBuilder::new(),
        };
        if number > 1 {
            for (i, line) in self.frame.running.iter().enumerate() {
                let y = RUNNING_Y + i as f32 * RUNNING_STEP;
                pen.text(MARGIN_X, y, line, 7.0, false);
            }
        }
        for (y, item) in items {
            pen.item(item, *y);
        }
        let footer = &self.frame.footer;
        for (i, line) in footer.iter().enumerate() {
            let above = (footer.len() - 1 - i) as f32;
            pen.text(MARGIN_X, FOOTER_Y - above * FOOTER_STEP, line, 7.5, false);
        }
        let number = format!("page {number} / {}", self.pages);
        pen.text_right(PAGE_W - MARGIN_X, FOOTER_Y, &number, 7.5, false);
        pen.finish();
        surface.finish();
        page.finish();
        Ok(())
    }
}

/// The glyph of each character and its advance, for texts that are drawn together: the same
/// font files as [`Fonts`], and the same lookup, read here because a run of texts needs the
/// glyphs themselves, which [`Fonts`] keeps to itself. (Were `Fonts::glyph` `pub(crate)`,
/// this copy of the fonts in the binary, 1.4 MB, could go.)
pub(super) struct Glyphs {
    faces: [ttf_parser::Face<'static>; 2],
    /// (glyph, advance in em) of the characters below [`CACHED`], per face.
    cache: [Vec<(u16, f32)>; 2],
}

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
const CACHED: u32 = 0x180;

fn lookup(face: &ttf_parser::Face<'_>, c: char) -> (u16, f32) {
    let glyph = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
    let advance = f32::from(face.glyph_hor_advance(glyph).unwrap_or(0));
    (glyph.0, advance / f32::from(face.units_per_em().max(1)))
}

impl Glyphs {
    /// Read once per process; `None` when a font cannot be read (a broken build).
    pub fn shared() -> Option<&'static Glyphs> {
        static GLYPHS: std::sync::OnceLock<Option<Glyphs>> = std::sync::OnceLock::new();
        GLYPHS
            .get_or_init(|| {
                let faces = [
                    ttf_parser::Face::parse(REGULAR, 0).ok()?,
                    ttf_parser::Face::parse(BOLD, 0).ok()?,
                ];
                let cache = faces.each_ref().map(|f| {
                    (0..CACHED)
                        .map(|u| char::from_u32(u).map_or((0, 0.0), |c| lookup(f, c)))
                        .collect()
                });
                Some(Glyphs { faces, cache })
            })
            .as_ref()
    }

    fn glyph(&self, c: char, bold: bool) -> (u16, f32) {
        let i = usize::from(bold);
        match self.cache[i].get(c as usize) {
            Some(g) => *g,
            None => lookup(&self.faces[i], c),
        }
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
/// one glyph run to the next is a change of position, not a new text object (a table row
/// written as five texts costs five times the bytes to compress and the work to write).
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
    fn push(&mut self, glyphs: &Glyphs, x: f32, baseline: f32, text: &str) {
        if self.glyphs.is_empty() {
            self.start = Point::from_xy(x, baseline);
        } else if let Some(last) = self.glyphs.last_mut() {
            // The last glyph's advance takes the pen to this text's start.
            last.advance += (x - self.x) / self.size;
        }
        self.x = x;
        let y_offset = (self.start.y - baseline) / self.size;
        for c in text.chars() {
            let (id, advance) = glyphs.glyph(c, self.bold);
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

struct Pen<'s, 'a> {
    surface: &'s mut Surface<'a>,
    fonts: &'s Fonts,
    glyphs: &'s Glyphs,
    runs: Vec<Run>,
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
        run.push(self.glyphs, x, baseline, text);
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
            Item::Line { x, text, style } => {
                self.text(*x, y + style.baseline, text, style.size, style.bold);
            }
            Item::Pair { label, value } => {
                let base = y + TEXT.baseline;
                self.text(MARGIN_X, base, label, STRONG.size, STRONG.bold);
                self.text(MARGIN_X + VALUE_X, base, value, TEXT.size, TEXT.bold);
            }
            Item::Gap(_) => {}
            Item::Row(row) => self.row(row, y),
            Item::Sum(sum) => self.sum(sum, y),
        }
    }

    fn row(&mut self, row: &Row, y: f32) {
        let h = row.height();
        if row.header {
            self.shade(y, h);
        }
        let top = y + row.vpad();
        let lines = row.cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        for i in 0..lines {
            let mut x = MARGIN_X;
            for (col, cell) in COLS.iter().zip(&row.cells) {
                if let Some(line) = cell.lines.get(i) {
                    if col.right {
                        let right = x + col.width - PAD;
                        self.text_right(right, baseline(top, i), line, cell.size, row.header);
                    } else {
                        self.text(x + PAD, baseline(top, i), line, cell.size, row.header);
                    }
                }
                x += col.width;
            }
        }
        self.rule(y + h);
    }

    fn sum(&mut self, sum: &Sum, y: f32) {
        let base = baseline(y + (SUM_HEIGHT - LINE) / 2.0, 0);
        self.text(MARGIN_X + PAD, base, &sum.label, CELL, true);
        self.text_right(MARGIN_X + WIDTH - PAD, base, &sum.amount, CELL, true);
        self.rule(y + SUM_HEIGHT);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_advance_as_the_fonts_measure() {
        let fonts = Fonts::load().expect("fonts");
        let glyphs = Glyphs::shared().expect("glyphs");
        for bold in [false, true] {
            for text in ["MARTIN Zoé", "1 234,56 €", "Œuvre — ĳ « æ » 中😀", ""] {
                let em: f32 = text.chars().map(|c| glyphs.glyph(c, bold).1).sum();
                assert_eq!(em * 8.0, fonts.width(text, 8.0, bold), "{text:?}");
            }
        }
        assert_ne!(glyphs.glyph('é', false).0, 0);
    }
}
