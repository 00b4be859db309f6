//! Tables whose rows grow to hold their texts. A text is wrapped inside its column, at spaces
//! (a word wider than the column is broken between two letters), and the row grows: nothing
//! is cut. A right-aligned column holds a number or an amount, never broken: one too wide for
//! its column (which the columns' widths leave to no valid run) is set smaller to fit. Every
//! width is measured with the embedded font. A row taller than a page is split between its
//! lines, the one-line cells (an amount) all in its first part.

use super::{MARGIN_X, WIDTH};
use crate::pdf::{Fonts, wrap_width};

/// A table: its columns (spanning the page's width) and how its rows are set.
#[derive(Debug)]
pub(crate) struct Table {
    pub cols: &'static [Col],
    /// The font size of the cells.
    pub size: f32,
    /// The height of a line of text in a cell, and from a line's top to its baseline.
    pub line: f32,
    pub ascent: f32,
    /// Room left and right of a cell's text.
    pub pad: f32,
    /// Room above and under a row's lines, and the shaded header's.
    pub vpad: f32,
    pub header_vpad: f32,
    /// Whether the header's shaded band has a rule under it, as the other rows.
    pub header_rule: bool,
}

#[derive(Debug)]
pub(crate) struct Col {
    pub title: &'static str,
    pub width: f32,
    /// Right-aligned: a number or an amount, never broken.
    pub right: bool,
}

pub(crate) const fn col(title: &'static str, width: f32, right: bool) -> Col {
    Col {
        title,
        width,
        right,
    }
}

impl Col {
    /// Whether `text` holds on one line in the column at the table's size.
    #[cfg(test)]
    pub fn fits(&self, fonts: &Fonts, table: &Table, text: &str, bold: bool) -> bool {
        fonts.width(text, table.size, bold) <= self.width - 2.0 * table.pad
    }
}

/// One cell laid out: its lines, and the size they are set at (the table's, smaller only for
/// a number too wide for its column).
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub lines: Vec<String>,
    pub size: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowStyle {
    /// The columns' titles, bold on a shaded band.
    Header,
    Plain,
    /// A total: bold, with a rule above.
    Total,
}

/// A row of a table, laid out: its height is known.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub table: &'static Table,
    pub cells: Vec<Cell>,
    pub style: RowStyle,
}

fn cell(fonts: &Fonts, table: &Table, text: String, bold: bool, col: &Col) -> Cell {
    let max = col.width - 2.0 * table.pad;
    let width = fonts.width(&text, table.size, bold);
    if width <= max {
        return Cell {
            lines: vec![text],
            size: table.size,
        };
    }
    if col.right {
        // Slightly under the exact ratio, so that rounding never puts it over.
        return Cell {
            lines: vec![text],
            size: table.size * max / width * 0.995,
        };
    }
    Cell {
        lines: wrap_width(fonts, &text, table.size, bold, max),
        size: table.size,
    }
}

impl Row {
    /// A row of `texts`, one a column from the first (fewer texts make fewer cells).
    pub fn new<S: Into<String>>(
        fonts: &Fonts,
        table: &'static Table,
        texts: impl IntoIterator<Item = S>,
        style: RowStyle,
    ) -> Row {
        let bold = style != RowStyle::Plain;
        let cells = table
            .cols
            .iter()
            .zip(texts)
            .map(|(col, text)| cell(fonts, table, text.into(), bold, col))
            .collect();
        Row {
            table,
            cells,
            style,
        }
    }

    /// The columns' titles of `table`.
    pub fn header(fonts: &Fonts, table: &'static Table) -> Row {
        Row::new(
            fonts,
            table,
            table.cols.iter().map(|c| c.title),
            RowStyle::Header,
        )
    }

    pub fn bold(&self) -> bool {
        self.style != RowStyle::Plain
    }

    pub fn vpad(&self) -> f32 {
        if self.style == RowStyle::Header {
            self.table.header_vpad
        } else {
            self.table.vpad
        }
    }

    /// The number of lines of its tallest cell.
    pub fn lines(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }

    pub fn height(&self) -> f32 {
        self.lines() as f32 * self.table.line + 2.0 * self.vpad()
    }

    /// The row's first `n` lines, and the rest when there is some: a row taller than a page
    /// goes on over the next (every cell but a long text has one line, so it is all in the
    /// first part).
    pub fn split(mut self, n: usize) -> (Row, Option<Row>) {
        let rest: Vec<Cell> = self
            .cells
            .iter_mut()
            .map(|c| Cell {
                lines: c.lines.split_off(n.min(c.lines.len())),
                size: c.size,
            })
            .collect();
        let more = rest.iter().any(|c| !c.lines.is_empty());
        let rest = more.then_some(Row {
            table: self.table,
            cells: rest,
            style: self.style,
        });
        (self, rest)
    }

    /// The row's first part holding at most `room` points, and the rest; the row given back
    /// when not even its first line fits.
    pub fn split_to(self, room: f32) -> Result<(Row, Option<Row>), Row> {
        let n = ((room - 2.0 * self.vpad()) / self.table.line).floor();
        if n < 1.0 {
            return Err(self);
        }
        Ok(self.split(n as usize))
    }
}

/// A total under a table, in bold: its label left (wrapped to the room the numbers leave),
/// a count when there is one, and the amount right, never broken nor set smaller.
#[derive(Debug, Clone)]
pub(crate) struct Sum {
    pub table: &'static Table,
    pub label: Vec<String>,
    /// A count, and where it ends (right-aligned).
    pub count: Option<(String, f32)>,
    pub amount: String,
}

impl Sum {
    pub fn height(&self) -> f32 {
        self.label.len().max(1) as f32 * self.table.line + 2.0 * self.table.vpad
    }

    /// Where the amount starts, right-aligned to the table's right.
    pub fn amount_left(fonts: &Fonts, table: &Table, amount: &str) -> f32 {
        MARGIN_X + WIDTH - table.pad - fonts.width(amount, table.size, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Col; 3] = [
        col("Nom", 300.0, false),
        col("Dossier", 123.28, false),
        col("Montant", 100.0, true),
    ];
    static TABLE: Table = Table {
        cols: &COLS,
        size: 8.0,
        line: 9.6,
        ascent: 7.6,
        pad: 2.5,
        vpad: 1.5,
        header_vpad: 3.0,
        header_rule: true,
    };

    #[test]
    fn a_row_splits_with_its_amount_in_the_first_part() {
        let f = Fonts::load().expect("fonts");
        let name = "MOT ".repeat(400);
        let row = Row::new(&f, &TABLE, [name.trim(), "D1", "12,00 €"], RowStyle::Plain);
        assert!(row.lines() > 10);
        assert_eq!(row.height(), row.lines() as f32 * 9.6 + 3.0);
        let (first, rest) = row.split(3);
        assert_eq!(first.lines(), 3);
        assert_eq!(first.cells[2].lines, vec!["12,00 €".to_owned()]);
        let rest = rest.expect("rest");
        assert!(rest.cells[2].lines.is_empty());
        assert!(first.clone().split(3).1.is_none());
        assert!(first.clone().split_to(9.6).is_err());
        let (two, _) = first.split_to(2.0 * 9.6 + 3.0).expect("two lines");
        assert_eq!(two.lines(), 2);
        assert_eq!(Row::header(&f, &TABLE).lines(), 1);
    }
}
