//! The columns of each extract file (docs/extracts.md): their names, whether the column and
//! its value must be there, how grave a problem in it is, and which columns make a row's key.
//!
//! Builders address fields by the index constants below; a unit test checks that each
//! constant names the column it claims to.

use super::{Entity, Severity};

/// Whether a column, and a value in it, must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// The column must be in the file (or given a default) and every row must fill it.
    Required,
    /// The column must be in the file, but a row may leave it empty.
    ValueOptional,
    /// The column may be missing from the file, and a row may leave it empty.
    Optional,
}

/// One column of our format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldSpec {
    pub name: &'static str,
    pub presence: Presence,
    /// What a problem in the column does to the row: rejects it, or only needs attention.
    pub severity: Severity,
}

const fn req(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        presence: Presence::Required,
        severity: Severity::Reject,
    }
}

const fn may_be_empty(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        presence: Presence::ValueOptional,
        severity: Severity::Reject,
    }
}

const fn opt(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        presence: Presence::Optional,
        severity: Severity::Reject,
    }
}

impl FieldSpec {
    /// A column nothing blocking depends on: a problem in it is a warning, the row is kept
    /// without the value (issue #18: nobody unpaid for a detail).
    const fn warning(self) -> FieldSpec {
        FieldSpec {
            severity: Severity::Warning,
            ..self
        }
    }
}

pub(crate) mod annuaire {
    use super::*;
    pub const SITE_CODE: usize = 0;
    pub const SITE: usize = 1;
    pub const SERVICE: usize = 2;
    pub const TELEPHONE: usize = 3;
    pub const EMAIL: usize = 4;
    pub const ADRESSE: usize = 5;
    pub const HORAIRES: usize = 6;
    pub const DEPOT_PAPIER: usize = 7;
    pub const PUBLIC: usize = 8;
    pub const FIELDS: &[FieldSpec] = &[
        req("site_code"),
        req("site"),
        req("service"),
        // A bad number is left out: the site stays listed with its address and hours.
        req("telephone").warning(),
        // A service may answer by phone only; a bad address must not hide its phone.
        may_be_empty("email").warning(),
        req("adresse"),
        req("horaires"),
        req("depot_papier"),
        req("public"),
    ];
    pub const KEY: &[usize] = &[SITE_CODE, SERVICE];
}

pub(crate) mod beneficiaires {
    use super::*;
    pub const DOSSIER: usize = 0;
    pub const NIR: usize = 1;
    pub const NOM: usize = 2;
    pub const PRENOM: usize = 3;
    pub const DATE_NAISSANCE: usize = 4;
    pub const ADRESSE: usize = 5;
    pub const CODE_POSTAL: usize = 6;
    pub const COMMUNE: usize = 7;
    pub const TELEPHONE: usize = 8;
    pub const SITE: usize = 9;
    pub const DATE_DECES: usize = 10;
    pub const CIVILITE: usize = 11;
    pub const FIELDS: &[FieldSpec] = &[
        req("dossier"),
        opt("nir"),
        req("nom"),
        req("prenom"),
        req("date_naissance"),
        // A person's address is for letters; payments go to the payee's (tiers.csv).
        req("adresse").warning(),
        req("code_postal").warning(),
        req("commune").warning(),
        // Many people have no phone: refusing them would stop their payments.
        may_be_empty("telephone").warning(),
        // An unknown site attaches the person to no site; they are paid all the same.
        req("site").warning(),
        opt("date_deces"),
        // M or MME (the PES wants a person's civility); the NIR tells when it is absent.
        opt("civilite"),
    ];
    pub const KEY: &[usize] = &[DOSSIER];
}

pub(crate) mod tiers {
    use super::*;
    pub const TIERS_ID: usize = 0;
    pub const TYPE: usize = 1;
    pub const NOM: usize = 2;
    pub const SIRET: usize = 3;
    pub const IBAN: usize = 4;
    pub const BIC: usize = 5;
    pub const TITULAIRE: usize = 6;
    pub const ADRESSE: usize = 7;
    pub const CODE_POSTAL: usize = 8;
    pub const COMMUNE: usize = 9;
    pub const IBAN_MODIFIE_LE: usize = 10;
    pub const FORME_JURIDIQUE: usize = 11;
    pub const FIELDS: &[FieldSpec] = &[
        req("tiers_id"),
        req("type"),
        req("nom"),
        opt("siret"),
        req("iban"),
        req("bic"),
        req("titulaire"),
        req("adresse"),
        req("code_postal"),
        req("commune"),
        opt("iban_modifie_le"),
        // The PES CatTiers/NatJur follow; the payee's kind gives a default.
        opt("forme_juridique"),
    ];
    pub const KEY: &[usize] = &[TIERS_ID];
}

