//! `relais run export`: the files of a validated run, each written atomically and passed
//! through our own checks before it gets its final name, then `SHA256SUMS`. The PES and
//! pain.001 files are checked as they are written, on other threads (`tee`).
//!
//! Everything written comes from the run as stored and from the settings: no clock (the
//! files' creation time is the validation's), no random, so exporting again gives the same
//! bytes. The PES file and the pain.001 files (one per pay date: `ReqdExctnDt` is per payment
//! block) are written in one pass over the lines, in mandate order.

pub use super::documents::{report, write_report};
use super::payees::pes_payee;
use super::tee::{ChunkReader, ChunkWriter, Tee, tee};
pub use super::written::Written;
use super::written::write_sums;
use super::{parse_run_id, payment_settings};
use crate::args::RunExportArgs;
use crate::cmd::EXIT_OK;
use crate::cmd::deposit::time_zone;
use crate::data::DataDir;
use crate::fsio::AtomicFile;
use anyhow::{Context, Result, anyhow, bail};
use jiff::civil::{Date, DateTime};
use relais_core::Cents;
use relais_core::ids::Siret;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::roles::Role;
use relais_core::run::RunId;
use relais_core::run::{RunStatus, remittance, short_label as short};
use relais_core::settings::{PaymentSettings, Settings};
use relais_formats::payments::model::{
    Bordereau, BordereauId, BordereauKind, BudgetAccount, BudgetCode, CollectivityCode, Debtor,
    FunctionCode, Issuer, Line, LineId, Payee, PaymentMode, PesFile, PesFileName, Piece, PieceId,
    PieceKind, PieceNature, PostId, SepaAmount, SepaFile, SepaId, Totals, Transfer,
};
use relais_formats::payments::{CheckError, Pain001Writer, PesWriter, check_pain001, check_pes};
use relais_store::runs::{RunLine, RunPayee, RunRecord, RunStore};
use relais_store::{SqliteStore, Store};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The PES header and the debtor account, from the settings.
fn issuer(settings: &Settings, p: &PaymentSettings) -> Result<Issuer> {
    let siret = Siret::parse(settings.authority.siret.as_str())
        .map_err(|e| anyhow!("authority.siret : {e}"))?;
    Ok(Issuer {
        name: settings.authority.name.clone(),
        siret,
        collectivity: CollectivityCode::parse(&p.collectivity_code)
            .map_err(|e| anyhow!("payments.collectivity_code : {e}"))?,
        budget: BudgetCode::parse(&p.budget_code)
            .map_err(|e| anyhow!("payments.budget_code : {e}"))?,
        post: PostId::parse(&p.post_id).map_err(|e| anyhow!("payments.post_id : {e}"))?,
        budget_label: p.budget_label.clone(),
        debtor: Debtor {
            name: p.debtor_name.clone(),
            iban: p.debtor_iban.clone(),
            bic: p.debtor_bic.clone(),
        },
    })
}

/// The instant the run was validated, `2026-12-01 09:14` in the authority's time.
fn validated_at(run: &RunRecord) -> Result<DateTime> {
    let text = run
        .summary
        .validated_at
        .as_deref()
        .ok_or_else(|| anyhow!("paiement {} non validé", run.id))?;
    format!("{}:00", text.replace(' ', "T"))
        .parse()
        .map_err(|_| anyhow!("heure de validation illisible : {text:?}"))
}

pub fn run(a: RunExportArgs) -> Result<u8> {
    let data = DataDir::new(&a.data.data);
    let id = parse_run_id(&a.run)?;
    let bar = crate::progress::spinner("écriture des fichiers de paiement et des documents");
    let exported = export(&data, id, &a.user.user, &a.out, a.payment_files_only);
    bar.finish_and_clear();
    let exported = exported?;
    for (name, _) in &exported.written {
        println!("écrit : {}", a.out.join(name).display());
    }
    println!("écrit : {}", a.out.join("SHA256SUMS").display());
    let run = &exported.run;
    println!(
        "Paiement {} exporté : {} mandats, {} (journal n° {}).",
        run.id, run.summary.mandates, run.summary.total, exported.journal_seq
    );
    if let Some(caf) = &run.summary.caf_mandate {
        println!("RSA : mandat à la CAF de {} ({}).", caf.amount, caf.basis);
    }
    Ok(EXIT_OK)
}

