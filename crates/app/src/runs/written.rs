//! Files of an export written atomically, each with its SHA-256, and the `SHA256SUMS` that
//! lists them.

use crate::error::{AppError, IoAction};
use crate::fsio::AtomicFile;
use relais_documents::run_report::ListError;
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Seek, Write};
use std::path::Path;

/// Passes bytes through and hashes them.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(buf.get(..n).unwrap_or(&[]));
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hashing<W: Write>(inner: W) -> Hashing<W> {
    Hashing {
        inner,
        hash: Sha256::new(),
    }
}

/// Name → SHA-256 (hex) of the files written.
pub type Written = Vec<(String, String)>;

/// Writes `name` in `dir` atomically with `fill`, and notes its digest.
pub fn write_file(
    dir: &Path,
    name: &str,
    written: &mut Written,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ListError>,
) -> Result<(), AppError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    let digest = {
        let mut w = hashing(BufWriter::with_capacity(1 << 16, file.file()));
        if let Err(source) = fill(&mut w) {
            return Err(AppError::Write { path, source });
        }
        w.flush()
            .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
        hex::encode(w.hash.finalize())
    };
    file.commit()?;
    written.push((name.to_owned(), digest));
    Ok(())
}

/// `SHA256SUMS` of the files written, by name.
pub fn write_sums(out: &Path, written: &mut Written) -> Result<(), AppError> {
    written.sort();
    let sums: String = written
        .iter()
        .map(|(name, digest)| format!("{digest}  {name}\n"))
        .collect();
    crate::fsio::write_atomic(&out.join("SHA256SUMS"), sums.as_bytes())
}

/// Writes `name` in `dir` with `fill`, then reads it back with `check` before naming it.
pub(crate) fn checked_file<T>(
    dir: &Path,
    name: &str,
    written: &mut Written,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), AppError>,
    check: impl FnOnce(&mut dyn std::io::BufRead) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    {
        let mut w = BufWriter::with_capacity(1 << 16, file.file());
        fill(&mut w)?;
        w.flush()
            .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    }
    let f = file.file();
    f.rewind()
        .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut BufReader::new(&mut *f), &mut hasher)
        .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    f.rewind()
        .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    let checked = check(&mut BufReader::new(&mut *f))?;
    file.commit()?;
    written.push((name.to_owned(), hex::encode(hasher.finalize())));
    Ok(checked)
}
