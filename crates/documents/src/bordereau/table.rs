//! The bordereau's tables: their columns, and a row's cells laid out in them. A text is
//! wrapped inside its column, at spaces (a word wider than the column is broken between two
//! letters), and the row grows: nothing is cut. A number or an amount is never broken: the
//! columns are wide enough for the largest a PES file holds, and one wider still (which no
//! valid run has) is set smaller to fit. Every width is measured with the embedded font.

use super::{MARGIN_X, WIDTH};
use crate::french::count;
use crate::pdf::{Fonts, wrap_width};
use relais_core::Cents;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::MandateLine;

/// The font size in tables.
pub(super) const CELL: f32 = 7.5;
/// The height of a line of text in a cell.
pub(super) const LINE: f32 = 9.0;
/// From a line's top to its baseline.
pub(super) const ASCENT: f32 = 7.2;
/// Room left and right of a cell's text.
pub(super) const PAD: f32 = 2.5;
/// Room above and under a row's lines (more in the shaded header).
const VPAD: f32 = 1.0;
const HEADER_VPAD: f32 = 2.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    Benefits,
    Imputations,
    Mandates,
}

pub(super) struct Col {
    pub title: &'static str,
    pub width: f32,
    /// Right-aligned: a number or an amount, never broken.
    pub right: bool,
}

const fn col(title: &'static str, width: f32, right: bool) -> Col {
    Col {
        title,
        width,
        right,
    }
}

// Each table spans the page's width (523.28 pt). Widths measured at 7.5 pt in DejaVu Sans
// (bold for totals): "999 999 999 999,99 €" (the largest PES amount) 91.6, the 12 digits of
// an account (`Nature`) 57.3 and the 10 of a function 47.7, "Établissement" 53.2, 8 digits of
// a mandate number (`IdPce`) 38.2, 7 of a bordereau's (`IdBord`) 33.4, "999 999 999,99 €"
// (the largest SEPA transfer) 66.8, "999 999" lines 31.0.
const BENEFIT_COLS: [Col; 6] = [
    col("Prestation", 158.28, false),
    col("Date de paiement", 85.0, false),
    col("Droits", 60.0, true),
    col("Personnes", 60.0, true),
    col("Tiers", 60.0, true),
    col("Montant", 100.0, true),
];
const IMPUTATION_COLS: [Col; 5] = [
    col("Prestation", 168.28, false),
    col("Compte", 90.0, false),
    col("Fonction", 90.0, false),
    col("Lignes", 75.0, true),
    col("Montant", 100.0, true),
];
const MANDATE_COLS: [Col; 9] = [
    col("Mandat", 44.0, true),
    col("Bord.", 39.0, true),
    col("Tiers", 44.0, false),
    col("Nom du tiers", 110.28, false),
    col("Type", 59.0, false),
    col("Prestation", 50.0, false),
    col("Compte", 63.0, false),
    col("Lignes", 37.0, true),
    col("Montant", 77.0, true),
];
/// Where "Lignes" is among the mandates' columns, for the totals under them.
const MANDATE_LINES_COL: usize = 7;

impl Table {
    pub fn cols(self) -> &'static [Col] {
        match self {
            Table::Benefits => &BENEFIT_COLS,
            Table::Imputations => &IMPUTATION_COLS,
            Table::Mandates => &MANDATE_COLS,
        }
    }
}

/// One cell laid out: its lines, and the size they are set at ([`CELL`], smaller only for a
/// number too wide for its column).
#[derive(Debug, Clone)]
pub(super) struct Cell {
    pub lines: Vec<String>,
    pub size: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowStyle {
    /// The columns' titles, bold on a shaded band.
    Header,
    Plain,
    /// A total: bold, with a rule above.
    Total,
}

/// A row of a table, laid out: its height is known.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub table: Table,
    pub cells: Vec<Cell>,
    pub style: RowStyle,
}

fn cell(fonts: &Fonts, text: &str, bold: bool, col: &Col) -> Cell {
    let max = col.width - 2.0 * PAD;
    let width = fonts.width(text, CELL, bold);
    if width <= max {
        return Cell {
            lines: vec![text.to_owned()],
            size: CELL,
        };
    }
    if col.right {
        // Slightly under the exact ratio, so that rounding never puts it over.
        return Cell {
            lines: vec![text.to_owned()],
            size: CELL * max / width * 0.995,
        };
    }
    Cell {
        lines: wrap_width(fonts, text, CELL, bold, max),
        size: CELL,
    }
}

