//! Preparing a payroll run: in one transaction, each agent of `agents.csv` read beside their
//! `paie.csv` lines (both in matricule order), repeated for the month or excluded with the
//! reason, claimed once for the month; the mandats, totals and control figures kept with the
//! run. All or nothing: a crash leaves no run and no claim.

use crate::StoreError;
use crate::payroll::PreparePayroll;
use crate::runs::{GroupTotal, Prepared, RunStoreError, RunTotals};
use crate::sqlite::decode::{corrupt, date};
use crate::sqlite::runs::{load_run, next_run_id};
use crate::sqlite::{journal, users};
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Nir};
use relais_core::payroll::{
    AgentChange, AgentPay, Exclusion, PayLine, PayrollExclusion, PayrollMandates, PayrollSummary,
    Rate, repeat_month,
};
use relais_core::records::{Agent, Extra};
use relais_core::roles::Role;
use relais_core::run::{PlainRun, RunId, RunSummary};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// Nets listed as changed in the control report, at most.
const MAX_CHANGED: usize = 500;

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn agent_of(r: &Row<'_>) -> Result<Agent, StoreError> {
    let text = |i: usize| -> Result<String, StoreError> { Ok(r.get::<_, String>(i)?) };
    let (matricule, nir, iban, bic) = (text(0)?, text(3)?, text(4)?, text(5)?);
    let exit: Option<String> = r.get(9)?;
    Ok(Agent {
        last_name: text(1)?,
        first_name: text(2)?,
        nir: Nir::parse(&nir).map_err(|_| corrupt("agent NIR", &matricule))?,
        iban: Iban::parse(&iban).map_err(|_| corrupt("agent IBAN", &matricule))?,
        bic: Bic::parse(&bic).map_err(|_| corrupt("agent BIC", &matricule))?,
        net_monthly: Cents(r.get(6)?),
        variables: Cents(r.get(7)?),
        entry_date: date("agent entry", &text(8)?)?,
        exit_date: exit.map(|d| date("agent exit", &d)).transpose()?,
        service: text(10)?,
        extra: Extra::default(),
        matricule,
    })
}

fn line_of(r: &Row<'_>) -> Result<PayLine, StoreError> {
    let month: String = r.get(1)?;
    Ok(PayLine {
        matricule: r.get(0)?,
        month: relais_core::calendar::Month::parse(&month)
            .map_err(|_| corrupt("pay line month", &month))?,
        code: r.get(2)?,
        label: r.get(3)?,
        base: r.get::<_, Option<i64>>(4)?.map(Cents),
        rate: r.get::<_, Option<i64>>(5)?.map(Rate),
        employee: Cents(r.get(6)?),
        employer: Cents(r.get(7)?),
        account: r.get(8)?,
        employer_account: r.get(9)?,
        function: r.get(10)?,
        creditor: r.get(11)?,
        extra: Extra::default(),
    })
}

/// The month's payroll run still prepared, if any.
fn open_run(tx: &Connection, month: &str) -> Result<Option<RunId>, StoreError> {
    let id: Option<String> = tx
        .query_row(
            "SELECT id FROM runs WHERE month = ?1 AND status = 'prepared'
               AND EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)",
            [month],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| id.parse().map_err(|_| corrupt("run id", &id)))
        .transpose()
}

pub(super) fn prepare(
    conn: &mut Connection,
    req: &PreparePayroll<'_>,
) -> Result<Prepared, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    users::require_any(&tx, req.actor, &[Role::Liquidation])?;
    let month = req.month.to_string();
    if let Some(id) = open_run(&tx, &month)? {
        let run = load_run(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
        return Ok(Prepared {
            run,
            created: false,
        });
    }
    let (seq, id) = next_run_id(&tx, req.month)?;
    let run = id.to_string();
    let mut params = req.run_params.clone();
    params.payroll = Some(req.params.clone());
    tx.execute(
        "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params,
             summary)
         VALUES (?1, ?2, ?3, '', 'prepared', ?4, ?5, ?6, '{}')",
        params![run, month, seq, req.actor, req.local_time, json(&params)?],
    )?;
    let mut tally = Tally::new(req);
    repeat_each(&tx, req, &run, &mut tally)?;
    if tally.summary.agents == 0 {
        // Rolled back: no run, no number used.
        return Err(RunStoreError::NoAgentToPay(req.month));
    }
    record(&tx, req, id, tally)?;
    let out = load_run(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    Ok(Prepared {
        run: out,
        created: true,
    })
}

