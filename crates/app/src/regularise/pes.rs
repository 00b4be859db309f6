//! The regularisation's PES file: one mandat émis après paiement (TypPce 05) per mandate of
//! the run, in its order, numbered on from the regularisation's first `IdPce`, each naming
//! the mandate whose payment it regularises (`RattachPiece`: `IdPceOrig`, `ExerRat`) and the
//! day it was paid (`DteEch`); the lines and payees as the run's own file had them.

use crate::error::AppError;
use crate::runs::payees::pes_payee;
use jiff::civil::{Date, DateTime};
use relais_core::Cents;
use relais_core::records::PayeeKind;
use relais_core::run::{RunKind, remittance, short_label};
use relais_formats::payments::PesWriter;
use relais_formats::payments::model::{
    Bordereau, BordereauId, BordereauKind, BudgetAccount, FunctionCode, Issuer, Line, LineId,
    PaymentMode, PesFile, PesFileName, Piece, PieceId, PieceKind, PieceNature, SettledPayment,
    Totals,
};
use relais_store::runs::{MANDATES_PER_BORDEREAU, RunLine, RunPayee, RunRecord, RunStore};
use relais_store::suppliers::SupplierRunStore;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

/// The numbers the file is written with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Numbers {
    pub exercice: i16,
    pub bordereau: u32,
    pub first_mandate: u32,
    /// When the file is made: `DteStr` and `DteBordEm`.
    pub created: DateTime,
}

/// What the file holds: its mandates and total, and the earliest payment regularised.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Content {
    pub mandates: u64,
    pub total: Cents,
    pub first_paid: Option<Date>,
}

/// NatPce from the account: 02 investissement for class 2, else 01 fonctionnement (both
/// allowed with TypPce 05 by annexe 1).
fn nature(account: &str) -> Result<PieceNature, AppError> {
    Ok(if account.starts_with('2') {
        PieceNature::parse("02")?
    } else {
        PieceNature::OPERATING
    })
}

struct Regularising<W: Write> {
    pes: PesWriter<W>,
    numbers: Numbers,
    run: RunRecord,
    per_bordereau: BTreeMap<u32, Totals>,
    open: Option<u32>,
    content: Content,
}

impl<W: Write> Regularising<W> {
    /// Writes the regularisation of the run's mandate number `position` (1, 2…), whose
    /// original piece `original` has been turned into `piece`.
    fn mandate(&mut self, position: u32, mut piece: Piece, paid: Date) -> Result<(), AppError> {
        let index = position.saturating_sub(1) / MANDATES_PER_BORDEREAU;
        if self.open != Some(index) {
            let b = Bordereau {
                year: self.numbers.exercice,
                id: BordereauId::new(self.numbers.bordereau.saturating_add(index))?,
                date: self.numbers.created.date(),
                kind: BordereauKind::ORDINARY,
                cumulative_annual: None,
            };
            let declared = self.per_bordereau.get(&index).copied().unwrap_or_default();
            self.pes.begin_bordereau(&b, declared)?;
            self.open = Some(index);
        }
        let (_, original) = self.run.piece_position(position);
        piece.id = PieceId::new(
            self.numbers
                .first_mandate
                .saturating_add(position.saturating_sub(1)),
        )?;
        piece.kind = PieceKind::AFTER_PAYMENT;
        piece.nature = nature(
            &piece
                .lines
                .first()
                .map_or(0, |l| l.account.get())
                .to_string(),
        )?;
        piece.object = format!(
            "Payé le {} (mandat {original}) : {}",
            paid.strftime("%d/%m/%Y"),
            piece.object
        );
        piece.due_date = Some(paid);
        piece.deadline = None;
        piece.settles = Some(SettledPayment {
            year: self.run.bordereau.map_or(self.numbers.exercice, |(e, _)| e),
            payment: u64::from(original),
        });
        self.content.mandates += 1;
        self.content.total = self
            .content
            .total
            .checked_add(piece.amount()?)
            .ok_or_else(|| AppError::Inconsistent("total de la régularisation".into()))?;
        self.content.first_paid = Some(self.content.first_paid.map_or(paid, |d| d.min(paid)));
        self.pes.write_piece(&piece)?;
        Ok(())
    }
}

