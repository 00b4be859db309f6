//! Money in integer cents. Never floating point (docs/domain.md, "Product rules the code cites").
//!
//! What the type promises:
//! - `Cents::parse` accepts `1234,56`, `1234.56`, `1 234,56` (space, NBSP U+00A0 or U+202F as
//!   thousands separator), `-12`, `+3`, `12,5` (= 1250 cents), surrounding spaces, and a
//!   trailing `€` (so that the `Display` form reads back); rejects empty input, three or more
//!   decimals, several separators of decimals, letters, overflow.
//! - `Display` gives the French form `1 234,56 €` with U+00A0 as thousands separator and before €.
//! - `to_decimal` gives the machine form `1234.56` (XML, CSV exports): dot, two decimals, no
//!   separator, `-` for negatives.
//!
//! Every operation is checked: an amount that does not fit in an `i64` of cents is an error,
//! never a wrap-around.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in euro cents.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("montant vide")]
    Empty,
    #[error("montant illisible : « {0} » (attendu par exemple 1234,56)")]
    Invalid(String),
    #[error("montant avec plus de deux décimales : « {0} »")]
    TooManyDecimals(String),
    #[error("montant trop grand : « {0} »")]
    Overflow(String),
}

impl MoneyError {
    /// A stable machine code for reject files.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Empty => "montant_vide",
            MoneyError::Invalid(_) => "montant_invalide",
            MoneyError::TooManyDecimals(_) => "montant_decimales",
            MoneyError::Overflow(_) => "montant_trop_grand",
        }
    }
    /// The same message in English, for logs.
    pub fn message_en(&self) -> String {
        match self {
            MoneyError::Empty => "empty amount".into(),
            MoneyError::Invalid(s) => format!("unreadable amount {s:?} (expected e.g. 1234,56)"),
            MoneyError::TooManyDecimals(s) => format!("amount with more than two decimals {s:?}"),
            MoneyError::Overflow(s) => format!("amount too large {s:?}"),
        }
    }
}