/// What the agents add up to, as they go by.
struct Tally {
    summary: PayrollSummary,
    mandates: PayrollMandates,
    ibans: BTreeMap<String, Vec<String>>,
}

impl Tally {
    fn new(req: &PreparePayroll<'_>) -> Tally {
        Tally {
            summary: PayrollSummary {
                pay_date: Some(req.params.pay_date),
                pay_date_note: req.params.pay_date_note.clone(),
                ..PayrollSummary::default()
            },
            mandates: PayrollMandates::default(),
            ibans: BTreeMap::new(),
        }
    }

    fn paid(&mut self, pay: &AgentPay) -> Result<(), StoreError> {
        let overflow = || StoreError::Corrupt("payroll total beyond any budget".into());
        let s = &mut self.summary;
        s.agents += 1;
        s.gross = s.gross.checked_add(pay.gross).ok_or_else(overflow)?;
        s.net = s.net.checked_add(pay.net).ok_or_else(overflow)?;
        s.employer = s.employer.checked_add(pay.employer).ok_or_else(overflow)?;
        s.net_only += u64::from(pay.net_only());
        s.prorated += u64::from(pay.thirtieths < 30);
        if pay.deferred != Cents::ZERO {
            s.deferred = s.deferred.checked_add(pay.deferred).ok_or_else(overflow)?;
            s.deferred_agents += 1;
        }
        if pay.net != pay.previous_net && s.changed.len() < MAX_CHANGED {
            s.changed.push((
                pay.matricule.clone(),
                format!("{} {}", pay.last_name, pay.first_name),
                pay.previous_net,
                pay.net,
            ));
        }
        self.ibans
            .entry(pay.iban.as_str().to_owned())
            .or_default()
            .push(pay.matricule.clone());
        self.mandates.add(pay).ok_or_else(overflow)
    }
}

/// The statements that write an agent's month, and what it needs to know.
struct AgentWriter<'c, 'r> {
    req: &'r PreparePayroll<'r>,
    run: &'r str,
    month: String,
    claimed: HashSet<String>,
    /// Agents with new bank details waiting for a decision: request number by matricule.
    bank_pending: std::collections::HashMap<String, u64>,
    /// The IBAN each agent was last paid to (validated payroll runs), and the IBANs an
    /// ordonnateur approved for them: other details than both are held.
    last_paid: std::collections::HashMap<String, String>,
    approved_ibans: HashSet<(String, String)>,
    claim: rusqlite::Statement<'c>,
    pay: rusqlite::Statement<'c>,
    net: rusqlite::Statement<'c>,
    deferred: rusqlite::Statement<'c>,
    excluded: rusqlite::Statement<'c>,
}