/// What an export wrote.
pub struct Exported {
    pub run: RunRecord,
    /// Name → SHA-256 of each file, by name (`SHA256SUMS` lists them).
    pub written: Written,
    pub journal_seq: u64,
}

/// Exports the validated run `id` into `out` by `user` (liquidation or ordonnateur): the
/// payment files, and unless `payment_files_only` the control report, the bordereau and the
/// CAF's file; then `SHA256SUMS`, and the export's journal entry. Used by `relais run export`
/// and by the web interface's download button.
pub fn export(
    data: &DataDir,
    id: RunId,
    user: &str,
    out: &Path,
    payment_files_only: bool,
) -> Result<Exported> {
    let (settings, _) = time_zone(data)?;
    let payments = payment_settings(data, &settings)?;
    let mut store = data.open_store()?;
    match store.user(user)? {
        Some(u)
            if !u.disabled
                && u.roles
                    .iter()
                    .any(|r| matches!(r, Role::Liquidation | Role::Ordonnateur)) => {}
        _ => bail!(
            "l'utilisateur « {user} » ne peut pas exporter un paiement (rôle liquidation ou ordonnateur)"
        ),
    }
    let run = store
        .run(id)?
        .ok_or_else(|| anyhow!("aucun paiement {id}"))?;
    if run.status != RunStatus::Validated {
        bail!(
            "le paiement {id} est {} : seul un paiement validé s'exporte (relais run validate)",
            run.status.label_fr()
        );
    }
    let issuer = issuer(&settings, payments)?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("création du dossier {}", out.display()))?;
    // The documents are written beside the payment files, on their own connection: the
    // payment files' pipeline leaves part of the machine idle (its formatting thread bounds
    // it), which the documents use.
    let (payment, documents) = std::thread::scope(|scope| {
        let documents = (!payment_files_only).then(|| {
            let run = &run;
            scope.spawn(move || -> Result<Written> {
                let store = SqliteStore::open_reader(&data.db_path())
                    .with_context(|| format!("ouverture de {}", data.db_path().display()))?;
                super::documents::write_documents(&store, run, out)
            })
        });
        let started = std::time::Instant::now();
        let payment = payment_files(&store, &run, &issuer, out);
        tracing::debug!(elapsed = ?started.elapsed(), "run export: payment files");
        let documents = documents.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow!("l'écriture des documents s'est interrompue")))
        });
        (payment, documents)
    });
    let mut written = payment?;
    if let Some(documents) = documents {
        written.extend(documents?);
    }
    write_sums(out, &mut written)?;
    let files: serde_json::Value = written
        .iter()
        .map(|(n, d)| (n.clone(), serde_json::Value::from(d.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let entry = store.record_run_export(run.id, user, &files)?;
    Ok(Exported {
        run,
        written,
        journal_seq: entry.seq,
    })
}

// ---------------------------------------------------------------------------------------------
// PES and pain.001

/// One mandate being gathered from its lines.
struct Mandate {
    number: u32,
    payee: RunPayee,
    pes_payee: Arc<Payee>,
    pay_date: Date,
    lines: Vec<Line>,
    first: Option<(Benefit, String)>,
    /// The protected person a guardian is paid for (one mandate each), named in the transfer.
    person: Option<String>,
    total: Cents,
}

/// A payment file being written: checked and hashed on one thread, written to disk on
/// another (the formatting thread bounds the export).
type Output = Tee;

/// Runs `check` over the bytes of a file as they are written, to their end.
fn check_all<T>(
    mut input: ChunkReader,
    check: impl FnOnce(&mut ChunkReader) -> Result<T, CheckError>,
) -> Result<T, CheckError> {
    let checked = check(&mut input)?;
    // The check reads to the end of the document; whatever follows is read too, so that the
    // formatting thread finds its checker there to the end.
    std::io::copy(&mut input, &mut std::io::sink()).map_err(|e| CheckError::Unreadable {
        at: input.position(),
        message: e.to_string(),
    })?;
    Ok(checked)
}

/// Writes a file's bytes on a thread of `scope`; their SHA-256.
fn write_on_thread<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    to_file: ChunkWriter,
    file: &'env File,
) -> std::thread::ScopedJoinHandle<'scope, std::io::Result<[u8; 32]>> {
    scope.spawn(move || to_file.write_to(file))
}

