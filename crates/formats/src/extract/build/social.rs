//! Records of the benefits side: the directory, people, payees, rights and past payments.
//!
//! Every field is read first, so that all the problems of a row are recorded; the record is
//! assembled only when none of them blocks (then every `.ok()?` below holds a value). A field
//! whose problems are warnings (`schema`: phone, e-mail, a person's address and site) is left
//! empty instead: the row is kept, its warnings listed.

use super::parse::*;
use super::{Known, in_order};
use crate::extract::check::{Bad, Checker};
use crate::extract::keys::Lookup;
use crate::extract::messages::{self, Target};
use crate::extract::{Entity, schema, values};
use relais_core::records::{Beneficiary, DirectoryEntry, PastPayment, Payee, Record, Right};

pub(super) fn directory_entry(c: &mut Checker<'_>) -> Option<Record> {
    use schema::annuaire::*;
    let site_code = c.text(SITE_CODE);
    let site = c.text(SITE);
    let service = c.text(SERVICE);
    let phone = c.req(TELEPHONE, values::phone);
    let email = c.opt(EMAIL, values::email);
    let address = c.text(ADRESSE);
    let hours = c.text(HORAIRES);
    let paper_deposit = c.req(DEPOT_PAPIER, values::yes_no);
    let public = c.req(PUBLIC, values::yes_no);
    if c.has_blocking() {
        return None;
    }
    Some(Record::DirectoryEntry(DirectoryEntry {
        site_code: site_code.ok()?,
        site: site.ok()?,
        service: service.ok()?,
        // Warnings: a bad number or address is left out, the rest of the row still shown.
        phone: phone.unwrap_or_default(),
        email: email.ok().flatten().unwrap_or_default(),
        address: address.ok()?,
        hours: hours.ok()?,
        paper_deposit: paper_deposit.ok()?,
        public: public.ok()?,
        extra: c.extra(),
    }))
}

pub(super) fn beneficiary(c: &mut Checker<'_>, known: &Known<'_>) -> Option<Record> {
    use schema::beneficiaires::*;
    let dossier = c.text(DOSSIER);
    let nir = c.opt(NIR, nir);
    let last_name = c.text(NOM);
    let first_name = c.text(PRENOM);
    let birth_date = c.req(DATE_NAISSANCE, date);
    let address = c.text(ADRESSE);
    let postal_code = c.req(CODE_POSTAL, postal);
    let city = c.text(COMMUNE);
    let phone = c.opt(TELEPHONE, values::phone);
    let mut site = c.text(SITE);
    let death_date = c.opt(DATE_DECES, date);
    let civility = c.opt_text(CIVILITE);
    in_order(
        c,
        ("date_naissance", &birth_date),
        (DATE_DECES, "date_deces", &death_date),
    );
    if let Ok(code) = &site
        && known.sites_checked
        && known.refs.lookup(SITE, code) == Lookup::Unknown
    {
        let file = known.file(Entity::Annuaire);
        c.push(SITE, messages::unknown_site(code, file));
        // A warning: the person is kept, attached to no site.
        site = Err(Bad);
    }
    if c.has_blocking() {
        return None;
    }
    Some(Record::Beneficiary(Beneficiary {
        dossier: dossier.ok()?,
        nir: nir.ok()?,
        last_name: last_name.ok()?,
        first_name: first_name.ok()?,
        birth_date: birth_date.ok()?,
        // Warnings: what is wrong is left empty, the person is paid all the same.
        address: address.unwrap_or_default(),
        postal_code: postal_code.unwrap_or_default(),
        city: city.unwrap_or_default(),
        phone: phone.ok().flatten().unwrap_or_default(),
        site: site.unwrap_or_default(),
        death_date: death_date.ok()?,
        civility: civility
            .ok()?
            .and_then(|t| relais_core::records::civility(&t))
            .map(str::to_owned),
        extra: c.extra(),
    }))
}