impl AgentWriter<'_, '_> {
    /// Repeats, excludes or skips `agent` (their `lines` read beside them).
    fn agent(
        &mut self,
        agent: &Agent,
        lines: &[PayLine],
        tally: &mut Tally,
    ) -> Result<(), RunStoreError> {
        let (run, month) = (self.run, self.month.as_str());
        tally.summary.previous_agents += 1;
        tally.summary.previous_net = tally
            .summary
            .previous_net
            .checked_add(agent.net_monthly)
            .unwrap_or(tally.summary.previous_net);
        if self.claimed.contains(&agent.matricule) {
            tally.summary.already_paid += 1;
            return Ok(());
        }
        let name = format!("{} {}", agent.last_name, agent.first_name);
        let iban = agent.iban.as_str();
        let unapproved = self.last_paid.get(&agent.matricule).is_some_and(|last| {
            last != iban
                && !self
                    .approved_ibans
                    .contains(&(agent.matricule.clone(), iban.to_owned()))
        });
        let repeated = match self.bank_pending.get(&agent.matricule) {
            Some(id) => Err(Exclusion::BankChangePending { id: *id }),
            None if unapproved => Err(Exclusion::BankChangeUnapproved {
                iban_end: iban
                    .get(iban.len().saturating_sub(4)..)
                    .unwrap_or("")
                    .to_owned(),
            }),
            None => repeat_month(agent, lines, self.req.month, &self.req.params.settings),
        };
        match repeated {
            Ok(None) => tally.summary.not_in_post += 1,
            Err(e) => {
                tally.summary.excluded += 1;
                let x = PayrollExclusion {
                    matricule: agent.matricule.clone(),
                    name,
                    service: agent.service.clone(),
                    reason: e.code().to_owned(),
                    label: e.label(),
                    net: agent.net_monthly,
                };
                self.excluded
                    .execute(params![run, agent.matricule, json(&x)?])?;
            }
            Ok(Some(pay)) => {
                self.claim.execute(params![agent.matricule, month, run])?;
                self.pay
                    .execute(params![run, agent.matricule, json(&pay)?])?;
                for (key, amount) in &pay.nets {
                    self.net.execute(params![
                        run,
                        key.account,
                        key.function,
                        agent.matricule,
                        amount.0
                    ])?;
                }
                if pay.deferred != Cents::ZERO {
                    self.deferred.execute(params![
                        agent.matricule,
                        month,
                        run,
                        name,
                        agent.service,
                        pay.deferred.0
                    ])?;
                }
                tally.paid(&pay)?;
            }
        }
        Ok(())
    }
}

/// `agent` with its approved changes applied; whether a new net drops their lines.
fn changed(mut agent: Agent, changes: Option<Vec<AgentChange>>) -> (Agent, bool) {
    let mut drop_lines = false;
    for c in changes.unwrap_or_default() {
        drop_lines |= c.apply(&mut agent);
    }
    (agent, drop_lines)
}

