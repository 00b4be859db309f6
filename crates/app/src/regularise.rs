//! `relais regularise`: the mandats émis après paiement (PES TypPce 05) of a run paid before
//! its mandat (arrêté of 16 February 2015: aide sociale may be paid first, then regularised
//! within 30 days and before the year's end). See docs/regularisation.md.
//!
//! One bordereau (more only past 99,999 mandates) of one mandat per mandate of the run, whose
//! numbers continue the exercice's: the file is written under a temporary name with the
//! exercice's next numbers, read back by our checker, then the numbers are taken with the
//! journal entry `run_regularise` and the file's SHA-256 in one transaction
//! ([`relais_store::regularisation`]), and only then does the file get its name,
//! `PES_REGUL_<run>.xml`, beside the run's files, with its line in their `SHA256SUMS`. Asked
//! again, the same file is written again from the numbers recorded, and must give the same
//! digest: same bytes, same numbers, no new number.

mod pes;

use crate::data::Data;
use crate::error::{AppError, IoAction};
use crate::fsio::AtomicFile;
use crate::runs::Authority;
use crate::runs::export::plan_export;
use jiff::civil::{Date, DateTime};
use pes::{Content, Numbers};
use relais_core::Cents;
use relais_core::regularisation::{Timeliness, deadline, may_regularise, timeliness};
use relais_core::roles::Role;
use relais_core::run::RunId;
use relais_store::regularisation::{RecordRegularisation, RegularisationError, RunRegularisation};
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

/// What a regularisation wrote, or gave back.
#[derive(Debug, Clone)]
pub struct Regularised {
    pub record: RunRegularisation,
    /// `false` when the run was already regularised: the same file written again.
    pub created: bool,
    pub file: PathBuf,
    pub mandates: u64,
    pub total: Cents,
    /// The earliest payment regularised, and its deadline (30 days after it and 31/12 of the
    /// exercice, whichever comes first).
    pub paid_on: Option<Date>,
    pub deadline: Option<Date>,
    /// Where the regularisation stands today against its deadline.
    pub timeliness: Option<Timeliness>,
}

/// The file's name for run `id`.
pub fn file_name(id: RunId) -> String {
    format!("PES_REGUL_{id}.xml")
}

fn refused(e: RegularisationError) -> AppError {
    AppError::Regularisation(e)
}

/// The file written under a temporary name, read back by our checker, with its SHA-256.
struct Staged {
    file: AtomicFile,
    sha256: String,
    content: Content,
}

fn stage(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<Content, AppError>,
) -> Result<Staged, AppError> {
    let mut file = AtomicFile::create(path)?;
    let content = {
        let mut w = BufWriter::with_capacity(1 << 16, file.file());
        let content = fill(&mut w)?;
        w.flush()
            .map_err(|e| AppError::io(IoAction::Write, path, e))?;
        content
    };
    let f = file.file();
    let io = |e| AppError::io(IoAction::Write, path, e);
    f.rewind().map_err(io)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut BufReader::new(&mut *f), &mut hasher).map_err(io)?;
    f.rewind().map_err(io)?;
    let check = relais_formats::payments::check_pes(BufReader::new(&mut *f)).map_err(|source| {
        AppError::Check {
            file: "PES de régularisation".into(),
            source,
        }
    })?;
    if check.totals().count != content.mandates || check.totals().amount != content.total {
        return Err(AppError::Inconsistent(
            "contrôle du fichier de régularisation : totaux relus différents".into(),
        ));
    }
    Ok(Staged {
        file,
        sha256: hex::encode(hasher.finalize()),
        content,
    })
}

/// Adds (or replaces) `name`'s line in `dir`'s `SHA256SUMS`, kept sorted by name.
fn add_sum(dir: &Path, name: &str, sha256: &str) -> Result<(), AppError> {
    let path = dir.join("SHA256SUMS");
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(AppError::io(IoAction::Read, &path, e)),
    };
    let mut lines: Vec<(String, String)> = old
        .lines()
        .filter_map(|l| l.split_once("  "))
        .filter(|(_, n)| *n != name)
        .map(|(d, n)| (n.to_owned(), d.to_owned()))
        .collect();
    lines.push((name.to_owned(), sha256.to_owned()));
    lines.sort();
    let text: String = lines.iter().map(|(n, d)| format!("{d}  {n}\n")).collect();
    crate::fsio::write_atomic(&path, text.as_bytes())
}

fn local_time(text: &str) -> Result<DateTime, AppError> {
    format!("{}:00", text.replace(' ', "T"))
        .parse()
        .map_err(|_| AppError::Inconsistent(format!("heure illisible : {text:?}")))
}

