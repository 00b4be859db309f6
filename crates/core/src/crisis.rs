//! The crisis cell's domain, pure: the kinds of main courante entries, the incident's facts,
//! the 72-hour CNIL clock ([`cnil`]), the remediation workflow of systems ([`systems`]),
//! tasks, and the plain data that the store returns and the documents print.

pub mod cnil;
pub mod systems;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use systems::{Criticality, SystemStatus, TransitionError};

/// Matches a French word typed by an agent: case, accents, spaces and `_`/`-` ignored.
pub(crate) fn same_word(typed: &str, word: &str) -> bool {
    let fold = |s: &str| -> String {
        crate::text::search_key(s)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    fold(typed) == fold(word)
}

/// Defines a closed list of French words: stored as `as_str`, shown as `label_fr`, typed in
/// either spelling.
macro_rules! french_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The French label for screens and documents.
            pub fn label_fr(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Either spelling, accents and case ignored.
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|k| $crate::crisis::same_word(s, k.as_str()) || $crate::crisis::same_word(s, k.label_fr()))
            }

            /// The labels, for an error message that lists what is accepted.
            pub fn expected() -> String {
                Self::ALL.iter().map(|k| k.label_fr()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label_fr())
            }
        }
    };
}
pub(crate) use french_enum;

french_enum! {
    /// What a main courante entry records (ANSSI, « Attaques par rançongiciels », 2020).
    EntryKind {
        Decision => ("decision", "décision"),
        Action => ("action", "action"),
        Information => ("information", "information"),
        Communication => ("communication", "communication"),
    }
}

french_enum! {
    /// Where a crisis task stands.
    TaskStatus {
        Todo => ("a_faire", "à faire"),
        Doing => ("en_cours", "en cours"),
        Done => ("fait", "fait"),
        Dropped => ("abandonne", "abandonné"),
    }
}

impl TaskStatus {
    /// Still to be done: counts for the overdue list.
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Todo | TaskStatus::Doing)
    }
}

french_enum! {
    /// The dated facts of the incident. Each may be recorded again (a revision); every
    /// revision is kept.
    FactKind {
        Start => ("debut", "début de l'attaque"),
        Detection => ("detection", "détection"),
        Awareness => ("prise_de_connaissance", "prise de connaissance"),
        Containment => ("confinement", "confinement"),
        Complaint => ("plainte", "plainte déposée"),
        Anssi => ("anssi", "contact ANSSI / CERT-FR"),
        Ransom => ("rancon", "demande de rançon"),
    }
}

/// The longest free text an agent may type in the crisis cell's records, in characters.
pub const MAX_TEXT: usize = 4000;

/// The official advice shown beside a ransom demand (ANSSI, CNIL, ministère de l'Intérieur).
pub const RANSOM_ADVICE: &str = "Ne jamais payer la rançon : le paiement ne garantit ni la \
    restitution des données ni l'absence de nouvelle attaque, et finance les attaquants \
    (ANSSI, cybermalveillance.gouv.fr).";

/// What an agent writes in the main courante.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryContent {
    pub kind: EntryKind,
    pub text: String,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
    pub system: Option<String>,
    pub site: Option<String>,
    /// SHA-256 of a document, in lowercase hexadecimal.
    pub document: Option<String>,
}

impl EntryContent {
    /// An entry of `kind` saying `text`, referring to nothing.
    pub fn new(kind: EntryKind, text: impl Into<String>) -> EntryContent {
        EntryContent {
            kind,
            text: text.into(),
            corrects: None,
            system: None,
            site: None,
            document: None,
        }
    }
}

/// A new main courante entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// When the fact happened; by default when it is written.
    pub at: Option<Timestamp>,
    pub content: EntryContent,
}

/// One main courante entry, as recorded: never changed, never removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: i64,
    /// When the fact happened (the author's time, by default when it was written).
    pub at: Timestamp,
    pub author: String,
    pub content: EntryContent,
    /// The journal event written with it: its sequence number and hash.
    pub journal_seq: u64,
    pub journal_hash: String,
}

/// Why a new entry, fact or task is refused. French, for the agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct InputError {
    pub field: &'static str,
    pub message: String,
}

pub(crate) fn input_error(field: &'static str, message: impl Into<String>) -> InputError {
    InputError {
        field,
        message: message.into(),
    }
}

/// A free text: trimmed, not empty, at most `max` characters, no control character but line
/// breaks and tabs.
pub fn parse_text(field: &'static str, s: &str, max: usize) -> Result<String, InputError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(input_error(field, "le texte est vide"));
    }
    if t.chars().count() > max {
        return Err(input_error(
            field,
            format!("texte trop long ({max} caractères au plus)"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(input_error(
            field,
            "le texte contient des caractères de contrôle",
        ));
    }
    Ok(t.to_owned())
}

/// A SHA-256 as 64 hexadecimal digits, lowercased.
pub fn parse_sha256(s: &str) -> Result<String, InputError> {
    let t = s.trim().to_ascii_lowercase();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err(input_error(
            "--document",
            format!(
                "empreinte SHA-256 illisible « {} » (64 chiffres hexadécimaux)",
                s.trim()
            ),
        ))
    }
}

/// What is known of one fact of the incident: a new revision.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NewFact {
    pub at: Option<Timestamp>,
    /// The time is an estimate (the start of an attack often is).
    pub estimate: bool,
    /// Where (a complaint: the police station or the prosecutor).
    pub place: Option<String>,
    /// A reference (complaint number, ANSSI ticket).
    pub reference: Option<String>,
    /// Ransom demanded (for [`FactKind::Ransom`]).
    pub answer: Option<bool>,
    pub note: Option<String>,
}

