//! The payroll's payment files: the PES bordereau of mandats (NatPce 11 paie, TypBord 01
//! ordinaire, TypPce 08 collectif when a mandat pays several creditors, else 01 — the pairs
//! DosTech annexe 1 allows for paie), and the pain.001 of the agents' nets. Each is written
//! atomically and read back by our own checker before it gets its name.

use crate::error::{AppError, IoAction};
use crate::fsio::AtomicFile;
use crate::runs::Written;
use jiff::civil::{Date, DateTime};
use relais_core::Cents;
use relais_core::payroll::{AgentPay, Creditor, MandateKey, MandateTotals};
use relais_formats::payments::model::{
    Address, BankAccount, Bordereau, BordereauId, BordereauKind, BudgetAccount, FunctionCode,
    Issuer, LegalNature, Line, LineId, Payee, PayeeCategory, PaymentMode, PesFile, PesFileName,
    Piece, PieceId, PieceKind, PieceNature, PostCode, SepaAmount, SepaFile, SepaId, Totals,
    Transfer,
};
use relais_formats::payments::{Pain001Writer, PesWriter, check_pain001, check_pes};
use relais_store::payroll::{PayrollParams, PayrollStore};
use relais_store::runs::{RunRecord, RunStore};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Seek, Write};
use std::path::Path;
use std::sync::Arc;

fn inconsistent(why: String) -> AppError {
    AppError::Inconsistent(why)
}

/// An agent as the PES names them: `RefTiers` their matricule (never a NIR), a natural person.
fn agent_payee(p: &AgentPay) -> Payee {
    Payee {
        reference: p.matricule.clone(),
        category: PayeeCategory::PERSON,
        legal_nature: LegalNature::INDIVIDUAL,
        civility: p.civility.clone(),
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        address: None,
        bank: Some(BankAccount {
            iban: p.iban.clone(),
            bic: Some(p.bic.clone()),
            holder: format!("{} {}", p.last_name, p.first_name),
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

/// Writes `name` in `dir` with `fill`, then reads it back with `check` before naming it.
fn checked_file<T>(
    dir: &Path,
    name: &str,
    written: &mut Written,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), AppError>,
    check: impl FnOnce(&mut dyn std::io::BufRead) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    {
        let mut w = BufWriter::with_capacity(1 << 16, file.file());
        fill(&mut w)?;
        w.flush()
            .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    }
    let f = file.file();
    f.rewind()
        .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut BufReader::new(&mut *f), &mut hasher)
        .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    f.rewind()
        .map_err(|e| AppError::io(IoAction::Write, &path, e))?;
    let checked = check(&mut BufReader::new(&mut *f))?;
    file.commit()?;
    written.push((name.to_owned(), hex::encode(hasher.finalize())));
    Ok(checked)
}

/// What the PES and the pain.001 are written from.
pub(super) struct PayrollFiles<'a> {
    pub run: &'a RunRecord,
    pub params: &'a PayrollParams,
    pub issuer: &'a Issuer,
    pub created: DateTime,
    pub mandates: &'a [(MandateKey, MandateTotals)],
    /// The agents paid, by matricule.
    pub agents: &'a BTreeMap<String, Arc<Payee>>,
}

/// The agents paid, by matricule, as PES payees.
pub(super) type Payees = BTreeMap<String, Arc<Payee>>;

/// Each agent's net and payee, by matricule: the transfers of the pain.001.
pub(super) type Nets = Vec<(String, Cents, Arc<Payee>)>;

pub(super) fn agents_by_matricule<S: PayrollStore + ?Sized>(
    store: &S,
    run: &RunRecord,
) -> Result<(Payees, Nets), AppError> {
    let mut payees = BTreeMap::new();
    let mut nets = Vec::new();
    store.each_payroll_pay(run.id, &mut |p| {
        let payee = Arc::new(agent_payee(p));
        nets.push((p.matricule.clone(), p.net, Arc::clone(&payee)));
        payees.insert(p.matricule.clone(), payee);
        Ok(())
    })?;
    Ok((payees, nets))
}

/// Writes the PES file.
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
            let mut lines = Vec::new();
            let account = BudgetAccount::parse(&key.account)?;
            let function = Some(FunctionCode::parse(&key.function)?);
            let mut push =
                |amount: Cents, label: String, payee: Arc<Payee>| -> Result<(), AppError> {
                    lines.push(Line {
                        id: LineId::new(u32::try_from(lines.len() + 1).unwrap_or(u32::MAX))?,
                        account,
                        function: function.clone(),
                        transfer_label: label,
                        payment_mode: PaymentMode::TRANSFER,
                        amount,
                        payee,
                    });
                    Ok(())
                };
            let mut nets = Vec::new();
            store.each_payroll_net(run.id, key, &mut |n| {
                nets.push((n.matricule.clone(), n.amount));
                Ok(())
            })?;
            for (matricule, amount) in nets {
                let payee = f
                    .agents
                    .get(&matricule)
                    .cloned()
                    .ok_or_else(|| inconsistent(format!("agent {matricule} sans paie")))?;
                push(amount, format!("PAIE {month} {matricule}"), payee)?;
            }
            for (code, amount) in &m.creditors {
                let payee = creditors.get(code).cloned().ok_or_else(|| {
                    inconsistent(format!("créancier {code} absent des paramètres"))
                })?;
                push(*amount, format!("PAIE {month} {code}"), payee)?;
            }
            let piece = Piece {
                id: PieceId::new(piece_id)?,
                kind: if lines.len() > 1 {
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
                lines,
            };
            pes.write_piece(&piece)?;
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

/// Writes the pain.001 of the agents' nets, one transfer each, at the pay date.
pub(super) fn write_pain(
    f: &PayrollFiles<'_>,
    nets: &[(String, Cents, Arc<Payee>)],
    dir: &Path,
    written: &mut Written,
) -> Result<(), AppError> {
    let run = f.run;
    let date: Date = f.params.pay_date;
    let name = format!("pain001_{}_{date}.xml", run.id);
    let compact = date.strftime("%Y%m%d").to_string();
    let total = Cents::checked_sum(nets.iter().map(|n| n.1))
        .ok_or_else(|| inconsistent("total des nets hors limites".into()))?;
    let expected = Totals {
        count: nets.len() as u64,
        amount: total,
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
        for (matricule, net, payee) in nets {
            let bank = payee.bank.as_ref().ok_or_else(|| {
                inconsistent(format!("agent {matricule} sans coordonnées bancaires"))
            })?;
            w.write_transfer(&Transfer {
                end_to_end_id: SepaId::parse(&format!("{}-{matricule}", run.id))?,
                amount: SepaAmount::new(*net)?,
                creditor_name: bank.holder.clone(),
                creditor_iban: bank.iban.clone(),
                creditor_bic: bank.bic.clone(),
                remittance: format!("PAIE {} {matricule}", run.id.month()),
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
    if t.count != expected.count || t.amount != expected.amount {
        return Err(inconsistent(format!(
            "contrôle du fichier {name} : totaux relus différents du paiement"
        )));
    }
    Ok(())
}
