//! The accountant's return read (issue #24, `relais pes retour FICHIER`): the file read whole
//! by `relais_formats::pes_return` (nothing is changed when it cannot be read), then applied
//! by the store in one transaction with one journal entry (`relais_store::pes_return`).

use crate::clock::{Clock, local_now};
use crate::error::AppError;
use jiff::tz::TimeZone;
use relais_formats::pes_return::{PieceState, ReturnHeader, read_pes_return};
use relais_store::pes_return::{
    PesReturnStore, PieceOutcome, RegularisationRequest, ReturnApplied, ReturnFile,
};
use std::path::Path;

/// A return read and applied.
#[derive(Debug, Clone)]
pub struct ReturnRead {
    pub header: ReturnHeader,
    pub sha256: String,
    pub applied: ReturnApplied,
    pub tally: Tally,
}

/// The pieces of a return by what the accountant says of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub read: usize,
    /// Among the mandats Relais issued: paid, rejected, taken in charge.
    pub paid: usize,
    pub rejected: usize,
    pub taken: usize,
    /// Pieces Relais never issued.
    pub unknown: usize,
    /// Regularisation requests.
    pub requests: usize,
}

impl Tally {
    fn of(applied: &ReturnApplied) -> Tally {
        let mut t = Tally {
            read: applied.pieces.len(),
            ..Tally::default()
        };
        for p in &applied.pieces {
            match p.outcome {
                PieceOutcome::Unknown => t.unknown += 1,
                PieceOutcome::Request { .. } => t.requests += 1,
                _ => match p.state {
                    PieceState::Settled => t.paid += 1,
                    PieceState::Rejected => t.rejected += 1,
                    PieceState::TakenInCharge => t.taken += 1,
                    PieceState::OnHold => {}
                },
            }
        }
        t
    }
}

/// Reads the return file at `path` and applies it for `actor` (liquidation, ordonnateur or
/// admin; the store checks). A file that cannot be read is [`AppError::PesReturn`], with its
/// line, column and element; a file applied before changes nothing and says so.
pub fn read_return<S: PesReturnStore + ?Sized>(
    store: &mut S,
    clock: &dyn Clock,
    tz: &TimeZone,
    actor: &str,
    path: &Path,
) -> Result<ReturnRead, AppError> {
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::io(crate::error::IoAction::Read, path, e))?;
    let read = read_pes_return(std::io::BufReader::new(file)).map_err(|source| {
        tracing::info!(file = %path.display(), code = source.code(), "{}", source.message_en());
        AppError::PesReturn {
            path: path.to_owned(),
            source,
        }
    })?;
    let (local_time, today) = local_now(clock, tz);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let applied = store
        .apply_pes_return(
            actor,
            &ReturnFile {
                sha256: &read.sha256,
                name: &name,
                pieces: &read.pieces,
                local_time: &local_time,
                today,
            },
        )
        .map_err(AppError::Store)?;
    tracing::info!(file = %name, sha256 = %read.sha256, pieces = read.pieces.len(),
        again = applied.before.is_some(), "accountant's return applied");
    Ok(ReturnRead {
        header: read.header,
        sha256: read.sha256,
        tally: Tally::of(&applied),
        applied,
    })
}

/// Every regularisation request the accountant sent, for a later regularisation mandat.
pub fn regularisation_requests<S: PesReturnStore + ?Sized>(
    store: &S,
) -> Result<Vec<RegularisationRequest>, AppError> {
    store.regularisation_requests().map_err(AppError::Store)
}
