//! A lean PDF writer for the payroll's bulk documents (payslips, the état liquidatif): the
//! standard Helvetica faces every PDF reader has (PDF 32000 § 9.6.2.2, the 14 standard fonts),
//! in WinAnsiEncoding, so nothing is embedded — a payslip weighs a few kilobytes, 50,000 of them
//! are written in seconds. Pages are streamed: each page's content is compressed (deflate,
//! level 1) and written out as soon as it is drawn; only the pages' object numbers are kept
//! until the end (the page tree and the cross-reference table), so memory does not grow with
//! the document. The text is laid out with the embedded DejaVu Sans metrics, which are wider
//! than Helvetica's: a line that fits in DejaVu fits in Helvetica. The agents' names come from
//! a payroll export in Windows-1252; a character WinAnsi cannot hold is printed as `?`.

use crate::flow::{FOOTER, Placed, footer_text};
use crate::pdf::{Fonts, PAGE_H, PAGE_W};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::{Content, Name, Str};
use std::io::{self, Write};

/// `c` in WinAnsiEncoding (PDF 32000 annex D.2), or `?`.
fn win_ansi(c: char) -> u8 {
    let u = u32::from(c);
    match c {
        ' '..='~' => u as u8,
        '\u{a0}' | '\u{202f}' | '\u{2009}' => b' ',
        '\u{a1}'..='\u{ff}' => u as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        'Š' => 0x8a,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        'š' => 0x9a,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => b'?',
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// `text` as a PDF text string: UTF-16BE with its byte-order mark, hexadecimal.
fn text_string(text: &str) -> String {
    let mut s = String::from("<FEFF");
    for u in text.encode_utf16() {
        s.push_str(&format!("{u:04X}"));
    }
    s.push('>');
    s
}

/// A PDF being written to `out`, page by page.
pub(crate) struct LeanPdf<'f, W: Write> {
    out: W,
    fonts: &'f Fonts,
    footer: String,
    /// Bytes written so far (the next object's offset).
    at: u64,
    /// Offset of each object, by number (from 1).
    offsets: Vec<u64>,
    pages: Vec<usize>,
}

const CATALOG: usize = 1;
const TREE: usize = 2;
const REGULAR: usize = 3;
const BOLD: usize = 4;
const INFO: usize = 5;

impl<'f, W: Write> LeanPdf<'f, W> {
    /// Starts a document titled `title`, each page with `footer` and "page n / N"... as far as
    /// the count is known: a streamed document numbers its pages without their total.
    pub(crate) fn new(out: W, fonts: &'f Fonts, title: &str, footer: &str) -> io::Result<Self> {
        let mut pdf = LeanPdf {
            out,
            fonts,
            footer: footer.to_owned(),
            at: 0,
            offsets: vec![0; INFO],
            pages: Vec::new(),
        };
        pdf.raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")?;
        pdf.object(
            CATALOG,
            format!("<< /Type /Catalog /Pages {TREE} 0 R >>").as_bytes(),
        )?;
        for (id, face) in [(REGULAR, "Helvetica"), (BOLD, "Helvetica-Bold")] {
            let font = format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{face} /Encoding /WinAnsiEncoding >>"
            );
            pdf.object(id, font.as_bytes())?;
        }
        pdf.object(
            INFO,
            format!("<< /Title {} >>", text_string(title)).as_bytes(),
        )?;
        Ok(pdf)
    }

    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    fn object(&mut self, id: usize, body: &[u8]) -> io::Result<()> {
        if self.offsets.len() < id {
            self.offsets.resize(id, 0);
        }
        self.offsets[id - 1] = self.at;
        self.raw(format!("{id} 0 obj\n").as_bytes())?;
        self.raw(body)?;
        self.raw(b"\nendobj\n")
    }

    /// Draws one page of `placed` lines (and the footer, page `n` of `total` when known).
    pub(crate) fn page(&mut self, placed: &[Placed], total: Option<usize>) -> io::Result<()> {
        let n = self.pages.len();
        let id = self.offsets.len() + 1;
        let contents = id + 1;
        let foot = match total {
            Some(total) => footer_text(self.fonts, &self.footer, n, total),
            None => format!(
                "{} — page {}",
                self.fonts.fit(&self.footer, 7.0, false, PAGE_W - 156.0),
                n + 1
            ),
        };
        let mut c = Content::new();
        c.begin_text();
        let lines = placed
            .iter()
            .map(|p| (p.x, p.y, p.text.as_str(), p.size, p.bold))
            .chain(std::iter::once((
                FOOTER.0,
                FOOTER.1,
                foot.as_str(),
                7.0,
                false,
            )));
        for (x, y, text, size, bold) in lines {
            c.set_font(Name(if bold { b"F2" } else { b"F1" }), size);
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - y]);
            c.show(Str(&encode(text)));
        }
        c.end_text();
        let mut z = ZlibEncoder::new(Vec::new(), Compression::new(1));
        z.write_all(&c.finish())?;
        let data = z.finish()?;
        let page = format!(
            "<< /Type /Page /Parent {TREE} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 {REGULAR} 0 R /F2 {BOLD} 0 R >> >> /Contents {contents} 0 R >>"
        );
        self.object(id, page.as_bytes())?;
        let mut stream = format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            data.len()
        )
        .into_bytes();
        stream.extend_from_slice(&data);
        stream.extend_from_slice(b"\nendstream");
        self.object(contents, &stream)?;
        self.pages.push(id);
        Ok(())
    }

    /// The page tree, the cross-reference table and the trailer; the output.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        let kids: Vec<String> = self.pages.iter().map(|p| format!("{p} 0 R")).collect();
        let tree = format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            self.pages.len()
        );
        self.object(TREE, tree.as_bytes())?;
        let xref = self.at;
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for o in &self.offsets {
            table.push_str(&format!("{o:010} 00000 n \n"));
        }
        table.push_str(&format!(
            "trailer\n<< /Size {} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        ));
        self.raw(table.as_bytes())?;
        Ok(self.out)
    }
}

