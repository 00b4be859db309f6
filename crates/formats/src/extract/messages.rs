//! Every message the reader gives, in French for the agents (what, where, what to do) and in
//! English for logs, next to its stable code. docs/extracts.md lists the codes.

use super::{Problem, Unreadable};

/// A problem with a field's value, before it is placed (field name, column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub code: &'static str,
    pub fr: String,
    pub en: String,
}

pub(crate) fn problem(column: Option<u32>, field: &str, e: FieldError) -> Problem {
    Problem {
        column,
        field: field.to_owned(),
        code: e.code.to_owned(),
        message_fr: e.fr,
        message_en: e.en,
    }
}

pub(crate) fn required(field: &str) -> FieldError {
    FieldError {
        code: "champ_obligatoire",
        fr: format!(
            "{field} est vide alors que ce champ est obligatoire : complétez-le dans le logiciel \
             d'origine puis refaites l'extraction"
        ),
        en: format!("{field} is empty but required: fill it in the source system and export again"),
    }
}

pub(crate) fn identifier(field: &str, value: &str, e: &relais_core::ids::IdError) -> FieldError {
    FieldError {
        code: e.code(),
        fr: format!("{field} « {value} » : {e} ; vérifiez-le sur la pièce d'origine"),
        en: format!(
            "{field} {value:?}: {}; check it against the original document",
            e.message_en()
        ),
    }
}

pub(crate) fn money(field: &str, e: &relais_core::money::MoneyError) -> FieldError {
    FieldError {
        code: e.code(),
        fr: format!("{field} : {e} ; écrivez le montant en euros, par exemple 1234,56"),
        en: format!(
            "{field}: {}; write the amount in euros, e.g. 1234.56",
            e.message_en()
        ),
    }
}

pub(crate) fn date(field: &str, e: &relais_core::calendar::DateError) -> FieldError {
    FieldError {
        code: e.code(),
        fr: format!("{field} : {e}"),
        en: format!("{field}: {}", e.message_en()),
    }
}

pub(crate) fn unknown_value(field: &str, value: &str, allowed: &[&str]) -> FieldError {
    let list = allowed.join(", ");
    FieldError {
        code: "valeur_inconnue",
        fr: format!("{field} « {value} » n'est pas une valeur connue ; valeurs possibles : {list}"),
        en: format!("{field} {value:?} is not a known value; allowed: {list}"),
    }
}

pub(crate) fn rate(field: &str, value: &str) -> FieldError {
    FieldError {
        code: "taux_illisible",
        fr: format!(
            "{field} « {value} » n'est pas un taux : un pourcentage avec au plus quatre décimales \
             est attendu (9,88 ou 0,035)"
        ),
        en: format!("{field} {value:?} is not a rate: a percentage with at most four decimals"),
    }
}

pub(crate) fn budget_code(field: &str, value: &str) -> FieldError {
    FieldError {
        code: "imputation_illisible",
        fr: format!(
            "{field} « {value} » n'est pas un code budgétaire : des chiffres sont attendus (6411, 020)"
        ),
        en: format!("{field} {value:?} is not a budget code: digits expected"),
    }
}

pub(crate) fn postal_code(value: &str) -> FieldError {
    FieldError {
        code: "code_postal",
        fr: format!("code postal « {value} » : un code postal s'écrit avec 5 chiffres (ex. 77000)"),
        en: format!("postal code {value:?}: a French postal code has 5 digits (e.g. 77000)"),
    }
}

pub(crate) fn phone(field: &str, value: &str) -> FieldError {
    FieldError {
        code: "telephone",
        fr: format!(
            "{field} « {value} » n'est pas un numéro français : 10 chiffres commençant par 0 \
             (01 23 45 67 89), ou +33, +262, +269, +590, +594, +596 suivis de 9 chiffres ; la \
             ligne est gardée sans ce numéro"
        ),
        en: format!(
            "{field} {value:?} is not a French phone number: 10 digits starting with 0, or \
             +33, +262, +269, +590, +594, +596 and 9 digits; the row is kept without it"
        ),
    }
}

pub(crate) fn email(field: &str, value: &str) -> FieldError {
    FieldError {
        code: "email",
        fr: format!(
            "{field} « {value} » n'est pas une adresse électronique (nom@domaine.fr) ; la ligne \
             est gardée sans cette adresse"
        ),
        en: format!(
            "{field} {value:?} is not an e-mail address (name@domain.fr); the row is kept \
             without it"
        ),
    }
}

