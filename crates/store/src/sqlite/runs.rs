//! Payment runs in SQLite (see [`crate::runs`] for the invariants the schema enforces).
//!
//! `prepare` works in two passes inside one transaction, and holds one right at a time
//! (first, the history's payments of the month are copied to `run_claims`, see migration 13):
//! 1. the rights are read in key order (so that their history, their claims and the claims it
//!    inserts are all sequential in their b-trees); each is excluded with its reason, or
//!    claimed (`run_claims`) and its line given to external sorts ([`crate::sort`], memory
//!    bounded, the rest in unnamed temporary files): mandated lines by payee, pay date and
//!    right; the CAF's (RSA) by dossier and right; every line by person and benefit;
//! 2. the CAF's lines are written in their order, then the mandated lines, mandates and their
//!    lines numbered on the way (one mandate per payee and pay date, lines in right order),
//!    each payee copied to `run_payees` at its first line. Lines are kept in blocks of 1,000
//!    (`run_line_blocks`, compressed JSON, see [`super::blocks`]), not a row each.
//!
//! Totals and the lists of the control report are computed in the same transaction and kept
//! with the run: the totals per benefit, imputation, payee kind and the number of mandates as
//! the two passes go, the rest by queries.

use super::blocks::{self, Block, BlockEncoder, BlockWriter, LineOut};
use super::person_guard::{self, PersonGuard};
use super::rights;
use super::{SqliteStore, ibans, journal, numbering, queries, users};
use crate::StoreError;
use crate::rejected::{self, Unpayable};
use crate::runs::{
    BenefitParams, CAF_PAYEE, CafParams, Each, GroupTotal, MANDATES_PER_BORDEREAU,
    MAX_NAMED_RIGHTS, PrepareRun, Prepared, RenewalOutcome, RunLine, RunParams, RunPayee,
    RunRecord, RunStore, RunStoreError, RunTotals,
};
use crate::sort::{self, ExternalSort};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::journal::Entry;
use relais_core::month_guard;
use relais_core::payment::{self, RightTerms};
use relais_core::records::{Benefit, LegalForm, PayeeKind, RightStatus};
use relais_core::roles::Role;
use relais_core::run::{
    AmountChange, Anomaly, AnomalyKind, BenefitTotals, CafAdvance, ExcludedRight, ImputationTotals,
    KindTotals, RenewalPolicy, RunId, RunStatus, RunSummary, imputation_account,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc;

pub(super) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

pub(super) fn date(what: &str, value: &str) -> Result<Date, StoreError> {
    value.parse().map_err(|_| corrupt(what, value))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn benefit(value: &str) -> Result<Benefit, StoreError> {
    Benefit::parse(value).ok_or_else(|| corrupt("benefit", value))
}

fn authorize(conn: &Connection, actor: &str, roles: &[Role]) -> Result<(), StoreError> {
    users::require_any(conn, actor, roles)
}

fn benefits_text(benefits: &[Benefit]) -> String {
    let mut codes: Vec<&str> = benefits.iter().map(|b| b.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes.join(",")
}

// ---------------------------------------------------------------------------------------------
// Preparing

/// Why a right is not paid by this run, beyond [`payment::Exclusion`].
fn exclusion_label(code: &str) -> &'static str {
    match code {
        "already_paid" => "déjà payé pour ce mois (historique importé)",
        "already_in_run" => "déjà dans un autre paiement de ce mois",
        "already_paid_other_right" => {
            "prestation déjà payée ce mois à la personne sous un autre droit"
        }
        "zero_amount" => "montant nul pour le mois",
        "bank_change_unapproved" => {
            "coordonnées bancaires modifiées récemment, non approuvées (relais bank approve)"
        }
        "no_imputation" => "prestation sans imputation dans les paramètres",
        _ => "",
    }
}

/// One right read for preparation, its texts borrowed from the row (no allocation: two
/// million rights a run).
struct Candidate<'r> {
    right_id: &'r str,
    dossier: &'r str,
    nir: Option<&'r str>,
    civility: Option<&'static str>,
    last_name: &'r str,
    first_name: &'r str,
    benefit: Benefit,
    terms: RightTerms,
    imputation: Option<&'r str>,
    death: Option<Date>,
    payee_id: &'r str,
    payee_kind: PayeeKind,
    payee_name: &'r str,
    iban_changed_on: Option<Date>,
    paid_in_history: bool,
    claimed_by: Option<&'r str>,
    paid_before: bool,
    /// The payee's IBAN now: an approval of a recent change is for that IBAN.
    iban: &'r str,
}

/// Column `i` as text, borrowed from the row (no allocation).
fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    Ok(row.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
}

/// Column `i` of a right read (see [`CANDIDATES`]) as text.
fn col_text<'r>(cols: &[ValueRef<'r>], i: usize) -> Result<&'r str, StoreError> {
    col_text_or_null(cols, i)?.ok_or_else(|| corrupt("right", "NULL"))
}

fn col_text_or_null<'r>(cols: &[ValueRef<'r>], i: usize) -> Result<Option<&'r str>, StoreError> {
    match cols.get(i) {
        Some(ValueRef::Null) => Ok(None),
        Some(ValueRef::Text(t)) => std::str::from_utf8(t)
            .map(Some)
            .map_err(|_| corrupt("right", "not UTF-8")),
        _ => Err(corrupt("right", "not text")),
    }
}

fn col_int_or_null(cols: &[ValueRef<'_>], i: usize) -> Result<Option<i64>, StoreError> {
    match cols.get(i) {
        Some(ValueRef::Null) => Ok(None),
        Some(ValueRef::Integer(n)) => Ok(Some(*n)),
        _ => Err(corrupt("right", "not an integer")),
    }
}

fn candidate<'r>(cols: &[ValueRef<'r>]) -> Result<Candidate<'r>, StoreError> {
    let status = col_text(cols, 6)?;
    let kind = col_text(cols, 13)?;
    let benefit = benefit(col_text(cols, 2)?)?;
    let terms = RightTerms {
        benefit,
        monthly_amount: Cents(
            col_int_or_null(cols, 3)?.ok_or_else(|| corrupt("monthly amount", "NULL"))?,
        ),
        start: date("start_date", col_text(cols, 4)?)?,
        end: date("end_date", col_text(cols, 5)?)?,
        status: RightStatus::parse(status).ok_or_else(|| corrupt("status", status))?,
    };
    let death = col_text_or_null(cols, 12)?;
    let changed = col_text_or_null(cols, 15)?;
    // History: NULL when the right was never paid, else whether it was paid this month.
    let history: Option<bool> = col_int_or_null(cols, 18)?.map(|n| n != 0);
    // Claims: NULL when the right was never claimed, else the run that claimed this month
    // ('' when none did).
    let claim = col_text_or_null(cols, 19)?;
    let nir = col_text_or_null(cols, 9)?;
    Ok(Candidate {
        right_id: col_text(cols, 0)?,
        dossier: col_text(cols, 1)?,
        benefit,
        terms,
        imputation: col_text_or_null(cols, 8)?,
        nir,
        // The extract's civility, else the one the NIR's first digit tells.
        civility: col_text_or_null(cols, 17)?
            .and_then(relais_core::records::civility)
            .or_else(|| {
                nir.and_then(|n| relais_core::ids::Nir::parse(n).ok())
                    .map(|n| n.civility())
            }),
        last_name: col_text(cols, 10)?,
        first_name: col_text(cols, 11)?,
        death: death.map(|d| date("death_date", d)).transpose()?,
        payee_id: col_text(cols, 7)?,
        payee_kind: PayeeKind::parse(kind).ok_or_else(|| corrupt("payee kind", kind))?,
        payee_name: col_text(cols, 14)?,
        iban_changed_on: changed.map(|d| date("iban_changed_on", d)).transpose()?,
        paid_in_history: history == Some(true),
        claimed_by: claim.filter(|run| !run.is_empty()),
        paid_before: history.is_some() || claim.is_some(),
        iban: col_text(cols, 16)?,
    })
}

/// Lines and total of an imputation, by function code.
type PerFunction = BTreeMap<String, (u64, Cents)>;

/// `map[key]`, inserted with its default when absent; found by `&str`, so that a key is
/// allocated once, not for every line that adds to it.
fn slot<'m, V: Default>(
    map: &'m mut BTreeMap<String, V>,
    key: &str,
) -> Result<&'m mut V, StoreError> {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).ok_or_else(|| corrupt("imputation", key))
}

/// What `prepare` counts as it goes.
#[derive(Default)]
struct Tally {
    lines: u64,
    mandates: u32,
    total: Cents,
    per_benefit: BTreeMap<Benefit, (u64, Cents, u64)>, // lines, total, payees
    per_kind: BTreeMap<PayeeKind, (u64, u64, Cents)>,  // mandates, lines, total
    /// Benefit → account → function → lines, total (nested, so that a line finds its entry
    /// by `&str` without allocating a key).
    per_imputation: BTreeMap<Benefit, BTreeMap<String, PerFunction>>,
    excluded: BTreeMap<String, u64>,
    anomalies: BTreeMap<AnomalyKind, u64>,
    caf_rights: u64,
    caf_total: Cents,
    /// The RSA mandated to the CAF, when it is.
    caf_mandate: Option<CafAdvance>,
    /// Per pay date and bordereau, for the files' headers (see [`RunStore::run_totals`]).
    totals: RunTotals,
    exclusion_n: u64,
    anomaly_n: u64,
}

struct Writer<'c> {
    claim: rusqlite::Statement<'c>,
    /// Mandated lines, to be read back in mandate order (see [`mandate_order`]).
    accepted: ExternalSort,
    /// RSA lines (the CAF pays them: no mandate to number), to be read back by dossier and
    /// right (see [`first_two_fields`]), each its key and its line in JSON.
    caf: ExternalSort,
    /// Every line paid, by person and benefit (see [`first_two_fields`]), for the comparison
    /// with the previous month.
    people: ExternalSort,
    exclusion: rusqlite::Statement<'c>,
    anomaly: rusqlite::Statement<'c>,
    run: String,
    dates: DateTexts,
    tally: Tally,
}

