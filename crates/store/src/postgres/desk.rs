//! The desk on PostgreSQL (see [`crate::desk`] and `sqlite/desk.rs`): the search, the
//! person's page, the directory, the contacts and certificates logged.
//!
//! The search reads what was typed as SQLite does (`sqlite/desk/search.rs`'s [`lookups`]) and
//! finds the same people: SQLite's FTS5 index of the folded names is the table
//! `person_words(dossier, word)` here, one row per word of the person's folded names
//! (`sqlite::desk::name_words`), and a query keeps the people having, for each word typed, a
//! word beginning with it (`word LIKE 'lefev%'`: the shortest beginning's rows joined to
//! their people, one `IN` for each other word typed; see [`named`]). Results are put in
//! French order by the same Rust as SQLite's.
//!
//! Plans: every query is sent as an unnamed statement, prepared and run once, so PostgreSQL
//! plans it knowing its parameters (a custom plan, always: `plan_cache_mode` only matters for
//! a statement prepared once and run many times, which the driver never does here). Knowing
//! the pattern `lefev%`, the planner turns the LIKE into a range of `person_words_prefix`
//! (`word ~>=~ 'lefev' AND word ~<~ 'lefew'`); with a generic plan it could not, and would
//! scan the table.

mod person;

use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::desk::{ContactRow, DeskStore, DirectoryRow, PersonHit, PersonPage};
use crate::sqlite::desk::search::{Lookup, lookups, sort_french};
use crate::sqlite::desk::{DIRECTORY, HIT_COLUMNS};
use postgres::types::ToSql;
use postgres::{Client, GenericClient};
use relais_core::roles::Role;
use serde_json::json;

/// `word` as the beginning of a LIKE pattern: `%`, `_` and the escape character `\` (LIKE's
/// default) stand for themselves. The words searched are letters and digits only (split as
/// the index's words), so this changes nothing today; it keeps anything typed from ever
/// becoming a pattern.
fn like_prefix(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 1);
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The condition that each of `words` begins one of the words of the person whose file is
/// `file` (a column), its parameters numbered from `$first`; and those parameters.
fn words_condition(file: &str, words: &[String], first: usize) -> (String, Vec<String>) {
    let condition = (first..first + words.len())
        .map(|n| format!("{file} IN (SELECT dossier FROM person_words WHERE word LIKE ${n})"))
        .collect::<Vec<_>>()
        .join(" AND ");
    (condition, words.iter().map(|w| like_prefix(w)).collect())
}

pub(super) fn hit(r: &postgres::Row) -> Result<PersonHit, StoreError> {
    Ok(PersonHit {
        dossier: r.try_get(0)?,
        last_name: r.try_get(1)?,
        first_name: r.try_get(2)?,
        birth_date: r.try_get(3)?,
        city: r.try_get(4)?,
        deceased: r.try_get(5)?,
    })
}

