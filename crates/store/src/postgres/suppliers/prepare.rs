//! Preparing a supplier run on PostgreSQL in one writing transaction, as on SQLite
//! (`sqlite/suppliers/prepare.rs`, whose [`Tally`] decides what is claimed and counted): each
//! mandat claimed for good, kept with the run; all or nothing.

use super::super::pg;
use super::super::runs::{load_run, next_run_id};
use super::super::{journal, users, write};
use crate::runs::{Prepared, RunStoreError};
use crate::sqlite::suppliers::prepare::{
    CLAIM, FINISH_RUN, INSERT_RUN, INSERT_SUPPLIER_RUN, MANDATE, OPEN_RUN, TWIN, Tally, json,
    run_id,
};
use crate::suppliers::PrepareSuppliers;
use postgres::Client;
use relais_core::roles::Role;

pub(super) fn prepare(
    client: &mut Client,
    req: &PrepareSuppliers<'_>,
) -> Result<Prepared, RunStoreError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, req.actor, &[Role::Liquidation])?;
    let open = tx.query_opt(OPEN_RUN, &[])?;
    if let Some(row) = open {
        let id = run_id(row.try_get(0)?)?;
        let run = load_run(&mut tx, id)?.ok_or(RunStoreError::NotFound(id))?;
        return Ok(Prepared {
            run,
            created: false,
        });
    }
    let (seq, id) = next_run_id(&mut tx, req.month)?;
    let run = id.to_string();
    tx.execute(
        &pg(INSERT_RUN),
        &[
            &run,
            &req.month.to_string(),
            &seq,
            &req.actor,
            &req.local_time,
            &json(&req.run_params)?,
        ],
    )?;
    let mut tally = Tally::new(req);
    let twin = tx.prepare(&pg(TWIN))?;
    let claim = tx.prepare(&pg(CLAIM))?;
    let mandate = tx.prepare(&pg(MANDATE))?;
    for m in &req.mandates {
        if tally.held(m) {
            continue;
        }
        let (kind, siret) = (m.kind.code(), m.siret.as_str());
        let other: Option<String> = tx
            .query_opt(&twin, &[&kind, &siret, &m.number, &m.invoice_amount.0])?
            .map(|r| r.try_get(0))
            .transpose()?;
        if !tally.claimable(m, other) {
            continue;
        }
        tx.execute(
            &claim,
            &[
                &m.invoice,
                &kind,
                &siret,
                &m.number,
                &m.invoice_amount.0,
                &run,
            ],
        )?;
        let n = tally.add(m)?;
        tx.execute(&mandate, &[&run, &n, &m.invoice, &kind, &json(m)?])?;
    }
    let done = tally.finish(req, &run)?;
    tx.execute(&pg(FINISH_RUN), &[&run, &done.run_summary, &done.totals])?;
    tx.execute(&pg(INSERT_SUPPLIER_RUN), &[&run, &done.summary])?;
    journal::append(&mut tx, req.actor, "run_prepare", &done.payload)?;
    let out = load_run(&mut tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    Ok(Prepared {
        run: out,
        created: true,
    })
}
