//! Small, valid records for tests across the workspace (a person of Melun, a payee paid at the
//! same bank, a right in payment from 2024 to 2027): one definition instead of a copy in each
//! crate's tests. Not used by the product itself.

use super::{Beneficiary, Benefit, Payee, PayeeKind, Record, Right, RightStatus};
use crate::Cents;
use crate::ids::{Bic, Iban};
use jiff::civil::date;

/// A person of Melun born on 4 July 1941, attached to site MDS01.
pub fn person(dossier: &str, last: &str, first: &str) -> Record {
    Record::Beneficiary(Beneficiary {
        dossier: dossier.into(),
        nir: None,
        last_name: last.into(),
        first_name: first.into(),
        birth_date: date(1941, 7, 4),
        address: "1 rue de la Paix".into(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        phone: String::new(),
        site: "MDS01".into(),
        death_date: None,
        civility: None,
        extra: vec![],
    })
}

/// A French account at bank 30004, branch 00001: `account` is its 11-digit number.
pub fn iban(account: &str) -> Iban {
    Iban::from_french_rib("30004", "00001", account).unwrap_or_else(|e| panic!("{account}: {e}"))
}

/// A payee of Melun, its holder its name, BIC BNPAFRPP.
pub fn payee(id: &str, kind: PayeeKind, name: &str, iban: Iban) -> Record {
    Record::Payee(Payee {
        id: id.into(),
        kind,
        name: name.into(),
        siret: None,
        iban,
        bic: Bic::parse("BNPAFRPP").unwrap_or_else(|e| panic!("{e}")),
        holder: name.into(),
        address: String::new(),
        postal_code: "77000".into(),
        city: "Melun".into(),
        iban_changed_on: None,
        legal_form: None,
        extra: vec![],
    })
}

/// A right in payment from 1 January 2024 to 31 December 2027.
pub fn right(id: &str, dossier: &str, benefit: Benefit, cents: i64, payee: &str) -> Record {
    Record::Right(Right {
        id: id.into(),
        dossier: dossier.into(),
        benefit,
        monthly_amount: Cents(cents),
        start: date(2024, 1, 1),
        end: date(2027, 12, 31),
        status: RightStatus::EnPaiement,
        payee_id: payee.into(),
        imputation: None,
        extra: vec![],
    })
}

/// An agent in post since 2015, paid `cents` net a month, 120 € of variable elements.
pub fn agent(matricule: &str, last: &str, first: &str, cents: i64) -> Record {
    Record::Agent(crate::records::Agent {
        matricule: matricule.into(),
        last_name: last.into(),
        first_name: first.into(),
        nir: crate::ids::Nir::parse("185057800604830").expect("sample NIR"),
        iban: iban("00000000009"),
        bic: crate::ids::Bic::parse("BNPAFRPP").expect("sample BIC"),
        net_monthly: crate::Cents(cents),
        variables: crate::Cents(12_000),
        entry_date: jiff::civil::date(2015, 9, 1),
        exit_date: None,
        service: "Direction des routes".into(),
        extra: Vec::new(),
    })
}
