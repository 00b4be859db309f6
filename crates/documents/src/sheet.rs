//! A long table of text lines over [`crate::payroll::lean::LeanPdf`] (the payroll's état
//! liquidatif, a supplier run's bordereau): lines placed at a fixed step, a new page when the
//! next block does not fit, the columns' header drawn again at its top, pages written out as
//! they fill.

use crate::flow::Placed;
use crate::payroll::lean::LeanPdf;
use crate::pdf::Fonts;
use std::io::{self, Write};

/// A sheet's lines: their size, the step between them, where a page's text starts and ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lines {
    pub size: f32,
    pub step: f32,
    pub top: f32,
    pub bottom: f32,
}

pub(crate) struct Sheet<'f, W: Write> {
    pdf: LeanPdf<'f, W>,
    pub fonts: &'f Fonts,
    lines: Lines,
    placed: Vec<Placed>,
    pub y: f32,
}

impl<'f, W: Write> Sheet<'f, W> {
    pub fn new(pdf: LeanPdf<'f, W>, fonts: &'f Fonts, lines: Lines) -> Self {
        Sheet {
            pdf,
            fonts,
            lines,
            placed: Vec::new(),
            y: lines.top,
        }
    }

    /// Starts a new page, `header` drawn at its top, unless `lines` more lines fit.
    pub fn room(&mut self, lines: usize, header: impl FnOnce(&mut Self)) -> io::Result<()> {
        if self.y + self.lines.step * lines as f32 > self.lines.bottom {
            self.pdf.page(&self.placed, None)?;
            self.placed.clear();
            self.y = self.lines.top;
            header(self);
        }
        Ok(())
    }

    pub fn text(&mut self, x: f32, text: &str, bold: bool) {
        self.placed.push(Placed {
            x,
            y: self.y,
            text: text.to_owned(),
            size: self.lines.size,
            bold,
        });
    }

    /// `text` cut to `width`, ending with an ellipsis when it was.
    pub fn fitted(&mut self, x: f32, text: &str, width: f32, bold: bool) {
        let fitted = self
            .fonts
            .fit(text, self.lines.size, bold, width)
            .into_owned();
        self.text(x, &fitted, bold);
    }

    /// `text` ending at `right` (amounts).
    pub fn right(&mut self, right: f32, text: &str, bold: bool) {
        let x = right - self.fonts.width(text, self.lines.size, bold);
        self.text(x, text, bold);
    }

    pub fn next(&mut self) {
        self.y += self.lines.step;
    }

    /// The last page written, and the document finished.
    pub fn finish(mut self) -> io::Result<()> {
        if !self.placed.is_empty() {
            self.pdf.page(&self.placed, None)?;
        }
        self.pdf.finish()?;
        Ok(())
    }
}
