//! Free texts (names, addresses, labels) made fit for each payment file.
//!
//! # PES V2: ISO-8859-1 (docs/domain.md, "PES V2"; docs/domain.md, "PES V2 schemas: reference notes", "Encoding" and `Simple_Type.xsd`)
//!
//! Files are written in ISO-8859-1, so every character must be one of Latin-1's. In order:
//! 1. Characters Latin-1 holds are kept as they are (`é`, `ç`, `ß`, `«`, `°`…), except the
//!    invisible soft hyphen (dropped) and the controls and spaces of any kind (NBSP, tab, line
//!    break: one space).
//! 2. Typographic signs are given their plain twin: `’ ‘ ‚ ′ ʼ ‹ ›` → `'`, `“ ” „ ″` → `"`,
//!    dashes and minus → `-`, `…` → `...`, `€` → `EUR`, `Œ œ` → `OE oe`, `Ł ł` → `L l`,
//!    `Đ đ` → `D d`, `ı` → `i`, `ẞ` → `SS`, `⁄` → `/`.
//! 3. Anything else is decomposed (Unicode NFKD) and its accents dropped: `Ś` → `S`, `ğ` → `g`,
//!    `ﬁ` → `fi`, `Ａ` → `A`. Invisible formatting characters (zero-width joiner, variation
//!    selectors, direction marks, tag characters) are dropped.
//! 4. What is still outside Latin-1 (emoji, CJK, Cyrillic…) becomes one `?` per character, so
//!    that the accountant sees that something was there.
//!
//! Spaces are then collapsed and trimmed, and the text is cut at the field's length (counted in
//! characters, before `&` `<` `>` `"` are escaped). PES forbids texts that are a lone space or
//! dot, `nc`, or only zeros (`Base_Texte*` patterns); we also refuse a text with no letter and
//! no digit left (`?`, `-`, `...`), which says nothing. Such a text is, by field:
//! - left out where the field is optional (`Obj`, `LibVir1`, `RefTiers`, `Adr1`, `Adr3`,
//!   `LibelleColBud`, and `Prenom` of a tiers that is not a person);
//! - replaced by [`UNKNOWN`] (`INCONNU`) where it is required (`Nom`, `Prenom` and `Civilite` of
//!   a person, `Adr2`, `Ville`);
//! - for the account holder `TitCpte`, replaced by the tiers' civility, name and first name,
//!   and by [`UNKNOWN`] if they give nothing either.
//!
//! # SEPA: the EPC Latin character set (docs/domain.md, "SEPA credit transfer"; EPC rulebook and
//! EPC217-08 "SEPA requirements for an extended character set")
//!
//! Only `a-z A-Z 0-9 / - ? : ( ) . , ' +` and space go through every bank. Letters are
//! transliterated as above and then stripped of their accents (`Élodie Müller-Ça` →
//! `Elodie Muller-Ca`), with `Æ æ Ø ø ß Ð ð Þ þ` → `AE ae O o ss D d TH th`; typographic quotes
//! become `'`; every other character (`& < > " _ ; @ * #`, emoji, CJK…) becomes a space, and
//! spaces are collapsed and trimmed. Names are then cut at 70 characters, the remittance text
//! at 140. A creditor or debtor name with no letter or digit left is replaced by [`UNKNOWN`]; an
//! empty remittance text is left out.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// The text put in place of a required text that has nothing valid left (see the module).
pub const UNKNOWN: &str = "INCONNU";

/// Invisible formatting characters, dropped (they carry no letter).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Plain twins of typographic signs and of letters that do not decompose (rule 2). Shared by
/// both character sets; the EPC one then maps what it cannot hold (`"`) to a space.
fn plain_twin(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{2bc}' | '\u{2b9}'
        | '\u{2039}' | '\u{203a}' => "'",
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => "\"",
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2043}' => "-",
        '\u{2026}' => "...",
        '€' => "EUR",
        'Œ' => "OE",
        'œ' => "oe",
        'Ł' => "L",
        'ł' => "l",
        'Đ' => "D",
        'đ' => "d",
        'ı' => "i",
        'ẞ' => "SS",
        '\u{2044}' => "/",
        _ => return None,
    })
}

