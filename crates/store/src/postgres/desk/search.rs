//! The desk's name search on PostgreSQL: what was typed is read as SQLite reads it
//! (`sqlite/desk/search.rs`'s [`lookups`]) and finds the same people.
//!
//! SQLite's FTS5 index of the folded names becomes two plain tables, filled at import with
//! the people (`schema.sql`):
//! - `person_words(dossier, word)`: one row per distinct word of a person's folded names
//!   ([`name_words`]); a single word typed reads the range of the words beginning with it.
//! - `person_word_pairs(head, second, first, dossier, words)`: one row per ordered pair of
//!   two distinct words of a person, `head` being the first word's first [`HEAD`] letters,
//!   indexed by (head, second), each row holding all the person's words too ([`spaced`]). Two
//!   words typed, `mart jea`, are one range of that index: head `mar`, second from `jea` to
//!   `jeb`, keeping the rows whose first word begins with `mart`; a third word typed is looked
//!   for among the row's words, read from the index as the rest. A query reads about as many
//!   index rows as it finds people, whatever the size of the base: about 0.5 ms for `mart
//!   jea` among 1,000,000 people, where intersecting the people of `mart…` with those of
//!   `jea…` (thousands each) took 15 ms. The price: some 2.3 rows of pairs per person, written
//!   at import.
//!
//! Why pairs find exactly what FTS5 finds: FTS5 keeps the people having, for each word typed,
//! a word beginning with it. A word typed that begins another word typed is implied by it
//! (`mar` by `mart`) and is left out ([`essential`]); the words left are none the beginning of
//! another, so no word of a person begins two of them: a person found has distinct words for
//! them, hence a pair for any two of them.
//!
//! Round trips and plans: a search's statements are prepared once per connection
//! ([`Prepared`]), so that each query of a search is one round trip (bind, execute) rather
//! than two (parse, then bind and execute), and PostgreSQL may keep a plan rather than make
//! one for each query. A beginning typed, `jea`, is a range of the index (`>= 'jea' AND <
//! 'jeb'`), not a LIKE: the plan needs no knowledge of the pattern to read the range, and
//! nothing typed is ever a pattern. The columns' collation "C" orders by bytes, which for UTF-8
//! is the order of the characters, as [`after`] counts.

use super::hit;
use crate::StoreError;
use crate::desk::PersonHit;
use crate::sqlite::desk::HIT_COLUMNS;
#[cfg(doc)]
use crate::sqlite::desk::name_words;
use crate::sqlite::desk::search::{Lookup, lookups};
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};
use std::collections::{HashMap, HashSet};

/// How many letters of a pair's first word make its `head`: three letters typed are enough
/// to read one range of pairs.
pub(in crate::postgres) const HEAD: usize = 3;

/// The first [`HEAD`] letters of `word` (all of it when shorter).
pub(in crate::postgres) fn head(word: &str) -> &str {
    word.char_indices()
        .nth(HEAD)
        .map_or(word, |(end, _)| &word[..end])
}

/// A person's words as `person_word_pairs.words` holds them: each after a space
/// (` martin jean`), so that ` r` is found in them when a word begins with `r`.
pub(in crate::postgres) fn spaced(words: &[String]) -> String {
    words.iter().fold(String::new(), |mut all, w| {
        all.push(' ');
        all.push_str(w);
        all
    })
}

/// The rows of `person_word_pairs` for a person's distinct words, as (head, second, first):
/// every ordered pair of two of them (each row holds [`spaced`] too).
pub(in crate::postgres) fn word_pairs(
    words: &[String],
) -> impl Iterator<Item = (&str, &str, &str)> {
    words.iter().enumerate().flat_map(move |(i, first)| {
        words
            .iter()
            .enumerate()
            .filter(move |(j, _)| *j != i)
            .map(move |(_, second)| (head(first), second.as_str(), first.as_str()))
    })
}

/// The first text after every text beginning with `beginning`, in the order of characters:
/// its last character made the next one (`jea` → `jeb`; `z` then `{`), those without a
/// next one dropped first. None when no character has a next one (nothing is after).
fn after(beginning: &str) -> Option<String> {
    let mut chars: Vec<char> = beginning.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The search's statements on one connection, by their text (a few dozen at most: they
/// differ only by the number of words typed and the lookup), each prepared at its first use.
#[derive(Default)]
pub(in crate::postgres) struct Prepared(HashMap<String, Statement>);

impl Prepared {
    fn query(
        &mut self,
        c: &mut Client,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let statement = match self.0.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = c.prepare(sql)?;
                self.0.insert(sql.to_owned(), statement.clone());
                statement
            }
        };
        Ok(c.query(&statement, params)?)
    }
}

/// Parameters of a search's statement, numbered from `$1` in the order they are added.
#[derive(Default)]
struct Args {
    texts: Vec<String>,
    /// The row limit, always the last parameter (`LIMIT $n`).
    limit: i64,
}

