//! From a header line to where each of our columns is: by the profile's mapping first, then by
//! name, matched on `text::header_key` (`Date Naissance` = `date_naissance`, `Prénom` =
//! `prenom`). Columns that feed none of ours are kept as extra columns.

use super::messages;
use super::profile::EntityProfile;
use super::record_reader::RawRecord;
use super::schema::{self, Presence};
use super::{Entity, Unreadable};
use relais_core::text::header_key;

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A column of the file (0-based), with the profile's default for empty cells.
    Column {
        index: usize,
        default: Option<String>,
    },
    /// No such column: the profile's default, for every row.
    Default(String),
    /// No such column, and the field is optional.
    Absent,
}

/// How a file's columns map to ours.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// One per field of the entity, in schema order.
    pub sources: Vec<Source>,
    /// One per column of the file: the header as written (trimmed).
    pub headers: Vec<String>,
    /// One per column of the file: our field's name, or the header for extra columns; what
    /// rejected rows and problems call the column.
    pub names: Vec<String>,
    /// Columns that feed none of our fields, in file order.
    pub extras: Vec<usize>,
}

impl Layout {
    /// Whether `header` is the header this layout was made from (the file was not replaced
    /// between the two passes).
    pub fn same_header(&self, header: RawRecord<'_>) -> bool {
        header.len() == self.headers.len()
            && header
                .iter()
                .zip(&self.headers)
                .all(|(raw, h)| clean_header(raw) == *h)
    }

    /// The 1-based column of field `f`, when it is read from the file.
    pub fn column_of(&self, f: usize) -> Option<u32> {
        match self.sources.get(f) {
            Some(Source::Column { index, .. }) => u32::try_from(index + 1).ok(),
            _ => None,
        }
    }
}

fn clean_header(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_owned()
}

/// Our field names the profile maps (normalized), with their header key in the file.
fn profile_columns(ep: Option<&EntityProfile>) -> Vec<(String, String, String)> {
    ep.map(|p| {
        p.columns
            .iter()
            .map(|(ours, theirs)| (header_key(ours), header_key(theirs), theirs.clone()))
            .collect()
    })
    .unwrap_or_default()
}

fn profile_default(ep: Option<&EntityProfile>, field: &str) -> Option<String> {
    ep?.defaults
        .iter()
        .find(|(ours, _)| header_key(ours) == field)
        .map(|(_, v)| v.trim().to_owned())
}

