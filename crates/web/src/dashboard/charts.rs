//! The dashboard's own picture, from the data it already reads: the rows to handle by reason
//! (the crisis cell's, shown there too, are `crise/charts.rs`).

use crate::charts::{self, About, Bar, Unit};
use relais_documents::french;
use relais_store::FlaggedCount;

/// Reasons drawn one by one; the others make one bar.
const REASONS_SHOWN: usize = 8;

/// A reason's code as words: `iban_invalide` → "IBAN invalide".
fn reason_label(code: &str) -> String {
    if code.is_empty() {
        return "motif non précisé".to_owned();
    }
    let words: Vec<String> = code
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "iban" | "bic" | "nir" | "siret" | "siren" | "rib" | "csv" | "utf8" => {
                w.to_ascii_uppercase()
            }
            w => w.to_owned(),
        })
        .collect();
    let text = words.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => code.to_owned(),
    }
}

/// The rows to handle, all files together, by reason (the most frequent first), with a link to
/// the screen that handles them for who may use it; `None` when there are none.
pub fn pending(counts: &[FlaggedCount], may_handle: bool) -> Option<String> {
    let mut by_reason: Vec<(String, u64)> = Vec::new();
    for c in counts {
        match by_reason.iter_mut().find(|(code, _)| *code == c.code) {
            Some((_, n)) => *n += c.rows,
            None => by_reason.push((c.code.clone(), c.rows)),
        }
    }
    if by_reason.is_empty() {
        return None;
    }
    by_reason.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: u64 = by_reason.iter().map(|(_, n)| n).sum();
    let reasons = by_reason.len();
    let mut bars: Vec<Bar> = by_reason
        .iter()
        .take(REASONS_SHOWN)
        .map(|(code, n)| Bar {
            label: reason_label(code),
            value: i64::try_from(*n).unwrap_or(i64::MAX),
        })
        .collect();
    if reasons > REASONS_SHOWN {
        let rest: u64 = by_reason.iter().skip(REASONS_SHOWN).map(|(_, n)| n).sum();
        bars.push(Bar {
            label: format!(
                "{} autres motifs",
                french::count((reasons - REASONS_SHOWN) as u64)
            ),
            value: i64::try_from(rest).unwrap_or(i64::MAX),
        });
    }
    let desc = format!(
        "{} à traiter pour {} ; le plus fréquent : {} ({}).",
        french::count_of(total, "ligne rejetée", "lignes rejetées"),
        french::count_of(reasons as u64, "motif", "motifs"),
        bars.first().map(|b| b.label.as_str()).unwrap_or_default(),
        french::count(by_reason.first().map_or(0, |(_, n)| *n)),
    );
    let chart = charts::bars(
        &About {
            id: "graphique-rejets",
            title: "Lignes rejetées à l'import, par motif",
            desc: &desc,
            label_heading: "Motif",
            value_heading: "Lignes",
        },
        &bars,
        Unit::Count,
    );
    let link = if may_handle {
        "<p><a href=\"/dossiers\">Voir et traiter les lignes rejetées, motif par motif</a></p>"
    } else {
        ""
    };
    Some(chart + link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        assert_eq!(reason_label("iban_invalide"), "IBAN invalide");
        assert_eq!(reason_label("telephone"), "Telephone");
        assert_eq!(reason_label(""), "motif non précisé");
    }

    #[test]
    fn many_reasons_keep_a_short_chart_and_table() {
        let counts: Vec<FlaggedCount> = (0..56)
            .map(|i| FlaggedCount {
                entity: "tiers".into(),
                file: format!("f{}.csv", i % 3),
                code: format!("motif_{i:02}"),
                rows: 100 + i,
            })
            .collect();
        let html = pending(&counts, true).expect("a chart");
        assert!(html.ends_with("motif par motif</a></p>"));
        assert!(
            !pending(&counts, false)
                .expect("a chart")
                .contains("/dossiers")
        );
        assert_eq!(html.matches("<tr><td>").count(), REASONS_SHOWN + 1);
        assert!(html.contains("<td>48 autres motifs</td>"), "{html}");
        assert!(html.contains("<td>Motif 55</td><td class=\"num\">155</td>"));
        assert!(pending(&[], true).is_none());
    }
}
