//! Preparing a payroll run on PostgreSQL, as on SQLite (`sqlite/payroll/prepare.rs`, whose
//! decisions, tallies and summaries are shared): in one writing transaction, each agent read
//! beside their pay lines, both in matricule order through two portals fetched a batch at a
//! time (memory stays bounded whatever the payroll), repeated, excluded or skipped; what they
//! write is sent a batch of agents at a time, one statement per table (arrays unnested), not
//! a round trip per row.

use super::super::runs::{load_run, next_run_id};
use super::super::{journal, users, write};
use super::changes;
use crate::StoreError;
use crate::payroll::PreparePayroll;
use crate::runs::{Prepared, RunStoreError};
use crate::sqlite::payroll::prepare::{
    AGENTS, BANK_PENDING, Decider, LINES, OPEN_RUN, Outcome, Tally, agent_of, approved_ibans,
    changed, conclude, entered, json, line_of, lines_of, run_id, run_params,
};
use postgres::{Client, Portal, Row, Transaction};
use relais_core::Cents;
use relais_core::payroll::PayLine;
use relais_core::records::Agent;
use relais_core::roles::Role;
use relais_core::run::RunId;
use std::collections::{HashMap, HashSet, VecDeque};

/// Rows fetched from a portal at a time, and agents written at a time.
const BATCH: usize = 1_000;

pub(super) fn prepare(
    client: &mut Client,
    req: &PreparePayroll<'_>,
) -> Result<Prepared, RunStoreError> {
    let mut tx = write(client)?;
    users::require_any(&mut tx, req.actor, &[Role::Liquidation])?;
    let month = req.month.to_string();
    if let Some(row) = tx.query_opt(OPEN_RUN, &[&month])? {
        let id = run_id(&row.try_get::<_, String>(0)?)?;
        let run = load_run(&mut tx, id)?.ok_or(RunStoreError::NotFound(id))?;
        return Ok(Prepared {
            run,
            created: false,
        });
    }
    let (seq, id) = next_run_id(&mut tx, req.month)?;
    let run = id.to_string();
    tx.execute(
        "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params,
             summary)
         VALUES ($1, $2, $3, '', 'prepared', $4, $5, $6, '{}')",
        &[
            &run,
            &month,
            &seq,
            &req.actor,
            &req.local_time,
            &run_params(req)?,
        ],
    )?;
    let mut tally = Tally::new(req);
    repeat_each(&mut tx, req, &run, &mut tally)?;
    if tally.summary.agents == 0 {
        // Rolled back: no run, no number used.
        return Err(RunStoreError::NoAgentToPay(req.month));
    }
    record(&mut tx, req, id, tally)?;
    let out = load_run(&mut tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    Ok(Prepared {
        run: out,
        created: true,
    })
}

/// A portal's rows, fetched a batch at a time.
struct Fetch {
    portal: Portal,
    rows: VecDeque<Row>,
    done: bool,
}

impl Fetch {
    fn new(tx: &mut Transaction<'_>, sql: &str) -> Result<Fetch, StoreError> {
        Ok(Fetch {
            portal: tx.bind(sql, &[])?,
            rows: VecDeque::new(),
            done: false,
        })
    }

    fn next(&mut self, tx: &mut Transaction<'_>) -> Result<Option<Row>, StoreError> {
        if self.rows.is_empty() && !self.done {
            let batch = tx.query_portal(&self.portal, BATCH as i32)?;
            self.done = batch.len() < BATCH;
            self.rows.extend(batch);
        }
        Ok(self.rows.pop_front())
    }
}

/// The rows the agents decided so far write, column by column, until sent.
#[derive(Default)]
struct Pending {
    /// Matricules paid (claimed) and their pays.
    paid: Vec<String>,
    pays: Vec<String>,
    /// Each net: account, function, matricule, amount.
    net_accounts: Vec<String>,
    net_functions: Vec<String>,
    net_matricules: Vec<String>,
    net_amounts: Vec<i64>,
    /// Each deferred amount: matricule, name, service, amount.
    deferred_matricules: Vec<String>,
    deferred_names: Vec<String>,
    deferred_services: Vec<String>,
    deferred_amounts: Vec<i64>,
    excluded: Vec<String>,
    exclusions: Vec<String>,
    agents: usize,
}

impl Pending {
    fn add(&mut self, agent: &Agent, outcome: Outcome) -> Result<(), StoreError> {
        self.agents += 1;
        match outcome {
            Outcome::Skipped => {}
            Outcome::Excluded(x) => {
                self.excluded.push(agent.matricule.clone());
                self.exclusions.push(json(&x)?);
            }
            Outcome::Paid { pay, name } => {
                self.paid.push(agent.matricule.clone());
                self.pays.push(json(&pay)?);
                for (key, amount) in &pay.nets {
                    self.net_accounts.push(key.account.clone());
                    self.net_functions.push(key.function.clone());
                    self.net_matricules.push(agent.matricule.clone());
                    self.net_amounts.push(amount.0);
                }
                if pay.deferred != Cents::ZERO {
                    self.deferred_matricules.push(agent.matricule.clone());
                    self.deferred_names.push(name);
                    self.deferred_services.push(agent.service.clone());
                    self.deferred_amounts.push(pay.deferred.0);
                }
            }
        }
        Ok(())
    }

