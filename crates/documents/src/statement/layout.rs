//! The statement laid out on A4 pages, before anything is drawn (`crate::page` breaks the
//! pages): its texts, its table of people paid for, and the totals that close each page of the
//! table (`Total de la page`, `À reporter`) and open the next (`Report`) — room for these is
//! kept under every row. A name wraps inside its column and its row grows; an amount is never
//! broken; a row taller than a whole page goes on over the next. Nothing is cut.

use super::{StatementError, StatementRow, Tally};
use crate::french::{count_of, date_short};
use crate::page::paging::{self, Block, Listing, PageSink};
use crate::page::table::{Col, Row, RowStyle, Sum, Table, col};
use crate::page::{Frame, MARGIN_X, WIDTH};
use crate::pdf::{Fonts, wrap_width};
use relais_core::Cents;

/// Where a field's value starts, right of its label.
pub(super) const VALUE_X: f32 = 120.0;

/// How a line of text looks: its size, its height, and its baseline from its top.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TextStyle {
    pub size: f32,
    pub bold: bool,
    pub height: f32,
    pub baseline: f32,
}

const fn style(size: f32, bold: bool, height: f32, baseline: f32) -> TextStyle {
    TextStyle {
        size,
        bold,
        height,
        baseline,
    }
}

pub(super) const SMALL: TextStyle = style(8.0, false, 10.5, 8.0);
pub(super) const TITLE: TextStyle = style(14.0, true, 21.0, 16.0);
pub(super) const TEXT: TextStyle = style(9.5, false, 12.5, 9.5);
pub(super) const STRONG: TextStyle = style(9.5, true, 12.5, 9.5);
pub(super) const HEADING: TextStyle = style(10.5, true, 20.0, 16.0);

/// A line's height in the table, and the room above and under a row's lines.
const LINE: f32 = 9.6;
const VPAD: f32 = 1.5;
const SUM_HEIGHT: f32 = LINE + 2.0 * VPAD;

// The table spans the page's width (523.28 pt). At 8 pt in DejaVu Sans: "999 999 999,99 €"
// (the largest SEPA transfer) 71.2, a period "30/12/2026 au 31/12/2026" 107.3, "Aide sociale
// à l'hébergement" (the longest benefit) 116.6, 12 digits of a dossier 61.1: each on one line.
const COLS: [Col; 5] = [
    col("Personne", 143.28, false),
    col("Dossier", 67.0, false),
    col("Prestation", 122.0, false),
    col("Période", 113.0, false),
    col("Montant", 78.0, true),
];

static TABLE: Table = Table {
    cols: &COLS,
    size: 8.0,
    line: LINE,
    ascent: 7.6,
    pad: 2.5,
    vpad: VPAD,
    header_vpad: 3.0,
    header_rule: true,
};

/// The row of a person paid for.
fn row_of(fonts: &Fonts, r: &StatementRow) -> Row {
    let period = format!("{} au {}", date_short(r.first_day), date_short(r.last_day));
    let texts = [
        r.person(),
        r.dossier.clone(),
        r.benefit.label_fr().to_owned(),
        period,
        r.amount.to_string(),
    ];
    Row::new(fonts, &TABLE, texts, RowStyle::Plain)
}

/// A total under the table, in bold: its label and its amount (one line each: both are
/// short, and the amount is never broken).
fn sum(label: &str, tally: Tally) -> Sum {
    let label = format!("{label} — {}", count_of(tally.rows, "ligne", "lignes"));
    carried(&label, tally.amount)
}

fn carried(label: &str, amount: Cents) -> Sum {
    Sum {
        table: &TABLE,
        label: vec![label.to_owned()],
        count: None,
        amount: amount.to_string(),
    }
}

/// What the statement is made of, laid out.
#[derive(Debug, Clone)]
pub(super) enum Item {
    /// A line of text from `x`.
    Line {
        x: f32,
        text: String,
        style: TextStyle,
    },
    /// A label, in bold, and the first line of its value.
    Pair {
        label: String,
        value: String,
    },
    Gap(f32),
    Row(Row),
    Sum(Sum),
}

impl Block for Item {
    fn height(&self) -> f32 {
        match self {
            Item::Line { style, .. } => style.height,
            Item::Pair { .. } => TEXT.height,
            Item::Gap(h) => *h,
            Item::Row(r) => r.height(),
            Item::Sum(s) => s.height(),
        }
    }

    fn split(self, room: f32) -> Result<(Item, Option<Item>), Item> {
        match self {
            Item::Row(row) => match row.split_to(room) {
                Ok((first, rest)) => Ok((Item::Row(first), rest.map(Item::Row))),
                Err(row) => Err(Item::Row(row)),
            },
            other => Err(other),
        }
    }
}

/// The table of people paid for, while it is laid out: the rows and amount of the page and
/// of the whole statement.
#[derive(Debug, Default)]
pub(super) struct People {
    in_table: bool,
    page: Tally,
    pub tally: Tally,
}

impl Listing for People {
    type Item = Item;
    type Entry = Cents;
    type Error = StatementError;

