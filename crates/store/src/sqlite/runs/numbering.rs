//! The second pass: the sorted lines written as blocks, mandates and their lines numbered on
//! the way, each payee copied to `run_payees`; the CAF's mandate last.

use super::review::add_mandate;
use super::writer::{MANDATE_KEY, Tally, slot};
use super::{benefit, corrupt, date};
use crate::StoreError;
use crate::runs::{CAF_PAYEE, CafParams, PrepareRun};
use crate::sort;
use crate::sqlite::blocks::{Block, BlockEncoder, BlockWriter, LineOut};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::CafAdvance;
use rusqlite::{Connection, OptionalExtension, params};
use std::sync::mpsc;
/// A mandated line as the first pass sorted it (see [`super::writer::Writer::accept`]).
pub(crate) struct SortedLine<'a> {
    pub(super) payee_id: &'a str,
    pub(super) pay_date: &'a str,
    /// The protected person, for a guardian's line (else empty).
    pub(super) person: &'a str,
    pub(super) right_id: &'a str,
    pub(super) dossier: &'a str,
    pub(super) last_name: &'a str,
    pub(super) first_name: &'a str,
    pub(super) benefit: &'a str,
    pub(super) amount: i64,
    pub(super) first_day: &'a str,
    pub(super) last_day: &'a str,
    pub(super) account: &'a str,
    pub(super) function: &'a str,
    pub(super) payee_kind: &'a str,
    pub(super) civility: Option<&'a str>,
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

/// Writes the CAF's lines, sorted, as blocks.
pub(super) fn write_caf_lines(
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
pub(crate) const INSERT_PAYEE: &str = "
INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder, address,
    postal_code, city, legal_form)
SELECT ?1, p.id, p.kind, p.name, p.siret, p.iban, p.bic, p.holder, p.address, p.postal_code,
    p.city, p.legal_form
FROM payees p WHERE p.id = ?2";

/// What numbering the mandates hands to the thread that writes them, in order.
pub(crate) enum Numbered {
    /// A payee's first line comes: copy it to `run_payees`.
    Payee(String),
    /// A full block of lines.
    Block(Block),
    /// The CAF, payee of the RSA's mandate: copied to `run_payees` from the run's settings.
    Caf,
}

/// The RSA's mandate to the CAF, last of the run's mandates: one line of the month.
pub(crate) struct CafMandate<'a> {
    pub(crate) params: &'a CafParams,
    pub(crate) amount: Cents,
    pub(super) pay_date: Date,
    pub(super) first_day: Date,
    pub(super) last_day: Date,
    pub(super) account: String,
    pub(super) function: String,
}

/// The CAF's mandate of a run of `req` (RSA among `benefits`, the CAF in the settings): the
/// CAF's statement of the month when imported, else the latest statement before it, else
/// what the run's RSA rights add up to — the last two labelled as an advance.
pub(crate) fn caf_mandate<'a>(
    statements: CafStatements<'_>,
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
    let (own, before) = statements(&month)?;
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
        pay_date: rsa.pay_date,
        first_day: req.month.first_day(),
        last_day: req.month.last_day(),
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

/// The CAF's statement of a month, and the latest before it (month, total).
pub(crate) type CafStatements<'a> = &'a mut dyn FnMut(&str) -> Result<CafTotals, StoreError>;

/// The CAF's statement total of a month, and the latest before it (month, total).
pub(crate) type CafTotals = (Option<i64>, Option<(String, i64)>);

/// [`CafStatements`] read by SQLite.
pub(super) fn caf_statements(conn: &Connection, month: &str) -> Result<CafTotals, StoreError> {
    let own: Option<i64> = conn
        .query_row(
            "SELECT total_cents FROM caf_statements WHERE month = ?1",
            [month],
            |r| r.get(0),
        )
        .optional()?;
    let before: Option<(String, i64)> = conn
        .query_row(
            "SELECT month, total_cents FROM caf_statements WHERE month < ?1
             ORDER BY month DESC LIMIT 1",
            [month],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok((own, before))
}

/// The CAF as the run's payee.
pub(crate) const INSERT_CAF: &str = "
INSERT INTO run_payees (run_id, payee_id, kind, name, siret, iban, bic, holder, address,
    postal_code, city)
VALUES (?1, ?2, 'caf', ?3, ?4, ?5, ?6, ?3, ?7, ?8, ?9)";

/// Writes the mandated lines' blocks and `run_payees` from the accepted lines, sorted (see
/// [`super::writer::mandate_order`]): the lines are numbered and encoded on another thread ([`number`])
/// while this one writes what comes out, in order.
pub(super) fn number_mandates(
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
                                p.siret.as_ref().map(|s| s.as_str()),
                                p.iban.as_str(),
                                p.bic.as_ref().map_or("", |b| b.as_str()),
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
pub(crate) fn number(
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
        add_mandate(&mut t.totals, t.mandates, c.pay_date, c.amount.0);
        out(Numbered::Caf)?;
        let right = "AVANCE-RSA";
        let (pay_date, first_day, last_day) = (
            c.pay_date.to_string(),
            c.first_day.to_string(),
            c.last_day.to_string(),
        );
        if let Some(block) = blocks.push(&LineOut(
            CAF_PAYEE,
            &pay_date,
            right,
            right,
            None,
            &c.params.name,
            "",
            Benefit::Rsa.code(),
            c.amount.0,
            &first_day,
            &last_day,
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
