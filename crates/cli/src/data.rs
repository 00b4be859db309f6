//! The data folder: `settings.toml`, the SQLite database `relais.db`, keys and documents.

use anyhow::{Context, Result, bail};
use relais_core::settings::Settings;
use relais_store::SqliteStore;
use std::path::{Path, PathBuf};

pub struct DataDir {
    pub path: PathBuf,
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

    pub fn is_initialised(&self) -> bool {
        self.settings_path().exists()
    }

    pub fn load_settings(&self) -> Result<Settings> {
        let path = self.settings_path();
        if !path.exists() {
            bail!(
                "le dossier de données {} n'est pas initialisé (pas de settings.toml) : lancez « relais init » ou « relais demo »",
                self.path.display()
            );
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("lecture de {}", path.display()))?;
        let settings: Settings =
            toml::from_str(&text).with_context(|| format!("{} illisible", path.display()))?;
        settings
            .validate()
            .map_err(|e| anyhow::anyhow!("{} : {e}", path.display()))?;
        Ok(settings)
    }

    pub fn write_settings(&self, settings: &Settings) -> Result<()> {
        let text = toml::to_string_pretty(settings).context("paramètres")?;
        crate::fsio::write_atomic(&self.settings_path(), text.as_bytes())
    }

    /// Opens the store of an initialised data folder.
    pub fn open_store(&self) -> Result<SqliteStore> {
        self.load_settings()?;
        SqliteStore::open(&self.db_path())
            .with_context(|| format!("ouverture de {}", self.db_path().display()))
    }
}
