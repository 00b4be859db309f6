//! The PDF writer of the bulk documents — a run's paper bordereau and its per-payee
//! statements, thousands of pages of text and rules: each page is written to the output as
//! soon as it is drawn, its content stream compressed at a fast level, so that memory does not
//! grow with the number of pages (what is kept is each object's offset, for the
//! cross-reference table, and each page's number, for the page tree). The two DejaVu faces are
//! embedded at the end, subsetted to the glyphs used (`font.rs`). Objects are written with
//! `pdf-writer`; the layout's drawing (`crate::page::pen`) calls [`StreamingPdf::text`],
//! [`StreamingPdf::rule`] and the like. Nothing depends on a clock or a random number: the
//! same pages give the same bytes.
//!
//! Nothing is written before the first page is finished, so that a document that fails while
//! its first page is laid out leaves its output empty.

mod content;
mod deflate;
mod font;

use crate::pdf::{Fonts, PAGE_H, PAGE_W};
use content::PageContent;
use deflate::{Deflater, PAGE_LEVEL};
use font::FontRefs;
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Settings, TextStr};
use std::io::Write;

/// Why a document could not be written.
#[derive(Debug)]
pub(crate) enum Failure {
    Io(std::io::Error),
    /// The PDF itself (a font that cannot be subsetted: a broken build, never the input).
    Pdf(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl From<String> for Failure {
    fn from(e: String) -> Failure {
        Failure::Pdf(e)
    }
}

/// A chunk for one object, written compactly (no indentation: smaller files).
fn new_chunk(capacity: usize) -> Chunk {
    Chunk::with_settings_and_capacity(Settings { pretty: false }, capacity)
}

const CATALOG: Ref = Ref::new(1);
const PAGE_TREE: Ref = Ref::new(2);
const INFO: Ref = Ref::new(3);
const OUTLINE: Ref = Ref::new(4);
/// The fonts' five objects each, then the pages' and the bookmarks'.
const REGULAR: i32 = 5;
const BOLD: i32 = 10;
const FIRST_FREE: i32 = 15;

/// A bookmark waiting for the next one (it names it).
struct Bookmark {
    id: Ref,
    title: String,
    dest: Ref,
    prev: Option<Ref>,
}

/// A PDF being written to `out`, page after page.
pub(crate) struct StreamingPdf<'w> {
    out: &'w mut dyn Write,
    /// Bytes written so far: where the next object starts.
    position: u64,
    title: String,
    fonts: &'static Fonts,
    /// The page being drawn, and the glyphs used.
    page: PageContent,
    /// The page's content stream, assembled (its buffer used again for each page).
    content: Vec<u8>,
    deflater: Deflater,
    /// Each object's offset, by number; 0 for one not written yet.
    offsets: Vec<u64>,
    next: i32,
    /// Each page's object, in order.
    kids: Vec<Ref>,
    /// The bookmarks: the first, the one waiting, how many.
    first_bookmark: Option<Ref>,
    bookmark: Option<Bookmark>,
    bookmarks: i32,
}

impl<'w> StreamingPdf<'w> {
    /// A document in French titled `title`, made by Relais, to be written to `out`.
    pub fn new(out: &'w mut dyn Write, fonts: &'static Fonts, title: String) -> StreamingPdf<'w> {
        StreamingPdf {
            out,
            position: 0,
            title,
            fonts,
            page: PageContent::new(
                fonts,
                FontRefs::starting_at(REGULAR),
                FontRefs::starting_at(BOLD),
            ),
            content: Vec::new(),
            deflater: Deflater::new(PAGE_LEVEL),
            offsets: Vec::new(),
            next: FIRST_FREE,
            kids: Vec::new(),
            first_bookmark: None,
            bookmark: None,
            bookmarks: 0,
        }
    }

