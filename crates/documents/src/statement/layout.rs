//! The statement laid out on A4 pages, before anything is drawn: every text is wrapped to its
//! width with the embedded font, so every item's height is known and a page breaks when the
//! next one does not fit. A heading and the table's header wait for what follows them; the
//! header is repeated on every page the table runs over, each page ending with its total and
//! the amount carried over (`À reporter`), the next opening with it (`Report`) — room for
//! these is kept under every row. A name wraps inside its column and its row grows; an amount
//! is never broken; a row taller than a whole page goes on over the next. Nothing is cut.

use super::{StatementError, StatementRow, Tally};
use crate::french::{count_of, date_short};
use crate::pdf::{Fonts, PAGE_H, PAGE_W};
use relais_core::Cents;

pub(super) const MARGIN_X: f32 = 36.0;
pub(super) const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Where a field's value starts, right of its label.
pub(super) const VALUE_X: f32 = 120.0;
/// The running header's first baseline and its lines' height (pages after the first).
pub(super) const RUNNING_Y: f32 = 30.0;
pub(super) const RUNNING_STEP: f32 = 8.5;
/// The footer's last baseline and its lines' height.
pub(super) const FOOTER_Y: f32 = PAGE_H - 26.0;
pub(super) const FOOTER_STEP: f32 = 9.0;
const TOP: f32 = 46.0;
const BOTTOM: f32 = PAGE_H - 46.0;

/// `text` in lines at most `max` points wide at `size`, exactly as `pdf::wrap_width` makes
/// them (a word longer than a line is broken across lines, never cut), but measuring each
/// character once rather than each candidate line from its start: a statement's texts and
/// long names are wrapped twice (layout, then drawing), for thousands of statements.
fn wrap(fonts: &Fonts, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    // The advance of `c` in em; lines are summed character after character, as
    // `Fonts::width` sums them, so that the same line is found to fit or not.
    let advance = |c: char| fonts.width(c.encode_utf8(&mut [0u8; 4]), 1.0, bold);
    let space = advance(' ');
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut em = 0.0f32;
        for word in paragraph.split([' ', '\t']).filter(|w| !w.is_empty()) {
            let mut candidate = if line.is_empty() { 0.0 } else { em + space };
            for c in word.chars() {
                candidate += advance(c);
            }
            if candidate * size <= max {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                em = candidate;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                em = 0.0;
            }
            for c in word.chars() {
                let a = advance(c);
                if (em + a) * size > max && !line.is_empty() {
                    out.push(std::mem::replace(&mut line, c.to_string()));
                    em = a;
                } else {
                    line.push(c);
                    em += a;
                }
            }
        }
        out.push(line);
    }
    out
}

/// The running header and the footer, wrapped (a long name takes more lines), and so where
/// the items start and end on each page.
pub(super) struct Frame {
    pub running: Vec<String>,
    pub footer: Vec<String>,
    top_next: f32,
    pub bottom: f32,
}

impl Frame {
    pub fn new(fonts: &Fonts, running: &str, footer: &str) -> Frame {
        let running = wrap(fonts, running, 7.0, false, WIDTH);
        // Room for the widest page number there can be, right of the footer's text.
        let number = format!("page {} / {}", u32::MAX, u32::MAX);
        let room = WIDTH - fonts.width(&number, 7.5, false) - 12.0;
        let footer = wrap(fonts, footer, 7.5, false, room);
        let more = |lines: &[String], step: f32| lines.len().saturating_sub(1) as f32 * step;
        Frame {
            top_next: TOP + more(&running, RUNNING_STEP),
            bottom: BOTTOM - more(&footer, FOOTER_STEP),
            running,
            footer,
        }
    }

    pub fn top(&self, page: u32) -> f32 {
        if page > 1 { self.top_next } else { TOP }
    }
}

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

/// The font size in the table, a line's height, and its baseline from the line's top.
pub(super) const CELL: f32 = 8.0;
pub(super) const LINE: f32 = 9.6;
pub(super) const ASCENT: f32 = 7.6;
/// Room left and right of a cell's text, above and under a row's lines.
pub(super) const PAD: f32 = 2.5;
const VPAD: f32 = 1.5;
const HEADER_VPAD: f32 = 3.0;

pub(super) struct Col {
    pub title: &'static str,
    pub width: f32,
    /// Right-aligned: an amount, never broken.
    pub right: bool,
}

const fn col(title: &'static str, width: f32, right: bool) -> Col {
    Col {
        title,
        width,
        right,
    }
}

