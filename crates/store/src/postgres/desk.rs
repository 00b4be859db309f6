//! The desk on PostgreSQL (see [`crate::desk`] and `sqlite/desk.rs`): the search
//! (`desk/search.rs`), the person's page, the directory, the contacts and certificates logged.

mod person;
pub(super) mod search;

use super::{PgStore, journal, users, write};
use crate::StoreError;
use crate::desk::{ContactRow, DeskStore, DirectoryRow, PersonHit, PersonPage};
use crate::sqlite::desk::DIRECTORY;
use crate::sqlite::desk::search::sort_french;
use postgres::GenericClient;
use relais_core::roles::Role;
use serde_json::json;

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

/// A row of [`DIRECTORY`] (the directory is read by the desk and by the crisis cell).
pub(super) fn directory_row(r: &postgres::Row) -> Result<DirectoryRow, StoreError> {
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
        let mut searches = self.searches.try_borrow_mut().map_err(|_| {
            StoreError::Busy("recherche PostgreSQL déjà en cours sur cette connexion".into())
        })?;
        let mut hits = search::find_people(&mut *self.conn()?, &mut searches, query, limit, site)?;
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
