//! The first pass's writer: exclusions, anomalies and claims as each right is decided, the
//! accepted lines given to external sorts, and the tally of what was paid.

use super::candidate::Candidate;
use super::corrupt;
use crate::StoreError;
use crate::runs::{BenefitParams, RunParams, RunTotals};
use crate::sort::{self, ExternalSort};
use crate::sqlite::blocks::LineOut;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::payment::RightTerms;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::{AnomalyKind, CafAdvance, ExcludedRight};
use rusqlite::params;
use std::cmp::Ordering;
use std::collections::BTreeMap;
// ---------------------------------------------------------------------------------------------
// Preparing

/// Why a right is not paid by this run, beyond [`relais_core::payment::Exclusion`].
pub(crate) fn exclusion_label(code: &str) -> &'static str {
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

/// Lines and total of an imputation, by function code.
pub(crate) type PerFunction = BTreeMap<String, (u64, Cents)>;

/// `map[key]`, inserted with its default when absent; found by `&str`, so that a key is
/// allocated once, not for every line that adds to it.
pub(crate) fn slot<'m, V: Default>(
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
pub(crate) struct Tally {
    pub(crate) lines: u64,
    pub(crate) mandates: u32,
    pub(crate) total: Cents,
    pub(crate) per_benefit: BTreeMap<Benefit, (u64, Cents, u64)>, // lines, total, payees
    pub(crate) per_kind: BTreeMap<PayeeKind, (u64, u64, Cents)>,  // mandates, lines, total
    /// Benefit → account → function → lines, total (nested, so that a line finds its entry
    /// by `&str` without allocating a key).
    pub(crate) per_imputation: BTreeMap<Benefit, BTreeMap<String, PerFunction>>,
    pub(crate) excluded: BTreeMap<String, u64>,
    pub(crate) anomalies: BTreeMap<AnomalyKind, u64>,
    pub(crate) caf_rights: u64,
    pub(crate) caf_total: Cents,
    /// The RSA mandated to the CAF, when it is.
    pub(crate) caf_mandate: Option<CafAdvance>,
    /// Per pay date and bordereau, for the files' headers (see [`crate::runs::RunStore::run_totals`]).
    pub(crate) totals: RunTotals,
    pub(crate) exclusion_n: u64,
    pub(crate) anomaly_n: u64,
}

/// Where the first pass's rows go (claims, exclusions, anomalies): each backend writes them
/// its way (SQLite a statement each, PostgreSQL by COPY in batches).
pub(crate) trait RunRows {
    /// Claims `right` for the run's month (the store refuses a second claim).
    fn claim(
        &mut self,
        right: &str,
        amount: i64,
        pay_date: &str,
        dossier: &str,
        benefit: &str,
    ) -> Result<(), StoreError>;
    fn exclusion(&mut self, run: &str, n: i64, e: &ExcludedRight) -> Result<(), StoreError>;
    fn anomaly(&mut self, run: &str, n: i64, a: &AnomalyRow<'_>) -> Result<(), StoreError>;
}

/// An anomaly of the control report, as `run_anomalies` keeps it.
pub(crate) struct AnomalyRow<'a> {
    pub(crate) kind: AnomalyKind,
    pub(crate) right_id: &'a str,
    pub(crate) dossier: &'a str,
    pub(crate) payee_id: &'a str,
    pub(crate) payee_name: &'a str,
    pub(crate) benefit: &'a str,
    pub(crate) amount: i64,
    pub(crate) detail: &'a str,
}

/// SQLite's [`RunRows`]: a prepared statement each, the claim's month and run bound once.
pub(super) struct SqliteRows<'c> {
    pub(crate) claim: rusqlite::Statement<'c>,
    pub(crate) exclusion: rusqlite::Statement<'c>,
    pub(crate) anomaly: rusqlite::Statement<'c>,
}

