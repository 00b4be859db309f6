//! The bordereau laid out on pages (`crate::page` breaks them): its texts, its tables, the
//! list of mandates — each page of which ends with its total and the amount carried over, room
//! for which is kept under every row — and the signatures. Every item is measured before it is
//! placed (texts wrapped to their width with the embedded font), so its height is known. A
//! table's header is repeated on every page it runs over. Nothing is ever cut.

use super::table::{MANDATES, mandate_row, mandates_total};
use crate::french::count_of;
use crate::page::Frame;
use crate::page::WIDTH;
use crate::page::paging::{self, Block, Listing, PageSink};
use crate::page::table::{Row, RowStyle, Sum, Table};
use crate::pdf::{Fonts, wrap_width};
use crate::run_report::{ReportError, add};
use relais_core::Cents;
use relais_core::run::MandateLine;

/// How a line of text looks: its size, and where its baselines are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TextStyle {
    pub size: f32,
    pub bold: bool,
    /// From the item's top to the first baseline.
    pub first: f32,
    /// From one baseline to the next.
    pub step: f32,
    /// Under the last baseline.
    pub after: f32,
}

pub(super) const SMALL: TextStyle = text_style(8.0, false, 9.0, 10.0, 3.0);
pub(super) const TITLE: TextStyle = text_style(13.0, true, 18.0, 16.0, 8.0);
pub(super) const LINE_TEXT: TextStyle = text_style(9.0, false, 10.0, 11.5, 3.0);
pub(super) const STRONG: TextStyle = text_style(9.0, true, 10.0, 11.5, 3.0);
pub(super) const HEADING: TextStyle = text_style(10.5, true, 17.0, 13.0, 5.0);

const fn text_style(size: f32, bold: bool, first: f32, step: f32, after: f32) -> TextStyle {
    TextStyle {
        size,
        bold,
        first,
        step,
        after,
    }
}

/// The two boxes where the preparer and the ordonnateur sign, their lines wrapped to the
/// box (bold or not).
#[derive(Debug, Clone)]
pub(super) struct Signatures {
    pub prepared: Vec<(String, bool)>,
    pub ordonnateur: Vec<(String, bool)>,
}

/// The gap between the two boxes, and the room under a box's last line to sign.
pub(super) const SIGN_GAP: f32 = 16.0;
pub(super) const SIGN_FIRST: f32 = 14.0;
pub(super) const SIGN_STEP: f32 = 13.0;
const SIGN_ROOM: f32 = 44.0;

impl Signatures {
    /// `prepared` and `ordonnateur` are the boxes' lines, the first `bold` of each in bold.
    pub fn new(fonts: &Fonts, prepared: &[String], ordonnateur: &[String]) -> Signatures {
        let room = Signatures::box_width() - 12.0;
        let lay = |lines: &[String], bold: usize| -> Vec<(String, bool)> {
            lines
                .iter()
                .enumerate()
                .flat_map(|(i, l)| {
                    wrap_width(fonts, l, 9.0, i < bold, room)
                        .into_iter()
                        .map(move |t| (t, i < bold))
                })
                .collect()
        };
        Signatures {
            prepared: lay(prepared, 1),
            ordonnateur: lay(ordonnateur, 2),
        }
    }

    pub fn box_width() -> f32 {
        (WIDTH - SIGN_GAP) / 2.0
    }

    pub fn box_height(&self) -> f32 {
        let lines = self.prepared.len().max(self.ordonnateur.len()).max(1);
        SIGN_FIRST + (lines - 1) as f32 * SIGN_STEP + SIGN_ROOM
    }
}

/// What the bordereau is made of, in order, laid out: each item's height is known.
#[derive(Debug, Clone)]
pub(super) enum Item {
    Text(Vec<String>, TextStyle),
    Gap(f32),
    Row(Row),
    Sum(Sum),
    Signatures(Signatures),
}

impl Item {
    /// A text wrapped to the page's width.
    pub fn text(fonts: &Fonts, text: &str, style: TextStyle) -> Item {
        Item::Text(
            wrap_width(fonts, text, style.size, style.bold, WIDTH),
            style,
        )
    }
}

impl Block for Item {
    fn height(&self) -> f32 {
        match self {
            Item::Text(lines, s) => {
                s.first + lines.len().saturating_sub(1) as f32 * s.step + s.after
            }
            Item::Gap(h) => *h,
            Item::Row(r) => r.height(),
            Item::Sum(s) => s.height(),
            Item::Signatures(s) => s.box_height() + 8.0,
        }
    }

