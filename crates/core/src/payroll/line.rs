//! A line of the last good month's pay, as payroll software exports it (`paie.csv`,
//! docs/extracts.md).

use crate::Cents;
use crate::calendar::Month;
use crate::records::Extra;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The creditor code of the agent themself: their net goes to their own account.
pub const AGENT_CREDITOR: &str = "AGENT";

/// One rubrique of an agent's last good month.
///
/// Amounts are signed as on a payslip read from the agent's side: `employee` is what the line
/// adds to the net (a gain is positive, a deduction — a contribution, the prélèvement à la
/// source — negative), so that an agent's lines add up to their net; `employer` is the
/// employer's contribution (never negative), owed to the line's creditor on top of the gross.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLine {
    pub matricule: String,
    /// The month the line was paid (the last good month).
    pub month: Month,
    /// The rubrique's code in the payroll software (`101`, `CSG-D`).
    pub code: String,
    pub label: String,
    pub base: Option<Cents>,
    pub rate: Option<Rate>,
    pub employee: Cents,
    pub employer: Cents,
    /// `Nature` of the employee amount: the gross's account (`6411`), a deduction withheld
    /// from that gross on the same account.
    pub account: String,
    /// `Nature` of the employer amount (`6451`), when there is one.
    pub employer_account: Option<String>,
    /// `Fonction` (M57) of both amounts.
    pub function: String,
    /// Who the deduction or the employer's share is owed to: `AGENT`, or a code of the
    /// settings' `[payments.payroll.creditors]` (`URSSAF`, `CNRACL`, `DGFIP`…).
    pub creditor: String,
    pub extra: Extra,
}

/// A mandat of the payroll: its `Nature` and `Fonction`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MandateKey {
    pub account: String,
    pub function: String,
}

impl MandateKey {
    pub fn new(account: &str, function: &str) -> MandateKey {
        MandateKey {
            account: account.to_owned(),
            function: function.to_owned(),
        }
    }
}

/// A rate in ten-thousandths of a percent (`9,88 %` is 98 800): payroll rates have up to four
/// decimals (`0,0350 %`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rate(pub i64);

impl Rate {
    /// `9,88`, `9.88`, `9,88 %`, `0,035`: a percentage with at most four decimals.
    pub fn parse(input: &str) -> Option<Rate> {
        let t = input.trim().trim_end_matches('%').trim().replace(',', ".");
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, t),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !ok(whole) || !ok(frac) || frac.len() > 4 || whole.len() > 6 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = format!("{frac:0<4}").parse().ok()?;
        let v = whole * 10_000 + frac;
        Some(Rate(if negative { -v } else { v }))
    }
}

impl Rate {
    /// The percentage without its sign, French: `9,88`, `0,035`, `100`.
    pub fn decimal_fr(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.unsigned_abs();
        let (whole, frac) = (v / 10_000, v % 10_000);
        let frac = format!("{frac:04}");
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole},{frac}")
        }
    }
}

impl fmt::Display for Rate {
    /// French, without useless zeros: `9,88 %`, `0,035 %`, `100 %`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} %", self.decimal_fr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_and_print_in_french() {
        assert_eq!(Rate::parse("9,88"), Some(Rate(98_800)));
        assert_eq!(Rate::parse("0.035 %"), Some(Rate(350)));
        assert_eq!(Rate::parse("100"), Some(Rate(1_000_000)));
        assert_eq!(Rate::parse("1,23456"), None);
        assert_eq!(Rate::parse("abc"), None);
        assert_eq!(Rate::parse(""), None);
        assert_eq!(Rate(98_800).to_string(), "9,88 %");
        assert_eq!(Rate(350).to_string(), "0,035 %");
        assert_eq!(Rate(1_000_000).to_string(), "100 %");
    }
}
