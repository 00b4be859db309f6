//! Opening: the caller's reader → age decryption → tar → files written into a caller-given
//! folder, each hashed as it is written and checked against the manifest.
//!
//! This is the one place of the crate that touches the file system, and only inside the
//! destination folder, which must exist and be empty. Nothing of a failed opening remains: every
//! file this call created is removed before the error is returned (or, on a panic, when the
//! guard is dropped). Names come from the manifest, never from the archive: an entry whose name
//! is not exactly one the manifest lists is refused, so no path leaves the folder.

use crate::error::{EntryProblem, VaultError, shown};
use crate::keys::Identity;
use crate::manifest::{MANIFEST_MAX_BYTES, MANIFEST_NAME, Manifest};
use crate::signing::{PublicKey, trusted_comment, verify};
use sha2::{Digest, Sha256};
use std::cell::Cell;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A failure seen by one layer of the reading stack, remembered so that an error that comes
/// out of tar is reported as what it was: the disk, the decryption, or the archive itself.
#[derive(Clone, Copy)]
enum Layer {
    Source,
    Decryption(io::ErrorKind),
}

type Seen = Rc<Cell<Option<Layer>>>;

struct Tap<R> {
    inner: R,
    seen: Seen,
    layer: fn(io::ErrorKind) -> Layer,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            // The innermost failure is the cause: keep the first one recorded.
            if e.kind() != io::ErrorKind::Interrupted && self.seen.get().is_none() {
                self.seen.set(Some((self.layer)(e.kind())));
            }
        })
    }
}

/// Names an error that came through the reading stack.
fn classify(seen: &Seen, e: io::Error) -> VaultError {
    match seen.get() {
        Some(Layer::Source) => VaultError::ReadSealed(e),
        Some(Layer::Decryption(io::ErrorKind::UnexpectedEof)) => {
            VaultError::Truncated { sizes: None }
        }
        Some(Layer::Decryption(_)) => VaultError::Altered,
        None => VaultError::PayloadUnreadable(e.to_string()),
    }
}

/// Files created in the destination folder, removed unless the opening succeeds.
struct Created {
    paths: Vec<PathBuf>,
    kept: bool,
}

