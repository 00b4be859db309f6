//! The PES file and the pain.001 files of a run, written in one pass over its lines in
//! mandate order, each checked by our own reader as it is written (`tee`) and named only once
//! the check passed.

use super::validated_at;
use crate::error::{AppError, IoAction};
use crate::fsio::AtomicFile;
use crate::runs::payees::pes_payee;
use crate::runs::tee::{ChunkReader, ChunkWriter, Tee, tee};
use crate::runs::written::Written;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::{remittance, short_label as short};
use relais_formats::payments::model::{
    Bordereau, BordereauId, BordereauKind, BudgetAccount, FunctionCode, Issuer, Line, LineId,
    Payee, PaymentMode, PesFile, PesFileName, Piece, PieceId, PieceKind, PieceNature, SepaAmount,
    SepaFile, SepaId, Totals, Transfer,
};
use relais_formats::payments::{CheckError, Pain001Writer, PesWriter, check_pain001, check_pes};
use relais_store::runs::{RunLine, RunPayee, RunRecord, RunStore};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// An export's own check failed: French, for the agent.
fn inconsistent(why: String) -> AppError {
    AppError::Inconsistent(why)
}

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
    fn mandate(&mut self, m: Mandate) -> Result<(), AppError> {
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
            deadline: None,
            settles: None,
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
                .ok_or_else(|| inconsistent(format!("tiers {} sans IBAN", m.payee.id)))?,
            creditor_bic: m.pes_payee.bank.as_ref().and_then(|b| b.bic.clone()),
            remittance: match (&m.person, piece.lines.len()) {
                _ if caf.is_some() => object.clone(),
                // The establishment finds whom it is paid for in the statement named here.
                _ if crate::runs::statements::has_statement(m.payee.kind) => format!(
                    "{} {} ETAT NOMINATIF {} ({} dossier(s))",
                    short(benefit),
                    self.month,
                    crate::runs::statements::reference(&self.numbers, &m.payee.id, piece_id),
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
            .ok_or_else(|| inconsistent(format!("date de paiement {} sans fichier", m.pay_date)))?;
        pain.write_transfer(&transfer)?;
        Ok(())
    }
}

pub(super) fn payment_files<S: RunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    issuer: &Issuer,
    dir: &Path,
) -> Result<Written, AppError> {
    let totals = store.run_totals(run.id)?;
    let created = validated_at(run)?;
    let (exercice, first_bordereau) = run
        .bordereau
        .ok_or_else(|| inconsistent(format!("paiement {} sans numéro de bordereau", run.id)))?;
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
            crate::runs::lists::each_line(
                store,
                run.id,
                &mut |line: &RunLine, payee: &RunPayee| {
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
                            pes_payee: Arc::new(pes_payee(payee, line).map_err(inconsistent)?),
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
                        invoice: String::new(),
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
                },
            )?;
            if let Some(done) = current.take() {
                files.mandate(done)?;
            }
            let (mut w, summary) = files.pes.finish()?;
            w.flush()
                .map_err(|e| AppError::io(IoAction::Write, dir.join(&pes_name), e))?;
            drop(w);
            if summary.pieces != run.summary.mandates || summary.amount != run.summary.total {
                return Err(inconsistent(format!(
                    "PES : {} mandats pour {} écrits, le paiement en compte {} pour {}",
                    summary.pieces, summary.amount, run.summary.mandates, run.summary.total
                )));
            }
            for (date, w) in files.pains {
                let (mut w, _) = w.finish()?;
                w.flush().map_err(|e| {
                    AppError::io(
                        IoAction::Write,
                        dir.join(format!("pain001_{}_{date}.xml", run.id)),
                        e,
                    )
                })?;
            }
            // The writers are dropped: each checker has seen the end of its file.
            let stopped = || inconsistent("le contrôle d'un fichier s'est arrêté".into());
            let pes_check = pes_checker.join().map_err(|_| stopped())?;
            let mut pain_checks = BTreeMap::new();
            for (date, checker) in pain_checkers {
                pain_checks.insert(date, checker.join().map_err(|_| stopped())?);
            }
            Ok::<_, AppError>((pes_check, pain_checks))
        })();
        // Every writer of a file is dropped: each file's thread has seen its end. A file that
        // could not be written says why first (the formatting then only saw it stop).
        let mut digests = BTreeMap::new();
        for (name, written) in to_disk {
            let digest = written
                .join()
                .map_err(|_| inconsistent(format!("l'écriture de {name} s'est arrêtée")))?
                .map_err(|e| AppError::io(IoAction::Write, name, e))?;
            digests.insert(name.to_owned(), hex::encode(digest));
        }
        let (pes_check, pain_checks) = formatted?;
        Ok::<_, AppError>((digests, pes_check, pain_checks))
    })?;
    let digest_of = |name: &str| {
        digests
            .get(name)
            .cloned()
            .ok_or_else(|| inconsistent(format!("empreinte de {name} manquante")))
    };
    // Our own checks passed before the files get their names.
    let check = pes_check.map_err(|source| AppError::Check {
        file: "PES".into(),
        source,
    })?;
    if check.totals().count != run.summary.mandates || check.totals().amount != run.summary.total {
        return Err(inconsistent(
            "contrôle du fichier PES : totaux relus différents du paiement".into(),
        ));
    }
    let mut written = Written::new();
    pes_file.commit()?;
    written.push((pes_name.clone(), digest_of(&pes_name)?));
    for (date, name, file) in pain_files {
        let t = pain_checks
            .remove(&date)
            .ok_or_else(|| inconsistent(format!("contrôle du fichier {name} manquant")))?
            .map_err(|source| AppError::Check {
                file: name.clone(),
                source,
            })?;
        let expected = totals.per_pay_date.get(&date).copied().unwrap_or_default();
        if t.count != expected.mandates || t.amount != expected.total {
            return Err(inconsistent(format!(
                "contrôle du fichier {name} : totaux relus différents du paiement"
            )));
        }
        file.commit()?;
        let digest = digest_of(&name)?;
        written.push((name, digest));
    }
    Ok(written)
}
