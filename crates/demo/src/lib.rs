//! A synthetic département (Seine-et-Marne-like): deterministic for a seed and a reference date,
//! realistic, and with about 1 % of deliberately bad rows of every flavour the checker reports.
//!
//! Writes over `Write`: it opens no file itself.
//!
//! How it works: the nine files are written one after the other, streaming. People are never
//! held in memory: each file that mentions them walks them again (`people::Walker`), drawing
//! each person from their own ChaCha8 stream, so every pass sees the same person. Only small
//! fixed pools (home-help services, establishments, guardians, suppliers) stay in memory.
//!
//! Each file has the habits of a different real export, so that the reader is exercised:
//!
//! | file | separator | encoding | line end | dates | amounts | other |
//! |---|---|---|---|---|---|---|
//! | annuaire | `;` | UTF-8 | LF | – | – | `oui`/`non` |
//! | beneficiaires | `;` | UTF-8 with BOM | CRLF | `31/12/2026` | – | headers `Prénom`, `Date naissance`…, extra column `Commentaire` |
//! | tiers | `,` | UTF-8 | LF | `2026-12-31` | – | headers `Tiers_ID`, `Titulaire`, `IBAN modifié le`; kinds `Établissement`; quoted addresses |
//! | droits | `;` | UTF-8 | LF | `31/12/2026` | `1234,56` | |
//! | paiements | tab | UTF-8 | LF | `2026-12-31` | `1234.56` | |
//! | agents | `;` | Windows-1252 | CRLF | `31/12/2026` | `1234,56` | headers in capitals, IBAN in groups of four, blank last line |
//! | paie | `;` | UTF-8 | LF | — (months `2026-11`) | `1234,56` | one line per rubrique and agent, signed from the agent's side |
//! | fournisseurs | `,` | UTF-8 | LF | – | – | every field quoted, IBAN in groups of four |
//! | factures | `;` | UTF-8 | LF | `2026-12-31` | `1 234,56` | |

mod bad_rows;
mod banks;
mod communes;
pub mod crisis;
mod csv_out;
mod dates;
mod identifiers;
mod identity;
mod names;
mod payees;
mod payslips;
mod people;
mod pool;
mod rights;
mod rng;
mod sites;
mod staff;
mod streets;
mod suppliers;

use csv_out::{DateStyle, Style, Table};
use jiff::civil::Date;
use std::collections::BTreeMap;
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
    /// Number of agents (`agents.csv`); `None`: one per 20 people (5 to 6,000).
    pub agents: Option<u64>,
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

/// The demo authority's SIRET: fake (SIREN 299 770 008 belongs to no département), with a
/// valid Luhn key so that PES files carry a well-formed IdColl.
pub const DEMO_SIRET: &str = "29977000800017";

pub fn authority() -> DemoAuthority {
    DemoAuthority {
        name: "Département de Seine-et-Marne (démonstration)".into(),
        siret: DEMO_SIRET.into(),
        time_zone: "Europe/Paris".into(),
        holiday_zone: "metropole".into(),
    }
}

/// The extract files, in the order they are written (a file after those it refers to), with
/// their columns as the format names them (before each export's own spelling).
pub const FILES: [(&str, &[&str]); 9] = [
    ("annuaire.csv", &sites::COLUMNS),
    ("beneficiaires.csv", &identity::COLUMNS),
    ("tiers.csv", &payees::COLUMNS),
    ("droits.csv", &rights::RIGHT_COLUMNS),
    ("paiements.csv", &rights::PAYMENT_COLUMNS),
    ("agents.csv", &staff::COLUMNS),
    ("paie.csv", &payslips::COLUMNS),
    ("fournisseurs.csv", &suppliers::SUPPLIER_COLUMNS),
    ("factures.csv", &suppliers::INVOICE_COLUMNS),
];

/// The files in memory, by name (for tests, and for callers that seal them directly).
#[derive(Debug, Clone, Default)]
pub struct MemoryOutput {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl DemoOutput for MemoryOutput {
    fn create(&mut self, file_name: &str) -> std::io::Result<Box<dyn Write + '_>> {
        let buf = self.files.entry(file_name.to_owned()).or_default();
        buf.clear();
        Ok(Box::new(buf))
    }
}

/// Opens `name`, lets `body` write its rows, and records the counts.
fn file<T>(
    out: &mut dyn DemoOutput,
    summary: &mut DemoSummary,
    name: &str,
    style: Style,
    body: impl FnOnce(&mut Table) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut table = Table::new(out.create(name)?, style);
    let value = body(&mut table)?;
    let (rows, bad) = table.finish()?;
    summary.files.push((name.to_owned(), rows, bad));
    Ok(value)
}

/// Writes the nine extract files.
pub fn generate(config: &DemoConfig, out: &mut dyn DemoOutput) -> std::io::Result<DemoSummary> {
    let ctx = people::Context::new(config)?;
    let mut summary = DemoSummary::default();
    let s = &mut summary;
    let plain = Style::FRENCH;
    file(out, s, "annuaire.csv", plain, |t| {
        let mut rng = ctx.streams.stream(rng::Aspect::Directory, 0);
        sites::write(t, &mut rng, config.bad_per_mille)
    })?;
    let excel = Style {
        crlf: true,
        bom: true,
        ..plain
    };
    file(out, s, "beneficiaires.csv", excel, |t| {
        identity::write(&ctx, t)
    })?;
    let comma = Style {
        separator: ',',
        dates: DateStyle::Iso,
        decimal: '.',
        ..plain
    };
    file(out, s, "tiers.csv", comma, |t| payees::write(&ctx, t))?;
    file(out, s, "droits.csv", plain, |t| {
        rights::write_rights(&ctx, t)
    })?;
    let tabs = Style {
        separator: '\t',
        dates: DateStyle::Iso,
        decimal: '.',
        ..plain
    };
    file(out, s, "paiements.csv", tabs, |t| {
        rights::write_payments(&ctx, t)
    })?;
    let legacy = Style {
        crlf: true,
        windows_1252: true,
        ..plain
    };
    let paid = file(out, s, "agents.csv", legacy, |t| staff::write(&ctx, t))?;
    // As a payroll software exports it: `;`, ISO months, decimal comma, UTF-8.
    file(out, s, "paie.csv", plain, |t| {
        payslips::write(&ctx, &paid, t)
    })?;
    let quoted = Style {
        quote_all: true,
        ..comma
    };
    let suppliers = file(out, s, "fournisseurs.csv", quoted, |t| {
        suppliers::write_suppliers(&ctx, t)
    })?;
    let grouped = Style {
        dates: DateStyle::Iso,
        thousands: Some(' '),
        ..plain
    };
    file(out, s, "factures.csv", grouped, |t| {
        suppliers::write_invoices(&ctx, &suppliers, t)
    })?;
    Ok(summary)
}
