//! Calendar arithmetic on day numbers, and the date spellings of the extract files.
//!
//! The generator moves millions of dates by a number of days, months or years; on a plain day
//! count (days since 1970-01-01, H. Hinnant's civil algorithms) that is integer addition that
//! cannot fail, where a fallible `jiff` span per row would need handling on every line for
//! errors that cannot happen. `jiff` stays at the edge: the configured `today`.

use relais_core::calendar::{self, HolidayZone};
use std::fmt::Write as _;

/// A civil date as a day number (0 = 1970-01-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Day {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp as i32 + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Day(era * 146_097 + doe - 719_468)
    }

    pub fn from_jiff(d: jiff::civil::Date) -> Day {
        Day::from_ymd(
            i32::from(d.year()),
            d.month().unsigned_abs().into(),
            d.day().unsigned_abs().into(),
        )
    }

    /// (year, month 1-12, day 1-31).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    pub fn plus(self, days: i64) -> Day {
        Day(self
            .0
            .saturating_add(days.clamp(-1_000_000, 1_000_000) as i32))
    }

    pub fn month(self) -> MonthNo {
        let (y, m, _) = self.ymd();
        MonthNo(y * 12 + m as i32 - 1)
    }

    /// `31/12/2026`.
    pub fn write_fr(self, out: &mut String) {
        let (y, m, d) = self.ymd();
        let _ = write!(out, "{d:02}/{m:02}/{y:04}");
    }

    /// `2026-12-31`.
    pub fn write_iso(self, out: &mut String) {
        let (y, m, d) = self.ymd();
        let _ = write!(out, "{y:04}-{m:02}-{d:02}");
    }

    /// Whole years from `self` to `later`.
    #[cfg(test)]
    pub fn years_until(self, later: Day) -> i32 {
        let (y0, m0, d0) = self.ymd();
        let (y1, m1, d1) = later.ymd();
        y1 - y0 - i32::from((m1, d1) < (m0, d0))
    }
}

/// A month as a number (year · 12 + month − 1), so that "three months before" is a subtraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthNo(pub i32);

impl MonthNo {
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1-12.
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    pub fn plus(self, months: i32) -> MonthNo {
        MonthNo(self.0 + months)
    }

    pub fn first_day(self) -> Day {
        Day::from_ymd(self.year(), self.month(), 1)
    }

    pub fn last_day(self) -> Day {
        self.plus(1).first_day().plus(-1)
    }

    pub fn day(self, d: u32) -> Day {
        Day::from_ymd(self.year(), self.month(), d)
    }

    /// `2026-11`.
    pub fn write(self, out: &mut String) {
        let _ = write!(out, "{:04}-{:02}", self.year(), self.month());
    }
}

/// Moves `day` with one of relais_core's working-day rules (metropolitan holidays: Ascension
/// falls on a payment day in some years, 9 May 2024 for one).
fn with_calendar(day: Day, rule: fn(jiff::civil::Date, HolidayZone) -> jiff::civil::Date) -> Day {
    let (y, m, d) = day.ymd();
    match jiff::civil::Date::new(y as i16, m as i8, d as i8) {
        Ok(date) => Day::from_jiff(rule(date, HolidayZone::Metropole)),
        Err(_) => day,
    }
}

/// `day`, or the working day before it: payment runs are not dated on a weekend or holiday.
pub fn working_day_on_or_before(day: Day) -> Day {
    with_calendar(day, calendar::working_day_on_or_before)
}

/// `day`, or the working day after it (RSA is paid around the 5th, never before).
pub fn working_day_on_or_after(day: Day) -> Day {
    with_calendar(day, calendar::working_day_on_or_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_match_jiff() {
        for n in [-40_000, -1, 0, 1, 365, 11_016, 20_779, 60_000] {
            let (y, m, d) = Day(n).ymd();
            assert_eq!(Day::from_ymd(y, m, d), Day(n));
        }
        let j = jiff::civil::date(2026, 11, 22);
        let day = Day::from_jiff(j);
        assert_eq!(day.ymd(), (2026, 11, 22));
        assert_eq!(Day::from_ymd(2024, 2, 29).plus(1).ymd(), (2024, 3, 1));
        assert_eq!(MonthNo(2026 * 12 + 1).last_day().ymd(), (2026, 2, 28));
        assert_eq!(day.month().plus(-11).first_day().ymd(), (2025, 12, 1));
        assert_eq!(Day::from_ymd(1950, 6, 10).years_until(day), 76);
    }

    #[test]
    fn spellings() {
        let mut s = String::new();
        Day::from_ymd(2026, 3, 5).write_fr(&mut s);
        s.push(' ');
        Day::from_ymd(2026, 3, 5).write_iso(&mut s);
        assert_eq!(s, "05/03/2026 2026-03-05");
    }

    #[test]
    fn payment_days_avoid_weekends_and_8_may() {
        let sat = Day::from_ymd(2026, 11, 7);
        assert_eq!(working_day_on_or_before(sat).ymd(), (2026, 11, 6));
        assert_eq!(working_day_on_or_after(sat).ymd(), (2026, 11, 9));
        assert_eq!(
            working_day_on_or_before(Day::from_ymd(2025, 5, 8)).ymd(),
            (2025, 5, 7)
        );
        // Ascension 2024 was Thursday 9 May, the day after 8 May.
        assert_eq!(
            working_day_on_or_before(Day::from_ymd(2024, 5, 9)).ymd(),
            (2024, 5, 7)
        );
    }
}
