//! Relais formats: extracts in (CSV), documents out. Everything here works over `Read` and
//! `Write`: it opens no named file, knows no database and no network. (The extract reader
//! sorts keys beyond a fixed memory budget in anonymous temporary files: see `extract::ReadOptions`.)

pub mod caf;
pub mod extract;
pub mod payments;
pub mod pes_return;
/// Mapping profiles: how an authority's export names the files and columns (part of reading
/// extracts, kept at the crate's top for its users).
pub use extract::profile;
pub mod invoice_steps;
pub mod journal_export;
pub mod systems;
pub mod table;
pub mod tableur;
