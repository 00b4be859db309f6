//! Where a field's value is in a raw record: the one reading of a field, shared by the row
//! checker (`check.rs`) and the first pass over the keys (`keys.rs`), which must find the same
//! references as the rows will.

use super::layout::{Layout, Source};
use super::record_reader::RawRecord;

/// The whole row as text when it is valid UTF-8 and every field starts on a character
/// boundary. Valid as a whole is not enough: `é` split by a separator (`\xC3;\xA9`) is valid
/// once the fields are put end to end, but neither field is.
pub(crate) fn row_text(record: RawRecord<'_>) -> Option<&str> {
    std::str::from_utf8(record.data()).ok().filter(|t| {
        (0..record.len()).all(|i| record.range(i).is_some_and(|r| t.is_char_boundary(r.start)))
    })
}

/// Where field `f`'s value is, as the row checker reads it (`text` is [`row_text`] of the row).
pub(crate) enum Located<'a> {
    /// Trimmed and not empty (the profile's default for an empty cell).
    Value(&'a str),
    Empty,
    /// Past the end of a short row.
    Short,
    /// Not UTF-8, in the file's column `index` (0-based).
    NotText(usize),
}

/// Field `f` of `record`: the one reading of a field, shared by the checker and by the first
/// pass, which must find the same references as the rows will.
pub(crate) fn locate<'a>(
    layout: &'a Layout,
    record: RawRecord<'a>,
    text: Option<&'a str>,
    f: usize,
) -> Located<'a> {
    match layout.sources.get(f) {
        Some(Source::Column { index, default }) => {
            let Some(range) = record.range(*index) else {
                // Past the end of a short row: the field count problem says it.
                return Located::Short;
            };
            // A slice of the valid row that does not fall on character boundaries is a
            // field cut in the middle of a character: not valid on its own.
            let text = match text {
                Some(row) => row.get(range),
                None => record
                    .data()
                    .get(range)
                    .and_then(|b| std::str::from_utf8(b).ok()),
            };
            let Some(text) = text else {
                return Located::NotText(*index);
            };
            let text = text.trim();
            match (text.is_empty(), default) {
                (false, _) => Located::Value(text),
                (true, Some(d)) if !d.is_empty() => Located::Value(d.as_str()),
                (true, _) => Located::Empty,
            }
        }
        Some(Source::Default(d)) if !d.is_empty() => Located::Value(d.as_str()),
        _ => Located::Empty,
    }
}