impl Row {
    pub fn new<S: AsRef<str>>(fonts: &Fonts, table: Table, texts: &[S], style: RowStyle) -> Row {
        let bold = style != RowStyle::Plain;
        let cells = table
            .cols()
            .iter()
            .zip(texts)
            .map(|(col, text)| cell(fonts, text.as_ref(), bold, col))
            .collect();
        Row {
            table,
            cells,
            style,
        }
    }

    /// The columns' titles of `table`.
    pub fn header(fonts: &Fonts, table: Table) -> Row {
        let titles: Vec<&str> = table.cols().iter().map(|c| c.title).collect();
        Row::new(fonts, table, &titles, RowStyle::Header)
    }

    /// A mandate of the list.
    pub fn mandate(fonts: &Fonts, m: &MandateLine) -> Row {
        let (number, bordereau) = (m.number.to_string(), m.bordereau.to_string());
        let (lines, amount) = (count(u64::from(m.lines)), m.amount.to_string());
        let texts = [
            number.as_str(),
            &bordereau,
            &m.payee_id,
            &m.payee_name,
            kind_short(m.kind),
            benefit_short(m.benefit),
            &m.account,
            &lines,
            &amount,
        ];
        Row::new(fonts, Table::Mandates, &texts, RowStyle::Plain)
    }

    pub fn bold(&self) -> bool {
        self.style != RowStyle::Plain
    }

    pub fn vpad(&self) -> f32 {
        if self.style == RowStyle::Header {
            HEADER_VPAD
        } else {
            VPAD
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
        self.lines() as f32 * LINE + 2.0 * self.vpad()
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
}

/// A total under the mandates: its label (wrapped in the room the numbers leave), the count
/// of lines and the amount, in bold. The amount is never set smaller: it takes the room it
/// needs from the right, the count moves left of it when they would touch.
#[derive(Debug, Clone)]
pub(super) struct Sum {
    pub label: Vec<String>,
    pub lines: String,
    /// Where the count of lines ends (right-aligned).
    pub lines_right: f32,
    pub amount: String,
}

impl Sum {
    pub fn new(fonts: &Fonts, label: &str, lines: u64, amount: Cents) -> Sum {
        let amount = amount.to_string();
        let amount_left = MARGIN_X + WIDTH - PAD - fonts.width(&amount, CELL, true);
        let lines_col_end: f32 = MANDATE_COLS
            .iter()
            .take(MANDATE_LINES_COL + 1)
            .map(|c| c.width)
            .sum();
        let lines_right = (MARGIN_X + lines_col_end - PAD).min(amount_left - 2.0 * PAD);
        let lines = count(lines);
        let lines_left = lines_right - fonts.width(&lines, CELL, true);
        let room = (lines_left - 2.0 * PAD - (MARGIN_X + PAD)).max(4.0 * CELL);
        let label = if fonts.width(label, CELL, true) <= room {
            vec![label.to_owned()]
        } else {
            wrap_width(fonts, label, CELL, true, room)
        };
        Sum {
            label,
            lines,
            lines_right,
            amount,
        }
    }

    pub fn height(&self) -> f32 {
        self.label.len().max(1) as f32 * LINE + 2.0 * VPAD
    }
}

fn benefit_short(b: Benefit) -> &'static str {
    match b {
        Benefit::ApaDom => "APA dom.",
        Benefit::ApaEtab => "APA étab.",
        Benefit::Pch => "PCH",
        Benefit::Ash => "ASH",
        Benefit::Rsa => "RSA",
    }
}

fn kind_short(k: PayeeKind) -> &'static str {
    match k {
        PayeeKind::Personne => "Personne",
        PayeeKind::Etablissement => "Établissement",
        PayeeKind::Service => "SAAD",
        PayeeKind::Tuteur => "Tuteur",
        PayeeKind::Caf => "CAF",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().expect("fonts")
    }

