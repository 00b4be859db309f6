//! A lean PDF writer for the payslips: the standard Helvetica faces every PDF reader has
//! (PDF 32000 § 9.6.2.2, the 14 standard fonts), in WinAnsiEncoding, so that a payslip embeds
//! no font and weighs a few kilobytes — 50,000 of them in seconds, not minutes. The text is
//! laid out by [`crate::flow`] with the embedded DejaVu Sans metrics, which are wider than
//! Helvetica's: a line that fits in DejaVu fits in Helvetica. The agents' names come from a
//! payroll export in Windows-1252; a character WinAnsi cannot hold is printed as `?`.

use crate::flow::{FOOTER, Placed, footer_text};
use crate::pdf::{Fonts, PAGE_H, PAGE_W};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

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

/// Writes `pages` (laid out by [`crate::flow::layout`]) as a PDF titled `title`, with `footer`
/// and "page n / N" at the foot of each page.
pub(crate) fn write_pages(
    fonts: &Fonts,
    title: &str,
    footer: &str,
    pages: &[Vec<Placed>],
) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(TextStr(title));
    let total = pages.len();
    for (i, (placed, id)) in pages.iter().zip(&page_ids).enumerate() {
        let contents = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(contents);
        page.resources()
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        page.finish();
        let mut c = Content::new();
        c.begin_text();
        let foot = footer_text(fonts, footer, i, total);
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
        for (x, y, text, size, is_bold) in lines {
            c.set_font(Name(if is_bold { b"F2" } else { b"F1" }), size);
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - y]);
            c.show(Str(&encode(text)));
        }
        c.end_text();
        pdf.stream(contents, &c.finish());
    }
    pdf.finish()
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
}
