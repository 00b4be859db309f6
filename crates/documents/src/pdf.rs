//! What the PDF documents share: A4 pages, the embedded DejaVu Sans fonts (committed with
//! their licence in `fonts/`, so accents render and nothing is read from the system), the
//! width of a text in those fonts, and line wrapping.

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use std::borrow::Cow;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A4 in PDF points (1/72 in).
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;

/// The two faces of the documents, for krilla to draw and for us to measure.
pub(crate) struct Fonts {
    pub regular: Font,
    pub bold: Font,
    regular_face: ttf_parser::Face<'static>,
    bold_face: ttf_parser::Face<'static>,
    /// (glyph, advance in em) of the characters of [`CACHED`] and [`PUNCTUATION`], per face: a
    /// bordereau looks up millions of characters, nearly all of them Latin, and the euro sign
    /// of every amount.
    regular_cache: Vec<(u16, f32)>,
    bold_cache: Vec<(u16, f32)>,
}

/// Characters up to Latin Extended-A (U+017F: Œ, œ…) are looked up once…
const CACHED: u32 = 0x180;
/// …and General Punctuation and the currency symbols (— … ’ €).
const PUNCTUATION: std::ops::Range<u32> = 0x2000..0x20C0;

/// Where `u` is in the cache.
fn cache_index(u: u32) -> Option<usize> {
    let i = if u < CACHED {
        u
    } else if PUNCTUATION.contains(&u) {
        CACHED + u - PUNCTUATION.start
    } else {
        return None;
    };
    usize::try_from(i).ok()
}

fn lookup(face: &ttf_parser::Face<'_>, c: char) -> (u16, f32) {
    let glyph = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
    let advance = f32::from(face.glyph_hor_advance(glyph).unwrap_or(0));
    (glyph.0, advance / f32::from(face.units_per_em().max(1)))
}

fn cache(face: &ttf_parser::Face<'_>) -> Vec<(u16, f32)> {
    (0..CACHED)
        .chain(PUNCTUATION)
        .map(|u| char::from_u32(u).map_or((0, 0.0), |c| lookup(face, c)))
        .collect()
}

impl Fonts {
    /// The fonts, read once per process (parsing them and caching their Latin glyphs is a
    /// good part of a receipt's time). `None` when an embedded font cannot be read (a broken
    /// build, never the input).
    pub fn shared() -> Option<&'static Fonts> {
        static FONTS: std::sync::OnceLock<Option<Fonts>> = std::sync::OnceLock::new();
        FONTS.get_or_init(Fonts::load).as_ref()
    }

    /// The fonts, read now (see [`Fonts::shared`]).
    pub fn load() -> Option<Fonts> {
        let regular_face = ttf_parser::Face::parse(REGULAR, 0).ok()?;
        let bold_face = ttf_parser::Face::parse(BOLD, 0).ok()?;
        Some(Fonts {
            regular: Font::new(REGULAR.into(), 0)?,
            bold: Font::new(BOLD.into(), 0)?,
            regular_cache: cache(&regular_face),
            bold_cache: cache(&bold_face),
            regular_face,
            bold_face,
        })
    }

    pub fn font(&self, bold: bool) -> &Font {
        if bold { &self.bold } else { &self.regular }
    }

    /// The face's file, as embedded, and its parsed tables (for writers other than krilla).
    pub(crate) fn face(&self, bold: bool) -> (&'static [u8], &ttf_parser::Face<'static>) {
        if bold {
            (BOLD, &self.bold_face)
        } else {
            (REGULAR, &self.regular_face)
        }
    }

    /// The glyph of `c` and its advance in em.
    pub(crate) fn glyph(&self, c: char, bold: bool) -> (u16, f32) {
        let (face, cache) = if bold {
            (&self.bold_face, &self.bold_cache)
        } else {
            (&self.regular_face, &self.regular_cache)
        };
        let cached = cache_index(u32::from(c)).and_then(|i| cache.get(i));
        match cached {
            Some(g) => *g,
            None => lookup(face, c),
        }
    }

    /// The advance width of `text` at `size` points, as [`Fonts::draw`] sets it.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        text.chars().map(|c| self.glyph(c, bold).1).sum::<f32>() * size
    }

    /// Draws `text` from `start` (on its baseline), one glyph per character, no kerning.
    ///
    /// Tables of thousands of rows are drawn this way rather than with krilla's `draw_text`,
    /// which parses the font and shapes every string again (most of the time of a large
    /// bordereau); French text needs no shaping beyond the font's precomposed letters, and
    /// the width drawn is exactly the width [`Fonts::width`] measured (right-aligned amounts).
    pub fn draw(&self, surface: &mut Surface<'_>, start: Point, text: &str, size: f32, bold: bool) {
        let glyphs: Vec<KrillaGlyph> = text
            .char_indices()
            .map(|(i, c)| {
                let (id, advance) = self.glyph(c, bold);
                KrillaGlyph::new(
                    GlyphId::new(u32::from(id)),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect();
        surface.draw_glyphs(start, &glyphs, self.font(bold).clone(), text, size, false);
    }

    /// `text` as is when it fits in `max` points, else cut and ended with `…`.
    pub fn fit<'t>(&self, text: &'t str, size: f32, bold: bool, max: f32) -> Cow<'t, str> {
        if self.width(text, size, bold) <= max {
            return Cow::Borrowed(text);
        }
        let room = max - self.width("…", size, bold);
        let mut used = 0.0;
        let mut end = 0;
        for (i, c) in text.char_indices() {
            let mut buf = [0u8; 4];
            used += self.width(c.encode_utf8(&mut buf), size, bold);
            if used > room {
                break;
            }
            end = i + c.len_utf8();
        }
        Cow::Owned(format!("{}…", text.get(..end).unwrap_or("").trim_end()))
    }
}

