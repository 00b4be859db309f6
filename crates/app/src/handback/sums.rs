//! `SHA256SUMS` (`sha256sum -c` compatible: `<hex>  <name>`), written over the export's files
//! and checked before anything of an export is applied.

use super::SUMS_FILE;
use crate::error::{AppError, IoAction};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The SHA-256 of the file at `path`, in hex.
pub(super) fn file_sha256(path: &Path) -> Result<String, AppError> {
    let io = |e| AppError::io(IoAction::Read, path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The text of `SHA256SUMS` over `names` (relative to `dir`), sorted by name; the digests
/// already computed while writing (`known`) are not read again.
pub(super) fn write(
    dir: &Path,
    names: &[String],
    known: &std::collections::BTreeMap<String, String>,
) -> Result<String, AppError> {
    let mut names = names.to_vec();
    names.sort();
    let mut text = String::new();
    for name in &names {
        let digest = match known.get(name) {
            Some(d) => d.clone(),
            None => file_sha256(&dir.join(name))?,
        };
        text.push_str(&format!("{digest}  {name}\n"));
    }
    Ok(text)
}

/// Checks every file `dir/SHA256SUMS` lists, and that it lists `required`; the names listed.
pub(super) fn check(dir: &Path, required: &str) -> Result<Vec<String>, AppError> {
    let path = dir.join(SUMS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        AppError::Handback(format!(
            "{} illisible ({e}) : ce dossier n'est pas un export du journal complet",
            path.display()
        ))
    })?;
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((digest, name)) = line.split_once("  ") else {
            return Err(AppError::Handback(format!(
                "{SUMS_FILE}, ligne {} illisible",
                i + 1
            )));
        };
        if name.contains("..") || name.starts_with('/') {
            return Err(AppError::Handback(format!(
                "{SUMS_FILE}, ligne {} : nom de fichier refusé « {name} »",
                i + 1
            )));
        }
        let file = dir.join(name);
        if !file.is_file() {
            return Err(AppError::Handback(format!(
                "le fichier « {name} » listé dans {SUMS_FILE} est absent"
            )));
        }
        if file_sha256(&file)? != digest {
            return Err(AppError::Handback(format!(
                "le fichier « {name} » a été modifié : son empreinte SHA-256 ne correspond plus à {SUMS_FILE} (export altéré, refusé)"
            )));
        }
        names.push(name.to_owned());
    }
    if !names.iter().any(|n| n == required) {
        return Err(AppError::Handback(format!(
            "{SUMS_FILE} ne liste pas « {required} »"
        )));
    }
    Ok(names)
}
