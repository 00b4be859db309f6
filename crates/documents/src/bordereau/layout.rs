//! The bordereau laid out on pages. Every item is measured before it is placed (texts wrapped
//! to their width with the embedded font), so its height is known; a page breaks when the next
//! item does not fit. A heading and a table's header wait for the first row under them and go
//! with it to the next page; a table's header is repeated on every page it runs over; under
//! the mandates, each page ends with its total and the amount carried over, room for which is
//! kept under every row. A row taller than a whole page (a name of hundreds of words) goes on
//! over the next: nothing is ever cut. Items given [`Flow::together`] are never split.

use super::WIDTH;
use super::table::{LINE, Row, RowStyle, Sum, Table};
use crate::french::count_of;
use crate::pdf::{Fonts, PAGE_H, wrap_width};
use crate::run_report::{ReportError, add};
use relais_core::Cents;
use relais_core::run::MandateLine;

/// Where the running header and the footer are, and so where the flow of items starts and
/// ends on each page: both are wrapped (a long name of the authority takes more lines).
pub(super) struct Frame {
    /// The running header of the pages after the first, at 7 pt.
    pub running: Vec<String>,
    /// The footer's text, left of the page number, at 7.5 pt.
    pub footer: Vec<String>,
    top_first: f32,
    top_next: f32,
    pub bottom: f32,
}

/// The running header's first baseline and its lines' height.
pub(super) const RUNNING_Y: f32 = 30.0;
pub(super) const RUNNING_STEP: f32 = 8.5;
/// The footer's last baseline and its lines' height.
pub(super) const FOOTER_Y: f32 = PAGE_H - 26.0;
pub(super) const FOOTER_STEP: f32 = 9.0;
const TOP: f32 = 46.0;
const BOTTOM: f32 = PAGE_H - 46.0;

impl Frame {
    pub fn new(fonts: &Fonts, running: &str, footer: &str) -> Frame {
        let running = wrap_width(fonts, running, 7.0, false, WIDTH);
        // Room for the widest page number there can be, right of the footer's text.
        let number = format!("page {} / {}", u32::MAX, u32::MAX);
        let room = WIDTH - fonts.width(&number, 7.5, false) - 12.0;
        let footer = wrap_width(fonts, footer, 7.5, false, room);
        let more = |lines: &[String], step: f32| lines.len().saturating_sub(1) as f32 * step;
        Frame {
            top_first: TOP,
            top_next: TOP + more(&running, RUNNING_STEP),
            bottom: BOTTOM - more(&footer, FOOTER_STEP),
            running,
            footer,
        }
    }

    pub fn top(&self, page: u32) -> f32 {
        if page > 1 {
            self.top_next
        } else {
            self.top_first
        }
    }
}

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

    pub fn height(&self) -> f32 {
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
            Item::Row(row) => {
                let n = ((room - 2.0 * row.vpad()) / LINE).floor();
                if n < 1.0 {
                    return Err(Item::Row(row));
                }
                let (first, rest) = row.split(n as usize);
                Ok((Item::Row(first), rest.map(Item::Row)))
            }
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

    fn sum(&self, fonts: &Fonts, label: &str) -> Item {
        let label = format!("{label} : {}", count_of(self.mandates, "mandat", "mandats"));
        Item::Sum(Sum::new(fonts, &label, self.lines, self.amount))
    }
}

/// Receives each page's items once the page is full.
pub(super) trait PageSink {
    fn page(&mut self, number: u32, items: &[Item]) -> Result<(), ReportError>;
}

/// The first pass: pages are only counted.
pub(super) struct Counter;

impl PageSink for Counter {
    fn page(&mut self, _: u32, _: &[Item]) -> Result<(), ReportError> {
        Ok(())
    }
}

/// What is being listed, for what a page break repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    Text,
    Table(Table),
    Mandates,
}

