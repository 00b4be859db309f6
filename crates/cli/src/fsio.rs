//! File-system edges: extracts read from a folder, files written atomically.

use anyhow::{Context, Result};
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

/// A file being written that appears under its final name only when complete: a temporary
/// file in the same folder, fsync, rename, fsync of the folder. Dropped without `commit`, it
/// leaves nothing behind.
pub struct AtomicFile {
    path: PathBuf,
    dir: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("création du dossier {}", dir.display()))?;
        let tmp = tempfile::NamedTempFile::new_in(&dir)
            .with_context(|| format!("fichier temporaire dans {}", dir.display()))?;
        Ok(AtomicFile {
            path: path.to_owned(),
            dir,
            tmp,
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    pub fn commit(self) -> Result<()> {
        let AtomicFile { path, dir, tmp } = self;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("synchronisation de {}", path.display()))?;
        tmp.persist(&path)
            .with_context(|| format!("renommage vers {}", path.display()))?;
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("synchronisation du dossier {}", dir.display()))?;
        Ok(())
    }
}

/// Writes `path` so that it holds either its old content or all of `bytes`, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with the content streamed by `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut w = std::io::BufWriter::new(file.file());
        fill(&mut w).with_context(|| format!("écriture de {}", path.display()))?;
        w.flush()
            .with_context(|| format!("écriture de {}", path.display()))?;
    }
    file.commit()
}
