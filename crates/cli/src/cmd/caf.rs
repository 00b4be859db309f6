//! `relais caf import FICHIER --month AAAA-MM`: the CAF's monthly statement of the RSA it paid
//! per household (CASF L262-25), imported whole or not at all, then compared with the store's
//! RSA rights (docs/caf.md). Exit 0 when imported; 1 when rows were rejected (nothing is
//! imported: the statement's total would be wrong) or the import is refused; 2 when the file
//! cannot be read.
//!
//! The screen shows lines, allocataire numbers and dossiers, never a NIR; the CSV files of
//! `--report` hold the NIRs the CAF gave, and are readable by their owner only.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_UNREADABLE};
use crate::args::CafImportArgs;
use crate::data::DataDir;
use crate::fsio::AtomicFile;
use crate::summary;
use anyhow::{Context, Result, anyhow, bail};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_formats::caf::{CafReadError, CafRejectedRow, CafRow, CafSink, read_caf_statement};
use relais_formats::extract::Unreadable;
use relais_store::Backend;
use relais_store::caf::{
    CafComparison, CafDiscrepancy, CafError, CafImportSession, CafImported, Tally,
};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Discrepancies of each kind shown on the screen; the report has them all.
const SHOWN: usize = 20;

/// Rows go to the import; rejects to the screen. Once a row is rejected the statement will be
/// refused whole, so the rows after it are only checked.
struct ImportSink<'s, 'o> {
    session: Box<dyn CafImportSession + 's>,
    rejected: u64,
    out: &'o mut dyn Write,
}

impl CafSink for ImportSink<'_, '_> {
    type Error = anyhow::Error;

    fn accept(&mut self, row: CafRow) -> Result<()> {
        if self.rejected == 0 {
            self.session.insert(&row)?;
        }
        Ok(())
    }

    fn reject(&mut self, row: CafRejectedRow) -> Result<()> {
        self.rejected += 1;
        for p in &row.problems {
            // The messages name a NIR's problem, never the NIR.
            tracing::debug!(file = %row.file, line = row.line, column = ?p.column,
                field = %p.field, code = %p.code, "rejected: {}", p.message_en);
            let column = p.column.map(|c| format!(":{c}")).unwrap_or_default();
            let field = if p.field.is_empty() {
                String::new()
            } else {
                format!("[{}] ", p.field)
            };
            writeln!(
                self.out,
                "{}:{}{column}: {field}{} ({})",
                row.file, row.line, p.message_fr, p.code
            )?;
        }
        Ok(())
    }
}

