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
    /// When the payee's bank details last changed in the source application (`AAAA-MM-JJ`).
    pub iban_changed_on: Option<String>,
    /// Whether an ordonnateur approved the payee's current IBAN (`relais bank approve`).
    pub iban_approved: bool,
}

/// A payment run that is not cancelled, as the person's page needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: String,
    /// `AAAA-MM`.
    pub month: String,
    /// The benefits' codes, comma-separated (`APA_DOM,PCH`).
    pub benefits: String,
    /// `prepared` or `validated`.
    pub status: String,
}

/// One of the person's rights that a run (not cancelled) left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionRow {
    pub run_id: String,
    pub month: String,
    pub right_id: String,
    /// The reason's code (`suspended`, `bank_change_unapproved`…).
    pub reason: String,
    /// The reason in French, as the run's control report gives it.
    pub label: String,
}

/// A change of bank details asked for a payee of one of the person's rights (from the
/// person's page or the payee's), awaiting an ordonnateur's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRequestRow {
    pub id: i64,
    pub payee_id: String,
    /// The new IBAN masked (`FR76…7576`): the desk never shows it whole.
    pub iban_masked: String,
    pub requested_by: String,
    /// Local time, `AAAA-MM-JJ HH:MM:SS` or as the store keeps it.
    pub requested_at: String,
}

/// A row of an import that names the person's file, rejected or accepted with a warning, and
/// whose outcome nobody has recorded yet (`/dossiers/{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblemRow {
    pub id: i64,
    pub file: String,
    pub line: i64,
    /// `rejet` or `avertissement`.
    pub severity: String,
    /// The first problem's message, in French.
    pub problem: String,
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
    /// Every month paid (history) or claimed by a run not cancelled, for each right, the
    /// latest month first, at most [`PAID_MONTHS_KEPT`] (`payments` is the screen's shorter
    /// list).
    pub paid_months: Vec<PaymentRow>,
    /// The runs not cancelled, the latest month first (at most [`RUNS_KEPT`]).
    pub runs: Vec<RunRow>,
    /// What those runs left out of the person's rights.
    pub exclusions: Vec<ExclusionRow>,
    /// Changes of bank details asked for the payees of the person's rights and not decided
    /// yet, oldest first.
    pub bank_requests: Vec<BankRequestRow>,
    /// Import problems about the person's file nobody has handled yet.
    pub import_problems: Vec<ImportProblemRow>,
    /// The account each run that claims one of the person's rights pays, as the run copied it
    /// when prepared: `(run_id, payee_id, last four characters of the IBAN)`. A change approved
    /// since does not change what that run pays.
    pub run_accounts: Vec<(String, String, String)>,
}

/// Months paid kept on a person's page: four rights over four years.
pub const PAID_MONTHS_KEPT: usize = 200;
/// Runs read for a person's page: a year of runs for every benefit, and some more.
pub const RUNS_KEPT: usize = 36;

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
    /// People matching `query`: a file number, a NIR, a birth date (`JJ/MM/AAAA`, `JJMMAAAA`,
    /// `AAAA-MM-JJ`…) or a birth year, alone or with the beginnings of words of the names,
    /// accents and case ignored (`lefev jea` finds Jean-Marc LEFÈVRE, `lefev 1941` only those
    /// born in 1941). At most `limit`, in French alphabetical order (accents and case ignored:
    /// Lévêque among the L's); when more match, which `limit` are returned is not specified
    /// (the screen asks to narrow down).
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

    /// Journals that `actor` (a desk role: accueil, instruction or crise) issued a payment
    /// certificate for the person of `dossier`. `None` when there is no such person, or when
    /// `actor` is bound to a site and the person is of another.
    fn log_certificate(&mut self, actor: &str, dossier: &str) -> Result<Option<()>, StoreError>;
}
