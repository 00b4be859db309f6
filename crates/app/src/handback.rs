//! The hand-back of the journal (issue #24, docs/journal-export.md): `relais journal export`
//! writes every event after a point of the journal as JSON Lines with the entity each changed
//! and its state before and after, one CSV per domain for re-keying by hand, the signed
//! checkpoints and a `SHA256SUMS`, encrypted to age recipients when asked; `relais journal
//! apply` checks such an export and applies the events another data folder has not seen into
//! its replica ([`relais_store::handback`]).

pub mod apply;
mod events;
pub mod export;
mod folder;
mod sums;

use crate::data::Data;
use crate::error::AppError;

pub use apply::{ApplyDone, apply};
pub use export::{ExportDone, ExportRequest, Start, export};

/// The encrypted form's single file, beside a short `LISEZMOI.txt`.
pub const ENCRYPTED_FILE: &str = "export.tar.age";
/// The checksums' file, `sha256sum -c` compatible.
pub const SUMS_FILE: &str = "SHA256SUMS";

/// `relais bench journal`: `count` synthetic events appended to `data`'s journal (a valid
/// chain), for bench/journal_export.sh; the journal's head after them.
pub fn bench_journal(data: &Data, actor: &str, count: u64) -> Result<u64, AppError> {
    let db = data.dir.db_path();
    let mut store = relais_store::SqliteStore::open(&db).map_err(AppError::Store)?;
    Ok(store.append_bench_events(actor, count)?)
}
