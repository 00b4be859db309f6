//! `relais publish`: the public continuity page (`index.html` and `relais-public.css`) and,
//! with `--posters`, one A4 poster (PDF) per public site in `affiches/`, written by
//! `relais_app::publish` (files 0644 in 0755 folders, atomically, public rows only); this
//! prints the paths written.

use super::EXIT_OK;
use super::crisis::out;
use crate::args::PublishArgs;
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_app::publish::{Publication, publish};
use std::io::Write;

pub fn run(a: PublishArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let (settings, tz) = data.time_zone()?;
    let store = data.open_store()?;
    let written = publish(
        &*store,
        &Publication {
            authority: &settings.authority.name,
            tz: &tz,
            out: &a.out,
            posters: a.posters.then_some(a.general.as_slice()),
            now: jiff::Timestamp::now(),
        },
    )
    .map_err(agent)?;
    for path in written {
        writeln!(out(), "{}", path.display())?;
    }
    Ok(EXIT_OK)
}
