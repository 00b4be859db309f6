//! Months, dates in the authority's time zone, French public holidays and working days.
//!
//! Time zones come from jiff's bundled tz database (feature `tzdb-bundle-always`), so this
//! works offline.

mod target2;
pub use target2::{
    bank_day_on_or_after, bank_day_on_or_before, is_bank_day, is_target2_day, target2_closing,
    why_not_bank_day,
};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i16,
    month: i8,
}

/// Why a text is not a date or a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("date vide")]
    Empty,
    #[error("date illisible : « {0} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)")]
    Invalid(String),
    #[error("mois illisible : « {0} » (attendu AAAA-MM)")]
    InvalidMonth(String),
    #[error("fuseau horaire inconnu : « {0} »")]
    UnknownTimeZone(String),
}

impl DateError {
    pub fn code(&self) -> &'static str {
        match self {
            DateError::Empty => "date_vide",
            DateError::Invalid(_) => "date_invalide",
            DateError::InvalidMonth(_) => "mois_invalide",
            DateError::UnknownTimeZone(_) => "fuseau_inconnu",
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            DateError::Empty => "empty date".into(),
            DateError::Invalid(s) => {
                format!("unreadable date {s:?} (expected DD/MM/YYYY or YYYY-MM-DD)")
            }
            DateError::InvalidMonth(s) => format!("unreadable month {s:?} (expected YYYY-MM)"),
            DateError::UnknownTimeZone(s) => format!("unknown time zone {s:?}"),
        }
    }
}

/// The months' French names, January first.
pub const MONTH_NAMES: [&str; 12] = [
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

impl Month {
    /// A month as an agent types it: `12/2026` (or `12.2026`), `décembre 2026` (accents and
    /// case ignored: `Decembre 2026`), or `2026-12` as [`Month::parse`] reads it.
    pub fn parse_typed(s: &str) -> Result<Month, DateError> {
        let invalid = || DateError::InvalidMonth(s.to_owned());
        let t = s.trim();
        if let Ok(m) = Month::parse(t) {
            return Ok(m);
        }
        let (month, year) = match t.split_once(['/', '.']) {
            Some((m, y)) if !m.is_empty() && m.len() <= 2 && all_digits(m) => {
                (m.parse::<i8>().map_err(|_| invalid())?, y)
            }
            Some(_) => return Err(invalid()),
            None => {
                let key = crate::text::search_key(t);
                let (name, y) = key.rsplit_once(' ').ok_or_else(invalid)?;
                let index = MONTH_NAMES
                    .iter()
                    .position(|n| crate::text::search_key(n) == name)
                    .ok_or_else(invalid)?;
                let month = i8::try_from(index + 1).map_err(|_| invalid())?;
                let year = t.get(t.len() - y.len()..).ok_or_else(invalid)?;
                (month, year)
            }
        };
        if year.len() != 4 || !all_digits(year) {
            return Err(invalid());
        }
        Month::new(year.parse().map_err(|_| invalid())?, month).ok_or_else(invalid)
    }

    /// `12/2026`, as the agent types it back.
    pub fn short(self) -> String {
        format!("{:02}/{}", self.month, self.year)
    }

    /// `None` when `month` is not 1 to 12 or `year` is outside the calendar jiff handles
    /// (−9999 to 9999).
    pub fn new(year: i16, month: i8) -> Option<Month> {
        ((1..=12).contains(&month) && (-9999..=9999).contains(&year))
            .then_some(Month { year, month })
    }
    /// `YYYY-MM`, exactly (surrounding spaces aside): four digits, a dash, two digits.
    pub fn parse(s: &str) -> Result<Month, DateError> {
        let invalid = || DateError::InvalidMonth(s.to_owned());
        let t = s.trim();
        let (y, m) = t.split_once('-').ok_or_else(invalid)?;
        if y.len() != 4 || m.len() != 2 || !all_digits(y) || !all_digits(m) {
            return Err(invalid());
        }
        let year = y.parse().map_err(|_| invalid())?;
        let month = m.parse().map_err(|_| invalid())?;
        Month::new(year, month).ok_or_else(invalid)
    }
    pub fn of(date: Date) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn year(self) -> i16 {
        self.year
    }
    pub fn month(self) -> i8 {
        self.month
    }
    pub fn first_day(self) -> Date {
        // Always valid: `new` and `of` keep the year in jiff's range and the month in 1..=12.
        Date::new(self.year, self.month, 1).unwrap_or(Date::MIN)
    }
    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }
    pub fn days(self) -> i8 {
        self.first_day().days_in_month()
    }
    /// The following month; December 9999, the end of the calendar, stays itself.
    pub fn next(self) -> Month {
        if self.month < 12 {
            Month {
                month: self.month + 1,
                ..self
            }
        } else {
            Month::new(self.year.saturating_add(1), 1).unwrap_or(self)
        }
    }
    /// The preceding month; January −9999 stays itself.
    pub fn previous(self) -> Month {
        if self.month > 1 {
            Month {
                month: self.month - 1,
                ..self
            }
        } else {
            Month::new(self.year.saturating_sub(1), 12).unwrap_or(self)
        }
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Month {
    type Error = DateError;
    fn try_from(s: String) -> Result<Month, DateError> {
        Month::parse(&s)
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// Parses `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`) or ISO `yyyy-mm-dd`,
/// with surrounding spaces; rejects impossible dates (31/02) and two-digit years.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DateError::Empty);
    }
    let invalid = || DateError::Invalid(t.to_owned());
    // The separator is the first character that is not a digit; the same one must be used
    // twice, so that `12/03-2026` is refused rather than guessed.
    let sep = t
        .chars()
        .find(|c| !c.is_ascii_digit())
        .filter(|c| matches!(c, '/' | '-' | '.'))
        .ok_or_else(invalid)?;
    let parts: Vec<&str> = t.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(invalid());
    };
    if ![a, b, c].iter().all(|p| all_digits(p)) {
        return Err(invalid());
    }
    let (year, month, day) = if sep == '-' && a.len() == 4 {
        // ISO 8601: year first.
        (*a, *b, *c)
    } else {
        (*c, *b, *a)
    };
    if year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return Err(invalid());
    }
    let year: i16 = year.parse().map_err(|_| invalid())?;
    let month: i8 = month.parse().map_err(|_| invalid())?;
    let day: i8 = day.parse().map_err(|_| invalid())?;
    if year == 0 {
        return Err(invalid());
    }
    Date::new(year, month, day).map_err(|_| invalid())
}