/// Writes the regularisation of `run` to `out`.
pub(crate) fn write<S: RunStore + SupplierRunStore + ?Sized>(
    store: &S,
    run: &RunRecord,
    issuer: &Issuer,
    zone: relais_core::calendar::HolidayZone,
    numbers: Numbers,
    out: &mut dyn Write,
) -> Result<Content, AppError> {
    let name = format!("PES_REGUL_{}", run.id);
    let pes = PesWriter::new(
        out,
        issuer,
        &PesFile {
            name: PesFileName::parse(&name)?,
            created: numbers.created,
        },
    )?;
    let mut w = Regularising {
        pes,
        numbers,
        run: run.clone(),
        per_bordereau: BTreeMap::new(),
        open: None,
        content: Content::default(),
    };
    match run.kind {
        RunKind::Fournisseurs => {
            let mandates = crate::suppliers::export::mandates(store, run)?;
            w.per_bordereau.insert(
                0,
                Totals {
                    count: mandates.len() as u64,
                    amount: run.summary.total,
                },
            );
            // The transfers were asked for the first bank day from the validation.
            let created = crate::runs::export::validated_at(run)?;
            let paid = relais_core::calendar::bank_day_on_or_after(created.date(), zone);
            for (i, m) in mandates.iter().enumerate() {
                let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let (_, original) = run.piece_position(position);
                let piece = crate::suppliers::export::piece(m, original)?;
                w.mandate(position, piece, paid)?;
            }
        }
        RunKind::Aides => {
            let totals = store.run_totals(run.id)?;
            w.per_bordereau = totals
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
                .collect();
            benefits(store, run, &mut w)?;
        }
        RunKind::Paie => {
            return Err(AppError::Inconsistent(
                relais_core::regularisation::PAYROLL_REFUSED.into(),
            ));
        }
    }
    let content = w.content;
    let (out, _) = w.pes.finish()?;
    out.flush()
        .map_err(|e| AppError::Inconsistent(format!("écriture de {name} : {e}")))?;
    Ok(content)
}

/// A benefit run's mandates, gathered from its lines (by mandate then line).
fn benefits<S: RunStore + ?Sized, W: Write>(
    store: &S,
    run: &RunRecord,
    w: &mut Regularising<W>,
) -> Result<(), AppError> {
    let month = run.id.month();
    let mut current: Option<(u32, Date, Piece)> = None;
    let mut payee_of: Option<Arc<relais_formats::payments::model::Payee>> = None;
    crate::runs::lists::each_line(store, run.id, &mut |line: &RunLine, payee: &RunPayee| {
        let Some((mandate, n)) = line.mandate else {
            return Ok(());
        };
        if current.as_ref().is_some_and(|(m, _, _)| *m != mandate)
            && let Some((m, paid, piece)) = current.take()
        {
            w.mandate(m, piece, paid)?;
        }
        let (_, _, piece) = match &mut current {
            Some(c) => c,
            None => {
                let p = Arc::new(pes_payee(payee, line).map_err(AppError::Inconsistent)?);
                payee_of = Some(Arc::clone(&p));
                current.insert((
                    mandate,
                    line.pay_date,
                    Piece {
                        id: PieceId::new(1)?,
                        kind: PieceKind::AFTER_PAYMENT,
                        nature: PieceNature::OPERATING,
                        object: format!("{} {}", short_label(line.benefit), month),
                        due_date: None,
                        deadline: None,
                        settles: None,
                        lines: Vec::new(),
                    },
                ))
            }
        };
        let p = payee_of
            .as_ref()
            .map(Arc::clone)
            .ok_or_else(|| AppError::Inconsistent("tiers du mandat".into()))?;
        piece.lines.push(Line {
            id: LineId::new(n)?,
            account: BudgetAccount::parse(&line.account)?,
            function: Some(FunctionCode::parse(&line.function)?),
            invoice: String::new(),
            transfer_label: if payee.kind == PayeeKind::Caf {
                format!("RSA {month} FINANCEMENT DEPARTEMENT")
            } else {
                remittance(line.benefit, month, &line.dossier)
            },
            payment_mode: PaymentMode::TRANSFER,
            amount: line.amount,
            payee: p,
        });
        Ok(())
    })?;
    if let Some((m, paid, piece)) = current.take() {
        w.mandate(m, piece, paid)?;
    }
    Ok(())
}
