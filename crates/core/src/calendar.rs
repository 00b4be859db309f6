//! Months, dates in the authority's time zone, French public holidays and working days.
//!
//! CONTRACT (helper fills the bodies; signatures are used by other crates). Time zones come
//! from jiff's bundled tz database (feature `tzdb-bundle-always`), so this works offline.

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

impl Month {
    pub fn new(year: i16, month: i8) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }
    /// `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Month, DateError> {
        Err(DateError::InvalidMonth(s.to_owned()))
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
        Date::constant(2000, 1, 1)
    }
    pub fn last_day(self) -> Date {
        Date::constant(2000, 1, 1)
    }
    pub fn days(self) -> i8 {
        0
    }
    pub fn next(self) -> Month {
        self
    }
    pub fn previous(self) -> Month {
        self
    }
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
    Err(DateError::Invalid(s.to_owned()))
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
    /// `metropole`, `alsace-moselle`, `guadeloupe`, `martinique`, `guyane`, `reunion`,
    /// `mayotte`, `saint-martin`.
    pub fn parse(s: &str) -> Option<HolidayZone> {
        let _ = s;
        None
    }
    pub fn as_str(self) -> &'static str {
        ""
    }
}

/// The public holidays of `year` in `zone`, in date order, with their French names.
pub fn holidays(year: i16, zone: HolidayZone) -> Vec<(Date, &'static str)> {
    let _ = (year, zone);
    Vec::new()
}

/// The holiday's name when `date` is a public holiday in `zone`.
pub fn holiday_name(date: Date, zone: HolidayZone) -> Option<&'static str> {
    let _ = (date, zone);
    None
}

/// Monday to Friday and not a public holiday.
pub fn is_working_day(date: Date, zone: HolidayZone) -> bool {
    let _ = (date, zone);
    false
}

/// `date` itself when it is a working day, else the last working day before it.
pub fn working_day_on_or_before(date: Date, zone: HolidayZone) -> Date {
    let _ = zone;
    date
}

/// `date` itself when it is a working day, else the first working day after it.
pub fn working_day_on_or_after(date: Date, zone: HolidayZone) -> Date {
    let _ = zone;
    date
}

/// `n` working days after `date` (n may be negative: before).
pub fn add_working_days(date: Date, n: i32, zone: HolidayZone) -> Date {
    let _ = (n, zone);
    date
}

/// A named IANA time zone from the bundled database (`Europe/Paris`, `America/Martinique`…).
pub fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, DateError> {
    jiff::tz::TimeZone::get(name).map_err(|_| DateError::UnknownTimeZone(name.to_owned()))
}

/// The civil date of an instant in the authority's time zone.
pub fn local_date(at: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> Date {
    at.to_zoned(tz.clone()).date()
}
