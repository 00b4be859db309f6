//! Exporting a validated supplier run: the PES bordereau (TypBord 01; TypPce 09 "mandat sur
//! marché" for an invoice under a marché, else 01; NatPce 02 investissement for an account of
//! class 2, else 01 — triplets of DosTech annexe 1), one mandat per invoice with the supplier's
//! invoice number (`Facture`), the `DGP` block and the supplier as `Tiers` (SIRET in `IdTiers`);
//! the pain.001 of the same; the paper bordereau; the list of mandats and of the invoices that
//! wait; each late invoice's interest statement; `SHA256SUMS`. Each payment file is written
//! atomically and read back by our own checker before it gets its name.

use crate::error::AppError;
use crate::runs::Written;
use crate::runs::export::ExportPlan;
use crate::runs::payees::form_category;
use crate::runs::written::{checked_file, write_file, write_sums};
use jiff::civil::DateTime;
use relais_core::calendar::bank_day_on_or_after;
use relais_core::invoices::mandate::{MandateKind, SupplierMandate, SupplierRunSummary};
use relais_core::run::RunStatus;
use relais_documents::run_report::ListError;
use relais_documents::supplier_run::{
    SupplierBordereau, write_held_csv, write_interest_statement, write_mandates_csv,
    write_supplier_bordereau,
};
use relais_formats::payments::model::{
    Address, BankAccount, Bordereau, BordereauId, BordereauKind, BudgetAccount, FunctionCode, Line,
    LineId, Payee, PaymentDeadline, PaymentMode, PesFile, PesFileName, Piece, PieceId, PieceKind,
    PieceNature, PostCode, SepaAmount, SepaFile, SepaId, Totals, Transfer,
};
use relais_formats::payments::{Pain001Writer, PesWriter, check_pain001, check_pes};
use relais_store::runs::{RunRecord, RunStore};
use relais_store::suppliers::SupplierRunStore;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

fn inconsistent(why: String) -> AppError {
    AppError::Inconsistent(why)
}

fn boxed(e: impl std::error::Error + Send + Sync + 'static) -> ListError {
    Box::new(e)
}

/// The run's mandats, in order (a supplier run has at most 99,999: one bordereau).
pub(crate) fn mandates<S: SupplierRunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
) -> Result<Vec<SupplierMandate>, AppError> {
    let mut out = Vec::new();
    store.each_supplier_mandate(run.id, &mut |m| {
        out.push(m.clone());
        Ok(())
    })?;
    if out.len() as u64 != run.summary.mandates {
        return Err(inconsistent(format!(
            "paiement {} : {} mandats lus pour {} préparés",
            run.id,
            out.len(),
            run.summary.mandates
        )));
    }
    Ok(out)
}

/// A supplier as the PES names it: its SIRET (`IdTiers`, `NatIdTiers` 01) and as `RefTiers`,
/// its category and legal nature by its legal form, its address and account.
fn supplier_payee(m: &SupplierMandate) -> Payee {
    let (category, legal_nature) = form_category(m.form);
    Payee {
        siret: Some(m.siret.clone()),
        reference: m.siret.as_str().to_owned(),
        category,
        legal_nature,
        civility: String::new(),
        last_name: m.supplier.clone(),
        first_name: String::new(),
        address: PostCode::parse(&m.postal_code)
            .ok()
            .filter(|_| !m.address.trim().is_empty())
            .map(|postcode| Address {
                line1: String::new(),
                line2: m.address.clone(),
                line3: String::new(),
                postcode,
                city: m.city.clone(),
            }),
        bank: Some(BankAccount {
            iban: m.iban.clone(),
            bic: Some(m.bic.clone()),
            holder: m.supplier.clone(),
        }),
    }
}

/// The mandat of `m` numbered `id`: its type, nature, object, deadline block and line.
pub(crate) fn piece(m: &SupplierMandate, id: u32) -> Result<Piece, AppError> {
    let kind = match (m.kind, &m.market) {
        (MandateKind::Facture, Some(_)) => PieceKind::parse("09")?,
        _ => PieceKind::ORDINARY_MANDATE,
    };
    let nature = if m.investment() {
        PieceNature::parse("02")?
    } else {
        PieceNature::OPERATING
    };
    let (object, label) = match m.kind {
        MandateKind::Facture => (
            format!("Facture {} {}", m.number, m.supplier),
            format!("FACTURE {} {}", m.number, m.invoice),
        ),
        MandateKind::Interets => (
            format!("Intérêts moratoires facture {} {}", m.number, m.supplier),
            format!("INTERETS MORATOIRES FACTURE {}", m.number),
        ),
    };
    let deadline = m.dgp.map(|d| PaymentDeadline {
        start: d.start,
        end: d.end,
        days: u8::try_from(d.days).unwrap_or(u8::MAX),
        late_rate: d.late_rate,
    });
    Ok(Piece {
        id: PieceId::new(id)?,
        kind,
        nature,
        object,
        due_date: None,
        deadline,
        settles: None,
        lines: vec![Line {
            id: LineId::new(1)?,
            account: BudgetAccount::parse(&m.account)?,
            function: Some(FunctionCode::parse(&m.function)?),
            invoice: m.number.clone(),
            transfer_label: label,
            payment_mode: PaymentMode::TRANSFER,
            amount: m.amount,
            payee: Arc::new(supplier_payee(m)),
        }],
    })
}