pub(super) fn payee(c: &mut Checker<'_>) -> Option<Record> {
    use schema::tiers::*;
    let id = c.text(TIERS_ID);
    let kind = c.req(TYPE, payee_kind);
    let name = c.text(NOM);
    let siret = c.opt(SIRET, siret);
    let iban = c.req(IBAN, iban);
    let bic = c.req(BIC, bic);
    let holder = c.text(TITULAIRE);
    let address = c.text(ADRESSE);
    let postal_code = c.req(CODE_POSTAL, postal);
    let city = c.text(COMMUNE);
    let iban_changed_on = c.opt(IBAN_MODIFIE_LE, date);
    let legal_form = c.opt(FORME_JURIDIQUE, legal_form);
    if c.has_blocking() {
        return None;
    }
    Some(Record::Payee(Payee {
        id: id.ok()?,
        kind: kind.ok()?,
        name: name.ok()?,
        siret: siret.ok()?,
        iban: iban.ok()?,
        bic: bic.ok()?,
        holder: holder.ok()?,
        address: address.ok()?,
        postal_code: postal_code.ok()?,
        city: city.ok()?,
        iban_changed_on: iban_changed_on.ok()?,
        legal_form: legal_form.ok()?,
        extra: c.extra(),
    }))
}

pub(super) fn right(c: &mut Checker<'_>, known: &Known<'_>) -> Option<Record> {
    use schema::droits::*;
    let id = c.text(DROIT_ID);
    let dossier = c.text(DOSSIER);
    let benefit = c.req(PRESTATION, benefit);
    let monthly_amount = c.req(MONTANT_MENSUEL, positive);
    let start = c.req(DATE_DEBUT, date);
    let end = c.req(DATE_FIN, date).map(Some);
    let status = c.req(STATUT, right_status);
    let payee_id = c.text(TIERS_ID);
    let imputation = c.opt_text(IMPUTATION);
    in_order(c, ("date_debut", &start), (DATE_FIN, "date_fin", &end));
    if let Ok(d) = &dossier {
        let file = known.file(Entity::Beneficiaires);
        c.reference(
            DOSSIER,
            d,
            known.refs.lookup(DOSSIER, d),
            Target::Person,
            file,
        );
    }
    if let Ok(t) = &payee_id {
        let file = known.file(Entity::Tiers);
        c.reference(
            TIERS_ID,
            t,
            known.refs.lookup(TIERS_ID, t),
            Target::Payee,
            file,
        );
    }
    if c.has_blocking() {
        return None;
    }
    Some(Record::Right(Right {
        id: id.ok()?,
        dossier: dossier.ok()?,
        benefit: benefit.ok()?,
        monthly_amount: monthly_amount.ok()?,
        start: start.ok()?,
        end: end.ok()??,
        status: status.ok()?,
        payee_id: payee_id.ok()?,
        imputation: imputation.ok()?,
        extra: c.extra(),
    }))
}

pub(super) fn past_payment(c: &mut Checker<'_>, known: &Known<'_>) -> Option<Record> {
    use schema::paiements::*;
    let right_id = c.text(DROIT_ID);
    let month = c.req(MOIS, month);
    let amount = c.req(MONTANT, non_negative);
    let paid_on = c.req(DATE_PAIEMENT, date);
    let reference = c.text(REFERENCE);
    if let Ok(r) = &right_id {
        let file = known.file(Entity::Droits);
        c.reference(
            DROIT_ID,
            r,
            known.refs.lookup(DROIT_ID, r),
            Target::Right,
            file,
        );
    }
    if c.has_blocking() {
        return None;
    }
    Some(Record::PastPayment(PastPayment {
        right_id: right_id.ok()?,
        month: month.ok()?,
        amount: amount.ok()?,
        paid_on: paid_on.ok()?,
        reference: reference.ok()?,
        extra: c.extra(),
    }))
}
