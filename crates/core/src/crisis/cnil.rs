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

/// Whether a notification sent at `sent_at` came after the 72 hours: then it must give the
/// reasons for the delay (RGPD art. 33.1, "accompagnée des motifs du retard").
pub fn is_late(awareness: Timestamp, sent_at: Timestamp) -> bool {
    sent_at > deadline(awareness)
}

/// Whole hours from awareness to the notification (0 when sent before awareness was noted).
pub fn hours_after(awareness: Timestamp, sent_at: Timestamp) -> i64 {
    (sent_at.duration_since(awareness).as_secs() / 3600).max(0)
}

/// The stopped clock: "notifiée le 03/12/2026 à 14:05, 28 h après la découverte", on the
/// authority's clock.
pub fn notified_label_fr(awareness: Timestamp, sent_at: Timestamp, tz: &TimeZone) -> String {
    let at = sent_at.to_zoned(tz.clone());
    format!(
        "notifiée le {} à {}, {} h après la découverte",
        at.strftime("%d/%m/%Y"),
        at.strftime("%H:%M"),
        hours_after(awareness, sent_at)
    )
}

/// The instant a fact that happened was said to happen, refused when it is after `now`
/// (a typing slip, or a wrong year): `field` names it in the message.
pub fn not_in_future(
    field: &'static str,
    at: Timestamp,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Timestamp, super::InputError> {
    if at <= now {
        return Ok(at);
    }
    let (typed, now) = (at.to_zoned(tz.clone()), now.to_zoned(tz.clone()));
    Err(super::input_error(
        field,
        format!(
            "le {} à {} est dans le futur (il est {} le {}) : un fait qui a eu lieu ne peut pas être daté plus tard que maintenant",
            typed.strftime("%d/%m/%Y"),
            typed.strftime("%H:%M"),
            now.strftime("%H:%M"),
            now.strftime("%d/%m/%Y"),
        ),
    ))
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

    #[test]
    fn a_notification_after_72_hours_is_late_and_the_clock_stops_with_its_hours() {
        let awareness = local(2026, 12, 1, 9);
        assert!(!is_late(awareness, local(2026, 12, 4, 9)));
        assert!(is_late(awareness, local(2026, 12, 4, 10)));
        assert_eq!(hours_after(awareness, local(2026, 12, 2, 13)), 28);
        assert_eq!(hours_after(awareness, local(2026, 11, 30, 9)), 0);
        assert_eq!(
            notified_label_fr(awareness, local(2026, 12, 2, 13), &paris()),
            "notifiée le 02/12/2026 à 13:00, 28 h après la découverte"
        );
    }

    #[test]
    fn a_fact_in_the_future_is_refused_naming_the_field() {
        let now = local(2026, 12, 5, 23);
        assert_eq!(not_in_future("at", now, now, &paris()), Ok(now));
        let e = not_in_future("date", local(2026, 12, 6, 9), now, &paris()).expect_err("future");
        assert_eq!(e.field, "date");
        assert!(
            e.to_string().starts_with(
                "date : le 06/12/2026 à 09:00 est dans le futur (il est 23:00 le 05/12/2026)"
            ),
            "{e}"
        );
    }
}
