//! The authority's settings: who it is, its time zone and its public holidays.

use crate::calendar::HolidayZone;
use crate::ids::Siret;
use serde::{Deserialize, Serialize};

/// `settings.toml` in the data folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub authority: Authority,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// "Département de Seine-et-Marne".
    pub name: String,
    pub siret: Siret,
    /// IANA name, e.g. `Europe/Paris`, `America/Martinique`.
    pub time_zone: String,
    pub holiday_zone: HolidayZone,
}

impl Settings {
    /// Checks what serde cannot: a known time zone, a non-empty name.
    pub fn validate(&self) -> Result<(), String> {
        if self.authority.name.trim().is_empty() {
            return Err("le nom de la collectivité est vide (authority.name)".into());
        }
        crate::calendar::time_zone(&self.authority.time_zone)
            .map_err(|e| format!("{e} (authority.time_zone)"))?;
        Ok(())
    }
}
