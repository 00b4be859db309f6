//! The desk's reads in SQLite (see [`crate::desk`]).

use super::SqliteStore;
use super::{journal, users};
use crate::StoreError;
use crate::desk::{
    ContactRow, DeskStore, DirectoryRow, PaymentRow, PersonHit, PersonPage, RightRow,
};
use relais_core::roles::Role;
use relais_core::text::search_key;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};
use serde_json::json;

pub(crate) mod person;
pub(crate) mod search;

use search::Lookup;

/// The migration that creates `person_names`, filled from the people already imported.
pub(crate) const PERSON_NAMES_MIGRATION: usize = 8;

/// Word beginnings searched at most (more narrow nothing in practice).
const MAX_WORDS: usize = 6;

/// A person's names as the search index holds them: folded (accents and case ignored), one
/// space between words.
pub(crate) fn name_key(last: &str, first: &str) -> String {
    search_key(&format!("{last} {first}"))
}

/// Merges the search index into one segment: filled row by row, it is left in dozens of
/// segments that every query would read and merge (the desk search is then ~30% faster, and
/// its slowest queries twice as fast, on 1,000,000 people; it takes under a second).
pub(crate) fn optimize_person_names(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("INSERT INTO person_names (person_names) VALUES ('optimize')")?;
    Ok(())
}

pub(crate) fn fill_person_names(conn: &Connection) -> Result<(), StoreError> {
    let mut read = conn.prepare("SELECT dossier, last_name, first_name FROM beneficiaries")?;
    let mut insert = conn.prepare("INSERT INTO person_names (words, dossier) VALUES (?1, ?2)")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let dossier: String = r.get(0)?;
        insert.execute([
            name_key(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?),
            dossier,
        ])?;
    }
    optimize_person_names(conn)
}

/// The FTS5 query that finds the people having a word that begins with each word of `query`:
/// `"lefev"* AND "jea"*`. Words are split as the index's tokenizer splits them (on anything
/// but letters and digits), so every token is plain and quoting it is enough: nothing typed
/// can become FTS5 syntax. `None` when nothing is left to search.
#[cfg(test)]
fn prefix_query(query: &str) -> Option<String> {
    let words = prefix_words(query);
    (!words.is_empty()).then(|| fts_match(&words))
}

/// `"lefev"* AND "jea"*` for the words of [`prefix_words`].
fn fts_match(words: &[String]) -> String {
    let terms: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
    terms.join(" AND ")
}