pub(crate) mod droits {
    use super::*;
    pub const DROIT_ID: usize = 0;
    pub const DOSSIER: usize = 1;
    pub const PRESTATION: usize = 2;
    pub const MONTANT_MENSUEL: usize = 3;
    pub const DATE_DEBUT: usize = 4;
    pub const DATE_FIN: usize = 5;
    pub const STATUT: usize = 6;
    pub const TIERS_ID: usize = 7;
    pub const IMPUTATION: usize = 8;
    pub const FIELDS: &[FieldSpec] = &[
        req("droit_id"),
        req("dossier"),
        req("prestation"),
        req("montant_mensuel"),
        req("date_debut"),
        req("date_fin"),
        req("statut"),
        req("tiers_id"),
        opt("imputation"),
    ];
    pub const KEY: &[usize] = &[DROIT_ID];
}

pub(crate) mod paiements {
    use super::*;
    pub const DROIT_ID: usize = 0;
    pub const MOIS: usize = 1;
    pub const MONTANT: usize = 2;
    pub const DATE_PAIEMENT: usize = 3;
    pub const REFERENCE: usize = 4;
    pub const FIELDS: &[FieldSpec] = &[
        req("droit_id"),
        req("mois"),
        req("montant"),
        req("date_paiement"),
        req("reference"),
    ];
    pub const KEY: &[usize] = &[DROIT_ID, MOIS];
}

pub(crate) mod agents {
    use super::*;
    pub const MATRICULE: usize = 0;
    pub const NOM: usize = 1;
    pub const PRENOM: usize = 2;
    pub const NIR: usize = 3;
    pub const IBAN: usize = 4;
    pub const BIC: usize = 5;
    pub const NET_MENSUEL: usize = 6;
    pub const VARIABLES: usize = 7;
    pub const DATE_ENTREE: usize = 8;
    pub const DATE_SORTIE: usize = 9;
    pub const SERVICE: usize = 10;
    pub const FIELDS: &[FieldSpec] = &[
        req("matricule"),
        req("nom"),
        req("prenom"),
        req("nir"),
        req("iban"),
        req("bic"),
        req("net_mensuel"),
        // Empty means no variable element this month (0).
        may_be_empty("variables"),
        req("date_entree"),
        opt("date_sortie"),
        req("service"),
    ];
    pub const KEY: &[usize] = &[MATRICULE];
}

pub(crate) mod paie {
    use super::*;
    pub const MATRICULE: usize = 0;
    pub const MOIS: usize = 1;
    pub const RUBRIQUE: usize = 2;
    pub const LIBELLE: usize = 3;
    pub const BASE: usize = 4;
    pub const TAUX: usize = 5;
    pub const MONTANT_SALARIAL: usize = 6;
    pub const MONTANT_PATRONAL: usize = 7;
    pub const NATURE: usize = 8;
    pub const NATURE_PATRONALE: usize = 9;
    pub const FONCTION: usize = 10;
    pub const CREANCIER: usize = 11;
    pub const FIELDS: &[FieldSpec] = &[
        req("matricule"),
        req("mois"),
        req("rubrique"),
        req("libelle"),
        opt("base"),
        opt("taux"),
        // Empty means nothing on the agent's side (an employer's contribution alone).
        may_be_empty("montant_salarial"),
        may_be_empty("montant_patronal"),
        req("nature"),
        opt("nature_patronale"),
        req("fonction"),
        req("creancier"),
    ];
    pub const KEY: &[usize] = &[MATRICULE, MOIS, RUBRIQUE];
}

pub(crate) mod fournisseurs {
    use super::*;
    pub const SIRET: usize = 0;
    pub const RAISON_SOCIALE: usize = 1;
    pub const IBAN: usize = 2;
    pub const BIC: usize = 3;
    pub const ADRESSE: usize = 4;
    pub const CODE_POSTAL: usize = 5;
    pub const COMMUNE: usize = 6;
    pub const FIELDS: &[FieldSpec] = &[
        req("siret"),
        req("raison_sociale"),
        req("iban"),
        req("bic"),
        req("adresse"),
        req("code_postal"),
        req("commune"),
    ];
    pub const KEY: &[usize] = &[SIRET];
}

pub(crate) mod factures {
    use super::*;
    pub const FACTURE_ID: usize = 0;
    pub const SIRET: usize = 1;
    pub const NUMERO: usize = 2;
    pub const DATE_FACTURE: usize = 3;
    pub const DATE_RECEPTION: usize = 4;
    pub const MONTANT_TTC: usize = 5;
    pub const ENGAGEMENT: usize = 6;
    pub const STATUT: usize = 7;
    pub const FIELDS: &[FieldSpec] = &[
        req("facture_id"),
        req("siret"),
        req("numero"),
        req("date_facture"),
        req("date_reception"),
        req("montant_ttc"),
        opt("engagement"),
        req("statut"),
    ];
    pub const KEY: &[usize] = &[FACTURE_ID];
}

