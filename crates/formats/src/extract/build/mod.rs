//! One typed record per row: every field read through its parser (`parse`), then the checks
//! between fields (dates in order) and between files (the person, payee, right or supplier
//! exists and was accepted). A record is built only when the row has no problem at all.
//!
//! `social` builds the records of the benefits side (directory, people, payees, rights,
//! payments), `finance` those of payroll and suppliers.

mod finance;
mod parse;
mod social;

use super::Entity;
use super::check::Checker;
use super::keys::RowRefs;
use super::messages;
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::records::Record;

/// What the files read so far tell about the current row's references.
pub(crate) struct Known<'a> {
    /// The file names as the profile gives them, for messages.
    pub files: &'a [(Entity, String)],
    /// Whether annuaire.csv was read (sites are checked only then).
    pub sites_checked: bool,
    /// Where the rows the current row refers to stand.
    pub refs: RowRefs,
}

impl Known<'_> {
    /// The file name of `entity`, for messages.
    fn file(&self, entity: Entity) -> &str {
        self.files
            .iter()
            .find(|(e, _)| *e == entity)
            .map(|(_, f)| f.as_str())
            .unwrap_or("")
    }
}

/// Flags `later` when it is before `earlier` (both read).
fn in_order<E>(
    c: &mut Checker<'_>,
    earlier: (&'static str, &Result<Date, E>),
    later: (usize, &'static str, &Result<Option<Date>, E>),
) {
    if let (Ok(start), (f, name, Ok(Some(end)))) = (earlier.1, later)
        && end < start
    {
        let e = messages::dates_out_of_order(name, &end.to_string(), earlier.0, &start.to_string());
        c.push(f, e);
    }
}

/// The record of a row of `entity`, or `None` when the row has problems (recorded in `c`).
pub(crate) fn build(entity: Entity, c: &mut Checker<'_>, known: &Known<'_>) -> Option<Record> {
    match entity {
        Entity::Annuaire => social::directory_entry(c),
        Entity::Beneficiaires => social::beneficiary(c, known),
        Entity::Tiers => social::payee(c),
        Entity::Droits => social::right(c, known),
        Entity::Paiements => social::past_payment(c, known),
        Entity::Agents => finance::agent(c),
        Entity::Paie => finance::pay_line(c, known),
        Entity::Fournisseurs => finance::supplier(c),
        Entity::Factures => finance::invoice(c, known),
    }
}

/// The amount a record adds to its file's total, for files with an amount column.
pub(crate) fn amount_of(record: &Record) -> Option<Cents> {
    match record {
        Record::Right(r) => Some(r.monthly_amount),
        Record::PastPayment(p) => Some(p.amount),
        Record::Agent(a) => Some(a.net_monthly),
        Record::PayLine(l) => Some(l.employee),
        Record::Invoice(i) => Some(i.amount_incl_tax),
        _ => None,
    }
}

/// Whether a file of `entity` has an amount column (its total is then always given).
pub(crate) fn has_amount(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Droits | Entity::Paiements | Entity::Agents | Entity::Paie | Entity::Factures
    )
}
