//! What the desk screens read: finding a person, the person's page, the directory.

use crate::StoreError;

/// A person found by the desk search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonHit {
    pub dossier: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: String,
    pub city: String,
    pub deceased: bool,
}

/// A right as the person's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightRow {
    pub id: String,
    pub benefit: String,
    pub monthly_amount: i64,
    pub start: String,
    pub end: String,
    pub status: String,
    pub payee_id: String,
    pub payee_name: String,
    /// The IBAN with all but its last four characters hidden.
    pub iban_end: String,
}

/// A payment made or prepared for one of the person's rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub right_id: String,
    pub month: String,
    pub amount: i64,
    /// Paid on (history) or to be paid on (a run's pay date).
    pub date: String,
    /// `historique`, or the run's identifier and status.
    pub source: String,
}

/// Everything the person's page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonPage {
    pub person: PersonHit,
    pub nir: Option<String>,
    pub address: String,
    pub postal_code: String,
    pub phone: String,
    pub site: String,
    pub death_date: Option<String>,
    pub rights: Vec<RightRow>,
    /// Runs first (the most recent month first), then the history.
    pub payments: Vec<PaymentRow>,
    /// Contacts logged, the most recent first.
    pub contacts: Vec<ContactRow>,
}

/// A contact logged at the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub channel: String,
    pub note: String,
    pub agent: String,
    pub at: String,
}

/// How a person reached the authority.
pub const CHANNELS: &[(&str, &str)] = &[
    ("visite", "Visite"),
    ("telephone", "Téléphone"),
    ("courrier", "Courrier"),
    ("courriel", "Courriel"),
];

/// One line of the directory (`annuaire.csv`), from the core (the documents print it).
pub use relais_core::directory::DirectoryRow;

pub trait DeskStore {
    /// People matching `query`: a file number, a NIR, a birth date (`JJ/MM/AAAA` or
    /// `AAAA-MM-JJ`), or the beginnings of words of the names, accents and case ignored
    /// (`lefev jea` finds Jean-Marc LEFÈVRE). At most `limit`, by name; when more match,
    /// which `limit` are returned is not specified (the screen asks to narrow down).
    /// With `site`, only the people of that site (an agent bound to it: `user add --site`).
    fn search_people(
        &self,
        query: &str,
        limit: usize,
        site: Option<&str>,
    ) -> Result<Vec<PersonHit>, StoreError>;

    /// The page of the person of file `dossier`; with `site`, `None` for a person of another
    /// site (to an agent bound to a site, the others do not exist).
    fn person(&self, dossier: &str, site: Option<&str>) -> Result<Option<PersonPage>, StoreError>;

    /// The directory, by site then service.
    fn directory(&self) -> Result<Vec<DirectoryRow>, StoreError>;

    /// Logs a contact with the person of `dossier` by `actor` (role accueil or instruction),
    /// at `at` (local time); journaled. `None` when there is no such person. The channel is
    /// one of [`CHANNELS`] and the note not empty (the schema refuses anything else). `None`
    /// too when `actor` is bound to a site and the person is of another.
    fn log_contact(
        &mut self,
        actor: &str,
        dossier: &str,
        channel: &str,
        note: &str,
        at: &str,
    ) -> Result<Option<i64>, StoreError>;
}
