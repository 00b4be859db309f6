//! A batch of invoice steps typed in a spreadsheet (`relais factures lot`): the services
//! certifying their service fait (`facture`, `verifie`, optional `montant`), or the liquidation
//! agents liquidating (`facture`, `nature`, `fonction`, optional `montant`). Read as a
//! [`crate::table`]: every bad cell named by file:line:column; a file with one is refused
//! whole, and the store records a batch whole or not at all.

use crate::table::{CellError, read_table};
use relais_core::Cents;
use relais_core::invoices::lifecycle::StepRequest;
use std::io::Read;

/// Which step a batch records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStep {
    ServiceDone,
    Liquidate,
}

/// Reads a batch of `step`s: (line, invoice, step asked) in the file's order.
pub fn read_invoice_steps(
    input: impl Read,
    file: &str,
    step: BatchStep,
) -> Result<Vec<(u64, String, StepRequest)>, Vec<CellError>> {
    let columns: &[&str] = match step {
        BatchStep::ServiceDone => &["facture", "verifie", "montant"],
        BatchStep::Liquidate => &["facture", "nature", "fonction", "montant"],
    };
    let needed = columns.len() - 1;
    let (rows, mut problems) = read_table(input, file, columns, needed)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let before = problems.errors.len();
        let mut required = |c: usize| -> String {
            let (col, v) = row.cell(c);
            if v.is_empty() {
                problems.at(row.line, col, format!("« {} » est vide", columns[c]));
            }
            v.to_owned()
        };
        let invoice = required(0);
        let first = required(1);
        let second = (needed > 2).then(|| required(2));
        let (col, text) = row.cell(needed);
        let amount = if text.is_empty() {
            None
        } else {
            match Cents::parse(text) {
                Ok(a) => Some(a),
                Err(e) => {
                    problems.at(row.line, col, format!("montant illisible « {text} » : {e}"));
                    None
                }
            }
        };
        if problems.errors.len() > before {
            continue;
        }
        let req = match step {
            BatchStep::ServiceDone => StepRequest::ServiceDone {
                amount,
                checked: first,
            },
            BatchStep::Liquidate => StepRequest::Liquidate {
                amount,
                account: first,
                function: second.unwrap_or_default(),
            },
        };
        out.push((row.line, invoice, req));
    }
    if problems.errors.is_empty() {
        Ok(out)
    } else {
        Err(problems.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_liquidation_batch_is_read_in_any_column_order() {
        let csv =
            "\u{feff}Fonction;Facture;Nature;Montant\n0202;FAC-1;6068;1 200,50\n221;FAC-2;2184;\n";
        let rows =
            read_invoice_steps(csv.as_bytes(), "lot.csv", BatchStep::Liquidate).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            (
                2,
                "FAC-1".into(),
                StepRequest::Liquidate {
                    amount: Some(Cents(120_050)),
                    account: "6068".into(),
                    function: "0202".into(),
                }
            )
        );
        assert!(matches!(
            &rows[1].2,
            StepRequest::Liquidate { amount: None, .. }
        ));
    }

    #[test]
    fn every_bad_cell_is_named_and_nothing_is_kept() {
        let csv = "facture,verifie,montant\nFAC-1,,\nFAC-2,livraison,douze\n";
        let errors = read_invoice_steps(csv.as_bytes(), "sf.csv", BatchStep::ServiceDone)
            .expect_err("refused");
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].starts_with("sf.csv:2:2 : « verifie » est vide"),
            "{text:?}"
        );
        assert!(
            text[1].starts_with("sf.csv:3:3 : montant illisible"),
            "{text:?}"
        );
    }
}
