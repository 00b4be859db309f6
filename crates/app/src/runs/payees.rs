//! The payees of a run as the PES names them (`Tiers`): category and legal nature, names,
//! address, bank details.

use relais_core::records::{LegalForm, PayeeKind};
use relais_formats::payments::model::{
    Address, BankAccount, LegalNature, Payee, PayeeCategory, PostCode,
};
use relais_store::runs::{RunLine, RunPayee};

/// A payee's `CatTiers` and `NatJur` (DosTech annexe 3, "Correspondance catégorie de tiers
/// et nature juridique"), by its legal form (the extract's `forme_juridique`, else the default
/// of its kind, see [`LegalForm::default_for`]): 01 personnes physiques with 01 particuliers;
/// 50 personnes morales de droit privé with 06 association or 03 société; 27 établissements
/// publics de santé, 26 CCAS and 23 communes with 09 collectivité territoriale / EPL / EPS;
/// the CAF 63 autres régimes obligatoires de sécurité sociale with 11 CAF.
fn payee_category(p: &RunPayee) -> (PayeeCategory, LegalNature) {
    if p.kind == PayeeKind::Caf {
        return (PayeeCategory::SOCIAL_SECURITY, LegalNature::CAF);
    }
    form_category(
        p.legal_form
            .unwrap_or_else(|| LegalForm::default_for(p.kind, p.siret.is_some())),
    )
}

/// `CatTiers` and `NatJur` of a body or person of legal form `form` (see [`payee_category`]).
pub(crate) fn form_category(form: LegalForm) -> (PayeeCategory, LegalNature) {
    match form {
        LegalForm::Particulier => (PayeeCategory::PERSON, LegalNature::INDIVIDUAL),
        LegalForm::Association => (PayeeCategory::PRIVATE_BODY, LegalNature::ASSOCIATION),
        LegalForm::Societe => (PayeeCategory::PRIVATE_BODY, LegalNature::COMPANY),
        LegalForm::EtablissementPublic => (
            PayeeCategory::PUBLIC_HEALTH_BODY,
            LegalNature::LOCAL_PUBLIC_BODY,
        ),
        LegalForm::Ccas => (
            PayeeCategory::SOCIAL_ACTION_CENTRE,
            LegalNature::LOCAL_PUBLIC_BODY,
        ),
        LegalForm::Commune => (PayeeCategory::COMMUNE, LegalNature::LOCAL_PUBLIC_BODY),
    }
}

/// A run's payee as the PES `Tiers`. A person paid themself is named as the extract names
/// them (`Nom`, `Prenom`), with their civility (`Civilite`, required by Hélios for a natural
/// person: the extract's `civilite`, else what the NIR's first digit tells, copied with the
/// line at preparation); another natural person by the payee's name and the civility its
/// account holder starts with; `RefTiers` is our payee reference, never a NIR.
pub(crate) fn pes_payee(p: &RunPayee, line: &RunLine) -> Result<Payee, String> {
    let (iban, bic) = (p.iban.clone(), p.bic.clone());
    let (category, legal_nature) = payee_category(p);
    let address = PostCode::parse(&p.postal_code)
        .ok()
        .filter(|_| !p.address.trim().is_empty())
        .map(|postcode| Address {
            line1: String::new(),
            line2: p.address.clone(),
            line3: String::new(),
            postcode,
            city: p.city.clone(),
        });
    let (civility, last_name, first_name) =
        if p.kind == PayeeKind::Personne && !line.last_name.trim().is_empty() {
            let civility = line.civility.clone().unwrap_or_default();
            (civility, line.last_name.clone(), line.first_name.clone())
        } else if category == PayeeCategory::PERSON {
            // A natural person paid for someone else (an individual mandataire, a relative):
            // the civility is the account holder's first word when it is one (`Mme Hélène
            // Bénard`), else unknown.
            let (last, first) = split_name(&p.name);
            let civility = p
                .holder
                .split_whitespace()
                .next()
                .and_then(relais_core::records::civility)
                .unwrap_or_default();
            (civility.to_owned(), last, first)
        } else {
            (String::new(), p.name.clone(), String::new())
        };
    Ok(Payee {
        siret: None,
        reference: p.id.clone(),
        category,
        legal_nature,
        civility,
        last_name,
        first_name,
        address,
        bank: Some(BankAccount {
            iban,
            bic,
            holder: p.holder.clone(),
        }),
    })
}

/// A natural person's name written the French administrative way, `DUPONT-MOREAU Marie
/// Claire`: the leading words in capitals are the last name, the rest the first names.
/// Without such a split (`Marie Dupont`), the whole is the last name.
fn split_name(name: &str) -> (String, String) {
    let words: Vec<&str> = name.split_whitespace().collect();
    let capitals = |w: &&&str| {
        w.chars().any(char::is_alphabetic)
            && w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
    };
    let k = words.iter().take_while(capitals).count();
    if k == 0 || k == words.len() {
        return (words.join(" "), String::new());
    }
    (words[..k].join(" "), words[k..].join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_person_s_name_splits_at_the_capitals() {
        let split = |s: &str| super::split_name(s);
        assert_eq!(
            split("DUPONT-MOREAU Marie Claire"),
            ("DUPONT-MOREAU".into(), "Marie Claire".into())
        );
        assert_eq!(split("LE GALL Émile"), ("LE GALL".into(), "Émile".into()));
        assert_eq!(
            split("Marie Dupont"),
            ("Marie Dupont".into(), String::new())
        );
        assert_eq!(
            split("UDAF DU NORD"),
            ("UDAF DU NORD".into(), String::new())
        );
    }
}
