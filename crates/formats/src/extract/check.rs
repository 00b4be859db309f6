//! Reading one row's fields: each typed by its parser, each problem recorded with its column,
//! so that a rejected row lists everything wrong with it at once.

use super::keys::{self, Lookup};
use super::layout::{Layout, Source};
use super::locate::{Located, locate, row_text};
use super::messages::{self, FieldError, Target};
use super::record_reader::RawRecord;
use super::{Entity, Problem, schema};
use relais_core::records::Extra;

/// The field has a problem, already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bad;

/// A field's value once located.
enum Cell<'a> {
    Value(&'a str),
    Empty,
    /// Unreadable (bad encoding, or past the end of a short row): already reported.
    Bad,
}

/// Reads the fields of one row and collects its problems.
pub(crate) struct Checker<'a> {
    entity: Entity,
    layout: &'a Layout,
    record: RawRecord<'a>,
    /// The whole row as text when it is valid UTF-8 (nearly always): fields are then slices
    /// of it, checked once rather than one by one.
    text: Option<&'a str>,
    problems: Vec<Problem>,
    /// Columns (0-based) whose bytes are not UTF-8, already reported.
    bad_columns: Vec<usize>,
}

impl<'a> Checker<'a> {
    /// Starts on a row: checks its field count and, when the whole row is not valid UTF-8,
    /// which fields are not.
    pub fn new(entity: Entity, layout: &'a Layout, record: RawRecord<'a>) -> Self {
        let found = record.len();
        let text = row_text(record);
        let mut c = Checker {
            entity,
            layout,
            record,
            text,
            problems: Vec::new(),
            bad_columns: Vec::new(),
        };
        let width = layout.headers.len();
        // Trailing empty fields (`a;b;c;`) are a habit of exporters, not a shifted row.
        let extra_blank = (width..found).all(|i| record.get(i).is_some_and(is_blank));
        if found < width || !extra_blank {
            c.problems.push(messages::field_count(found, width));
        }
        if text.is_none() {
            for i in 0..found {
                if record
                    .get(i)
                    .is_some_and(|b| std::str::from_utf8(b).is_err())
                {
                    c.encoding_problem(i);
                }
            }
        }
        c
    }