/// [`DeskStore::search_people`] before the French sort (as SQLite's `find_people`).
fn find_people(
    c: &mut Client,
    query: &str,
    limit: usize,
    site: Option<&str>,
) -> Result<Vec<PersonHit>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    // `condition` on `b`, then `tail` (order, limit); a site-bound agent's search adds the
    // site as the last parameter, so that nobody of another site is ever returned.
    let collect = |c: &mut Client, condition: &str, tail: &str, mut args: Vec<String>| {
        let mut sql = format!("SELECT {HIT_COLUMNS} FROM beneficiaries b WHERE ({condition})");
        if let Some(site) = site {
            args.push(site.to_owned());
            sql.push_str(&format!(" AND b.site = ${}", args.len()));
        }
        sql.push(' ');
        sql.push_str(tail);
        let params: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        c.query(&sql, &params)?
            .iter()
            .map(hit)
            .collect::<Result<Vec<_>, _>>()
    };
    let limit = limit as i64;
    for lookup in lookups(query) {
        let found = match lookup {
            Lookup::File(q) => collect(c, "b.dossier = $1", "", vec![q])?,
            Lookup::Nir(nir, short) => collect(
                c,
                "b.nir = $1 OR b.nir = $2",
                &format!("ORDER BY b.last_name, b.first_name LIMIT {limit}"),
                vec![nir, short],
            )?,
            // Without a name, the first `limit` born then, in no order (no index by birth
            // date, as on SQLite).
            Lookup::Born(from, to) => collect(
                c,
                "b.birth_date BETWEEN $1 AND $2",
                &format!("LIMIT {limit}"),
                vec![from, to],
            )?,
            // The birth narrows the people of these names down: any `limit` of them.
            Lookup::NamedBorn(words, from, to) => {
                let mut filter = vec!["b.birth_date BETWEEN $1 AND $2".to_owned()];
                let mut args = vec![from, to];
                if let Some(site) = site {
                    args.push(site.to_owned());
                    filter.push(format!("b.site = ${}", args.len()));
                }
                named(c, &words, &filter, args, "", limit)?
            }
            // The first `limit` of the site by name, as on SQLite.
            Lookup::Named(words) if let Some(site) = site => named(
                c,
                &words,
                &["b.site = $1".to_owned()],
                vec![site.to_owned()],
                "ORDER BY b.last_name, b.first_name, b.dossier",
                limit,
            )?,
            // Any `limit` of those matching, whatever their number (SQLite takes the index's
            // first `limit`): the French sort orders them after.
            Lookup::Named(words) => named(c, &words, &[], Vec::new(), "", limit)?,
        };
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// `limit` people having a word that begins with each of `words` and meeting `filter` on
/// `b` (its parameters `args`, numbered from `$1`), the first in `order` when given, any
/// otherwise. The index's rows for the shortest beginning (the most people, usually) are read
/// in the index's order, each joined to its person, keeping those that have the other
/// beginnings too: those are looked up in the index's rows for each, hashed (the longer
/// beginnings have the fewer people). Without an order, reading stops at `limit`. About 5 ms
/// for `mart jea` on 1,000,000 people when the index holds the files too (`INCLUDE
/// (dossier)`: no table read), about 40 ms when the table must be read for them.
fn named(
    c: &mut Client,
    words: &[String],
    filter: &[String],
    mut args: Vec<String>,
    order: &str,
    limit: i64,
) -> Result<Vec<PersonHit>, StoreError> {
    let Some((shortest, others)) = words.split_last() else {
        return Ok(Vec::new());
    };
    args.push(like_prefix(shortest));
    let mut conditions = vec![format!("w.word LIKE ${}", args.len())];
    let (others, others_args) = words_condition("w.dossier", others, args.len() + 1);
    if !others.is_empty() {
        conditions.push(others);
    }
    args.extend(others_args);
    conditions.extend(filter.iter().cloned());
    let conditions = conditions.join(" AND ");
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
    // A person having two words with the shortest beginning (`jean jeanne` for `jea`) comes
    // twice (next to each other in `order`): read again with more rows when that left fewer
    // than `limit` people while more rows were there.
    let mut rows = limit;
    loop {
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM person_words w JOIN beneficiaries b ON b.dossier = w.dossier
             WHERE {conditions} {order} LIMIT {rows}"
        );
        let read = c.query(&sql, &params)?;
        let mut seen = std::collections::HashSet::new();
        let mut hits = Vec::new();
        for r in &read {
            let hit = hit(r)?;
            if seen.insert(hit.dossier.clone()) {
                hits.push(hit);
            }
        }
        hits.truncate(limit as usize);
        if hits.len() as i64 == limit || (read.len() as i64) < rows {
            return Ok(hits);
        }
        rows = rows.saturating_mul(2);
    }
}

/// Whether the person `dossier` exists and `actor` may see them (an agent bound to a site
/// sees only that site's people).
fn person_of_actors_site(
    c: &mut impl GenericClient,
    actor: &str,
    dossier: &str,
) -> Result<bool, StoreError> {
    let site = users::get(c, actor)?.and_then(|u| u.site);
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM beneficiaries
                        WHERE dossier = $1 AND ($2::text IS NULL OR site = $2))",
        &[&dossier, &site],
    )?
    .try_get(0)?)
}

