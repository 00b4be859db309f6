//! Preparing a payroll run: in one transaction, each agent of `agents.csv` read beside their
//! `paie.csv` lines (both in matricule order), repeated for the month or excluded with the
//! reason, claimed once for the month; the mandats, totals and control figures kept with the
//! run. All or nothing: a crash leaves no run and no claim.

use crate::StoreError;
use crate::payroll::PreparePayroll;
use crate::runs::{GroupTotal, Prepared, RunStoreError, RunTotals};
use crate::sqlite::decode::{corrupt, date};
use crate::sqlite::payroll::Cols;
use crate::sqlite::runs::{load_run, next_run_id};
use crate::sqlite::{journal, users};
use relais_core::Cents;
use relais_core::ids::{Bic, Iban, Nir};
use relais_core::payroll::{
    AgentChange, AgentPay, Exclusion, MandateKey, PayLine, PayrollExclusion, PayrollMandates,
    PayrollSummary, Rate, repeat_month,
};
use relais_core::records::{Agent, Extra};
use relais_core::roles::Role;
use relais_core::run::{PlainRun, RunId, RunSummary};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Nets listed as changed in the control report, at most.
pub(crate) const MAX_CHANGED: usize = 500;

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The agents, in matricule order (read by [`agent_of`]).
pub(crate) const AGENTS: &str = "SELECT matricule, last_name, first_name, nir, iban, bic,
        net_monthly, variables, entry_date, exit_date, service
     FROM agents ORDER BY matricule";

/// The pay lines, in matricule order as [`AGENTS`] (read by [`line_of`]).
pub(crate) const LINES: &str = "SELECT matricule, month, code, label, base, rate, employee,
        employer, account, employer_account, function, creditor
     FROM pay_lines ORDER BY matricule, month, code";

pub(crate) fn agent_of(r: &impl Cols) -> Result<Agent, StoreError> {
    let (matricule, nir, iban, bic) = (r.text(0)?, r.text(3)?, r.text(4)?, r.text(5)?);
    let exit = r.opt_text(9)?;
    Ok(Agent {
        last_name: r.text(1)?,
        first_name: r.text(2)?,
        nir: Nir::parse(&nir).map_err(|_| corrupt("agent NIR", &matricule))?,
        iban: Iban::parse(&iban).map_err(|_| corrupt("agent IBAN", &matricule))?,
        bic: Bic::parse(&bic).map_err(|_| corrupt("agent BIC", &matricule))?,
        net_monthly: Cents(r.int(6)?),
        variables: Cents(r.int(7)?),
        entry_date: date("agent entry", &r.text(8)?)?,
        exit_date: exit.map(|d| date("agent exit", &d)).transpose()?,
        service: r.text(10)?,
        extra: Extra::default(),
        matricule,
    })
}

pub(crate) fn line_of(r: &impl Cols) -> Result<PayLine, StoreError> {
    let month = r.text(1)?;
    Ok(PayLine {
        matricule: r.text(0)?,
        month: relais_core::calendar::Month::parse(&month)
            .map_err(|_| corrupt("pay line month", &month))?,
        code: r.text(2)?,
        label: r.text(3)?,
        base: r.opt_int(4)?.map(Cents),
        rate: r.opt_int(5)?.map(Rate),
        employee: Cents(r.int(6)?),
        employer: Cents(r.int(7)?),
        account: r.text(8)?,
        employer_account: r.opt_text(9)?,
        function: r.text(10)?,
        creditor: r.text(11)?,
        extra: Extra::default(),
    })
}

/// The month's payroll run still prepared (`$1` the month), if any.
pub(crate) const OPEN_RUN: &str = "SELECT id FROM runs WHERE month = $1 AND status = 'prepared'
       AND EXISTS (SELECT 1 FROM payroll_runs p WHERE p.run_id = runs.id)";

pub(crate) fn run_id(id: &str) -> Result<RunId, StoreError> {
    id.parse().map_err(|_| corrupt("run id", id))
}

/// The month's payroll run still prepared, if any.
fn open_run(tx: &Connection, month: &str) -> Result<Option<RunId>, StoreError> {
    let id: Option<String> = tx
        .query_row(&OPEN_RUN.replace('$', "?"), [month], |r| r.get(0))
        .optional()?;
    id.as_deref().map(run_id).transpose()
}

