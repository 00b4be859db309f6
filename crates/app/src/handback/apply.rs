//! `relais journal apply`: an export checked whole (its `SHA256SUMS`, every event's hash by
//! recomputation, the chain from the header's `from` to its `to`) and its events applied into
//! this data folder's replica in one transaction ([`relais_store::handback`]).

use super::{ENCRYPTED_FILE, sums};
use crate::data::Data;
use crate::error::{AppError, IoAction};
use relais_core::roles::Role;
use relais_formats::journal_export::{EVENTS_FILE, ExportReader, Header};
use relais_store::handback::{Origin, ReplicaError, ReplicaEvent};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What an apply did.
#[derive(Debug, Clone)]
pub struct ApplyDone {
    pub header: Header,
    pub new: u64,
    pub known: u64,
    pub before_base: u64,
    /// The target's `journal_apply` entry, when something new was applied.
    pub entry_seq: Option<u64>,
}

fn replica(e: ReplicaError, line: u64, id: &str) -> AppError {
    match e {
        ReplicaError::Store(e) => AppError::Store(e),
        refusal => AppError::Handback(format!(
            "{EVENTS_FILE}, ligne {line}, événement {id} : {refusal} ; rien n'a été appliqué"
        )),
    }
}

/// Applies the export in `dir` to `data` by `user` (an admin); `identity` is an age identity
/// file's text, for an encrypted export.
pub fn apply(
    data: &Data,
    dir: &Path,
    user: &str,
    identity: Option<&relais_vault::SecretString>,
) -> Result<ApplyDone, AppError> {
    let mut store = data.open_store()?;
    store.authorize(user, Role::Admin)?;
    // An encrypted export is opened into a private folder of the data folder, removed after.
    let _opened: Option<tempfile::TempDir>;
    let source: PathBuf = if dir.join(ENCRYPTED_FILE).is_file() {
        let Some(identity) = identity else {
            return Err(AppError::Handback(format!(
                "{} est chiffré : donnez l'identité age qui l'ouvre (--identity FICHIER)",
                dir.join(ENCRYPTED_FILE).display()
            )));
        };
        let identities = relais_vault::parse_identities(identity)
            .map_err(|e| AppError::Handback(format!("identité : {e}")))?;
        let tmp = tempfile::Builder::new()
            .prefix(".journal-apply")
            .tempdir_in(&data.dir.path)
            .map_err(|e| AppError::io(IoAction::CreateFolder, &data.dir.path, e))?;
        super::folder::private_dir(tmp.path())?;
        let path = dir.join(ENCRYPTED_FILE);
        let mut file =
            std::fs::File::open(&path).map_err(|e| AppError::io(IoAction::Read, &path, e))?;
        relais_vault::unpack(&mut file, &identities, tmp.path())
            .map_err(|e| AppError::Handback(format!("{ENCRYPTED_FILE} : {e}")))?;
        let p = tmp.path().to_owned();
        _opened = Some(tmp);
        p
    } else {
        _opened = None;
        dir.to_owned()
    };

    sums::check(&source, EVENTS_FILE)?;
    let events_path = source.join(EVENTS_FILE);
    let file = std::fs::File::open(&events_path)
        .map_err(|e| AppError::io(IoAction::Read, &events_path, e))?;
    let reader = ExportReader::new(std::io::BufReader::with_capacity(1 << 20, file))
        .map_err(|e| AppError::Handback(format!("{e} ; rien n'a été appliqué")))?;
    let header = reader.header().clone();
    let origin = Origin {
        siret: header.authority.siret.clone(),
        name: header.authority.name.clone(),
        from_seq: header.from.seq,
        from_hash: header.from.hash,
    };
    let mut session = store
        .begin_apply(user, &origin)
        .map_err(|e| replica(e, 1, "(en-tête)"))?;
    for event in reader {
        let e = event.map_err(|e| AppError::Handback(format!("{e} ; rien n'a été appliqué")))?;
        session
            .push(&ReplicaEvent {
                seq: e.seq,
                at: e.at,
                actor: e.user,
                kind: e.kind,
                payload: e.payload,
                prev: e.prev,
                hash: e.hash,
                entity: e.entity.map(|x| (x.kind, x.id)),
                before: e.before.filter(|b| b != "null"),
                after: Some(e.after),
            })
            .map_err(|err| replica(err, e.line, &e.id))?;
    }
    let applied = session
        .commit(json!({
            "export": dir.display().to_string(),
            "from": header.from.seq,
            "to": header.to.seq,
            "exported_at": header.exported_at,
            "exported_by": header.exported_by,
        }))
        .map_err(|e| replica(e, 0, "(fin)"))?;
    Ok(ApplyDone {
        header,
        new: applied.new,
        known: applied.known,
        before_base: applied.before_base,
        entry_seq: applied.entry.map(|e| e.seq),
    })
}