/// Dates as the store writes them, made once rather than for each of two million lines: the
/// month's first and last days (most rights cover the whole month) and the pay dates.
struct DateTexts(Vec<(Date, String)>);

impl DateTexts {
    fn new(month: Month, params: &RunParams) -> DateTexts {
        let mut known = vec![month.first_day(), month.last_day()];
        known.extend(params.benefits.values().map(|b| b.pay_date));
        DateTexts(known.into_iter().map(|d| (d, d.to_string())).collect())
    }

    fn text(&self, day: Date) -> std::borrow::Cow<'_, str> {
        match self.0.iter().find(|(d, _)| *d == day) {
            Some((_, text)) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(day.to_string()),
        }
    }
}

/// A right the run pays: its amount this month and where it is imputed.
struct Accepted<'a> {
    c: &'a Candidate<'a>,
    amount: Cents,
    params: &'a BenefitParams,
    account: &'a str,
    function: &'a str,
    covered: (Date, Date),
}

impl Writer<'_> {
    fn exclude(&mut self, e: &ExcludedRight) -> Result<(), StoreError> {
        self.tally.exclusion_n += 1;
        *self.tally.excluded.entry(e.reason.clone()).or_default() += 1;
        self.exclusion.execute(params![
            self.run,
            self.tally.exclusion_n as i64,
            e.right_id,
            e.dossier,
            e.name,
            e.benefit.map(|b| b.code()),
            e.reason,
            e.reason_fr,
            e.amount.map(|a| a.0)
        ])?;
        Ok(())
    }

    fn anomaly(
        &mut self,
        a: &Accepted<'_>,
        kind: AnomalyKind,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.tally.anomaly_n += 1;
        *self.tally.anomalies.entry(kind).or_default() += 1;
        self.anomaly.execute(params![
            self.run,
            self.tally.anomaly_n as i64,
            kind.code(),
            a.c.right_id,
            a.c.dossier,
            a.c.payee_id,
            a.c.payee_name,
            a.c.benefit.code(),
            a.amount.0,
            detail
        ])?;
        Ok(())
    }

    /// Claims the right for the month (the store refuses a second claim, or one the history
    /// already paid) and keeps its line for the second pass.
    fn accept(&mut self, a: &Accepted<'_>) -> Result<(), StoreError> {
        let c = a.c;
        let (pay_date, first_day, last_day) = (
            self.dates.text(a.params.pay_date),
            self.dates.text(a.covered.0),
            self.dates.text(a.covered.1),
        );
        let (pay_date, first_day, last_day) = (&*pay_date, &*first_day, &*last_day);
        // The month and the run are bound once (see `prepare`): two million claims.
        self.claim.raw_bind_parameter(1, c.right_id)?;
        self.claim.raw_bind_parameter(4, a.amount.0)?;
        self.claim.raw_bind_parameter(5, pay_date)?;
        self.claim.raw_bind_parameter(6, c.dossier)?;
        self.claim.raw_bind_parameter(7, c.benefit.code())?;
        self.claim.raw_execute()?;
        let amount = a.amount.0.to_le_bytes();
        self.people.push(|r| {
            for field in [c.dossier, c.benefit.code(), c.last_name, c.first_name] {
                sort::put(r, field.as_bytes())?;
            }
            sort::put(r, &amount)
        })?;
        let t = &mut self.tally;
        if c.benefit == Benefit::Rsa {
            // The NIR only travels for the CAF's hand-off file.
            let line = LineOut(
                c.payee_id,
                pay_date,
                c.right_id,
                c.dossier,
                c.nir,
                c.last_name,
                c.first_name,
                c.benefit.code(),
                a.amount.0,
                first_day,
                last_day,
                a.account,
                a.function,
                None,
                None,
                c.civility,
            );
            let json = serde_json::to_vec(&line).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            self.caf.push(|r| {
                sort::put(r, c.dossier.as_bytes())?;
                sort::put(r, c.right_id.as_bytes())?;
                sort::put(r, &json)
            })?;
            t.caf_rights += 1;
            t.caf_total = Cents(t.caf_total.0.saturating_add(a.amount.0));
            return Ok(());
        }
        let kind = c.payee_kind.code();
        // A guardian is paid one mandate (one transfer) per protected person: Code civil
        // art. 427 wants each protected person's money on an account in their name.
        let person = if c.payee_kind == PayeeKind::Tuteur {
            c.dossier
        } else {
            ""
        };
        self.accepted.push(|r| {
            for field in [
                c.payee_id,
                pay_date,
                c.benefit.code(),
                a.account,
                a.function,
                person,
                c.right_id,
                c.dossier,
                c.last_name,
                c.first_name,
            ] {
                sort::put(r, field.as_bytes())?;
            }
            sort::put(r, &amount)?;
            for field in [first_day, last_day, kind, c.civility.unwrap_or("")] {
                sort::put(r, field.as_bytes())?;
            }
            Ok(())
        })?;
        t.lines += 1;
        t.total = Cents(t.total.0.saturating_add(a.amount.0));
        let b = t.per_benefit.entry(c.benefit).or_default();
        b.0 += 1;
        b.1 = Cents(b.1.0.saturating_add(a.amount.0));
        let accounts = t.per_imputation.entry(c.benefit).or_default();
        let i = slot(slot(accounts, a.account)?, a.function)?;
        i.0 += 1;
        i.1 = Cents(i.1.0.saturating_add(a.amount.0));
        Ok(())
    }
}

/// Memory the sort of mandated lines keeps before it writes to temporary files (~100,000
/// lines): the rest of a national run waits on disk, so memory does not grow with the run.
const SORT_MEMORY: usize = 16 << 20;

/// The order of the second pass: by payee, so that each payee is copied to `run_payees`
/// once, when its first line comes; then by pay date and right (the first three fields of a
/// sorted line, compared as bytes like SQLite's `BINARY` collation). Mandates are numbered
/// from 1 over the run in that order (payee, then pay date), lines from 1 within their
/// mandate (right order), so mandated lines are written in mandate order. (RSA lines, handed
/// to the CAF, have no mandate: they are sorted apart, by dossier.)
fn mandate_order(a: &[u8], b: &[u8]) -> Ordering {
    sort::fields(a)
        .take(MANDATE_KEY + 1)
        .cmp(sort::fields(b).take(MANDATE_KEY + 1))
}

/// The fields of a sorted line that make its mandate, after the payee: pay date, benefit,
/// account, function, and the protected person for a guardian. One mandate carries one
/// benefit on one imputation (its `Obj` names it), as the accountant checks it.
const MANDATE_KEY: usize = 5;

/// A mandated line as the first pass sorted it (see [`Writer::accept`]).
struct SortedLine<'a> {
    payee_id: &'a str,
    pay_date: &'a str,
    /// The protected person, for a guardian's line (else empty).
    person: &'a str,
    right_id: &'a str,
    dossier: &'a str,
    last_name: &'a str,
    first_name: &'a str,
    benefit: &'a str,
    amount: i64,
    first_day: &'a str,
    last_day: &'a str,
    account: &'a str,
    function: &'a str,
    payee_kind: &'a str,
    civility: Option<&'a str>,
}

impl<'a> SortedLine<'a> {
    fn decode(record: &'a [u8]) -> Result<SortedLine<'a>, StoreError> {
        let f = &mut sort::fields(record);
        let mut text = || f.text().ok_or_else(|| corrupt("sorted line", "text"));
        let (payee_id, pay_date, benefit, account, function, person) =
            (text()?, text()?, text()?, text()?, text()?, text()?);
        let (right_id, dossier, last_name, first_name) = (text()?, text()?, text()?, text()?);
        let amount = f.int().ok_or_else(|| corrupt("sorted line", "amount"))?;
        let mut text = || f.text().ok_or_else(|| corrupt("sorted line", "text"));
        let (first_day, last_day, payee_kind, civility) = (text()?, text()?, text()?, text()?);
        Ok(SortedLine {
            payee_id,
            pay_date,
            person,
            right_id,
            dossier,
            last_name,
            first_name,
            benefit,
            amount,
            first_day,
            last_day,
            account,
            function,
            payee_kind,
            civility: Some(civility).filter(|c| !c.is_empty()),
        })
    }
}

impl SortedLine<'_> {
    /// The fields that make its mandate, after the payee (see [`MANDATE_KEY`]).
    fn mandate_key(&self) -> [&str; MANDATE_KEY] {
        [
            self.pay_date,
            self.benefit,
            self.account,
            self.function,
            self.person,
        ]
    }

    fn same_mandate(&self, key: &[String; MANDATE_KEY]) -> bool {
        key.iter().zip(self.mandate_key()).all(|(a, b)| a == b)
    }
}

/// By the first two fields: the CAF's lines by dossier and right, the order of its hand-off
/// file (a sorted CAF line is its dossier, its right and the line in JSON); all lines by
/// person and benefit (dossier, benefit, last and first name, amount).
fn first_two_fields(a: &[u8], b: &[u8]) -> Ordering {
    sort::fields(a).take(2).cmp(sort::fields(b).take(2))
}

/// Writes the CAF's lines, sorted, as blocks.
fn write_caf_lines(
    conn: &Connection,
    run: &str,
    mut sorted: sort::Sorted,
) -> Result<(), StoreError> {
    let mut blocks = BlockWriter::new(conn, run, true)?;
    while let Some(record) = sorted.next()? {
        let json = sort::fields(record)
            .nth(2)
            .ok_or_else(|| corrupt("sorted CAF line", "missing line"))?;
        blocks.push_json(json)?;
    }
    blocks.finish()
}

/// A payee of the run, with its bank details as read now.
const INSERT_PAYEE: &str = "
INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder, address,
    postal_code, city, legal_form)
SELECT ?1, p.id, p.kind, p.name, p.siret, p.iban, p.bic, p.holder, p.address, p.postal_code,
    p.city, p.legal_form