/// Which public holidays apply: metropolitan France, Alsace-Moselle, or an overseas territory
/// (each adds its abolition-of-slavery day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayZone {
    Metropole,
    AlsaceMoselle,
    Guadeloupe,
    Martinique,
    Guyane,
    Reunion,
    Mayotte,
    SaintMartin,
}

impl HolidayZone {
    pub const ALL: [HolidayZone; 8] = [
        HolidayZone::Metropole,
        HolidayZone::AlsaceMoselle,
        HolidayZone::Guadeloupe,
        HolidayZone::Martinique,
        HolidayZone::Guyane,
        HolidayZone::Reunion,
        HolidayZone::Mayotte,
        HolidayZone::SaintMartin,
    ];

    /// `metropole`, `alsace-moselle`, `guadeloupe`, `martinique`, `guyane`, `reunion`,
    /// `mayotte`, `saint-martin`; case, accents, spaces and underscores do not matter
    /// (`Métropole`, `La Réunion`, `alsace_moselle`).
    pub fn parse(s: &str) -> Option<HolidayZone> {
        let key = crate::text::search_key(&s.replace('_', " ")).replace(' ', "-");
        let key = key.strip_prefix("la-").unwrap_or(&key);
        HolidayZone::ALL.into_iter().find(|z| z.as_str() == key)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayZone::Metropole => "metropole",
            HolidayZone::AlsaceMoselle => "alsace-moselle",
            HolidayZone::Guadeloupe => "guadeloupe",
            HolidayZone::Martinique => "martinique",
            HolidayZone::Guyane => "guyane",
            HolidayZone::Reunion => "reunion",
            HolidayZone::Mayotte => "mayotte",
            HolidayZone::SaintMartin => "saint-martin",
        }
    }

    /// The day of the abolition of slavery (loi n° 83-550 du 30 juin 1983; dates set by décret
    /// n° 83-1003 du 23 novembre 1983, Saint-Martin added by décret n° 2012-553), as (month, day).
    fn abolition_of_slavery(self) -> Option<(i8, i8)> {
        match self {
            HolidayZone::Metropole | HolidayZone::AlsaceMoselle => None,
            HolidayZone::Mayotte => Some((4, 27)),
            HolidayZone::Martinique => Some((5, 22)),
            // Saint-Martin has commemorated on 28 May since 2018 under a ministerial circular;
            // the décret still says 27 May, which is what is applied here (docs/domain.md).
            HolidayZone::Guadeloupe | HolidayZone::SaintMartin => Some((5, 27)),
            HolidayZone::Guyane => Some((6, 10)),
            HolidayZone::Reunion => Some((12, 20)),
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (the "anonymous Gregorian" computus,
/// Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    if y < 1 {
        return None;
    }
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// The public holidays of `year` in `zone`, in date order, with their French names (Code du
/// travail L3133-1; Alsace-Moselle L3134-13; overseas L3422-2). Two holidays may share a day
/// (1 May and Ascension in 2008): both are listed. Empty for years before 1.
pub fn holidays(year: i16, zone: HolidayZone) -> Vec<(Date, &'static str)> {
    let Some(easter) = easter(year) else {
        return Vec::new();
    };
    let fixed = |month: i8, day: i8| Date::new(year, month, day).ok();
    let from_easter = |days: i64| easter.checked_add(jiff::Span::new().days(days)).ok();
    let mut days: Vec<(Option<Date>, &'static str)> = vec![
        (fixed(1, 1), "Jour de l'an"),
        (from_easter(1), "Lundi de Pâques"),
        (fixed(5, 1), "Fête du Travail"),
        (fixed(5, 8), "Victoire 1945"),
        (from_easter(39), "Ascension"),
        (from_easter(50), "Lundi de Pentecôte"),
        (fixed(7, 14), "Fête nationale"),
        (fixed(8, 15), "Assomption"),
        (fixed(11, 1), "Toussaint"),
        (fixed(11, 11), "Armistice 1918"),
        (fixed(12, 25), "Noël"),
    ];
    if zone == HolidayZone::AlsaceMoselle {
        days.push((from_easter(-2), "Vendredi saint"));
        days.push((fixed(12, 26), "Saint-Étienne"));
    }
    if let Some((month, day)) = zone.abolition_of_slavery() {
        days.push((fixed(month, day), "Abolition de l'esclavage"));
    }
    let mut out: Vec<(Date, &'static str)> = days
        .into_iter()
        .filter_map(|(date, name)| date.map(|d| (d, name)))
        .collect();
    // Stable: on a shared day the fixed holiday comes first.
    out.sort_by_key(|(d, _)| *d);
    out
}

/// The holiday's name when `date` is a public holiday in `zone`.
pub fn holiday_name(date: Date, zone: HolidayZone) -> Option<&'static str> {
    holidays(date.year(), zone)
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, name)| name)
}

