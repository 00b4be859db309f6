//! The public continuity page (`index.html` and its stylesheet) and, when asked, one A4 poster
//! (PDF) per public site in `affiches/`, written for a web server to read: files 0644, the
//! folders this creates 0755 — unlike the data folder's private files (the database is 0600 in
//! a 0700 folder). Every file is written atomically; directory rows not marked public appear
//! nowhere. `relais publish` calls it; the web's preview draws the same page
//! (`relais_documents::public_page`).

use crate::error::{AppError, IoAction};
use crate::fsio::AtomicFile;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use relais_core::directory::DirectoryRow;
use relais_documents::crisis::{Heading, write_poster_pdf};
use relais_documents::public_page::{PUBLIC_CSS, PUBLIC_CSS_FILE, PublicPage, write_public_html};
use relais_store::Backend;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Who may read what is published: everyone (a web server's user).
#[cfg(unix)]
const PUBLIC_FILE: u32 = 0o644;
#[cfg(unix)]
const PUBLIC_FOLDER: u32 = 0o755;

/// What to publish, and where.
pub struct Publication<'a> {
    pub authority: &'a str,
    pub tz: &'a TimeZone,
    pub out: &'a Path,
    /// With posters: the site codes whose numbers go on every poster (general numbers).
    pub posters: Option<&'a [String]>,
    pub now: Timestamp,
}

/// Writes the public page (and the posters), from the store's directory and public message;
/// the paths written, the page first.
pub fn publish(store: &dyn Backend, p: &Publication<'_>) -> Result<Vec<PathBuf>, AppError> {
    let directory: Vec<DirectoryRow> = store
        .directory()?
        .into_iter()
        .filter(|r| r.public)
        .collect();
    let message = store.public_message().map_err(|e| match e {
        relais_store::crisis::CrisisError::Store(e) => AppError::Store(e),
        other => AppError::Inconsistent(other.to_string()),
    })?;
    let page = PublicPage {
        authority: p.authority,
        tz: p.tz,
        directory: &directory,
        message: message.as_ref(),
        published_at: p.now,
    };
    let index = p.out.join("index.html");
    write_public(&index, |w| write_public_html(&page, w))?;
    write_public(&p.out.join(PUBLIC_CSS_FILE), |w| {
        w.write_all(PUBLIC_CSS.as_bytes())
    })?;
    let mut written = vec![index];
    let Some(general_codes) = p.posters else {
        return Ok(written);
    };
    let heading = Heading {
        authority: p.authority,
        tz: p.tz,
        printed_at: p.now,
    };
    let general: Vec<DirectoryRow> = directory
        .iter()
        .filter(|r| general_codes.iter().any(|g| g.trim() == r.site_code))
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
        let path = p
            .out
            .join("affiches")
            .join(format!("{}.pdf", file_name(code)));
        write_public(&path, |w| {
            write_poster_pdf(&heading, &site, &others, message.as_ref(), w)
                .map_err(std::io::Error::other)
        })?;
        written.push(path);
    }
    Ok(written)
}

/// A folder of the public page: created readable by all when missing; one that exists is
/// left as its owner set it.
fn public_folder(dir: &Path) -> Result<(), AppError> {
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
            .map_err(|e| AppError::io(IoAction::CreateFolder, dir, e))?;
        // The process's umask may have narrowed the mode.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PUBLIC_FOLDER))
            .map_err(|e| AppError::io(IoAction::Permissions, dir, e))?;
    }
    #[cfg(not(unix))]
    builder
        .create(dir)
        .map_err(|e| AppError::io(IoAction::CreateFolder, dir, e))?;
    Ok(())
}

/// Writes a file of the public page atomically, readable by all before it takes its name.
fn write_public(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        public_folder(dir)?;
    }
    let mut file = AtomicFile::create(path)?;
    {
        let mut w = std::io::BufWriter::new(file.file());
        fill(&mut w).map_err(|e| AppError::io(IoAction::Write, path, e))?;
        w.flush()
            .map_err(|e| AppError::io(IoAction::Write, path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.handle()
            .set_permissions(std::fs::Permissions::from_mode(PUBLIC_FILE))
            .map_err(|e| AppError::io(IoAction::Permissions, path, e))?;
    }
    file.commit()
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
