//! `relais publish`: the public continuity page (`index.html` and `relais-public.css`) and,
//! with `--posters`, one A4 poster (PDF) per public site in `affiches/`. Every file is written
//! atomically; rows of the directory not marked public appear nowhere.

use super::EXIT_OK;
use super::crisis::out;
use super::deposit::time_zone;
use crate::args::PublishArgs;
use crate::data::DataDir;
use crate::fsio::{write_atomic, write_atomic_with};
use anyhow::Result;
use jiff::Timestamp;
use relais_core::directory::DirectoryRow;
use relais_documents::crisis::{Heading, write_poster_pdf};
use relais_documents::public_page::{PUBLIC_CSS, PUBLIC_CSS_FILE, PublicPage, write_public_html};
use relais_store::crisis::CrisisStore;
use relais_store::desk::DeskStore;
use std::io::Write;

pub fn run(a: PublishArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (settings, tz) = time_zone(&data)?;
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
    write_atomic_with(&index, |w| write_public_html(&page, w))?;
    write_atomic(&a.out.join(PUBLIC_CSS_FILE), PUBLIC_CSS.as_bytes())?;
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
        write_atomic_with(&path, |w| {
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
