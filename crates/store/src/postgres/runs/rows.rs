//! The first pass's rows on PostgreSQL: claims, exclusions and anomalies gathered as the
//! rights are decided, then written by binary COPY a chunk of rights at a time (never a
//! round trip per right); and the lookups deciding needs, loaded once.

use crate::StoreError;
use crate::sqlite::runs::decide::Lookups;
use crate::sqlite::runs::writer::{AnomalyRow, RunRows};
use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use relais_core::records::Benefit;
use relais_core::run::ExcludedRight;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Rows waiting for their COPY, shared by the writer (which gathers them) and the
/// preparation (which flushes them between chunks).
#[derive(Default, Clone)]
pub(crate) struct PgRows(Rc<RefCell<Buffers>>);

#[derive(Default)]
struct Buffers {
    claims: Vec<(String, i64, String, String, String)>,
    exclusions: Vec<(i64, ExcludedRight)>,
    anomalies: Vec<[Option<String>; 7]>,
    anomaly_amounts: Vec<(i64, i64)>,
}

impl RunRows for PgRows {
    fn claim(
        &mut self,
        right: &str,
        amount: i64,
        pay_date: &str,
        dossier: &str,
        benefit: &str,
    ) -> Result<(), StoreError> {
        self.0.borrow_mut().claims.push((
            right.to_owned(),
            amount,
            pay_date.to_owned(),
            dossier.to_owned(),
            benefit.to_owned(),
        ));
        Ok(())
    }

    fn exclusion(&mut self, _run: &str, n: i64, e: &ExcludedRight) -> Result<(), StoreError> {
        self.0.borrow_mut().exclusions.push((n, e.clone()));
        Ok(())
    }

    fn anomaly(&mut self, _run: &str, n: i64, a: &AnomalyRow<'_>) -> Result<(), StoreError> {
        let mut b = self.0.borrow_mut();
        b.anomalies.push(
            [
                a.kind.code(),
                a.right_id,
                a.dossier,
                a.payee_id,
                a.payee_name,
                a.benefit,
                a.detail,
            ]
            .map(|t| Some(t.to_owned())),
        );
        b.anomaly_amounts.push((n, a.amount));
        Ok(())
    }
}

fn copy_in(
    tx: &mut Transaction<'_>,
    sql: &str,
    types: &[Type],
    rows: &mut dyn Iterator<Item = Vec<Box<dyn ToSql + Sync + '_>>>,
) -> Result<(), StoreError> {
    let sink = tx.copy_in(sql)?;
    let mut w = BinaryCopyInWriter::new(sink, types);
    for row in rows {
        let refs: Vec<&(dyn ToSql + Sync)> = row.iter().map(|b| b.as_ref()).collect();
        w.write(&refs)?;
    }
    w.finish()?;
    Ok(())
}