FROM payees p WHERE p.id = ?2";

/// What numbering the mandates hands to the thread that writes them, in order.
enum Numbered {
    /// A payee's first line comes: copy it to `run_payees`.
    Payee(String),
    /// A full block of lines.
    Block(Block),
    /// The CAF, payee of the RSA's mandate: copied to `run_payees` from the run's settings.
    Caf,
}

/// The RSA's mandate to the CAF, last of the run's mandates: one line of the month.
struct CafMandate<'a> {
    params: &'a CafParams,
    amount: Cents,
    pay_date: String,
    first_day: String,
    last_day: String,
    account: String,
    function: String,
}

/// The CAF's mandate of a run of `req` (RSA among `benefits`, the CAF in the settings): the
/// CAF's statement of the month when imported, else the latest statement before it, else
/// what the run's RSA rights add up to — the last two labelled as an advance.
fn caf_mandate<'a>(
    conn: &Connection,
    req: &'a PrepareRun<'_>,
    benefits: &[Benefit],
    t: &mut Tally,
) -> Result<Option<CafMandate<'a>>, StoreError> {
    let (Some(params), Some(rsa)) = (
        req.params.caf.as_ref(),
        req.params.benefits.get(&Benefit::Rsa),
    ) else {
        return Ok(None);
    };
    if !benefits.contains(&Benefit::Rsa) {
        return Ok(None);
    }
    let month = req.month.to_string();
    let own: Option<i64> = conn
        .query_row(
            "SELECT total_cents FROM caf_statements WHERE month = ?1",
            [&month],
            |r| r.get(0),
        )
        .optional()?;
    let before: Option<(String, i64)> = conn
        .query_row(
            "SELECT month, total_cents FROM caf_statements WHERE month < ?1
             ORDER BY month DESC LIMIT 1",
            [&month],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let advance = match (own, before) {
        (Some(total), _) => CafAdvance {
            amount: Cents(total),
            from_statement: true,
            basis: format!("relevé CAF de {month}"),
        },
        (None, Some((m, total))) => CafAdvance {
            amount: Cents(total),
            from_statement: false,
            basis: format!("avance : relevé CAF de {m} (celui de {month} n'est pas importé)"),
        },
        (None, None) => CafAdvance {
            amount: t.caf_total,
            from_statement: false,
            basis: "avance : droits RSA de la copie (aucun relevé CAF importé)".to_owned(),
        },
    };
    if advance.amount.0 <= 0 {
        return Ok(None);
    }
    let (account, function) = rsa.imputation(PayeeKind::Caf);
    let line = CafMandate {
        params,
        amount: advance.amount,
        pay_date: rsa.pay_date.to_string(),
        first_day: req.month.first_day().to_string(),
        last_day: req.month.last_day().to_string(),
        account: account.to_owned(),
        function: function.to_owned(),
    };
    t.total = t
        .total
        .checked_add(advance.amount)
        .ok_or_else(|| corrupt("run total", "overflow"))?;
    let accounts = t.per_imputation.entry(Benefit::Rsa).or_default();
    let i = slot(slot(accounts, account)?, function)?;
    i.1 = Cents(i.1.0.saturating_add(advance.amount.0));
    t.caf_mandate = Some(advance);
    Ok(Some(line))
}

/// The CAF as the run's payee.
const INSERT_CAF: &str = "
INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder, address,
    postal_code, city)
VALUES (?1, ?2, 'caf', ?3, ?4, ?5, ?6, ?3, ?7, ?8, ?9)";

/// Writes the mandated lines' blocks and `run_payees` from the accepted lines, sorted (see
/// [`mandate_order`]): the lines are numbered and encoded on another thread ([`number`])
/// while this one writes what comes out, in order.
fn number_mandates(
    conn: &Connection,
    run: &str,
    sorted: sort::Sorted,
    t: &mut Tally,
    caf: Option<&CafMandate<'_>>,
) -> Result<(), StoreError> {
    let mut blocks = BlockWriter::new(conn, run, false)?;
    let mut insert_payee = conn.prepare(INSERT_PAYEE)?;
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<Numbered>(1024);
        let numbering = scope.spawn(move || {
            number(sorted, t, caf, &mut |n| {
                send.send(n)
                    .map_err(|_| corrupt("mandates", "writer stopped"))
            })
        });
        // Stopping on an error drops `receive`: the numbering's next send fails, it ends.
        for n in receive {
            match n {
                Numbered::Payee(payee) => {
                    insert_payee.execute(params![run, payee])?;
                }
                Numbered::Block(block) => blocks.write(&block)?,
                Numbered::Caf => {
                    if let Some(c) = caf {
                        let p = c.params;
                        conn.execute(
                            INSERT_CAF,
                            params![
                                run,
                                CAF_PAYEE,
                                p.name,
                                p.siret,
                                p.iban,
                                p.bic,
                                p.address,
                                p.postal_code,
                                p.city
                            ],
                        )?;
                    }
                }
            }
        }
        numbering
            .join()
            .map_err(|_| corrupt("mandates", "numbering panicked"))?
    })?;
    Ok(())
}

/// Numbers the mandates and their lines in the sorted order, counts mandates per payee kind
/// and payees per benefit, and hands each payee and each block of lines to `out`.
fn number(
    mut sorted: sort::Sorted,
    t: &mut Tally,
    caf: Option<&CafMandate<'_>>,
    out: &mut dyn FnMut(Numbered) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut blocks = BlockEncoder::default();
    let mut payee = String::new();
    let mut kind = PayeeKind::Personne;
    // The open mandate: its key (pay date, benefit, imputation, person), number and last
    // line, and its total so far.
    let mut key: [String; MANDATE_KEY] = Default::default();
    let mut mandate: Option<(u32, u32)> = None;
    let mut open: Option<(u32, Date, i64)> = None;
    // The benefits the current payee is mandated for: it counts once for each.
    let mut paid_benefits: Vec<Benefit> = Vec::new();
    fn count_payees(benefits: &mut Vec<Benefit>, t: &mut Tally) {
        for b in benefits.drain(..) {
            t.per_benefit.entry(b).or_default().2 += 1;
        }
    }
    while let Some(record) = sorted.next()? {
        let l = SortedLine::decode(record)?;
        let payee_id = l.payee_id;
        if payee_id != payee {
            count_payees(&mut paid_benefits, t);
            payee.clear();
            payee.push_str(payee_id);
            out(Numbered::Payee(payee_id.to_owned()))?;
            kind = PayeeKind::parse(l.payee_kind)
                .ok_or_else(|| corrupt("payee kind", l.payee_kind))?;
            mandate = None;
        }
        let b = benefit(l.benefit)?;
        let amount = l.amount;
        let date = l.pay_date;
        let (m, line) = match mandate {
            Some((m, line)) if l.same_mandate(&key) => (m, line + 1),
            _ => {
                t.mandates = t.mandates.saturating_add(1);
                for (to, from) in key.iter_mut().zip(l.mandate_key()) {
                    to.clear();
                    to.push_str(from);
                }
                t.per_kind.entry(kind).or_default().0 += 1;
                if let Some((m, day, total)) = open.take() {
                    add_mandate(&mut t.totals, m, day, total);
                }
                open = Some((t.mandates, self::date("pay_date", date)?, 0));
                (t.mandates, 1)
            }
        };
        if let Some((_, _, total)) = &mut open {
            *total = total.saturating_add(amount);
        }
        mandate = Some((m, line));
        let k = t.per_kind.entry(kind).or_default();
        k.1 += 1;
        k.2 = Cents(k.2.0.saturating_add(amount));
        if !paid_benefits.contains(&b) {
            paid_benefits.push(b);
        }
        let full = blocks.push(&LineOut(
            payee_id,
            date,
            l.right_id,
            l.dossier,
            None,
            l.last_name,
            l.first_name,
            l.benefit,
            amount,
            l.first_day,
            l.last_day,
            l.account,
            l.function,
            Some(m),
            Some(line),
            l.civility,
        ))?;
        if let Some(block) = full {
            out(Numbered::Block(block))?;
        }
    }
    count_payees(&mut paid_benefits, t);
    if let Some((m, day, total)) = open {
        add_mandate(&mut t.totals, m, day, total);
    }
    // The CAF's mandate comes last: one line, the month's RSA.
    if let Some(c) = caf {
        t.mandates = t.mandates.saturating_add(1);
        let k = t.per_kind.entry(PayeeKind::Caf).or_default();
        k.0 += 1;
        k.1 += 1;
        k.2 = Cents(k.2.0.saturating_add(c.amount.0));
        add_mandate(
            &mut t.totals,
            t.mandates,
            self::date("pay_date", &c.pay_date)?,
            c.amount.0,
        );
        out(Numbered::Caf)?;
        let right = "AVANCE-RSA";
        if let Some(block) = blocks.push(&LineOut(
            CAF_PAYEE,
            &c.pay_date,
            right,
            right,
            None,
            &c.params.name,
            "",
            Benefit::Rsa.code(),
            c.amount.0,
            &c.first_day,
            &c.last_day,
            &c.account,
            &c.function,
            Some(t.mandates),
            Some(1),
            None,
        ))? {
            out(Numbered::Block(block))?;
        }
    }
    match blocks.finish() {
        Some(block) => out(Numbered::Block(block)),
        None => Ok(()),
    }
}

/// The days of `month` a right covers (what the amount pays for).
fn covered_days(terms: &RightTerms, month: Month, death: Option<Date>) -> (Date, Date) {
    let first = terms.start.max(month.first_day());
    let mut last = terms.end.min(month.last_day());
    if let Some(d) = death {
        last = last.min(d);
    }
    (first, last.max(first))
}