/// The run's parameters as kept with it: the run's, with the payroll's.
pub(crate) fn run_params(req: &PreparePayroll<'_>) -> Result<String, StoreError> {
    let mut params = req.run_params.clone();
    params.payroll = Some(req.params.clone());
    json(&params)
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
    tx.execute(
        "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params,
             summary)
         VALUES (?1, ?2, ?3, '', 'prepared', ?4, ?5, ?6, '{}')",
        params![run, month, seq, req.actor, req.local_time, run_params(req)?],
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
pub(crate) struct Tally {
    pub(crate) summary: PayrollSummary,
    mandates: PayrollMandates,
    ibans: BTreeMap<String, Vec<String>>,
}

impl Tally {
    pub(crate) fn new(req: &PreparePayroll<'_>) -> Tally {
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

/// What becomes of an agent's month.
pub(crate) enum Outcome {
    /// Already paid for the month, or not in post: nothing written.
    Skipped,
    Excluded(PayrollExclusion),
    /// Paid (`name` as the deferred elements keep it).
    Paid {
        pay: AgentPay,
        name: String,
    },
}

/// What deciding an agent's month needs to know, read before the agents.
pub(crate) struct Decider<'r> {
    pub(crate) req: &'r PreparePayroll<'r>,
    /// Agents already paid for the month.
    pub(crate) claimed: HashSet<String>,
    /// Agents with new bank details waiting for a decision: request number by matricule.
    pub(crate) bank_pending: HashMap<String, u64>,
    /// The IBAN each agent was last paid to (validated payroll runs), and the IBANs an
    /// ordonnateur approved for them: other details than both are held.
    pub(crate) last_paid: HashMap<String, String>,
    pub(crate) approved_ibans: HashSet<(String, String)>,
}

impl Decider<'_> {
    /// Repeats, excludes or skips `agent` (their `lines` read beside them), counted in `tally`.
    pub(crate) fn decide(
        &self,
        agent: &Agent,
        lines: &[PayLine],
        tally: &mut Tally,
    ) -> Result<Outcome, RunStoreError> {
        tally.summary.previous_agents += 1;
        tally.summary.previous_net = tally
            .summary
            .previous_net
            .checked_add(agent.net_monthly)
            .unwrap_or(tally.summary.previous_net);
        if self.claimed.contains(&agent.matricule) {
            tally.summary.already_paid += 1;
            return Ok(Outcome::Skipped);
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
        Ok(match repeated {
            Ok(None) => {
                tally.summary.not_in_post += 1;
                Outcome::Skipped
            }
            Err(e) => {
                tally.summary.excluded += 1;
                Outcome::Excluded(PayrollExclusion {
                    matricule: agent.matricule.clone(),
                    name,
                    service: agent.service.clone(),
                    reason: e.code().to_owned(),
                    label: e.label(),
                    net: agent.net_monthly,
                })
            }
            Ok(Some(pay)) => {
                tally.paid(&pay)?;
                Outcome::Paid { pay, name }
            }
        })
    }
}

/// The statements that write an agent's month.
struct AgentWriter<'c, 'r> {
    decider: Decider<'r>,
    run: &'r str,
    month: String,
    claim: rusqlite::Statement<'c>,
    pay: rusqlite::Statement<'c>,
    net: rusqlite::Statement<'c>,
    deferred: rusqlite::Statement<'c>,
    excluded: rusqlite::Statement<'c>,
}

impl AgentWriter<'_, '_> {
    fn agent(
        &mut self,
        agent: &Agent,
        lines: &[PayLine],
        tally: &mut Tally,
    ) -> Result<(), RunStoreError> {
        let (run, month) = (self.run, self.month.as_str());
        match self.decider.decide(agent, lines, tally)? {
            Outcome::Skipped => {}
            Outcome::Excluded(x) => {
                self.excluded
                    .execute(params![run, agent.matricule, json(&x)?])?;
            }
            Outcome::Paid { pay, name } => {
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
            }
        }
        Ok(())
    }
}

/// `agent` with its approved changes applied; whether a new net drops their lines.
pub(crate) fn changed(mut agent: Agent, changes: Option<Vec<AgentChange>>) -> (Agent, bool) {
    let mut drop_lines = false;
    for c in changes.unwrap_or_default() {
        drop_lines |= c.apply(&mut agent);
    }
    (agent, drop_lines)
}

/// The IBANs an ordonnateur approved for each agent (by a change of bank details or an entry).
pub(crate) fn approved_ibans(
    changes: &BTreeMap<String, Vec<AgentChange>>,
) -> HashSet<(String, String)> {
    changes
        .iter()
        .flat_map(|(m, list)| {
            list.iter().filter_map(move |c| match c {
                AgentChange::Bank { iban, .. } => Some((m.clone(), iban.as_str().to_owned())),
                AgentChange::Entry(a) => Some((m.clone(), a.iban.as_str().to_owned())),
                _ => None,
            })
        })
        .collect()
}

/// The lines of the agent `matricule`: those read ahead (`ahead`, then `next`) up to the next
/// matricule, agents and lines both read in matricule order.
pub(crate) fn lines_of(
    matricule: &str,
    ahead: &mut Option<PayLine>,
    mut next: impl FnMut() -> Result<Option<PayLine>, StoreError>,
) -> Result<Vec<PayLine>, StoreError> {
    let mut mine = Vec::new();
    loop {
        if ahead.is_none() {
            *ahead = next()?;
        }
        match ahead {
            Some(l) if l.matricule.as_str() < matricule => *ahead = None,
            Some(l) if l.matricule == matricule => mine.extend(ahead.take()),
            _ => break,
        }
    }
    Ok(mine)
}

/// The agents not in `agents.csv`, entered by an approved change (what is left of `changes`
/// once the file's agents took theirs), their changes applied: paid their net alone.
pub(crate) fn entered(changes: BTreeMap<String, Vec<AgentChange>>) -> Vec<Agent> {
    let mut out = Vec::new();
    for (_, list) in changes {
        let Some(first) = list.iter().find_map(|c| match c {
            AgentChange::Entry(a) => Some((**a).clone()),
            _ => None,
        }) else {
            continue;
        };
        out.push(changed(first, Some(list)).0);
    }
    out
}

/// The agents' pending bank changes (matricule, latest request) and the IBAN each was last
/// paid to by a validated payroll, the runs in order so the last one wins.
pub(crate) const BANK_PENDING: &str = "SELECT matricule, max(id) FROM payroll_changes
     WHERE kind = 'rib' AND decided_by IS NULL GROUP BY matricule";

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
        let mut stmt = tx.prepare(BANK_PENDING)?;
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
    let mut w = AgentWriter {
        decider: Decider {
            req,
            claimed,
            bank_pending,
            last_paid,
            approved_ibans: approved_ibans(&changes),
        },
        run,
        month,
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
    let mut agents = tx.prepare(AGENTS)?;
    let mut lines = tx.prepare(LINES)?;
    let mut line_rows = lines.query([])?;
    let mut ahead: Option<PayLine> = None;
    let mut rows = agents.query([])?;
    while let Some(r) = rows.next()? {
        let agent = agent_of(r)?;
        let mine = lines_of(&agent.matricule, &mut ahead, || {
            line_rows.next()?.map(line_of).transpose()
        })?;
        let own = changes.remove(&agent.matricule);
        let (agent, drop_lines) = changed(agent, own);
        w.agent(&agent, if drop_lines { &[] } else { &mine }, tally)?;
    }
    for agent in entered(changes) {
        w.agent(&agent, &[], tally)?;
    }
    Ok(())
}

/// What is kept with a prepared payroll run, once its agents are all decided.
pub(crate) struct Conclusion {
    /// Each mandat: its number in the run, key and totals (JSON).
    pub(crate) mandates: Vec<(i64, MandateKey, String)>,
    /// The run's summary and totals (`runs`), the payroll's summary (`payroll_runs`).
    pub(crate) summary: String,
    pub(crate) totals: String,
    pub(crate) payroll: String,
    /// The `run_prepare` journal entry's payload.
    pub(crate) journal: serde_json::Value,
}

/// The mandats, totals and summaries of the run `id` that `tally` adds up.
pub(crate) fn conclude(
    req: &PreparePayroll<'_>,
    id: RunId,
    mut tally: Tally,
) -> Result<Conclusion, StoreError> {
    let run = id.to_string();
    let mut mandates = Vec::new();
    let mut lines = 0;
    for (n, (key, m)) in tally.mandates.mandates.iter().enumerate() {
        let n = i64::try_from(n + 1).map_err(|_| StoreError::Corrupt("mandat number".into()))?;
        mandates.push((n, key.clone(), json(m)?));
        lines += m.lines();
    }
    let total = tally
        .mandates
        .total()
        .ok_or_else(|| StoreError::Corrupt("payroll total beyond any budget".into()))?;
    let count = tally.mandates.mandates.len() as u64;
    tally.summary.shared_ibans = std::mem::take(&mut tally.ibans)
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .collect();
    let group = GroupTotal {
        mandates: count,
        total,
    };
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
        mandates: count,
        total,
        change_threshold: req.run_params.change_threshold,
    });
    let s = &tally.summary;
    Ok(Conclusion {
        journal: json!({
            "run": run,
            "kind": "paie",
            "month": req.month.to_string(),
            "agents": s.agents,
            "excluded": s.excluded,
            "net_only": s.net_only,
            "mandates": count,
            "lines": lines,
            "total_cents": total.0,
            "net_cents": s.net.0,
            "deferred_cents": s.deferred.0,
        }),
        mandates,
        summary: json(&summary)?,
        totals: json(&totals)?,
        payroll: json(s)?,
    })
}

/// The mandats, totals and summaries kept with the run, and its journal entry.
fn record(
    tx: &Connection,
    req: &PreparePayroll<'_>,
    id: RunId,
    tally: Tally,
) -> Result<(), RunStoreError> {
    let run = id.to_string();
    let c = conclude(req, id, tally)?;
    let mut insert = tx.prepare(
        "INSERT INTO payroll_mandates (run_id, n, account, function, totals)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (n, key, totals) in &c.mandates {
        insert.execute(params![run, n, key.account, key.function, totals])?;
    }
    tx.execute(
        "UPDATE runs SET summary = ?2, totals = ?3 WHERE id = ?1",
        params![run, c.summary, c.totals],
    )?;
    tx.execute(
        "INSERT INTO payroll_runs (run_id, summary) VALUES (?1, ?2)",
        params![run, c.payroll],
    )?;
    journal::append(tx, req.actor, "run_prepare", &c.journal)?;
    Ok(())
}