/// Separators of thousands accepted in input: space, NBSP and narrow NBSP (French typography
/// writes `1 234,56` with either).
fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Accumulates ASCII digits into `acc`; `None` on overflow.
fn push_digits(acc: u64, digits: &str) -> Option<u64> {
    digits.bytes().try_fold(acc, |acc, b| {
        acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The whole euros of `int_part` (`1 234` or `1234`), after checking the grouping: with
/// separators, the first group has 1 to 3 digits and every other group exactly 3, so that two
/// amounts glued by a space (`12 5`) are not read as one.
fn parse_euros(int_part: &str) -> Result<Option<u64>, ()> {
    let groups: Vec<&str> = int_part.split(is_group_separator).collect();
    if groups.iter().any(|g| !all_digits(g)) {
        return Err(());
    }
    if groups.len() > 1 {
        let first_ok = groups.first().is_some_and(|g| g.len() <= 3);
        let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
        if !(first_ok && rest_ok) {
            return Err(());
        }
    }
    Ok(groups.iter().try_fold(0u64, |acc, g| push_digits(acc, g)))
}

impl Cents {
    pub const ZERO: Cents = Cents(0);

    /// Reads an amount typed by a person or found in an extract (see the module's contract).
    pub fn parse(input: &str) -> Result<Cents, MoneyError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let invalid = || MoneyError::Invalid(trimmed.to_owned());
        // The euro sign that `Display` writes, so that displayed amounts read back.
        let body = trimmed
            .strip_suffix('€')
            .map(str::trim_end)
            .unwrap_or(trimmed);
        let (negative, body) = if let Some(rest) = body.strip_prefix(['-', '\u{2212}']) {
            (true, rest)
        } else {
            (false, body.strip_prefix('+').unwrap_or(body))
        };
        let (int_part, frac_part) = match body.split_once([',', '.']) {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let frac_cents: u64 = match frac_part {
            None => 0,
            Some(f) if !all_digits(f) => return Err(invalid()),
            Some(f) if f.len() > 2 => return Err(MoneyError::TooManyDecimals(trimmed.to_owned())),
            Some(f) => {
                let v = push_digits(0, f).ok_or_else(invalid)?;
                if f.len() == 1 { v * 10 } else { v }
            }
        };
        let euros = parse_euros(int_part)
            .map_err(|()| invalid())?
            .ok_or_else(|| MoneyError::Overflow(trimmed.to_owned()))?;
        let overflow = || MoneyError::Overflow(trimmed.to_owned());
        let abs = euros
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac_cents))
            .ok_or_else(overflow)?;
        let value = if negative {
            // Down to i64::MIN, whose magnitude does not fit in a positive i64.
            0i64.checked_sub_unsigned(abs)
        } else {
            i64::try_from(abs).ok()
        };
        value.map(Cents).ok_or_else(overflow)
    }

    /// A whole number of euros; `None` when it does not fit.
    pub fn from_euros(euros: i64) -> Option<Cents> {
        euros.checked_mul(100).map(Cents)
    }

    /// `1234.56`, for machines.
    pub fn to_decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }

    /// The amount times a count (a monthly amount times a number of months).
    pub fn checked_mul(self, factor: i64) -> Option<Cents> {
        self.0.checked_mul(factor).map(Cents)
    }

    pub fn checked_neg(self) -> Option<Cents> {
        self.0.checked_neg().map(Cents)
    }

    /// The total of `amounts`; `None` when it overflows at any step.
    pub fn checked_sum<I: IntoIterator<Item = Cents>>(amounts: I) -> Option<Cents> {
        amounts
            .into_iter()
            .try_fold(Cents::ZERO, |acc, c| acc.checked_add(c))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3 * 2);
        for (i, ch) in euros.chars().enumerate() {
            // A separator before every group of three digits counted from the right.
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push('\u{a0}');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}{grouped},{:02}\u{a0}€", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> i64 {
        Cents::parse(s).expect(s).0
    }

    #[test]
    fn parses_french_and_machine_forms() {
        assert_eq!(ok("1234,56"), 123_456);
        assert_eq!(ok("1234.56"), 123_456);
        assert_eq!(ok("1 234,56"), 123_456);
        assert_eq!(ok("1\u{a0}234,56"), 123_456);
        assert_eq!(ok("1\u{202f}234\u{202f}567,00"), 123_456_700);
        assert_eq!(ok("-12"), -1200);
        assert_eq!(ok("+3"), 300);
        assert_eq!(ok("12,5"), 1250);
        assert_eq!(ok("0,05"), 5);
        assert_eq!(ok("-0,05"), -5);
        assert_eq!(ok("  42  "), 4200);
        assert_eq!(ok("1 234,56 €"), 123_456);
        assert_eq!(ok("1234,56€"), 123_456);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("-0"), 0);
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        assert_eq!(Cents::parse(""), Err(MoneyError::Empty));
        assert_eq!(Cents::parse("   "), Err(MoneyError::Empty));
        for bad in [
            "12a", "abc", "1,2,3", "1.234,56", "1,234.56", "12,", ",5", "-", "+", "€", "--1",
            "1e5", "12 5", "1 23,00", "1234 567", " 1  234", "- 12", "12,-5", "0x10",
        ] {
            assert!(
                matches!(Cents::parse(bad), Err(MoneyError::Invalid(_))),
                "{bad:?} gave {:?}",
                Cents::parse(bad)
            );
        }
    }

    #[test]
    fn three_decimals_are_an_error_not_thousands() {
        // `1,234` is one euro and 23.4 cents, not 1234 euros: a third decimal is refused.
        assert!(matches!(
            Cents::parse("1,234"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        assert!(matches!(
            Cents::parse("12,345"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        assert!(matches!(
            Cents::parse("1.000"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        // With a space it is a thousands separator.
        assert_eq!(ok("1 234"), 123_400);
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(ok("92233720368547758,07"), i64::MAX);
        assert_eq!(ok("-92233720368547758,08"), i64::MIN);
        for big in [
            "92233720368547758,08",
            "-92233720368547758,09",
            "99999999999999999999999",
        ] {
            assert!(
                matches!(Cents::parse(big), Err(MoneyError::Overflow(_))),
                "{big}"
            );
        }
    }

    #[test]
    fn displays_in_french() {
        assert_eq!(Cents(123_456).to_string(), "1\u{a0}234,56\u{a0}€");
        assert_eq!(Cents(-123_456).to_string(), "-1\u{a0}234,56\u{a0}€");
        assert_eq!(Cents(5).to_string(), "0,05\u{a0}€");
        assert_eq!(Cents(0).to_string(), "0,00\u{a0}€");
        assert_eq!(
            Cents(100_000_000).to_string(),
            "1\u{a0}000\u{a0}000,00\u{a0}€"
        );
        assert_eq!(Cents(99_999).to_string(), "999,99\u{a0}€");
        assert_eq!(
            Cents(i64::MIN).to_string(),
            "-92\u{a0}233\u{a0}720\u{a0}368\u{a0}547\u{a0}758,08\u{a0}€"
        );
    }

    #[test]
    fn decimal_form_for_machines() {
        assert_eq!(Cents(123_456).to_decimal(), "1234.56");
        assert_eq!(Cents(-5).to_decimal(), "-0.05");
        assert_eq!(Cents(0).to_decimal(), "0.00");
        assert_eq!(Cents(-100).to_decimal(), "-1.00");
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(Cents::from_euros(12), Some(Cents(1200)));
        assert_eq!(Cents::from_euros(i64::MAX), None);
        assert_eq!(Cents(250).checked_mul(3), Some(Cents(750)));
        assert_eq!(Cents(i64::MAX).checked_mul(2), None);
        assert_eq!(Cents(i64::MIN).checked_neg(), None);
        assert_eq!(
            Cents::checked_sum([Cents(1), Cents(2), Cents(-4)]),
            Some(Cents(-1))
        );
        assert_eq!(Cents::checked_sum([Cents(i64::MAX), Cents(1)]), None);
        assert_eq!(Cents::checked_sum([]), Some(Cents::ZERO));
    }

    #[test]
    fn error_messages() {
        let e = Cents::parse("12,345").expect_err("three decimals");
        assert_eq!(e.code(), "montant_decimales");
        assert!(e.to_string().contains("12,345"));
        assert!(e.message_en().contains("two decimals"));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn display_reads_back(v in any::<i64>()) {
                prop_assert_eq!(Cents::parse(&Cents(v).to_string()), Ok(Cents(v)));
            }

            #[test]
            fn decimal_reads_back(v in any::<i64>()) {
                prop_assert_eq!(Cents::parse(&Cents(v).to_decimal()), Ok(Cents(v)));
            }

            #[test]
            fn never_panics(s in "\\PC{0,30}") {
                let _ = Cents::parse(&s);
            }

            #[test]
            fn plain_numbers_read_exactly(euros in -1_000_000_000i64..1_000_000_000, cents in 0i64..100) {
                let sign = if euros < 0 { "-" } else { "" };
                let text = format!("{sign}{},{cents:02}", euros.unsigned_abs());
                let expected = euros * 100 + if euros < 0 { -cents } else { cents };
                prop_assert_eq!(Cents::parse(&text), Ok(Cents(expected)));
            }
        }
    }
}
