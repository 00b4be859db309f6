//! Text folding shared by header matching and search.
//!
//! CONTRACT (helper fills the bodies).

/// Removes diacritics (é → e, Ç → C, œ → oe, ß → ss), keeping other characters.
pub fn strip_accents(s: &str) -> String {
    s.to_owned()
}

/// The key under which a column header is matched: accents removed, lower case, trimmed,
/// runs of spaces, dashes, dots and apostrophes turned into one `_`. `" Prénom "` → `prenom`,
/// `Date de naissance` → `date_de_naissance`, `date_naissance` → `date_naissance`.
pub fn header_key(s: &str) -> String {
    s.to_owned()
}

/// The form used for searching names: accents removed, lower case, inner spaces, dashes and
/// apostrophes collapsed to one space, trimmed.
pub fn search_key(s: &str) -> String {
    s.to_owned()
}
