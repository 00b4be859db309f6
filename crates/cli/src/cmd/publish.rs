//! `relais publish`: the public continuity page (`index.html` and `relais-public.css`) and,
//! with `--posters`, one A4 poster (PDF) per public site in `affiches/`. Every file is written
//! atomically; rows of the directory not marked public appear nowhere. The files are for a
//! web server to read: 0644, and the folders this command creates 0755 — unlike the data
//! folder's private files (the database is 0600 in a 0700 folder).

use super::EXIT_OK;
use super::crisis::out;
use crate::args::PublishArgs;
use crate::data::DataDir;
use crate::fsio::AtomicFile;
use anyhow::Context;
use anyhow::Result;
use jiff::Timestamp;
use relais_core::directory::DirectoryRow;
use relais_documents::crisis::{Heading, write_poster_pdf};
use relais_documents::public_page::{PUBLIC_CSS, PUBLIC_CSS_FILE, PublicPage, write_public_html};
use std::io::Write;
use std::path::Path;

/// Who may read what `relais publish` writes: everyone (a web server's user).
#[cfg(unix)]
const PUBLIC_FILE: u32 = 0o644;
#[cfg(unix)]
const PUBLIC_FOLDER: u32 = 0o755;

/// A folder of the public page: created readable by all when missing; one that exists is
/// left as its owner set it.
fn public_folder(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(PUBLIC_FOLDER);
        builder
            .create(dir)
            .with_context(|| format!("création du dossier {}", dir.display()))?;
        // The process's umask may have narrowed the mode.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PUBLIC_FOLDER))
            .with_context(|| format!("droits du dossier {}", dir.display()))?;
    }
    #[cfg(not(unix))]
    builder
        .create(dir)
        .with_context(|| format!("création du dossier {}", dir.display()))?;
    Ok(())
}

/// Writes a file of the public page atomically, readable by all before it takes its name.
fn write_public(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if let Some(dir) = path.parent() {
        public_folder(dir)?;
    }
    let mut file = AtomicFile::create(path)?;
    {
        let mut w = std::io::BufWriter::new(file.file());
        fill(&mut w).with_context(|| format!("écriture de {}", path.display()))?;
        w.flush()
            .with_context(|| format!("écriture de {}", path.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.handle()
            .set_permissions(std::fs::Permissions::from_mode(PUBLIC_FILE))
            .with_context(|| format!("droits de {}", path.display()))?;
    }
    file.commit()
}

pub fn run(a: PublishArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (settings, tz) = data.time_zone()?;
    let store = data.open_store()?;
    let directory: Vec<DirectoryRow> = store
        .directory()?
        .into_iter()
        .filter(|r| r.public)
        .collect();
    let message = store.public_message()?;
    let now = Timestamp::now();
    let page = PublicPage {
        authority: &settings.authority.name,
        tz: &tz,
        directory: &directory,
        message: message.as_ref(),
        published_at: now,
    };
    let index = a.out.join("index.html");
    write_public(&index, |w| write_public_html(&page, w))?;
    write_public(&a.out.join(PUBLIC_CSS_FILE), |w| {
        w.write_all(PUBLIC_CSS.as_bytes())
    })?;
    writeln!(out(), "{}", index.display())?;
    if !a.posters {
        return Ok(EXIT_OK);
    }
    let heading = Heading {
        authority: &settings.authority.name,
        tz: &tz,
        printed_at: now,
    };
    let general: Vec<DirectoryRow> = directory
        .iter()
        .filter(|r| a.general.iter().any(|g| g.trim() == r.site_code))
        .cloned()
        .collect();
    let mut codes: Vec<&str> = directory.iter().map(|r| r.site_code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        let site: Vec<DirectoryRow> = directory
            .iter()
            .filter(|r| r.site_code == code)
            .cloned()
            .collect();
        // A general number of this very site is already on its poster.
        let others: Vec<DirectoryRow> = general
            .iter()
            .filter(|r| r.site_code != code)
            .cloned()
            .collect();
        let path = a
            .out
            .join("affiches")
            .join(format!("{}.pdf", file_name(code)));
        write_public(&path, |w| {
            write_poster_pdf(&heading, &site, &others, message.as_ref(), w)
                .map_err(std::io::Error::other)
        })?;
        writeln!(out(), "{}", path.display())?;
    }
    Ok(EXIT_OK)
}

/// A site code as a file name: letters, digits, `-` and `_` kept, anything else `_`.
fn file_name(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn site_codes_make_safe_file_names() {
        assert_eq!(super::file_name("MDS-MEAUX"), "MDS-MEAUX");
        assert_eq!(super::file_name("../é x"), "_____x");
    }
}