fn directory_row(r: &postgres::Row) -> Result<DirectoryRow, StoreError> {
    Ok(DirectoryRow {
        site_code: r.try_get(0)?,
        site: r.try_get(1)?,
        service: r.try_get(2)?,
        phone: r.try_get(3)?,
        email: r.try_get(4)?,
        address: r.try_get(5)?,
        hours: r.try_get(6)?,
        paper_deposit: r.try_get::<_, i64>(7)? != 0,
        public: r.try_get::<_, i64>(8)? != 0,
    })
}

impl DeskStore for PgStore {
    fn search_people(
        &self,
        query: &str,
        limit: usize,
        site: Option<&str>,
    ) -> Result<Vec<PersonHit>, StoreError> {
        let mut hits = find_people(&mut *self.conn()?, query, limit, site)?;
        sort_french(&mut hits);
        Ok(hits)
    }

    fn person(&self, dossier: &str, site: Option<&str>) -> Result<Option<PersonPage>, StoreError> {
        person::page(&mut *self.conn()?, dossier, site)
    }

    fn directory(&self) -> Result<Vec<DirectoryRow>, StoreError> {
        let rows = self
            .conn()?
            .query(&format!("{DIRECTORY} ORDER BY site, service"), &[])?;
        let mut rows = rows
            .iter()
            .map(directory_row)
            .collect::<Result<Vec<_>, _>>()?;
        // French order (`Étampes` with the E's), as on SQLite.
        rows.sort_by_cached_key(DirectoryRow::french_order);
        Ok(rows)
    }

    fn log_contact(
        &mut self,
        actor: &str,
        dossier: &str,
        channel: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<i64>, StoreError> {
        // The table's CHECKs refuse an unknown channel or an empty note; callers check first
        // to say it in words.
        let mut tx = write(self.client.get_mut())?;
        users::require_any(&mut tx, actor, &[Role::Accueil, Role::Instruction])?;
        if !person_of_actors_site(&mut tx, actor, dossier)? {
            return Ok(None);
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO contacts (dossier, channel, note, agent, at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&dossier, &channel, &note.trim(), &actor, &at],
            )?
            .try_get(0)?;
        journal::append(
            &mut tx,
            actor,
            "contact_log",
            &json!({ "contact": id, "dossier": dossier, "channel": channel }),
        )?;
        tx.commit()?;
        Ok(Some(id))
    }

    fn log_certificate(&mut self, actor: &str, dossier: &str) -> Result<Option<()>, StoreError> {
        let mut tx = write(self.client.get_mut())?;
        users::require_any(
            &mut tx,
            actor,
            &[Role::Accueil, Role::Instruction, Role::Crise],
        )?;
        if !person_of_actors_site(&mut tx, actor, dossier)? {
            return Ok(None);
        }
        journal::append(
            &mut tx,
            actor,
            "payment_certificate",
            &json!({ "dossier": dossier }),
        )?;
        tx.commit()?;
        Ok(Some(()))
    }
}

/// The contacts of a person's page, the most recent first.
pub(super) fn contacts(
    c: &mut impl GenericClient,
    dossier: &str,
) -> Result<Vec<ContactRow>, StoreError> {
    c.query(
        "SELECT channel, note, agent, at FROM contacts WHERE dossier = $1
         ORDER BY id DESC LIMIT 50",
        &[&dossier],
    )?
    .iter()
    .map(|r| {
        Ok(ContactRow {
            channel: r.try_get(0)?,
            note: r.try_get(1)?,
            agent: r.try_get(2)?,
            at: r.try_get(3)?,
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_never_a_pattern() {
        assert_eq!(like_prefix("lefev"), "lefev%");
        assert_eq!(like_prefix("a%b_c\\"), "a\\%b\\_c\\\\%");
    }

    #[test]
    fn one_condition_per_word() {
        let (sql, args) = words_condition("b.dossier", &["lefev".into(), "jea".into()], 3);
        assert_eq!(
            sql,
            "b.dossier IN (SELECT dossier FROM person_words WHERE word LIKE $3) AND \
             b.dossier IN (SELECT dossier FROM person_words WHERE word LIKE $4)"
        );
        assert_eq!(args, ["lefev%", "jea%"]);
    }
}