/// Latin-1 letters and signs the EPC set does not hold and that do not decompose.
fn epc_twin(c: char) -> Option<&'static str> {
    Some(match c {
        'Æ' => "AE",
        'æ' => "ae",
        'Ø' => "O",
        'ø' => "o",
        'ß' => "ss",
        'Ð' => "D",
        'ð' => "d",
        'Þ' => "TH",
        'þ' => "th",
        _ => return plain_twin(c),
    })
}

/// A Latin-1 character that may stand in a PES text (printable, not a space).
fn is_latin1_printable(c: char) -> bool {
    matches!(c, '\u{21}'..='\u{7e}' | '\u{a1}'..='\u{ac}' | '\u{ae}'..='\u{ff}')
}

/// Rules 1 to 4 for one character, giving Latin-1 bytes to `push`.
fn latin1_char(c: char, push: &mut impl FnMut(u8)) {
    if is_latin1_printable(c) {
        // The match above keeps c ≤ U+00FF, so the cast is exact.
        push(c as u32 as u8);
    } else if c.is_whitespace() || c.is_control() {
        push(b' ');
    } else if is_invisible(c) {
    } else if let Some(twin) = plain_twin(c) {
        twin.bytes().for_each(&mut *push);
    } else {
        let mut lost = false;
        decompose_compatible(c, |d| {
            if is_combining_mark(d) || is_invisible(d) {
            } else if is_latin1_printable(d) || d == ' ' {
                push(d as u32 as u8);
            } else if let Some(twin) = plain_twin(d) {
                twin.bytes().for_each(&mut *push);
            } else {
                lost = true;
            }
        });
        if lost {
            push(b'?');
        }
    }
}

fn is_epc(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'/' | b'-' | b'?' | b':' | b'(' | b')' | b'.' | b',' | b'\'' | b'+' | b' '
        )
}

fn epc_byte(b: u8) -> u8 {
    if is_epc(b) { b } else { b' ' }
}

/// The EPC rules for one character, giving EPC bytes to `push`.
fn epc_char(c: char, push: &mut impl FnMut(u8)) {
    if c.is_ascii() {
        push(epc_byte(c as u8));
    } else if c.is_whitespace() || c.is_control() {
        push(b' ');
    } else if is_invisible(c) {
    } else if let Some(twin) = epc_twin(c) {
        twin.bytes().for_each(|b| push(epc_byte(b)));
    } else {
        decompose_compatible(c, |d| {
            if is_combining_mark(d) || is_invisible(d) {
            } else if d.is_ascii() {
                push(epc_byte(d as u8));
            } else if let Some(twin) = epc_twin(d) {
                twin.bytes().for_each(|b| push(epc_byte(b)));
            } else {
                push(b' ');
            }
        });
    }
}

/// Collects folded bytes: collapses spaces, trims, and stops at `max` characters (one byte is
/// one character in both sets).
struct Collector<'a> {
    out: &'a mut Vec<u8>,
    max: usize,
    space: bool,
}

impl Collector<'_> {
    fn push(&mut self, b: u8) {
        if b == b' ' {
            self.space = !self.out.is_empty();
            return;
        }
        let need = if self.space { 2 } else { 1 };
        if self.out.len() + need > self.max {
            // Full: later characters are cut; `max` stays the limit for good.
            self.max = self.out.len();
            return;
        }
        if self.space {
            self.out.push(b' ');
            self.space = false;
        }
        self.out.push(b);
    }
}

