//! The clock, injected: services never read the system's time themselves, so tests give a
//! fixed instant and the web its own clock.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that always says the same instant (tests, a request's own instant).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

impl FixedClock {
    /// `day` at 09:00 in `tz` (a day chosen by a test of months the clock does not allow yet).
    pub fn morning_of(day: Date, tz: &TimeZone) -> Option<FixedClock> {
        day.at(9, 0, 0, 0)
            .to_zoned(tz.clone())
            .ok()
            .map(|z| FixedClock(z.timestamp()))
    }
}

/// The authority's local time as the store records who did what, `2026-12-01 09:14`, and
/// its date.
pub fn local_now(clock: &dyn Clock, tz: &TimeZone) -> (String, Date) {
    let zoned = clock.now().to_zoned(tz.clone());
    (zoned.strftime("%Y-%m-%d %H:%M").to_string(), zoned.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_time_is_the_authority_s() {
        let tz = TimeZone::get("Europe/Paris").expect("tz");
        let clock = FixedClock("2026-12-01T08:14:00Z".parse().expect("instant"));
        let (text, day) = local_now(&clock, &tz);
        assert_eq!(text, "2026-12-01 09:14");
        assert_eq!(day, jiff::civil::date(2026, 12, 1));
        let morning = FixedClock::morning_of(jiff::civil::date(2027, 3, 26), &tz).expect("day");
        assert_eq!(local_now(&morning, &tz).0, "2027-03-26 09:00");
    }
}
