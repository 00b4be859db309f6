//! The payments page's picture: each benefit's total per month over the last six months,
//! from the imported history (`SqliteStore::history_totals`) and the validated runs' totals
//! (the RSA: what the CAF paid, as the run's summary says). Drawn by [`crate::charts`].

use crate::app::Shared;
use crate::charts::{self, About, Bar, Unit};
use relais_core::calendar::Month;
use relais_core::records::Benefit;
use relais_core::run::RunStatus;
use relais_documents::french;
use relais_store::runs::RunRecord;

/// Months shown, the latest included.
const MONTHS: usize = 6;

/// The months shown: six, ending with the current month or the latest validated run's.
fn window(today: Month, runs: &[RunRecord]) -> Vec<Month> {
    let latest = runs
        .iter()
        .filter(|r| r.status == RunStatus::Validated)
        .map(|r| r.id.month())
        .max()
        .map_or(today, |m| m.max(today));
    let mut months = vec![latest];
    while months.len() < MONTHS {
        let before = months.last().copied().unwrap_or(latest).previous();
        months.push(before);
    }
    months.reverse();
    months
}

/// Each benefit's totals (cents) for `months`, history and validated runs added.
fn totals(
    months: &[Month],
    history: &[(Benefit, Month, relais_core::Cents)],
    runs: &[RunRecord],
) -> Vec<(Benefit, Vec<i64>)> {
    let mut out: Vec<(Benefit, Vec<i64>)> = Benefit::ALL
        .iter()
        .map(|b| (*b, vec![0; months.len()]))
        .collect();
    let mut add = |benefit: Benefit, month: Month, cents: i64| {
        if let (Some(i), Some((_, row))) = (
            months.iter().position(|m| *m == month),
            out.iter_mut().find(|(b, _)| *b == benefit),
        ) && let Some(cell) = row.get_mut(i)
        {
            *cell = cell.saturating_add(cents);
        }
    };
    for (benefit, month, total) in history {
        add(*benefit, *month, total.0);
    }
    for r in runs.iter().filter(|r| r.status == RunStatus::Validated) {
        for b in &r.summary.benefits {
            add(b.benefit, r.id.month(), b.total.0);
        }
        add(Benefit::Rsa, r.id.month(), r.summary.caf_total.0);
    }
    out.retain(|(_, row)| row.iter().any(|c| *c != 0));
    out
}

/// The section of the payments page: one chart a benefit, or why there is none.
pub(crate) async fn monthly(app: &Shared, runs: &[RunRecord]) -> String {
    let today = Month::parse(&app.today().chars().take(7).collect::<String>())
        .unwrap_or_else(|_| Month::of(jiff::civil::Date::ZERO));
    let months = window(today, runs);
    let (from, to) = (months[0], months[MONTHS - 1]);
    let history = match app.with_reader(move |s| s.history_totals(from, to)).await {
        Ok(h) => h,
        Err(_) => {
            tracing::error!("monthly totals of the history");
            return "<p class=\"error\">Totaux mensuels indisponibles (lecture de l'historique).</p>"
                .to_owned();
        }
    };
    render(&months, &totals(&months, &history, runs))
}

/// The charts, pure.
fn render(months: &[Month], totals: &[(Benefit, Vec<i64>)]) -> String {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return String::new();
    };
    if totals.is_empty() {
        return format!(
            "<p>Aucun paiement de {} à {} dans l'historique ni dans les paiements validés.</p>",
            french::month_long(*first),
            french::month_long(*last)
        );
    }
    let mut html = String::new();
    for (benefit, row) in totals {
        let bars: Vec<Bar> = months
            .iter()
            .zip(row)
            .map(|(m, cents)| Bar {
                label: french::month_long(*m),
                value: *cents,
            })
            .collect();
        let sum: i64 = row.iter().fold(0i64, |a, c| a.saturating_add(*c));
        let title = format!("{} : total payé par mois", benefit.label_fr());
        let desc = format!(
            "{} de {} à {} : {} en six mois, selon l'historique importé et les paiements validés.",
            benefit.label_fr(),
            french::month_long(*first),
            french::month_long(*last),
            relais_core::Cents(sum)
        );
        let id = format!("graphique-mensuel-{}", benefit.code().to_ascii_lowercase());
        html.push_str(&charts::columns(
            &About {
                id: &id,
                title: &title,
                desc: &desc,
                label_heading: "Mois",
                value_heading: "Total payé",
            },
            &bars,
            Unit::Euros,
        ));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::Cents;

    fn month(s: &str) -> Month {
        Month::parse(s).expect("month")
    }

    #[test]
    fn six_months_ending_now_with_each_benefit_s_history() {
        let months = window(month("2026-12"), &[]);
        assert_eq!(months.first(), Some(&month("2026-07")));
        assert_eq!(months.len(), 6);
        let history = [
            (Benefit::ApaDom, month("2026-11"), Cents(90_000)),
            (Benefit::ApaDom, month("2026-12"), Cents(10_000)),
            (Benefit::Pch, month("2026-01"), Cents(31_000)),
        ];
        let t = totals(&months, &history, &[]);
        assert_eq!(t, vec![(Benefit::ApaDom, vec![0, 0, 0, 0, 90_000, 10_000])]);
        let html = render(&months, &t);
        assert!(
            html.contains("<td>novembre 2026</td><td class=\"num\">900,00\u{a0}€</td>"),
            "{html}"
        );
        assert!(html.contains("<td>juillet 2026</td>"));
        assert!(
            render(&months, &[]).starts_with("<p>Aucun paiement de juillet 2026 à décembre 2026")
        );
    }
}
