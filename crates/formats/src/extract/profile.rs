//! Mapping profiles (TOML): rename another system's columns to ours, name its files, set
//! defaults for columns it lacks.
//!
//! Names are checked when a profile is read: a section that is not one of our files, or a
//! column that is not one of ours, is an error that names it, in French, rather than a
//! mapping silently ignored. Our names are matched like headers (`Date Naissance` =
//! `date_naissance`); their headers too, when the file is read.
//!
//! ```toml
//! [beneficiaires]
//! file = "EXPORT_BENEF.csv"          # optional: the file's name in the folder
//! [beneficiaires.columns]            # our column = their header
//! dossier = "NUM_DOSSIER"
//! date_naissance = "DT_NAISS"
//! [beneficiaires.defaults]           # value used when the column is absent or the cell empty
//! site = "MDS-01"
//! ```

use super::Entity;
use relais_core::text::header_key;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A mapping profile; `Profile::default()` maps nothing.
// No `deny_unknown_fields` here: with `flatten` serde would call every section unknown.
// Section names are checked by `Profile::check` instead, with a message that lists ours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Profile {
    #[serde(flatten)]
    pub entities: BTreeMap<String, EntityProfile>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityProfile {
    pub file: Option<String>,
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
}

/// Why a profile cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("profil de correspondance : {message_fr}")]
pub struct ProfileError {
    pub message_fr: String,
    pub message_en: String,
}

fn error(fr: String, en: String) -> ProfileError {
    ProfileError {
        message_fr: fr,
        message_en: en,
    }
}

fn entity_of(section: &str) -> Result<Entity, ProfileError> {
    Entity::from_name(&header_key(section)).ok_or_else(|| {
        let names: Vec<&str> = Entity::ALL.iter().map(|e| e.name()).collect();
        let list = names.join(", ");
        error(
            format!("section [{section}] inconnue : les fichiers d'extraction sont {list}"),
            format!("unknown section [{section}]: the extract files are {list}"),
        )
    })
}

/// Our column `name` of `entity`, in canonical form, or an error naming the table.
fn column_of(entity: Entity, table: &str, name: &str) -> Result<String, ProfileError> {
    let key = header_key(name);
    if entity.has_column(&key) {
        return Ok(key);
    }
    let list = entity.columns().join(", ");
    let file = entity.name();
    Err(error(
        format!(
            "[{file}.{table}] : « {name} » n'est pas une colonne de {file}.csv ; ses colonnes \
             sont {list}"
        ),
        format!("[{file}.{table}]: {name:?} is not a column of {file}.csv; its columns are {list}"),
    ))
}

fn check_file_name(entity: Entity, file: &str) -> Result<(), ProfileError> {
    let name = entity.name();
    if file.trim().is_empty() || file.contains(['/', '\\']) || file == "." || file == ".." {
        return Err(error(
            format!(
                "[{name}] file = « {file} » : donnez un nom de fichier du dossier des extractions, \
                 sans chemin"
            ),
            format!("[{name}] file = {file:?}: give a file name in the extracts folder, no path"),
        ));
    }
    Ok(())
}