    /// The item's first part holding at most `room` points, and the rest (`None` when it all
    /// fits); the item given back when not even its first line fits, or when it is not split.
    fn split(self, room: f32) -> Result<(Item, Option<Item>), Item> {
        match self {
            Item::Row(row) => match row.split_to(room) {
                Ok((first, rest)) => Ok((Item::Row(first), rest.map(Item::Row))),
                Err(row) => Err(Item::Row(row)),
            },
            Item::Text(mut lines, s) => {
                let n = ((room - s.first - s.after) / s.step).floor() + 1.0;
                if n < 1.0 {
                    return Err(Item::Text(lines, s));
                }
                let rest = lines.split_off((n as usize).min(lines.len()));
                let rest = (!rest.is_empty()).then_some(Item::Text(rest, s));
                Ok((Item::Text(lines, s), rest))
            }
            other => Err(other),
        }
    }
}

/// Mandates, lines and amount of part of the list.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Totals {
    pub mandates: u64,
    pub lines: u64,
    pub amount: Cents,
}

impl Totals {
    fn add(&mut self, m: &MandateLine) -> Result<(), ReportError> {
        self.mandates += 1;
        self.lines = self.lines.saturating_add(u64::from(m.lines));
        self.amount = add(self.amount, m.amount)?;
        Ok(())
    }

    fn sum(&self, fonts: &Fonts, label: &str) -> Sum {
        let label = format!("{label} : {}", count_of(self.mandates, "mandat", "mandats"));
        mandates_total(fonts, &label, self.lines, self.amount)
    }
}

/// The number of decimal digits of `n`.
fn digits(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |d| d + 1)
}

/// What the widths of a total's texts depend on when every digit is as wide as the others
/// (the font's tabular figures): how many digits each number has (and so its thousands
/// separators), whether there is one mandate (singular), the amount's sign. Totals of one
/// shape have the same height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    mandates: u32,
    one: bool,
    lines: u32,
    amount: u32,
    negative: bool,
}

impl Shape {
    fn of(t: &Totals) -> Shape {
        Shape {
            mandates: digits(t.mandates),
            one: t.mandates == 1,
            lines: digits(t.lines),
            amount: digits(t.amount.0.unsigned_abs()),
            negative: t.amount.0 < 0,
        }
    }
}

/// Whether the bold digits, which the totals are set in, are all as wide.
fn tabular(fonts: &Fonts) -> bool {
    let zero = fonts.glyph('0', true).1;
    ('1'..='9').all(|d| fonts.glyph(d, true).1.to_bits() == zero.to_bits())
}

/// What is being listed, for what a page break repeats.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Text,
    Table(&'static Table),
    Mandates,
}

/// The list under way, and the totals of the mandates: of the page, and of all so far.
#[derive(Debug)]
pub(super) struct List {
    mode: Mode,
    page: Totals,
    pub totals: Totals,
    /// The room kept under the last row for the totals, and the shapes of the totals it was
    /// measured for: measured again only when a number gains a digit (three totals laid out
    /// for each of 400,000 rows, twice, were a fifth of a national bordereau's time).
    reserve: Option<(Shape, Shape, f32)>,
    /// Whether totals of one shape have the same height (see [`Shape`]).
    tabular: bool,
}

impl Listing for List {
    type Item = Item;
    type Entry = MandateLine;
    type Error = ReportError;

    fn foot(&self, fonts: &Fonts) -> Vec<Item> {
        match self.mode {
            Mode::Text | Mode::Table(_) => Vec::new(),
            Mode::Mandates => vec![
                Item::Sum(self.page.sum(fonts, "Total de la page")),
                Item::Sum(self.totals.sum(fonts, "À reporter")),
            ],
        }
    }

    fn head(&self, fonts: &Fonts) -> Vec<Item> {
        match self.mode {
            Mode::Text => Vec::new(),
            Mode::Table(t) => vec![Item::Row(Row::header(fonts, t))],
            Mode::Mandates => vec![
                Item::Row(Row::header(fonts, &MANDATES)),
                Item::Sum(self.totals.sum(fonts, "Report")),
            ],
        }
    }

    fn turned(&mut self) {
        if let Mode::Mandates = self.mode {
            self.page = Totals::default();
        }
    }

    fn count(&mut self, m: &MandateLine) -> Result<(), ReportError> {
        self.page.add(m)?;
        self.totals.add(m)
    }
}

/// Lays the bordereau out on pages and hands each full page to its sink.
pub(super) type Flow<'s> = paging::Flow<'s, List>;

/// A flow from the first page.
pub(super) fn new_flow<'s>(
    sink: &'s mut dyn PageSink<Item, ReportError>,
    fonts: &'s Fonts,
    frame: &'s Frame,
) -> Flow<'s> {
    let list = List {
        mode: Mode::Text,
        page: Totals::default(),
        totals: Totals::default(),
        reserve: None,
        tabular: tabular(fonts),
    };
    Flow::new(sink, fonts, frame, list)
}

/// The room the totals under the mandates take, measured.
fn measure_sums(f: &Fonts, page: &Totals, all: &Totals) -> f32 {
    let carried = all.sum(f, "À reporter").height();
    let last = all.sum(f, "Total général").height();
    page.sum(f, "Total de la page").height() + carried.max(last)
}

