//! A4 documents that are a flow of text blocks (titles, labelled fields, paragraphs, big
//! lines for a poster): laid out into pages first, each text wrapped to its measured width,
//! then drawn with "page n / N" at the foot. The crisis cell's documents use it.

use crate::pdf::{Fonts, PAGE_H, PAGE_W, a4, finish, french_document, wrap_width as wrap};
use crate::receipt::DocumentError;
use krilla::geom::Point;
use std::io::Write;

const MARGIN: f32 = 48.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = 56.0;
const BOTTOM: f32 = PAGE_H - 52.0;
/// Where field values start, right of their labels.
const VALUE_X: f32 = 170.0;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Small(String),
    Title(String),
    Heading(String),
    /// Label and value.
    Field(String, String),
    Text(String),
    /// Bold text.
    Strong(String),
    /// A text at `size` points, bold, for a poster.
    Big(String, f32),
    Gap(f32),
}

/// A line ready to draw: where (from the page's top left), what, how.
pub(crate) struct Placed {
    pub x: f32,
    pub y: f32,
    pub text: String,
    pub size: f32,
    pub bold: bool,
}

/// Where the footer goes, from the page's top left.
pub(crate) const FOOTER: (f32, f32) = (MARGIN, PAGE_H - 30.0);

/// `blocks` laid out into pages of placed lines (measured with the embedded fonts).
pub(crate) fn layout(fonts: &Fonts, blocks: &[Block]) -> Vec<Vec<Placed>> {
    let mut layout = Layout {
        fonts,
        pages: Vec::new(),
        y: TOP,
    };
    layout.new_page();
    for block in blocks {
        layout.block(block);
    }
    layout.pages
}

/// The footer of page `i` (from 0) of `total`.
pub(crate) fn footer_text(fonts: &Fonts, footer: &str, i: usize, total: usize) -> String {
    format!(
        "{} — page {} / {total}",
        fonts.fit(footer, 7.0, false, WIDTH - 60.0),
        i + 1
    )
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Placed>>,
    y: f32,
}

impl Layout<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Places `lines` from `x`, each `size * 1.3` high, going to a new page when one is full.
    fn lines(&mut self, x: f32, lines: Vec<String>, size: f32, bold: bool) {
        let step = size * 1.3;
        for text in lines {
            if self.y + step > BOTTOM {
                self.new_page();
            }
            self.y += step;
            let y = self.y - size * 0.3;
            if let Some(page) = self.pages.last_mut() {
                page.push(Placed {
                    x,
                    y,
                    text,
                    size,
                    bold,
                });
            }
        }
    }

    fn block(&mut self, block: &Block) {
        let f = self.fonts;
        let para = |text: &str, size: f32, bold: bool, x: f32| {
            wrap(f, text, size, bold, PAGE_W - MARGIN - x)
        };
        match block {
            Block::Small(t) => self.lines(MARGIN, para(t, 7.5, false, MARGIN), 7.5, false),
            Block::Title(t) => {
                self.y += 6.0;
                self.lines(MARGIN, para(t, 15.0, true, MARGIN), 15.0, true);
                self.y += 8.0;
            }
            Block::Heading(t) => {
                if self.y + 40.0 > BOTTOM {
                    self.new_page();
                }
                self.y += 8.0;
                self.lines(MARGIN, para(t, 11.5, true, MARGIN), 11.5, true);
                self.y += 2.0;
            }
            Block::Field(label, value) => {
                let value = para(value, 9.5, false, MARGIN + VALUE_X);
                if self.y + 9.5 * 1.3 * value.len().min(3) as f32 > BOTTOM {
                    self.new_page();
                }
                let top = self.y;
                let label = wrap(f, &format!("{label} :"), 9.5, true, VALUE_X - 8.0);
                self.lines(MARGIN, label, 9.5, true);
                let label_end = self.y;
                self.y = top;
                self.lines(MARGIN + VALUE_X, value, 9.5, false);
                self.y = self.y.max(label_end);
            }
            Block::Text(t) => self.lines(MARGIN, para(t, 9.5, false, MARGIN), 9.5, false),
            Block::Strong(t) => self.lines(MARGIN, para(t, 9.5, true, MARGIN), 9.5, true),
            Block::Big(t, size) => self.lines(MARGIN, para(t, *size, true, MARGIN), *size, true),
            Block::Gap(h) => self.y += h,
        }
    }
}

/// Writes `blocks` as an A4 PDF titled `title`, with `footer` and the page number at the foot
/// of every page.
pub(crate) fn write_flow_pdf(
    title: &str,
    footer: &str,
    blocks: &[Block],
    out: &mut dyn Write,
) -> Result<(), DocumentError> {
    let fonts = Fonts::shared().ok_or(DocumentError::Font)?;
    let pages = layout(fonts, blocks);
    let total = pages.len();
    let mut document = french_document(title.to_owned());
    for (i, placed) in pages.iter().enumerate() {
        let settings = a4().ok_or_else(|| DocumentError::Pdf("page".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for p in placed {
            fonts.draw(
                &mut surface,
                Point::from_xy(p.x, p.y),
                &p.text,
                p.size,
                p.bold,
            );
        }
        let foot = footer_text(fonts, footer, i, total);
        fonts.draw(
            &mut surface,
            Point::from_xy(FOOTER.0, FOOTER.1),
            &foot,
            7.0,
            false,
        );
        surface.finish();
        page.finish();
    }
    let bytes = finish(document).map_err(DocumentError::Pdf)?;
    out.write_all(&bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let fonts = Fonts::load().expect("fonts");
        let text = "Décision de couper les liaisons avec la paierie départementale jusqu'à nouvel ordre\nSuite";
        let lines = wrap(&fonts, text, 9.5, false, 150.0);
        assert!(
            lines.iter().all(|l| fonts.width(l, 9.5, false) <= 150.0),
            "{lines:?}"
        );
        assert_eq!(lines.last().map(String::as_str), Some("Suite"));
        assert_eq!(lines.join(" ").replace("  ", " "), text.replace('\n', " "));
        let hash = "0123456789abcdef".repeat(4);
        let broken = wrap(&fonts, &format!("empreinte {hash}"), 9.5, false, 120.0);
        assert!(
            broken.iter().all(|l| fonts.width(l, 9.5, false) <= 120.0),
            "{broken:?}"
        );
        assert_eq!(broken.concat(), format!("empreinte{hash}"));
    }

    #[test]
    fn a_long_flow_makes_several_pages() {
        let blocks: Vec<Block> = (0..200)
            .map(|i| Block::Text(format!("ligne {i}")))
            .collect();
        let mut out = Vec::new();
        write_flow_pdf("essai", "pied", &blocks, &mut out).expect("pdf");
        assert!(out.starts_with(b"%PDF"));
    }
}