/// The columns of `entity`, in the order of docs/extracts.md.
pub(crate) fn fields(entity: Entity) -> &'static [FieldSpec] {
    match entity {
        Entity::Annuaire => annuaire::FIELDS,
        Entity::Beneficiaires => beneficiaires::FIELDS,
        Entity::Tiers => tiers::FIELDS,
        Entity::Droits => droits::FIELDS,
        Entity::Paiements => paiements::FIELDS,
        Entity::Agents => agents::FIELDS,
        Entity::Paie => paie::FIELDS,
        Entity::Fournisseurs => fournisseurs::FIELDS,
        Entity::Factures => factures::FIELDS,
    }
}

/// The fields whose values together identify a row (unique in the file).
pub(crate) fn key(entity: Entity) -> &'static [usize] {
    match entity {
        Entity::Annuaire => annuaire::KEY,
        Entity::Beneficiaires => beneficiaires::KEY,
        Entity::Tiers => tiers::KEY,
        Entity::Droits => droits::KEY,
        Entity::Paiements => paiements::KEY,
        Entity::Agents => agents::KEY,
        Entity::Paie => paie::KEY,
        Entity::Fournisseurs => fournisseurs::KEY,
        Entity::Factures => factures::KEY,
    }
}

/// How grave a problem in field `f` of `entity` is.
pub(crate) fn severity(entity: Entity, f: usize) -> Severity {
    fields(entity)
        .get(f)
        .map_or(Severity::Reject, |spec| spec.severity)
}

