//! The payroll's payment files: the PES bordereau of mandats (NatPce 11 paie, TypBord 01
//! ordinaire, TypPce 08 collectif when a mandat pays several creditors, else 01 — the pairs
//! DosTech annexe 1 allows for paie), and the pain.001 of the agents' nets. Each is written
//! atomically and read back by our own checker before it gets its name.

use crate::error::AppError;
use crate::runs::Written;
use crate::runs::written::checked_file;
use jiff::civil::{Date, DateTime};
use relais_core::Cents;
use relais_core::payroll::{Creditor, MandateKey, MandateTotals};
use relais_formats::payments::model::{
    Address, BankAccount, Bordereau, BordereauId, BordereauKind, BudgetAccount, FunctionCode,
    Issuer, LegalNature, Line, LineId, Payee, PayeeCategory, PaymentMode, PesFile, PesFileName,
    Piece, PieceId, PieceKind, PieceNature, PostCode, SepaAmount, SepaFile, SepaId, Totals,
    Transfer,
};
use relais_formats::payments::{Pain001Writer, PesWriter, check_pain001, check_pes};
use relais_store::payroll::{AgentNet, PayrollParams, PayrollStore};
use relais_store::runs::{RunRecord, RunStore, RunStoreError};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

fn inconsistent(why: String) -> AppError {
    AppError::Inconsistent(why)
}

/// An agent as the PES names them: `RefTiers` their matricule (never a NIR), a natural person.
fn agent_payee(n: &AgentNet) -> Payee {
    Payee {
        siret: None,
        reference: n.matricule.clone(),
        category: PayeeCategory::PERSON,
        legal_nature: LegalNature::INDIVIDUAL,
        civility: n.civility.clone(),
        last_name: n.last_name.clone(),
        first_name: n.first_name.clone(),
        address: None,
        bank: Some(BankAccount {
            iban: n.iban.clone(),
            bic: Some(n.bic.clone()),
            holder: format!("{} {}", n.last_name, n.first_name),
        }),
    }
}

/// A body (URSSAF, CNRACL, the DGFiP…) as the settings name it.
fn creditor_payee(code: &str, c: &Creditor) -> Result<Payee, AppError> {
    let field = |f: &str| format!("payments.payroll.creditors.{code}.{f}");
    let invalid = |f: &str, e: relais_formats::payments::PaymentFileError| AppError::Invalid {
        field: field(f),
        message: e.to_string(),
    };
    Ok(Payee {
        siret: None,
        reference: code.to_owned(),
        category: PayeeCategory::parse(&c.category).map_err(|e| invalid("category", e))?,
        legal_nature: LegalNature::parse(&c.legal_nature)
            .map_err(|e| invalid("legal_nature", e))?,
        civility: String::new(),
        last_name: c.name.clone(),
        first_name: String::new(),
        address: PostCode::parse(&c.postal_code)
            .ok()
            .map(|postcode| Address {
                line1: String::new(),
                line2: c.address.clone(),
                line3: String::new(),
                postcode,
                city: c.city.clone(),
            }),
        bank: Some(BankAccount {
            iban: c.iban.clone(),
            bic: c.bic.clone(),
            holder: c.name.clone(),
        }),
    })
}

/// What the PES and the pain.001 are written from.
pub(super) struct PayrollFiles<'a> {
    pub run: &'a RunRecord,
    pub params: &'a PayrollParams,
    pub issuer: &'a Issuer,
    pub created: DateTime,
    pub mandates: &'a [(MandateKey, MandateTotals)],
    /// The agents paid and the total of their nets (the pain.001's header).
    pub agents: u64,
    pub nets: Cents,
}

/// Runs `step` inside a store's stream, keeping its own error apart from the store's.
fn streamed<T>(
    failure: &mut Option<AppError>,
    step: impl FnOnce() -> Result<T, AppError>,
) -> Result<T, RunStoreError> {
    step().map_err(|e| {
        let why = e.french();
        *failure = Some(e);
        RunStoreError::Stopped(why.into())
    })
}

