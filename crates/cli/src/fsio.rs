//! File-system edges: extracts read from a folder; files written atomically
//! (`relais_app::fsio`), their errors said in French.

use crate::data::agent;
use anyhow::Result;
use relais_formats::extract::ExtractSource;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Extracts in a folder. A file name matches regardless of case (`Beneficiaires.CSV`).
pub struct DirSource {
    pub dir: PathBuf,
}

impl DirSource {
    fn find(&self, file_name: &str) -> std::io::Result<Option<PathBuf>> {
        let exact = self.dir.join(file_name);
        if exact.is_file() {
            return Ok(Some(exact));
        }
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            if entry
                .file_name()
                .to_string_lossy()
                .eq_ignore_ascii_case(file_name)
                && entry.path().is_file()
            {
                return Ok(Some(entry.path()));
            }
        }
        Ok(None)
    }
}

impl ExtractSource for DirSource {
    fn open(&self, file_name: &str) -> std::io::Result<Option<Box<dyn Read + '_>>> {
        match self.find(file_name)? {
            Some(path) => Ok(Some(Box::new(BufReader::with_capacity(
                256 * 1024,
                File::open(path)?,
            )))),
            None => Ok(None),
        }
    }
}

/// A file that appears under its final name only when complete ([`relais_app::fsio::AtomicFile`]).
pub struct AtomicFile(relais_app::fsio::AtomicFile);

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        relais_app::fsio::AtomicFile::create(path)
            .map(AtomicFile)
            .map_err(agent)
    }

    pub fn file(&mut self) -> &mut File {
        self.0.file()
    }

    pub fn commit(self) -> Result<()> {
        self.0.commit().map_err(agent)
    }
}

/// Writes `path` so that it holds either its old content or all of `bytes`, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    relais_app::fsio::write_atomic(path, bytes).map_err(agent)
}

/// Like [`write_atomic`], with the content streamed by `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    relais_app::fsio::write_atomic_with(path, fill).map_err(agent)
}
