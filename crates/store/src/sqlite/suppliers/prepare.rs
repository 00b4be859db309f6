//! Preparing a supplier run in one transaction: each mandat decided by the application layer
//! claimed for good (the invoice, and its SIRET + number + amount), numbered, kept with the
//! run; the totals and the control figures with it. All or nothing: a crash leaves no run and
//! no claim. Validation marks each invoice mandated; cancellation frees the claims.

use crate::StoreError;
use crate::runs::{GroupTotal, MANDATES_PER_BORDEREAU, Prepared, RunStoreError, RunTotals};
use crate::sqlite::runs::{load_run, next_run_id};
use crate::sqlite::{journal, users};
use crate::suppliers::PrepareSuppliers;
use relais_core::Cents;
use relais_core::invoices::lifecycle::InvoiceEvent;
use relais_core::invoices::mandate::{
    Held, Hold, MandateKind, SupplierMandate, SupplierRunSummary,
};
use relais_core::roles::Role;
use relais_core::run::{PlainRun, RunId, RunSummary};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The supplier run still prepared, if any.
pub(crate) const OPEN_RUN: &str = "SELECT r.id FROM runs r JOIN supplier_runs s ON s.run_id = r.id
     WHERE r.status = 'prepared' ORDER BY r.id LIMIT 1";
/// The run's row: id, month, seq, prepared by, at, params.
pub(crate) const INSERT_RUN: &str =
    "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params,
         summary)
     VALUES (?1, ?2, ?3, '', 'prepared', ?4, ?5, ?6, '{}')";
/// The invoice that claimed a kind, SIRET, number and amount.
pub(crate) const TWIN: &str = "SELECT invoice FROM supplier_claims
     WHERE kind = ?1 AND siret = ?2 AND number = ?3 AND amount = ?4";
pub(crate) const CLAIM: &str =
    "INSERT INTO supplier_claims (invoice, kind, siret, number, amount, run_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
pub(crate) const MANDATE: &str = "INSERT INTO supplier_mandates (run_id, n, invoice, kind, mandate)
     VALUES (?1, ?2, ?3, ?4, ?5)";
/// The run's summary and totals, once its mandats are known.
pub(crate) const FINISH_RUN: &str = "UPDATE runs SET summary = ?2, totals = ?3 WHERE id = ?1";
pub(crate) const INSERT_SUPPLIER_RUN: &str =
    "INSERT INTO supplier_runs (run_id, summary) VALUES (?1, ?2)";

fn open_run(tx: &Connection) -> Result<Option<RunId>, StoreError> {
    let id: Option<String> = tx.query_row(OPEN_RUN, [], |r| r.get(0)).optional()?;
    id.map(|id| run_id(&id)).transpose()
}

pub(crate) fn run_id(id: &str) -> Result<RunId, StoreError> {
    id.parse()
        .map_err(|_| crate::sqlite::decode::corrupt("run id", id))
}

/// What a supplier run's preparation counts as it claims its mandats, whichever backend
/// stores them.
pub(crate) struct Tally<'r> {
    summary: SupplierRunSummary,
    duplicates: HashSet<&'r str>,
    n: i64,
    total: Cents,
}

/// A prepared supplier run's texts to store: the run's summary and totals, the supplier
/// run's summary, the journal payload.
pub(crate) struct Finished {
    pub run_summary: String,
    pub totals: String,
    pub summary: String,
    pub payload: serde_json::Value,
}

