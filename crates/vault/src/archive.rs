//! A folder's files as one age-encrypted tar (the journal export's `export.tar.age`,
//! docs/journal-export.md): readable with `age -d -i KEY export.tar.age | tar x`. Unlike a
//! snapshot it has no manifest: the folder's own `SHA256SUMS` says what it holds, and is
//! checked by the caller once the files are out.
//!
//! `unpack` is the second exception to "formats open no named file", like `open`: it writes
//! into a caller-given, empty folder, one level of sub-folder at most, every name checked.

use crate::VaultError;
use crate::keys::{Identity, Recipient};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// One file to pack: its relative name (`a.csv`, `checkpoints/0000000001.txt`), its length,
/// its content.
pub struct PackFile<'a> {
    pub name: String,
    pub bytes: u64,
    pub content: Box<dyn Read + 'a>,
}

fn check_name(name: &str) -> Result<(), VaultError> {
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 2 {
        return Err(VaultError::InvalidFileName {
            name: name.to_owned(),
            why: "plus d'un niveau de dossier",
            why_en: "more than one folder level",
        });
    }
    parts.into_iter().try_for_each(crate::check_file_name)
}

/// Writes `files` as a tar encrypted to `recipients` into `out`.
pub fn pack(
    files: Vec<PackFile<'_>>,
    recipients: &[Recipient],
    out: &mut dyn Write,
) -> Result<(), VaultError> {
    if recipients.is_empty() {
        return Err(VaultError::NoRecipients);
    }
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| &r.0 as &dyn age::Recipient))
            .map_err(|e| VaultError::WriteSealed(io::Error::other(e.to_string())))?;
    let encrypted = encryptor
        .wrap_output(out)
        .map_err(VaultError::WriteSealed)?;
    let mut tar = tar::Builder::new(encrypted);
    for f in files {
        check_name(&f.name)?;
        let mut h = tar::Header::new_ustar();
        h.set_path(&f.name).map_err(VaultError::WriteSealed)?;
        h.set_size(f.bytes);
        h.set_mode(0o600);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        tar.append(&h, f.content.take(f.bytes))
            .map_err(VaultError::WriteSealed)?;
    }
    let encrypted = tar.into_inner().map_err(VaultError::WriteSealed)?;
    encrypted.finish().map_err(VaultError::WriteSealed)?;
    Ok(())
}

fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Decrypts `encrypted` with one of `identities` into `dest_dir` (existing, empty); the names
/// written, relative to it.
pub fn unpack(
    encrypted: &mut dyn Read,
    identities: &[Identity],
    dest_dir: &Path,
) -> Result<Vec<String>, VaultError> {
    if identities.is_empty() {
        return Err(VaultError::NoIdentity);
    }
    let decryptor = age::Decryptor::new(io::BufReader::new(encrypted)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => VaultError::NotARecipient,
        _ => VaultError::NotASnapshot,
    })?;
    let plain = decryptor
        .decrypt(identities.iter().map(|i| &i.0 as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => VaultError::NotARecipient,
            _ => VaultError::Altered,
        })?;
    let mut archive = tar::Archive::new(plain);
    let mut names = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| VaultError::PayloadUnreadable(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| VaultError::PayloadUnreadable(e.to_string()))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(VaultError::PayloadUnreadable(
                "entrée qui n'est pas un fichier".into(),
            ));
        }
        let name = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| VaultError::PayloadUnreadable("nom illisible".into()))?;
        check_name(&name)?;
        if names.contains(&name) {
            return Err(VaultError::DuplicateFile { name });
        }
        let path = dest_dir.join(&name);
        if let Some((folder, _)) = name.split_once('/') {
            let folder = dest_dir.join(folder);
            if !folder.exists() {
                std::fs::create_dir(&folder).map_err(|source| VaultError::WriteExtract {
                    name: name.clone(),
                    source,
                })?;
            }
        }
        let write_error = |source| VaultError::WriteExtract {
            name: name.clone(),
            source,
        };
        let mut file = create_private(&path).map_err(write_error)?;
        io::copy(&mut entry, &mut file).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => VaultError::Altered,
            _ => VaultError::WriteExtract {
                name: name.clone(),
                source: e,
            },
        })?;
        names.push(name);
    }
    // Read to the end: the last chunk is authenticated only when reached.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|_| VaultError::Altered)?;
    Ok(names)
}