/// The words of `key` as FTS5's unicode61 tokenizer reads them: runs of letters and digits.
fn tokens(key: &str) -> impl Iterator<Item = &str> {
    key.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The beginnings of words a query searches, folded and split as the index's words, the
/// longest first (they narrow the most), at most [`MAX_WORDS`]; empty when nothing is left
/// to search. PostgreSQL's `person_words` is searched by the same.
pub(crate) fn prefix_words(query: &str) -> Vec<String> {
    let key = search_key(query);
    let mut words: Vec<&str> = tokens(&key).collect();
    words.sort_by_key(|w| (std::cmp::Reverse(w.chars().count()), *w));
    words.dedup();
    words.truncate(MAX_WORDS);
    words.into_iter().map(str::to_owned).collect()
}

/// A person's words as the FTS5 index holds them (the tokens of [`name_key`]), each once:
/// PostgreSQL's `person_words` rows, so that both backends find the same people.
pub(crate) fn name_words(last: &str, first: &str) -> Vec<String> {
    let key = name_key(last, first);
    let mut words: Vec<&str> = tokens(&key).collect();
    words.sort_unstable();
    words.dedup();
    words.into_iter().map(str::to_owned).collect()
}

pub(crate) const HIT_COLUMNS: &str =
    "b.dossier, b.last_name, b.first_name, b.birth_date, b.city, b.death_date IS NOT NULL";

fn hit(r: &Row<'_>) -> rusqlite::Result<PersonHit> {
    Ok(PersonHit {
        dossier: r.get(0)?,
        last_name: r.get(1)?,
        first_name: r.get(2)?,
        birth_date: r.get(3)?,
        city: r.get(4)?,
        deceased: r.get(5)?,
    })
}

impl SqliteStore {
    /// [`DeskStore::search_people`] before the French sort.
    fn find_people(
        &self,
        query: &str,
        limit: usize,
        site: Option<&str>,
    ) -> Result<Vec<PersonHit>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit as i64;
        // `condition` on `b`, then `tail` (order, limit); a site-bound agent's search adds the
        // site as the last parameter, so that nobody of another site is ever returned.
        let collect = |condition: &str, tail: &str, mut args: Vec<String>| {
            let mut sql = format!("SELECT {HIT_COLUMNS} FROM beneficiaries b WHERE ({condition})");
            if let Some(site) = site {
                args.push(site.to_owned());
                sql.push_str(&format!(" AND b.site = ?{}", args.len()));
            }
            sql.push(' ');
            sql.push_str(tail);
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params_from_iter(args.iter()), hit)?;
            Ok::<Vec<PersonHit>, StoreError>(rows.collect::<Result<_, _>>()?)
        };
        let by_name = format!("ORDER BY b.last_name, b.first_name LIMIT {limit}");
        let order = "ORDER BY b.last_name, b.first_name, b.dossier";
        for lookup in search::lookups(query) {
            let found = match lookup {
                Lookup::File(q) => collect("b.dossier = ?1", "", vec![q])?,
                Lookup::Nir(nir, short) => {
                    collect("b.nir = ?1 OR b.nir = ?2", &by_name, vec![nir, short])?
                }
                // Without a name, the first `limit` born then, read without an order (the
                // table has no index by birth date: an order would read it all).
                Lookup::Born(from, to) => collect(
                    "b.birth_date BETWEEN ?1 AND ?2",
                    &format!("LIMIT {limit}"),
                    vec![from, to],
                )?,
                // The index gives everyone with these names, the birth narrows them down.
                Lookup::NamedBorn(words, from, to) => collect(
                    "b.dossier IN (SELECT dossier FROM person_names WHERE person_names MATCH ?1) \
                     AND b.birth_date BETWEEN ?2 AND ?3",
                    &format!("LIMIT {limit}"),
                    vec![fts_match(&words), from, to],
                )?,
                // The site narrows after the index: the first `limit` of the site, by name.
                Lookup::Named(words) if site.is_some() => collect(
                    "b.dossier IN (SELECT dossier FROM person_names WHERE person_names MATCH ?1)",
                    &format!("{order} LIMIT {limit}"),
                    vec![fts_match(&words)],
                )?,
                // At most `limit` matches are taken from the index, whatever their number: a
                // beginning shared by tens of thousands of people costs no more than the first
                // `limit` (the screen then asks to narrow down).
                Lookup::Named(words) => collect(
                    &format!(
                        "b.dossier IN (SELECT dossier FROM person_names WHERE person_names MATCH ?1 \
                         LIMIT {limit})"
                    ),
                    order,
                    vec![fts_match(&words)],
                )?,
            };
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }
}

impl DeskStore for SqliteStore {
    fn search_people(
        &self,
        query: &str,
        limit: usize,
        site: Option<&str>,
    ) -> Result<Vec<PersonHit>, StoreError> {
        let mut hits = self.find_people(query, limit, site)?;
        search::sort_french(&mut hits);
        Ok(hits)
    }