/// The index of field `name` in `entity`'s columns.
pub(crate) fn field_index(entity: Entity, name: &str) -> Option<usize> {
    fields(entity).iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(entity: Entity, i: usize) -> &'static str {
        fields(entity).get(i).map(|f| f.name).unwrap_or("")
    }

    #[test]
    fn index_constants_name_their_columns() {
        use Entity::*;
        let checks: &[(Entity, usize, &str)] = &[
            (Annuaire, annuaire::SITE_CODE, "site_code"),
            (Annuaire, annuaire::SITE, "site"),
            (Annuaire, annuaire::SERVICE, "service"),
            (Annuaire, annuaire::TELEPHONE, "telephone"),
            (Annuaire, annuaire::EMAIL, "email"),
            (Annuaire, annuaire::ADRESSE, "adresse"),
            (Annuaire, annuaire::HORAIRES, "horaires"),
            (Annuaire, annuaire::DEPOT_PAPIER, "depot_papier"),
            (Annuaire, annuaire::PUBLIC, "public"),
            (Beneficiaires, beneficiaires::DOSSIER, "dossier"),
            (Beneficiaires, beneficiaires::NIR, "nir"),
            (Beneficiaires, beneficiaires::NOM, "nom"),
            (Beneficiaires, beneficiaires::PRENOM, "prenom"),
            (
                Beneficiaires,
                beneficiaires::DATE_NAISSANCE,
                "date_naissance",
            ),
            (Beneficiaires, beneficiaires::ADRESSE, "adresse"),
            (Beneficiaires, beneficiaires::CODE_POSTAL, "code_postal"),
            (Beneficiaires, beneficiaires::COMMUNE, "commune"),
            (Beneficiaires, beneficiaires::TELEPHONE, "telephone"),
            (Beneficiaires, beneficiaires::SITE, "site"),
            (Beneficiaires, beneficiaires::DATE_DECES, "date_deces"),
            (Beneficiaires, beneficiaires::CIVILITE, "civilite"),
            (Tiers, tiers::TIERS_ID, "tiers_id"),
            (Tiers, tiers::TYPE, "type"),
            (Tiers, tiers::NOM, "nom"),
            (Tiers, tiers::SIRET, "siret"),
            (Tiers, tiers::IBAN, "iban"),
            (Tiers, tiers::BIC, "bic"),
            (Tiers, tiers::TITULAIRE, "titulaire"),
            (Tiers, tiers::ADRESSE, "adresse"),
            (Tiers, tiers::CODE_POSTAL, "code_postal"),
            (Tiers, tiers::COMMUNE, "commune"),
            (Tiers, tiers::IBAN_MODIFIE_LE, "iban_modifie_le"),
            (Tiers, tiers::FORME_JURIDIQUE, "forme_juridique"),
            (Droits, droits::DROIT_ID, "droit_id"),
            (Droits, droits::DOSSIER, "dossier"),
            (Droits, droits::PRESTATION, "prestation"),
            (Droits, droits::MONTANT_MENSUEL, "montant_mensuel"),
            (Droits, droits::DATE_DEBUT, "date_debut"),
            (Droits, droits::DATE_FIN, "date_fin"),
            (Droits, droits::STATUT, "statut"),
            (Droits, droits::TIERS_ID, "tiers_id"),
            (Droits, droits::IMPUTATION, "imputation"),
            (Paiements, paiements::DROIT_ID, "droit_id"),
            (Paiements, paiements::MOIS, "mois"),
            (Paiements, paiements::MONTANT, "montant"),
            (Paiements, paiements::DATE_PAIEMENT, "date_paiement"),
            (Paiements, paiements::REFERENCE, "reference"),
            (Agents, agents::MATRICULE, "matricule"),
            (Agents, agents::NOM, "nom"),
            (Agents, agents::PRENOM, "prenom"),
            (Agents, agents::NIR, "nir"),
            (Agents, agents::IBAN, "iban"),
            (Agents, agents::BIC, "bic"),
            (Agents, agents::NET_MENSUEL, "net_mensuel"),
            (Agents, agents::VARIABLES, "variables"),
            (Agents, agents::DATE_ENTREE, "date_entree"),
            (Agents, agents::DATE_SORTIE, "date_sortie"),
            (Agents, agents::SERVICE, "service"),
            (Paie, paie::MATRICULE, "matricule"),
            (Paie, paie::MOIS, "mois"),
            (Paie, paie::RUBRIQUE, "rubrique"),
            (Paie, paie::LIBELLE, "libelle"),
            (Paie, paie::BASE, "base"),
            (Paie, paie::TAUX, "taux"),
            (Paie, paie::MONTANT_SALARIAL, "montant_salarial"),
            (Paie, paie::MONTANT_PATRONAL, "montant_patronal"),
            (Paie, paie::NATURE, "nature"),
            (Paie, paie::NATURE_PATRONALE, "nature_patronale"),
            (Paie, paie::FONCTION, "fonction"),
            (Paie, paie::CREANCIER, "creancier"),
            (Fournisseurs, fournisseurs::SIRET, "siret"),
            (Fournisseurs, fournisseurs::RAISON_SOCIALE, "raison_sociale"),
            (Fournisseurs, fournisseurs::IBAN, "iban"),
            (Fournisseurs, fournisseurs::BIC, "bic"),
            (Fournisseurs, fournisseurs::ADRESSE, "adresse"),
            (Fournisseurs, fournisseurs::CODE_POSTAL, "code_postal"),
            (Fournisseurs, fournisseurs::COMMUNE, "commune"),
            (Factures, factures::FACTURE_ID, "facture_id"),
            (Factures, factures::SIRET, "siret"),
            (Factures, factures::NUMERO, "numero"),
            (Factures, factures::DATE_FACTURE, "date_facture"),
            (Factures, factures::DATE_RECEPTION, "date_reception"),
            (Factures, factures::MONTANT_TTC, "montant_ttc"),
            (Factures, factures::ENGAGEMENT, "engagement"),
            (Factures, factures::STATUT, "statut"),
        ];
        for &(entity, i, expected) in checks {
            assert_eq!(name(entity, i), expected, "{entity:?}");
        }
        let total: usize = Entity::ALL.iter().map(|&e| fields(e).len()).sum();
        assert_eq!(total, checks.len(), "every column has its constant checked");
    }

    #[test]
    fn warnings_are_only_where_payment_does_not_look() {
        let warnings: Vec<(Entity, &str)> = Entity::ALL
            .iter()
            .flat_map(|&e| {
                fields(e)
                    .iter()
                    .filter(|f| f.severity == Severity::Warning)
                    .map(move |f| (e, f.name))
            })
            .collect();
        use Entity::*;
        assert_eq!(
            warnings,
            vec![
                (Annuaire, "telephone"),
                (Annuaire, "email"),
                (Beneficiaires, "adresse"),
                (Beneficiaires, "code_postal"),
                (Beneficiaires, "commune"),
                (Beneficiaires, "telephone"),
                (Beneficiaires, "site"),
            ]
        );
        for entity in Entity::ALL {
            for &k in key(entity) {
                assert_eq!(severity(entity, k), Severity::Reject, "{entity:?} key");
            }
        }
    }

    #[test]
    fn column_names_are_header_keys_and_unique() {
        for entity in Entity::ALL {
            let names: Vec<&str> = fields(entity).iter().map(|f| f.name).collect();
            for n in &names {
                assert_eq!(relais_core::text::header_key(n), *n);
                assert_eq!(names.iter().filter(|m| *m == n).count(), 1, "{n}");
            }
            assert!(!key(entity).is_empty());
        }
    }
}