/// The revision of one fact of the incident, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub id: i64,
    pub kind: FactKind,
    pub value: NewFact,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

french_enum! {
    /// A notification to the CNIL: the first, or one that completes it (RGPD art. 33.4).
    NotificationKind {
        Initial => ("initiale", "initiale"),
        Complementary => ("complementaire", "complémentaire"),
    }
}

/// What the CNIL asks in a notification of a personal-data breach (RGPD art. 33.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub kind: NotificationKind,
    /// Nature of the breach.
    pub nature: String,
    pub people_categories: String,
    pub people_count: u64,
    pub record_categories: String,
    pub record_count: u64,
    pub consequences: String,
    pub measures: String,
    pub dpo_contact: String,
    pub sent_at: Timestamp,
    /// The CNIL's reference (given on the first notification).
    pub reference: Option<String>,
    /// Why it was sent after the 72 hours (RGPD art. 33.1); required then, by the store.
    pub delay_reasons: Option<String>,
}

/// A notification as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedNotification {
    pub id: i64,
    pub notification: Notification,
    pub recorded_by: String,
}

/// Every fact's revisions (the latest last) and the notifications: the incident as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Incident {
    pub facts: Vec<Fact>,
    pub notifications: Vec<RecordedNotification>,
}

impl Incident {
    /// The latest revision of `kind`.
    pub fn current(&self, kind: FactKind) -> Option<&Fact> {
        self.facts.iter().rev().find(|f| f.kind == kind)
    }

    /// Every revision of `kind`, oldest first.
    pub fn revisions(&self, kind: FactKind) -> impl Iterator<Item = &Fact> {
        self.facts.iter().filter(move |f| f.kind == kind)
    }
}

/// A system or application of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct System {
    pub id: String,
    pub name: String,
    pub function: String,
    pub criticality: Criticality,
    pub owner: String,
    pub site: Option<String>,
    pub status: SystemStatus,
    pub status_at: Timestamp,
    pub status_by: String,
}

/// A system to add or describe again (import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSystem {
    pub id: String,
    pub name: String,
    pub function: String,
    pub criticality: Criticality,
    pub owner: String,
    pub site: Option<String>,
    /// The status of a system not yet known (an existing one keeps its own).
    pub status: SystemStatus,
}

/// A change of a system's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub system: String,
    pub from: Option<SystemStatus>,
    pub to: SystemStatus,
    pub at: Timestamp,
    pub by: String,
    pub note: Option<String>,
    /// The main courante entry written with it.
    pub entry: Option<i64>,
}

/// What a dashboard shows of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SystemsSummary {
    /// Every status with its count, in workflow order (zeros included).
    pub by_status: Vec<(SystemStatus, u64)>,
    /// The critical systems not restored yet.
    pub critical_not_restored: Vec<System>,
}

/// A task of the crisis cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub due: Option<Timestamp>,
    pub status: TaskStatus,
    pub created_by: String,
}

impl Task {
    /// Open, with its due time passed at `now`.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status.is_open() && self.due.is_some_and(|d| d < now)
    }
}

/// The crisis cell's message to the public: what is affected and what is guaranteed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicMessage {
    /// One item a line.
    pub affected: String,
    pub guaranteed: String,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

impl PublicMessage {
    /// The non-empty lines of a text, each an item of a list.
    pub fn items(text: &str) -> impl Iterator<Item = &str> {
        text.lines()
            .map(|l| l.trim().trim_start_matches(['-', '•', '*']).trim())
            .filter(|l| !l.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_typed_in_either_spelling() {
        assert_eq!(EntryKind::parse("décision"), Some(EntryKind::Decision));
        assert_eq!(EntryKind::parse("DECISION"), Some(EntryKind::Decision));
        assert_eq!(EntryKind::parse("rumeur"), None);
        assert_eq!(TaskStatus::parse("à faire"), Some(TaskStatus::Todo));
        assert_eq!(TaskStatus::parse("a_faire"), Some(TaskStatus::Todo));
        assert_eq!(TaskStatus::parse("abandonné"), Some(TaskStatus::Dropped));
        assert_eq!(
            FactKind::parse("prise de connaissance"),
            Some(FactKind::Awareness)
        );
    }

    #[test]
    fn texts_and_hashes_are_checked() {
        assert!(parse_text("--text", "  ", 10).is_err());
        assert!(parse_text("--text", "onze lettres", 10).is_err());
        assert!(parse_text("--text", "a\u{7}b", 10).is_err());
        assert_eq!(parse_text("--text", " a\nb ", 10).as_deref(), Ok("a\nb"));
        let h = "AB".repeat(32);
        assert_eq!(parse_sha256(&h), Ok("ab".repeat(32)));
        assert!(parse_sha256("abc").is_err());
        assert!(parse_sha256(&"g".repeat(64)).is_err());
    }

    #[test]
    fn a_task_is_overdue_only_while_open() {
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().expect("ts");
        let mut t = Task {
            id: 1,
            title: "Rappeler la paierie".into(),
            owner: "DGS".into(),
            due: Some("2026-11-22T09:00:00Z".parse().expect("ts")),
            status: TaskStatus::Doing,
            created_by: "crise".into(),
        };
        assert!(t.is_overdue(now));
        t.status = TaskStatus::Done;
        assert!(!t.is_overdue(now));
        t.status = TaskStatus::Todo;
        t.due = None;
        assert!(!t.is_overdue(now));
    }

    #[test]
    fn message_items_are_lines() {
        let items: Vec<_> = PublicMessage::items("- APA\n\n• PCH \nASH").collect();
        assert_eq!(items, ["APA", "PCH", "ASH"]);
    }
}
