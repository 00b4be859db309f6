//! What can go wrong in a service, typed so that each front end renders it its own way: the
//! web a status and a French page, the command line a French message and an exit code.
//! `Display` is English, for logs; [`AppError::french`] is what an agent reads.

use relais_core::deposits::ChronoNumber;
use relais_core::run::{RunId, RunStatus};
use relais_formats::payments::{CheckError, PaymentFileError};
use relais_store::StoreError;
use relais_store::runs::RunStoreError;
use std::error::Error;
use std::path::PathBuf;

/// What a service did not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Run(RunId),
    Deposit(ChronoNumber),
    /// A change of an agent's situation.
    PayrollChange(u64),
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Run(id) => write!(f, "payment run {id}"),
            Missing::Deposit(n) => write!(f, "deposit {n}"),
            Missing::PayrollChange(n) => write!(f, "payroll change {n}"),
        }
    }
}

/// A rule of who may do what refused the request.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Exporting takes the role liquidation or ordonnateur, and an account that is enabled.
    #[error("user {0:?} may not export a payment run")]
    MayNotExport(String),
    /// Registering a deposit takes the role courrier or accueil.
    #[error("user {0:?} has neither role courrier nor accueil")]
    NotDeskAgent(String),
    /// The store's rule: a role missing, an unknown or disabled user, the preparer validating.
    #[error(transparent)]
    Store(RunStoreError),
    /// Regularising a run takes the role ordonnateur, and an account that is enabled.
    #[error("user {0:?} may not regularise a payment run")]
    MayNotRegularise(String),
}

/// What a file operation was doing, in French for the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    CreateFolder,
    Create,
    TemporaryFile,
    Read,
    Write,
    Sync,
    Rename,
    SyncFolder,
    /// Setting who may read a file or folder.
    Permissions,
}

impl IoAction {
    fn french(self) -> &'static str {
        match self {
            IoAction::CreateFolder => "création du dossier",
            IoAction::Create => "création de",
            IoAction::TemporaryFile => "fichier temporaire dans",
            IoAction::Read => "lecture de",
            IoAction::Write => "écriture de",
            IoAction::Sync => "synchronisation de",
            IoAction::Rename => "renommage vers",
            IoAction::SyncFolder => "synchronisation du dossier",
            IoAction::Permissions => "droits de",
        }
    }

    fn english(self) -> &'static str {
        match self {
            IoAction::CreateFolder => "creating folder",
            IoAction::Create => "creating",
            IoAction::TemporaryFile => "temporary file in",
            IoAction::Read => "reading",
            IoAction::Write => "writing",
            IoAction::Sync => "syncing",
            IoAction::Rename => "renaming to",
            IoAction::SyncFolder => "syncing folder",
            IoAction::Permissions => "setting permissions of",
        }
    }
}