pub fn import(a: CafImportArgs) -> Result<u8> {
    let month = a.month;
    let threshold =
        Cents::parse(&a.threshold_euros).map_err(|e| anyhow!("--threshold-euros : {e}"))?;
    if threshold.is_negative() {
        bail!("--threshold-euros : un écart se compte sans signe, {threshold} ne convient pas");
    }
    let data = DataDir::new(&a.data.data);
    let mut store = data.open_store()?;
    let name = a.file.display().to_string();
    let file = match File::open(&a.file) {
        Ok(f) => f,
        Err(e) => {
            let u = Unreadable {
                file: name,
                code: "fichier_illisible".into(),
                message_fr: format!("ouverture impossible ({e})"),
                message_en: format!("cannot open the file ({e})"),
            };
            return Ok(unreadable(&u));
        }
    };
    // Before the import, so that a folder that cannot be written to stops it; the files
    // appear only once complete.
    let mut report = match &a.report {
        Some(dir) => Some(Report::create(dir, month)?),
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let input = std::io::BufReader::with_capacity(256 * 1024, file);
    let imported = match import_statement(&mut *store, &a.user.user, month, input, &name, &mut out)?
    {
        Ok(imported) => imported,
        Err(code) => return Ok(code),
    };
    print_imported(&mut out, &imported)?;
    let mut shown = Shown::default();
    let mut failed: Option<csv::Error> = None;
    let comparison = store.compare_caf_statement(month, threshold, &mut |d| {
        shown.keep(d);
        if let (Some(r), None) = (report.as_mut(), failed.as_ref())
            && let Err(e) = r.write(d)
        {
            failed = Some(e);
        }
    })?;
    let comparison = comparison.ok_or_else(|| anyhow!("le relevé de {month} a disparu"))?;
    print_comparison(&mut out, &name, &comparison, &shown)?;
    if let Some(e) = failed {
        return Err(e).context("écriture du rapport de comparaison");
    }
    if let (Some(report), Some(dir)) = (report, &a.report) {
        report.finish(&comparison)?;
        writeln!(
            out,
            "Rapport de comparaison écrit dans {} (caf-{month}-*.csv, lisibles par vous seul : \
             ils contiennent des NIR).",
            dir.display()
        )?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// Reads the statement into an import session and commits it; the exit code when it is not
/// imported (the session dropped: nothing changed).
fn import_statement(
    store: &mut dyn Backend,
    user: &str,
    month: Month,
    input: impl std::io::Read,
    name: &str,
    out: &mut dyn Write,
) -> Result<Result<CafImported, u8>> {
    let session = store.begin_caf_import(user, month)?;
    let mut sink = ImportSink {
        session,
        rejected: 0,
        out: &mut *out,
    };
    let read = match read_caf_statement(input, name, month, &mut sink) {
        Ok(read) => read,
        Err(CafReadError::Unreadable(u)) => return Ok(Err(unreadable(&u))),
        Err(CafReadError::Sink(e)) => return Err(e),
    };
    let ImportSink {
        session, rejected, ..
    } = sink;
    tracing::info!(file = %name, %month, rows = read.rows, rejected, sha256 = %read.sha256,
        "CAF statement read");
    match session.commit(&read.sha256, rejected) {
        Ok(imported) => Ok(Ok(imported)),
        Err(e @ (CafError::RejectedRows { .. } | CafError::Empty(_))) => {
            writeln!(out, "Relevé CAF {month} refusé : {e}.")?;
            Ok(Err(EXIT_FAILURE))
        }
        Err(e) => Err(e.into()),
    }
}

/// Reports a file that cannot be read; the exit code for it.
fn unreadable(u: &Unreadable) -> u8 {
    tracing::info!(file = %u.file, code = %u.code, "{}", u.message_en);
    eprintln!("{}", summary::unreadable_line(u));
    eprintln!("Import annulé : rien n'a été modifié dans la base.");
    EXIT_UNREADABLE
}

fn lines(n: u64) -> &'static str {
    if n > 1 { "lignes" } else { "ligne" }
}

fn print_imported(out: &mut dyn Write, imported: &CafImported) -> std::io::Result<()> {
    let s = &imported.statement;
    writeln!(
        out,
        "Relevé CAF {} importé : {} {}, {}",
        s.month,
        s.rows,
        lines(s.rows),
        s.total
    )?;
    if let Some(old) = &imported.replaced {
        writeln!(
            out,
            "Il remplace le relevé importé le {} par {} ({} {}, {}).",
            old.imported_at,
            old.imported_by,
            old.rows,
            lines(old.rows),
            old.total
        )?;
    }
    writeln!(
        out,
        "Enregistré au journal (entrée n° {}).",
        imported.entry.seq
    )?;
    if !imported.prepared_runs.is_empty() {
        writeln!(
            out,
            "Attention : le paiement {} de ce mois, déjà préparé, garde le montant de la CAF \
             d'avant ; annulez-le et préparez-le à nouveau pour qu'il mandate ce relevé.",
            imported.prepared_runs.join(", ")
        )?;
    }
    Ok(())
}

/// The first discrepancies of each kind, for the screen.
#[derive(Default)]
struct Shown {
    unknown: Vec<CafDiscrepancy>,
    differing: Vec<CafDiscrepancy>,
    missing: Vec<CafDiscrepancy>,
    without_right: Vec<CafDiscrepancy>,
}

impl Shown {
    fn keep(&mut self, d: &CafDiscrepancy) {
        let list = match d {
            CafDiscrepancy::UnknownPerson(_) => &mut self.unknown,
            CafDiscrepancy::AmountDiffers { .. } => &mut self.differing,
            CafDiscrepancy::MissingRow { .. } => &mut self.missing,
            CafDiscrepancy::NoRight { .. } => &mut self.without_right,
        };
        if list.len() < SHOWN {
            list.push(d.clone());
        }
    }
}

fn tally_line(out: &mut dyn Write, label: &str, t: Tally, unit: &str) -> std::io::Result<()> {
    // `lignes` → `ligne` for one.
    let unit = if t.count > 1 {
        unit
    } else {
        unit.strip_suffix('s').unwrap_or(unit)
    };
    writeln!(
        out,
        "  {label:<36} {:>9} {unit:<7} {:>18}",
        t.count,
        t.amount.to_string()
    )
}

/// What the CAF paid against what the rights are worth: `+12,00 €` or `-3,50 €`.
fn gap(statement: Cents, rights: Cents) -> String {
    let g = Cents(statement.0.saturating_sub(rights.0));
    if g.0 > 0 {
        format!("+{g}")
    } else {
        g.to_string()
    }
}

fn print_comparison(
    out: &mut dyn Write,
    file: &str,
    c: &CafComparison,
    shown: &Shown,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\nComparaison avec les droits RSA de la base pour {} (écart signalé au-delà de {}) :",
        c.month, c.threshold
    )?;
    tally_line(out, "relevé de la CAF", c.statement, "lignes")?;
    tally_line(out, "droits RSA payables ce mois", c.rights, "droits")?;
    tally_line(out, "foyers présents des deux côtés", c.matched, "foyers")?;
    tally_line(out, "  dont montants différents", c.differing, "foyers")?;
    tally_line(out, "personnes inconnues de la base", c.unknown, "lignes")?;
    tally_line(
        out,
        "personnes sans droit RSA ce mois",
        c.without_right,
        "lignes",
    )?;
    tally_line(out, "droits RSA absents du relevé", c.missing, "droits")?;
    let more = |out: &mut dyn Write, total: u64| {
        if total > SHOWN as u64 {
            writeln!(
                out,
                "  … et {} autres (--report pour la liste entière)",
                total - SHOWN as u64
            )
        } else {
            Ok(())
        }
    };
    if !shown.differing.is_empty() {
        writeln!(
            out,
            "\nMontants différents (relevé de la CAF, droits de la base) :"
        )?;
        for d in &shown.differing {
            if let CafDiscrepancy::AmountDiffers {
                dossier,
                rows,
                statement,
                rights,
                ..
            } = d
            {
                let at: Vec<String> = rows
                    .iter()
                    .map(|(line, allocataire)| format!("{file}:{line} allocataire {allocataire}"))
                    .collect();
                writeln!(
                    out,
                    "  dossier {dossier} ({}) : relevé {statement}, droits {rights}, écart {}",
                    at.join(", "),
                    gap(*statement, *rights)
                )?;
            }
        }
        more(out, c.differing.count)?;
    }
    if !shown.unknown.is_empty() {
        writeln!(
            out,
            "\nPersonnes inconnues de la base (ni le dossier ni le NIR) :"
        )?;
        for d in &shown.unknown {
            if let CafDiscrepancy::UnknownPerson(r) = d {
                let dossier = r.dossier.as_deref().unwrap_or("non indiqué");
                writeln!(
                    out,
                    "  {file}:{} allocataire {}, dossier {dossier} : {}",
                    r.line, r.allocataire, r.amount
                )?;
            }
        }
        more(out, c.unknown.count)?;
    }
    if !shown.without_right.is_empty() {
        writeln!(out, "\nPersonnes connues sans droit RSA payable ce mois :")?;
        for d in &shown.without_right {
            if let CafDiscrepancy::NoRight { dossier, row } = d {
                writeln!(
                    out,
                    "  {file}:{} allocataire {}, dossier {dossier} : {}",
                    row.line, row.allocataire, row.amount
                )?;
            }
        }
        more(out, c.without_right.count)?;
    }
    if !shown.missing.is_empty() {
        writeln!(out, "\nDroits RSA payables ce mois absents du relevé :")?;
        for d in &shown.missing {
            if let CafDiscrepancy::MissingRow {
                right_id,
                dossier,
                amount,
            } = d
            {
                writeln!(out, "  droit {right_id}, dossier {dossier} : {amount}")?;
            }
        }
        more(out, c.missing.count)?;
    }
    Ok(())
}

/// One CSV file of the report: written through a handle of the temporary file, renamed when
/// complete.
struct ReportFile {
    file: AtomicFile,
    csv: csv::Writer<BufWriter<File>>,
}

impl ReportFile {
    fn create(path: &Path, header: &[&str]) -> Result<ReportFile> {
        let mut file = AtomicFile::create(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("droits de {}", path.display()))?;
        }
        let handle = file.file().try_clone().context("rapport")?;
        let mut csv = csv::Writer::from_writer(BufWriter::new(handle));
        csv.write_record(header)?;
        Ok(ReportFile { file, csv })
    }

    fn finish(self) -> Result<()> {
        let ReportFile { file, csv } = self;
        let mut inner = csv.into_inner().map_err(|e| e.into_error())?;
        inner.flush()?;
        drop(inner);
        file.commit()
    }
}

