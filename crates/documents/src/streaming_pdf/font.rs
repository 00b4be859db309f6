//! A face as a document uses it: each glyph gets a CID at its first use, in that order after
//! `.notdef` (0) — the order in which `subsetter` numbers a subset's glyphs, so that a CID is
//! its glyph's id in the embedded subset (`CIDToGIDMap /Identity`) and a page can be written
//! before the document knows all its glyphs. At the end, the face is subsetted and written as
//! a Type0 font (Identity-H, two bytes a glyph) over a CIDFontType2, with the advance of each
//! glyph as it was placed and a ToUnicode map (the character each glyph was drawn for), so that
//! the text can be extracted and searched.

use super::deflate::Deflater;
use super::new_chunk;
use crate::pdf::Fonts;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use subsetter::GlyphRemapper;

/// A glyph of the face not used yet.
const UNUSED: u16 = u16::MAX;

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// The objects of one font, numbered when the document starts (pages name the font before
/// it is written, at the end).
#[derive(Debug, Clone, Copy)]
pub(super) struct FontRefs {
    pub type0: Ref,
    cid: Ref,
    descriptor: Ref,
    to_unicode: Ref,
    file: Ref,
}

impl FontRefs {
    /// Five objects from `first`.
    pub fn starting_at(first: i32) -> FontRefs {
        FontRefs {
            type0: Ref::new(first),
            cid: Ref::new(first + 1),
            descriptor: Ref::new(first + 2),
            to_unicode: Ref::new(first + 3),
            file: Ref::new(first + 4),
        }
    }
}

/// The glyphs of one face used so far.
pub(super) struct FontUse {
    pub bold: bool,
    pub refs: FontRefs,
    /// The CID of each glyph of the face, [`UNUSED`] when it has none.
    cids: Vec<u16>,
    /// By CID: the glyph, its advance in em, and the character it was first drawn for.
    glyphs: Vec<u16>,
    advances: Vec<f32>,
    chars: Vec<Option<char>>,
}

impl FontUse {
    pub fn new(fonts: &Fonts, bold: bool, refs: FontRefs) -> FontUse {
        let (_, face) = fonts.face(bold);
        let mut cids = vec![UNUSED; usize::from(face.number_of_glyphs())];
        if let Some(first) = cids.first_mut() {
            *first = 0;
        }
        let notdef = face
            .glyph_hor_advance(ttf_parser::GlyphId(0))
            .map_or(0.0, |a| {
                f32::from(a) / f32::from(face.units_per_em().max(1))
            });
        FontUse {
            bold,
            refs,
            cids,
            glyphs: vec![0],
            advances: vec![notdef],
            chars: vec![None],
        }
    }

    /// The CID of `glyph` (drawn for `c`, `advance` em wide), given at its first use.
    #[inline]
    pub fn cid(&mut self, glyph: u16, c: char, advance: f32) -> u16 {
        match self.cids.get(usize::from(glyph)) {
            Some(&cid) if cid != UNUSED => cid,
            Some(_) => {
                // At most one CID per glyph of the face, whose count is a u16.
                let cid = self.glyphs.len() as u16;
                self.cids[usize::from(glyph)] = cid;
                self.glyphs.push(glyph);
                self.advances.push(advance);
                self.chars.push(Some(c));
                cid
            }
            // A glyph the face does not have (never, from its own cmap): .notdef.
            None => 0,
        }
    }

    /// The font's objects, each in its chunk: the subset of the face, its descriptor, widths
    /// and ToUnicode map.
    pub fn write(
        &self,
        fonts: &Fonts,
        deflater: &mut Deflater,
    ) -> Result<Vec<(Ref, Chunk)>, String> {
        let (data, face) = fonts.face(self.bold);
        let remapper = GlyphRemapper::new_from_glyphs(&self.glyphs);
        let subset = subsetter::subset(data, 0, &remapper).map_err(|e| format!("{e}"))?;
        let face_name = if self.bold {
            "DejaVuSans-Bold"
        } else {
            "DejaVuSans"
        };
        let name = format!("{}+{face_name}", tag(&self.glyphs));
        let em = f32::from(face.units_per_em().max(1));
        let pdf_units = |v: f32| v * 1000.0 / em;

        let mut type0 = new_chunk(256);
        type0
            .type0_font(self.refs.type0)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(self.refs.cid)
            .to_unicode(self.refs.to_unicode);

        let mut cid_font = new_chunk(256);
        let mut cid = cid_font.cid_font(self.refs.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(name.as_bytes()))
            .system_info(SYSTEM_INFO)
            .font_descriptor(self.refs.descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid.widths();
        widths.consecutive(0, self.advances.iter().map(|a| a * 1000.0));
        widths.finish();
        cid.finish();

        let b = face.global_bounding_box();
        let bbox = Rect::new(
            pdf_units(f32::from(b.x_min)),
            pdf_units(f32::from(b.y_min)),
            pdf_units(f32::from(b.x_max)),
            pdf_units(f32::from(b.y_max)),
        );
        let ascent = pdf_units(f32::from(face.ascender()));
        let weight = f32::from(face.weight().to_number());
        let mut flags = FontFlags::SYMBOLIC;
        flags.set(FontFlags::FIXED_PITCH, face.is_monospaced());
        let mut descriptor = new_chunk(256);
        descriptor
            .font_descriptor(self.refs.descriptor)
            .name(Name(name.as_bytes()))
            .flags(flags)
            .bbox(bbox)
            .italic_angle(face.italic_angle())
            .ascent(ascent)
            .descent(pdf_units(f32::from(face.descender())))
            .cap_height(
                face.capital_height()
                    .map_or(ascent, |h| pdf_units(f32::from(h))),
            )
            // As krilla estimates it from the weight class.
            .stem_v(10.0 + 0.244 * (weight / 10.0 - 50.0))
            .font_file2(self.refs.file);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
        for (cid, c) in self.chars.iter().enumerate().skip(1) {
            if let Some(c) = c {
                // CIDs are at most the face's glyph count, a u16.
                cmap.pair(cid as u16, *c);
            }
        }
        let cmap = cmap.finish();
        let mut to_unicode = new_chunk(256);
        let mut stream = to_unicode.cmap(self.refs.to_unicode, deflater.run(&cmap)?);
        stream.filter(Filter::FlateDecode);
        stream.finish();

        let length = i32::try_from(subset.len()).map_err(|_| "police trop grande".to_owned())?;
        let mut file = new_chunk(subset.len() + 256);
        file.stream(self.refs.file, deflater.run(&subset)?)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), length);
        Ok(vec![
            (self.refs.type0, type0),
            (self.refs.cid, cid_font),
            (self.refs.descriptor, descriptor),
            (self.refs.to_unicode, to_unicode),
            (self.refs.file, file),
        ])
    }
}

/// The subset's six-letter tag, from the glyphs it holds: the same subset, the same name.
fn tag(glyphs: &[u16]) -> String {
    // FNV-1a over the glyphs in CID order.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for g in glyphs {
        for b in g.to_be_bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|_| {
            let letter = b'A' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}
