//! Changes of bank details: who may ask one from where, and who may decide it — the one rule
//! the store applies for the web and the command line alike. A change of bank details is the
//! classic fraud in a crisis (an EHPAD's account swapped for the fraudster's), so the decision
//! belongs to the ordonnateur, never to the agent who asked, and a change for a payee other
//! than the person themself is asked from that payee's own page, where the people it pays
//! and the monthly amount at stake are shown.

use crate::ids::Iban;
use crate::roles::Role;

/// Who may ask for a change (at the desk, with the proof seen).
pub const ASK: &[Role] = &[Role::Accueil, Role::Instruction];

/// Who may approve or refuse one: the ordonnateur (or delegate), who validates payments.
pub const DECIDE: &[Role] = &[Role::Ordonnateur];

/// Why an agent may not decide a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefusal {
    #[error("seul un ordonnateur approuve ou refuse un changement de coordonnées bancaires")]
    NotOrdonnateur,
    #[error("la demande doit être décidée par un autre agent que celui qui l'a faite")]
    SameAgent,
}

/// Whether `decider`, holding `roles`, may decide a request asked by `requester` (`None` for
/// bank details changed in the imported extracts, which nobody asked in Relais).
pub fn may_decide(
    roles: &[Role],
    decider: &str,
    requester: Option<&str>,
) -> Result<(), DecisionRefusal> {
    if !DECIDE.iter().any(|r| roles.contains(r)) {
        return Err(DecisionRefusal::NotOrdonnateur);
    }
    if requester.is_some_and(|r| r.trim().eq_ignore_ascii_case(decider.trim())) {
        return Err(DecisionRefusal::SameAgent);
    }
    Ok(())
}

/// Why a change may not be asked from a person's page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeRefusal {
    #[error(
        "le tiers {payee} ({kind}) n'est pas la personne elle-même : la demande se fait depuis \
         la page du tiers (/tiers/{payee}), qui montre les personnes qu'il reçoit"
    )]
    NotThePerson { payee: String, kind: String },
    #[error("le tiers {0} ne reçoit aucun paiement pour ce dossier")]
    NotPaidForDossier(String),
}

/// Whether a change for payee `payee` of kind `kind` (the extract's code: `personne`,
/// `etablissement`, `service`, `tuteur`…) may be asked from a person's page: only for the
/// person themself (kind `personne`), paid for that file (`paid_for_dossier`).
pub fn may_ask_from_person(
    payee: &str,
    kind: &str,
    paid_for_dossier: bool,
) -> Result<(), ScopeRefusal> {
    if kind != "personne" {
        return Err(ScopeRefusal::NotThePerson {
            payee: payee.to_owned(),
            kind: kind.to_owned(),
        });
    }
    if !paid_for_dossier {
        return Err(ScopeRefusal::NotPaidForDossier(payee.to_owned()));
    }
    Ok(())
}

/// The country of an IBAN's bank, in French, and whether it is outside France (an account
/// abroad is flagged to the approver).
pub fn bank_country(iban: &Iban) -> (&'static str, bool) {
    let code = iban.as_str().get(..2).unwrap_or("");
    let name = COUNTRIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or("pays hors liste SEPA connue");
    (name, code != "FR")
}

/// SEPA countries and territories with their own IBAN prefix (EPC409-09).
const COUNTRIES: &[(&str, &str)] = &[
    ("AD", "Andorre"),
    ("AT", "Autriche"),
    ("BE", "Belgique"),
    ("BG", "Bulgarie"),
    ("CH", "Suisse"),
    ("CY", "Chypre"),
    ("CZ", "Tchéquie"),
    ("DE", "Allemagne"),
    ("DK", "Danemark"),
    ("EE", "Estonie"),
    ("ES", "Espagne"),
    ("FI", "Finlande"),
    ("FR", "France"),
    ("GB", "Royaume-Uni"),
    ("GI", "Gibraltar"),
    ("GR", "Grèce"),
    ("HR", "Croatie"),
    ("HU", "Hongrie"),
    ("IE", "Irlande"),
    ("IS", "Islande"),
    ("IT", "Italie"),
    ("LI", "Liechtenstein"),
    ("LT", "Lituanie"),
    ("LU", "Luxembourg"),
    ("LV", "Lettonie"),
    ("MC", "Monaco"),
    ("MT", "Malte"),
    ("NL", "Pays-Bas"),
    ("NO", "Norvège"),
    ("PL", "Pologne"),
    ("PT", "Portugal"),
    ("RO", "Roumanie"),
    ("SE", "Suède"),
    ("SI", "Slovénie"),
    ("SK", "Slovaquie"),
    ("SM", "Saint-Marin"),
    ("VA", "Vatican"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_ordonnateur_other_than_the_requester_decides() {
        assert_eq!(
            may_decide(&[Role::Instruction], "ins", Some("acc")),
            Err(DecisionRefusal::NotOrdonnateur)
        );
        assert_eq!(
            may_decide(&[Role::Accueil, Role::Admin], "x", None),
            Err(DecisionRefusal::NotOrdonnateur)
        );
        assert_eq!(
            may_decide(&[Role::Ordonnateur], "ord", Some("ord")),
            Err(DecisionRefusal::SameAgent)
        );
        assert_eq!(
            may_decide(&[Role::Ordonnateur], "ord", Some("ORD ")),
            Err(DecisionRefusal::SameAgent)
        );
        assert_eq!(may_decide(&[Role::Ordonnateur], "ord", Some("acc")), Ok(()));
        assert_eq!(may_decide(&[Role::Ordonnateur], "ord", None), Ok(()));
    }

    #[test]
    fn a_persons_page_changes_only_the_person_themself() {
        assert!(may_ask_from_person("T1", "personne", true).is_ok());
        for kind in ["etablissement", "service", "tuteur", "caf", "fournisseur"] {
            assert!(matches!(
                may_ask_from_person("T2", kind, true),
                Err(ScopeRefusal::NotThePerson { .. })
            ));
        }
        assert_eq!(
            may_ask_from_person("T3", "personne", false),
            Err(ScopeRefusal::NotPaidForDossier("T3".into()))
        );
    }

    #[test]
    fn an_account_abroad_is_flagged() {
        let fr = Iban::from_french_rib("30004", "00001", "00000000001").expect("iban");
        assert_eq!(bank_country(&fr), ("France", false));
        let de = Iban::parse("DE89370400440532013000").expect("iban");
        assert_eq!(bank_country(&de), ("Allemagne", true));
    }
}