/// The comparison as CSV files: `caf-AAAA-MM-ecarts.csv`, `-inconnus.csv`, `-sans-droit.csv`,
/// `-absents.csv` and `-synthese.csv` (amounts in euros, `1234.56`).
struct Report {
    differing: ReportFile,
    unknown: ReportFile,
    without_right: ReportFile,
    missing: ReportFile,
    summary: ReportFile,
}

impl Report {
    fn create(dir: &Path, month: Month) -> Result<Report> {
        let path = |what: &str| dir.join(format!("caf-{month}-{what}.csv"));
        Ok(Report {
            differing: ReportFile::create(
                &path("ecarts"),
                &[
                    "dossier",
                    "lignes",
                    "allocataires",
                    "droits",
                    "montant_releve",
                    "montant_droits",
                    "ecart",
                ],
            )?,
            unknown: ReportFile::create(
                &path("inconnus"),
                &["ligne", "allocataire", "nir", "dossier", "montant"],
            )?,
            without_right: ReportFile::create(
                &path("sans-droit"),
                &[
                    "ligne",
                    "allocataire",
                    "nir",
                    "dossier_releve",
                    "dossier",
                    "montant",
                ],
            )?,
            missing: ReportFile::create(&path("absents"), &["droit_id", "dossier", "montant"])?,
            summary: ReportFile::create(&path("synthese"), &["indicateur", "nombre", "montant"])?,
        })
    }

