//! Which month a run may pay. The store's key refuses a right paid twice for one month, but
//! not a month paid again under rights the old system numbered otherwise, nor a month the
//! old system paid before the history Relais was given: a month earlier than the history's
//! latest is refused unless it is an arrears run (`--rappel`, with its reason: rights with no
//! payment that month, in the history or in Relais), a month before the history's first
//! never (what was paid then is unknown), and a month more than one month ahead of today
//! always (nobody pays in advance).

use crate::calendar::Month;

/// What the history holds: its first and its latest month paid (imported payments and
/// validated runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    pub first: Month,
    pub latest: Month,
}

/// Why a month may not be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MonthRefusal {
    #[error(
        "{month} est antérieur au premier mois de l'historique des paiements ({first}) : ce que l'ancien système a payé ce mois-là n'est pas connu, Relais ne peut pas savoir qui reste à payer ; voyez la paierie (comptable public)"
    )]
    BeforeHistory { month: Month, first: Month },
    #[error(
        "{month} est antérieur au dernier mois payé ({latest}) : un paiement de rappel pour ce mois ne paie que les droits sans paiement ce mois-là ; relancez avec --rappel --reason \"…\" s'il s'agit bien d'un rappel"
    )]
    PastMonth { month: Month, latest: Month },
    #[error(
        "{month} est plus d'un mois après le mois en cours ({current}) : on ne paie pas d'avance ; préparez au plus {next}",
        next = .current.next()
    )]
    TooFarAhead { month: Month, current: Month },
}

/// Whether `month` may be paid in `current` (today's month), given the `history` (`None`:
/// no payment known yet) and whether the run is an arrears run.
pub fn check(
    month: Month,
    current: Month,
    history: Option<History>,
    arrears: bool,
) -> Result<(), MonthRefusal> {
    if month > current.next() {
        return Err(MonthRefusal::TooFarAhead { month, current });
    }
    let Some(h) = history else {
        return Ok(());
    };
    if month < h.first {
        return Err(MonthRefusal::BeforeHistory {
            month,
            first: h.first,
        });
    }
    if month < h.latest && !arrears {
        return Err(MonthRefusal::PastMonth {
            month,
            latest: h.latest,
        });
    }
    Ok(())
}

/// The earliest month not yet paid, which a run prepares by default: the month after the
/// history's latest (imported payments and validated runs), or with no history the current
/// month. A month after it prepared first leaves it unpaid (allowed by [`check`], to be said).
pub fn first_unpaid(current: Month, history: Option<History>) -> Month {
    history.map_or(current, |h| h.latest.next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).expect("month")
    }

    fn history() -> Option<History> {
        Some(History {
            first: m("2026-09"),
            latest: m("2026-11"),
        })
    }

    #[test]
    fn the_month_after_the_history_and_the_latest_itself_are_paid() {
        let now = m("2026-12");
        assert_eq!(check(m("2026-12"), now, history(), false), Ok(()));
        // The latest month again: its rights not paid yet (the key refuses the others).
        assert_eq!(check(m("2026-11"), now, history(), false), Ok(()));
        // January from December: the next month may be prepared.
        assert_eq!(check(m("2027-01"), now, history(), false), Ok(()));
    }

    /// The reviewer's case: June on a history of September to November paid 13,865 lines.
    #[test]
    fn a_month_before_the_latest_needs_an_arrears_run_and_one_before_the_first_is_never_paid() {
        let now = m("2026-12");
        assert!(matches!(
            check(m("2026-10"), now, history(), false),
            Err(MonthRefusal::PastMonth { .. })
        ));
        assert_eq!(check(m("2026-10"), now, history(), true), Ok(()));
        let june = check(m("2026-06"), now, history(), true);
        assert!(matches!(june, Err(MonthRefusal::BeforeHistory { .. })));
        let text = june.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.contains("2026-09") && text.contains("n'est pas connu"),
            "{text}"
        );
    }

    #[test]
    fn more_than_a_month_ahead_is_refused_even_without_history() {
        let refused = check(m("2027-02"), m("2026-12"), None, false);
        assert_eq!(
            refused,
            Err(MonthRefusal::TooFarAhead {
                month: m("2027-02"),
                current: m("2026-12")
            })
        );
        assert!(
            refused
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("2027-01")
        );
        assert_eq!(check(m("2020-01"), m("2026-12"), None, false), Ok(()));
    }

    #[test]
    fn first_unpaid_follows_the_history() {
        assert_eq!(first_unpaid(m("2026-12"), None), m("2026-12"));
        assert_eq!(first_unpaid(m("2026-12"), history()), m("2026-12"));
        let behind = Some(History {
            first: m("2026-06"),
            latest: m("2026-09"),
        });
        assert_eq!(first_unpaid(m("2026-12"), behind), m("2026-10"));
    }
}