impl Args {
    /// Adds `value`; its placeholder.
    fn text(&mut self, value: impl Into<String>) -> String {
        self.texts.push(value.into());
        format!("${}", self.texts.len())
    }

    /// The condition that `column` begins with `beginning`: the range of the texts from it to
    /// the first after all of them.
    fn begins(&mut self, column: &str, beginning: &str) -> String {
        let from = self.text(beginning);
        match after(beginning) {
            Some(to) => format!("{column} >= {from} AND {column} < {}", self.text(to)),
            None => format!("{column} >= {from}"),
        }
    }

    /// The placeholder of the row limit (after every text).
    fn limit(&self) -> String {
        format!("${}", self.texts.len() + 1)
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut params: Vec<&(dyn ToSql + Sync)> = self
            .texts
            .iter()
            .map(|a| a as &(dyn ToSql + Sync))
            .collect();
        params.push(&self.limit);
        params
    }
}

/// The words typed that are not the beginning of another one typed (`mar` is implied by
/// `mart`: a word beginning with `mart` begins with `mar`), in their order (the longest
/// first, as [`lookups`] gives them).
fn essential(words: &[String]) -> Vec<&str> {
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    for w in words {
        if !kept.iter().any(|k| k.starts_with(w.as_str())) {
            kept.push(w);
        }
    }
    kept
}

