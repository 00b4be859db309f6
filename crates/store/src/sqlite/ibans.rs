//! The bank accounts of a run shown for review in its control report: one IBAN paid to
//! unrelated payees, and one guardian's IBAN paid for several protected people (Code civil
//! art. 427: a protected person's money is kept in accounts opened in their own name, so a
//! guardian paid for three people into one account mixes three people's money).

use super::blocks;
use crate::StoreError;
use crate::runs::{RunLine, RunStoreError};
use relais_core::records::PayeeKind;
use relais_core::run::{AnomalyKind, IbanHolder, may_share_iban};
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many protected people a guardian's anomaly names (the count says how many there are).
const NAMED_PEOPLE: usize = 10;

/// One account flagged, shown on a line of the payee it names.
pub(crate) struct Flag {
    pub kind: AnomalyKind,
    pub payee_id: String,
    pub payee_name: String,
    pub detail: String,
    /// The line the anomaly is shown on: the payee's first line in the run.
    pub line: RunLine,
}

/// A payee of the run with an IBAN some other payee or person shares.
pub(crate) struct Sharer {
    pub(crate) iban: String,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) siret: Option<String>,
    pub(crate) kind: String,
}

/// Each line of a run's mandated list, given to the callback (whichever backend reads them).
pub(crate) type EachLine<'a> = &'a mut dyn FnMut(
    &mut dyn FnMut(&RunLine) -> Result<(), RunStoreError>,
) -> Result<(), RunStoreError>;

/// The accounts of run `run` to review: shared by unrelated payees, and a guardian's
/// account paid for several protected people. One pass over the run's lines when any is
/// found, none otherwise.
pub(super) fn flagged(conn: &Connection, run: &str) -> Result<Vec<Flag>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT p.iban, p.payee_id, p.name, p.siret, p.kind FROM run_payees p
         WHERE p.run_id = ?1 AND (p.kind = ?2 OR p.iban IN (
             SELECT iban FROM run_payees WHERE run_id = ?1 GROUP BY iban HAVING count(*) > 1))
         ORDER BY p.iban, p.payee_id",
    )?;
    let rows: Vec<Sharer> = stmt
        .query_map([run, PayeeKind::Tuteur.code()], |r| {
            Ok(Sharer {
                iban: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                siret: r.get(3)?,
                kind: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    flags_of(&rows, &mut |each| blocks::each_line(conn, run, false, each))
}

/// [`flagged`] from the run's payees sharing an IBAN or guardians (`rows`, by IBAN then
/// payee) and its lines.
pub(crate) fn flags_of(rows: &[Sharer], lines: EachLine<'_>) -> Result<Vec<Flag>, StoreError> {
    // Payee → (kind, name, detail) for accounts shared by unrelated holders.
    let mut unrelated: Vec<(String, String, String)> = Vec::new();
    for group in rows.chunk_by(|a, b| a.iban == b.iban) {
        if group.len() > 1 && !related(group) {
            let names: Vec<String> = group
                .iter()
                .map(|r| format!("{} ({})", r.id, r.name))
                .collect();
            let detail = format!("IBAN partagé par : {}", names.join(", "));
            unrelated.extend(
                group
                    .iter()
                    .map(|r| (r.id.clone(), r.name.clone(), detail.clone())),
            );
        }
    }
    // Guardians, by IBAN (one guardian may be several payees of the same account).
    let guardians: HashMap<&str, &Sharer> = rows
        .iter()
        .filter(|r| r.kind == PayeeKind::Tuteur.code())
        .map(|r| (r.id.as_str(), r))
        .collect();
    if unrelated.is_empty() && guardians.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: BTreeSet<&str> = unrelated.iter().map(|(p, ..)| p.as_str()).collect();
    let mut first: HashMap<String, RunLine> = HashMap::new();
    // IBAN → the protected people paid into it (dossier → name), and its first line's payee.
    let mut protected: BTreeMap<&str, (BTreeMap<String, String>, &Sharer)> = BTreeMap::new();
    lines(&mut |line| {
        let payee = line.payee_id.as_str();
        let guardian = guardians.get(payee);
        if (wanted.contains(payee) || guardian.is_some()) && !first.contains_key(payee) {
            first.insert(line.payee_id.clone(), line.clone());
        }
        if let Some(g) = guardian {
            let (people, _) = protected
                .entry(g.iban.as_str())
                .or_insert_with(|| (BTreeMap::new(), g));
            if !people.contains_key(&line.dossier) {
                let name = format!("{} {}", line.last_name, line.first_name);
                people.insert(line.dossier.clone(), name.trim().to_owned());
            }
        }
        Ok(())
    })
    .map_err(|e| match e {
        RunStoreError::Store(e) => e,
        other => StoreError::Corrupt(other.to_string()),
    })?;
    let mut flags = Vec::new();
    for (payee, name, detail) in unrelated {
        if let Some(line) = first.get(&payee) {
            flags.push(Flag {
                kind: AnomalyKind::SharedIban,
                line: line.clone(),
                payee_id: payee,
                payee_name: name,
                detail,
            });
        }
    }
    for (people, guardian) in protected.into_values() {
        if people.len() < 2 {
            continue;
        }
        let Some(line) = first.get(&guardian.id) else {
            continue;
        };
        let named: Vec<String> = people
            .iter()
            .take(NAMED_PEOPLE)
            .map(|(dossier, name)| format!("{name} ({dossier})"))
            .collect();
        let more = people.len().saturating_sub(NAMED_PEOPLE);
        let tail = if more > 0 {
            format!(" et {more} autres")
        } else {
            String::new()
        };
        flags.push(Flag {
            kind: AnomalyKind::GuardianSharedIban,
            line: line.clone(),
            payee_id: guardian.id.clone(),
            payee_name: guardian.name.clone(),
            detail: format!(
                "un seul compte pour {} personnes protégées : {}{tail} (un compte au nom de chacune, art. 427 du Code civil)",
                people.len(),
                named.join(", ")
            ),
        });
    }
    Ok(flags)
}

/// Whether every two payees of one account may share it (see [`may_share_iban`]).
fn related(group: &[Sharer]) -> bool {
    let holder = |r: &Sharer| -> (Option<String>, String) {
        let siren = r.siret.as_ref().and_then(|s| s.get(..9)).map(str::to_owned);
        // A person's family name is the first word of the payee's name (NOM Prénom).
        let family = r.name.split_whitespace().next().unwrap_or("").to_owned();
        (siren, family)
    };
    let holders: Vec<(Option<String>, String)> = group.iter().map(holder).collect();
    holders.iter().all(|a| {
        holders.iter().all(|b| {
            may_share_iban(
                &IbanHolder {
                    siren: a.0.as_deref(),
                    family_name: &a.1,
                },
                &IbanHolder {
                    siren: b.0.as_deref(),
                    family_name: &b.1,
                },
            )
        })
    })
}