/// Maps the header record of `file` for `entity`.
pub(crate) fn map_header(
    entity: Entity,
    file: &str,
    header: RawRecord<'_>,
    ep: Option<&EntityProfile>,
) -> Result<Layout, Unreadable> {
    let headers: Vec<String> = header.iter().map(clean_header).collect();
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mapped = profile_columns(ep);
    // A column the profile gives to one of our fields is not also matched by name.
    let claimed: Vec<bool> = keys
        .iter()
        .map(|k| !k.is_empty() && mapped.iter().any(|(_, theirs, _)| theirs == k))
        .collect();

    let fields = schema::fields(entity);
    let mut sources = Vec::with_capacity(fields.len());
    let mut missing: Vec<String> = Vec::new();
    let mut doubles: Vec<String> = Vec::new();
    for spec in fields {
        let by_profile = mapped.iter().find(|(ours, _, _)| ours == spec.name);
        let matches: Vec<usize> = match by_profile {
            Some((_, theirs, _)) => keys
                .iter()
                .enumerate()
                .filter(|(_, k)| !k.is_empty() && *k == theirs)
                .map(|(i, _)| i)
                .collect(),
            None => keys
                .iter()
                .enumerate()
                .filter(|&(i, k)| k == spec.name && !claimed.get(i).copied().unwrap_or(false))
                .map(|(i, _)| i)
                .collect(),
        };
        let default = profile_default(ep, spec.name);
        let source = match matches.as_slice() {
            [index] => Source::Column {
                index: *index,
                default,
            },
            [] => match (default, spec.presence) {
                (Some(d), _) => Source::Default(d),
                (None, Presence::Optional) => Source::Absent,
                (None, _) => {
                    missing.push(match by_profile {
                        Some((_, _, theirs)) => messages::mapped_column(spec.name, theirs),
                        None => spec.name.to_owned(),
                    });
                    Source::Absent
                }
            },
            several => {
                doubles.push(messages::double_column(spec.name, several, &headers));
                Source::Absent
            }
        };
        sources.push(source);
    }
    if !missing.is_empty() {
        return Err(messages::missing_columns(file, &missing, &headers));
    }
    if !doubles.is_empty() {
        return Err(messages::double_columns(file, &doubles));
    }

    let mut used = vec![false; headers.len()];
    for s in &sources {
        if let Source::Column { index, .. } = s
            && let Some(u) = used.get_mut(*index)
        {
            *u = true;
        }
    }
    let mut names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if h.is_empty() {
                format!("colonne_{}", i + 1)
            } else {
                h.clone()
            }
        })
        .collect();
    for (f, s) in sources.iter().enumerate() {
        if let Source::Column { index, .. } = s
            && let (Some(name), Some(spec)) = (names.get_mut(*index), fields.get(f))
        {
            *name = spec.name.to_owned();
        }
    }
    let extras = used
        .iter()
        .enumerate()
        .filter(|(_, u)| !**u)
        .map(|(i, _)| i)
        .collect();
    Ok(Layout {
        sources,
        headers,
        names,
        extras,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::record_reader::RecordReader;

    fn layout(
        entity: Entity,
        header: &str,
        ep: Option<&EntityProfile>,
    ) -> Result<Layout, Unreadable> {
        let mut r = RecordReader::new(header.as_bytes(), b';');
        r.next_record().expect("read");
        map_header(entity, "x.csv", r.record(), ep)
    }

    #[test]
    fn headers_match_regardless_of_case_accents_and_spacing() {
        let l = layout(
            Entity::Paiements,
            " Droit ID ;MOIS;Montant;Date-Paiement;Référence;Commentaire;",
            None,
        )
        .expect("layout");
        assert_eq!(
            l.sources.first(),
            Some(&Source::Column {
                index: 0,
                default: None
            })
        );
        assert_eq!(l.column_of(schema::paiements::REFERENCE), Some(5));
        assert_eq!(l.extras, vec![5, 6]);
        assert_eq!(l.headers.get(5).map(String::as_str), Some("Commentaire"));
        assert_eq!(l.names.get(6).map(String::as_str), Some("colonne_7"));
        assert_eq!(l.names.get(4).map(String::as_str), Some("reference"));
    }

    #[test]
    fn missing_required_columns_are_all_named() {
        let e = layout(Entity::Paiements, "droit_id;montant", None).expect_err("missing");
        assert_eq!(e.code, "colonne_manquante");
        assert!(e.message_fr.contains("mois"), "{}", e.message_fr);
        assert!(e.message_fr.contains("date_paiement"), "{}", e.message_fr);
        assert!(e.message_fr.contains("reference"), "{}", e.message_fr);
    }

    #[test]
    fn two_columns_for_one_field_are_refused() {
        let e = layout(
            Entity::Paiements,
            "droit_id;mois;Mois;montant;date_paiement;reference",
            None,
        )
        .expect_err("double");
        assert_eq!(e.code, "colonne_double");
        assert!(e.message_fr.contains("colonnes 2 et 3"), "{}", e.message_fr);
    }

    #[test]
    fn profile_renames_and_defaults() {
        let mut ep = EntityProfile::default();
        ep.columns.insert("droit_id".into(), "NUM DROIT".into());
        ep.columns.insert("mois".into(), "droit_id".into());
        ep.defaults.insert("reference".into(), " SANS ".into());
        let l = layout(
            Entity::Paiements,
            "droit_id;num_droit;montant;date_paiement",
            Some(&ep),
        )
        .expect("layout");
        assert_eq!(l.column_of(schema::paiements::DROIT_ID), Some(2));
        // The column `droit_id` is the profile's `mois`, not matched by name.
        assert_eq!(l.column_of(schema::paiements::MOIS), Some(1));
        assert_eq!(
            l.sources.get(schema::paiements::REFERENCE),
            Some(&Source::Default("SANS".into()))
        );
        assert!(l.extras.is_empty());

        let e = layout(
            Entity::Paiements,
            "droit_id;montant;date_paiement;reference",
            Some(&ep),
        )
        .expect_err("their column is missing");
        assert!(e.message_fr.contains("NUM DROIT"), "{}", e.message_fr);
    }

    #[test]
    fn optional_columns_may_be_missing() {
        let l = layout(
            Entity::Droits,
            "droit_id;dossier;prestation;montant_mensuel;date_debut;date_fin;statut;tiers_id",
            None,
        )
        .expect("layout");
        assert_eq!(
            l.sources.get(schema::droits::IMPUTATION),
            Some(&Source::Absent)
        );
    }
}