/// An empty PDF in French titled `title`, made by Relais.
pub(crate) fn french_document(title: String) -> krilla::Document {
    french_document_with(title, true)
}

/// The same, with streams compressed or not: a one-page receipt is written twice as fast
/// uncompressed (it is printed at the counter while the person waits), for some more bytes.
pub(crate) fn french_document_with(title: String, compress: bool) -> krilla::Document {
    let mut document = krilla::Document::new_with(krilla::SerializeSettings {
        compress_content_streams: compress,
        ..krilla::SerializeSettings::default()
    });
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title)
            .language("fr".into())
            .creator("Relais".into()),
    );
    document
}

/// An A4 page's settings (`None` only if A4 were not a valid size).
pub(crate) fn a4() -> Option<krilla::page::PageSettings> {
    krilla::page::PageSettings::from_wh(PAGE_W, PAGE_H)
}

/// The finished document's bytes, or why not (for the caller's error type).
pub(crate) fn finish(document: krilla::Document) -> Result<Vec<u8>, String> {
    document.finish().map_err(|e| format!("{e:?}"))
}

/// Splits `text` into lines at most `max` points wide at `size`; a word longer than a line
/// (a hash, an address) is broken across lines, never cut.
///
/// Each character is measured once, and lines are summed character after character as
/// [`Fonts::width`] sums them (so the same line is found to fit or not): the bordereau's and
/// the statements' names are wrapped twice (layout, then drawing), hundreds of thousands of
/// times.
pub(crate) fn wrap_width(
    fonts: &Fonts,
    text: &str,
    size: f32,
    bold: bool,
    max: f32,
) -> Vec<String> {
    let advance = |c: char| fonts.glyph(c, bold).1;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_gives_what_the_font_says() {
        let fonts = Fonts::load().expect("fonts");
        for bold in [false, true] {
            let (_, face) = fonts.face(bold);
            for u in (0..0x2200).chain([0x1F600]) {
                if let Some(c) = char::from_u32(u) {
                    assert_eq!(fonts.glyph(c, bold), lookup(face, c), "U+{u:04X}");
                }
            }
        }
        assert_ne!(fonts.glyph('€', false).0, 0, "the euro sign has a glyph");
    }

    #[test]
    fn texts_are_measured_and_cut_to_fit() {
        let fonts = Fonts::load().expect("fonts");
        // Digits share one advance (tabular figures): amounts line up when right-aligned.
        let one = fonts.width("1", 10.0, false);
        assert!((fonts.width("8", 10.0, false) - one).abs() < 1e-4);
        assert!(fonts.width("MMMM", 10.0, true) > fonts.width("MMMM", 10.0, false));
        assert_eq!(fonts.fit("court", 8.0, false, 100.0), "court");
        let long = "Établissement d'hébergement pour personnes âgées dépendantes";
        let cut = fonts.fit(long, 8.0, false, 80.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(fonts.width(&cut, 8.0, false) <= 80.0);
        assert_eq!(fonts.fit(long, 8.0, false, 1.0), "…");
    }

    /// The plain way to wrap, each candidate line measured from its start: what
    /// [`wrap_width`] must give.
    fn wrap_measuring_lines(
        fonts: &Fonts,
        text: &str,
        size: f32,
        bold: bool,
        max: f32,
    ) -> Vec<String> {
        let fits = |s: &str| fonts.width(s, size, bold) <= max;
        let mut out = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split([' ', '\t']).filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if fits(&candidate) {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if !fits(&line) && line.chars().count() > 1 {
                        line.pop();
                        out.push(std::mem::replace(&mut line, c.to_string()));
                    }
                }
            }
            out.push(line);
        }
        out
    }

    #[test]
    fn wrapping_to_a_width_breaks_lines_as_measured() {
        let f = Fonts::load().expect("fonts");
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
            "Œuvre — ĳ « æ » 中😀 empreinte 0123456789abcdef0123456789abcdef".into(),
        ];
        for text in &texts {
            for (size, bold, max) in [
                (8.0, false, 138.28),
                (9.5, true, 403.28),
                (7.0, false, 30.0),
                (7.5, true, 1.0),
            ] {
                assert_eq!(
                    wrap_width(&f, text, size, bold, max),
                    wrap_measuring_lines(&f, text, size, bold, max),
                    "{text:?} at {size} in {max}"
                );
            }
        }
    }
}
