//! A form read as (name, value) pairs, as the crisis cell's and the payment screens' forms are:
//! repeated checkboxes keep every value.

/// The value of field `name` (the first, if repeated), or "" when absent.
pub(crate) fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
