//! The data folder as the command line uses it: `relais_app::data` opens it; this says its
//! errors in French to the terminal ([`agent`]).

use anyhow::Result;
use relais_app::AppError;
use relais_app::data::AnyStore;
use relais_core::settings::Settings;
use std::path::{Path, PathBuf};

pub struct DataDir {
    pub path: PathBuf,
}

/// A service's error as the terminal says it: its French message.
pub fn agent(e: AppError) -> anyhow::Error {
    anyhow::Error::msg(e.french())
}

impl DataDir {
    pub fn new(path: &Path) -> DataDir {
        DataDir {
            path: path.to_owned(),
        }
    }

    /// The folder as the services take it.
    pub fn app(&self) -> relais_app::DataDir {
        relais_app::DataDir::new(&self.path)
    }

    /// The folder opened: its settings and time zone.
    pub fn open(&self) -> Result<relais_app::Data> {
        self.app().open().map_err(agent)
    }

    pub fn db_path(&self) -> PathBuf {
        self.app().db_path()
    }

    pub fn is_initialised(&self) -> bool {
        self.app().is_initialised()
    }

    /// The authority's settings and time zone.
    pub fn time_zone(&self) -> Result<(Settings, jiff::tz::TimeZone)> {
        let settings = self.load_settings()?;
        let tz = relais_core::calendar::time_zone(&settings.authority.time_zone)?;
        Ok((settings, tz))
    }

    pub fn load_settings(&self) -> Result<Settings> {
        self.app().load_settings().map_err(agent)
    }

    pub fn write_settings(&self, settings: &Settings) -> Result<()> {
        self.app().write_settings(settings).map_err(agent)
    }

    /// Creates (or opens) the store of a folder being made: on `database` when given, else
    /// the folder's SQLite file.
    pub fn create_store(
        &self,
        database: Option<&relais_core::settings::DatabaseSettings>,
    ) -> Result<AnyStore> {
        self.app().create_store(database).map_err(agent)
    }

    /// Opens the store of an initialised data folder (whichever backend it is).
    pub fn open_store(&self) -> Result<AnyStore> {
        self.app().open_store().map_err(agent)
    }
}