fn write_pes(
    plan: &ExportPlan,
    created: DateTime,
    mandates: &[SupplierMandate],
    dir: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let run = &plan.run;
    let (exercice, first_bordereau) = run
        .bordereau
        .ok_or_else(|| inconsistent(format!("paiement {} sans numéro de bordereau", run.id)))?;
    let total = run.summary.total;
    let name = format!("PES_{}.xml", run.id);
    let fill = |out: &mut dyn Write| -> Result<(), AppError> {
        let mut pes = PesWriter::new(
            out,
            plan.issuer(),
            &PesFile {
                name: PesFileName::parse(&format!("PES_{}", run.id))?,
                created,
            },
        )?;
        pes.begin_bordereau(
            &Bordereau {
                year: exercice,
                id: BordereauId::new(first_bordereau)?,
                date: created.date(),
                kind: BordereauKind::ORDINARY,
                cumulative_annual: run
                    .cumul_before
                    .and_then(|before| before.checked_add(total))
                    .filter(|c| c.0 > 0),
            },
            Totals {
                count: mandates.len() as u64,
                amount: total,
            },
        )?;
        for (i, m) in mandates.iter().enumerate() {
            let (_, id) = run.piece_position(u32::try_from(i + 1).unwrap_or(u32::MAX));
            pes.write_piece(&piece(m, id)?)?;
        }
        pes.finish()?;
        Ok(())
    };
    let check = checked_file(dir, &name, written, fill, |r| {
        check_pes(r).map_err(|source| AppError::Check {
            file: "PES".into(),
            source,
        })
    })?;
    if check.totals().count != run.summary.mandates || check.totals().amount != total {
        return Err(inconsistent(
            "contrôle du fichier PES : totaux relus différents du paiement".into(),
        ));
    }
    Ok(())
}

/// The pain.001 of the mandats, to be executed on the first bank day from the validation.
fn write_pain(
    plan: &ExportPlan,
    created: DateTime,
    zone: relais_core::calendar::HolidayZone,
    mandates: &[SupplierMandate],
    dir: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let run = &plan.run;
    let date = bank_day_on_or_after(created.date(), zone);
    let name = format!("pain001_{}_{date}.xml", run.id);
    let compact = date.strftime("%Y%m%d").to_string();
    let expected = Totals {
        count: mandates.len() as u64,
        amount: run.summary.total,
    };
    let fill = |out: &mut dyn Write| -> Result<(), AppError> {
        let mut w = Pain001Writer::new(
            out,
            plan.issuer(),
            &SepaFile {
                message_id: SepaId::parse(&format!("{}-{compact}", run.id))?,
                payment_info_id: SepaId::parse(&format!("{}-{compact}-1", run.id))?,
                created,
                execution_date: date,
            },
            expected,
        )?;
        for (i, m) in mandates.iter().enumerate() {
            let (_, n) = run.piece_position(u32::try_from(i + 1).unwrap_or(u32::MAX));
            let what = match m.kind {
                MandateKind::Facture => "FACTURE",
                MandateKind::Interets => "INTERETS MORATOIRES FACTURE",
            };
            w.write_transfer(&Transfer {
                end_to_end_id: SepaId::parse(&format!("{}-{n:06}", run.id))?,
                amount: SepaAmount::new(m.amount)?,
                creditor_name: m.supplier.clone(),
                creditor_iban: m.iban.clone(),
                creditor_bic: Some(m.bic.clone()),
                remittance: format!("{what} {} MANDAT {n}", m.number),
            })?;
        }
        w.finish()?;
        Ok(())
    };
    let t = checked_file(dir, &name, written, fill, |r| {
        check_pain001(r).map_err(|source| AppError::Check {
            file: name.clone(),
            source,
        })
    })?;
    if t != expected {
        return Err(inconsistent(format!(
            "contrôle du fichier {name} : totaux relus différents du paiement"
        )));
    }
    Ok(())
}