// The table spans the page's width (523.28 pt). At 8 pt in DejaVu Sans: "999 999 999,99 €"
// (the largest SEPA transfer) 71.2, a period "30/12/2026 au 31/12/2026" 107.3, "Aide sociale
// à l'hébergement" (the longest benefit) 116.6, 12 digits of a dossier 61.1: each on one line.
pub(super) const COLS: [Col; 5] = [
    col("Personne", 143.28, false),
    col("Dossier", 67.0, false),
    col("Prestation", 122.0, false),
    col("Période", 113.0, false),
    col("Montant", 78.0, true),
];

/// One cell laid out: its lines, and the size they are set at ([`CELL`], smaller only for an
/// amount too wide for its column).
#[derive(Debug, Clone)]
pub(super) struct Cell {
    pub lines: Vec<String>,
    pub size: f32,
}

/// A row of the table, laid out: its height is known.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub cells: Vec<Cell>,
    /// The columns' titles, bold on a shaded band.
    pub header: bool,
}

fn cell(fonts: &Fonts, text: String, bold: bool, col: &Col) -> Cell {
    let max = col.width - 2.0 * PAD;
    let width = fonts.width(&text, CELL, bold);
    if width <= max {
        return Cell {
            lines: vec![text],
            size: CELL,
        };
    }
    if col.right {
        // Slightly under the exact ratio, so that rounding never puts it over.
        return Cell {
            lines: vec![text],
            size: CELL * max / width * 0.995,
        };
    }
    Cell {
        lines: wrap(fonts, &text, CELL, bold, max),
        size: CELL,
    }
}

impl Row {
    fn new(fonts: &Fonts, texts: [String; 5], header: bool) -> Row {
        let cells = COLS
            .iter()
            .zip(texts)
            .map(|(col, text)| cell(fonts, text, header, col))
            .collect();
        Row { cells, header }
    }

    pub fn header(fonts: &Fonts) -> Row {
        Row::new(fonts, COLS.map(|c| c.title.to_owned()), true)
    }

    pub fn of(fonts: &Fonts, r: &StatementRow) -> Row {
        let period = format!("{} au {}", date_short(r.first_day), date_short(r.last_day));
        let texts = [
            r.person(),
            r.dossier.clone(),
            r.benefit.label_fr().to_owned(),
            period,
            r.amount.to_string(),
        ];
        Row::new(fonts, texts, false)
    }

    fn note(fonts: &Fonts, text: &str) -> Row {
        let none = String::new;
        Row::new(
            fonts,
            [text.to_owned(), none(), none(), none(), none()],
            false,
        )
    }

    pub fn vpad(&self) -> f32 {
        if self.header { HEADER_VPAD } else { VPAD }
    }

    fn lines(&self) -> usize {
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

    /// The row's first `n` lines, and the rest when there is some (the amount, one line, is
    /// in the first part).
    fn split(mut self, n: usize) -> (Row, Option<Row>) {
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
            cells: rest,
            header: self.header,
        });
        (self, rest)
    }
}

/// A total under the table, in bold: its label left, its amount right (one line each: both
/// are short, and the amount is never broken).
#[derive(Debug, Clone)]
pub(super) struct Sum {
    pub label: String,
    pub amount: String,
}

impl Sum {
    fn new(label: &str, tally: Tally) -> Sum {
        Sum {
            label: format!("{label} — {}", count_of(tally.rows, "ligne", "lignes")),
            amount: tally.amount.to_string(),
        }
    }

    fn carried(label: &str, amount: Cents) -> Sum {
        Sum {
            label: label.to_owned(),
            amount: amount.to_string(),
        }
    }
}

pub(super) const SUM_HEIGHT: f32 = LINE + 2.0 * VPAD;

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

impl Item {
    pub fn height(&self) -> f32 {
        match self {
            Item::Line { style, .. } => style.height,
            Item::Pair { .. } => TEXT.height,
            Item::Gap(h) => *h,
            Item::Row(r) => r.height(),
            Item::Sum(_) => SUM_HEIGHT,
        }
    }
}

/// Receives each page's items, with where each starts, once the page is full.
pub(super) trait PageSink {
    fn page(&mut self, number: u32, items: &[(f32, Item)]) -> Result<(), StatementError>;
}

/// The first pass: pages are only counted.
pub(super) struct Counter;

impl PageSink for Counter {
    fn page(&mut self, _: u32, _: &[(f32, Item)]) -> Result<(), StatementError> {
        Ok(())
    }
}