struct Files {
    pes: PesWriter<Output>,
    pains: BTreeMap<Date, Pain001Writer<Output>>,
    bordereau_index: Option<u32>,
    /// The run's numbers: IdPce of each mandate, first IdBord, MtCumulAnnuel before it.
    numbers: RunRecord,
    first_bordereau: u32,
    exercice: i16,
    bordereau_date: Date,
    per_bordereau: BTreeMap<u32, Totals>,
    month: relais_core::calendar::Month,
    run: String,
}

impl Files {
    fn mandate(&mut self, m: Mandate) -> Result<()> {
        let (index, piece_id) = self.numbers.piece_position(m.number);
        if self.bordereau_index != Some(index) {
            let declared = self.per_bordereau.get(&index).copied().unwrap_or_default();
            // MtCumulAnnuel: the exercice's mandates before the run, then the run's
            // bordereaux up to this one included.
            let cumulative_annual = match self.numbers.cumul_before {
                Some(before) => Cents::checked_sum(
                    std::iter::once(before)
                        .chain(self.per_bordereau.range(..=index).map(|(_, t)| t.amount)),
                )
                .filter(|c| c.0 > 0),
                None => None,
            };
            let b = Bordereau {
                year: self.exercice,
                id: BordereauId::new(self.first_bordereau.saturating_add(index))?,
                date: self.bordereau_date,
                kind: BordereauKind::ORDINARY,
                cumulative_annual,
            };
            self.pes.begin_bordereau(&b, declared)?;
            self.bordereau_index = Some(index);
        }
        let (benefit, dossier) = m.first.clone().unwrap_or((Benefit::ApaDom, String::new()));
        let caf = self
            .numbers
            .summary
            .caf_mandate
            .as_ref()
            .filter(|_| m.payee.kind == PayeeKind::Caf);
        let object = if let Some(caf) = caf {
            // The RSA the CAF paid, funded by the département (CASF L262-25).
            format!(
                "RSA {} {} (CASF L262-25)",
                self.month,
                if caf.from_statement {
                    "relevé CAF"
                } else {
                    "avance à régulariser"
                }
            )
        } else if m.lines.len() == 1 {
            format!("{} {} dossier {}", short(benefit), self.month, dossier)
        } else {
            format!(
                "{} {} {} dossiers",
                short(benefit),
                self.month,
                m.lines.len()
            )
        };
        let piece = Piece {
            id: PieceId::new(piece_id)?,
            kind: PieceKind::ORDINARY_MANDATE,
            nature: PieceNature::OPERATING,
            object: object.clone(),
            due_date: Some(m.pay_date),
            lines: m.lines,
        };
        self.pes.write_piece(&piece)?;
        let transfer = Transfer {
            end_to_end_id: SepaId::parse(&format!("{}-{:08}", self.run, m.number))?,
            amount: SepaAmount::new(m.total)?,
            creditor_name: if m.payee.holder.trim().is_empty() {
                m.payee.name.clone()
            } else {
                m.payee.holder.clone()
            },
            creditor_iban: m
                .pes_payee
                .bank
                .as_ref()
                .map(|b| b.iban.clone())
                .ok_or_else(|| anyhow!("tiers {} sans IBAN", m.payee.id))?,
            creditor_bic: m.pes_payee.bank.as_ref().and_then(|b| b.bic.clone()),
            remittance: match (&m.person, piece.lines.len()) {
                _ if caf.is_some() => object.clone(),
                // The establishment finds whom it is paid for in the statement named here.
                _ if super::statements::has_statement(m.payee.kind) => format!(
                    "{} {} ETAT NOMINATIF {} ({} dossier(s))",
                    short(benefit),
                    self.month,
                    super::statements::reference(&self.numbers, &m.payee.id, piece_id),
                    piece.lines.len()
                ),
                (Some(person), _) => format!(
                    "{} POUR {person}",
                    remittance(benefit, self.month, &dossier)
                ),
                (None, 1) => remittance(benefit, self.month, &dossier),
                (None, _) => format!("{object} mandat {piece_id}"),
            },
        };
        let pain = self
            .pains
            .get_mut(&m.pay_date)
            .ok_or_else(|| anyhow!("date de paiement {} sans fichier", m.pay_date))?;
        pain.write_transfer(&transfer)?;
        Ok(())
    }
}