/// The lists a supplier run is checked with: its mandats and the invoices that wait.
fn write_lists(
    run: &RunRecord,
    summary: &SupplierRunSummary,
    mandates: &[SupplierMandate],
    out: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let id = run.id;
    let first = run.bordereau.and(run.first_mandate);
    write_file(out, &format!("mandats_{id}.csv"), written, |w| {
        write_mandates_csv(w, first, mandates).map_err(boxed)
    })?;
    write_file(
        out,
        &format!("factures_en_attente_{id}.csv"),
        written,
        |w| write_held_csv(w, &summary.held).map_err(boxed),
    )?;
    Ok(())
}

/// Writes the export of the validated supplier run of `plan` into `out`.
pub fn write_supplier_export<S: RunStore + SupplierRunStore + ?Sized>(
    plan: &ExportPlan,
    store: &S,
    zone: relais_core::calendar::HolidayZone,
    out: &Path,
) -> Result<Written, AppError> {
    let run = &plan.run;
    std::fs::create_dir_all(out)
        .map_err(|e| AppError::io(crate::error::IoAction::CreateFolder, out, e))?;
    let mandates = mandates(store, run)?;
    let summary = store.supplier_run_summary(run.id)?;
    let created = crate::runs::export::validated_at(run)?;
    let mut written = Written::new();
    write_pes(plan, created, &mandates, out, &mut written)?;
    write_pain(plan, created, zone, &mandates, out, &mut written)?;
    write_lists(run, &summary, &mandates, out, &mut written)?;
    let (exercice, bordereau) = run
        .bordereau
        .ok_or_else(|| inconsistent(format!("paiement {} sans numéro de bordereau", run.id)))?;
    let first_mandate = run.first_mandate.unwrap_or(1);
    let b = SupplierBordereau {
        authority: run.summary.authority.clone(),
        run: run.id.to_string(),
        exercice,
        bordereau,
        first_mandate,
        prepared_by: run.summary.prepared_by.clone(),
        validated_by: run.summary.validated_by.clone().unwrap_or_default(),
        validated_at: run.summary.validated_at.clone().unwrap_or_default(),
    };
    write_file(
        out,
        &format!("bordereau_{}.pdf", run.id),
        &mut written,
        |w| write_supplier_bordereau(w, &b, &summary, &mandates).map_err(boxed),
    )?;
    write_statements(run, &mandates, out, &mut written)?;
    write_sums(out, &mut written)?;
    Ok(written)
}

/// Each late invoice's interest statement, `interets/interets_ID.pdf`: written without a sync
/// each (a run may have thousands), the file system synced once at the end.
fn write_statements(
    run: &RunRecord,
    mandates: &[SupplierMandate],
    out: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    use sha2::Digest;
    let folder = out.join("interets");
    let mut bytes = Vec::new();
    for (i, m) in mandates.iter().enumerate() {
        if m.kind != MandateKind::Interets {
            continue;
        }
        std::fs::create_dir_all(&folder)
            .map_err(|e| AppError::io(crate::error::IoAction::CreateFolder, &folder, e))?;
        let (_, n) = run.piece_position(u32::try_from(i + 1).unwrap_or(u32::MAX));
        let safe: String = m
            .invoice
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("interets/interets_{safe}.pdf");
        bytes.clear();
        write_interest_statement(&run.summary.authority, m, n, &mut bytes)
            .map_err(|e| inconsistent(format!("{name} : {e}")))?;
        crate::fsio::write_unsynced(&out.join(&name), &bytes)?;
        written.push((name, hex::encode(sha2::Sha256::digest(&bytes))));
    }
    if folder.exists() {
        crate::fsio::sync_filesystem(&folder)?;
    }
    Ok(())
}

/// The control report of a supplier run in whatever state: its mandats and the invoices that
/// wait (the review before validation), without `SHA256SUMS` (the caller writes it).
pub fn write_supplier_report<S: SupplierRunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    out: &Path,
) -> Result<Written, AppError> {
    std::fs::create_dir_all(out)
        .map_err(|e| AppError::io(crate::error::IoAction::CreateFolder, out, e))?;
    let mandates = mandates(store, run)?;
    let summary = store.supplier_run_summary(run.id)?;
    let mut written = Written::new();
    let shown = if run.status == RunStatus::Validated {
        run
    } else {
        // Numbers are given at validation: none before.
        &RunRecord {
            bordereau: None,
            first_mandate: None,
            ..run.clone()
        }
    };
    write_lists(shown, &summary, &mandates, out, &mut written)?;
    Ok(written)
}