/// Reads each agent beside their lines, applies their approved changes, and repeats,
/// excludes or skips them; then the agents entered by an approved change alone.
fn repeat_each(
    tx: &Connection,
    req: &PreparePayroll<'_>,
    run: &str,
    tally: &mut Tally,
) -> Result<(), RunStoreError> {
    let month = req.month.to_string();
    let claimed: HashSet<String> = {
        let mut stmt = tx.prepare("SELECT matricule FROM payroll_claims WHERE month = ?1")?;
        let rows = stmt.query_map([&month], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut changes = super::changes::approved(tx)?;
    let bank_pending = {
        let mut stmt = tx.prepare(
            "SELECT matricule, max(id) FROM payroll_changes
             WHERE kind = 'rib' AND decided_by IS NULL GROUP BY matricule",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|r| r.map(|(m, id)| (m, u64::try_from(id).unwrap_or(0))))
            .collect::<Result<_, _>>()?
    };
    let last_paid = {
        // Runs in order: the last validated payroll's IBAN wins.
        let mut stmt = tx.prepare(
            "SELECT p.matricule, json_extract(p.pay, '$.iban') FROM payroll_pays p
             JOIN runs r ON r.id = p.run_id
             WHERE r.status = 'validated' ORDER BY r.month, r.seq",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let approved_ibans = changes
        .iter()
        .flat_map(|(m, list)| {
            list.iter().filter_map(move |c| match c {
                AgentChange::Bank { iban, .. } => Some((m.clone(), iban.as_str().to_owned())),
                AgentChange::Entry(a) => Some((m.clone(), a.iban.as_str().to_owned())),
                _ => None,
            })
        })
        .collect();
    let mut w = AgentWriter {
        req,
        run,
        month,
        claimed,
        bank_pending,
        last_paid,
        approved_ibans,
        claim: tx
            .prepare("INSERT INTO payroll_claims (matricule, month, run_id) VALUES (?1, ?2, ?3)")?,
        pay: tx.prepare("INSERT INTO payroll_pays (run_id, matricule, pay) VALUES (?1, ?2, ?3)")?,
        net: tx.prepare(
            "INSERT INTO payroll_nets (run_id, account, function, matricule, amount)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?,
        deferred: tx.prepare(
            "INSERT INTO payroll_deferred (matricule, month, run_id, name, service, amount)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?,
        excluded: tx.prepare(
            "INSERT INTO payroll_exclusions (run_id, matricule, exclusion) VALUES (?1, ?2, ?3)",
        )?,
    };
    let mut agents = tx.prepare(
        "SELECT matricule, last_name, first_name, nir, iban, bic, net_monthly, variables,
                entry_date, exit_date, service
         FROM agents ORDER BY matricule",
    )?;
    let mut lines = tx.prepare(
        "SELECT matricule, month, code, label, base, rate, employee, employer, account,
                employer_account, function, creditor
         FROM pay_lines ORDER BY matricule, month, code",
    )?;
    let mut line_rows = lines.query([])?;
    let mut ahead: Option<PayLine> = None;
    let mut rows = agents.query([])?;
    while let Some(r) = rows.next()? {
        let agent = agent_of(r)?;
        // The agent's lines: those read ahead up to the next matricule (both in order).
        let mut mine = Vec::new();
        loop {
            if ahead.is_none() {
                ahead = line_rows.next()?.map(line_of).transpose()?;
            }
            match &ahead {
                Some(l) if l.matricule < agent.matricule => ahead = None,
                Some(l) if l.matricule == agent.matricule => mine.extend(ahead.take()),
                _ => break,
            }
        }
        let own = changes.remove(&agent.matricule);
        let (agent, drop_lines) = changed(agent, own);
        w.agent(&agent, if drop_lines { &[] } else { &mine }, tally)?;
    }
    // Agents not in agents.csv, entered by an approved change: their net alone.
    for (_, list) in std::mem::take(&mut changes) {
        let Some(first) = list.iter().find_map(|c| match c {
            AgentChange::Entry(a) => Some((**a).clone()),
            _ => None,
        }) else {
            continue;
        };
        let (agent, _) = changed(first, Some(list));
        w.agent(&agent, &[], tally)?;
    }
    Ok(())
}

/// The mandats, totals and summaries kept with the run, and its journal entry.
fn record(
    tx: &Connection,
    req: &PreparePayroll<'_>,
    id: RunId,
    mut tally: Tally,
) -> Result<(), RunStoreError> {
    let run = id.to_string();
    let mut insert = tx.prepare(
        "INSERT INTO payroll_mandates (run_id, n, account, function, totals)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut lines = 0;
    for (n, (key, m)) in tally.mandates.mandates.iter().enumerate() {
        insert.execute(params![run, n + 1, key.account, key.function, json(m)?])?;
        lines += m.lines();
    }
    let total = tally
        .mandates
        .total()
        .ok_or_else(|| StoreError::Corrupt("payroll total beyond any budget".into()))?;
    let mandates = tally.mandates.mandates.len() as u64;
    tally.summary.shared_ibans = std::mem::take(&mut tally.ibans)
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .collect();
    let group = GroupTotal { mandates, total };
    let totals = RunTotals {
        per_pay_date: BTreeMap::from([(req.params.pay_date, group)]),
        per_bordereau: BTreeMap::from([(0, group)]),
    };
    // Per mandat (account and function) in `payroll_mandates`, not in the summary.
    let summary = RunSummary::plain(&PlainRun {
        authority: req.authority,
        run: &run,
        month: req.month,
        prepared_by: req.actor,
        prepared_at: &req.local_time,
        lines,
        mandates,
        total,
        change_threshold: req.run_params.change_threshold,
    });
    tx.execute(
        "UPDATE runs SET summary = ?2, totals = ?3 WHERE id = ?1",
        params![run, json(&summary)?, json(&totals)?],
    )?;
    tx.execute(
        "INSERT INTO payroll_runs (run_id, summary) VALUES (?1, ?2)",
        params![run, json(&tally.summary)?],
    )?;
    let s = &tally.summary;
    journal::append(
        tx,
        req.actor,
        "run_prepare",
        &json!({
            "run": run,
            "kind": "paie",
            "month": req.month.to_string(),
            "agents": s.agents,
            "excluded": s.excluded,
            "net_only": s.net_only,
            "mandates": mandates,
            "lines": lines,
            "total_cents": total.0,
            "net_cents": s.net.0,
            "deferred_cents": s.deferred.0,
        }),
    )?;
    Ok(())
}
