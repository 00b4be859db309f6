//! The CNIL clock: a personal-data breach is notified "at the latest 72 hours after having
//! become aware of it" (RGPD art. 33.1). Hours of real time, not of the wall clock: across a
//! change to or from summer time the deadline moves by an hour on the clock.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};

/// The delay the RGPD gives, in real hours.
pub const NOTIFICATION_HOURS: i64 = 72;

/// The deadline of the notification for an awareness at `awareness`, as an absolute instant.
pub fn deadline(awareness: Timestamp) -> Timestamp {
    awareness
        .checked_add(SignedDuration::from_hours(NOTIFICATION_HOURS))
        .unwrap_or(Timestamp::MAX)
}

/// The clock at `now`: its deadline and how much time is left (negative once overdue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CnilClock {
    pub deadline: Timestamp,
    pub remaining: SignedDuration,
}

impl CnilClock {
    pub fn at(awareness: Timestamp, now: Timestamp) -> CnilClock {
        let deadline = deadline(awareness);
        CnilClock {
            deadline,
            remaining: deadline.duration_since(now),
        }
    }

    pub fn is_overdue(&self) -> bool {
        self.remaining.is_negative()
    }

    /// The deadline on the authority's clock.
    pub fn local_deadline(&self, tz: &TimeZone) -> Zoned {
        self.deadline.to_zoned(tz.clone())
    }

    /// "reste 12 h 05 min", or "dépassé de 3 h 00 min".
    pub fn label_fr(&self) -> String {
        let d = self.remaining.abs();
        let minutes = d.as_secs() / 60;
        let text = format!("{} h {:02} min", minutes / 60, minutes % 60);
        if self.is_overdue() {
            format!("dépassé de {text}")
        } else {
            format!("reste {text}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").expect("tz")
    }

    fn local(y: i16, m: i8, d: i8, h: i8) -> Timestamp {
        date(y, m, d)
            .at(h, 0, 0, 0)
            .to_zoned(paris())
            .expect("local time")
            .timestamp()
    }

    #[test]
    fn autumn_change_puts_the_deadline_an_hour_earlier_on_the_clock() {
        // Summer time ends on 25 October 2026 at 03:00 (clocks go back to 02:00).
        let clock = CnilClock::at(local(2026, 10, 23, 10), local(2026, 10, 23, 10));
        let due = clock.local_deadline(&paris());
        assert_eq!(due.datetime(), date(2026, 10, 26).at(9, 0, 0, 0));
        assert_eq!(clock.remaining, SignedDuration::from_hours(72));
    }

    #[test]
    fn spring_change_puts_the_deadline_an_hour_later_on_the_clock() {
        // Summer time starts on 29 March 2026 at 02:00 (clocks go forward to 03:00).
        let clock = CnilClock::at(local(2026, 3, 27, 10), local(2026, 3, 27, 10));
        let due = clock.local_deadline(&paris());
        assert_eq!(due.datetime(), date(2026, 3, 30).at(11, 0, 0, 0));
    }

    #[test]
    fn no_change_no_shift_and_overseas_has_none() {
        let tz = TimeZone::get("America/Martinique").expect("tz");
        let awareness = date(2026, 10, 23)
            .at(10, 0, 0, 0)
            .to_zoned(tz.clone())
            .expect("local")
            .timestamp();
        let due = CnilClock::at(awareness, awareness).local_deadline(&tz);
        assert_eq!(due.datetime(), date(2026, 10, 26).at(10, 0, 0, 0));
    }

    #[test]
    fn remaining_time_and_overdue() {
        let awareness = local(2026, 10, 23, 10);
        let clock = CnilClock::at(awareness, local(2026, 10, 25, 22));
        // 23 Oct 10:00 → 25 Oct 22:00 local is 61 real hours (one hour gained on the 25th).
        assert_eq!(clock.remaining, SignedDuration::from_hours(11));
        assert!(!clock.is_overdue());
        assert_eq!(clock.label_fr(), "reste 11 h 00 min");
        let late = CnilClock::at(awareness, local(2026, 10, 26, 12));
        assert!(late.is_overdue());
        assert_eq!(late.label_fr(), "dépassé de 3 h 00 min");
        assert_eq!(deadline(Timestamp::MAX), Timestamp::MAX);
    }
}