/// A text that folding would leave as it is: at most `max` bytes, each a `visible` one or a
/// single space between two of them.
fn is_clean(bytes: &[u8], max: usize, visible: impl Fn(u8) -> bool) -> bool {
    bytes.len() <= max
        && bytes.first().is_some_and(|&b| b != b' ')
        && bytes.last().is_some_and(|&b| b != b' ')
        && bytes.iter().all(|&b| b == b' ' || visible(b))
        && !bytes.windows(2).any(|w| w == b"  ")
}

/// Whether a Latin-1 text needs escaping in an attribute value.
pub(crate) fn needs_escape(raw: &[u8]) -> bool {
    raw.iter().any(|b| matches!(b, b'&' | b'<' | b'>' | b'"'))
}

/// A Latin-1 letter or digit.
fn is_latin1_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, 0xaa | 0xb5 | 0xba | 0xc0..=0xd6 | 0xd8..=0xf6 | 0xf8..=0xff)
}

/// Folds `src` into `out` as Latin-1 bytes (unescaped) of at most `max` characters; false when
/// what is left is not a valid PES text (see the module), `out` then being meaningless.
pub(crate) fn fold_pes(src: &str, max: usize, out: &mut Vec<u8>) -> bool {
    out.clear();
    let bytes = src.as_bytes();
    if is_clean(bytes, max, |b| (0x21..0x7f).contains(&b)) {
        // The common case: a text already clean is copied as it is.
        out.extend_from_slice(bytes);
        return valid_pes(out);
    }
    let mut c = Collector {
        out: &mut *out,
        max,
        space: false,
    };
    let mut push = |b| c.push(b);
    if src.is_ascii() {
        // The common case, without decoding characters.
        src.bytes().for_each(|b| {
            push(if (0x20..0x7f).contains(&b) { b } else { b' ' });
        });
    } else {
        src.chars().for_each(|ch| latin1_char(ch, &mut push));
    }
    valid_pes(out)
}

/// PES `Base_Texte*`: not empty, not a lone dot, not `nc`, not only zeros; and (ours) holding
/// a letter or a digit.
fn valid_pes(text: &[u8]) -> bool {
    let forbidden =
        text == b"." || text.eq_ignore_ascii_case(b"nc") || text.iter().all(|&b| b == b'0');
    !forbidden && text.iter().any(|&b| is_latin1_alnum(b))
}

/// Folds `src` into `out` as EPC characters of at most `max`; false when no letter or digit is
/// left.
pub(crate) fn fold_epc(src: &str, max: usize, out: &mut Vec<u8>) -> bool {
    out.clear();
    let bytes = src.as_bytes();
    if is_clean(bytes, max, |b| b != b' ' && is_epc(b)) {
        out.extend_from_slice(bytes);
        return out.iter().any(u8::is_ascii_alphanumeric);
    }
    let mut c = Collector {
        out: &mut *out,
        max,
        space: false,
    };
    let mut push = |b| c.push(b);
    if src.is_ascii() {
        src.bytes().for_each(|b| push(epc_byte(b)));
    } else {
        src.chars().for_each(|ch| epc_char(ch, &mut push));
    }
    out.iter().any(u8::is_ascii_alphanumeric)
}

/// Escapes Latin-1 bytes for an attribute value between double quotes.
pub(crate) fn escape_attribute(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    for &b in raw {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            _ => out.push(b),
        }
    }
}

/// Latin-1 bytes as a Rust string (each byte is the code point of the same value).
fn latin1_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// `src` as the PES file will carry it, cut at `max` characters; `None` when nothing valid is
/// left (the writer then leaves the field out or puts a substitute, see the module).
pub fn pes_text(src: &str, max: usize) -> Option<String> {
    let mut out = Vec::new();
    fold_pes(src, max, &mut out).then(|| latin1_string(&out))
}

