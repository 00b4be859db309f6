//! Dates and amounts as a French reader expects them on a document.

use jiff::Zoned;
use jiff::civil::{Date, Weekday};

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "lundi",
        Weekday::Tuesday => "mardi",
        Weekday::Wednesday => "mercredi",
        Weekday::Thursday => "jeudi",
        Weekday::Friday => "vendredi",
        Weekday::Saturday => "samedi",
        Weekday::Sunday => "dimanche",
    }
}

/// `lundi 23 novembre 2026` (`1er` for the first of the month).
pub fn date_long(d: Date) -> String {
    let month = MONTHS
        .get(usize::try_from(d.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("");
    let day = if d.day() == 1 {
        "1er".to_owned()
    } else {
        d.day().to_string()
    };
    format!("{} {day} {month} {}", weekday(d.weekday()), d.year())
}

/// `23/11/2026`.
pub fn date_short(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// `lundi 23 novembre 2026 à 10 h 05 min 12 s (UTC+01:00)`.
pub fn datetime_long(z: &Zoned) -> String {
    format!(
        "{} à {} h {:02} min {:02} s (UTC{})",
        date_long(z.date()),
        z.hour(),
        z.minute(),
        z.second(),
        offset(z)
    )
}

/// `23/11/2026 10:05`.
pub fn datetime_short(z: &Zoned) -> String {
    format!("{} {:02}:{:02}", date_short(z.date()), z.hour(), z.minute())
}

fn offset(z: &Zoned) -> String {
    let secs = z.offset().seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_dates() {
        assert_eq!(
            date_long(jiff::civil::date(2026, 11, 23)),
            "lundi 23 novembre 2026"
        );
        assert_eq!(
            date_long(jiff::civil::date(2026, 2, 1)),
            "dimanche 1er février 2026"
        );
        let z: Zoned = "2026-07-14T08:05:09+02:00[Europe/Paris]"
            .parse()
            .expect("z");
        assert_eq!(
            datetime_long(&z),
            "mardi 14 juillet 2026 à 8 h 05 min 09 s (UTC+02:00)"
        );
        let m: Zoned = "2025-12-31T23:59:59-04:00[America/Martinique]"
            .parse()
            .expect("z");
        assert_eq!(datetime_short(&m), "31/12/2025 23:59");
    }
}