/// Writes `pages` (laid out by [`crate::flow::layout`]) as a PDF titled `title`, with `footer`
/// and "page n / N" at the foot of each page.
pub(crate) fn write_pages(
    fonts: &Fonts,
    title: &str,
    footer: &str,
    pages: &[Vec<Placed>],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut pdf = LeanPdf::new(out, fonts, title, footer)?;
    for page in pages {
        pdf.page(page, Some(pages.len()))?;
    }
    pdf.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_text_is_win_ansi() {
        assert_eq!(
            encode("Hélène Œuvre 12,50 €"),
            b"H\xe9l\xe8ne \x8cuvre 12,50 \x80"
        );
        assert_eq!(encode("Łukasz"), b"?ukasz");
        // French amounts use a narrow no-break space: printed as a space.
        assert_eq!(encode("1\u{202f}234"), b"1 234");
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let fonts = Fonts::load().expect("fonts");
        let line = |text: &str| Placed {
            x: 50.0,
            y: 100.0,
            text: text.into(),
            size: 10.0,
            bold: false,
        };
        let mut out = Vec::new();
        write_pages(
            &fonts,
            "essai",
            "pied",
            &[vec![line("un")], vec![line("deux")]],
            &mut out,
        )
        .expect("pdf");
        // Offsets are in bytes (the page contents are binary).
        let tail = String::from_utf8_lossy(&out[out.len() - 40..]).into_owned();
        let start: usize = tail
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        let table = String::from_utf8_lossy(&out[start..]).into_owned();
        assert!(table.starts_with("xref\n0 10\n"), "{table}");
        for (i, entry) in table.lines().skip(3).take(9).enumerate() {
            let offset: usize = entry[..10].parse().expect("offset");
            assert!(
                out[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {} at {offset}",
                i + 1
            );
        }
    }
}