/// `src` in the EPC character set, cut at `max` characters; `None` when no letter or digit is
/// left.
pub fn epc_text(src: &str, max: usize) -> Option<String> {
    let mut out = Vec::new();
    // EPC bytes are ASCII.
    fold_epc(src, max, &mut out).then(|| latin1_string(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_keeps_what_it_can_and_replaces_the_rest() {
        assert_eq!(
            pes_text("  Lefèvre   André ", 38).as_deref(),
            Some("Lefèvre André")
        );
        assert_eq!(
            pes_text("L’Haÿ-les-Roses", 38).as_deref(),
            Some("L'Haÿ-les-Roses")
        );
        assert_eq!(
            pes_text("Cœur “Œuvre” 5 €", 38).as_deref(),
            Some("Coeur \"OEuvre\" 5 EUR")
        );
        assert_eq!(
            pes_text("Łukasz Świątek", 38).as_deref(),
            Some("Lukasz Swiatek")
        );
        assert_eq!(
            pes_text("Marie 😀 Dupont", 38).as_deref(),
            Some("Marie ? Dupont")
        );
        assert_eq!(
            pes_text("Ann\u{200d}e\u{301}\u{fe0f}", 38).as_deref(),
            Some("Anne")
        );
        assert_eq!(
            pes_text("a\tb\nc\u{a0}d\u{202f}e", 38).as_deref(),
            Some("a b c d e")
        );
        assert_eq!(pes_text("ﬁn Ｘ", 38).as_deref(), Some("fin X"));
        assert_eq!(pes_text("Иван", 38).as_deref(), None);
    }

    #[test]
    fn pes_forbidden_texts_are_refused() {
        for bad in [
            "", " ", ".", " . ", "nc", "NC", "0", "000", "???", "--", "😀", "\u{ad}",
        ] {
            assert_eq!(pes_text(bad, 38), None, "{bad:?}");
        }
        assert_eq!(pes_text("0.00", 38).as_deref(), Some("0.00"));
        assert_eq!(pes_text("nc2", 38).as_deref(), Some("nc2"));
        assert_eq!(pes_text("n", 38).as_deref(), Some("n"));
    }

    #[test]
    fn cut_at_length_without_trailing_space() {
        assert_eq!(
            pes_text("abcdefghij klm", 11).as_deref(),
            Some("abcdefghij")
        );
        assert_eq!(
            epc_text("abcdefghij klm", 11).as_deref(),
            Some("abcdefghij")
        );
        assert_eq!(
            pes_text("abcdefghij klm", 12).as_deref(),
            Some("abcdefghij k")
        );
        assert_eq!(
            pes_text("é".repeat(50).as_str(), 38).map(|s| s.chars().count()),
            Some(38)
        );
        assert_eq!(pes_text("€€€€", 10).as_deref(), Some("EUREUREURE"));
    }

    #[test]
    fn epc_transliterates_and_removes() {
        assert_eq!(
            epc_text("Élodie Müller-Ça", 70).as_deref(),
            Some("Elodie Muller-Ca")
        );
        assert_eq!(
            epc_text("Dupont & Fils <SARL> \"x\" a_b", 70).as_deref(),
            Some("Dupont Fils SARL x a b")
        );
        assert_eq!(
            epc_text("Æsir Øresund Straße Þór", 70).as_deref(),
            Some("AEsir Oresund Strasse THor")
        );
        assert_eq!(
            epc_text("L’Œuvre — 12 €", 70).as_deref(),
            Some("L'OEuvre - 12 EUR")
        );
        assert_eq!(epc_text("李小龍 😀", 70), None);
        assert_eq!(epc_text("José 李", 70).as_deref(), Some("Jose"));
        assert_eq!(epc_text(&"x".repeat(200), 140).map(|s| s.len()), Some(140));
    }

    #[test]
    fn attribute_escaping() {
        let mut out = Vec::new();
        escape_attribute(b"a&b<c>d\"e'f", &mut out);
        assert_eq!(out, b"a&amp;b&lt;c&gt;d&quot;e'f");
    }
}
