//! The extracts' column names and problem codes in the agents' words: the screens of rows to
//! handle say « Date de naissance » and « clé de contrôle fausse », never `date_naissance` or
//! `id_cle` (docs/extracts.md lists both).

/// A column's label; an unknown column reads as words ("date_entree" → "Date entree").
pub fn field(name: &str) -> String {
    let known = match name {
        "dossier" => "Numéro de dossier",
        "nir" => "NIR",
        "nom" => "Nom",
        "prenom" => "Prénom",
        "date_naissance" => "Date de naissance",
        "adresse" => "Adresse",
        "code_postal" => "Code postal",
        "commune" => "Commune",
        "telephone" => "Téléphone",
        "email" => "Courriel",
        "site" => "Site",
        "site_code" => "Code du site",
        "service" => "Service",
        "horaires" => "Horaires",
        "depot_papier" => "Dépôt papier",
        "public" => "Affiché au public",
        "date_deces" => "Date de décès",
        "civilite" => "Civilité",
        "tiers_id" => "Identifiant du tiers",
        "type" => "Type",
        "siret" => "SIRET",
        "iban" => "IBAN",
        "bic" => "BIC",
        "titulaire" => "Titulaire du compte",
        "forme_juridique" => "Forme juridique",
        "iban_modifie_le" => "IBAN modifié le",
        "droit_id" => "Identifiant du droit",
        "prestation" => "Prestation",
        "montant_mensuel" => "Montant mensuel",
        "date_debut" => "Date de début",
        "date_fin" => "Date de fin",
        "statut" => "Statut",
        "imputation" => "Imputation",
        "tuteur" => "Tuteur",
        "mois" => "Mois",
        "montant" => "Montant",
        "date_paiement" => "Date de paiement",
        "matricule" => "Matricule",
        "net_mensuel" => "Net mensuel",
        "date_entree" => "Date d'entrée",
        "date_sortie" => "Date de sortie",
        "raison_sociale" => "Raison sociale",
        "facture_id" => "Identifiant de la facture",
        "numero" => "Numéro",
        "date_facture" => "Date de la facture",
        "date_reception" => "Date de réception",
        "montant_ttc" => "Montant TTC",
        "engagement" => "Engagement",
        "reference" => "Référence",
        "" | "_" => "Ligne entière",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let words = name.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A problem code's label; an unknown code reads as words.
pub fn problem(code: &str) -> String {
    let known = match code {
        "champ_obligatoire" => "champ obligatoire vide",
        "code_postal" => "code postal invalide",
        "colonne_double" => "colonne en double",
        "colonne_manquante" => "colonne manquante",
        "colonnes" => "nombre de colonnes inattendu",
        "dates_incoherentes" => "dates incohérentes",
        "doublon" => "ligne en double",
        "email" => "courriel invalide",
        "encodage" => "encodage illisible",
        "fichier_illisible" => "fichier illisible",
        "montant_negatif" => "montant négatif",
        "montant_vide" => "montant vide",
        "montant_trop_grand" => "montant trop grand",
        "montant_invalide" => "montant illisible",
        "montant_decimales" => "trop de décimales",
        "mois_invalide" => "mois illisible",
        "date_vide" => "date vide",
        "date_invalide" => "date illisible",
        "site_inconnu" => "site inconnu",
        "telephone" => "téléphone invalide",
        "valeur_inconnue" => "valeur inconnue",
        "id_vide" => "identifiant vide",
        "id_longueur" => "identifiant de mauvaise longueur",
        "id_format" => "identifiant mal formé",
        "id_cle" => "clé de contrôle fausse",
        "id_caractere" => "caractère interdit",
        "rib_cle" => "clé RIB fausse",
        "personne_rejetee" => "personne rejetée",
        "personne_inconnue" => "personne inconnue",
        "tiers_rejete" => "tiers rejeté",
        "tiers_inconnu" => "tiers inconnu",
        "droit_rejete" => "droit rejeté",
        "droit_inconnu" => "droit inconnu",
        "fournisseur_rejete" => "fournisseur rejeté",
        "fournisseur_inconnu" => "fournisseur inconnu",
        _ => "",
    };
    if known.is_empty() {
        code.replace('_', " ")
    } else {
        known.to_owned()
    }
}

/// A problem's message with its column named by its label where the reader put the column's
/// name ("date_naissance est vide…" → "Date de naissance est vide…").
pub fn message(column: &str, message: &str) -> String {
    if column.is_empty() || !column.contains('_') && column.chars().all(|c| c.is_lowercase()) {
        // A one-word column reads as a word already; only its first letter changes.
        if let Some(rest) = message.strip_prefix(column)
            && !column.is_empty()
        {
            return format!("{}{rest}", field(column));
        }
        return message.to_owned();
    }
    message.replace(column, &field(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        assert_eq!(field("date_naissance"), "Date de naissance");
        assert_eq!(field("colonne_inconnue"), "Colonne inconnue");
        assert_eq!(problem("id_cle"), "clé de contrôle fausse");
        assert_eq!(problem("nouveau_code"), "nouveau code");
        assert_eq!(
            message("date_naissance", "date_naissance est vide alors que…"),
            "Date de naissance est vide alors que…"
        );
        assert_eq!(
            message("telephone", "telephone « 12 » : trop court"),
            "Téléphone « 12 » : trop court"
        );
    }
}