/// Writes the PES file: each mandat's lines streamed from the store (a line per agent on the
/// accounts of their gains, then one per body), never all in memory.
pub(super) fn write_pes<S: PayrollStore + RunStore + ?Sized>(
    store: &S,
    f: &PayrollFiles<'_>,
    dir: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let run = f.run;
    let (exercice, first_bordereau) = run
        .bordereau
        .ok_or_else(|| inconsistent(format!("paiement {} sans numéro de bordereau", run.id)))?;
    let total = run.summary.total;
    let mut creditors = BTreeMap::new();
    for (code, c) in &f.params.settings.creditors {
        creditors.insert(code.clone(), Arc::new(creditor_payee(code, c)?));
    }
    let name = format!("PES_{}.xml", run.id);
    let month = run.id.month();
    let fill = |out: &mut dyn Write| -> Result<(), AppError> {
        let mut pes = PesWriter::new(
            out,
            f.issuer,
            &PesFile {
                name: PesFileName::parse(&format!("PES_{}", run.id))?,
                created: f.created,
            },
        )?;
        let cumulative_annual = run
            .cumul_before
            .and_then(|before| before.checked_add(total))
            .filter(|c| c.0 > 0);
        pes.begin_bordereau(
            &Bordereau {
                year: exercice,
                id: BordereauId::new(first_bordereau)?,
                date: f.created.date(),
                kind: BordereauKind::ORDINARY,
                cumulative_annual,
            },
            Totals {
                count: f.mandates.len() as u64,
                amount: total,
            },
        )?;
        for (n, (key, m)) in f.mandates.iter().enumerate() {
            let number = u32::try_from(n + 1).unwrap_or(u32::MAX);
            let (_, piece_id) = run.piece_position(number);
            let account = BudgetAccount::parse(&key.account)?;
            let function = Some(FunctionCode::parse(&key.function)?);
            pes.begin_piece(&Piece {
                id: PieceId::new(piece_id)?,
                kind: if m.lines() > 1 {
                    PieceKind::COLLECTIVE
                } else {
                    PieceKind::ORDINARY_MANDATE
                },
                nature: PieceNature::PAYROLL,
                object: format!(
                    "PAIE {month} {}/{} ({} agent(s), {} organisme(s))",
                    key.account,
                    key.function,
                    m.agents,
                    m.creditors.len()
                ),
                due_date: f.params.pay_date.into(),
                deadline: None,
                settles: None,
                lines: Vec::new(),
            })?;
            let mut id = 0u32;
            let mut line =
                |amount: Cents, label: String, payee: Arc<Payee>| -> Result<Line, AppError> {
                    id += 1;
                    Ok(Line {
                        id: LineId::new(id)?,
                        account,
                        function: function.clone(),
                        invoice: String::new(),
                        transfer_label: label,
                        payment_mode: PaymentMode::TRANSFER,
                        amount,
                        payee,
                    })
                };
            let mut failure = None;
            store
                .each_payroll_net(run.id, key, &mut |a| {
                    streamed(&mut failure, || {
                        let l = line(
                            a.amount,
                            format!("PAIE {month} {}", a.matricule),
                            Arc::new(agent_payee(a)),
                        )?;
                        Ok(pes.write_line(&l)?)
                    })
                })
                .map_err(|e| failure.take().unwrap_or(AppError::from(e)))?;
            for (code, amount) in &m.creditors {
                let payee = creditors.get(code).cloned().ok_or_else(|| {
                    inconsistent(format!("créancier {code} absent des paramètres"))
                })?;
                pes.write_line(&line(*amount, format!("PAIE {month} {code}"), payee)?)?;
            }
            pes.end_piece()?;
        }
        let (_, summary) = pes.finish()?;
        if summary.pieces != run.summary.mandates || summary.amount != total {
            return Err(inconsistent(format!(
                "PES : {} mandats pour {} écrits, le paiement en compte {} pour {}",
                summary.pieces, summary.amount, run.summary.mandates, total
            )));
        }
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

/// Writes the pain.001 of the agents' nets, one transfer each, at the pay date, streamed from
/// the store.
pub(super) fn write_pain<S: PayrollStore + ?Sized>(
    store: &S,
    f: &PayrollFiles<'_>,
    dir: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let run = f.run;
    let date: Date = f.params.pay_date;
    let name = format!("pain001_{}_{date}.xml", run.id);
    let compact = date.strftime("%Y%m%d").to_string();
    let expected = Totals {
        count: f.agents,
        amount: f.nets,
    };
    let fill = |out: &mut dyn Write| -> Result<(), AppError> {
        let mut w = Pain001Writer::new(
            out,
            f.issuer,
            &SepaFile {
                message_id: SepaId::parse(&format!("{}-{compact}", run.id))?,
                payment_info_id: SepaId::parse(&format!("{}-{compact}-1", run.id))?,
                created: f.created,
                execution_date: date,
            },
            expected,
        )?;
        let mut failure = None;
        store
            .each_payroll_pay(run.id, &mut |p| {
                streamed(&mut failure, || {
                    Ok(w.write_transfer(&Transfer {
                        end_to_end_id: SepaId::parse(&format!("{}-{}", run.id, p.matricule))?,
                        amount: SepaAmount::new(p.net)?,
                        creditor_name: format!("{} {}", p.last_name, p.first_name),
                        creditor_iban: p.iban.clone(),
                        creditor_bic: Some(p.bic.clone()),
                        remittance: format!("PAIE {} {}", run.id.month(), p.matricule),
                    })?)
                })
            })
            .map_err(|e| failure.take().unwrap_or(AppError::from(e)))?;
        w.finish()?;
        Ok(())
    };
    let t = checked_file(dir, &name, written, fill, |r| {
        check_pain001(r).map_err(|source| AppError::Check {
            file: name.clone(),
            source,
        })
    })?;
    if t.count != expected.count || t.amount != expected.amount {
        return Err(inconsistent(format!(
            "contrôle du fichier {name} : totaux relus différents du paiement"
        )));
    }
    Ok(())
}