impl Profile {
    /// Parses a profile's TOML text, checking entity and column names against the format.
    pub fn parse(text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let detail = e.message().to_owned();
            let place = e
                .span()
                .map(|s| {
                    let line = text
                        .get(..s.start)
                        .map(|t| t.lines().count().max(1))
                        .unwrap_or(1);
                    format!(" (ligne {line})")
                })
                .unwrap_or_default();
            error(
                format!("ce n'est pas un profil valide{place} : {detail}"),
                format!(
                    "not a valid profile{}: {detail}",
                    place.replace("ligne", "line")
                ),
            )
        })?;
        profile.check()
    }

    /// Checks the names of a profile (built in code or parsed), giving it with our names in
    /// canonical form (`Beneficiaires` → `beneficiaires`, `Date Naissance` →
    /// `date_naissance`).
    pub fn check(self) -> Result<Profile, ProfileError> {
        let mut entities = BTreeMap::new();
        for (section, ep) in self.entities {
            let entity = entity_of(&section)?;
            if let Some(file) = &ep.file {
                check_file_name(entity, file)?;
            }
            let mut columns = BTreeMap::new();
            for (ours, theirs) in ep.columns {
                let ours = column_of(entity, "columns", &ours)?;
                if theirs.trim().is_empty() {
                    return Err(error(
                        format!("[{}.columns] {ours} : nom de colonne vide", entity.name()),
                        format!("[{}.columns] {ours}: empty column name", entity.name()),
                    ));
                }
                columns.insert(ours, theirs);
            }
            let mut defaults = BTreeMap::new();
            for (ours, value) in ep.defaults {
                defaults.insert(column_of(entity, "defaults", &ours)?, value);
            }
            let checked = EntityProfile {
                file: ep.file,
                columns,
                defaults,
            };
            if entities.insert(entity.name().to_owned(), checked).is_some() {
                return Err(error(
                    format!("section [{section}] en double"),
                    format!("section [{section}] given twice"),
                ));
            }
        }
        Ok(Profile { entities })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalizes() {
        let p = Profile::parse(
            r#"
            [Beneficiaires]
            file = "EXPORT_BENEF.csv"
            [Beneficiaires.columns]
            dossier = "NUM_DOSSIER"
            "Date Naissance" = "DT_NAISS"
            [Beneficiaires.defaults]
            site = "MDS-01"
            [droits.defaults]
            statut = "en_paiement"
            "#,
        )
        .expect("profile");
        let b = p.entities.get("beneficiaires").expect("section");
        assert_eq!(b.file.as_deref(), Some("EXPORT_BENEF.csv"));
        assert_eq!(
            b.columns.get("date_naissance").map(String::as_str),
            Some("DT_NAISS")
        );
        assert_eq!(b.defaults.get("site").map(String::as_str), Some("MDS-01"));
        assert!(p.entities.contains_key("droits"));
        assert_eq!(Profile::parse("").expect("empty"), Profile::default());
    }

    #[test]
    fn unknown_names_are_named_in_french() {
        let e = Profile::parse("[benefs.columns]\ndossier = \"X\"\n").expect_err("entity");
        assert!(
            e.message_fr.contains("[benefs] inconnue"),
            "{}",
            e.message_fr
        );
        assert!(e.message_fr.contains("beneficiaires"), "{}", e.message_fr);

        let e = Profile::parse("[tiers.columns]\nrib = \"RIB\"\n").expect_err("column");
        assert!(
            e.message_fr
                .contains("« rib » n'est pas une colonne de tiers.csv"),
            "{}",
            e.message_fr
        );
        assert!(e.message_fr.contains("iban"), "{}", e.message_fr);

        let e = Profile::parse("[tiers.defaults]\nrib = \"x\"\n").expect_err("default");
        assert!(
            e.message_fr.contains("[tiers.defaults]"),
            "{}",
            e.message_fr
        );

        let e = Profile::parse("[tiers]\nfichier = \"x.csv\"\n").expect_err("field");
        assert!(
            e.message_fr.contains("pas un profil valide"),
            "{}",
            e.message_fr
        );
        assert!(e.message_fr.contains("fichier"), "{}", e.message_fr);

        let e = Profile::parse("[tiers]\nfile = \"../x.csv\"\n").expect_err("path");
        assert!(e.message_fr.contains("sans chemin"), "{}", e.message_fr);

        let e = Profile::parse("[tiers\n").expect_err("syntax");
        assert!(e.message_fr.contains("ligne 1"), "{}", e.message_fr);
        assert!(e.to_string().starts_with("profil de correspondance : "));
    }

    #[test]
    fn one_entity_given_twice_is_refused() {
        let e = Profile::parse("[tiers]\nfile = \"a.csv\"\n[Tiers]\nfile = \"b.csv\"\n")
            .expect_err("twice");
        assert!(e.message_fr.contains("en double"), "{}", e.message_fr);
    }
}