impl RunRows for SqliteRows<'_> {
    fn claim(
        &mut self,
        right: &str,
        amount: i64,
        pay_date: &str,
        dossier: &str,
        benefit: &str,
    ) -> Result<(), StoreError> {
        // The month and the run are bound once (see `prepare`): two million claims.
        self.claim.raw_bind_parameter(1, right)?;
        self.claim.raw_bind_parameter(4, amount)?;
        self.claim.raw_bind_parameter(5, pay_date)?;
        self.claim.raw_bind_parameter(6, dossier)?;
        self.claim.raw_bind_parameter(7, benefit)?;
        self.claim.raw_execute()?;
        Ok(())
    }

    fn exclusion(&mut self, run: &str, n: i64, e: &ExcludedRight) -> Result<(), StoreError> {
        self.exclusion.execute(params![
            run,
            n,
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

    fn anomaly(&mut self, run: &str, n: i64, a: &AnomalyRow<'_>) -> Result<(), StoreError> {
        self.anomaly.execute(params![
            run,
            n,
            a.kind.code(),
            a.right_id,
            a.dossier,
            a.payee_id,
            a.payee_name,
            a.benefit,
            a.amount,
            a.detail
        ])?;
        Ok(())
    }
}

pub(crate) struct Writer<'c> {
    pub(crate) rows: Box<dyn RunRows + 'c>,
    /// Mandated lines, to be read back in mandate order (see [`mandate_order`]).
    pub(crate) accepted: ExternalSort,
    /// RSA lines (the CAF pays them: no mandate to number), to be read back by dossier and
    /// right (see [`first_two_fields`]), each its key and its line in JSON.
    pub(crate) caf: ExternalSort,
    /// Every line paid, by person and benefit (see [`first_two_fields`]), for the comparison
    /// with the previous month.
    pub(crate) people: ExternalSort,
    pub(crate) run: String,
    pub(crate) dates: DateTexts,
    pub(crate) tally: Tally,
}

/// Dates as the store writes them, made once rather than for each of two million lines: the
/// month's first and last days (most rights cover the whole month) and the pay dates.
pub(crate) struct DateTexts(Vec<(Date, String)>);

impl DateTexts {
    pub(crate) fn new(month: Month, params: &RunParams) -> DateTexts {
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
pub(crate) struct Accepted<'a> {
    pub(crate) c: &'a Candidate<'a>,
    pub(crate) amount: Cents,
    pub(crate) params: &'a BenefitParams,
    pub(crate) account: &'a str,
    pub(crate) function: &'a str,
    pub(crate) covered: (Date, Date),
}

impl<'c> Writer<'c> {
    /// A writer of run `run` whose rows go to `rows`, its sorts' files in `sort_dir`.
    pub(crate) fn new(
        rows: Box<dyn RunRows + 'c>,
        sort_dir: &std::path::Path,
        req: &crate::runs::PrepareRun<'_>,
        run: &str,
    ) -> Writer<'c> {
        Writer {
            rows,
            accepted: ExternalSort::new(sort_dir, SORT_MEMORY, mandate_order),
            caf: ExternalSort::new(sort_dir, SORT_MEMORY, first_two_fields),
            people: ExternalSort::new(sort_dir, SORT_MEMORY, first_two_fields),
            run: run.to_owned(),
            dates: DateTexts::new(req.month, &req.params),
            tally: Tally::default(),
        }
    }

    pub(crate) fn exclude(&mut self, e: &ExcludedRight) -> Result<(), StoreError> {
        self.tally.exclusion_n += 1;
        *self.tally.excluded.entry(e.reason.clone()).or_default() += 1;
        self.rows
            .exclusion(&self.run, self.tally.exclusion_n as i64, e)
    }

    pub(crate) fn anomaly(
        &mut self,
        a: &Accepted<'_>,
        kind: AnomalyKind,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.anomaly_row(&AnomalyRow {
            kind,
            right_id: a.c.right_id,
            dossier: a.c.dossier,
            payee_id: a.c.payee_id,
            payee_name: a.c.payee_name,
            benefit: a.c.benefit.code(),
            amount: a.amount.0,
            detail,
        })
    }

    /// Counts and keeps an anomaly.
    pub(crate) fn anomaly_row(&mut self, a: &AnomalyRow<'_>) -> Result<(), StoreError> {
        self.tally.anomaly_n += 1;
        *self.tally.anomalies.entry(a.kind).or_default() += 1;
        self.rows.anomaly(&self.run, self.tally.anomaly_n as i64, a)
    }

    /// Claims the right for the month (the store refuses a second claim, or one the history
    /// already paid) and keeps its line for the second pass.
    pub(crate) fn accept(&mut self, a: &Accepted<'_>) -> Result<(), StoreError> {
        let c = a.c;
        let (pay_date, first_day, last_day) = (
            self.dates.text(a.params.pay_date),
            self.dates.text(a.covered.0),
            self.dates.text(a.covered.1),
        );
        let (pay_date, first_day, last_day) = (&*pay_date, &*first_day, &*last_day);
        self.rows.claim(
            c.right_id,
            a.amount.0,
            pay_date,
            c.dossier,
            c.benefit.code(),
        )?;
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
pub(crate) const SORT_MEMORY: usize = 16 << 20;

/// The order of the second pass: by payee, so that each payee is copied to `run_payees`
/// once, when its first line comes; then by pay date and right (the first three fields of a
/// sorted line, compared as bytes like SQLite's `BINARY` collation). Mandates are numbered
/// from 1 over the run in that order (payee, then pay date), lines from 1 within their
/// mandate (right order), so mandated lines are written in mandate order. (RSA lines, handed
/// to the CAF, have no mandate: they are sorted apart, by dossier.)
pub(crate) fn mandate_order(a: &[u8], b: &[u8]) -> Ordering {
    sort::fields(a)
        .take(MANDATE_KEY + 1)
        .cmp(sort::fields(b).take(MANDATE_KEY + 1))
}

/// The fields of a sorted line that make its mandate, after the payee: pay date, benefit,
/// account, function, and the protected person for a guardian. One mandate carries one
/// benefit on one imputation (its `Obj` names it), as the accountant checks it.
pub(crate) const MANDATE_KEY: usize = 5;

/// By the first two fields: the CAF's lines by dossier and right, the order of its hand-off
/// file (a sorted CAF line is its dossier, its right and the line in JSON); all lines by
/// person and benefit (dossier, benefit, last and first name, amount).
pub(crate) fn first_two_fields(a: &[u8], b: &[u8]) -> Ordering {
    sort::fields(a).take(2).cmp(sort::fields(b).take(2))
}

/// The days of `month` a right covers (what the amount pays for).
pub(crate) fn covered_days(terms: &RightTerms, month: Month, death: Option<Date>) -> (Date, Date) {
    let first = terms.start.max(month.first_day());
    let mut last = terms.end.min(month.last_day());
    if let Some(d) = death {
        last = last.min(d);
    }
    (first, last.max(first))
}
