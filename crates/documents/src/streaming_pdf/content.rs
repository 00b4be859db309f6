//! A page's content stream, written as PDF operators while the page is drawn: shapes (a
//! shaded band, a framed box) as they come, texts grouped by face and size into one text
//! object each (a line is a `Td` move from the previous one, its glyphs one `Tj` of two-byte
//! CIDs), and the thin rules stroked once at the end, over everything. Positions are given
//! from the page's top, as the layout places items, and turned here into PDF's coordinates
//! (from the bottom).

use super::font::{FontRefs, FontUse};
use crate::pdf::{Fonts, PAGE_H};

/// A length in thousandths of a point. Positions are rounded once, and a move from one text
/// to the next is the difference of two rounded positions: it never drifts.
fn milli(v: f32) -> i64 {
    (f64::from(v) * 1000.0).round() as i64
}

fn push_uint(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// `v` thousandths as a PDF number (`12`, `-0.5`, `841.89`).
fn push_milli(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    let a = v.unsigned_abs();
    push_uint(buf, a / 1000);
    let frac = a % 1000;
    if frac != 0 {
        let digits = [frac / 100, frac / 10 % 10, frac % 10];
        let n = if frac.is_multiple_of(100) {
            1
        } else if frac.is_multiple_of(10) {
            2
        } else {
            3
        };
        buf.push(b'.');
        buf.extend(digits[..n].iter().map(|d| b'0' + *d as u8));
    }
}

/// Numbers separated by spaces, then an operator and a new line.
fn push_op(buf: &mut Vec<u8>, numbers: &[i64], op: &[u8]) {
    for n in numbers {
        push_milli(buf, *n);
        buf.push(b' ');
    }
    buf.extend_from_slice(op);
    buf.push(b'\n');
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A gray level from 0 (black) to 255, in thousandths.
fn gray(level: u8) -> i64 {
    (i64::from(level) * 1000 + 127) / 255
}

/// The texts of one face and size on a page.
struct Run {
    bold: bool,
    size: f32,
    ops: Vec<u8>,
    /// Where the last text's line starts (the text object starts at the origin).
    at: (i64, i64),
}

/// A page being drawn, and the glyphs of each face the document has used so far.
pub(super) struct PageContent {
    fonts: &'static Fonts,
    /// Regular, bold.
    pub uses: [FontUse; 2],
    shapes: Vec<u8>,
    runs: Vec<Run>,
    rules: Vec<u8>,
}

impl PageContent {
    /// The faces' objects numbered `regular` and `bold` on.
    pub fn new(fonts: &'static Fonts, regular: FontRefs, bold: FontRefs) -> PageContent {
        PageContent {
            fonts,
            uses: [
                FontUse::new(fonts, false, regular),
                FontUse::new(fonts, true, bold),
            ],
            shapes: Vec::new(),
            runs: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// `text` from `x` on `baseline` (from the page's top), one glyph a character as
    /// [`Fonts::width`] measures it.
    pub fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        let at = self
            .runs
            .iter()
            .position(|r| r.bold == bold && r.size.to_bits() == size.to_bits());
        let run = match at {
            Some(i) => &mut self.runs[i],
            None => {
                self.runs.push(Run {
                    bold,
                    size,
                    ops: Vec::with_capacity(4096),
                    at: (0, 0),
                });
                let last = self.runs.len() - 1;
                &mut self.runs[last]
            }
        };
        let to = (milli(x), milli(PAGE_H) - milli(baseline));
        push_op(&mut run.ops, &[to.0 - run.at.0, to.1 - run.at.1], b"Td");
        run.at = to;
        let font = &mut self.uses[usize::from(bold)];
        run.ops.push(b'<');
        for c in text.chars() {
            let (glyph, advance) = self.fonts.glyph(c, bold);
            let cid = font.cid(glyph, c, advance);
            for shift in [12, 8, 4, 0] {
                run.ops.push(HEX[usize::from((cid >> shift) & 0xF)]);
            }
        }
        run.ops.extend_from_slice(b"> Tj\n");
    }

    /// A thin rule from `x0` to `x1` at `y`.
    pub fn rule(&mut self, x0: f32, x1: f32, y: f32) {
        let y = milli(PAGE_H) - milli(y);
        push_op(&mut self.rules, &[milli(x0), y], b"m");
        push_op(&mut self.rules, &[milli(x1), y], b"l");
    }

    /// The rectangle from (`x`, `y`) (its top left), `w` wide and `h` high.
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let bottom = milli(PAGE_H) - milli(y) - milli(h);
        push_op(
            &mut self.shapes,
            &[milli(x), bottom, milli(w), milli(h)],
            b"re",
        );
    }

    /// A rectangle filled with gray `level` (0 black, 255 white).
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, level: u8) {
        self.shapes.extend_from_slice(b"q\n");
        push_op(&mut self.shapes, &[gray(level)], b"g");
        self.rect(x, y, w, h);
        self.shapes.extend_from_slice(b"f Q\n");
    }

    /// A rectangle's outline, in black, `width` points thick.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.shapes.extend_from_slice(b"q\n");
        push_op(&mut self.shapes, &[milli(width)], b"w");
        self.rect(x, y, w, h);
        self.shapes.extend_from_slice(b"S Q\n");
    }

    /// The page's content stream into `out` (emptied first); the page is empty again after.
    pub fn take(&mut self, out: &mut Vec<u8>) {
        out.clear();
        out.append(&mut self.shapes);
        for run in self.runs.drain(..) {
            out.extend_from_slice(if run.bold { b"BT\n/F1 " } else { b"BT\n/F0 " });
            push_op(out, &[milli(run.size)], b"Tf");
            out.extend_from_slice(&run.ops);
            out.extend_from_slice(b"ET\n");
        }
        if !self.rules.is_empty() {
            // Rules of 0.3 pt, gray 140.
            push_op(out, &[300], b"w");
            push_op(out, &[gray(140)], b"G");
            out.append(&mut self.rules);
            out.extend_from_slice(b"S\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_to_the_thousandth() {
        let mut buf = Vec::new();
        for v in [0, 12_000, -500, 841_890, 1, -1_234_567, 10] {
            push_milli(&mut buf, v);
            buf.push(b' ');
        }
        assert_eq!(
            String::from_utf8(buf).expect("ascii"),
            "0 12 -0.5 841.89 0.001 -1234.567 0.01 "
        );
        assert_eq!(milli(PAGE_H), 841_890);
        assert_eq!((gray(0), gray(140), gray(255)), (0, 549, 1000));
    }
}