pub(crate) fn negative(field: &str, value: &str, strictly_positive: bool) -> FieldError {
    let (fr, en) = if strictly_positive {
        (
            format!(
                "{field} « {value} » doit être supérieur à zéro : un droit sans montant ne se paie \
                 pas ; corrigez le montant ou clôturez le droit"
            ),
            format!("{field} {value:?} must be more than zero"),
        )
    } else {
        (
            format!("{field} « {value} » est négatif : un montant à payer ne peut pas l'être"),
            format!("{field} {value:?} is negative: an amount to pay cannot be"),
        )
    };
    FieldError {
        code: "montant_negatif",
        fr,
        en,
    }
}

pub(crate) fn dates_out_of_order(
    later: &str,
    later_value: &str,
    earlier: &str,
    earlier_value: &str,
) -> FieldError {
    FieldError {
        code: "dates_incoherentes",
        fr: format!(
            "{later} ({later_value}) est avant {earlier} ({earlier_value}) : l'une des deux dates \
             est fausse"
        ),
        en: format!("{later} ({later_value}) is before {earlier} ({earlier_value})"),
    }
}

pub(crate) fn encoding(field: &str) -> FieldError {
    FieldError {
        code: "encodage",
        fr: format!(
            "{field} contient des caractères qui ne sont pas de l'UTF-8, alors que le début du \
             fichier en est : réenregistrez le fichier entier en UTF-8"
        ),
        en: format!(
            "{field} holds bytes that are not UTF-8 while the start of the file is: save the \
             whole file as UTF-8"
        ),
    }
}

pub(crate) fn field_count(found: usize, expected: usize) -> Problem {
    Problem {
        column: None,
        field: String::new(),
        code: "colonnes".into(),
        message_fr: format!(
            "la ligne a {found} champs alors que l'en-tête a {expected} colonnes : un séparateur \
             ou un guillemet en trop ou en moins ? Corrigez la ligne dans le fichier"
        ),
        message_en: format!(
            "the row has {found} fields while the header has {expected} columns: a separator or \
             a quote too many or missing?"
        ),
    }
}

/// Lines shown in a duplicate's message: enough to find them, not a wall of numbers.
const LINES_SHOWN: usize = 5;

/// `lines` (the first few of `count` lines), listed, with the count when some are left out.
fn lines_list(lines: &[u64], count: usize, in_all: &str) -> String {
    let mut shown: Vec<String> = lines.iter().take(LINES_SHOWN).map(u64::to_string).collect();
    if count > shown.len() {
        shown.push(format!("… ({count} {in_all})"));
    }
    shown.join(", ")
}

/// The row's key is also on `other_lines` (the first few of `count` other rows).
pub(crate) fn duplicate(
    key_name: &str,
    key: &str,
    other_lines: &[u64],
    count: usize,
) -> FieldError {
    let plural = if count > 1 { "s" } else { "" };
    FieldError {
        code: "doublon",
        fr: format!(
            "{key_name} « {key} » figure aussi ligne{plural} {} : toutes ces lignes sont \
             rejetées ; n'en gardez qu'une dans l'extraction",
            lines_list(other_lines, count, "en tout")
        ),
        en: format!(
            "{key_name} {key:?} also appears on line{plural} {}: all these rows are rejected; \
             keep only one",
            lines_list(other_lines, count, "in all")
        ),
    }
}

/// What a reference points to, for `*_inconnu` / `*_rejete` problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Person,
    Payee,
    Right,
    Agent,
    Supplier,
}

impl Target {
    fn codes(self) -> (&'static str, &'static str) {
        match self {
            Target::Person => ("personne_inconnue", "personne_rejetee"),
            Target::Payee => ("tiers_inconnu", "tiers_rejete"),
            Target::Right => ("droit_inconnu", "droit_rejete"),
            Target::Agent => ("agent_inconnu", "agent_rejete"),
            Target::Supplier => ("fournisseur_inconnu", "fournisseur_rejete"),
        }
    }