/// Every right with what deciding on it needs, a chunk at a time (from right `?2` on, at most
/// `?3`; see [`rights::read`]), then its history and claims ([`HISTORY_BY_RIGHT`],
/// [`CLAIMS_BY_RIGHT`]).
const CANDIDATES: &str = "
SELECT r.id, r.dossier, r.benefit, r.monthly_amount, r.start_date, r.end_date, r.status,
       r.payee_id, r.imputation, b.nir, b.last_name, b.first_name, b.death_date,
       p.kind, p.name, p.iban_changed_on, p.iban, b.civility
FROM rights r
JOIN beneficiaries b ON b.dossier = r.dossier
JOIN payees p ON p.id = r.payee_id
WHERE r.id >= ?2
ORDER BY r.id LIMIT ?3";

/// Each right's imported history from right `?2` on, in right order: `max` over its rows
/// says both whether it was ever paid and whether it was for month `?1`. Read beside the
/// rights (both in key order) instead of a seek for each of two million rights: 1.5 s less
/// of the first pass.
const HISTORY_BY_RIGHT: &str = "
SELECT right_id, max(month = ?1) FROM past_payments WHERE right_id >= ?2
GROUP BY right_id ORDER BY right_id";

/// Each right's claims from right `?2` on, in right order: the run that claimed it for month
/// `?1` ('' when none did; NULL when its only claim is the history's of this month).
const CLAIMS_BY_RIGHT: &str = "
SELECT right_id, max(CASE WHEN month = ?1 THEN run_id ELSE '' END) FROM run_claims
WHERE right_id >= ?2 GROUP BY right_id ORDER BY right_id";

/// The imported history's payments of month `?1` as claims of no run (see migration 13).
const HISTORY_CLAIMS: &str = "
INSERT OR IGNORE INTO run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
SELECT h.right_id, h.month, NULL, h.amount, h.paid_on, r.dossier, r.benefit
FROM past_payments h JOIN rights r ON r.id = h.right_id WHERE h.month = ?1";

