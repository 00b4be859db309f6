//! A synthetic département (Seine-et-Marne-like): deterministic for a seed and a reference date,
//! realistic, and with about 1 % of deliberately bad rows of every flavour the checker reports.
//!
//! CONTRACT (helper implements). Writes over `Write`: it opens no file itself.

use jiff::civil::Date;
use std::io::Write;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Number of people (beneficiaires).
    pub size: u32,
    pub seed: u64,
    /// The day the demo is built: rights end over the next 18 months from it, the payment
    /// history covers the 3 months before it.
    pub today: Date,
    /// Per mille of deliberately bad rows (10 = 1 %); 0 for a clean set.
    pub bad_per_mille: u32,
}

/// Where the files go: one writer per extract file name (`beneficiaires.csv`…).
pub trait DemoOutput {
    fn create(&mut self, file_name: &str) -> std::io::Result<Box<dyn Write + '_>>;
}

/// The authority the demo stands for, for the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAuthority {
    pub name: String,
    pub siret: String,
    pub time_zone: String,
    pub holiday_zone: String,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// (file name, data rows written, of which deliberately bad).
    pub files: Vec<(String, u64, u64)>,
}

pub fn authority() -> DemoAuthority {
    DemoAuthority {
        name: "Département de Seine-et-Marne (démonstration)".into(),
        siret: String::new(),
        time_zone: "Europe/Paris".into(),
        holiday_zone: "metropole".into(),
    }
}

/// Writes the eight extract files.
pub fn generate(config: &DemoConfig, out: &mut dyn DemoOutput) -> std::io::Result<DemoSummary> {
    let _ = (config, out);
    Ok(DemoSummary::default())
}
