//! The bordereau's tables: their columns, a mandate's row and the totals under the mandates
//! (`crate::page::table` lays rows out: a text wraps in its column and the row grows, a number
//! or an amount is never broken). The columns are wide enough for the largest number or amount
//! a PES file holds; every width is measured with the embedded font.

use crate::french::count;
use crate::page::MARGIN_X;
use crate::page::table::{Col, Row, RowStyle, Sum, Table, col};
use crate::pdf::{Fonts, wrap_width};
use relais_core::Cents;
use relais_core::records::{Benefit, PayeeKind};
use relais_core::run::MandateLine;

/// The font size in tables, and room left and right of a cell's text.
const CELL: f32 = 7.5;
const PAD: f32 = 2.5;

/// How the bordereau's tables are set: 7.5 pt on lines of 9 pt.
const fn table(cols: &'static [Col]) -> Table {
    Table {
        cols,
        size: CELL,
        line: 9.0,
        ascent: 7.2,
        pad: PAD,
        vpad: 1.0,
        header_vpad: 2.5,
        header_rule: false,
    }
}

// Each table spans the page's width (523.28 pt). Widths measured at 7.5 pt in DejaVu Sans
// (bold for totals): "999 999 999 999,99 €" (the largest PES amount) 91.6, the 12 digits of
// an account (`Nature`) 57.3 and the 10 of a function 47.7, "Établissement" 53.2, 8 digits of
// a mandate number (`IdPce`) 38.2, 7 of a bordereau's (`IdBord`) 33.4, "999 999 999,99 €"
// (the largest SEPA transfer) 66.8, "999 999" lines 31.0.
const BENEFIT_COLS: [Col; 6] = [
    col("Prestation", 158.28, false),
    col("Date de paiement", 85.0, false),
    col("Droits", 60.0, true),
    col("Personnes", 60.0, true),
    col("Tiers", 60.0, true),
    col("Montant", 100.0, true),
];
const IMPUTATION_COLS: [Col; 5] = [
    col("Prestation", 168.28, false),
    col("Compte", 90.0, false),
    col("Fonction", 90.0, false),
    col("Lignes", 75.0, true),
    col("Montant", 100.0, true),
];
const MANDATE_COLS: [Col; 9] = [
    col("Mandat", 44.0, true),
    col("Bord.", 39.0, true),
    col("Tiers", 44.0, false),
    col("Nom du tiers", 110.28, false),
    col("Type", 59.0, false),
    col("Prestation", 50.0, false),
    col("Compte", 63.0, false),
    col("Lignes", 37.0, true),
    col("Montant", 77.0, true),
];
/// Where "Lignes" is among the mandates' columns, for the totals under them.
const MANDATE_LINES_COL: usize = 7;

pub(super) static BENEFITS: Table = table(&BENEFIT_COLS);
pub(super) static IMPUTATIONS: Table = table(&IMPUTATION_COLS);
pub(super) static MANDATES: Table = table(&MANDATE_COLS);

/// A mandate of the list.
pub(super) fn mandate_row(fonts: &Fonts, m: &MandateLine) -> Row {
    let (number, bordereau) = (m.number.to_string(), m.bordereau.to_string());
    let (lines, amount) = (count(u64::from(m.lines)), m.amount.to_string());
    let texts = [
        number.as_str(),
        &bordereau,
        &m.payee_id,
        &m.payee_name,
        kind_short(m.kind),
        benefit_short(m.benefit),
        &m.account,
        &lines,
        &amount,
    ];
    Row::new(fonts, &MANDATES, texts, RowStyle::Plain)
}

/// A total under the mandates: its label (wrapped in the room the numbers leave), the count
/// of lines and the amount, in bold. The amount is never set smaller: it takes the room it
/// needs from the right, the count moves left of it when they would touch.
pub(super) fn mandates_total(fonts: &Fonts, label: &str, lines: u64, amount: Cents) -> Sum {
    let amount = amount.to_string();
    let amount_left = Sum::amount_left(fonts, &MANDATES, &amount);
    let lines_col_end: f32 = MANDATE_COLS
        .iter()
        .take(MANDATE_LINES_COL + 1)
        .map(|c| c.width)
        .sum();
    let lines_right = (MARGIN_X + lines_col_end - PAD).min(amount_left - 2.0 * PAD);
    let lines = count(lines);
    let lines_left = lines_right - fonts.width(&lines, CELL, true);
    let room = (lines_left - 2.0 * PAD - (MARGIN_X + PAD)).max(4.0 * CELL);
    let label = if fonts.width(label, CELL, true) <= room {
        vec![label.to_owned()]
    } else {
        wrap_width(fonts, label, CELL, true, room)
    };
    Sum {
        table: &MANDATES,
        label,
        count: Some((lines, lines_right)),
        amount,
    }
}

