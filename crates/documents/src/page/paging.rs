//! Items laid out on pages, before anything is drawn. Every item is measured before it is
//! placed, so its height is known; a page breaks when the next item does not fit. A heading
//! and a table's header wait for what follows them ([`Flow::hold`]) and go with it to the next
//! page. In the middle of a list, the list says what closes a page (its total, the amount
//! carried over: room for these is kept under every row) and what opens the next (the header
//! again, the amount brought forward). An item taller than a whole page goes on over the next:
//! nothing is ever cut. Items given [`Flow::together`] are never split.

use super::Frame;
use crate::pdf::Fonts;

/// An item laid out: its height is known, and it may be split between pages.
pub(crate) trait Block: Sized {
    fn height(&self) -> f32;

    /// The item's first part holding at most `room` points, and the rest (`None` when it all
    /// fits); the item given back when not even its first line fits, or when it is not split.
    fn split(self, room: f32) -> Result<(Self, Option<Self>), Self>;
}

/// The list being laid out, for what a page break in its middle puts around it, and its
/// totals.
pub(crate) trait Listing {
    type Item: Block;
    /// What a row of the list adds to its totals.
    type Entry: ?Sized;
    type Error;

    /// What closes a page broken in the middle of the list, under its last row.
    fn foot(&self, fonts: &Fonts) -> Vec<Self::Item>;

    /// What opens the next page.
    fn head(&self, fonts: &Fonts) -> Vec<Self::Item>;

    /// A page was broken in the middle of the list: the next page's totals start.
    fn turned(&mut self);

    /// Counts `entry`, whose row was just placed (the part that holds its amount).
    fn count(&mut self, entry: &Self::Entry) -> Result<(), Self::Error>;
}

/// Receives each page's items, with where each starts, once the page is full.
pub(crate) trait PageSink<I, E> {
    fn page(&mut self, number: u32, items: &[(f32, I)]) -> Result<(), E>;
}

/// The first pass: pages are only counted.
pub(crate) struct Counter;

impl<I, E> PageSink<I, E> for Counter {
    fn page(&mut self, _: u32, _: &[(f32, I)]) -> Result<(), E> {
        Ok(())
    }
}

/// Lays items out on pages and hands each full page to its sink.
pub(crate) struct Flow<'s, L: Listing> {
    sink: &'s mut dyn PageSink<L::Item, L::Error>,
    fonts: &'s Fonts,
    frame: &'s Frame,
    items: Vec<(f32, L::Item)>,
    y: f32,
    page: u32,
    /// Whether the page holds anything but the frame of a list (its header, the amount
    /// brought forward): if not, breaking it would gain no room.
    content: bool,
    /// A heading and a table's header, waiting for what follows them.
    held: Vec<L::Item>,
    /// The list under way, and its totals.
    pub list: L,
}

impl<'s, L: Listing> Flow<'s, L> {
    pub fn new(
        sink: &'s mut dyn PageSink<L::Item, L::Error>,
        fonts: &'s Fonts,
        frame: &'s Frame,
        list: L,
    ) -> Flow<'s, L> {
        Flow {
            sink,
            fonts,
            frame,
            items: Vec::new(),
            y: frame.top(1),
            page: 1,
            content: false,
            held: Vec::new(),
            list,
        }
    }

    pub fn fonts(&self) -> &'s Fonts {
        self.fonts
    }

    /// The room left on this page.
    pub fn room(&self) -> f32 {
        self.frame.bottom - self.y
    }

    fn held_height(&self) -> f32 {
        self.held.iter().map(Block::height).sum()
    }

    /// Puts `item` here, whether it fits or not (room for it was kept).
    pub fn put(&mut self, item: L::Item) {
        let h = item.height();
        self.items.push((self.y, item));
        self.y += h;
    }

    fn put_held(&mut self) {
        for item in std::mem::take(&mut self.held) {
            self.put(item);
        }
    }

    /// Holds `item` (a heading, a table's header) until what follows it is placed.
    pub fn hold(&mut self, item: L::Item) {
        self.held.push(item);
    }

    fn next_page(&mut self) -> Result<(), L::Error> {
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
        top - self
            .list
            .head(self.fonts)
            .iter()
            .map(Block::height)
            .sum::<f32>()
    }

    /// A new page; in the middle of a list, what closes this page and opens the next.
    fn break_page(&mut self) -> Result<(), L::Error> {
        if !self.held.is_empty() {
            return self.next_page();
        }
        for item in self.list.foot(self.fonts) {
            self.put(item);
        }
        self.next_page()?;
        for item in self.list.head(self.fonts) {
            self.put(item);
        }
        self.list.turned();
        Ok(())
    }

    /// Places `item` with `reserve` points left under it (and what is held above it): on
    /// this page, or on the next, or, when no page can hold it, over as many as it takes.
    /// `entry` is counted with the part of the item that holds its amount (the first).
    pub fn place(
        &mut self,
        item: L::Item,
        reserve: f32,
        mut entry: Option<&L::Entry>,
    ) -> Result<(), L::Error> {
        let mut item = item;
        loop {
            let held = self.held_height();
            let need = held + item.height() + reserve;
            if need <= self.room() {
                return self.put_counted(item, entry);
            }
            if self.content && need <= self.room_after_break() {
                self.break_page()?;
                continue;
            }
            match item.split(self.room() - held - reserve) {
                Ok((first, rest)) => {
                    self.put_counted(first, entry.take())?;
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
                Err(whole) => return self.put_counted(whole, entry),
            }
        }
    }

    /// Puts what is held, then `item`, counting `entry`.
    fn put_counted(&mut self, item: L::Item, entry: Option<&L::Entry>) -> Result<(), L::Error> {
        if let Some(e) = entry {
            self.list.count(e)?;
        }
        self.put_held();
        self.put(item);
        self.content = true;
        Ok(())
    }

    /// Places `items` on one page (with what is held above them), this one or the next;
    /// gives them back when they are taller than a page. When they move to the next page in
    /// the middle of a list, what opens a page of the list goes with them.
    pub fn together(&mut self, items: Vec<L::Item>) -> Result<Option<Vec<L::Item>>, L::Error> {
        let h: f32 = self.held.iter().chain(&items).map(Block::height).sum();
        if h > self.room() {
            if h > self.room_after_break() {
                return Ok(Some(items));
            }
            self.break_page()?;
        }
        self.put_held();
        for item in items {
            self.put(item);
        }
        self.content = true;
        Ok(None)
    }

    /// Goes to a new page unless this one is still empty.
    pub fn new_page(&mut self) -> Result<(), L::Error> {
        if self.content {
            self.next_page()?;
        }
        Ok(())
    }

    /// Hands the last page over; the number of pages.
    pub fn finish(mut self) -> Result<u32, L::Error> {
        self.put_held();
        self.sink.page(self.page, &self.items)?;
        Ok(self.page)
    }
}
