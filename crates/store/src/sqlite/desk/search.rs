//! How the desk search reads what an agent types, and the order it gives results in.
//!
//! A birth date is typed as it is on a form or a card: `10/12/1972`, `10.12.1972`,
//! `10-12-1972`, `10121972`, `10 12 1972`, `1972-12-10`; a year alone (`1972`) narrows a name
//! (`dupont 1972`). The rest of the query is the beginnings of names.
//!
//! Results are in French alphabetical order: accents, case, apostrophes and dashes ignored
//! (`Lévêque` among the L's, between `Leroy` and `Lévy`), by the same folding key as the index
//! (`relais_core::text::search_key`), then the names as written and the file, so the order is
//! total. A full collation (ICU's, through `icu_collator`) would add tens of thousands of lines
//! of data and code for what, on French names in Latin letters, this key already does.

use crate::desk::PersonHit;
use jiff::civil::Date;
use relais_core::text::search_key;

/// Years a birth may be searched by (a four-digit number outside them is not a year).
const YEARS: std::ops::RangeInclusive<i16> = 1880..=2100;

/// A birth searched for: one day, or a whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Birth {
    Day(Date),
    Year(i16),
}

impl Birth {
    /// The first and last birth dates that match, `AAAA-MM-JJ` as the table keeps them.
    pub(crate) fn range(self) -> (String, String) {
        match self {
            Birth::Day(d) => (d.to_string(), d.to_string()),
            Birth::Year(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
        }
    }
}

/// `JJ/MM/AAAA` (or with dots or dashes), `JJMMAAAA` or `AAAA-MM-JJ`.
pub(crate) fn as_date(word: &str) -> Option<Date> {
    if let Ok(d) = word.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = if word.len() == 8 && word.chars().all(|c| c.is_ascii_digit()) {
        vec![word.get(..2)?, word.get(2..4)?, word.get(4..)?]
    } else {
        word.split(['/', '.', '-']).collect()
    };
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

fn as_year(word: &str) -> Option<i16> {
    if word.len() != 4 || !word.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    word.parse().ok().filter(|y| YEARS.contains(y))
}

/// The query without its birth date or year, and that birth. A date typed with spaces
/// (`10 12 1972`) is read as one when the query is nothing else.
pub(crate) fn split_birth(query: &str) -> (String, Option<Birth>) {
    let digits: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    if query.contains(' ')
        && digits.len() == 8
        && digits.chars().all(|c| c.is_ascii_digit())
        && let Some(d) = as_date(&digits)
    {
        return (String::new(), Some(Birth::Day(d)));
    }
    let mut birth = None;
    let mut names = Vec::new();
    for word in query.split_whitespace() {
        match (as_date(word), as_year(word)) {
            (Some(d), _) if birth.is_none() => birth = Some(Birth::Day(d)),
            (None, Some(y)) if birth.is_none() => birth = Some(Birth::Year(y)),
            _ => names.push(word),
        }
    }
    (names.join(" "), birth)
}

/// One way of finding people a query may mean, in the order they are tried (see [`lookups`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A file number, exactly as written.
    File(String),
    /// A NIR, with its key or without (its first 13 characters).
    Nir(String, String),
    /// Born between the two dates (inclusive), no name given.
    Born(String, String),
    /// Having a word that begins with each of the words, born between the two dates.
    NamedBorn(Vec<String>, String, String),
    /// Having a word that begins with each of the words.
    Named(Vec<String>),
}

/// What `query` may mean, each tried in turn by the backends until one finds someone (the
/// last one's answer, found or not, is the search's).
pub(crate) fn lookups(query: &str) -> Vec<Lookup> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let mut tried = vec![Lookup::File(q.to_owned())];
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() >= 13 && compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        let digits = compact.to_ascii_uppercase();
        let short = digits.get(..13).unwrap_or(&digits).to_owned();
        tried.push(Lookup::Nir(digits, short));
    }
    // A birth date (`10/12/1972`, `10121972`, `1972-12-10`) or a year (`1972`), alone or
    // with the beginnings of names.
    let (names, birth) = split_birth(q);
    if let Some(birth) = birth {
        let (from, to) = birth.range();
        let words = super::prefix_words(&names);
        tried.push(if words.is_empty() {
            Lookup::Born(from, to)
        } else {
            Lookup::NamedBorn(words, from, to)
        });
        return tried;
    }
    let words = super::prefix_words(q);
    if !words.is_empty() {
        tried.push(Lookup::Named(words));
    }
    tried
}

/// The French order of people found: see the module's documentation.
pub(crate) fn sort_french(hits: &mut [PersonHit]) {
    hits.sort_by_cached_key(|h| {
        (
            search_key(&h.last_name),
            search_key(&h.first_name),
            h.last_name.clone(),
            h.first_name.clone(),
            h.dossier.clone(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_they_are_typed() {
        let d = Some(Date::constant(1972, 12, 10));
        for typed in [
            "10/12/1972",
            "10.12.1972",
            "10-12-1972",
            "10121972",
            "1972-12-10",
        ] {
            assert_eq!(as_date(typed), d, "{typed}");
        }
        assert_eq!(as_date("31/02/1941"), None);
        assert_eq!(as_date("31021941"), None);
        assert_eq!(as_date("10/12/72"), None);
        assert_eq!(as_date("lefevre"), None);
        assert_eq!(as_date("D0001234"), None);
    }

    #[test]
    fn a_birth_is_taken_out_of_the_names() {
        let day = Birth::Day(Date::constant(1972, 12, 10));
        assert_eq!(split_birth("10121972"), (String::new(), Some(day)));
        assert_eq!(split_birth("10 12 1972"), (String::new(), Some(day)));
        assert_eq!(
            split_birth("dupont 10/12/1972"),
            ("dupont".to_owned(), Some(day))
        );
        assert_eq!(
            split_birth("dupont 1972 mar"),
            ("dupont mar".to_owned(), Some(Birth::Year(1972)))
        );
        assert_eq!(split_birth("lefev jea"), ("lefev jea".to_owned(), None));
        // Not a year: stays a word to search (a house number in a name is unlikely, but kept).
        assert_eq!(split_birth("dupont 3000"), ("dupont 3000".to_owned(), None));
        assert_eq!(
            Birth::Year(1972).range(),
            ("1972-01-01".to_owned(), "1972-12-31".to_owned())
        );
    }

    #[test]
    fn french_order_ignores_accents_and_case() {
        let hit = |last: &str, first: &str, dossier: &str| PersonHit {
            dossier: dossier.into(),
            last_name: last.into(),
            first_name: first.into(),
            birth_date: String::new(),
            city: String::new(),
            deceased: false,
        };
        let mut hits = vec![
            hit("MARTIN", "Paul", "D1"),
            hit("Lévy", "Anne", "D2"),
            hit("LÉVÊQUE", "Hélène", "D3"),
            hit("leroy", "Jean", "D4"),
            hit("Lévêque", "Émile", "D5"),
            hit("D'Alembert", "Jean", "D6"),
            hit("DUPONT", "Zoé", "D7"),
            hit("ÉTIENNE", "Luc", "D8"),
        ];
        sort_french(&mut hits);
        let order: Vec<&str> = hits.iter().map(|h| h.dossier.as_str()).collect();
        // D'Alembert, Dupont, Étienne (among the E's), Leroy, Lévêque Émile, Lévêque Hélène,
        // Lévy, Martin.
        assert_eq!(order, ["D6", "D7", "D8", "D4", "D5", "D3", "D2", "D1"]);
    }
}