fn benefit_short(b: Benefit) -> &'static str {
    match b {
        Benefit::ApaDom => "APA dom.",
        Benefit::ApaEtab => "APA étab.",
        Benefit::Pch => "PCH",
        Benefit::Ash => "ASH",
        Benefit::Rsa => "RSA",
    }
}

fn kind_short(k: PayeeKind) -> &'static str {
    match k {
        PayeeKind::Personne => "Personne",
        PayeeKind::Etablissement => "Établissement",
        PayeeKind::Service => "SAAD",
        PayeeKind::Tuteur => "Tuteur",
        PayeeKind::Caf => "CAF",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::WIDTH;

    fn fonts() -> Fonts {
        Fonts::load().expect("fonts")
    }

    const TABLES: [&Table; 3] = [&BENEFITS, &IMPUTATIONS, &MANDATES];

    #[test]
    fn every_table_spans_the_page() {
        for table in TABLES {
            let w: f32 = table.cols.iter().map(|c| c.width).sum();
            assert!((w - WIDTH).abs() < 0.01, "{table:?}: {w}");
        }
    }

    #[test]
    fn the_largest_values_fit_their_columns_whole() {
        let f = fonts();
        let fits = |text: &str, bold: bool, col: &Col| col.fits(&f, &MANDATES, text, bold);
        let pes_max = Cents(99_999_999_999_999).to_string();
        let sepa_max = Cents(99_999_999_999).to_string();
        assert!(fits(&pes_max, true, &BENEFIT_COLS[5]));
        assert!(fits(&pes_max, true, &IMPUTATION_COLS[4]));
        assert!(fits("999999999999", false, &IMPUTATION_COLS[1]));
        assert!(fits("9999999999", false, &IMPUTATION_COLS[2]));
        assert!(fits(&sepa_max, false, &MANDATE_COLS[8]));
        assert!(fits("99999999", false, &MANDATE_COLS[0]));
        assert!(fits("9999999", false, &MANDATE_COLS[1]));
        assert!(fits("999999999999", false, &MANDATE_COLS[6]));
        assert!(fits("999\u{a0}999", false, &MANDATE_COLS[7]));
        assert!(fits("Établissement", false, &MANDATE_COLS[4]));
        for table in TABLES {
            assert_eq!(Row::header(&f, table).lines(), 1, "{table:?}");
        }
    }

    #[test]
    fn a_long_name_wraps_and_an_amount_too_wide_is_set_smaller() {
        let f = fonts();
        let name = "WWWWWWWWWW MMMMMMMMMM ÉÉÉÉÉÉÉÉÉÉ WWWWWWWWWW MMMMMMMMMM ÉÉÉÉÉÉÉÉÉÉ WWWMMMÉÉ";
        let amount = Cents(i64::MAX).to_string();
        let texts = ["1", "2", "T1", name, "SAAD", "PCH", "6511211", "1", &amount];
        let row = Row::new(&f, &MANDATES, texts, RowStyle::Plain);
        let lines = &row.cells[3].lines;
        assert!(lines.len() > 3, "{lines:?}");
        assert_eq!(lines.join(" "), name);
        let max = MANDATE_COLS[3].width - 2.0 * PAD;
        assert!(lines.iter().all(|l| f.width(l, CELL, false) <= max));
        let money = &row.cells[8];
        assert_eq!(money.lines, vec![amount.clone()]);
        assert!(money.size < CELL);
        assert!(f.width(&amount, money.size, false) <= MANDATE_COLS[8].width - 2.0 * PAD);
        assert_eq!(row.height(), lines.len() as f32 * 9.0 + 2.0);

        let (first, rest) = row.split(2);
        assert_eq!(first.lines(), 2);
        assert_eq!(first.cells[8].lines, vec![amount]);
        let rest = rest.expect("rest");
        assert!(rest.cells[8].lines.is_empty());
        assert_eq!(
            [first.cells[3].lines.clone(), rest.cells[3].lines.clone()]
                .concat()
                .join(" "),
            name
        );
        assert!(first.split(2).1.is_none());
    }

    #[test]
    fn a_total_keeps_its_amount_and_count_whole_and_apart() {
        let f = fonts();
        for amount in [Cents(99_999_999_999), Cents(i64::MAX), Cents(i64::MIN)] {
            let s = mandates_total(&f, "Total général : 40 000 mandats", u64::MAX, amount);
            let amount_left = MARGIN_X + WIDTH - PAD - f.width(&s.amount, CELL, true);
            let (lines, lines_right) = s.count.clone().expect("count");
            assert!(lines_right < amount_left);
            let lines_left = lines_right - f.width(&lines, CELL, true);
            let label_right = MARGIN_X
                + PAD
                + s.label
                    .iter()
                    .map(|l| f.width(l, CELL, true))
                    .fold(0.0, f32::max);
            assert!(label_right < lines_left, "{s:?}");
            assert_eq!(s.label.join(" "), "Total général : 40 000 mandats");
        }
    }
}