/// Why a service failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0} not found")]
    NotFound(Missing),
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A value given by the agent or read from the settings is not acceptable.
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("payment run {run} is {status:?}: only a validated run is exported")]
    NotValidated { run: RunId, status: RunStatus },
    #[error("data folder {0} not initialised (no settings.toml)")]
    NotInitialised(PathBuf),
    /// No `[payments]` section: in the file named, or in the settings the server was given.
    #[error("no [payments] section in the settings")]
    NoPaymentSettings { settings: Option<PathBuf> },
    #[error("settings {path} unreadable")]
    SettingsUnreadable {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("settings {path} invalid: {message}")]
    SettingsInvalid { path: PathBuf, message: String },
    #[error("settings could not be written")]
    SettingsUnwritable(#[source] toml::ser::Error),
    /// What the store's rules refused that is not about who: a run's state, the month,
    /// nothing to pay, the numbering not confirmed…
    #[error("payment run")]
    Run(#[source] RunStoreError),
    #[error("store")]
    Store(#[source] StoreError),
    #[error("opening {}", .path.display())]
    Opening {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    #[error("{} {}", .action.english(), .path.display())]
    Io {
        action: IoAction,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A document or a file could not be written (its writer says why).
    #[error("writing {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },
    #[error("payment file")]
    PaymentFile(#[from] PaymentFileError),
    /// What the store refused of a run's regularisation, in its own French.
    #[error("regularisation")]
    Regularisation(#[source] relais_store::regularisation::RegularisationError),
    /// Our own reading of a payment file just written refused it: it keeps its temporary name.
    #[error("check of payment file {file} failed")]
    Check {
        file: String,
        #[source]
        source: CheckError,
    },
    #[error("receipt signing key {} unreadable", .path.display())]
    KeyUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key {} invalid: {message}", .path.display())]
    KeyInvalid { path: PathBuf, message: String },
    /// No receipt was signed in this data folder yet: no public key file.
    #[error("public key {} unreadable", .path.display())]
    NoPublicKey {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("mapping profile {} unreadable", .path.display())]
    ProfileUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("mapping profile {} invalid", .path.display())]
    ProfileInvalid {
        path: PathBuf,
        #[source]
        source: relais_formats::profile::ProfileError,
    },
    #[error("deposit kinds {} unreadable", .path.display())]
    DepositRulesUnreadable {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("deposit kinds {} invalid: {message}", .path.display())]
    DepositRulesInvalid { path: PathBuf, message: String },
    /// A deposit number that is not one (`2026-000017`); the text says why.
    #[error("deposit number: {0}")]
    DepositNumber(String),
    /// The service that handles a kind lacks a contact detail its receipt must print.
    #[error("deposit service incomplete: {0}")]
    NoService(String),
    /// What the register refused (a deposit, a cancellation), in its own French.
    #[error("deposit register")]
    Deposit(#[source] relais_store::deposits::DepositStoreError),
    /// An IBAN or a BIC typed that cannot be read; the text says which and why.
    #[error("bank details: {0}")]
    BankDetails(String),
    /// What the store refused of a change of bank details, in its own French.
    #[error("bank change")]
    Bank(#[source] relais_store::bank::BankChangeError),
    /// What the crisis cell's store refused (input, a transition the workflow forbids, who may
    /// write, an unknown system or task…), in its own French.
    #[error("crisis cell")]
    Crisis(#[source] relais_store::crisis::CrisisError),
    /// A step of an invoice's life refused (who may, in which state, which amount), in the
    /// store's and the lifecycle's own French.
    #[error("invoice step")]
    Invoice(#[source] relais_store::invoices::InvoiceError),
    /// A systems' inventory with errors: nothing imported; each error with file:line:column.
    #[error("systems inventory refused ({} errors)", .0.len())]
    Inventory(Vec<relais_formats::systems::SystemsError>),
    /// A file of invoice steps with errors: nothing recorded; each error with
    /// file:line:column.
    #[error("invoice steps file refused ({} errors)", .0.len())]
    StepsFile(Vec<relais_formats::table::CellError>),
    #[error("receipt not written")]
    Receipt(#[source] Box<dyn Error + Send + Sync>),
    #[error("no rules for deposit kind {0}")]
    NoKindRules(relais_core::deposits::DepositKind),
    /// An export's own consistency check failed (a bug, or a store that changed under it); the
    /// French text says which.
    #[error("export stopped: {0}")]
    Inconsistent(String),
    /// The journal's hand-back refused (an export's folder, a tampered or unreadable export, a
    /// gap or a fork), in French: which file, line and event, and why.
    #[error("journal hand-back: {0}")]
    Handback(String),
    /// The accountant's return file could not be read (where and why, in its own French);
    /// nothing was changed.
    #[error("accountant's return {}: {}", .path.display(), .source.message_en())]
    PesReturn {
        path: PathBuf,
        #[source]
        source: relais_formats::pes_return::ReturnError,
    },
}

impl AppError {
    /// The message for an agent, in French: what, where, and what to do.
    pub fn french(&self) -> String {
        match self {
            AppError::NotFound(Missing::Run(id)) => format!("aucun paiement {id}"),
            AppError::NotFound(Missing::Deposit(n)) => {
                format!("aucun dépôt n° {n} dans le registre")
            }
            AppError::NotFound(Missing::PayrollChange(n)) => {
                format!("aucune demande de changement n° {n}")
            }
            AppError::Refused(Refusal::NotDeskAgent(user)) => {
                format!("l'utilisateur « {user} » n'a ni le rôle courrier ni le rôle accueil")
            }
            AppError::DepositNumber(why) | AppError::NoService(why) => why.clone(),
            AppError::Deposit(e) => chain(e),
            AppError::BankDetails(why) => why.clone(),
            AppError::Bank(e) => chain(e),
            AppError::Crisis(e) => chain(e),
            AppError::Invoice(e) => chain(e),
            AppError::Inventory(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!(
                    "inventaire refusé, rien n'est importé :\n{}",
                    lines.join("\n")
                )
            }
            AppError::PesReturn { path, source } => format!(
                "{}, {source} : fichier illisible, rien n'a été modifié",
                path.display()
            ),
            AppError::StepsFile(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!(
                    "fichier refusé, aucune étape n'est enregistrée :\n{}",
                    lines.join("\n")
                )
            }
            AppError::Receipt(e) => chain(e.as_ref()),
            AppError::Refused(Refusal::MayNotExport(user)) => format!(
                "l'utilisateur « {user} » ne peut pas exporter un paiement (rôle liquidation ou ordonnateur)"
            ),
            AppError::Refused(Refusal::Store(e)) | AppError::Run(e) => chain(e),
            AppError::Refused(Refusal::MayNotRegularise(user)) => format!(
                "l'utilisateur « {user} » ne peut pas régulariser un paiement (rôle ordonnateur)"
            ),
            AppError::Regularisation(e) => chain(e),
            AppError::Invalid { field, message } => format!("{field} : {message}"),
            AppError::NotValidated { run, status } => format!(
                "le paiement {run} est {} : seul un paiement validé s'exporte (relais run validate)",
                status.label_fr()
            ),
            AppError::NotInitialised(path) => format!(
                "le dossier de données {} n'est pas initialisé (pas de settings.toml) : lancez « relais init » ou « relais demo »",
                path.display()
            ),
            AppError::NoPaymentSettings { settings: Some(path) } => format!(
                "paramètres de paiement absents : ajoutez la section [payments] à {} (voir docs/runbook.md)",
                path.display()
            ),
            AppError::NoPaymentSettings { settings: None } => {
                "paramètres de paiement absents : la section [payments] manque aux paramètres (voir docs/runbook.md)".into()
            }
            AppError::SettingsUnreadable { path, source } => {
                format!("{} illisible: {}", path.display(), chain(source))
            }
            AppError::SettingsInvalid { path, message } => {
                format!("{} : {message}", path.display())
            }
            AppError::SettingsUnwritable(e) => format!("paramètres: {}", chain(e)),
            AppError::Store(e) => chain(e),
            AppError::Opening { path, source } => {
                format!("ouverture de {}: {}", path.display(), chain(source))
            }
            AppError::Io {
                action,
                path,
                source,
            } => format!("{} {}: {}", action.french(), path.display(), chain(source)),
            AppError::Write { path, source } => {
                format!("écriture de {}: {}", path.display(), chain(source.as_ref()))
            }
            AppError::PaymentFile(e) => chain(e),
            AppError::Check { file, source } => {
                format!("contrôle du fichier {file} : {}", chain(source))
            }
            AppError::Inconsistent(why) | AppError::Handback(why) => why.clone(),
            AppError::KeyUnreadable { path, source } => format!(
                "lecture de la clé de signature {}: {}",
                path.display(),
                chain(source)
            ),
            AppError::KeyInvalid { path, message }
            | AppError::DepositRulesInvalid { path, message } => {
                format!("{} : {message}", path.display())
            }
            AppError::NoPublicKey { path, source } => format!(
                "lecture de {} (aucun récépissé n'a encore été signé ici ?): {}",
                path.display(),
                chain(source)
            ),
            AppError::ProfileUnreadable { path, source } => {
                format!("lecture du profil {}: {}", path.display(), chain(source))
            }
            AppError::ProfileInvalid { path, source } => {
                format!("profil {}: {}", path.display(), chain(source))
            }
            AppError::DepositRulesUnreadable { path, source } => {
                format!("{} illisible: {}", path.display(), chain(source))
            }
            AppError::NoKindRules(kind) => format!("type de dépôt sans règles : {kind}"),
        }
    }

    pub(crate) fn io(action: IoAction, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AppError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// An error and its causes as `a: b: c`, each in French where it is one of ours.
fn chain(e: &(dyn Error + 'static)) -> String {
    if let Some(ours) = e.downcast_ref::<AppError>() {
        return ours.french();
    }
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(ours) = c.downcast_ref::<AppError>() {
            text.push_str(": ");
            text.push_str(&ours.french());
            break;
        }
        // A wrapper whose message already says its cause (the driver's errors often do):
        // said once.
        let said = c.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = c.source();
    }
    text
}

/// The store's answers, sorted by what a front end does with them.
impl From<RunStoreError> for AppError {
    fn from(e: RunStoreError) -> AppError {
        match e {
            RunStoreError::NotFound(id) => AppError::NotFound(Missing::Run(id)),
            RunStoreError::ChangeNotFound(id) => AppError::NotFound(Missing::PayrollChange(id)),
            RunStoreError::SamePerson(_)
            | RunStoreError::SameAsker(_)
            | RunStoreError::Store(
                StoreError::Forbidden { .. }
                | StoreError::UnknownUser(_)
                | StoreError::DisabledUser(_),
            ) => AppError::Refused(Refusal::Store(e)),
            RunStoreError::Store(s) => AppError::Store(s),
            other => AppError::Run(other),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::from(RunStoreError::Store(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_run_is_not_found_and_said_in_french() {
        let id: RunId = "P2026-12-01".parse().expect("id");
        let e = AppError::from(RunStoreError::NotFound(id));
        assert!(matches!(e, AppError::NotFound(Missing::Run(_))));
        assert_eq!(e.french(), "aucun paiement P2026-12-01");
        assert_eq!(e.to_string(), "payment run P2026-12-01 not found");
    }

    #[test]
    fn who_may_do_what_is_a_refusal() {
        let e = AppError::from(RunStoreError::SamePerson("u".into()));
        assert!(matches!(e, AppError::Refused(_)));
        assert!(
            e.french().contains("séparation des tâches"),
            "{}",
            e.french()
        );
        let e = AppError::from(StoreError::UnknownUser("x".into()));
        assert!(matches!(e, AppError::Refused(_)));
        assert_eq!(e.french(), "utilisateur inconnu : « x »");
    }

    #[test]
    fn a_file_error_says_what_where_and_why() {
        let e = AppError::io(
            IoAction::CreateFolder,
            "/d/exports",
            std::io::Error::other("disque plein"),
        );
        assert_eq!(e.french(), "création du dossier /d/exports: disque plein");
        assert_eq!(e.to_string(), "creating folder /d/exports");
    }
}
