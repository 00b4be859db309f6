//! Sealing: manifest and extract files → plain tar → age (to every recipient) → the caller's
//! writer, streamed end to end: no file is ever held whole in memory.
//!
//! Each file's SHA-256 and length are computed again while it streams and compared with the
//! manifest's, so that a file changed between the check and the sealing is not sealed under a
//! manifest that no longer describes it.

use crate::error::VaultError;
use crate::keys::Recipient;
use crate::manifest::{MANIFEST_NAME, Manifest};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};

/// Where `seal` reads the extract files listed in the manifest from (a folder, for the CLI).
pub trait SealSource {
    /// Opens the file the manifest lists as `name`.
    fn open(&mut self, name: &str) -> io::Result<Box<dyn Read + '_>>;
}

impl<F> SealSource for F
where
    F: FnMut(&str) -> io::Result<Box<dyn Read>>,
{
    fn open(&mut self, name: &str) -> io::Result<Box<dyn Read + '_>> {
        self(name)
    }
}

/// Hashes and counts what passes through; remembers its own read errors so that they are not
/// mistaken for write errors when tar reports them.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    failed: Option<io::ErrorKind>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.hasher.update(&buf[..n]);
                self.count += n as u64;
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.failed = Some(e.kind());
                }
                Err(e)
            }
        }
    }
}

/// A ustar header for a regular file: fixed mode and owner, so that nothing of the sealing
/// machine leaks into the payload; the modification time is the snapshot's.
fn header(name: &str, size: u64, mtime: u64) -> io::Result<tar::Header> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)?;
    h.set_size(size);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    Ok(h)
}

/// Counts the bytes written, for the signed comment (`trusted_comment`).
struct Counting<'a> {
    inner: &'a mut dyn Write,
    count: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the sealed snapshot (age-encrypted tar of `manifest.json` then the files, in
/// manifest order) to `out` and returns its length in bytes, which the signed comment states.
/// On error, what was written to `out` is garbage: the caller writes to a temporary file and
/// discards it.
pub fn seal(
    manifest: &Manifest,
    source: &mut dyn SealSource,
    recipients: &[Recipient],
    out: &mut dyn Write,
) -> Result<u64, VaultError> {
    manifest.validate()?;
    if recipients.is_empty() {
        return Err(VaultError::NoRecipients);
    }
    let manifest_json = manifest.to_json()?;
    let mtime = u64::try_from(manifest.created_at.as_second()).unwrap_or(0);

    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| &r.0 as &dyn age::Recipient))
            .map_err(|e| match e {
                age::EncryptError::MissingRecipients => VaultError::NoRecipients,
                age::EncryptError::Io(e) => VaultError::WriteSealed(e),
                other => VaultError::WriteSealed(io::Error::other(other.to_string())),
            })?;
    let mut counting = Counting {
        inner: out,
        count: 0,
    };
    let encrypted = encryptor
        .wrap_output(&mut counting)
        .map_err(VaultError::WriteSealed)?;
    let mut tar = tar::Builder::new(encrypted);

    let h = header(MANIFEST_NAME, manifest_json.len() as u64, mtime)
        .map_err(VaultError::WriteSealed)?;
    tar.append(&h, &manifest_json[..])
        .map_err(VaultError::WriteSealed)?;

    for file in &manifest.files {
        let read_error = |source: io::Error| VaultError::ReadExtract {
            name: file.name.clone(),
            source,
        };
        let reader = source.open(&file.name).map_err(read_error)?;
        let mut hashing = Hashing {
            inner: reader.take(file.bytes),
            hasher: Sha256::new(),
            count: 0,
            failed: None,
        };
        let h = header(&file.name, file.bytes, mtime).map_err(VaultError::WriteSealed)?;
        if let Err(e) = tar.append(&h, &mut hashing) {
            return Err(match hashing.failed {
                Some(_) => read_error(e),
                None => VaultError::WriteSealed(e),
            });
        }
        // The header announced `file.bytes`: a shorter or longer file is refused (the longer
        // is read to its end only to say by how much).
        let mut rest = hashing.inner.into_inner();
        let extra = io::copy(&mut rest, &mut io::sink()).map_err(read_error)?;
        if hashing.count != file.bytes || extra != 0 {
            return Err(VaultError::SizeMismatch {
                name: file.name.clone(),
                expected: file.bytes,
                found: hashing.count + extra,
            });
        }
        let digest: [u8; 32] = hashing.hasher.finalize().into();
        if digest != file.sha256.0 {
            return Err(VaultError::HashMismatch {
                name: file.name.clone(),
            });
        }
    }

    let encrypted = tar.into_inner().map_err(VaultError::WriteSealed)?;
    let counting = encrypted.finish().map_err(VaultError::WriteSealed)?;
    counting.flush().map_err(VaultError::WriteSealed)?;
    Ok(counting.count)
}