    fn column_name(&self, i: usize) -> String {
        self.layout
            .names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("colonne_{}", i + 1))
    }

    fn encoding_problem(&mut self, i: usize) {
        if self.bad_columns.contains(&i) {
            return;
        }
        self.bad_columns.push(i);
        let name = self.column_name(i);
        self.problems.push(messages::problem(
            u32::try_from(i + 1).ok(),
            &name,
            messages::encoding(&name),
        ));
    }

    fn name(&self, f: usize) -> &'static str {
        schema::fields(self.entity)
            .get(f)
            .map(|s| s.name)
            .unwrap_or("")
    }

    fn cell(&mut self, f: usize) -> Cell<'a> {
        match locate(self.layout, self.record, self.text, f) {
            Located::Value(v) => Cell::Value(v),
            Located::Empty => Cell::Empty,
            Located::Short => Cell::Bad,
            Located::NotText(index) => {
                self.encoding_problem(index);
                Cell::Bad
            }
        }
    }

    /// Records a problem on field `f`.
    pub fn push(&mut self, f: usize, e: FieldError) {
        let column = self.layout.column_of(f);
        let name = self.name(f);
        self.problems.push(messages::problem(column, name, e));
    }

    /// A required value, parsed.
    pub fn req<T>(
        &mut self,
        f: usize,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Result<T, Bad> {
        match self.opt(f, parse)? {
            Some(v) => Ok(v),
            None => {
                let name = self.name(f);
                self.push(f, messages::required(name));
                Err(Bad)
            }
        }
    }

    /// An optional value, parsed: `None` when empty.
    pub fn opt<T>(
        &mut self,
        f: usize,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Result<Option<T>, Bad> {
        match self.cell(f) {
            Cell::Value(v) => match parse(self.name(f), v) {
                Ok(t) => Ok(Some(t)),
                Err(e) => {
                    self.push(f, e);
                    Err(Bad)
                }
            },
            Cell::Empty => Ok(None),
            Cell::Bad => Err(Bad),
        }
    }

    /// A required text, as it is (trimmed).
    pub fn text(&mut self, f: usize) -> Result<String, Bad> {
        self.req(f, |_, v| Ok(v.to_owned()))
    }

    /// An optional text: `None` when empty.
    pub fn opt_text(&mut self, f: usize) -> Result<Option<String>, Bad> {
        self.opt(f, |_, v| Ok(v.to_owned()))
    }

    /// Records what `verdict` says of the reference `value` of field `f` (to a row of `file`
    /// for `target`).
    pub fn reference(
        &mut self,
        f: usize,
        value: &str,
        verdict: Lookup,
        target: Target,
        file: &str,
    ) {
        let name = self.name(f);
        match verdict {
            Lookup::Accepted => {}
            Lookup::Rejected => {
                self.push(f, messages::rejected_reference(target, name, value, file));
            }
            Lookup::Unknown => self.push(f, messages::unknown_reference(target, name, value, file)),
        }
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Whether a problem so far rejects the row (the others are warnings: the row is kept).
    pub fn has_blocking(&self) -> bool {
        self.problems
            .iter()
            .any(|p| super::severity(self.entity, &p.field) == super::Severity::Reject)
    }

    /// The problems, whole-row ones first, then by column.
    pub fn into_problems(mut self) -> Vec<Problem> {
        self.problems
            .sort_by_key(|p| match (p.field.is_empty(), p.column) {
                (true, _) => (0, 0),
                (false, Some(c)) => (1, c),
                (false, None) => (2, 0),
            });
        self.problems
    }

    /// The extra columns of an accepted row: (header as written, value trimmed). Unnamed
    /// columns are kept only when they hold something.
    pub fn extra(&self) -> Extra {
        let mut extra = Vec::with_capacity(self.layout.extras.len());
        for &i in &self.layout.extras {
            let value = self
                .record
                .get(i)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let value = value.trim();
            let header = self.layout.headers.get(i).map(String::as_str).unwrap_or("");
            if header.is_empty() && value.is_empty() {
                continue;
            }
            let name = if header.is_empty() {
                self.column_name(i)
            } else {
                header.to_owned()
            };
            extra.push((name, value.to_owned()));
        }
        extra
    }

    /// The row as read, for a rejected row: every field of the file under our name (or its
    /// header for extra columns), untrimmed, then the profile's defaults for missing columns.
    pub fn raw(&self) -> Vec<(String, String)> {
        let mut raw: Vec<(String, String)> = self
            .record
            .iter()
            .enumerate()
            .map(|(i, b)| (self.column_name(i), String::from_utf8_lossy(b).into_owned()))
            .collect();
        for (f, s) in self.layout.sources.iter().enumerate() {
            if let Source::Default(d) = s {
                raw.push((self.name(f).to_owned(), d.clone()));
            }
        }
        raw
    }

    /// The row's key as text (`D123`, `R1/2026-03`), when it can be read.
    pub fn key_text(&self) -> Option<String> {
        keys::key_parts(self.entity, self.layout, self.record).map(|p| p.join("/"))
    }
}

fn is_blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::layout::map_header;
    use crate::extract::record_reader::RecordReader;

    fn problems_of(row: &[u8]) -> Vec<(Option<u32>, String, String)> {
        let mut input = b"droit_id;mois;montant;date_paiement;reference;note\n".to_vec();
        input.extend_from_slice(row);
        let mut r = RecordReader::new(&input[..], b';');
        r.next_record().expect("header");
        let layout = map_header(Entity::Paiements, "p.csv", r.record(), None).expect("layout");
        r.next_record().expect("row");
        let c = Checker::new(Entity::Paiements, &layout, r.record());
        c.into_problems()
            .into_iter()
            .map(|p| (p.column, p.field, p.code))
            .collect()
    }

    #[test]
    fn a_character_split_by_a_separator_is_bad_in_both_fields() {
        let got = problems_of(b"R1;2026-01;1;05/01/2026;V\xC3;\xA9");
        assert_eq!(
            got,
            vec![
                (Some(5), "reference".to_owned(), "encodage".to_owned()),
                (Some(6), "note".to_owned(), "encodage".to_owned()),
            ]
        );
    }

    #[test]
    fn invalid_bytes_in_an_extra_column_are_reported() {
        let got = problems_of(b"R1;2026-01;1;05/01/2026;V;caf\xE9");
        assert_eq!(
            got,
            vec![(Some(6), "note".to_owned(), "encodage".to_owned())]
        );
        assert!(problems_of("R1;2026-01;1;05/01/2026;V;café".as_bytes()).is_empty());
    }
}