/// [`crate::desk::DeskStore::search_people`] before the French sort (as SQLite's
/// `find_people`).
pub(super) fn find_people(
    c: &mut Client,
    prepared: &mut Prepared,
    query: &str,
    limit: usize,
    site: Option<&str>,
) -> Result<Vec<PersonHit>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    for lookup in lookups(query) {
        let found = match lookup {
            Lookup::File(q) => people(
                c,
                prepared,
                &|a| format!("b.dossier = {}", a.text(&q)),
                "",
                site,
                limit,
            )?,
            Lookup::Nir(nir, short) => people(
                c,
                prepared,
                &|a| format!("b.nir = {} OR b.nir = {}", a.text(&nir), a.text(&short)),
                "ORDER BY b.last_name, b.first_name",
                site,
                limit,
            )?,
            // Without a name, the first `limit` born then, in no order (no index by birth
            // date, as on SQLite).
            Lookup::Born(from, to) => people(
                c,
                prepared,
                &|a| format!("b.birth_date BETWEEN {} AND {}", a.text(&from), a.text(&to)),
                "",
                site,
                limit,
            )?,
            // The birth narrows the people of these names down: any `limit` of them.
            Lookup::NamedBorn(words, from, to) => {
                named(c, prepared, &words, site, Some((&from, &to)), false, limit)?
            }
            // The first `limit` of the site by name, as on SQLite; anywhere, any `limit` of
            // those matching, whatever their number (SQLite takes the index's first `limit`):
            // the French sort orders them after.
            Lookup::Named(words) => named(c, prepared, &words, site, None, site.is_some(), limit)?,
        };
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// The people of `b` meeting `condition` (its parameters added to the statement's), then
/// `order`, at most `limit`; a site-bound agent's search adds the site, so that nobody of
/// another site is ever returned.
fn people(
    c: &mut Client,
    prepared: &mut Prepared,
    condition: &dyn Fn(&mut Args) -> String,
    order: &str,
    site: Option<&str>,
    limit: i64,
) -> Result<Vec<PersonHit>, StoreError> {
    let mut args = Args {
        limit,
        ..Args::default()
    };
    let mut sql = format!(
        "SELECT {HIT_COLUMNS} FROM beneficiaries b WHERE ({})",
        condition(&mut args)
    );
    if let Some(site) = site {
        sql.push_str(&format!(" AND b.site = {}", args.text(site)));
    }
    sql.push_str(&format!(" {order} LIMIT {}", args.limit()));
    prepared
        .query(c, &sql, &args.params())?
        .iter()
        .map(hit)
        .collect()
}

/// Where the people having a word beginning with each of `words` are read: the table `w`
/// joined to their people, and the conditions on `w`.
fn word_rows(words: &[&str], args: &mut Args) -> (&'static str, Vec<String>) {
    match words {
        [] => ("person_words w", vec!["FALSE".to_owned()]),
        // One word: the range of the words beginning with it.
        [only] => ("person_words w", vec![args.begins("w.word", only)]),
        // The pairs whose first word begins with the longest word typed and whose second
        // begins with the next; any other word begins one of the person's words, read in the
        // pair's row (` r` in ` christine le roy`). With three letters of the longest word
        // or more, the head is one value and the second's beginning a range after it;
        // shorter, a range of heads.
        [longest, next, others @ ..] => {
            let head = if longest.chars().count() >= HEAD {
                format!("w.head = {}", args.text(head(longest)))
            } else {
                args.begins("w.head", longest)
            };
            let mut conditions = vec![
                head,
                args.begins("w.second", next),
                args.begins("w.first", longest),
            ];
            for other in others {
                conditions.push(format!(
                    "strpos(w.words, {}) > 0",
                    args.text(format!(" {other}"))
                ));
            }
            ("person_word_pairs w", conditions)
        }
    }
}

/// `limit` people having a word that begins with each of `words`, of `site` and born between
/// `born`'s dates when given; the first by name when `by_name`, any otherwise (reading stops
/// at `limit`).
fn named(
    c: &mut Client,
    prepared: &mut Prepared,
    words: &[String],
    site: Option<&str>,
    born: Option<(&str, &str)>,
    by_name: bool,
    limit: i64,
) -> Result<Vec<PersonHit>, StoreError> {
    let words = essential(words);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Args::default();
    let (table, mut conditions) = word_rows(&words, &mut args);
    if let Some((from, to)) = born {
        conditions.push(format!(
            "b.birth_date BETWEEN {} AND {}",
            args.text(from),
            args.text(to)
        ));
    }
    if let Some(site) = site {
        conditions.push(format!("b.site = {}", args.text(site)));
    }
    let order = if by_name {
        "ORDER BY b.last_name, b.first_name, b.dossier"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM {table} JOIN beneficiaries b ON b.dossier = w.dossier
         WHERE {} {order} LIMIT {}",
        conditions.join(" AND "),
        args.limit()
    );
    // A person having two words that begin with the same word typed (`jean jeanne` for
    // `jea`) comes twice (next to each other in `order`): read again with more rows when
    // that left fewer than `limit` people while more rows were there.
    args.limit = limit;
    loop {
        let read = prepared.query(c, &sql, &args.params())?;
        let mut seen = HashSet::new();
        let mut hits = Vec::new();
        for r in &read {
            let hit = hit(r)?;
            if seen.insert(hit.dossier.clone()) {
                hits.push(hit);
            }
        }
        hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        if hits.len() as i64 == limit || (read.len() as i64) < args.limit {
            return Ok(hits);
        }
        args.limit = args.limit.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_text_after_a_beginning() {
        assert_eq!(after("jea").as_deref(), Some("jeb"));
        assert_eq!(after("z").as_deref(), Some("{"));
        assert_eq!(after("é").as_deref(), Some("ê"));
        // No character after the last: the one before it is the one to change.
        assert_eq!(after("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(after("\u{10FFFF}"), None);
        // The surrogates are not characters: the one after U+D7FF is U+E000.
        assert_eq!(after("\u{D7FF}").as_deref(), Some("\u{E000}"));
    }

    #[test]
    fn a_word_typed_that_begins_another_is_implied_by_it() {
        let typed = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            essential(&typed(&["martin", "mart", "jean", "j"])),
            ["martin", "jean"]
        );
        assert_eq!(essential(&typed(&["jean", "jea", "je"])), ["jean"]);
        assert_eq!(essential(&typed(&["lefe", "jea"])), ["lefe", "jea"]);
    }

    #[test]
    fn heads_are_letters_not_bytes() {
        assert_eq!(head("martin"), "mar");
        assert_eq!(head("li"), "li");
        assert_eq!(head("ßøé1"), "ßøé");
    }

    #[test]
    fn every_ordered_pair_of_distinct_words() {
        let words = ["jean".to_string(), "martin".into(), "paul".into()];
        let pairs: Vec<_> = word_pairs(&words).collect();
        assert_eq!(pairs.len(), 6);
        assert!(pairs.contains(&("mar", "jean", "martin")));
        assert!(pairs.contains(&("jea", "martin", "jean")));
        assert_eq!(word_pairs(&words[..1]).count(), 0);
    }

    #[test]
    fn two_words_read_one_range_of_pairs_a_third_one_more() {
        let mut args = Args::default();
        let (table, conditions) = word_rows(&["mart", "jea", "pa"], &mut args);
        assert_eq!(table, "person_word_pairs w");
        assert_eq!(
            conditions.join(" AND "),
            "w.head = $1 AND w.second >= $2 AND w.second < $3 AND w.first >= $4 AND w.first < $5 \
             AND strpos(w.words, $6) > 0"
        );
        assert_eq!(args.texts, ["mar", "jea", "jeb", "mart", "maru", " pa"]);
        assert_eq!(args.limit(), "$7");
        let words = ["christine".to_string(), "le".into(), "roy".into()];
        assert_eq!(spaced(&words), " christine le roy");
        // Fewer than three letters: a range of heads.
        let mut args = Args::default();
        let (_, conditions) = word_rows(&["ma", "j"], &mut args);
        assert_eq!(conditions[0], "w.head >= $1 AND w.head < $2");
        assert_eq!(args.texts, ["ma", "mb", "j", "k", "ma", "mb"]);
        let mut args = Args::default();
        let (table, conditions) = word_rows(&["lefev"], &mut args);
        assert_eq!(table, "person_words w");
        assert_eq!(conditions, ["w.word >= $1 AND w.word < $2"]);
    }
}