impl PgRows {
    /// Writes the rows gathered for run `run` of `month` and forgets them. A claim the
    /// database refuses (a right already claimed that month) fails the COPY: a conflict.
    pub(crate) fn flush(
        &self,
        tx: &mut Transaction<'_>,
        run: &str,
        month: &str,
    ) -> Result<(), StoreError> {
        let (run, month) = (run.to_owned(), month.to_owned());
        let mut b = self.0.borrow_mut();
        if !b.claims.is_empty() {
            let claims = std::mem::take(&mut b.claims);
            copy_in(
                tx,
                "COPY run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
                 FROM STDIN BINARY",
                &[
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::INT8,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                ],
                &mut claims
                    .into_iter()
                    .map(|(r, a, p, d, b)| -> Vec<Box<dyn ToSql + Sync>> {
                        vec![
                            Box::new(r),
                            Box::new(month.clone()),
                            Box::new(run.clone()),
                            Box::new(a),
                            Box::new(p),
                            Box::new(d),
                            Box::new(b),
                        ]
                    }),
            )?;
        }
        if !b.exclusions.is_empty() {
            let exclusions = std::mem::take(&mut b.exclusions);
            copy_in(
                tx,
                "COPY run_exclusions (run_id, n, right_id, dossier, name, benefit, reason, label,
                     amount) FROM STDIN BINARY",
                &[
                    Type::TEXT,
                    Type::INT8,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::INT8,
                ],
                &mut exclusions
                    .into_iter()
                    .map(|(n, e)| -> Vec<Box<dyn ToSql + Sync>> {
                        vec![
                            Box::new(run.clone()),
                            Box::new(n),
                            Box::new(e.right_id),
                            Box::new(e.dossier),
                            Box::new(e.name),
                            Box::new(e.benefit.map(|b| b.code().to_owned())),
                            Box::new(e.reason),
                            Box::new(e.reason_fr),
                            Box::new(e.amount.map(|a| a.0)),
                        ]
                    }),
            )?;
        }
        if !b.anomalies.is_empty() {
            let anomalies = std::mem::take(&mut b.anomalies);
            let amounts = std::mem::take(&mut b.anomaly_amounts);
            copy_in(
                tx,
                "COPY run_anomalies (run_id, n, kind, right_id, dossier, payee_id, payee_name,
                     benefit, amount, detail) FROM STDIN BINARY",
                &[
                    Type::TEXT,
                    Type::INT8,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::INT8,
                    Type::TEXT,
                ],
                &mut anomalies.into_iter().zip(amounts).map(
                    |([k, r, d, p, pn, b, detail], (n, amount))| -> Vec<Box<dyn ToSql + Sync>> {
                        vec![
                            Box::new(run.clone()),
                            Box::new(n),
                            Box::new(k),
                            Box::new(r),
                            Box::new(d),
                            Box::new(p),
                            Box::new(pn),
                            Box::new(b),
                            Box::new(amount),
                            Box::new(detail),
                        ]
                    },
                ),
            )?;
        }
        Ok(())
    }
}

/// The lookups of deciding, loaded before the first right: the approved bank details, and
/// the month's claims of other runs and of the history by person and benefit (the usual
/// month after the history has none).
#[derive(Default)]
pub(crate) struct PgLookups {
    approvals: HashSet<(String, String)>,
    /// (dossier, benefit) → the two smallest rights claimed (enough to name another).
    claimed: HashMap<(String, String), Vec<String>>,
    released: HashSet<String>,
}

impl PgLookups {
    pub(crate) fn load(
        tx: &mut Transaction<'_>,
        month: &str,
        run: &str,
    ) -> Result<PgLookups, StoreError> {
        let mut l = PgLookups::default();
        for r in tx.query("SELECT payee_id, iban FROM bank_approvals_current", &[])? {
            l.approvals.insert((r.try_get(0)?, r.try_get(1)?));
        }
        for r in tx.query(
            "SELECT dossier, benefit, right_id FROM run_claims
             WHERE month = $1 AND dossier IS NOT NULL AND run_id IS DISTINCT FROM $2
             ORDER BY right_id COLLATE \"C\"",
            &[&month, &run],
        )? {
            let e = l.claimed.entry((r.try_get(0)?, r.try_get(1)?)).or_default();
            if e.len() < 2 {
                e.push(r.try_get(2)?);
            }
        }
        if !l.claimed.is_empty() {
            for r in tx.query(
                "SELECT right_id FROM duplicate_releases WHERE month = $1",
                &[&month],
            )? {
                l.released.insert(r.try_get(0)?);
            }
        }
        Ok(l)
    }
}

impl Lookups for PgLookups {
    fn approved(&mut self, payee: &str, iban: &str) -> Result<bool, StoreError> {
        Ok(self
            .approvals
            .contains(&(payee.to_owned(), iban.to_owned())))
    }

    fn paid_under(
        &mut self,
        dossier: &str,
        benefit: Benefit,
        right: &str,
    ) -> Result<Option<String>, StoreError> {
        let Some(rights) = self
            .claimed
            .get(&(dossier.to_owned(), benefit.code().to_owned()))
        else {
            return Ok(None);
        };
        let other = rights.iter().find(|r| *r != right);
        Ok(other.filter(|_| !self.released.contains(right)).cloned())
    }
}