fn payment_files(
    store: &SqliteStore,
    run: &RunRecord,
    issuer: &Issuer,
    dir: &Path,
) -> Result<Written> {
    let totals = store.run_totals(run.id)?;
    let created = validated_at(run)?;
    let (exercice, first_bordereau) = run
        .bordereau
        .ok_or_else(|| anyhow!("paiement {} sans numéro de bordereau", run.id))?;
    let pes_name = format!("PES_{}.xml", run.id);
    let pes_file = AtomicFile::create(&dir.join(&pes_name))?;
    let mut pain_files: Vec<(Date, String, AtomicFile)> = Vec::new();
    for date in totals.per_pay_date.keys() {
        let name = format!("pain001_{}_{date}.xml", run.id);
        pain_files.push((*date, name.clone(), AtomicFile::create(&dir.join(&name))?));
    }
    let pes_handle = pes_file.handle();
    let pain_handles: Vec<(Date, &str, &File)> = pain_files
        .iter()
        .map(|(date, name, file)| (*date, name.as_str(), file.handle()))
        .collect();
    let (digests, pes_check, mut pain_checks) = std::thread::scope(|scope| {
        // Each file is written to disk by a thread of its own.
        let mut to_disk = Vec::new();
        let formatted = (|| {
            let (pes_out, pes_in, pes_to_file) = tee();
            to_disk.push((
                pes_name.as_str(),
                write_on_thread(scope, pes_to_file, pes_handle),
            ));
            let pes_checker = scope.spawn(move || check_all(pes_in, |r| check_pes(r)));
            let pes = PesWriter::new(
                pes_out,
                issuer,
                &PesFile {
                    name: PesFileName::parse(&format!("PES_{}", run.id))?,
                    created,
                },
            )?;
            let mut pains = BTreeMap::new();
            let mut pain_checkers = Vec::new();
            for (date, name, file) in &pain_handles {
                let t = totals.per_pay_date.get(date).copied().unwrap_or_default();
                let compact = date.strftime("%Y%m%d").to_string();
                let (out, input, to_file) = tee();
                to_disk.push((name, write_on_thread(scope, to_file, file)));
                pain_checkers.push((
                    *date,
                    scope.spawn(move || check_all(input, |r| check_pain001(r))),
                ));
                let w = Pain001Writer::new(
                    out,
                    issuer,
                    &SepaFile {
                        message_id: SepaId::parse(&format!("{}-{compact}", run.id))?,
                        payment_info_id: SepaId::parse(&format!("{}-{compact}-1", run.id))?,
                        created,
                        execution_date: *date,
                    },
                    Totals {
                        count: t.mandates,
                        amount: t.total,
                    },
                )?;
                pains.insert(*date, w);
            }
            let mut files = Files {
                pes,
                pains,
                bordereau_index: None,
                numbers: run.clone(),
                first_bordereau,
                exercice,
                bordereau_date: created.date(),
                per_bordereau: totals
                    .per_bordereau
                    .iter()
                    .map(|(i, g)| {
                        (
                            *i,
                            Totals {
                                count: g.mandates,
                                amount: g.total,
                            },
                        )
                    })
                    .collect(),
                month: run.id.month(),
                run: run.id.to_string(),
            };
            let mut current: Option<Mandate> = None;
            super::lists::each_line(store, run.id, &mut |line: &RunLine, payee: &RunPayee| {
                let Some((mandate, n)) = line.mandate else {
                    return Ok(());
                };
                if current.as_ref().is_some_and(|m| m.number != mandate)
                    && let Some(done) = current.take()
                {
                    files.mandate(done)?;
                }
                let m = match &mut current {
                    Some(m) => m,
                    None => current.insert(Mandate {
                        number: mandate,
                        payee: payee.clone(),
                        pes_payee: Arc::new(pes_payee(payee, line).map_err(|e| anyhow!(e))?),
                        pay_date: line.pay_date,
                        lines: Vec::new(),
                        first: None,
                        person: (payee.kind == PayeeKind::Tuteur)
                            .then(|| format!("{} {}", line.last_name, line.first_name)),
                        total: Cents::ZERO,
                    }),
                };
                m.first
                    .get_or_insert_with(|| (line.benefit, line.dossier.clone()));
                m.total = Cents(m.total.0.saturating_add(line.amount.0));
                m.lines.push(Line {
                    id: LineId::new(n)?,
                    account: BudgetAccount::parse(&line.account)?,
                    function: Some(FunctionCode::parse(&line.function)?),
                    transfer_label: if payee.kind == PayeeKind::Caf {
                        format!("RSA {} FINANCEMENT DEPARTEMENT", run.id.month())
                    } else {
                        remittance(line.benefit, run.id.month(), &line.dossier)
                    },
                    payment_mode: PaymentMode::TRANSFER,
                    amount: line.amount,
                    payee: Arc::clone(&m.pes_payee),
                });
                Ok(())
            })?;
            if let Some(done) = current.take() {
                files.mandate(done)?;
            }
            let (mut w, summary) = files.pes.finish()?;
            w.flush()?;
            drop(w);
            if summary.pieces != run.summary.mandates || summary.amount != run.summary.total {
                bail!(
                    "PES : {} mandats pour {} écrits, le paiement en compte {} pour {}",
                    summary.pieces,
                    summary.amount,
                    run.summary.mandates,
                    run.summary.total
                );
            }
            for (_, w) in files.pains {
                let (mut w, _) = w.finish()?;
                w.flush()?;
            }
            // The writers are dropped: each checker has seen the end of its file.
            let stopped = || anyhow!("le contrôle d'un fichier s'est arrêté");
            let pes_check = pes_checker.join().map_err(|_| stopped())?;
            let mut pain_checks = BTreeMap::new();
            for (date, checker) in pain_checkers {
                pain_checks.insert(date, checker.join().map_err(|_| stopped())?);
            }
            Ok::<_, anyhow::Error>((pes_check, pain_checks))
        })();
        // Every writer of a file is dropped: each file's thread has seen its end. A file that
        // could not be written says why first (the formatting then only saw it stop).
        let mut digests = BTreeMap::new();
        for (name, written) in to_disk {
            let digest = written
                .join()
                .map_err(|_| anyhow!("l'écriture de {name} s'est arrêtée"))?
                .with_context(|| format!("écriture de {name}"))?;
            digests.insert(name.to_owned(), hex::encode(digest));
        }
        let (pes_check, pain_checks) = formatted?;
        Ok::<_, anyhow::Error>((digests, pes_check, pain_checks))
    })?;
    let digest_of = |name: &str| {
        digests
            .get(name)
            .cloned()
            .ok_or_else(|| anyhow!("empreinte de {name} manquante"))
    };
    // Our own checks passed before the files get their names.
    let check = pes_check.map_err(|e| anyhow!("contrôle du fichier PES : {e}"))?;
    if check.totals().count != run.summary.mandates || check.totals().amount != run.summary.total {
        bail!("contrôle du fichier PES : totaux relus différents du paiement");
    }
    let mut written = Written::new();
    pes_file.commit()?;
    written.push((pes_name.clone(), digest_of(&pes_name)?));
    for (date, name, file) in pain_files {
        let t = pain_checks
            .remove(&date)
            .ok_or_else(|| anyhow!("contrôle du fichier {name} manquant"))?
            .map_err(|e| anyhow!("contrôle du fichier {name} : {e}"))?;
        let expected = totals.per_pay_date.get(&date).copied().unwrap_or_default();
        if t.count != expected.mandates || t.amount != expected.total {
            bail!("contrôle du fichier {name} : totaux relus différents du paiement");
        }
        file.commit()?;
        let digest = digest_of(&name)?;
        written.push((name, digest));
    }
    Ok(written)
}