fn prepare(
    conn: &mut Connection,
    req: &PrepareRun<'_>,
    benefits: &[Benefit],
) -> Result<Prepared, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, req.actor, &[Role::Liquidation])?;
    if req.arrears.is_some_and(|r| r.trim().is_empty()) {
        return Err(RunStoreError::EmptyReason);
    }
    let current = Month::of(req.today);
    month_guard::check(
        req.month,
        current,
        history_months(&tx)?,
        req.arrears.is_some(),
    )?;
    let month_text = req.month.to_string();
    let wanted = benefits_text(benefits);
    // A run of this month still open: the same request again (a retry, or a concurrent
    // prepare that lost the race) gets it back; another request must wait for it.
    let open: Option<(String, String)> = tx
        .query_row(
            "SELECT id, benefits FROM runs WHERE month = ?1 AND status = 'prepared'",
            [&month_text],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, have)) = open {
        let id: RunId = id.parse().map_err(|_| corrupt("run id", &id))?;
        if have == wanted {
            let run = load(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
            return Ok(Prepared {
                run,
                created: false,
            });
        }
        return Err(RunStoreError::OtherRunOpen {
            month: req.month,
            run: id,
        });
    }
    let seq: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM runs WHERE month = ?1",
        [&month_text],
        |r| r.get(0),
    )?;
    let id = u16::try_from(seq)
        .ok()
        .and_then(|s| RunId::new(req.month, s))
        .ok_or(RunStoreError::TooManyRuns(req.month))?;
    let run_text = id.to_string();
    tx.execute(
        "INSERT INTO runs (id, month, seq, benefits, status, prepared_by, prepared_at, params, summary)
         VALUES (?1, ?2, ?3, ?4, 'prepared', ?5, ?6, ?7, '{}')",
        params![
            run_text,
            month_text,
            seq,
            wanted,
            req.actor,
            req.local_time,
            serde_json::to_string(&req.params).map_err(|e| StoreError::Corrupt(e.to_string()))?
        ],
    )?;

    // The history's payments of the month become claims without a run (once: a later run of
    // the month finds them there): the claims' primary key then refuses them like a second
    // run, whatever query decides which rights to pay. A history payment of a right a run
    // already claimed (a restored system handing back Relais's own payments) stays paid once.
    // Done first in the transaction, while the rights' reader starts (see below).
    // The sort's temporary files (unnamed) go beside the store, on its disk.
    let sort_dir = match tx.path().map(Path::new).and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => std::env::temp_dir(),
    };
    // The comparison with the previous month (people per benefit, changes listed).
    let compared;
    let store_file = tx.path().filter(|p| !p.is_empty()).map(Path::new);
    let tally = {
        let mut w = Writer {
            claim: tx.prepare(
                "INSERT INTO run_claims (right_id, month, run_id, amount, pay_date, dossier, benefit)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            accepted: ExternalSort::new(&sort_dir, SORT_MEMORY, mandate_order),
            caf: ExternalSort::new(&sort_dir, SORT_MEMORY, first_two_fields),
            people: ExternalSort::new(&sort_dir, SORT_MEMORY, first_two_fields),
            exclusion: tx.prepare(
                "INSERT INTO run_exclusions (run_id, n, right_id, dossier, name, benefit, reason,
                     label, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            anomaly: tx.prepare(
                "INSERT INTO run_anomalies (run_id, n, kind, right_id, dossier, payee_id,
                     payee_name, benefit, amount, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            run: run_text.clone(),
            dates: DateTexts::new(req.month, &req.params),
            tally: Tally::default(),
        };
        w.claim.raw_bind_parameter(2, &month_text)?;
        w.claim.raw_bind_parameter(3, &run_text)?;
        let bank_window_start = req
            .today
            .checked_sub(jiff::Span::new().days(i64::from(req.params.bank_change_days)))
            .unwrap_or(Date::MIN);
        let started = std::time::Instant::now();
        // Looked up only for bank details changed recently (a few rights, not two million).
        let mut approval = tx.prepare(
            "SELECT EXISTS (SELECT 1 FROM bank_approvals_current WHERE payee_id = ?1 AND iban = ?2)",
        )?;
        // A person paid this month under another right (see `person_guard`): looked up once
        // the history's claims of the month are in.
        let person: std::cell::RefCell<Option<PersonGuard<'_>>> = std::cell::RefCell::new(None);
        let mut anomalies = Vec::new();
        // Rights whose own imputation is not M57 (checked once per distinct text: a national
        // extract has a handful).
        let mut imputation_checks: HashMap<String, Option<String>> = HashMap::new();
        let mut bad_imputations: (u64, Vec<(String, String, String)>) = (0, Vec::new());
        let mut one = |cols: &[ValueRef<'_>]| -> Result<(), RunStoreError> {
            let c = candidate(cols)?;
            if !benefits.contains(&c.benefit) {
                return Ok(());
            }
            let exclude = |w: &mut Writer<'_>, code: &str, label: &str, amount| {
                w.exclude(&ExcludedRight {
                    right_id: c.right_id.to_owned(),
                    dossier: c.dossier.to_owned(),
                    name: format!("{} {}", c.last_name, c.first_name),
                    benefit: Some(c.benefit),
                    reason: code.to_owned(),
                    reason_fr: label.to_owned(),
                    amount,
                })
            };
            // What the right is worth this month, whoever pays it.
            let amount = match payment::month_amount(&c.terms, req.month, c.death) {
                Ok(a) => a,
                Err(why) => {
                    exclude(&mut w, why.code(), why.label_fr(), None)?;
                    return Ok(());
                }
            };
            if c.paid_in_history {
                exclude(
                    &mut w,
                    "already_paid",
                    exclusion_label("already_paid"),
                    Some(amount),
                )?;
                return Ok(());
            }
            if let Some(other) = c.claimed_by {
                let label = format!("{} ({other})", exclusion_label("already_in_run"));
                exclude(&mut w, "already_in_run", &label, Some(amount))?;
                return Ok(());
            }
            if let Some(guard) = person.borrow_mut().as_mut()
                && let Some(other) = guard.paid_under(c.dossier, c.benefit, c.right_id)?
            {
                let code = "already_paid_other_right";
                let label = format!(
                    "{} ({other}) ; un ordonnateur peut lever l'exclusion (relais run release)",
                    exclusion_label(code)
                );
                exclude(&mut w, code, &label, Some(amount))?;
                return Ok(());
            }
            if amount.0 <= 0 {
                exclude(&mut w, "zero_amount", exclusion_label("zero_amount"), None)?;
                return Ok(());
            }
            let Some(params) = req.params.benefits.get(&c.benefit) else {
                exclude(
                    &mut w,
                    "no_imputation",
                    exclusion_label("no_imputation"),
                    Some(amount),
                )?;
                return Ok(());
            };
            let recent = c
                .iban_changed_on
                .filter(|d| *d >= bank_window_start && *d <= req.today);
            anomalies.clear();
            if c.benefit != Benefit::Rsa {
                if let Some(changed) = recent {
                    let approved: bool =
                        approval.query_row(params![c.payee_id, c.iban], |r| r.get(0))?;
                    if !approved {
                        let label =
                            format!("{} le {changed}", exclusion_label("bank_change_unapproved"));
                        exclude(&mut w, "bank_change_unapproved", &label, Some(amount))?;
                        return Ok(());
                    }
                    anomalies.push((
                        AnomalyKind::BankChanged,
                        format!("IBAN modifié le {changed}, approuvé"),
                    ));
                }
                if params.ceiling.is_some_and(|ceiling| amount > ceiling) {
                    anomalies.push((
                        AnomalyKind::AboveCeiling,
                        format!(
                            "plafond {}",
                            params.ceiling.map(|c| c.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                if !c.paid_before {
                    anomalies.push((
                        AnomalyKind::FirstPayment,
                        format!("droit ouvert le {}", c.terms.start),
                    ));
                }
            }
            let (account, function) = params.imputation(c.payee_kind);
            // The right's own imputation wins over the settings' account, once checked
            // against the M57 chart of accounts.
            let own = c.imputation.filter(|i| !i.trim().is_empty());
            if let Some(text) = own {
                let why = imputation_checks.entry(text.to_owned()).or_insert_with(|| {
                    relais_core::settings::check_imputation(text, function)
                        .err()
                        .map(|e| e.to_string())
                });
                if let Some(why) = why {
                    bad_imputations.0 += 1;
                    if bad_imputations.1.len() < MAX_NAMED_RIGHTS {
                        bad_imputations.1.push((
                            c.right_id.to_owned(),
                            text.to_owned(),
                            why.clone(),
                        ));
                    }
                    return Ok(());
                }
            }
            let accepted = Accepted {
                c: &c,
                amount,
                params,
                account: own.and_then(imputation_account).unwrap_or(account),
                function,
                covered: covered_days(&c.terms, req.month, c.death),
            };
            w.accept(&accepted)?;
            for (kind, detail) in &anomalies {
                w.anomaly(&accepted, *kind, detail)?;
            }
            Ok(())
        };
        rights::read(
            store_file,
            &tx,
            &rights::Query {
                rows: CANDIDATES,
                beside: &[HISTORY_BY_RIGHT, CLAIMS_BY_RIGHT],
                param: &month_text,
            },
            &mut || {
                // Before any claim of this run (it scans the 5.7 M past payments of a
                // national store: a third of a second the reader does not wait for).
                tx.execute(HISTORY_CLAIMS, [&month_text])?;
                *person.borrow_mut() = PersonGuard::new(&tx, &month_text, &run_text)?;
                Ok(())
            },
            &mut one,
        )?;
        if bad_imputations.0 > 0 {
            // Nothing is kept: the transaction rolls back with its claims.
            return Err(RunStoreError::BadImputations {
                count: bad_imputations.0,
                rights: bad_imputations.1,
            });
        }
        tracing::debug!(elapsed = ?started.elapsed(), lines = w.tally.lines, "run prepare: rights read and claimed");
        let mut people = Some(w.people.finish().map_err(StoreError::from)?);
        let (month, threshold) = (req.month, req.params.change_threshold);
        let mut insert_change = tx.prepare(
            "INSERT INTO run_changes (run_id, n, dossier, name, benefit, previous, current)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut changes = 0i64;
        let mut record_change = |c: PersonGroup, before: i64| -> Result<(), StoreError> {
            changes += 1;
            insert_change.execute(params![
                run_text, changes, c.dossier, c.name, c.benefit, before, c.total
            ])?;
            Ok(())
        };
        // The comparison with the previous month runs on another thread (a read-only
        // connection, like the rights' reader) while this one writes the lines; its changes
        // come back through a bounded channel, recorded here once the lines are written.
        compared = std::thread::scope(|scope| -> Result<Comparison, RunStoreError> {
            let (send, receive) = mpsc::sync_channel::<(PersonGroup, i64)>(4096);
            let helper = match (store_file, people.take()) {
                (Some(file), Some(sorted)) => Some(scope.spawn(move || {
                    let reader = rights::open_reader(file)?;
                    compare_with_previous(&reader, sorted, month, threshold, &mut |c, before| {
                        send.send((c, before))
                            .map_err(|_| corrupt("comparison", "stopped"))
                    })
                })),
                (_, sorted) => {
                    people = sorted;
                    drop(send);
                    None
                }
            };
            let (caf, accepted) = (w.caf.finish(), w.accepted.finish());
            write_caf_lines(&tx, &run_text, caf.map_err(StoreError::from)?)?;
            let caf_piece = caf_mandate(&tx, req, benefits, &mut w.tally)?;
            number_mandates(
                &tx,
                &run_text,
                accepted.map_err(StoreError::from)?,
                &mut w.tally,
                caf_piece.as_ref(),
            )?;
            tracing::debug!(elapsed = ?started.elapsed(), "run prepare: mandates numbered, payees copied");
            rejected_rights(&tx, &mut w, req.month, benefits)?;
            tracing::debug!(elapsed = ?started.elapsed(), "run prepare: rejected rights listed");
            shared_ibans(&tx, &mut w)?;
            tracing::debug!(elapsed = ?started.elapsed(), "run prepare: shared IBANs found");
            let compared = match helper {
                Some(helper) => {
                    for (c, before) in receive {
                        record_change(c, before)?;
                    }
                    helper
                        .join()
                        .map_err(|_| corrupt("comparison", "thread panicked"))??
                }
                None => {
                    let sorted = people
                        .take()
                        .ok_or_else(|| corrupt("run", "lines by person not sorted"))?;
                    compare_with_previous(&tx, sorted, month, threshold, &mut record_change)?
                }
            };
            tracing::debug!(elapsed = ?started.elapsed(), "run prepare: compared with the previous month");
            Ok(compared)
        })?;
        w.tally
    };
    if tally.lines == 0 && tally.caf_rights == 0 {
        // Rolled back: no run, no number used.
        return Err(RunStoreError::NothingToPay(req.month));
    }
    let started = std::time::Instant::now();
    let summary = summary_of(req, &run_text, &tally, &compared)?;
    tracing::debug!(elapsed = ?started.elapsed(), "run prepare: summary made");
    tx.execute(
        "UPDATE runs SET summary = ?2, totals = ?3 WHERE id = ?1",
        params![run_text, to_json(&summary)?, to_json(&tally.totals)?],
    )?;
    journal::append(
        &tx,
        req.actor,
        "run_prepare",
        &json!({
            "run": run_text,
            "month": month_text,
            "benefits": wanted,
            "arrears": req.arrears.map(str::trim),
            "lines": summary.lines,
            "mandates": summary.mandates,
            "total_cents": summary.total.0,
            "caf_rights": summary.caf_rights,
            "caf_total_cents": summary.caf_total.0,
            "excluded": summary.excluded.iter().map(|(c, _, n)| (c.clone(), *n)).collect::<BTreeMap<_, _>>(),
        }),
    )?;
    let run = load(&tx, id)?.ok_or(RunStoreError::NotFound(id))?;
    tx.commit()?;
    tracing::debug!(elapsed = ?started.elapsed(), "run prepare: committed");
    Ok(Prepared { run, created: true })
}

/// Rights rejected at import: listed with the reason, valued as the run would have paid them.
fn rejected_rights(
    conn: &Connection,
    w: &mut Writer<'_>,
    month: Month,
    benefits: &[Benefit],
) -> Result<(), StoreError> {
    let mut payees = HashMap::new();
    queries::each_pending_row(conn, "tiers", &mut |row| {
        rejected::add_rejected_payee(&mut payees, row)
    })?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut failure: Option<StoreError> = None;
    queries::each_pending_row(conn, "droits", &mut |row| {
        if failure.is_some() {
            return;
        }
        let key = row.key.clone().unwrap_or_default();
        if !key.is_empty() && !seen.insert(key.clone()) {
            return;
        }
        let b = rejected::raw(row, "prestation").and_then(Benefit::parse);
        if b.is_some_and(|b| !benefits.contains(&b)) {
            return;
        }
        let Ok(amount) = rejected::rejected_amount(row, month) else {
            return;
        };
        let why: Unpayable = rejected::reason(row, &payees);
        let dossier = rejected::raw(row, "dossier").unwrap_or("").to_owned();
        let label = format!("{} (ligne {} de {})", why.label_fr(), row.line, row.file);
        let excluded = ExcludedRight {
            right_id: key,
            dossier,
            name: String::new(),
            benefit: b,
            reason: why.code().to_owned(),
            reason_fr: label,
            amount,
        };
        if let Err(e) = w.exclude(&excluded) {
            failure = Some(e);
        }
    })?;
    failure.map_or(Ok(()), Err)
}

/// The first and latest months paid: by the imported history, or by a validated run.
pub(super) fn history_months(
    conn: &Connection,
) -> Result<Option<month_guard::History>, StoreError> {
    let (first, latest): (Option<String>, Option<String>) = conn.query_row(
        "SELECT min(m), max(m) FROM (
             SELECT min(month) AS m FROM past_payments UNION ALL SELECT max(month) FROM past_payments
             UNION ALL SELECT min(month) FROM runs WHERE status = 'validated'
             UNION ALL SELECT max(month) FROM runs WHERE status = 'validated')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let month = |m: &str| Month::parse(m).map_err(|_| corrupt("month", m));
    Ok(match (first, latest) {
        (Some(f), Some(l)) => Some(month_guard::History {
            first: month(&f)?,
            latest: month(&l)?,
        }),
        _ => None,
    })
}

/// The accounts to review (see [`ibans::flagged`]), each an anomaly on its payee's first line.
fn shared_ibans(conn: &Connection, w: &mut Writer<'_>) -> Result<(), StoreError> {
    for flag in ibans::flagged(conn, &w.run)? {
        let line = &flag.line;
        w.tally.anomaly_n += 1;
        *w.tally.anomalies.entry(flag.kind).or_default() += 1;
        w.anomaly.execute(params![
            w.run,
            w.tally.anomaly_n as i64,
            flag.kind.code(),
            line.right_id,
            line.dossier,
            flag.payee_id,
            flag.payee_name,
            line.benefit.code(),
            line.amount.0,
            flag.detail
        ])?;
    }
    Ok(())
}

/// What the report compares with the previous month, from one pass over the run's lines and
/// one over the previous month's payments, both grouped by person and benefit (each a single
/// sort) and merged here.
struct Comparison {
    /// People whose monthly total for a benefit moved by more than the threshold (listed in
    /// `run_changes`).
    changes: u64,
    /// People mandated, per benefit.
    people: HashMap<Benefit, u64>,
    /// Paid the previous month per benefit, by the imported history or a validated run.
    previous: HashMap<Benefit, Cents>,
}

/// The previous month's payments by person and benefit, by the imported history or a
/// validated run (the RSA lines a run handed to the CAF included: a change is a change).
const PREVIOUS_GROUPS: &str = "
SELECT dossier, benefit, sum(amount) FROM (
    SELECT r.dossier, r.benefit, h.amount FROM past_payments h
    JOIN rights r ON r.id = h.right_id WHERE h.month = ?1
    UNION ALL
    SELECT l.value ->> 3, l.value ->> 7, l.value ->> 8
    FROM runs u JOIN run_line_blocks b ON b.run_id = u.id, json_each(run_lines_json(b.data)) l
    WHERE u.month = ?1 AND u.status = 'validated')
GROUP BY dossier, benefit ORDER BY dossier, benefit";

/// A person's lines for one benefit in this run: dossier, benefit, name, total.
struct PersonGroup {
    dossier: String,
    benefit: String,
    name: String,
    total: i64,
}

/// This run's lines grouped by person and benefit, from their sorted records.
struct PersonGroups {
    sorted: sort::Sorted,
    /// The first record of the next group, read ahead.
    ahead: Option<Vec<u8>>,
}

impl PersonGroups {
    fn next(&mut self) -> Result<Option<PersonGroup>, StoreError> {
        fn decode(record: &[u8]) -> Result<(&str, &str, String, i64), StoreError> {
            let f = &mut sort::fields(record);
            let mut text = || f.text().ok_or_else(|| corrupt("sorted person", "text"));
            let (dossier, benefit) = (text()?, text()?);
            let name = format!("{} {}", text()?, text()?);
            let amount = f.int().ok_or_else(|| corrupt("sorted person", "amount"))?;
            Ok((dossier, benefit, name, amount))
        }
        let first = match self.ahead.take() {
            Some(record) => record,
            None => match self.sorted.next()? {
                Some(record) => record.to_vec(),
                None => return Ok(None),
            },
        };
        let (dossier, benefit, name, mut total) = decode(&first)?;
        while let Some(record) = self.sorted.next()? {
            let (d, b, _, amount) = decode(record)?;
            if (d, b) != (dossier, benefit) {
                self.ahead = Some(record.to_vec());
                break;
            }
            total = total.saturating_add(amount);
        }
        Ok(Some(PersonGroup {
            dossier: dossier.to_owned(),
            benefit: benefit.to_owned(),
            name,
            total,
        }))
    }
}

/// Compares this run's lines by person and benefit (`people`) with the previous month's
/// payments read by `conn`; gives each change above `threshold` to `change`, with the
/// previous amount, in (dossier, benefit) order.
fn compare_with_previous(
    conn: &Connection,
    people: sort::Sorted,
    month: Month,
    threshold: Cents,
    change: &mut dyn FnMut(PersonGroup, i64) -> Result<(), StoreError>,
) -> Result<Comparison, StoreError> {
    let mut out = Comparison {
        changes: 0,
        people: HashMap::new(),
        previous: HashMap::new(),
    };
    let mut previous = conn.prepare(PREVIOUS_GROUPS)?;
    let mut cur = PersonGroups {
        sorted: people,
        ahead: None,
    };
    let mut prev = previous.query([month.previous().to_string()])?;
    let mut c = cur.next()?;
    let mut p = prev.next()?;
    // Both in (dossier, benefit) order, compared as bytes (as SQLite does).
    loop {
        let order = match (&c, p) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(c), Some(p)) => {
                (c.dossier.as_str(), c.benefit.as_str()).cmp(&(text(p, 0)?, text(p, 1)?))
            }
        };
        // A group of this run (its people), of the previous month (its total), or of both
        // (compared); the side(s) it came from then move on.
        if let Some(c) = c.as_ref().filter(|_| order.is_le()) {
            let b = benefit(&c.benefit)?;
            if b != Benefit::Rsa {
                *out.people.entry(b).or_default() += 1;
            }
        }
        if let Some(p) = p.filter(|_| order.is_ge()) {
            let b = benefit(text(p, 1)?)?;
            let total = out.previous.entry(b).or_insert(Cents::ZERO);
            *total = Cents(total.0.saturating_add(p.get(2)?));
        }
        let mut changed = None;
        if let (Some(c), Some(p), Ordering::Equal) = (&c, p, order) {
            let before: i64 = p.get(2)?;
            if c.total.abs_diff(before) > threshold.0.unsigned_abs() {
                changed = Some(before);
            }
        }
        if order.is_le() {
            let next = cur.next()?;
            if let (Some(before), Some(group)) = (changed, std::mem::replace(&mut c, next)) {
                out.changes += 1;
                change(group, before)?;
            }
        }
        if order.is_ge() {
            p = prev.next()?;
        }
    }
    Ok(out)
}

fn summary_of(
    req: &PrepareRun<'_>,
    run: &str,
    t: &Tally,
    compared: &Comparison,
) -> Result<RunSummary, StoreError> {
    let Comparison {
        changes,
        people,
        previous,
    } = compared;
    let changes = *changes;
    let benefits = t
        .per_benefit
        .iter()
        .map(|(b, (lines, total, payees))| BenefitTotals {
            benefit: *b,
            rights: *lines,
            people: people.get(b).copied().unwrap_or(0),
            payees: *payees,
            total: *total,
            previous_total: previous.get(b).copied(),
            pay_date: req
                .params
                .benefits
                .get(b)
                .map(|p| p.pay_date)
                .unwrap_or(req.month.first_day()),
            pay_date_note: req
                .params
                .benefits
                .get(b)
                .and_then(|p| p.pay_date_note.clone()),
        })
        .collect();
    let mut excluded: Vec<(String, String, u64)> = t
        .excluded
        .iter()
        .map(|(code, n)| (code.clone(), reason_label(code).to_owned(), *n))
        .collect();
    excluded.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut anomalies: Vec<(String, String, u64)> = t
        .anomalies
        .iter()
        .map(|(k, n)| (k.code().to_owned(), k.label_fr().to_owned(), *n))
        .collect();
    if changes > 0 {
        anomalies.push((
            "amount_changed".into(),
            "montant changé de plus du seuil par rapport au mois précédent".into(),
            changes,
        ));
    }
    Ok(RunSummary {
        authority: req.authority.to_owned(),
        run: run.to_owned(),
        month: req.month,
        status: RunStatus::Prepared,
        prepared_by: req.actor.to_owned(),
        prepared_at: req.local_time.clone(),
        validated_by: None,
        validated_at: None,
        cancelled_by: None,
        benefits,
        kinds: t
            .per_kind
            .iter()
            .map(|(k, (mandates, lines, total))| KindTotals {
                kind: *k,
                mandates: *mandates,
                lines: *lines,
                total: *total,
            })
            .collect(),
        imputations: t
            .per_imputation
            .iter()
            .flat_map(|(b, accounts)| {
                accounts.iter().flat_map(move |(account, functions)| {
                    functions
                        .iter()
                        .map(move |(function, (lines, total))| ImputationTotals {
                            benefit: *b,
                            account: account.clone(),
                            function: function.clone(),
                            lines: *lines,
                            total: *total,
                        })
                })
            })
            .collect(),
        lines: t.lines,
        mandates: u64::from(t.mandates),
        total: t.total,
        excluded,
        anomalies,
        change_threshold: req.params.change_threshold,
        caf_rights: t.caf_rights,
        caf_total: t.caf_total,
        caf_mandate: t.caf_mandate.clone(),
        bordereaux: Vec::new(),
    })
}

/// The French label of an exclusion code, whichever list it comes from.
fn reason_label(code: &str) -> &'static str {
    if let Some(e) = payment::Exclusion::ALL.iter().find(|e| e.code() == code) {
        return e.label_fr();
    }
    for u in [
        Unpayable::Expired,
        Unpayable::InvalidIban,
        Unpayable::PayeeRejected,
        Unpayable::PersonRejected,
        Unpayable::RightRejected,
    ] {
        if u.code() == code {
            return u.label_fr();
        }
    }
    exclusion_label(code)
}

// ---------------------------------------------------------------------------------------------
// Reading

fn load(conn: &Connection, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
    let row = conn
        .query_row(
            "SELECT status, benefits, params, summary, validated_by, validated_at, cancelled_by,
                    exercice, bordereau, first_mandate, cumul_before
             FROM runs WHERE id = ?1",
            [id.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, Option<i64>>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                ))
            },
        )
        .optional()?;
    let Some((
        status,
        benefits,
        params,
        summary,
        vby,
        vat,
        cby,
        exercice,
        bordereau,
        first_mandate,
        cumul_before,
    )) = row
    else {
        return Ok(None);
    };
    let status = RunStatus::parse(&status).ok_or_else(|| corrupt("run status", &status))?;
    let benefits = benefits
        .split(',')
        .filter(|s| !s.is_empty())
        .map(benefit)
        .collect::<Result<Vec<_>, _>>()?;
    let params: RunParams =
        serde_json::from_str(&params).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut summary: RunSummary = serde_json::from_value(
        serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    )
    .map_err(|e: serde_json::Error| StoreError::Corrupt(e.to_string()))?;
    summary.status = status;
    summary.validated_by = vby;
    summary.validated_at = vat;
    summary.cancelled_by = cby;
    let bordereau = match (exercice, bordereau) {
        (Some(e), Some(b)) => Some((
            i16::try_from(e).map_err(|_| corrupt("exercice", &e.to_string()))?,
            u32::try_from(b).map_err(|_| corrupt("bordereau", &b.to_string()))?,
        )),
        _ => None,
    };
    summary.bordereaux = match bordereau {
        Some((e, first)) => (0..bordereau_count(summary.mandates))
            .map(|i| {
                (
                    e,
                    first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Some(RunRecord {
        id,
        status,
        benefits,
        params,
        summary,
        bordereau,
        first_mandate: first_mandate
            .map(|m| u32::try_from(m).map_err(|_| corrupt("first mandate", &m.to_string())))
            .transpose()?,
        cumul_before: cumul_before.map(Cents),
    }))
}

/// How many bordereaux `mandates` need (at least one).
fn bordereau_count(mandates: u64) -> i64 {
    let per = u64::from(MANDATES_PER_BORDEREAU);
    i64::try_from(mandates.div_ceil(per).max(1)).unwrap_or(i64::MAX)
}

fn run_or_not_found(conn: &Connection, id: RunId) -> Result<RunRecord, RunStoreError> {
    load(conn, id)?.ok_or(RunStoreError::NotFound(id))
}

fn validate(
    conn: &mut Connection,
    id: RunId,
    actor: &str,
    local_time: &str,
) -> Result<RunRecord, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Ordonnateur])?;
    let run = run_or_not_found(&tx, id)?;
    match run.status {
        RunStatus::Validated if run.summary.validated_by.as_deref() == Some(actor) => {
            return Ok(run);
        }
        RunStatus::Prepared => {}
        status => {
            return Err(RunStoreError::WrongStatus {
                run: id,
                status,
                what: "validation",
            });
        }
    }
    if run.summary.prepared_by == actor {
        return Err(RunStoreError::SamePerson(actor.to_owned()));
    }
    // The exercice is the year of the bordereau's emission (`DteBordEm`, the validation's
    // date). A month of a later exercice waits for its exercice.
    let today = date(
        "validation time",
        local_time.get(..10).unwrap_or(local_time),
    )?;
    let exercice = today.year();
    if id.month().year() > exercice {
        return Err(RunStoreError::FutureExercice {
            month: id.month(),
            from: Date::new(id.month().year(), 1, 1).unwrap_or(today),
            today,
        });
    }
    // One bordereau per 99,999 mandates; their numbers, and the mandates', taken together
    // from the exercice's numbering so that they follow the paierie's last ones.
    let count = bordereau_count(run.summary.mandates);
    let totals = totals(&tx, id)?;
    let mandated = Cents::checked_sum(totals.per_bordereau.values().map(|g| g.total))
        .ok_or_else(|| corrupt("run total", &id.to_string()))?;
    let taken = numbering::take(
        &tx,
        exercice,
        u32::try_from(count).unwrap_or(u32::MAX),
        u32::try_from(run.summary.mandates).unwrap_or(u32::MAX),
        mandated,
    )?
    .ok_or(RunStoreError::NoNumbering { exercice })?;
    let number = i64::from(taken.first_bordereau);
    let last = number + count - 1;
    tx.execute(
        "UPDATE runs SET status = 'validated', validated_by = ?2, validated_at = ?3,
             exercice = ?4, bordereau = ?5, first_mandate = ?6, cumul_before = ?7
         WHERE id = ?1",
        params![
            id.to_string(),
            actor,
            local_time,
            exercice,
            number,
            taken.first_mandate,
            taken.cumul_before.0
        ],
    )?;
    journal::append(
        &tx,
        actor,
        "run_validate",
        &json!({
            "run": id.to_string(),
            "exercice": exercice,
            "bordereaux": (number..=last).collect::<Vec<i64>>(),
            "mandats": [
                taken.first_mandate,
                u64::from(taken.first_mandate) + run.summary.mandates.saturating_sub(1)
            ],
            "cumul_annuel_avant_cents": taken.cumul_before.0,
            "cumul_annuel_cents": taken.cumul_before.0 + mandated.0,
            "lines": run.summary.lines,
            "total_cents": run.summary.total.0,
        }),
    )?;
    let run = run_or_not_found(&tx, id)?;
    tx.commit()?;
    Ok(run)
}

fn cancel(
    conn: &mut Connection,
    id: RunId,
    actor: &str,
    reason: &str,
) -> Result<RunRecord, RunStoreError> {
    if reason.trim().is_empty() {
        return Err(RunStoreError::EmptyReason);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let run = run_or_not_found(&tx, id)?;
    if run.status != RunStatus::Prepared {
        return Err(RunStoreError::WrongStatus {
            run: id,
            status: run.status,
            what: "annulation",
        });
    }
    let freed = tx.execute("DELETE FROM run_claims WHERE run_id = ?1", [id.to_string()])?;
    tx.execute(
        "UPDATE runs SET status = 'cancelled', cancelled_by = ?2, cancelled_at = ?3,
             cancel_reason = ?4
         WHERE id = ?1",
        params![id.to_string(), actor, super::now(), reason.trim()],
    )?;
    journal::append(
        &tx,
        actor,
        "run_cancel",
        &json!({ "run": id.to_string(), "reason": reason.trim(), "freed": freed }),
    )?;
    let run = run_or_not_found(&tx, id)?;
    tx.commit()?;
    Ok(run)
}

fn each_payee(conn: &Connection, id: RunId, each: Each<'_, RunPayee>) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = ?1 ORDER BY p.payee_id"
    ))?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        each(&payee_of(r, 0)?)?;
    }
    Ok(())
}

