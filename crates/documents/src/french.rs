//! Dates and amounts as a French reader expects them on a document.

use jiff::Zoned;
use jiff::civil::{Date, Weekday};
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_core::records::PayeeKind;

use relais_core::calendar::MONTH_NAMES as MONTHS;

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
    relais_core::text::date_fr(d)
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

/// `décembre 2026`.
pub fn month_long(m: Month) -> String {
    let name = MONTHS
        .get(usize::try_from(m.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{name} {}", m.year())
}

/// What a kind of payee is called on a document.
pub fn payee_kind_label(kind: PayeeKind) -> &'static str {
    match kind {
        PayeeKind::Personne => "Personne",
        PayeeKind::Etablissement => "Établissement",
        PayeeKind::Service => "Service d'aide à domicile",
        PayeeKind::Tuteur => "Tuteur ou curateur",
        PayeeKind::Caf => "CAF (RSA)",
    }
}

/// The change from `previous` to `current` in tenths of a percent, rounded half away from
/// zero; `None` when there was nothing before (a change from 0 has no percentage).
pub fn change_tenths_of_percent(previous: Cents, current: Cents) -> Option<i64> {
    if previous.0 == 0 {
        return None;
    }
    let diff = i128::from(current.0) - i128::from(previous.0);
    let base = i128::from(previous.0).abs();
    let scaled = diff * 1000;
    let rounded = (scaled.abs() + base / 2) / base;
    i64::try_from(if scaled < 0 { -rounded } else { rounded }).ok()
}

/// A count with its thousands grouped: `100 000` (no-break spaces, as amounts).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    out
}

/// `1 droit`, `2 droits`, `0 droit` (French: singular below 2).
pub fn count_of(n: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", count(n), if n < 2 { singular } else { plural })
}

/// `+3,2 %`, `-12,0 %`, `0,0 %` (the sign says which way the amount went).
pub fn percent_fr(tenths: i64) -> String {
    let sign = match tenths.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    let a = tenths.unsigned_abs();
    format!("{sign}{},{}\u{a0}%", a / 10, a % 10)
}

/// `3.2`, `-12.0`: the same for machines.
pub fn percent_decimal(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let a = tenths.unsigned_abs();
    format!("{sign}{}.{}", a / 10, a % 10)
}

/// An amount with its sign always written: `+1 234,56 €`, `-3,00 €`, `0,00 €`.
pub fn signed_money(c: Cents) -> String {
    if c.0 > 0 {
        format!("+{c}")
    } else {
        c.to_string()
    }
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

    #[test]
    fn months_kinds_and_changes() {
        let m = Month::parse("2026-12").expect("month");
        assert_eq!(month_long(m), "décembre 2026");
        assert_eq!(payee_kind_label(PayeeKind::Etablissement), "Établissement");
        let t = |p, c| change_tenths_of_percent(Cents(p), Cents(c));
        assert_eq!(t(100_000, 103_249), Some(32));
        assert_eq!(t(100_000, 103_250), Some(33));
        assert_eq!(t(100_000, 96_750), Some(-33));
        assert_eq!(t(100_000, 100_000), Some(0));
        assert_eq!(t(0, 5), None);
        assert_eq!(percent_fr(32), "+3,2\u{a0}%");
        assert_eq!(percent_fr(-120), "-12,0\u{a0}%");
        assert_eq!(percent_fr(0), "0,0\u{a0}%");
        assert_eq!(percent_decimal(-5), "-0.5");
        assert_eq!(signed_money(Cents(123_456)), "+1\u{a0}234,56\u{a0}€");
        assert_eq!(signed_money(Cents(-300)), "-3,00\u{a0}€");
        assert_eq!(count(100_000), "100\u{a0}000");
        assert_eq!(count(999), "999");
        assert_eq!(count_of(1, "droit", "droits"), "1 droit");
        assert_eq!(count_of(1234, "droit", "droits"), "1\u{a0}234 droits");
    }
}

/// A stored instant (RFC 3339, `23/11/2026 10:05` on `tz`'s clock) or day (`AAAA-MM-JJ`,
/// `23/11/2026`) as agents read it; anything else as it is.
pub fn instant_or_date_short(text: &str, tz: &jiff::tz::TimeZone) -> String {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return datetime_short(&t.to_zoned(tz.clone()));
    }
    match text.parse::<Date>() {
        Ok(d) => date_short(d),
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod instant_tests {
    use super::instant_or_date_short;

    #[test]
    fn instants_and_days_read_in_french() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("tz");
        assert_eq!(
            instant_or_date_short("2026-12-05T09:04:00Z", &paris),
            "05/12/2026 10:04"
        );
        assert_eq!(instant_or_date_short("2026-12-02", &paris), "02/12/2026");
        assert_eq!(instant_or_date_short("hier", &paris), "hier");
    }
}