    /// (French noun with its article, the same after « de » — `de` + `le` contracts to `du` —,
    /// English noun).
    fn nouns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Target::Person => ("la personne", "de la personne", "person"),
            Target::Payee => ("le tiers", "du tiers", "payee"),
            Target::Right => ("le droit", "du droit", "right"),
            Target::Agent => ("l'agent", "de l'agent", "agent"),
            Target::Supplier => ("le fournisseur", "du fournisseur", "supplier"),
        }
    }
}

pub(crate) fn unknown_reference(target: Target, field: &str, key: &str, file: &str) -> FieldError {
    let (noun_fr, _, noun_en) = target.nouns();
    FieldError {
        code: target.codes().0,
        fr: format!(
            "{field} « {key} » absent de {file} : ajoutez {noun_fr} à l'extraction ou corrigez \
             la référence"
        ),
        en: format!("{field} {key:?} is not in {file}: add the {noun_en} or fix the reference"),
    }
}

pub(crate) fn rejected_reference(target: Target, field: &str, key: &str, file: &str) -> FieldError {
    let (_, of_noun_fr, noun_en) = target.nouns();
    FieldError {
        code: target.codes().1,
        fr: format!(
            "{field} « {key} » : la ligne {of_noun_fr} dans {file} est rejetée ; corrigez-la \
             d'abord"
        ),
        en: format!("{field} {key:?}: the {noun_en}'s row in {file} is rejected; fix it first"),
    }
}

pub(crate) fn unknown_site(key: &str, file: &str) -> FieldError {
    FieldError {
        code: "site_inconnu",
        fr: format!(
            "site « {key} » absent de {file} (colonne site_code) : la personne est gardée, \
             sans site de rattachement ; ajoutez le site à l'annuaire ou corrigez le code"
        ),
        en: format!(
            "site {key:?} is not in {file} (site_code column): the person is kept, attached to \
             no site; add it or fix the code"
        ),
    }
}

// Files that cannot be read at all.

fn quoted_list(items: &[String], max: usize) -> String {
    let mut out: Vec<String> = items.iter().take(max).map(|h| format!("« {h} »")).collect();
    if items.len() > max {
        out.push("…".into());
    }
    out.join(", ")
}

pub(crate) fn mapped_column(field: &str, theirs: &str) -> String {
    format!("{field} (colonne « {theirs} » d'après le profil)")
}

pub(crate) fn double_column(field: &str, indices: &[usize], headers: &[String]) -> String {
    let columns: Vec<String> = indices.iter().map(|i| (i + 1).to_string()).collect();
    let names: Vec<String> = indices
        .iter()
        .filter_map(|&i| headers.get(i).cloned())
        .collect();
    format!(
        "{field} : colonnes {} ({})",
        columns.join(" et "),
        quoted_list(&names, 10)
    )
}

pub(crate) fn missing_columns(file: &str, missing: &[String], headers: &[String]) -> Unreadable {
    let list = missing.join(", ");
    let read = quoted_list(headers, 30);
    Unreadable {
        file: file.to_owned(),
        code: "colonne_manquante".into(),
        message_fr: format!(
            "colonne(s) obligatoire(s) absente(s) : {list}. En-tête lu : {read}. Ajoutez ces \
             colonnes à l'extraction, ou donnez leur nom dans un profil de correspondance \
             (--profile)"
        ),
        message_en: format!(
            "missing required column(s): {list}. Header read: {read}. Add them to the export, or \
             map them in a profile (--profile)"
        ),
    }
}

pub(crate) fn double_columns(file: &str, doubles: &[String]) -> Unreadable {
    let list = doubles.join(" ; ");
    Unreadable {
        file: file.to_owned(),
        code: "colonne_double".into(),
        message_fr: format!(
            "plusieurs colonnes pour un même champ : {list}. Supprimez la colonne en trop, ou \
             désignez la bonne dans un profil de correspondance (--profile)"
        ),
        message_en: format!(
            "several columns for one field: {list}. Remove the extra one, or name the right one \
             in a profile (--profile)"
        ),
    }
}

pub(crate) fn io_error(file: &str, e: &std::io::Error) -> Unreadable {
    Unreadable {
        file: file.to_owned(),
        code: "fichier_illisible".into(),
        message_fr: format!(
            "lecture impossible ({e}) : vérifiez que le fichier est complet et que vous avez le \
             droit de lire ce fichier"
        ),
        message_en: format!("cannot read the file ({e})"),
    }
}

