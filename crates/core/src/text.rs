//! Text folding shared by header matching and search.
//!
//! Extracts come from many tools: the same column may be headed `Prénom`, `PRENOM` or
//! `prénom `, and the same person typed `Lefèvre`, `LEFEVRE` or `Le Fèvre`. These functions give
//! the key under which such variants meet.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Letters that are not a base letter plus an accent in Unicode, so that NFD leaves them whole.
fn fold_letter(c: char, out: &mut String) {
    match c {
        'œ' => out.push_str("oe"),
        'Œ' => out.push_str("OE"),
        'æ' => out.push_str("ae"),
        'Æ' => out.push_str("AE"),
        'ß' => out.push_str("ss"),
        'ẞ' => out.push_str("SS"),
        'ø' => out.push('o'),
        'Ø' => out.push('O'),
        'ł' => out.push('l'),
        'Ł' => out.push('L'),
        'đ' => out.push('d'),
        'Đ' => out.push('D'),
        _ => out.push(c),
    }
}

/// A date as agents read it: `10/12/2026`.
pub fn date_fr(d: jiff::civil::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// Removes diacritics (é → e, Ç → C, œ → oe, ß → ss), keeping other characters.
pub fn strip_accents(s: &str) -> String {
    // NFD splits é into e + U+0301; dropping the combining marks leaves the base letters. NFC
    // afterwards puts back together what NFD split and is not an accent (Hangul, for one).
    let mut out = String::with_capacity(s.len());
    for c in s.nfd().filter(|&c| !is_combining_mark(c)) {
        fold_letter(c, &mut out);
    }
    out.nfc().collect()
}

/// Spaces, dashes, dots, apostrophes and underscores: what separates words in a header.
fn is_header_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' | '.' | '\'' | '’' | 'ʼ' | '_'
        )
}

/// Spaces, dashes and apostrophes: what may separate the parts of a name.
fn is_name_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' | '\'' | '’' | 'ʼ'
        )
}

/// Lower case without accents, the words (split by `is_separator`) joined by `joiner`.
fn fold_words(s: &str, is_separator: fn(char) -> bool, joiner: &str) -> String {
    strip_accents(s)
        .to_lowercase()
        .split(is_separator)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(joiner)
}

/// The key under which a column header is matched: accents removed, lower case, trimmed,
/// runs of spaces, dashes, dots and apostrophes turned into one `_`. `" Prénom "` → `prenom`,
/// `Date de naissance` → `date_de_naissance`, `date_naissance` → `date_naissance`.
pub fn header_key(s: &str) -> String {
    fold_words(s, is_header_separator, "_")
}

/// The form used for searching names: accents removed, lower case, inner spaces, dashes and
/// apostrophes collapsed to one space, trimmed.
pub fn search_key(s: &str) -> String {
    fold_words(s, is_name_separator, " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_accents() {
        assert_eq!(strip_accents("éèêëàâäîïôöùûüÿç"), "eeeeaaaiioouuuyc");
        assert_eq!(strip_accents("ÉÈÊËÀÂÎÏÔÙÛÜŸÇ"), "EEEEAAIIOUUUYC");
        assert_eq!(strip_accents("Cœur Œuvre"), "Coeur OEuvre");
        assert_eq!(strip_accents("Lætitia ÆSOP"), "Laetitia AESOP");
        assert_eq!(strip_accents("Straße"), "Strasse");
        assert_eq!(strip_accents("Søren Ødegaard"), "Soren Odegaard");
        assert_eq!(strip_accents("Łukasz Michał"), "Lukasz Michal");
        assert_eq!(strip_accents("Đorđe"), "Dorde");
        assert_eq!(strip_accents("Núñez Ångström"), "Nunez Angstrom");
        // Other characters are kept as they are.
        assert_eq!(strip_accents("N° 12 – 50 € ; 한국"), "N° 12 – 50 € ; 한국");
        assert_eq!(strip_accents(""), "");
    }

    #[test]
    fn decomposed_input_is_folded_too() {
        // e + combining acute, as some Mac exports write it.
        assert_eq!(strip_accents("Ce\u{301}line"), "Celine");
    }

    #[test]
    fn header_keys() {
        assert_eq!(header_key(" Prénom "), "prenom");
        assert_eq!(header_key("Date de naissance"), "date_de_naissance");
        assert_eq!(header_key("date_naissance"), "date_naissance");
        assert_eq!(header_key("DATE - NAISSANCE"), "date_naissance");
        assert_eq!(header_key("N. d'allocataire"), "n_d_allocataire");
        assert_eq!(header_key("N° d’allocataire"), "n°_d_allocataire");
        assert_eq!(header_key("Code\u{a0}postal"), "code_postal");
        assert_eq!(header_key("Nom."), "nom");
        assert_eq!(header_key("   "), "");
    }

    #[test]
    fn search_keys() {
        assert_eq!(search_key("  LEFÈVRE  "), "lefevre");
        assert_eq!(search_key("Jean-Pierre"), "jean pierre");
        assert_eq!(search_key("D'Alembert"), "d alembert");
        assert_eq!(search_key("N’Diaye"), "n diaye");
        assert_eq!(search_key("Le  Fèvre -- Œillet"), "le fevre oeillet");
        assert_eq!(search_key("M. Dupont"), "m. dupont");
    }
}