/// Holidays of the years met while walking through the calendar, computed once per year.
struct HolidayCache {
    zone: HolidayZone,
    year: i16,
    days: Vec<Date>,
}

impl HolidayCache {
    fn new(zone: HolidayZone) -> HolidayCache {
        HolidayCache {
            zone,
            year: i16::MIN,
            days: Vec::new(),
        }
    }

    fn is_working_day(&mut self, date: Date) -> bool {
        use jiff::civil::Weekday;
        if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return false;
        }
        if date.year() != self.year {
            self.year = date.year();
            self.days = holidays(self.year, self.zone)
                .into_iter()
                .map(|(d, _)| d)
                .collect();
        }
        !self.days.contains(&date)
    }
}

/// The day after (`forward`) or before `date`; `None` at the ends of the calendar.
fn step(date: Date, forward: bool) -> Option<Date> {
    if forward {
        date.tomorrow().ok()
    } else {
        date.yesterday().ok()
    }
}

/// `date` itself when it is a working day, else the nearest one in the given direction (or the
/// end of the calendar).
fn working_day_towards(date: Date, zone: HolidayZone, forward: bool) -> Date {
    let mut cache = HolidayCache::new(zone);
    let mut d = date;
    while !cache.is_working_day(d) {
        match step(d, forward) {
            Some(next) => d = next,
            None => break,
        }
    }
    d
}

/// Monday to Friday and not a public holiday.
pub fn is_working_day(date: Date, zone: HolidayZone) -> bool {
    HolidayCache::new(zone).is_working_day(date)
}

/// `date` itself when it is a working day, else the last working day before it.
pub fn working_day_on_or_before(date: Date, zone: HolidayZone) -> Date {
    working_day_towards(date, zone, false)
}

/// `date` itself when it is a working day, else the first working day after it.
pub fn working_day_on_or_after(date: Date, zone: HolidayZone) -> Date {
    working_day_towards(date, zone, true)
}

/// `n` working days after `date` (n may be negative: before). Each step lands on a working
/// day; `n = 0` gives `date` unchanged. Stops at the ends of the calendar.
pub fn add_working_days(date: Date, n: i32, zone: HolidayZone) -> Date {
    let forward = n >= 0;
    let mut remaining = n.unsigned_abs();
    let mut cache = HolidayCache::new(zone);
    let mut d = date;
    while remaining > 0 {
        match step(d, forward) {
            Some(next) => d = next,
            None => break,
        }
        if cache.is_working_day(d) {
            remaining -= 1;
        }
    }
    d
}

/// A named IANA time zone from the bundled database (`Europe/Paris`, `America/Martinique`…).
pub fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, DateError> {
    jiff::tz::TimeZone::get(name).map_err(|_| DateError::UnknownTimeZone(name.to_owned()))
}

/// The civil date of an instant in the authority's time zone.
pub fn local_date(at: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> Date {
    at.to_zoned(tz.clone()).date()
}

#[cfg(test)]
mod tests;