    fn person(&self, dossier: &str, site: Option<&str>) -> Result<Option<PersonPage>, StoreError> {
        let found = self
            .conn
            .query_row(
                &format!(
                    "SELECT {HIT_COLUMNS}, b.nir, b.address, b.postal_code, b.phone, b.site,
                            b.death_date
                     FROM beneficiaries b WHERE b.dossier = ?1 AND (?2 IS NULL OR b.site = ?2)"
                ),
                rusqlite::params![dossier, site],
                |r| {
                    Ok(PersonPage {
                        person: hit(r)?,
                        nir: r.get(6)?,
                        address: r.get(7)?,
                        postal_code: r.get(8)?,
                        phone: r.get(9)?,
                        site: r.get(10)?,
                        death_date: r.get(11)?,
                        rights: Vec::new(),
                        payments: Vec::new(),
                        contacts: Vec::new(),
                        paid_months: Vec::new(),
                        runs: Vec::new(),
                        exclusions: Vec::new(),
                        bank_requests: Vec::new(),
                        import_problems: Vec::new(),
                        run_accounts: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut page) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.benefit, r.monthly_amount, r.start_date, r.end_date, r.status,
                    r.payee_id, p.name, substr(p.iban, -4), p.iban_changed_on,
                    EXISTS (SELECT 1 FROM bank_approvals_current a
                            WHERE a.payee_id = p.id AND a.iban = p.iban)
             FROM rights r JOIN payees p ON p.id = r.payee_id
             WHERE r.dossier = ?1 ORDER BY r.start_date DESC, r.id",
        )?;
        page.rights = stmt
            .query_map([dossier], |r| {
                Ok(RightRow {
                    id: r.get(0)?,
                    benefit: r.get(1)?,
                    monthly_amount: r.get(2)?,
                    start: r.get(3)?,
                    end: r.get(4)?,
                    status: r.get(5)?,
                    payee_id: r.get(6)?,
                    payee_name: r.get(7)?,
                    iban_end: r.get(8)?,
                    iban_changed_on: r.get(9)?,
                    iban_approved: r.get(10)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        // The runs' payments through the person's rights and their claims (by key: a run's
        // lines have no index by person, and a national run has two million of them).
        // Cancelled runs have freed their claims.
        let mut stmt = self.conn.prepare_cached(
            "SELECT right_id, month, amount, date, source FROM (
                 SELECT c.right_id, u.month, c.amount, c.pay_date AS date,
                        u.id || ' (' || u.status || ')' AS source, 0 AS origin
                 FROM rights r JOIN run_claims c ON c.right_id = r.id
                 JOIN runs u ON u.id = c.run_id
                 WHERE r.dossier = ?1 AND u.status <> 'cancelled'
                 UNION ALL
                 SELECT h.right_id, h.month, h.amount, h.paid_on, 'historique', 1
                 FROM past_payments h JOIN rights r ON r.id = h.right_id
                 WHERE r.dossier = ?1)
             ORDER BY origin, month DESC, right_id LIMIT 24",
        )?;
        page.payments = stmt
            .query_map([dossier], payment_row)?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT channel, note, agent, at FROM contacts WHERE dossier = ?1
             ORDER BY id DESC LIMIT 50",
        )?;
        page.contacts = stmt
            .query_map([dossier], |r| {
                Ok(ContactRow {
                    channel: r.get(0)?,
                    note: r.get(1)?,
                    agent: r.get(2)?,
                    at: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        person::fill(&self.conn, dossier, &mut page)?;
        Ok(Some(page))
    }

    fn log_certificate(&mut self, actor: &str, dossier: &str) -> Result<Option<()>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        users::require_any(&tx, actor, &[Role::Accueil, Role::Instruction, Role::Crise])?;
        if !person_of_actors_site(&tx, actor, dossier)? {
            return Ok(None);
        }
        journal::append(
            &tx,
            actor,
            "payment_certificate",
            &json!({ "dossier": dossier }),
        )?;
        tx.commit()?;
        Ok(Some(()))
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
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        users::require_any(&tx, actor, &[Role::Accueil, Role::Instruction])?;
        if !person_of_actors_site(&tx, actor, dossier)? {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO contacts (dossier, channel, note, agent, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![dossier, channel, note.trim(), actor, at],
        )?;
        let id = tx.last_insert_rowid();
        journal::append(
            &tx,
            actor,
            "contact_log",
            &json!({ "contact": id, "dossier": dossier, "channel": channel }),
        )?;
        tx.commit()?;
        Ok(Some(id))
    }

    fn directory(&self) -> Result<Vec<DirectoryRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{DIRECTORY} ORDER BY site, service"))?;
        let rows = stmt.query_map([], directory_row)?;
        let mut rows: Vec<DirectoryRow> = rows.collect::<Result<_, _>>()?;
        // French order (`Étampes` with the E's): SQLite's order is the bytes'.
        rows.sort_by_cached_key(DirectoryRow::french_order);
        Ok(rows)
    }
}

/// Whether the person `dossier` exists and `actor` may see them (an agent bound to a site
/// sees only that site's people).
fn person_of_actors_site(
    conn: &Connection,
    actor: &str,
    dossier: &str,
) -> Result<bool, StoreError> {
    let site = users::site_of(conn, actor)?;
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM beneficiaries
                        WHERE dossier = ?1 AND (?2 IS NULL OR site = ?2))",
        rusqlite::params![dossier, site],
        |r| r.get(0),
    )?)
}

/// A payment of a person's page, from (right, month, amount, date, source).
pub(super) fn payment_row(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        right_id: r.get(0)?,
        month: r.get(1)?,
        amount: r.get(2)?,
        date: r.get(3)?,
        source: r.get(4)?,
    })
}

/// The directory's columns, as [`directory_row`] reads them.
pub(crate) const DIRECTORY: &str = "SELECT site_code, site, service, phone, email, address, hours,
    paper_deposit, public FROM directory";

pub(crate) fn directory_row(r: &Row<'_>) -> rusqlite::Result<DirectoryRow> {
    Ok(DirectoryRow {
        site_code: r.get(0)?,
        site: r.get(1)?,
        service: r.get(2)?,
        phone: r.get(3)?,
        email: r.get(4)?,
        address: r.get(5)?,
        hours: r.get(6)?,
        paper_deposit: r.get(7)?,
        public: r.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_from_before_the_full_text_index_gets_its_people_indexed() {
        let conn = Connection::open_in_memory().expect("open");
        for m in &crate::migrations::MIGRATIONS[..PERSON_NAMES_MIGRATION - 1] {
            conn.execute_batch(m.sqlite).expect("older migration");
        }
        conn.pragma_update(None, "user_version", PERSON_NAMES_MIGRATION - 1)
            .expect("version");
        conn.execute(
            "INSERT INTO beneficiaries (dossier, last_name, first_name, birth_date, address,
                                        postal_code, city, phone, site)
             VALUES ('D1', 'LEFÈVRE', 'Jean-Marc', '1941-07-04', '', '', '', '', 'S1')",
            [],
        )
        .expect("person");
        let store = SqliteStore::setup(conn).expect("migrate");
        let found = store.search_people("lefev jea", 10, None).expect("search");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].dossier, "D1");
    }

    #[test]
    fn names_are_folded() {
        assert_eq!(name_key("LEFÈVRE", "Jean-Marc"), "lefevre jean marc");
        // Split as FTS5's tokenizer splits: on anything but letters and digits, each once.
        assert_eq!(
            name_words("O.BRIEN", "Anne Anne-Marie"),
            ["anne", "brien", "marie", "o"]
        );
        assert_eq!(name_key("D'Alembert", "Anne"), "d alembert anne");
    }

    #[test]
    fn queries_are_plain_quoted_prefixes() {
        assert_eq!(
            prefix_query("Lefèv  JEA").as_deref(),
            Some("\"lefev\"* AND \"jea\"*")
        );
        // FTS5 syntax typed in the box stays text: quotes, stars, operators, parentheses.
        assert_eq!(
            prefix_query("\"a\" OR b* NOT (c) m.dupont").as_deref(),
            Some("\"dupont\"* AND \"not\"* AND \"or\"* AND \"a\"* AND \"b\"* AND \"c\"*")
        );
        assert_eq!(prefix_query(" -- ' ").as_deref(), None);
    }
}