impl Flow<'_> {
    /// A text, after any list.
    pub fn text(&mut self, text: &str, style: TextStyle) -> Result<(), ReportError> {
        self.list.mode = Mode::Text;
        let item = Item::text(self.fonts(), text, style);
        self.place(item, 0.0, None)
    }

    /// A heading: it waits for what follows it.
    pub fn heading(&mut self, text: &str) {
        let item = Item::text(self.fonts(), text, HEADING);
        self.hold(item);
    }

    /// A table's header: it waits for the table's first row, and is repeated on every page
    /// the table runs over.
    pub fn header(&mut self, table: &'static Table) {
        self.list.mode = Mode::Table(table);
        self.hold(Item::Row(Row::header(self.fonts(), table)));
    }

    /// The list of mandates' header: the same, and each page of the list closed by its
    /// totals.
    pub fn mandates_header(&mut self) {
        self.list.mode = Mode::Mandates;
        self.hold(Item::Row(Row::header(self.fonts(), &MANDATES)));
    }

    pub fn row(&mut self, row: Row) -> Result<(), ReportError> {
        self.place(Item::Row(row), 0.0, None)
    }

    /// The room the totals under the mandates take, for the counts and amount of `page` and
    /// `all`.
    fn sums_height(&mut self, page: &Totals, all: &Totals) -> f32 {
        let shapes = (Shape::of(page), Shape::of(all));
        if let Some((p, a, h)) = self.list.reserve
            && self.list.tabular
            && (p, a) == shapes
        {
            return h;
        }
        let h = measure_sums(self.fonts(), page, all);
        self.list.reserve = Some((shapes.0, shapes.1, h));
        h
    }

    /// A mandate of the list, with room kept under it for the totals that close the page.
    pub fn mandate(&mut self, m: &MandateLine) -> Result<(), ReportError> {
        let (mut page, mut all) = (self.list.page, self.list.totals);
        page.add(m)?;
        all.add(m)?;
        let reserve = self.sums_height(&page, &all);
        let row = mandate_row(self.fonts(), m);
        self.place(Item::Row(row), reserve, Some(m))
    }

    /// Closes the list of mandates: the last page's total when the list ran over several
    /// pages, then the grand total (room for both was kept under every row).
    pub fn end_mandates(&mut self) -> Result<(), ReportError> {
        let List { page, totals, .. } = self.list;
        let f = self.fonts();
        if totals.mandates == 0 {
            let texts = ["", "", "", "Aucun mandat."];
            let row = Row::new(f, &MANDATES, texts, RowStyle::Plain);
            let reserve = self.sums_height(&page, &totals);
            self.place(Item::Row(row), reserve, None)?;
        } else if totals.mandates > page.mandates {
            self.put(Item::Sum(page.sum(f, "Total de la page")));
        }
        self.put(Item::Sum(totals.sum(f, "Total général")));
        self.list.mode = Mode::Text;
        Ok(())
    }

    /// Places `item` where it fits, in the list under way (a table's rows).
    pub fn place_item(&mut self, item: Item) -> Result<(), ReportError> {
        self.place(item, 0.0, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Totals of one shape measure the same: the room kept is measured once per shape.
    #[test]
    fn totals_of_one_shape_have_one_height() {
        let fonts = Fonts::load().expect("fonts");
        assert!(tabular(&fonts), "DejaVu's digits are tabular");
        let numbers = [
            0u64,
            1,
            2,
            9,
            10,
            11,
            99,
            100,
            999,
            1_000,
            7_777,
            99_999,
            123_456,
            999_999,
            1_000_000,
            44_444_444,
            9_999_999_999,
            u64::MAX / 3,
            u64::MAX,
        ];
        let mut seen: Vec<(Shape, Shape, f32)> = Vec::new();
        for (i, &m) in numbers.iter().enumerate() {
            for (j, &l) in numbers.iter().enumerate() {
                let cents = i64::try_from(numbers[(i + j) % numbers.len()] / 2).expect("i64");
                for amount in [Cents(cents), Cents(-cents)] {
                    let all = Totals {
                        mandates: m,
                        lines: l,
                        amount,
                    };
                    let page = Totals {
                        mandates: numbers[j],
                        lines: numbers[i],
                        amount,
                    };
                    let h = measure_sums(&fonts, &page, &all);
                    let shapes = (Shape::of(&page), Shape::of(&all));
                    for (p, a, seen_h) in &seen {
                        if (*p, *a) == shapes {
                            assert_eq!(h.to_bits(), seen_h.to_bits(), "{page:?} {all:?}");
                        }
                    }
                    seen.push((shapes.0, shapes.1, h));
                }
            }
        }
        assert_eq!(seen.len(), 2 * numbers.len() * numbers.len());
    }
}
