//! More of [`crate::french`] for sentences a desk agent reads out: a day with its weekday, and
//! the store's ISO dates (with or without a time) as `10/12/2026`. A file of its own so that
//! `french.rs` stays the shared one.

use crate::french::{date_long, date_short};
use jiff::civil::Date;

/// `jeudi 10/12/2026`: the day of the week with the short date, for a sentence that must also
/// be read quickly ("le jeudi 10/12/2026").
pub fn weekday_date(d: Date) -> String {
    let long = date_long(d);
    let weekday = long.split(' ').next().unwrap_or_default();
    format!("{weekday} {}", date_short(d))
}

/// `2026-12-04` or `2026-12-04 10:05` (as the store keeps dates) as `04/12/2026`; the text
/// itself when it does not begin with a date.
pub fn iso_date_short(text: &str) -> String {
    text.get(..10)
        .and_then(|d| d.parse::<Date>().ok())
        .map_or_else(|| text.to_owned(), date_short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_as_read_out() {
        assert_eq!(
            weekday_date(Date::constant(2026, 12, 10)),
            "jeudi 10/12/2026"
        );
        assert_eq!(
            weekday_date(Date::constant(2026, 11, 1)),
            "dimanche 01/11/2026"
        );
        assert_eq!(iso_date_short("2026-12-04"), "04/12/2026");
        assert_eq!(iso_date_short("2026-12-04 10:05"), "04/12/2026");
        assert_eq!(iso_date_short("hier"), "hier");
        assert_eq!(iso_date_short("2026-1"), "2026-1");
    }
}