    fn foot(&self, _: &Fonts) -> Vec<Item> {
        if !self.in_table {
            return Vec::new();
        }
        vec![
            Item::Sum(sum("Total de la page", self.page)),
            Item::Sum(carried("À reporter", self.tally.amount)),
        ]
    }

    fn head(&self, fonts: &Fonts) -> Vec<Item> {
        if !self.in_table {
            return Vec::new();
        }
        vec![
            Item::Row(Row::header(fonts, &TABLE)),
            Item::Sum(carried("Report", self.tally.amount)),
        ]
    }

    fn turned(&mut self) {
        if self.in_table {
            self.page = Tally::default();
        }
    }

    fn count(&mut self, amount: &Cents) -> Result<(), StatementError> {
        self.page.add(*amount)?;
        self.tally.add(*amount)
    }
}

/// Lays the statement out on pages and hands each full page to its sink.
pub(super) type Flow<'s> = paging::Flow<'s, People>;

/// A flow from the first page.
pub(super) fn new_flow<'s>(
    sink: &'s mut dyn PageSink<Item, StatementError>,
    fonts: &'s Fonts,
    frame: &'s Frame,
) -> Flow<'s> {
    Flow::new(sink, fonts, frame, People::default())
}

impl Flow<'_> {
    /// One line of text (with what is held above it), here or on the next page.
    fn line(&mut self, item: Item) -> Result<(), StatementError> {
        self.place(item, 0.0, None)
    }

    /// `text` wrapped to the page from `x`.
    pub fn text_at(&mut self, x: f32, text: &str, style: TextStyle) -> Result<(), StatementError> {
        let room = MARGIN_X + WIDTH - x;
        for line in wrap_width(self.fonts(), text, style.size, style.bold, room) {
            self.line(Item::Line {
                x,
                text: line,
                style,
            })?;
        }
        Ok(())
    }

    pub fn text(&mut self, text: &str, style: TextStyle) -> Result<(), StatementError> {
        self.text_at(MARGIN_X, text, style)
    }

    /// A label and its value, wrapped right of it.
    pub fn pair(&mut self, label: &str, value: &str) -> Result<(), StatementError> {
        let x = MARGIN_X + VALUE_X;
        let room = MARGIN_X + WIDTH - x;
        let mut lines = wrap_width(self.fonts(), value, TEXT.size, TEXT.bold, room).into_iter();
        let first = lines.next().unwrap_or_default();
        self.line(Item::Pair {
            label: format!("{label} :"),
            value: first,
        })?;
        for text in lines {
            self.line(Item::Line {
                x,
                text,
                style: TEXT,
            })?;
        }
        Ok(())
    }

    /// Some room, unless at the foot of a page.
    pub fn gap(&mut self, h: f32) {
        if h <= self.room() {
            self.put(Item::Gap(h));
        }
    }

    /// A heading: it waits for what follows it.
    pub fn heading(&mut self, text: &str) {
        for line in wrap_width(self.fonts(), text, HEADING.size, HEADING.bold, WIDTH) {
            self.hold(Item::Line {
                x: MARGIN_X,
                text: line,
                style: HEADING,
            });
        }
    }

    /// The table's header: it waits for the first row, and is repeated on every page.
    pub fn table(&mut self) {
        self.list.in_table = true;
        self.hold(Item::Row(Row::header(self.fonts(), &TABLE)));
    }

    /// A row of the table, with room kept under it for the totals that close the page.
    pub fn row(&mut self, r: &StatementRow) -> Result<(), StatementError> {
        let row = row_of(self.fonts(), r);
        self.place(Item::Row(row), 2.0 * SUM_HEIGHT, Some(&r.amount))
    }

    /// Closes the table: the last page's total when it ran over several pages, then the
    /// grand total (room for both was kept under every row).
    pub fn end_table(&mut self) -> Result<(), StatementError> {
        let People { page, tally, .. } = self.list;
        if tally.rows == 0 {
            let none = String::new;
            let texts = ["Aucune ligne.".to_owned(), none(), none(), none(), none()];
            let row = Row::new(self.fonts(), &TABLE, texts, RowStyle::Plain);
            self.place(Item::Row(row), 2.0 * SUM_HEIGHT, None)?;
        } else if tally.rows > page.rows {
            self.put(Item::Sum(sum("Total de la page", page)));
        }
        self.put(Item::Sum(sum("Total", tally)));
        self.list.in_table = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_spans_the_page_and_its_values_fit_whole() {
        let w: f32 = COLS.iter().map(|c| c.width).sum();
        assert!((w - WIDTH).abs() < 0.01, "{w}");
        let f = Fonts::load().expect("fonts");
        let fits = |text: &str, c: &Col| c.fits(&f, &TABLE, text, false);
        assert!(fits(&Cents(99_999_999_999).to_string(), &COLS[4]));
        assert!(fits("30/12/2026 au 31/12/2026", &COLS[3]));
        for b in relais_core::records::Benefit::ALL {
            assert!(fits(b.label_fr(), &COLS[2]), "{b:?}");
        }
        assert!(fits("999999999999", &COLS[1]));
        assert_eq!(Row::header(&f, &TABLE).lines(), 1);
        assert_eq!(carried("Report", Cents::ZERO).height(), SUM_HEIGHT);
    }
}
