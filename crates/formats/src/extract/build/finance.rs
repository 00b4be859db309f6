//! Records of payroll and suppliers: agents, suppliers and their invoices.
//!
//! As in `social`: every field is read first, the record assembled only without problems.

use super::parse::*;
use super::{Known, in_order};
use crate::extract::check::Checker;
use crate::extract::messages::Target;
use crate::extract::{Entity, schema};
use relais_core::Cents;
use relais_core::payroll::PayLine;
use relais_core::records::{Agent, Invoice, Record, Supplier};

pub(super) fn agent(c: &mut Checker<'_>) -> Option<Record> {
    use schema::agents::*;
    let matricule = c.text(MATRICULE);
    let last_name = c.text(NOM);
    let first_name = c.text(PRENOM);
    let nir = c.req(NIR, nir);
    let iban = c.req(IBAN, iban);
    let bic = c.req(BIC, bic);
    let net_monthly = c.req(NET_MENSUEL, non_negative);
    // Variable elements may be negative (a deduction for an absence); empty is none.
    let variables = c.opt(VARIABLES, amount);
    let entry_date = c.req(DATE_ENTREE, date);
    let exit_date = c.opt(DATE_SORTIE, date);
    let service = c.text(SERVICE);
    in_order(
        c,
        ("date_entree", &entry_date),
        (DATE_SORTIE, "date_sortie", &exit_date),
    );
    if c.has_blocking() {
        return None;
    }
    Some(Record::Agent(Agent {
        matricule: matricule.ok()?,
        last_name: last_name.ok()?,
        first_name: first_name.ok()?,
        nir: nir.ok()?,
        iban: iban.ok()?,
        bic: bic.ok()?,
        net_monthly: net_monthly.ok()?,
        variables: variables.ok()?.unwrap_or(Cents::ZERO),
        entry_date: entry_date.ok()?,
        exit_date: exit_date.ok()?,
        service: service.ok()?,
        extra: c.extra(),
    }))
}

/// A line of the last good month (`paie.csv`): its agent must be in `agents.csv`.
pub(super) fn pay_line(c: &mut Checker<'_>, known: &Known<'_>) -> Option<Record> {
    use schema::paie::*;
    let matricule = c.text(MATRICULE);
    let month = c.req(MOIS, month);
    let code = c.text(RUBRIQUE);
    let label = c.text(LIBELLE);
    let base = c.opt(BASE, amount);
    let rate = c.opt(TAUX, rate);
    // Signed: a gain adds to the net, a deduction takes from it.
    let employee = c.opt(MONTANT_SALARIAL, amount);
    let employer = c.opt(MONTANT_PATRONAL, non_negative);
    let account = c.req(NATURE, budget_code);
    let employer_account = c.opt(NATURE_PATRONALE, budget_code);
    let function = c.req(FONCTION, budget_code);
    let creditor = c.text(CREANCIER);
    if let Ok(m) = &matricule {
        let file = known.file(Entity::Agents);
        let verdict = known.refs.lookup(MATRICULE, m);
        c.reference(MATRICULE, m, verdict, Target::Agent, file);
    }
    if c.has_blocking() {
        return None;
    }
    Some(Record::PayLine(PayLine {
        matricule: matricule.ok()?,
        month: month.ok()?,
        code: code.ok()?,
        label: label.ok()?,
        base: base.ok()?,
        rate: rate.ok()?,
        employee: employee.ok()?.unwrap_or(Cents::ZERO),
        employer: employer.ok()?.unwrap_or(Cents::ZERO),
        account: account.ok()?,
        employer_account: employer_account.ok()?,
        function: function.ok()?,
        creditor: creditor.ok()?.trim().to_ascii_uppercase(),
        extra: c.extra(),
    }))
}

pub(super) fn supplier(c: &mut Checker<'_>) -> Option<Record> {
    use schema::fournisseurs::*;
    let siret = c.req(SIRET, siret);
    let name = c.text(RAISON_SOCIALE);
    let iban = c.req(IBAN, iban);
    let bic = c.req(BIC, bic);
    let address = c.text(ADRESSE);
    let postal_code = c.req(CODE_POSTAL, postal);
    let city = c.text(COMMUNE);
    if c.has_blocking() {
        return None;
    }
    Some(Record::Supplier(Supplier {
        siret: siret.ok()?,
        name: name.ok()?,
        iban: iban.ok()?,
        bic: bic.ok()?,
        address: address.ok()?,
        postal_code: postal_code.ok()?,
        city: city.ok()?,
        extra: c.extra(),
    }))
}

pub(super) fn invoice(c: &mut Checker<'_>, known: &Known<'_>) -> Option<Record> {
    use schema::factures::*;
    let id = c.text(FACTURE_ID);
    let siret = c.req(SIRET, siret);
    let number = c.text(NUMERO);
    let invoice_date = c.req(DATE_FACTURE, date);
    let received_on = c.req(DATE_RECEPTION, date).map(Some);
    // An invoice of nothing is nothing to pay: refused, with the reason.
    let amount_incl_tax = c.req(MONTANT_TTC, positive);
    let commitment = c.opt_text(ENGAGEMENT);
    let status = c.text(STATUT);
    in_order(
        c,
        ("date_facture", &invoice_date),
        (DATE_RECEPTION, "date_reception", &received_on),
    );
    if let Ok(s) = &siret {
        let file = known.file(Entity::Fournisseurs);
        // A parsed SIRET is in canonical form, the form of the suppliers' keys.
        let verdict = known.refs.lookup(SIRET, s.as_str());
        c.reference(SIRET, s.as_str(), verdict, Target::Supplier, file);
    }
    if c.has_blocking() {
        return None;
    }
    Some(Record::Invoice(Invoice {
        id: id.ok()?,
        siret: siret.ok()?,
        number: number.ok()?,
        invoice_date: invoice_date.ok()?,
        received_on: received_on.ok()??,
        amount_incl_tax: amount_incl_tax.ok()?,
        commitment: commitment.ok()?,
        status: status.ok()?,
        extra: c.extra(),
    }))
}