    #[test]
    fn every_table_spans_the_page() {
        for table in [Table::Benefits, Table::Imputations, Table::Mandates] {
            let w: f32 = table.cols().iter().map(|c| c.width).sum();
            assert!((w - WIDTH).abs() < 0.01, "{table:?}: {w}");
        }
    }

    #[test]
    fn the_largest_values_fit_their_columns_whole() {
        let f = fonts();
        let fits =
            |text: &str, bold: bool, col: &Col| f.width(text, CELL, bold) <= col.width - 2.0 * PAD;
        let pes_max = Cents(99_999_999_999_999).to_string();
        let sepa_max = Cents(99_999_999_999).to_string();
        assert!(fits(&pes_max, true, &BENEFIT_COLS[5]));
        assert!(fits(&pes_max, true, &IMPUTATION_COLS[4]));
        assert!(fits("999999999999", false, &IMPUTATION_COLS[1]));
        assert!(fits("9999999999", false, &IMPUTATION_COLS[2]));
        assert!(fits(&sepa_max, false, &MANDATE_COLS[8]));
        assert!(fits("99999999", false, &MANDATE_COLS[0]));
        assert!(fits("9999999", false, &MANDATE_COLS[1]));
        assert!(fits("999999999999", false, &MANDATE_COLS[6]));
        assert!(fits("999\u{a0}999", false, &MANDATE_COLS[7]));
        assert!(fits("Établissement", false, &MANDATE_COLS[4]));
        for table in [Table::Benefits, Table::Imputations, Table::Mandates] {
            assert_eq!(Row::header(&f, table).lines(), 1, "{table:?}");
        }
    }

    #[test]
    fn a_long_name_wraps_and_an_amount_too_wide_is_set_smaller() {
        let f = fonts();
        let name = "WWWWWWWWWW MMMMMMMMMM ÉÉÉÉÉÉÉÉÉÉ WWWWWWWWWW MMMMMMMMMM ÉÉÉÉÉÉÉÉÉÉ WWWMMMÉÉ";
        let amount = Cents(i64::MAX).to_string();
        let texts = ["1", "2", "T1", name, "SAAD", "PCH", "6511211", "1", &amount];
        let row = Row::new(&f, Table::Mandates, &texts, RowStyle::Plain);
        let lines = &row.cells[3].lines;
        assert!(lines.len() > 3, "{lines:?}");
        assert_eq!(lines.join(" "), name);
        let max = MANDATE_COLS[3].width - 2.0 * PAD;
        assert!(lines.iter().all(|l| f.width(l, CELL, false) <= max));
        let money = &row.cells[8];
        assert_eq!(money.lines, vec![amount.clone()]);
        assert!(money.size < CELL);
        assert!(f.width(&amount, money.size, false) <= MANDATE_COLS[8].width - 2.0 * PAD);
        assert_eq!(row.height(), lines.len() as f32 * LINE + 2.0 * VPAD);

        let (first, rest) = row.split(2);
        assert_eq!(first.lines(), 2);
        assert_eq!(first.cells[8].lines, vec![amount]);
        let rest = rest.expect("rest");
        assert!(rest.cells[8].lines.is_empty());
        assert_eq!(
            [first.cells[3].lines.clone(), rest.cells[3].lines.clone()]
                .concat()
                .join(" "),
            name
        );
        assert!(first.split(2).1.is_none());
    }

    #[test]
    fn a_total_keeps_its_amount_and_count_whole_and_apart() {
        let f = fonts();
        for amount in [Cents(99_999_999_999), Cents(i64::MAX), Cents(i64::MIN)] {
            let s = Sum::new(&f, "Total général : 40 000 mandats", u64::MAX, amount);
            let amount_left = MARGIN_X + WIDTH - PAD - f.width(&s.amount, CELL, true);
            assert!(s.lines_right < amount_left);
            let lines_left = s.lines_right - f.width(&s.lines, CELL, true);
            let label_right = MARGIN_X
                + PAD
                + s.label
                    .iter()
                    .map(|l| f.width(l, CELL, true))
                    .fold(0.0, f32::max);
            assert!(label_right < lines_left, "{s:?}");
            assert_eq!(s.label.join(" "), "Total général : 40 000 mandats");
        }
    }
}