    pub fn fonts(&self) -> &'static Fonts {
        self.fonts
    }

    /// The number of pages written.
    pub fn pages(&self) -> usize {
        self.kids.len()
    }

    /// `text` from `x`, on `baseline` (from the page's top), at `size` points.
    pub fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        if text.is_empty() {
            return;
        }
        self.page.text(x, baseline, text, size, bold);
    }

    /// A thin rule from `x0` to `x1` at `y`.
    pub fn rule(&mut self, x0: f32, x1: f32, y: f32) {
        self.page.rule(x0, x1, y);
    }

    /// A rectangle (its top left, its size) filled with gray `level` (0 black, 255 white).
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, level: u8) {
        self.page.fill(x, y, w, h, level);
    }

    /// A rectangle's outline in black, `width` points thick.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.page.frame(x, y, w, h, width);
    }

    fn new_ref(&mut self) -> Ref {
        let id = Ref::new(self.next);
        self.next += 1;
        id
    }

    /// Writes `chunk`, which holds the one object `id`.
    fn object(&mut self, id: Ref, chunk: &Chunk) -> Result<(), Failure> {
        if self.position == 0 {
            // The header, and a comment of bytes over 127: the file is binary.
            let header = b"%PDF-1.7\n%\x80\x80\x80\x80\n";
            self.out.write_all(header)?;
            self.position = header.len() as u64;
        }
        let n = usize::try_from(id.get()).map_err(|_| "objet".to_owned())?;
        if self.offsets.len() <= n {
            self.offsets.resize(n + 1, 0);
        }
        self.offsets[n] = self.position;
        self.out.write_all(chunk.as_bytes())?;
        self.position += chunk.len() as u64;
        Ok(())
    }

    /// Writes the page drawn since the last one.
    pub fn finish_page(&mut self) -> Result<(), Failure> {
        let (page_id, content_id) = (self.new_ref(), self.new_ref());
        self.page.take(&mut self.content);
        let mut chunk = new_chunk(self.content.len() / 3 + 128);
        chunk
            .stream(content_id, self.deflater.run(&self.content)?)
            .filter(Filter::FlateDecode);
        self.object(content_id, &chunk)?;

        let mut chunk = new_chunk(256);
        let mut page = chunk.page(page_id);
        page.parent(PAGE_TREE)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F0"), self.page.uses[0].refs.type0);
        fonts.pair(Name(b"F1"), self.page.uses[1].refs.type0);
        fonts.finish();
        resources.finish();
        page.finish();
        self.object(page_id, &chunk)?;
        self.kids.push(page_id);
        Ok(())
    }

    /// A bookmark titled `title` to the top of page `page` (from 0, written already).
    pub fn bookmark(&mut self, title: String, page: usize) -> Result<(), Failure> {
        let Some(&target) = self.kids.get(page) else {
            return Err(Failure::Pdf(format!(
                "signet vers la page {page} inexistante"
            )));
        };
        let (id, dest) = (self.new_ref(), self.new_ref());
        let mut chunk = new_chunk(256);
        chunk.destination(dest).page(target).xyz(0.0, PAGE_H, None);
        self.object(dest, &chunk)?;
        let prev = self.bookmark.as_ref().map(|b| b.id);
        if let Some(waiting) = self.bookmark.take() {
            self.write_bookmark(waiting, Some(id))?;
        }
        self.first_bookmark.get_or_insert(id);
        self.bookmarks += 1;
        self.bookmark = Some(Bookmark {
            id,
            title,
            dest,
            prev,
        });
        Ok(())
    }

    fn write_bookmark(&mut self, b: Bookmark, next: Option<Ref>) -> Result<(), Failure> {
        let mut chunk = new_chunk(256);
        let mut item = chunk.outline_item(b.id);
        item.title(TextStr(&b.title)).parent(OUTLINE);
        if let Some(prev) = b.prev {
            item.prev(prev);
        }
        if let Some(next) = next {
            item.next(next);
        }
        item.pair(Name(b"Dest"), b.dest);
        item.finish();
        self.object(b.id, &chunk)
    }

    /// The fonts, the page tree, the bookmarks, the document's information and catalog, and
    /// the cross-reference table: the document is complete.
    pub fn finish(mut self) -> Result<(), Failure> {
        for i in 0..self.page.uses.len() {
            let objects = self.page.uses[i].write(self.fonts, &mut self.deflater)?;
            for (id, chunk) in objects {
                self.object(id, &chunk)?;
            }
        }
        let mut chunk = new_chunk(256);
        let count = i32::try_from(self.kids.len()).map_err(|_| "pages".to_owned())?;
        chunk
            .pages(PAGE_TREE)
            .kids(self.kids.iter().copied())
            .count(count);
        self.object(PAGE_TREE, &chunk)?;

        let last = self.bookmark.as_ref().map(|b| b.id);
        if let Some(waiting) = self.bookmark.take() {
            self.write_bookmark(waiting, None)?;
        }
        // Written even when empty (not named by the catalog then): every object number
        // below the last is in use.
        let mut chunk = new_chunk(256);
        let mut outline = chunk.outline(OUTLINE);
        if let (Some(first), Some(last)) = (self.first_bookmark, last) {
            outline.first(first).last(last);
        }
        outline.count(self.bookmarks);
        outline.finish();
        self.object(OUTLINE, &chunk)?;

        let mut chunk = new_chunk(256);
        let mut info = chunk.indirect(INFO).dict();
        info.pair(Name(b"Title"), TextStr(&self.title));
        info.pair(Name(b"Creator"), TextStr("Relais"));
        info.finish();
        self.object(INFO, &chunk)?;

        let mut chunk = new_chunk(256);
        let mut catalog = chunk.indirect(CATALOG).dict();
        catalog.pair(Name(b"Type"), Name(b"Catalog"));
        catalog.pair(Name(b"Pages"), PAGE_TREE);
        if self.first_bookmark.is_some() {
            catalog.pair(Name(b"Outlines"), OUTLINE);
        }
        catalog.pair(Name(b"Lang"), TextStr("fr"));
        catalog
            .insert(Name(b"ViewerPreferences"))
            .dict()
            .pair(Name(b"DisplayDocTitle"), true);
        catalog.finish();
        self.object(CATALOG, &chunk)?;
        self.trailer()
    }

    /// The cross-reference table and the trailer.
    fn trailer(&mut self) -> Result<(), Failure> {
        let start = self.position;
        let size = self.offsets.len().max(1);
        let mut xref = Vec::with_capacity(32 + 20 * size);
        write!(xref, "xref\n0 {size}\n0000000000 65535 f\r\n")?;
        for offset in self.offsets.iter().skip(1) {
            if *offset == 0 {
                xref.extend_from_slice(b"0000000000 65535 f\r\n");
            } else {
                write!(xref, "{offset:010} 00000 n\r\n")?;
            }
        }
        write!(
            xref,
            "trailer\n<< /Size {size} /Root {} 0 R /Info {} 0 R >>\nstartxref\n{start}\n%%EOF\n",
            CATALOG.get(),
            INFO.get()
        )?;
        self.out.write_all(&xref)?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offset the cross-reference table gives each object, checked against where the
    /// object is: a reader repairs a wrong table silently, or not at all.
    fn check_xref(pdf: &[u8]) -> usize {
        let text = String::from_utf8_lossy(pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        let table = &pdf[start..];
        assert!(table.starts_with(b"xref\n0 "), "xref at {start}");
        let table = String::from_utf8_lossy(table);
        let mut lines = table.lines().skip(1);
        let size: usize = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|n| n.parse().ok())
            .expect("size");
        for (n, line) in lines.take(size).enumerate().skip(1) {
            // 20 bytes with its end of line, which `lines` drops.
            assert_eq!(line.len(), 18, "{line:?}");
            assert!(line.ends_with(" 00000 n"), "object {n} in use: {line:?}");
            let at: usize = line[..10].parse().expect("offset");
            let head = format!("{n} 0 obj\n");
            assert!(pdf[at..].starts_with(head.as_bytes()), "object {n} at {at}");
        }
        assert!(text.contains(&format!("/Size {size} ")));
        size
    }

    #[test]
    fn pages_are_written_as_they_are_finished_and_the_table_finds_every_object() {
        let fonts = Fonts::shared().expect("fonts");
        let mut out = Vec::new();
        let mut pdf = StreamingPdf::new(&mut out, fonts, "Essai — été".into());
        pdf.text(36.0, 60.0, "Élodie DURAND", 8.0, false);
        pdf.text(36.0, 72.0, "Total", 8.0, true);
        pdf.rule(36.0, 559.28, 80.0);
        pdf.fill(36.0, 90.0, 100.0, 12.0, 225);
        pdf.frame(36.0, 110.0, 100.0, 40.0, 0.8);
        pdf.finish_page().expect("page");
        assert!(pdf.position > 0, "the first page is out");
        pdf.text(36.0, 60.0, "page 2", 7.5, false);
        pdf.finish_page().expect("page");
        pdf.bookmark("Deuxième".into(), 1).expect("bookmark");
        assert!(pdf.bookmark("Nulle part".into(), 2).is_err());
        pdf.finish().expect("finish");
        assert!(out.starts_with(b"%PDF-1.7\n"));
        assert!(out.ends_with(b"%%EOF\n"));
        // Catalog, tree, info, outline, two fonts, two pages of two objects, a bookmark and
        // its destination.
        assert_eq!(check_xref(&out), 1 + 4 + 10 + 4 + 2);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("/Count 2"), "two pages");
        assert!(text.contains("/Identity-H") && text.contains("/ToUnicode"));
        assert!(text.contains("+DejaVuSans-Bold"), "the bold subset");
    }

    #[test]
    fn a_document_that_fails_before_its_first_page_writes_nothing() {
        let fonts = Fonts::shared().expect("fonts");
        let mut out = Vec::new();
        let mut pdf = StreamingPdf::new(&mut out, fonts, "Rien".into());
        pdf.text(36.0, 60.0, "jamais écrit", 8.0, false);
        drop(pdf);
        assert!(out.is_empty());
    }
}