/// A temporary file of the key checks (`spill.rs`) could not be written or read back: the file
/// cannot be checked, through no fault of its own.
pub(crate) fn spill_error(file: &str, e: &std::io::Error) -> Unreadable {
    Unreadable {
        file: file.to_owned(),
        code: "fichier_illisible".into(),
        message_fr: format!(
            "contrôle impossible : le fichier temporaire du contrôle des clés n'a pas pu être \
             écrit ou relu ({e}) ; vérifiez la place libre du dossier temporaire"
        ),
        message_en: format!(
            "cannot check the file: a temporary file of the key checks failed ({e}); check the \
             free space of the temporary folder"
        ),
    }
}

pub(crate) fn not_text(file: &str) -> Unreadable {
    Unreadable {
        file: file.to_owned(),
        code: "fichier_illisible".into(),
        message_fr: "ce n'est pas un fichier texte (un classeur Excel, une archive, un PDF ?) : \
                     enregistrez-le au format CSV"
            .into(),
        message_en: "not a text file (a spreadsheet, an archive, a PDF?): save it as CSV".into(),
    }
}

pub(crate) fn empty(file: &str) -> Unreadable {
    Unreadable {
        file: file.to_owned(),
        code: "fichier_illisible".into(),
        message_fr: "fichier vide : il n'a même pas de ligne d'en-tête ; refaites l'extraction"
            .into(),
        message_en: "empty file: not even a header line".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every French message the reader can give, with sample values.
    fn every_message_fr() -> Vec<String> {
        let mut fr: Vec<String> = Vec::new();
        let targets = [
            Target::Person,
            Target::Payee,
            Target::Right,
            Target::Agent,
            Target::Supplier,
        ];
        for t in targets {
            fr.push(unknown_reference(t, "tiers_id", "T1", "tiers.csv").fr);
            fr.push(rejected_reference(t, "tiers_id", "T1", "tiers.csv").fr);
        }
        let io = std::io::Error::other("disque");
        let headers = vec!["nom".to_owned(), "Nom".to_owned()];
        fr.extend([
            required("nom").fr,
            unknown_value("statut", "x", &["a", "b"]).fr,
            postal_code("7700").fr,
            phone("telephone", "01").fr,
            email("email", "a.b").fr,
            negative("montant", "-1", true).fr,
            negative("montant", "-1", false).fr,
            dates_out_of_order("date_fin", "1", "date_debut", "2").fr,
            encoding("nom").fr,
            field_count(3, 9).message_fr,
            duplicate("dossier", "D1", &[2, 3], 2).fr,
            unknown_site("MDS", "annuaire.csv").fr,
            mapped_column("nom", "NOM"),
            double_column("nom", &[0, 1], &headers),
            missing_columns("f.csv", &headers, &headers).message_fr,
            double_columns("f.csv", &headers).message_fr,
            io_error("f.csv", &io).message_fr,
            spill_error("f.csv", &io).message_fr,
            not_text("f.csv").message_fr,
            empty("f.csv").message_fr,
        ]);
        fr
    }

    #[test]
    fn french_messages_contract_de_and_a_before_le_and_les() {
        for m in every_message_fr() {
            for wrong in [" de le ", " de les ", " à le ", " à les "] {
                assert!(!m.contains(wrong), "« {wrong} » in: {m}");
            }
        }
        let m = rejected_reference(Target::Payee, "tiers_id", "T1", "tiers.csv").fr;
        assert!(m.contains("la ligne du tiers dans tiers.csv"), "{m}");
        let m = rejected_reference(Target::Right, "droit_id", "R1", "droits.csv").fr;
        assert!(m.contains("la ligne du droit dans droits.csv"), "{m}");
        let m = rejected_reference(Target::Person, "dossier", "D1", "b.csv").fr;
        assert!(m.contains("la ligne de la personne dans"), "{m}");
    }

    #[test]
    fn duplicate_lines_are_listed_then_cut() {
        let e = duplicate("dossier", "D1", &[7], 1);
        assert!(e.fr.contains("aussi ligne 7 :"), "{}", e.fr);
        let e = duplicate("dossier", "D1", &[2, 3, 4, 5, 6, 7], 7);
        assert!(
            e.fr.contains("lignes 2, 3, 4, 5, 6, … (7 en tout)"),
            "{}",
            e.fr
        );
        assert!(e.en.contains("(7 in all)"), "{}", e.en);
    }
}