fn payee_of(r: &Row<'_>, at: usize) -> Result<RunPayee, StoreError> {
    let kind: String = r.get(at + 1)?;
    Ok(RunPayee {
        id: r.get(at)?,
        kind: PayeeKind::parse(&kind).ok_or_else(|| corrupt("payee kind", &kind))?,
        name: r.get(at + 2)?,
        siret: r.get(at + 3)?,
        iban: r.get(at + 4)?,
        bic: r.get(at + 5)?,
        holder: r.get(at + 6)?,
        address: r.get(at + 7)?,
        postal_code: r.get(at + 8)?,
        city: r.get(at + 9)?,
        legal_form: match r.get::<_, Option<String>>(at + 10)? {
            Some(code) => {
                Some(LegalForm::parse(&code).ok_or_else(|| corrupt("legal form", &code))?)
            }
            None => None,
        },
    })
}

const PAYEE_COLUMNS: &str = "p.payee_id, p.kind, p.name, p.siret, p.iban, p.bic, p.holder, p.address, p.postal_code, p.city, p.legal_form";

fn each_line(
    conn: &Connection,
    id: RunId,
    each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError> {
    let run = id.to_string();
    // Lines were written mandate after mandate, and so in payee order (mandates are numbered
    // by payee). The payees are read beside them in key order, one step when the payee
    // changes, rather than looked up for each of a million lines; a payee out of that order
    // (never written so) is looked up.
    let mut payees = conn.prepare(&format!(
        "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = ?1 ORDER BY p.payee_id"
    ))?;
    let mut lookup = conn.prepare(&format!(
        "SELECT {PAYEE_COLUMNS} FROM run_payees p WHERE p.run_id = ?1 AND p.payee_id = ?2"
    ))?;
    let mut payee_rows = payees.query([&run])?;
    let mut payee: Option<RunPayee> = None;
    // The payee read ahead, not reached yet by the lines.
    let mut ahead: Option<RunPayee> = None;
    blocks::each_line(conn, &run, false, &mut |line| {
        if payee.as_ref().is_none_or(|p| p.id != line.payee_id) {
            payee = None;
            loop {
                if ahead.is_none() {
                    ahead = payee_rows.next()?.map(|p| payee_of(p, 0)).transpose()?;
                }
                let Some(next) = &ahead else { break };
                match next.id.cmp(&line.payee_id) {
                    Ordering::Less => ahead = None,
                    Ordering::Equal => {
                        payee = ahead.take();
                        break;
                    }
                    Ordering::Greater => break,
                }
            }
            if payee.is_none() {
                payee = lookup
                    .query_row(params![run, line.payee_id], |p| Ok(payee_of(p, 0)))
                    .optional()?
                    .transpose()?;
            }
        }
        let current = payee
            .as_ref()
            .ok_or_else(|| corrupt("run payee", &line.payee_id))?;
        each(line, current)
    })
}

fn each_caf(conn: &Connection, id: RunId, each: Each<'_, RunLine>) -> Result<(), RunStoreError> {
    blocks::each_line(conn, &id.to_string(), true, each)
}

fn totals(conn: &Connection, id: RunId) -> Result<RunTotals, RunStoreError> {
    // Made as the lines were numbered (since migration 14); summed from the lines else.
    let stored: Option<String> = conn
        .query_row(
            "SELECT totals FROM runs WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(stored) = stored {
        return serde_json::from_str(&stored)
            .map_err(|e| RunStoreError::Store(corrupt("run totals", &e.to_string())));
    }
    summed_totals(conn, id)
}

/// [`totals`] summed from the lines.
fn summed_totals(conn: &Connection, id: RunId) -> Result<RunTotals, RunStoreError> {
    // Lines are in mandate order (see `number_mandates`): each mandate is summed as its lines
    // go by, without sorting a million lines by mandate. Should a mandate come back after
    // another (never written so), the mandates are summed apart first.
    let mut t = RunTotals::default();
    // The mandate being summed: number, pay date, total.
    let mut open: Option<(u32, Date, i64)> = None;
    let mut in_order = true;
    blocks::each_line(conn, &id.to_string(), false, &mut |line| {
        let Some((mandate, _)) = line.mandate else {
            return Ok(());
        };
        match &mut open {
            Some((m, _, total)) if *m == mandate => *total = total.saturating_add(line.amount.0),
            Some((m, ..)) if *m > mandate => in_order = false,
            _ => {
                if let Some((m, pay_date, total)) = open.take() {
                    add_mandate(&mut t, m, pay_date, total);
                }
                open = Some((mandate, line.pay_date, line.amount.0));
            }
        }
        Ok(())
    })?;
    if !in_order {
        return grouped_totals(conn, id);
    }
    if let Some((m, pay_date, total)) = open {
        add_mandate(&mut t, m, pay_date, total);
    }
    Ok(t)
}

/// [`totals`] whatever the order of the lines: each mandate summed apart first.
fn grouped_totals(conn: &Connection, id: RunId) -> Result<RunTotals, RunStoreError> {
    let mut mandates: BTreeMap<u32, (Date, i64)> = BTreeMap::new();
    blocks::each_line(conn, &id.to_string(), false, &mut |line| {
        if let Some((m, _)) = line.mandate {
            let e = mandates.entry(m).or_insert((line.pay_date, 0));
            e.1 = e.1.saturating_add(line.amount.0);
        }
        Ok(())
    })?;
    let mut t = RunTotals::default();
    for (m, (pay_date, total)) in mandates {
        add_mandate(&mut t, m, pay_date, total);
    }
    Ok(t)
}

/// Counts mandate `m` (from 1), paid on `pay_date`, in its pay date's and its bordereau's
/// totals.
fn add_mandate(t: &mut RunTotals, m: u32, pay_date: Date, total: i64) {
    let index = m.saturating_sub(1) / MANDATES_PER_BORDEREAU;
    for g in [
        t.per_pay_date.entry(pay_date).or_default(),
        t.per_bordereau.entry(index).or_default(),
    ] {
        add_group(g, Cents(total));
    }
}

fn add_group(g: &mut GroupTotal, amount: Cents) {
    g.mandates += 1;
    g.total = Cents(g.total.0.saturating_add(amount.0));
}

fn each_exclusion(
    conn: &Connection,
    id: RunId,
    each: Each<'_, ExcludedRight>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(
        "SELECT right_id, dossier, name, benefit, reason, label, amount
         FROM run_exclusions WHERE run_id = ?1 ORDER BY n",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        let b: Option<String> = r.get(3)?;
        each(&ExcludedRight {
            right_id: r.get(0)?,
            dossier: r.get(1)?,
            name: r.get(2)?,
            benefit: b.as_deref().map(benefit).transpose()?,
            reason: r.get(4)?,
            reason_fr: r.get(5)?,
            amount: r.get::<_, Option<i64>>(6)?.map(Cents),
        })?;
    }
    Ok(())
}