/// Lays items out on pages and hands each full page to its sink.
pub(super) struct Flow<'s> {
    sink: &'s mut dyn PageSink,
    fonts: &'s Fonts,
    frame: &'s Frame,
    items: Vec<Item>,
    y: f32,
    page: u32,
    /// Whether the page holds anything but the frame of a table (its header, the amount
    /// carried over): if not, breaking it would gain no room.
    content: bool,
    /// A heading and a table's header, waiting for the first row under them.
    held: Vec<Item>,
    listing: Listing,
    page_totals: Totals,
    pub totals: Totals,
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
            listing: Listing::Text,
            page_totals: Totals::default(),
            totals: Totals::default(),
        }
    }

    pub fn fonts(&self) -> &'s Fonts {
        self.fonts
    }

    fn room(&self) -> f32 {
        self.frame.bottom - self.y
    }

    fn put(&mut self, item: Item) {
        self.y += item.height();
        self.items.push(item);
    }

    fn next_page(&mut self) -> Result<(), ReportError> {
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
        if !self.held.is_empty() {
            return top;
        }
        match self.listing {
            Listing::Text => top,
            Listing::Table(t) => top - Row::header(self.fonts, t).height(),
            Listing::Mandates => {
                top - Row::header(self.fonts, Table::Mandates).height()
                    - self.totals.sum(self.fonts, "Report").height()
            }
        }
    }

    /// Breaks the page in the middle of a list: under the mandates, the page's total and the
    /// amount carried over (room for them was kept), and on the new page the header again
    /// (and the amount brought forward).
    fn break_page(&mut self) -> Result<(), ReportError> {
        if !self.held.is_empty() {
            return self.next_page();
        }
        match self.listing {
            Listing::Text => self.next_page(),
            Listing::Table(t) => {
                self.next_page()?;
                self.put(Item::Row(Row::header(self.fonts, t)));
                Ok(())
            }
            Listing::Mandates => {
                self.put(self.page_totals.sum(self.fonts, "Total de la page"));
                self.put(self.totals.sum(self.fonts, "À reporter"));
                self.next_page()?;
                self.put(Item::Row(Row::header(self.fonts, Table::Mandates)));
                self.put(self.totals.sum(self.fonts, "Report"));
                self.page_totals = Totals::default();
                Ok(())
            }
        }
    }

    /// Places `item` with `reserve` points left under it (and what is held above it): on
    /// this page, or on the next, or, when no page can hold it, over as many as it takes.
    /// `mandate` is counted with the part of its row that holds its amount (the first).
    fn place(
        &mut self,
        item: Item,
        reserve: f32,
        mut mandate: Option<&MandateLine>,
    ) -> Result<(), ReportError> {
        let mut item = item;
        loop {
            let held: f32 = self.held.iter().map(Item::height).sum();
            let need = held + item.height() + reserve;
            if need <= self.room() {
                self.put_counted(item, mandate)?;
                return Ok(());
            }
            if self.content && need <= self.room_after_break() {
                self.break_page()?;
                continue;
            }
            match item.split(self.room() - held - reserve) {
                Ok((first, rest)) => {
                    self.put_counted(first, mandate.take())?;
                    match rest {
                        Some(rest) => item = rest,
                        None => return Ok(()),
                    }
                    self.break_page()?;
                }
                // Not a line of it fits here: on the next page; or, on a page that has
                // nothing else, as it is (never a loop, whatever the input).
                Err(whole) if self.content => {
                    item = whole;
                    self.break_page()?;
                }
                Err(whole) => {
                    self.put_counted(whole, mandate)?;
                    return Ok(());
                }
            }
        }
    }

    /// Puts what is held, then `item`, counting `mandate`.
    fn put_counted(
        &mut self,
        item: Item,
        mandate: Option<&MandateLine>,
    ) -> Result<(), ReportError> {
        for held in std::mem::take(&mut self.held) {
            self.put(held);
        }
        self.put(item);
        self.content = true;
        if let Some(m) = mandate {
            self.page_totals.add(m)?;
            self.totals.add(m)?;
        }
        Ok(())
    }

    /// A text, after any list.
    pub fn text(&mut self, text: &str, style: TextStyle) -> Result<(), ReportError> {
        self.listing = Listing::Text;
        let item = Item::text(self.fonts, text, style);
        self.place(item, 0.0, None)
    }

    /// A heading: it waits for what follows it.
    pub fn heading(&mut self, text: &str) {
        self.held.push(Item::text(self.fonts, text, HEADING));
    }

    /// A table's header: it waits for the table's first row, and is repeated on every page
    /// the table runs over.
    pub fn header(&mut self, table: Table) {
        self.listing = if table == Table::Mandates {
            Listing::Mandates
        } else {
            Listing::Table(table)
        };
        self.held.push(Item::Row(Row::header(self.fonts, table)));
    }

    pub fn row(&mut self, row: Row) -> Result<(), ReportError> {
        self.place(Item::Row(row), 0.0, None)
    }

    /// The room a total under the mandates takes, for the counts and amount of `totals`.
    fn sums_height(&self, page: &Totals, all: &Totals) -> f32 {
        let f = self.fonts;
        let carried = all.sum(f, "À reporter").height();
        let last = all.sum(f, "Total général").height();
        page.sum(f, "Total de la page").height() + carried.max(last)
    }

    /// A mandate of the list, with room kept under it for the totals that close the page.
    pub fn mandate(&mut self, m: &MandateLine) -> Result<(), ReportError> {
        let (mut page, mut all) = (self.page_totals, self.totals);
        page.add(m)?;
        all.add(m)?;
        let reserve = self.sums_height(&page, &all);
        let row = Row::mandate(self.fonts, m);
        self.place(Item::Row(row), reserve, Some(m))
    }

    /// Closes the list of mandates: the last page's total when the list ran over several
    /// pages, then the grand total (room for both was kept under every row).
    pub fn end_mandates(&mut self) -> Result<(), ReportError> {
        if self.totals.mandates == 0 {
            let row = Row::new(
                self.fonts,
                Table::Mandates,
                &["", "", "", "Aucun mandat."],
                RowStyle::Plain,
            );
            let reserve = self.sums_height(&self.page_totals, &self.totals);
            self.place(Item::Row(row), reserve, None)?;
        } else if self.totals.mandates > self.page_totals.mandates {
            self.put(self.page_totals.sum(self.fonts, "Total de la page"));
        }
        self.put(self.totals.sum(self.fonts, "Total général"));
        self.listing = Listing::Text;
        Ok(())
    }

    /// Places `items` on one page (with what is held above them), this one or the next;
    /// gives them back when they are taller than a page. When they move to the next page in
    /// the middle of a table, its header goes with them.
    pub fn together(&mut self, items: Vec<Item>) -> Result<Option<Vec<Item>>, ReportError> {
        let h: f32 = self.held.iter().chain(&items).map(Item::height).sum();
        if h > self.room() {
            if h > self.room_after_break() {
                return Ok(Some(items));
            }
            self.break_page()?;
        }
        for item in std::mem::take(&mut self.held).into_iter().chain(items) {
            self.put(item);
        }
        self.content = true;
        Ok(None)
    }

    /// Places `item` where it fits, in the list under way (a table's rows).
    pub fn place_item(&mut self, item: Item) -> Result<(), ReportError> {
        self.place(item, 0.0, None)
    }

    /// Goes to a new page unless this one is still empty.
    pub fn new_page(&mut self) -> Result<(), ReportError> {
        if self.content {
            self.next_page()?;
        }
        Ok(())
    }

    /// Hands the last page over; the number of pages.
    pub fn finish(mut self) -> Result<u32, ReportError> {
        for held in std::mem::take(&mut self.held) {
            self.put(held);
        }
        self.sink.page(self.page, &self.items)?;
        Ok(self.page)
    }
}
