//! The systems' inventory as a CSV (`systemes.csv`): a header row naming the columns
//! `id`, `nom`, `fonction`, `criticite`, `responsable`, and optionally `site` and `statut`
//! (in any order, accents and case ignored); `;` or `,` as separator, UTF-8. Every bad cell
//! is reported with file:line:column and why; a file with one is refused whole.

use relais_core::crisis::{Criticality, NewSystem, SystemStatus};
use std::io::Read;

/// One problem, where it is.
pub type SystemsError = crate::table::CellError;

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
    let (rows, mut problems) = crate::table::read_table(input, file, &COLUMNS, REQUIRED)?;
    let err = |line: u64, column: usize, message: String| SystemsError {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    let mut systems: Vec<NewSystem> = Vec::new();
    let errors = &mut problems.errors;
    for record in &rows {
        let line = record.line;
        // (column number, value) of a field; an absent optional column reads as empty.
        let cell = |c: usize| -> (usize, String) {
            let (col, v) = record.cell(c);
            (col, v.to_owned())
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
    if problems.errors.is_empty() {
        Ok(systems)
    } else {
        Err(problems.errors)
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
