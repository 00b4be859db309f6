//! The days the euro area's payment system settles: TARGET2 (T2 since March 2023) is closed
//! on Saturdays and Sundays, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December
//! (ECB, "TARGET2 closing days", Decision ECB/2012/27 art. 2 and Guideline ECB/2022/8
//! art. 13). A SEPA transfer's requested execution date (`ReqdExctnDt`) must be a day it is
//! open; a French authority's payment must also fall on a working day of its own calendar.

use super::{HolidayZone, easter, holiday_name, is_working_day};
use jiff::civil::{Date, Weekday};

/// Why TARGET2 is closed on `date`, when it is.
pub fn target2_closing(date: Date) -> Option<&'static str> {
    if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
        return Some(if date.weekday() == Weekday::Saturday {
            "samedi"
        } else {
            "dimanche"
        });
    }
    match (date.month(), date.day()) {
        (1, 1) => return Some("Jour de l'an"),
        (5, 1) => return Some("Fête du Travail"),
        (12, 25) => return Some("Noël"),
        (12, 26) => return Some("26 décembre"),
        _ => {}
    }
    let easter = easter(date.year())?;
    let offset = (date - easter).get_days();
    match offset {
        -2 => Some("Vendredi saint"),
        1 => Some("Lundi de Pâques"),
        _ => None,
    }
}

/// Whether TARGET2 settles on `date`.
pub fn is_target2_day(date: Date) -> bool {
    target2_closing(date).is_none()
}

/// A day on which a transfer can be executed: TARGET2 is open and it is a working day of
/// `zone` (Monday to Friday, not a public holiday).
pub fn is_bank_day(date: Date, zone: HolidayZone) -> bool {
    is_target2_day(date) && is_working_day(date, zone)
}

/// Why `date` is not a bank day in `zone` (`None` when it is): the public holiday's name,
/// or TARGET2's closing.
pub fn why_not_bank_day(date: Date, zone: HolidayZone) -> Option<String> {
    if let Some(name) = holiday_name(date, zone) {
        return Some(format!("{name}, jour férié"));
    }
    if let Some(reason) = target2_closing(date) {
        return Some(if matches!(reason, "samedi" | "dimanche") {
            reason.to_owned()
        } else {
            format!("{reason}, système de paiement TARGET2 fermé")
        });
    }
    None
}

/// `date` itself when it is a bank day of `zone`, else the last one before it (paying early
/// is allowed, paying late is not). Stops at the start of the calendar.
pub fn bank_day_on_or_before(date: Date, zone: HolidayZone) -> Date {
    let mut d = date;
    while !is_bank_day(d, zone) {
        match d.yesterday() {
            Ok(previous) => d = previous,
            Err(_) => break,
        }
    }
    d
}

/// `date` itself when it is a bank day of `zone`, else the first one after it (a transfer
/// asked for a closed day). Stops at the end of the calendar.
pub fn bank_day_on_or_after(date: Date, zone: HolidayZone) -> Date {
    let mut d = date;
    while !is_bank_day(d, zone) {
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn target2_closes_on_its_six_days_and_weekends_only() {
        // 2026: Good Friday 3 April, Easter Monday 6 April.
        for d in [
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 12, 25),
            date(2026, 12, 26),
            date(2026, 12, 5),
            date(2026, 12, 6),
        ] {
            assert!(!is_target2_day(d), "{d}");
        }
        // French holidays on which TARGET2 settles: 8 May, Ascension, 14 July, 15 August,
        // 1 and 11 November.
        for d in [
            date(2026, 5, 8),
            date(2026, 5, 14),
            date(2026, 7, 14),
            date(2026, 11, 11),
        ] {
            assert!(is_target2_day(d), "{d}");
            assert!(!is_bank_day(d, HolidayZone::Metropole), "{d}");
        }
    }

    /// Good Friday is a working day in metropolitan France: a naive French calendar would
    /// ask the bank to pay on a day TARGET2 is closed.
    #[test]
    fn good_friday_moves_to_the_thursday_before() {
        let good_friday = date(2027, 3, 26);
        assert!(is_working_day(good_friday, HolidayZone::Metropole));
        assert_eq!(
            bank_day_on_or_before(good_friday, HolidayZone::Metropole),
            date(2027, 3, 25)
        );
        assert_eq!(
            why_not_bank_day(good_friday, HolidayZone::Metropole).as_deref(),
            Some("Vendredi saint, système de paiement TARGET2 fermé")
        );
        // 26 December 2025 is a Friday: closed for TARGET2, a working day in Paris.
        assert_eq!(
            bank_day_on_or_before(date(2025, 12, 26), HolidayZone::Metropole),
            date(2025, 12, 24)
        );
        // Both calendars together: Thursday 14 May 2026 (Ascension) then back to Wednesday.
        assert_eq!(
            bank_day_on_or_before(date(2026, 5, 14), HolidayZone::Metropole),
            date(2026, 5, 13)
        );
    }
}
