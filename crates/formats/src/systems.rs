//! The systems' inventory as a CSV (`systemes.csv`): a header row naming the columns
//! `id`, `nom`, `fonction`, `criticite`, `responsable`, and optionally `site` and `statut`
//! (in any order, accents and case ignored); `;` or `,` as separator, UTF-8. Every bad cell
//! is reported with file:line:column and why; a file with one is refused whole.

use relais_core::crisis::{Criticality, NewSystem, SystemStatus};
use relais_core::text::search_key;
use std::io::Read;

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column} : {message}")]
pub struct SystemsError {
    pub file: String,
    pub line: u64,
    pub column: usize,
    pub message: String,
}

const COLUMNS: [&str; 7] = [
    "id",
    "nom",
    "fonction",
    "criticite",
    "responsable",
    "site",
    "statut",
];
const REQUIRED: usize = 5;

/// Reads the inventory; every problem of the file, or its systems.
pub fn read_systems(input: impl Read, file: &str) -> Result<Vec<NewSystem>, Vec<SystemsError>> {
    let mut bytes = Vec::new();
    let mut input = input;
    let err = |line: u64, column: usize, message: String| SystemsError {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    if let Err(e) = input.read_to_end(&mut bytes) {
        return Err(vec![err(0, 0, format!("lecture impossible : {e}"))]);
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}'),
        Err(e) => {
            return Err(vec![err(
                1,
                0,
                format!("le fichier n'est pas en UTF-8 ({e})"),
            )]);
        }
    };
    let first = text.lines().next().unwrap_or("");
    let separator = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![err(1, 0, format!("en-tête illisible ({e})"))]),
    };
    let mut at = [None; COLUMNS.len()];
    for (i, name) in header.iter().enumerate() {
        let key = search_key(name).replace(' ', "");
        if let Some(c) = COLUMNS.iter().position(|c| *c == key)
            && let Some(slot) = at.get_mut(c)
        {
            *slot = Some(i);
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(at)
        .take(REQUIRED)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(vec![err(
            1,
            0,
            format!(
                "colonne(s) manquante(s) : {} (attendu : {})",
                missing.join(", "),
                COLUMNS.join(", ")
            ),
        )]);
    }
    let mut systems: Vec<NewSystem> = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, 0, format!("ligne illisible ({e})")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // (column number, value) of a field; an absent optional column reads as empty.
        let cell = |c: usize| -> (usize, String) {
            let i = at.get(c).copied().flatten();
            let value = i
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned();
            (i.map_or(0, |i| i + 1), value)
        };
        let mut row_errors = Vec::new();
        let mut required = |c: usize| -> String {
            let (col, v) = cell(c);
            if v.is_empty() {
                row_errors.push(err(line, col, format!("« {} » est vide", COLUMNS[c])));
            }
            v
        };
        let id = required(0);
        let name = required(1);
        let function = required(2);
        let criticality_text = required(3);
        let owner = required(4);
        let criticality = Criticality::parse(&criticality_text);
        if criticality.is_none() && !criticality_text.is_empty() {
            row_errors.push(err(
                line,
                cell(3).0,
                format!(
                    "criticité inconnue « {criticality_text} » (attendu : {})",
                    Criticality::expected()
                ),
            ));
        }
        let (status_col, status_text) = cell(6);
        let status = if status_text.is_empty() {
            Some(SystemStatus::Compromised)
        } else {
            SystemStatus::parse(&status_text)
        };
        if status.is_none() {
            row_errors.push(err(
                line,
                status_col,
                format!(
                    "statut inconnu « {status_text} » (attendu : {})",
                    SystemStatus::expected()
                ),
            ));
        }
        if systems.iter().any(|s| s.id == id) {
            row_errors.push(err(
                line,
                cell(0).0,
                format!("identifiant « {id} » en double"),
            ));
        }
        match (criticality, status) {
            (Some(criticality), Some(status)) if row_errors.is_empty() => {
                let site = Some(cell(5).1).filter(|s| !s.is_empty());
                systems.push(NewSystem {
                    id,
                    name,
                    function,
                    criticality,
                    owner,
                    site,
                    status,
                });
            }
            _ => errors.extend(row_errors),
        }
    }
    if errors.is_empty() {
        Ok(systems)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_any_column_order_and_either_separator() {
        let csv = "Nom;ID;Fonction;Criticité;Responsable;Statut\n\
                   Paie;GRH;Paie des agents;critique;DRH;isolé\n\
                   Site web;WEB;Information;normale;DSI;\n";
        let systems = read_systems(csv.as_bytes(), "systemes.csv").expect("read");
        assert_eq!(systems.len(), 2);
        assert_eq!(systems[0].id, "GRH");
        assert_eq!(systems[0].status, SystemStatus::Isolated);
        assert_eq!(systems[1].status, SystemStatus::Compromised);
        assert_eq!(systems[1].site, None);
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_column() {
        let csv = "id,nom,fonction,criticite,responsable\n\
                   GRH,Paie,Paie,vitale,DRH\n\
                   ,Web,Info,normale,DSI\n\
                   GRH2,Paie2,Paie,critique,\n";
        let errors = read_systems(csv.as_bytes(), "s.csv").expect_err("refused");
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "s.csv:2:4 : criticité inconnue « vitale » (attendu : critique, importante, normale)",
                "s.csv:3:1 : « id » est vide",
                "s.csv:4:5 : « responsable » est vide",
            ]
        );
        let missing = read_systems("id;nom\nA;B\n".as_bytes(), "s.csv").expect_err("refused");
        assert!(
            missing[0]
                .message
                .contains("fonction, criticite, responsable")
        );
    }
}