    /// Sends the rows of the agents decided so far, then starts afresh.
    fn send(&mut self, tx: &mut Transaction<'_>, run: &str, month: &str) -> Result<(), StoreError> {
        let p = std::mem::take(self);
        if !p.paid.is_empty() {
            tx.execute(
                "INSERT INTO payroll_claims (matricule, month, run_id)
                 SELECT m, $2, $3 FROM unnest($1::text[]) AS m",
                &[&p.paid, &month, &run],
            )?;
            tx.execute(
                "INSERT INTO payroll_pays (run_id, matricule, pay)
                 SELECT $3, m, p FROM unnest($1::text[], $2::text[]) AS t (m, p)",
                &[&p.paid, &p.pays, &run],
            )?;
        }
        if !p.net_matricules.is_empty() {
            tx.execute(
                "INSERT INTO payroll_nets (run_id, account, function, matricule, amount)
                 SELECT $5, a, f, m, n
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t (a, f, m, n)",
                &[
                    &p.net_accounts,
                    &p.net_functions,
                    &p.net_matricules,
                    &p.net_amounts,
                    &run,
                ],
            )?;
        }
        if !p.deferred_matricules.is_empty() {
            tx.execute(
                "INSERT INTO payroll_deferred (matricule, month, run_id, name, service, amount)
                 SELECT m, $5, $6, n, s, a
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t (m, n, s, a)",
                &[
                    &p.deferred_matricules,
                    &p.deferred_names,
                    &p.deferred_services,
                    &p.deferred_amounts,
                    &month,
                    &run,
                ],
            )?;
        }
        if !p.excluded.is_empty() {
            tx.execute(
                "INSERT INTO payroll_exclusions (run_id, matricule, exclusion)
                 SELECT $3, m, x FROM unnest($1::text[], $2::text[]) AS t (m, x)",
                &[&p.excluded, &p.exclusions, &run],
            )?;
        }
        Ok(())
    }
}

/// What deciding the agents needs, read before them (see [`Decider`]).
fn decider<'r>(
    tx: &mut Transaction<'_>,
    req: &'r PreparePayroll<'r>,
    month: &str,
    changes: &std::collections::BTreeMap<String, Vec<relais_core::payroll::AgentChange>>,
) -> Result<Decider<'r>, StoreError> {
    let claimed: HashSet<String> = tx
        .query(
            "SELECT matricule FROM payroll_claims WHERE month = $1",
            &[&month],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let bank_pending: HashMap<String, u64> = tx
        .query(BANK_PENDING, &[])?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                u64::try_from(r.try_get::<_, i64>(1)?).unwrap_or(0),
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    // Runs in order: the last validated payroll's IBAN wins.
    let last_paid: HashMap<String, String> = tx
        .query(
            "SELECT p.matricule, p.pay::json ->> 'iban' FROM payroll_pays p
             JOIN runs r ON r.id = p.run_id
             WHERE r.status = 'validated' ORDER BY r.month, r.seq",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok(Decider {
        req,
        claimed,
        bank_pending,
        last_paid,
        approved_ibans: approved_ibans(changes),
    })
}

/// Reads each agent beside their lines, applies their approved changes, and repeats,
/// excludes or skips them; then the agents entered by an approved change alone.
fn repeat_each(
    tx: &mut Transaction<'_>,
    req: &PreparePayroll<'_>,
    run: &str,
    tally: &mut Tally,
) -> Result<(), RunStoreError> {
    let month = req.month.to_string();
    let mut changes = changes::approved(tx)?;
    let d = decider(tx, req, &month, &changes)?;
    let mut agents = Fetch::new(tx, AGENTS)?;
    let mut lines = Fetch::new(tx, LINES)?;
    let mut ahead: Option<PayLine> = None;
    let mut pending = Pending::default();
    while let Some(r) = agents.next(tx)? {
        let agent = agent_of(&r)?;
        let mine = lines_of(&agent.matricule, &mut ahead, || {
            lines.next(tx)?.as_ref().map(line_of).transpose()
        })?;
        let own = changes.remove(&agent.matricule);
        let (agent, drop_lines) = changed(agent, own);
        let outcome = d.decide(&agent, if drop_lines { &[] } else { &mine }, tally)?;
        pending.add(&agent, outcome)?;
        if pending.agents >= BATCH {
            pending.send(tx, run, &month)?;
        }
    }
    for agent in entered(changes) {
        let outcome = d.decide(&agent, &[], tally)?;
        pending.add(&agent, outcome)?;
    }
    pending.send(tx, run, &month)?;
    Ok(())
}

/// The mandats, totals and summaries kept with the run, and its journal entry.
fn record(
    tx: &mut Transaction<'_>,
    req: &PreparePayroll<'_>,
    id: RunId,
    tally: Tally,
) -> Result<(), RunStoreError> {
    let run = id.to_string();
    let c = conclude(req, id, tally)?;
    let insert = tx.prepare(
        "INSERT INTO payroll_mandates (run_id, n, account, function, totals)
         VALUES ($1, $2, $3, $4, $5)",
    )?;
    for (n, key, totals) in &c.mandates {
        tx.execute(&insert, &[&run, n, &key.account, &key.function, totals])?;
    }
    tx.execute(
        "UPDATE runs SET summary = $2, totals = $3 WHERE id = $1",
        &[&run, &c.summary, &c.totals],
    )?;
    tx.execute(
        "INSERT INTO payroll_runs (run_id, summary) VALUES ($1, $2)",
        &[&run, &c.payroll],
    )?;
    journal::append(tx, req.actor, "run_prepare", &c.journal)?;
    Ok(())
}