impl Drop for Created {
    fn drop(&mut self) {
        if !self.kept {
            for p in &self.paths {
                // Best effort: the error being returned matters more than a failed removal.
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

fn check_destination(dest_dir: &Path) -> Result<(), VaultError> {
    let path = dest_dir.display().to_string();
    let mut entries = std::fs::read_dir(dest_dir).map_err(|source| VaultError::Destination {
        path: path.clone(),
        source,
    })?;
    if entries.next().is_some() {
        return Err(VaultError::DestinationNotEmpty { path });
    }
    Ok(())
}

/// The personal data in the extracts is readable by its owner only.
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

/// Decrypts the snapshot read from `encrypted` with one of `identities`, writes its extract
/// files into `dest_dir` (existing, empty) and returns its manifest. Does NOT check the
/// signature: call `verify` first, or use `verify_and_open`.
pub fn open(
    encrypted: &mut dyn Read,
    identities: &[Identity],
    dest_dir: &Path,
) -> Result<Manifest, VaultError> {
    if identities.is_empty() {
        return Err(VaultError::NoIdentity);
    }
    check_destination(dest_dir)?;
    let seen: Seen = Rc::new(Cell::new(None));
    let source = Tap {
        inner: BufReader::with_capacity(1 << 20, encrypted),
        seen: seen.clone(),
        layer: |_| Layer::Source,
    };
    let decryptor = age::Decryptor::new(source).map_err(|e| decrypt_error(&seen, e))?;
    let plain = decryptor
        .decrypt(identities.iter().map(|i| &i.0 as &dyn age::Identity))
        .map_err(|e| decrypt_error(&seen, e))?;
    let plain = Tap {
        inner: plain,
        seen: seen.clone(),
        layer: Layer::Decryption,
    };

    let mut created = Created {
        paths: Vec::new(),
        kept: false,
    };
    let mut archive = tar::Archive::new(plain);
    let manifest = read_entries(&mut archive, &seen, dest_dir, &mut created)?;

    // Read to the very end: the last encrypted chunk is authenticated only when reached, and
    // nothing but tar's zero padding may follow the archive.
    let mut rest = archive.into_inner();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(classify(&seen, e)),
        };
        if buf[..n].iter().any(|b| *b != 0) {
            return Err(VaultError::TrailingData);
        }
    }
    created.kept = true;
    Ok(manifest)
}

fn decrypt_error(seen: &Seen, e: age::DecryptError) -> VaultError {
    match e {
        age::DecryptError::NoMatchingKeys => VaultError::NotARecipient,
        age::DecryptError::UnknownFormat => VaultError::NotASnapshot,
        age::DecryptError::Io(e) => match seen.get() {
            Some(Layer::Source) => VaultError::ReadSealed(e),
            _ if e.kind() == io::ErrorKind::UnexpectedEof => VaultError::Truncated { sizes: None },
            _ => VaultError::NotASnapshot,
        },
        // A header that parses but fails its structural rules is most often not ours at all;
        // a wrong MAC or an undecryptable file key means a header changed after sealing.
        age::DecryptError::InvalidHeader => VaultError::NotASnapshot,
        _ => VaultError::Altered,
    }
}

fn read_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    seen: &Seen,
    dest_dir: &Path,
    created: &mut Created,
) -> Result<Manifest, VaultError> {
    let mut entries = archive.entries().map_err(|e| classify(seen, e))?;

    let mut first = match entries.next() {
        None => return Err(VaultError::EmptyPayload),
        Some(entry) => entry.map_err(|e| classify(seen, e))?,
    };
    if first.path_bytes().as_ref() != MANIFEST_NAME.as_bytes()
        || first.header().entry_type() != tar::EntryType::Regular
    {
        return Err(VaultError::ManifestMissing);
    }
    if first.size() > MANIFEST_MAX_BYTES {
        return Err(VaultError::ManifestInvalid {
            fr: "plus de 16 Mio".into(),
            en: "larger than 16 MiB".into(),
        });
    }
    let mut json = Vec::new();
    first
        .read_to_end(&mut json)
        .map_err(|e| classify(seen, e))?;
    drop(first);
    let manifest = Manifest::from_json(&json)?;

    let mut done = vec![false; manifest.files.len()];
    let index_of: HashMap<&[u8], usize> = manifest
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_bytes(), i))
        .collect();
    for entry in entries {
        let mut entry = entry.map_err(|e| classify(seen, e))?;
        let raw_name = entry.path_bytes().into_owned();
        let name = shown(&raw_name);
        let problem = match entry.header().entry_type() {
            tar::EntryType::Regular => None,
            tar::EntryType::Symlink | tar::EntryType::Link => Some(EntryProblem::Link),
            tar::EntryType::Directory => Some(EntryProblem::Directory),
            _ => Some(EntryProblem::Special),
        };
        if let Some(problem) = problem {
            return Err(VaultError::UnsafeEntry { name, problem });
        }
        let Some(&index) = index_of.get(raw_name.as_slice()) else {
            let leaves = raw_name.contains(&b'/')
                || raw_name.contains(&b'\\')
                || raw_name.starts_with(b"..");
            return Err(if leaves {
                VaultError::UnsafeEntry {
                    name,
                    problem: EntryProblem::Path,
                }
            } else {
                VaultError::UnexpectedFile { name }
            });
        };
        let expected = &manifest.files[index];
        if std::mem::replace(&mut done[index], true) {
            return Err(VaultError::DuplicateFile { name });
        }
        if entry.size() != expected.bytes {
            return Err(VaultError::SizeMismatch {
                name,
                expected: expected.bytes,
                found: entry.size(),
            });
        }
        // The path is the manifest's validated name joined to the folder, never the archive's.
        let path = dest_dir.join(&expected.name);
        let write_error = |source: io::Error| VaultError::WriteExtract {
            name: expected.name.clone(),
            source,
        };
        let file = create_private(&path).map_err(write_error)?;
        created.paths.push(path);
        let (digest, written) = copy_hashing(&mut entry, file, seen, &write_error)?;
        if written != expected.bytes {
            return Err(VaultError::SizeMismatch {
                name,
                expected: expected.bytes,
                found: written,
            });
        }
        if digest != expected.sha256.0 {
            return Err(VaultError::HashMismatch { name });
        }
    }
    if let Some(missing) = manifest.files.iter().zip(&done).find(|(_, d)| !**d) {
        return Err(VaultError::MissingFile {
            name: missing.0.name.clone(),
        });
    }
    Ok(manifest)
}

/// Copies an entry into its file, hashing on the way.
fn copy_hashing(
    entry: &mut dyn Read,
    file: File,
    seen: &Seen,
    write_error: &dyn Fn(io::Error) -> VaultError,
) -> Result<([u8; 32], u64), VaultError> {
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(classify(seen, e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(write_error)?;
        total += n as u64;
    }
    out.flush().map_err(write_error)?;
    Ok((hasher.finalize().into(), total))
}

/// What `verify_and_open` returns.
#[derive(Debug)]
pub struct Opened {
    pub manifest: Manifest,
    /// The signed comment, as `minisign -V` prints it.
    pub trusted_comment: String,
}

/// Checks the signature, then opens the same stream (rewound), then checks that the signed
/// comment names this snapshot's authority and creation time. One handle for both passes, so
/// the file that was verified is the file that is opened.
pub fn verify_and_open<R: Read + Seek>(
    encrypted: &mut R,
    signature: &[u8],
    public: &PublicKey,
    identities: &[Identity],
    dest_dir: &Path,
) -> Result<Opened, VaultError> {
    // Before the long signature pass, so that a wrong folder is said at once.
    check_destination(dest_dir)?;
    let start = encrypted
        .stream_position()
        .map_err(VaultError::ReadSealed)?;
    let signed = verify(encrypted, signature, public)?;
    let end = encrypted
        .stream_position()
        .map_err(VaultError::ReadSealed)?;
    encrypted
        .seek(SeekFrom::Start(start))
        .map_err(VaultError::ReadSealed)?;
    let manifest = open(encrypted, identities, dest_dir)?;
    let expected = trusted_comment(&manifest, end.saturating_sub(start));
    if signed != expected {
        // Opening succeeded, so files were written: remove them, the snapshot is refused.
        for f in &manifest.files {
            let _ = std::fs::remove_file(dest_dir.join(&f.name));
        }
        return Err(VaultError::TrustedCommentMismatch { signed, expected });
    }
    Ok(Opened {
        manifest,
        trusted_comment: signed,
    })
}
