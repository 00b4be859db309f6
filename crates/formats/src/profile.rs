//! Mapping profiles (TOML): rename another system's columns to ours, name its files, set
//! defaults for columns it lacks.
//!
//! CONTRACT (helper implements).
//!
//! ```toml
//! [beneficiaires]
//! file = "EXPORT_BENEF.csv"          # optional: the file's name in the folder
//! [beneficiaires.columns]            # our column = their header
//! dossier = "NUM_DOSSIER"
//! date_naissance = "DT_NAISS"
//! [beneficiaires.defaults]           # value used when the column is absent or the cell empty
//! site = "MDS-01"
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

/// A mapping profile; `Profile::default()` maps nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(flatten)]
    pub entities: BTreeMap<String, EntityProfile>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityProfile {
    pub file: Option<String>,
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
}

/// Why a profile cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("profil de correspondance : {message_fr}")]
pub struct ProfileError {
    pub message_fr: String,
    pub message_en: String,
}

impl Profile {
    /// Parses a profile's TOML text, checking entity and column names against the format.
    pub fn parse(text: &str) -> Result<Profile, ProfileError> {
        toml::from_str(text).map_err(|e| ProfileError {
            message_fr: e.to_string(),
            message_en: e.to_string(),
        })
    }
}