fn each_anomaly(
    conn: &Connection,
    id: RunId,
    each: Each<'_, Anomaly>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(
        "SELECT kind, right_id, dossier, payee_id, payee_name, benefit, amount, detail
         FROM run_anomalies WHERE run_id = ?1 ORDER BY n",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let b: String = r.get(5)?;
        each(&Anomaly {
            kind: AnomalyKind::ALL
                .into_iter()
                .find(|k| k.code() == kind)
                .ok_or_else(|| corrupt("anomaly kind", &kind))?,
            right_id: r.get(1)?,
            dossier: r.get(2)?,
            payee_id: r.get(3)?,
            payee_name: r.get(4)?,
            benefit: benefit(&b)?,
            amount: Cents(r.get(6)?),
            detail: r.get(7)?,
        })?;
    }
    Ok(())
}

fn each_change(
    conn: &Connection,
    id: RunId,
    each: Each<'_, AmountChange>,
) -> Result<(), RunStoreError> {
    let mut stmt = conn.prepare(
        "SELECT dossier, name, benefit, previous, current FROM run_changes
         WHERE run_id = ?1 ORDER BY n",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    while let Some(r) = rows.next()? {
        let b: String = r.get(2)?;
        each(&AmountChange {
            dossier: r.get(0)?,
            name: r.get(1)?,
            benefit: benefit(&b)?,
            previous: Cents(r.get(3)?),
            current: Cents(r.get(4)?),
        })?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bank approvals and renewals

fn approve_bank(
    conn: &mut Connection,
    payee_id: &str,
    actor: &str,
) -> Result<Entry, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Ordonnateur])?;
    let payee: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT iban, iban_changed_on FROM payees WHERE id = ?1",
            [payee_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (iban, changed) = payee.ok_or_else(|| RunStoreError::UnknownPayee(payee_id.to_owned()))?;
    tx.execute(
        "INSERT INTO bank_approvals (payee_id, iban, approved_by, approved_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (payee_id, iban) DO NOTHING",
        params![payee_id, iban, actor, super::now()],
    )?;
    // The IBAN is journaled masked: the journal is read more widely than the payee file.
    let masked = super::bank::masked(&iban);
    let entry = journal::append(
        &tx,
        actor,
        "bank_approve",
        &json!({ "payee": payee_id, "iban": masked, "changed_on": changed }),
    )?;
    tx.commit()?;
    Ok(entry)
}

