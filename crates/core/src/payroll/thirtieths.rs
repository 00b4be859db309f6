//! The days in post of a month, counted in thirtieths (docs/payroll.md).
//!
//! Public-sector pay is monthly and each month counts thirty days, whatever its length (the
//! "règle du trentième": décret 62-765 art. 1, loi 61-825 art. 4 for absences). An agent who
//! enters or leaves within a month is paid, on each line, `amount × n / 30`, where `n` counts
//! the days in post as if the month had thirty: the 31st is not counted, and the month's last
//! day, whatever it is, counts as the 30th (an agent in post on 28 February is paid to the 30th).
//! Each line is rounded to the cent, half away from zero; the net is the sum of the rounded
//! lines, so that the lines still add up to the net.

use crate::Cents;
use crate::calendar::Month;
use jiff::civil::Date;

/// How much of `month` an agent was in post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Not at all: left before the month, or entered after it.
    None,
    /// The whole month.
    Full,
    /// `n` thirtieths (1 to 29).
    Thirtieths(u8),
}

/// The presence in `month` of an agent in post from `entry` to `exit` (both days included).
pub fn presence(entry: Date, exit: Option<Date>, month: Month) -> Presence {
    let (first_day, last_day) = (month.first_day(), month.last_day());
    if entry > last_day || exit.is_some_and(|x| x < first_day) {
        return Presence::None;
    }
    let first = entry.max(first_day);
    let last = exit.map_or(last_day, |x| x.min(last_day));
    let start = first.day().min(30);
    let end = if last == last_day {
        30
    } else {
        last.day().min(30)
    };
    match end - start + 1 {
        n if n >= 30 => Presence::Full,
        n if n <= 0 => Presence::None,
        n => Presence::Thirtieths(u8::try_from(n).unwrap_or(0)),
    }
}

impl Presence {
    /// `amount` for this presence: whole, or `amount × n / 30` rounded to the cent, half away
    /// from zero.
    pub fn share(self, amount: Cents) -> Cents {
        match self {
            Presence::None => Cents::ZERO,
            Presence::Full => amount,
            Presence::Thirtieths(n) => {
                let x = i128::from(amount.0) * i128::from(n);
                let q = x / 30;
                let r = x % 30;
                let rounded = if r.abs() * 2 >= 30 { q + x.signum() } else { q };
                Cents(i64::try_from(rounded).unwrap_or(0))
            }
        }
    }

    /// `30/30`, `16/30`.
    pub fn label(self) -> String {
        match self {
            Presence::None => "0/30".into(),
            Presence::Full => "30/30".into(),
            Presence::Thirtieths(n) => format!("{n}/30"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn m(y: i16, mo: i8) -> Month {
        Month::new(y, mo).expect("test value")
    }

    #[test]
    fn a_month_counts_thirty_days_whatever_its_length() {
        // Entering on the 16th of a 31-day month: the 16th to the 30th, the 31st not counted.
        assert_eq!(
            presence(date(2026, 12, 16), None, m(2026, 12)),
            Presence::Thirtieths(15)
        );
        // Entering on 15 February: the 15th to the "30th" (the last day counts as the 30th).
        assert_eq!(
            presence(date(2027, 2, 15), None, m(2027, 2)),
            Presence::Thirtieths(16)
        );
        // Leaving on 28 February, its last day: the whole month.
        assert_eq!(
            presence(date(2020, 1, 1), Some(date(2027, 2, 28)), m(2027, 2)),
            Presence::Full
        );
        // Leaving on the 30th of a 31-day month: the whole month too (thirty thirtieths).
        assert_eq!(
            presence(date(2020, 1, 1), Some(date(2026, 12, 30)), m(2026, 12)),
            Presence::Full
        );
        // Leaving on the 10th: ten thirtieths.
        assert_eq!(
            presence(date(2020, 1, 1), Some(date(2026, 12, 10)), m(2026, 12)),
            Presence::Thirtieths(10)
        );
        // Entering on the 31st: one thirtieth (the last day counts as the 30th).
        assert_eq!(
            presence(date(2026, 12, 31), None, m(2026, 12)),
            Presence::Thirtieths(1)
        );
    }

    #[test]
    fn not_in_post_is_not_paid() {
        assert_eq!(
            presence(date(2020, 1, 1), Some(date(2026, 11, 30)), m(2026, 12)),
            Presence::None
        );
        assert_eq!(
            presence(date(2027, 1, 1), None, m(2026, 12)),
            Presence::None
        );
    }

    #[test]
    fn shares_round_half_away_from_zero() {
        // 1 000,01 € × 15/30 = 500,005 → 500,01; a deduction rounds the same way.
        let half = Presence::Thirtieths(15);
        assert_eq!(half.share(Cents(100_001)), Cents(50_001));
        assert_eq!(half.share(Cents(-100_001)), Cents(-50_001));
        assert_eq!(Presence::Thirtieths(10).share(Cents(100)), Cents(33));
        assert_eq!(Presence::Full.share(Cents(123)), Cents(123));
    }
}