    fn write(&mut self, d: &CafDiscrepancy) -> csv::Result<()> {
        let nir = |r: &CafRow| {
            r.nir
                .as_ref()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default()
        };
        match d {
            CafDiscrepancy::UnknownPerson(r) => self.unknown.csv.write_record([
                r.line.to_string(),
                r.allocataire.clone(),
                nir(r),
                r.dossier.clone().unwrap_or_default(),
                r.amount.to_decimal(),
            ]),
            CafDiscrepancy::NoRight { dossier, row } => self.without_right.csv.write_record([
                row.line.to_string(),
                row.allocataire.clone(),
                nir(row),
                row.dossier.clone().unwrap_or_default(),
                dossier.clone(),
                row.amount.to_decimal(),
            ]),
            CafDiscrepancy::MissingRow {
                right_id,
                dossier,
                amount,
            } => self.missing.csv.write_record([
                right_id.as_str(),
                dossier.as_str(),
                &amount.to_decimal(),
            ]),
            CafDiscrepancy::AmountDiffers {
                dossier,
                rows,
                right_ids,
                statement,
                rights,
            } => {
                let lines: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
                let allocataires: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
                self.differing.csv.write_record([
                    dossier.clone(),
                    lines.join(" "),
                    allocataires.join(" "),
                    right_ids.join(" "),
                    statement.to_decimal(),
                    rights.to_decimal(),
                    Cents(statement.0.saturating_sub(rights.0)).to_decimal(),
                ])
            }
        }
    }

    fn finish(mut self, c: &CafComparison) -> Result<()> {
        let rows: [(&str, Tally); 7] = [
            ("releve", c.statement),
            ("droits_rsa", c.rights),
            ("foyers_rapproches", c.matched),
            ("montants_differents", c.differing),
            ("personnes_inconnues", c.unknown),
            ("sans_droit_rsa", c.without_right),
            ("droits_absents", c.missing),
        ];
        for (what, t) in rows {
            self.summary
                .csv
                .write_record([what, &t.count.to_string(), &t.amount.to_decimal()])?;
        }
        self.summary
            .csv
            .write_record(["seuil_ecart", "", &c.threshold.to_decimal()])?;
        for f in [
            self.differing,
            self.unknown,
            self.without_right,
            self.missing,
            self.summary,
        ] {
            f.finish()?;
        }
        Ok(())
    }
}