fn renew(
    conn: &mut Connection,
    policy: &RenewalPolicy,
    actor: &str,
    dry_run: bool,
) -> Result<RenewalOutcome, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(
        &tx,
        actor,
        &[Role::Instruction, Role::Liquidation, Role::Admin],
    )?;
    let mut outcome = RenewalOutcome::default();
    let mut changed: Vec<serde_json::Value> = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT id, benefit, monthly_amount, end_date, status FROM rights
             WHERE end_date BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let mut rows = stmt.query([policy.ends_from.to_string(), policy.ends_to.to_string()])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let b = benefit(&r.get::<_, String>(1)?)?;
            let end = date("end_date", &r.get::<_, String>(3)?)?;
            let status: String = r.get(4)?;
            let status = RightStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
            if let Some(new_end) = policy.renews(b, end, status) {
                let e = outcome.per_benefit.entry(b).or_default();
                e.0 += 1;
                e.1 = Cents(e.1.0.saturating_add(r.get(2)?));
                outcome.rights += 1;
                changed.push(json!([id, end.to_string(), new_end.to_string()]));
            }
        }
    }
    if dry_run || outcome.rights == 0 {
        return Ok(outcome);
    }
    {
        let mut update = tx.prepare("UPDATE rights SET end_date = ?2 WHERE id = ?1")?;
        for c in &changed {
            update.execute(params![c[0].as_str(), policy.new_end.to_string()])?;
        }
    }
    let entry = journal::append(
        &tx,
        actor,
        "rights_renew",
        &json!({
            "policy": policy,
            "rights": outcome.rights,
            "changed": changed,
        }),
    )?;
    tx.commit()?;
    outcome.entry = Some(entry);
    Ok(outcome)
}

fn record_export(
    conn: &mut Connection,
    id: RunId,
    actor: &str,
    files: &serde_json::Value,
) -> Result<Entry, RunStoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    authorize(&tx, actor, &[Role::Liquidation, Role::Ordonnateur])?;
    let entry = journal::append(
        &tx,
        actor,
        "run_export",
        &json!({ "run": id.to_string(), "files": files }),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// Helper threads SQLite's sorter may use during `prepare` (`PRAGMA threads`).
const PREPARE_SORT_THREADS: i64 = 2;

impl RunStore for SqliteStore {
    fn prepare_run(
        &mut self,
        req: &PrepareRun<'_>,
        benefits: &[Benefit],
    ) -> Result<Prepared, RunStoreError> {
        // Foreign keys are not checked row by row here: every row `prepare` writes refers to
        // the run it has just inserted, in the same transaction, and to payees it has just
        // read. Checking them cost 1.5 to 2 s of a 2,000,000-right run (a lookup a row, and
        // the statement journals they call for). The pragma cannot change inside a
        // transaction: it is set around it, and back on for every other write.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        // SQLite's sorter may sort and merge its runs on helper threads: the mandate order
        // (1.18 M lines at 2 M rights) and the comparison's grouping take ~0.8 s less on two
        // cores, for ~4 MB more memory (a sort buffer each), whatever the number of rights.
        self.conn
            .pragma_update(None, "threads", PREPARE_SORT_THREADS)?;
        let prepared = prepare(&mut self.conn, req, benefits);
        self.conn.pragma_update(None, "threads", 0)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        prepared
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, RunStoreError> {
        load(&self.conn, id)
    }

    fn release_duplicate(
        &mut self,
        actor: &str,
        right: &str,
        month: Month,
        reason: &str,
        local_time: &str,
    ) -> Result<String, RunStoreError> {
        person_guard::release(&mut self.conn, actor, right, month, reason, local_time)
    }

    fn runs(&self) -> Result<Vec<RunRecord>, RunStoreError> {
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM runs ORDER BY month DESC, seq DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter()
            .map(|id| {
                let id: RunId = id.parse().map_err(|_| corrupt("run id", id))?;
                run_or_not_found(&self.conn, id)
            })
            .collect()
    }

    fn validate_run(
        &mut self,
        id: RunId,
        actor: &str,
        local_time: &str,
    ) -> Result<RunRecord, RunStoreError> {
        validate(&mut self.conn, id, actor, local_time)
    }

    fn cancel_run(
        &mut self,
        id: RunId,
        actor: &str,
        reason: &str,
    ) -> Result<RunRecord, RunStoreError> {
        cancel(&mut self.conn, id, actor, reason)
    }

    fn each_run_payee(&self, id: RunId, each: Each<'_, RunPayee>) -> Result<(), RunStoreError> {
        each_payee(&self.conn, id, each)
    }

    fn each_run_line(
        &self,
        id: RunId,
        each: &mut dyn FnMut(&RunLine, &RunPayee) -> Result<(), RunStoreError>,
    ) -> Result<(), RunStoreError> {
        each_line(&self.conn, id, each)
    }

    fn each_caf_line(&self, id: RunId, each: Each<'_, RunLine>) -> Result<(), RunStoreError> {
        each_caf(&self.conn, id, each)
    }

    fn run_totals(&self, id: RunId) -> Result<RunTotals, RunStoreError> {
        totals(&self.conn, id)
    }

    fn each_run_exclusion(
        &self,
        id: RunId,
        each: Each<'_, ExcludedRight>,
    ) -> Result<(), RunStoreError> {
        each_exclusion(&self.conn, id, each)
    }

    fn each_run_anomaly(&self, id: RunId, each: Each<'_, Anomaly>) -> Result<(), RunStoreError> {
        each_anomaly(&self.conn, id, each)
    }

    fn each_run_change(
        &self,
        id: RunId,
        each: Each<'_, AmountChange>,
    ) -> Result<(), RunStoreError> {
        each_change(&self.conn, id, each)
    }

    fn record_run_export(
        &mut self,
        id: RunId,
        actor: &str,
        files: &serde_json::Value,
    ) -> Result<Entry, RunStoreError> {
        record_export(&mut self.conn, id, actor, files)
    }

    fn approve_bank_details(
        &mut self,
        payee_id: &str,
        actor: &str,
    ) -> Result<Entry, RunStoreError> {
        approve_bank(&mut self.conn, payee_id, actor)
    }

    fn renew_rights(
        &mut self,
        policy: &RenewalPolicy,
        actor: &str,
        dry_run: bool,
    ) -> Result<RenewalOutcome, RunStoreError> {
        renew(&mut self.conn, policy, actor, dry_run)
    }
}