impl<'r> Tally<'r> {
    pub(crate) fn new(req: &PrepareSuppliers<'_>) -> Tally<'r> {
        Tally {
            summary: SupplierRunSummary {
                held: req.held.clone(),
                ..SupplierRunSummary::default()
            },
            duplicates: HashSet::new(),
            n: 0,
            total: Cents::ZERO,
        }
    }

    /// Whether `m` goes with an invoice already held as a duplicate (its interest).
    pub(crate) fn held(&self, m: &SupplierMandate) -> bool {
        self.duplicates.contains(m.invoice.as_str())
    }

    /// Whether `m` is claimed, given the invoice that already claimed its kind, SIRET, number
    /// and amount (`other`); holds it when that is another reference.
    pub(crate) fn claimable(&mut self, m: &'r SupplierMandate, other: Option<String>) -> bool {
        if other.as_deref() == Some(m.invoice.as_str()) {
            // This invoice's mandat of this kind stands in an earlier run (its interest, when
            // the accountant rejected only the invoice's mandat): not issued twice.
            return false;
        }
        if let Some(other) = other {
            // The same invoice under another reference: never mandated twice. Its interest
            // (which comes after it) goes with it.
            self.duplicates.insert(&m.invoice);
            self.summary.held.push(Held {
                invoice: m.invoice.clone(),
                supplier: m.supplier.clone(),
                amount: m.amount,
                hold: Hold::Duplicate { other },
            });
            return false;
        }
        true
    }

    /// Counts `m`, claimed: its number in the run.
    pub(crate) fn add(&mut self, m: &SupplierMandate) -> Result<i64, StoreError> {
        let overflow = || StoreError::Corrupt("supplier run total beyond any budget".into());
        self.n += 1;
        self.total = self.total.checked_add(m.amount).ok_or_else(overflow)?;
        let summary = &mut self.summary;
        match m.kind {
            MandateKind::Facture => {
                summary.invoices += 1;
                summary.principal = summary
                    .principal
                    .checked_add(m.amount)
                    .ok_or_else(overflow)?;
            }
            MandateKind::Interets => {
                summary.interest_mandates += 1;
                summary.interest = summary
                    .interest
                    .checked_add(m.amount)
                    .ok_or_else(overflow)?;
            }
        }
        Ok(self.n)
    }

    /// The run's texts, or [`RunStoreError::NothingToMandate`] when no mandat was claimed (the
    /// caller rolls back: no run, no number used).
    pub(crate) fn finish(
        self,
        req: &PrepareSuppliers<'_>,
        run: &str,
    ) -> Result<Finished, RunStoreError> {
        let Tally {
            summary, n, total, ..
        } = self;
        let mandates = u64::try_from(n).unwrap_or(0);
        if mandates == 0 {
            return Err(RunStoreError::NothingToMandate(
                summary
                    .held
                    .iter()
                    .map(|h| format!("{} : {}", h.invoice, h.hold.label()))
                    .collect(),
            ));
        }
        let group = GroupTotal { mandates, total };
        let totals = RunTotals {
            per_pay_date: BTreeMap::from([(req.today, group)]),
            per_bordereau: BTreeMap::from([(0, group)]),
        };
        let run_summary = RunSummary {
            excluded: held_counts(&summary.held),
            ..RunSummary::plain(&PlainRun {
                authority: req.authority,
                run,
                month: req.month,
                prepared_by: req.actor,
                prepared_at: &req.local_time,
                lines: mandates,
                mandates,
                total,
                change_threshold: req.run_params.change_threshold,
            })
        };
        let payload = json!({
            "run": run,
            "kind": "fournisseurs",
            "invoices": summary.invoices,
            "principal_cents": summary.principal.0,
            "interest_mandates": summary.interest_mandates,
            "interest_cents": summary.interest.0,
            "held": summary.held.iter().map(|h| json!({
                "invoice": h.invoice, "reason": h.hold.code()
            })).collect::<Vec<_>>(),
            "mandates": mandates,
            "total_cents": total.0,
        });
        Ok(Finished {
            run_summary: json(&run_summary)?,
            totals: json(&totals)?,
            summary: json(&summary)?,
            payload,
        })
    }
}

pub(super) fn prepare(
    conn: &mut Connection,
    req: &PrepareSuppliers<'_>,
) -> Result<Prepared, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, req.actor, &[Role::Liquidation])?;
    if let Some(id) = open_run(&tx)? {
        let run = load_run(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
        return Ok(Prepared {
            run,
            created: false,
        });
    }
    let (seq, id) = next_run_id(&tx, req.month)?;
    let run = id.to_string();
    tx.execute(
        INSERT_RUN,
        params![
            run,
            req.month.to_string(),
            seq,
            req.actor,
            req.local_time,
            json(&req.run_params)?
        ],
    )?;
    let mut tally = Tally::new(req);
    let mut twin = tx.prepare(TWIN)?;
    let mut claim = tx.prepare(CLAIM)?;
    let mut mandate = tx.prepare(MANDATE)?;
    for m in &req.mandates {
        if tally.held(m) {
            continue;
        }
        let other: Option<String> = twin
            .query_row(
                params![
                    m.kind.code(),
                    m.siret.as_str(),
                    m.number,
                    m.invoice_amount.0
                ],
                |r| r.get(0),
            )
            .optional()?;
        if !tally.claimable(m, other) {
            continue;
        }
        claim.execute(params![
            m.invoice,
            m.kind.code(),
            m.siret.as_str(),
            m.number,
            m.invoice_amount.0,
            run
        ])?;
        let n = tally.add(m)?;
        mandate.execute(params![run, n, m.invoice, m.kind.code(), json(m)?])?;
    }
    drop((twin, claim, mandate));
    let done = tally.finish(req, &run)?;
    tx.execute(FINISH_RUN, params![run, done.run_summary, done.totals])?;
    tx.execute(INSERT_SUPPLIER_RUN, params![run, done.summary])?;
    journal::append(&tx, req.actor, "run_prepare", &done.payload)?;
    let out = load_run(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    Ok(Prepared {
        run: out,
        created: true,
    })
}

/// The invoices waiting, per reason, as a run's summary counts its exclusions.
fn held_counts(held: &[Held]) -> Vec<(String, String, u64)> {
    let mut by: BTreeMap<&'static str, (String, u64)> = BTreeMap::new();
    for h in held {
        let e = by.entry(h.hold.code()).or_insert_with(|| {
            let label = match &h.hold {
                Hold::SupplierUnknown { .. } => "fournisseur inconnu",
                Hold::BankNotApproved { .. } => "coordonnées bancaires à approuver",
                Hold::NotSepa { .. } => "IBAN hors zone SEPA",
                Hold::Duplicate { .. } => "déjà mandatée sous une autre référence",
                Hold::RateUnknown { .. } => "intérêts : taux de la BCE inconnu",
            };
            (label.to_owned(), 0)
        });
        e.1 += 1;
    }
    by.into_iter()
        .map(|(code, (label, n))| (code.to_owned(), label, n))
        .collect()
}

/// On validation of supplier run `run` (numbered from `first_mandate`,
/// [`MANDATES_PER_BORDEREAU`] mandats a bordereau from `first_bordereau`): each invoice recorded as mandated, in the same
/// transaction. Nothing for another kind of run.
pub(crate) fn mark_mandated(
    tx: &Connection,
    run: &str,
    actor: &str,
    exercice: i16,
    first_bordereau: u32,
    first_mandate: u32,
    on: &str,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare(
        "SELECT n, invoice FROM supplier_mandates WHERE run_id = ?1 AND kind = 'facture'
         ORDER BY n",
    )?;
    let rows = stmt
        .query_map([run], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut insert = tx.prepare(
        "INSERT INTO invoice_steps (invoice, kind, step, actor, on_date, at)
         VALUES (?1, 'mandatee', ?2, ?3, ?4, ?5)",
    )?;
    let now = crate::sqlite::now();
    for (n, invoice) in rows {
        let event = mandated_event(run, exercice, first_bordereau, first_mandate, n);
        insert.execute(params![invoice, json(&event)?, actor, on, now])?;
    }
    Ok(())
}

/// The step of the `n`th mandat (from 1) of supplier run `run`, validated with the numbers
/// from `first_bordereau` and `first_mandate`.
pub(crate) fn mandated_event(
    run: &str,
    exercice: i16,
    first_bordereau: u32,
    first_mandate: u32,
    n: u32,
) -> InvoiceEvent {
    let index = n.saturating_sub(1);
    InvoiceEvent::Mandated {
        run: run.to_owned(),
        exercice,
        bordereau: first_bordereau.saturating_add(index / MANDATES_PER_BORDEREAU),
        mandate: first_mandate.saturating_add(index),
    }
}

/// On cancellation of a prepared run: its invoices' claims freed (none for another kind).
pub(crate) fn free_claims(tx: &Connection, run: &str) -> Result<usize, StoreError> {
    Ok(tx.execute("DELETE FROM supplier_claims WHERE run_id = ?1", [run])?)
}
