//! The data folder: `settings.toml`, the SQLite database `relais.db`, keys (`keys.rs`), the
//! deposit kinds' rules (`deposit-kinds.toml`) and documents. Opened here for both front ends:
//! the settings read and checked once, the time zone.

use crate::error::{AppError, IoAction};
use jiff::tz::TimeZone;
use relais_core::deposits::{KindOverrides, KindRules, kind_rules};
use relais_core::settings::{DatabaseSettings, PaymentSettings, Settings};
use relais_store::SqliteStore;

/// A store of any backend, as the services and the front ends hold it.
pub type AnyStore = Box<dyn relais_store::Backend>;
use std::path::{Path, PathBuf};

pub struct DataDir {
    pub path: PathBuf,
}

/// A data folder opened: its settings read and checked, its time zone known.
pub struct Data {
    pub dir: DataDir,
    pub settings: Settings,
    /// Where the settings were read (named in messages).
    pub settings_path: PathBuf,
    pub tz: TimeZone,
}

impl DataDir {
    pub fn new(path: &Path) -> DataDir {
        DataDir {
            path: path.to_owned(),
        }
    }

    pub fn settings_path(&self) -> PathBuf {
        self.path.join("settings.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.path.join("relais.db")
    }

    /// Where the runs' files are written, one folder per run (the web's downloads).
    pub fn exports_path(&self) -> PathBuf {
        self.path.join("exports")
    }

    pub fn is_initialised(&self) -> bool {
        self.settings_path().exists()
    }

    pub fn load_settings(&self) -> Result<Settings, AppError> {
        let path = self.settings_path();
        if !path.exists() {
            return Err(AppError::NotInitialised(self.path.clone()));
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| AppError::io(IoAction::Read, &path, e))?;
        let settings: Settings =
            toml::from_str(&text).map_err(|source| AppError::SettingsUnreadable {
                path: path.clone(),
                source,
            })?;
        settings
            .validate()
            .map_err(|message| AppError::SettingsInvalid { path, message })?;
        Ok(settings)
    }

    pub fn write_settings(&self, settings: &Settings) -> Result<(), AppError> {
        let text = toml::to_string_pretty(settings).map_err(AppError::SettingsUnwritable)?;
        crate::fsio::write_atomic(&self.settings_path(), text.as_bytes())
    }

    /// The rules of every deposit kind: built in, with `DATA/deposit-kinds.toml` applied when
    /// present.
    pub fn deposit_rules(&self) -> Result<Vec<KindRules>, AppError> {
        let path = self.path.join("deposit-kinds.toml");
        let overrides: KindOverrides = if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| AppError::io(IoAction::Read, &path, e))?;
            toml::from_str(&text).map_err(|source| AppError::DepositRulesUnreadable {
                path: path.clone(),
                source,
            })?
        } else {
            KindOverrides::new()
        };
        kind_rules(&overrides).map_err(|message| AppError::DepositRulesInvalid { path, message })
    }

    /// The settings and the authority's time zone.
    pub fn open(self) -> Result<Data, AppError> {
        let settings = self.load_settings()?;
        let tz = relais_core::calendar::time_zone(&settings.authority.time_zone).map_err(|e| {
            AppError::Invalid {
                field: "authority.time_zone".into(),
                message: e.to_string(),
            }
        })?;
        Ok(Data {
            settings_path: self.settings_path(),
            dir: self,
            settings,
            tz,
        })
    }

    /// Opens the store of an initialised data folder: the backend its settings choose
    /// (`[database]`: PostgreSQL; else SQLite, `relais.db` in the folder), behind the
    /// backend-neutral seam.
    pub fn open_store(&self) -> Result<AnyStore, AppError> {
        let settings = self.load_settings()?;
        self.store(settings.database.as_ref())
    }

    /// The store of a folder being made (`relais init`, a drill's throw-away folder): on
    /// `database` when given, else the folder's SQLite file; created when there is none yet.
    pub fn create_store(&self, database: Option<&DatabaseSettings>) -> Result<AnyStore, AppError> {
        self.store(database)
    }

    /// The store on `database`, or the folder's SQLite file.
    fn store(&self, database: Option<&DatabaseSettings>) -> Result<AnyStore, AppError> {
        match database {
            Some(db) => Ok(Box::new(postgres(db)?)),
            None => {
                let store =
                    SqliteStore::open(&self.db_path()).map_err(|e| opening(&self.db_path(), e))?;
                Ok(Box::new(store))
            }
        }
    }
}

impl Data {
    /// The `[payments]` settings, or a message that says where to add them.
    pub fn payments(&self) -> Result<&PaymentSettings, AppError> {
        payment_settings(&self.settings, Some(&self.settings_path))
    }

    pub fn open_store(&self) -> Result<AnyStore, AppError> {
        self.dir.store(self.settings.database.as_ref())
    }

    /// The rules of every deposit kind (see [`DataDir::deposit_rules`]).
    pub fn deposit_rules(&self) -> Result<Vec<KindRules>, AppError> {
        self.dir.deposit_rules()
    }

    /// The receipt signing key (see [`DataDir::receipt_key`]).
    pub fn receipt_key(&self) -> Result<relais_documents::code::ReceiptKey, AppError> {
        self.dir.receipt_key()
    }

    /// A connection that only reads (a run's documents, written beside its payment files).
    pub fn open_reader(&self) -> Result<AnyStore, AppError> {
        if let Some(db) = &self.settings.database {
            // A connection of its own: PostgreSQL readers never wait for the writer.
            return Ok(Box::new(postgres(db)?));
        }
        let db = self.dir.db_path();
        let store = SqliteStore::open_reader(&db).map_err(|e| opening(&db, e))?;
        Ok(Box::new(store))
    }
}

/// The `[payments]` section of `settings`, read from `path` when known.
pub fn payment_settings<'s>(
    settings: &'s Settings,
    path: Option<&Path>,
) -> Result<&'s PaymentSettings, AppError> {
    settings
        .payments
        .as_ref()
        .ok_or_else(|| AppError::NoPaymentSettings {
            settings: path.map(Path::to_owned),
        })
}

/// The environment variable naming the file of the PostgreSQL password, when the settings
/// name none.
pub const PG_PASSWORD_FILE_ENV: &str = "RELAIS_PG_PASSWORD_FILE";

/// Connects to the PostgreSQL database of `db`, its password read from its file (the
/// settings', else `RELAIS_PG_PASSWORD_FILE`'s) or `PGPASSWORD`; none for a server that
/// trusts its local socket. The password goes to the driver only, never in a message.
pub fn postgres(db: &DatabaseSettings) -> Result<relais_store::PgStore, AppError> {
    let from_env = std::env::var_os(PG_PASSWORD_FILE_ENV).map(PathBuf::from);
    let password = match db.password_file.clone().or(from_env) {
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| AppError::io(IoAction::Read, &file, e))?;
            Some(text.trim_end_matches(['\n', '\r']).to_owned())
        }
        None => std::env::var("PGPASSWORD").ok(),
    };
    let config = relais_store::PgConfig {
        url: db.url.clone(),
        password,
    };
    relais_store::PgStore::connect(&config)
        .map_err(|e| opening(Path::new(&relais_store::postgres::redacted_url(&db.url)), e))
}

/// A database that could not be opened: `ouverture de …: why`.
fn opening(db: &Path, e: relais_store::StoreError) -> AppError {
    AppError::Opening {
        path: db.to_owned(),
        source: e,
    }
}