/// Regularises the validated and exported run `id` by `user` (an ordonnateur): writes
/// `PES_REGUL_<run>.xml` into `out` (the run's folder of the data folder when `None`).
pub fn regularise(
    data: &Data,
    at: &Authority<'_>,
    id: RunId,
    user: &str,
    out: Option<&Path>,
) -> Result<Regularised, AppError> {
    let mut store = data.open_store()?;
    let is_ordonnateur = store
        .user(user)?
        .is_some_and(|u| !u.disabled && u.roles.contains(&Role::Ordonnateur));
    if !is_ordonnateur {
        return Err(AppError::Refused(crate::error::Refusal::MayNotRegularise(
            user.to_owned(),
        )));
    }
    let run = store
        .run(id)?
        .ok_or(AppError::NotFound(crate::error::Missing::Run(id)))?;
    may_regularise(run.kind)
        .map_err(|reason| refused(RegularisationError::Refused { run: id, reason }))?;
    let plan = plan_export(&*store, at, id, user).map_err(|e| match e {
        AppError::NotValidated { run, status } => {
            refused(RegularisationError::NotValidated { run, status })
        }
        other => other,
    })?;
    let dir = out.map_or_else(
        || data.dir.exports_path().join(id.to_string()),
        Path::to_owned,
    );
    let name = file_name(id);
    let path = dir.join(&name);
    let zone = at.settings.authority.holiday_zone;
    let write = |store: &dyn relais_store::Backend, numbers: Numbers| {
        stage(&path, |w| {
            pes::write(store, &plan.run, plan.issuer(), zone, numbers, w)
        })
    };
    let (local_now, today) = crate::clock::local_now(at.clock, at.tz);
    let recorded = match store.regularisation(id).map_err(refused)? {
        Some(done) => (done, false, None),
        None => {
            if !store.run_exported(id).map_err(refused)? {
                return Err(refused(RegularisationError::NotExported(id)));
            }
            let exercice = plan.run.bordereau.map_or(today.year(), |(e, _)| e);
            let n = store
                .numbering(exercice)
                .map_err(|e| AppError::Inconsistent(e.to_string()))?
                .ok_or(refused(RegularisationError::NoNumbering(exercice)))?;
            let numbers = Numbers {
                exercice,
                bordereau: n.last_bordereau.saturating_add(1),
                first_mandate: n.last_mandate.saturating_add(1),
                created: local_time(&local_now)?,
            };
            let staged = write(&*store, numbers)?;
            let bordereaux =
                u32::try_from(staged.content.mandates.div_ceil(99_999).max(1)).unwrap_or(1);
            let last_mandate = u32::try_from(staged.content.mandates)
                .ok()
                .and_then(|m| numbers.first_mandate.checked_add(m.saturating_sub(1)))
                .ok_or_else(|| AppError::Inconsistent("numéros de mandat épuisés".into()))?;
            let (done, created) = store
                .record_regularisation(&RecordRegularisation {
                    run: id,
                    actor: user,
                    local_time: &local_now,
                    exercice,
                    bordereau: numbers.bordereau,
                    last_bordereau: numbers.bordereau + bordereaux - 1,
                    first_mandate: numbers.first_mandate,
                    last_mandate,
                    sha256: &staged.sha256,
                    file: &name,
                })
                .map_err(refused)?;
            (done, created, Some(staged))
        }
    };
    let (record, created, staged) = recorded;
    // Written by this call with the numbers recorded, or written again from them.
    let staged = match staged {
        Some(s) if created => s,
        _ => write(
            &*store,
            Numbers {
                exercice: record.exercice,
                bordereau: record.bordereau,
                first_mandate: record.first_mandate,
                created: local_time(&record.at)?,
            },
        )?,
    };
    if staged.sha256 != record.sha256 {
        return Err(AppError::Inconsistent(format!(
            "le fichier {name} écrit de nouveau diffère de celui de la régularisation (SHA-256 {} enregistré, {} obtenu) : les données du paiement ont changé",
            record.sha256, staged.sha256
        )));
    }
    let content = staged.content;
    staged.file.commit()?;
    add_sum(&dir, &name, &record.sha256)?;
    let limit = content.first_paid.map(|d| deadline(d, record.exercice));
    Ok(Regularised {
        created,
        file: path,
        mandates: content.mandates,
        total: content.total,
        paid_on: content.first_paid,
        deadline: limit,
        timeliness: limit.map(|l| timeliness(l, today)),
        record,
    })
}