/// Lays items out on pages and hands each full page to its sink.
pub(super) struct Flow<'s> {
    sink: &'s mut dyn PageSink,
    fonts: &'s Fonts,
    frame: &'s Frame,
    items: Vec<(f32, Item)>,
    y: f32,
    page: u32,
    /// Whether the page holds anything but the frame of the table (its header, the amount
    /// brought forward): if not, breaking it would gain no room.
    content: bool,
    /// A heading and the table's header, waiting for what follows them.
    held: Vec<Item>,
    in_table: bool,
    page_tally: Tally,
    pub tally: Tally,
}

impl<'s> Flow<'s> {
    pub fn new(sink: &'s mut dyn PageSink, fonts: &'s Fonts, frame: &'s Frame) -> Flow<'s> {
        Flow {
            sink,
            fonts,
            frame,
            items: Vec::new(),
            y: frame.top(1),
            page: 1,
            content: false,
            held: Vec::new(),
            in_table: false,
            page_tally: Tally::default(),
            tally: Tally::default(),
        }
    }

    fn room(&self) -> f32 {
        self.frame.bottom - self.y
    }

    fn held_height(&self) -> f32 {
        self.held.iter().map(Item::height).sum()
    }

    fn put(&mut self, item: Item) {
        let h = item.height();
        self.items.push((self.y, item));
        self.y += h;
    }

    fn put_held(&mut self) {
        for item in std::mem::take(&mut self.held) {
            self.put(item);
        }
    }

    fn next_page(&mut self) -> Result<(), StatementError> {
        self.sink.page(self.page, &self.items)?;
        self.items.clear();
        self.page = self.page.saturating_add(1);
        self.y = self.frame.top(self.page);
        self.content = false;
        Ok(())
    }

    /// The room of a new page, under what a break puts at its top.
    fn room_after_break(&self) -> f32 {
        let top = self.frame.bottom - self.frame.top(self.page.saturating_add(1));
        if self.in_table && self.held.is_empty() {
            top - Row::header(self.fonts).height() - SUM_HEIGHT
        } else {
            top
        }
    }

    /// A new page; in the middle of the table, this page's total and the amount carried over
    /// close it (room for them was kept), and the header and the amount brought forward open
    /// the next.
    fn break_page(&mut self) -> Result<(), StatementError> {
        if !self.in_table || !self.held.is_empty() {
            return self.next_page();
        }
        self.put(Item::Sum(Sum::new("Total de la page", self.page_tally)));
        self.put(Item::Sum(Sum::carried("À reporter", self.tally.amount)));
        self.next_page()?;
        self.put(Item::Row(Row::header(self.fonts)));
        self.put(Item::Sum(Sum::carried("Report", self.tally.amount)));
        self.page_tally = Tally::default();
        Ok(())
    }

    /// One line of text (with what is held above it), here or on the next page.
    fn line(&mut self, item: Item) -> Result<(), StatementError> {
        if self.held_height() + item.height() > self.room() && self.content {
            self.break_page()?;
        }
        self.put_held();
        self.put(item);
        self.content = true;
        Ok(())
    }

    /// `text` wrapped to the page from `x`.
    pub fn text_at(&mut self, x: f32, text: &str, style: TextStyle) -> Result<(), StatementError> {
        let room = MARGIN_X + WIDTH - x;
        for line in wrap(self.fonts, text, style.size, style.bold, room) {
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
        let mut lines = wrap(self.fonts, value, TEXT.size, TEXT.bold, room).into_iter();
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
        for line in wrap(self.fonts, text, HEADING.size, HEADING.bold, WIDTH) {
            self.held.push(Item::Line {
                x: MARGIN_X,
                text: line,
                style: HEADING,
            });
        }
    }

    /// The table's header: it waits for the first row, and is repeated on every page.
    pub fn table(&mut self) {
        self.in_table = true;
        self.held.push(Item::Row(Row::header(self.fonts)));
    }

    /// A row of the table, with room kept under it for the totals that close the page.
    pub fn row(&mut self, r: &StatementRow) -> Result<(), StatementError> {
        let row = Row::of(self.fonts, r);
        self.place(row, Some(r.amount))
    }

    /// Places `row` with room for two totals under it: on this page, or on the next, or,
    /// when no page can hold it, over as many as it takes. `amount` is counted with the part
    /// of the row that holds it (the first).
    fn place(&mut self, row: Row, mut amount: Option<Cents>) -> Result<(), StatementError> {
        let reserve = 2.0 * SUM_HEIGHT;
        let mut row = row;
        loop {
            let held = self.held_height();
            let need = held + row.height() + reserve;
            if need <= self.room() {
                return self.put_row(row, amount);
            }
            if self.content && need <= self.room_after_break() {
                self.break_page()?;
                continue;
            }
            let n = ((self.room() - held - reserve - 2.0 * row.vpad()) / LINE).floor();
            if n >= 1.0 {
                let (first, rest) = row.split(n as usize);
                self.put_row(first, amount.take())?;
                match rest {
                    Some(rest) => row = rest,
                    None => return Ok(()),
                }
                self.break_page()?;
            } else if self.content {
                self.break_page()?;
            } else {
                // Not a line fits on a page that has nothing else: as it is (never a loop,
                // whatever the input).
                return self.put_row(row, amount);
            }
        }
    }

    fn put_row(&mut self, row: Row, amount: Option<Cents>) -> Result<(), StatementError> {
        if let Some(a) = amount {
            self.page_tally.add(a)?;
            self.tally.add(a)?;
        }
        self.put_held();
        self.put(Item::Row(row));
        self.content = true;
        Ok(())
    }

    /// Closes the table: the last page's total when it ran over several pages, then the
    /// grand total (room for both was kept under every row).
    pub fn end_table(&mut self) -> Result<(), StatementError> {
        if self.tally.rows == 0 {
            let row = Row::note(self.fonts, "Aucune ligne.");
            self.place(row, None)?;
        } else if self.tally.rows > self.page_tally.rows {
            self.put(Item::Sum(Sum::new("Total de la page", self.page_tally)));
        }
        self.put(Item::Sum(Sum::new("Total", self.tally)));
        self.in_table = false;
        Ok(())
    }

    /// Hands the last page over; the number of pages.
    pub fn finish(mut self) -> Result<u32, StatementError> {
        self.put_held();
        self.sink.page(self.page, &self.items)?;
        Ok(self.page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().expect("fonts")
    }

    #[test]
    fn the_table_spans_the_page_and_its_values_fit_whole() {
        let w: f32 = COLS.iter().map(|c| c.width).sum();
        assert!((w - WIDTH).abs() < 0.01, "{w}");
        let f = fonts();
        let fits =
            |text: &str, bold: bool, c: &Col| f.width(text, CELL, bold) <= c.width - 2.0 * PAD;
        assert!(fits(&Cents(99_999_999_999).to_string(), false, &COLS[4]));
        assert!(fits("30/12/2026 au 31/12/2026", false, &COLS[3]));
        for b in relais_core::records::Benefit::ALL {
            assert!(fits(b.label_fr(), false, &COLS[2]), "{b:?}");
        }
        assert!(fits("999999999999", false, &COLS[1]));
        assert_eq!(Row::header(&f).lines(), 1);
    }

    #[test]
    fn wrapping_breaks_lines_as_the_documents_do() {
        let f = fonts();
        let long = "W".repeat(120);
        let texts = [
            String::new(),
            "un".into(),
            "  deux   espaces\tet tabulation  ".into(),
            "Ce virement règle les sommes ci-dessous, versées pour le compte des personnes \
             nommées. Son libellé porte la référence EN-P2026-12-01-T0000123 de cet état."
                .into(),
            format!("court {long} court"),
            "ligne\n\nautre ligne".into(),
            "DE LA ROCHEFOUCAULD-MONTMORENCY Marie-Élisabeth Françoise".into(),
        ];
        for text in &texts {
            for (size, bold, max) in [
                (8.0, false, 138.28),
                (9.5, true, 403.28),
                (7.0, false, 30.0),
            ] {
                assert_eq!(
                    wrap(&f, text, size, bold, max),
                    crate::pdf::wrap_width(&f, text, size, bold, max),
                    "{text:?} at {size} in {max}"
                );
            }
        }
    }

    #[test]
    fn a_row_splits_with_its_amount_in_the_first_part() {
        let f = fonts();
        let name = "MOT ".repeat(200);
        let texts = [
            name,
            "D1".into(),
            "PCH".into(),
            String::new(),
            "12,00 €".into(),
        ];
        let row = Row::new(&f, texts, false);
        assert!(row.lines() > 10);
        let (first, rest) = row.split(3);
        assert_eq!(first.lines(), 3);
        assert_eq!(first.cells[4].lines, vec!["12,00 €".to_owned()]);
        let rest = rest.expect("rest");
        assert!(rest.cells[4].lines.is_empty());
        assert!(first.split(3).1.is_none());
    }
}
