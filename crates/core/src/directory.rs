//! The directory of sites and services (`annuaire.csv`), and French phone numbers as `tel:`
//! links that dial from any phone (ITU-T E.164).

use serde::Serialize;

/// One line of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryRow {
    pub site_code: String,
    pub site: String,
    pub service: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub hours: String,
    pub paper_deposit: bool,
    pub public: bool,
}

/// Overseas departments dial with their own country code, then the number without its 0
/// (ARCEP plan de numérotation). 0639 (Mayotte mobiles) is left out: ARCEP keeps 06 39 98 for
/// fiction, which the demo uses as metropolitan numbers.
const OVERSEAS: &[(&str, &str)] = &[
    ("0590", "590"),
    ("0690", "590"),
    ("0691", "590"),
    ("0594", "594"),
    ("0694", "594"),
    ("0596", "596"),
    ("0696", "596"),
    ("0697", "596"),
    ("0262", "262"),
    ("0692", "262"),
    ("0693", "262"),
    ("0269", "262"),
];

/// The `tel:` link of a phone number as written in the directory (`01 99 00 12 34`,
/// `+33 1 99 00 12 34`, `0033…`, a short number like `3939`), or `None` when it is not one.
pub fn tel_href(phone: &str) -> Option<String> {
    let t = phone.trim();
    let plus = t.starts_with('+');
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '\u{a0}' | '(' | ')' | '+'))
    {
        return None;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    if let Some(rest) = international {
        return (8..=15)
            .contains(&rest.len())
            .then(|| format!("tel:+{rest}"));
    }
    match digits.len() {
        // Short numbers (15, 115, 3939, 116 006…) dial as they are.
        2..=6 => Some(format!("tel:{digits}")),
        10 if digits.starts_with('0') && !digits.starts_with("00") => {
            let national = digits.get(1..)?;
            let code = OVERSEAS
                .iter()
                .find(|(prefix, _)| digits.starts_with(prefix))
                .map_or("33", |(_, code)| code);
            Some(format!("tel:+{code}{national}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers_become_international_links() {
        assert_eq!(
            tel_href("01 99 00 12 34").as_deref(),
            Some("tel:+33199001234")
        );
        assert_eq!(
            tel_href("06.39.98.10.00").as_deref(),
            Some("tel:+33639981000")
        );
        assert_eq!(
            tel_href("+33 1 99 00 12 34").as_deref(),
            Some("tel:+33199001234")
        );
        assert_eq!(
            tel_href("0033 1 99 00 12 34").as_deref(),
            Some("tel:+33199001234")
        );
        assert_eq!(
            tel_href("0596 12 34 56").as_deref(),
            Some("tel:+596596123456")
        );
        assert_eq!(
            tel_href("0262 12 34 56").as_deref(),
            Some("tel:+262262123456")
        );
        assert_eq!(tel_href("3939").as_deref(), Some("tel:3939"));
    }

    #[test]
    fn what_is_not_a_number_has_no_link() {
        assert_eq!(tel_href("06 39 98 12"), None);
        assert_eq!(tel_href(""), None);
        assert_eq!(tel_href("voir accueil"), None);
        assert_eq!(tel_href("1 99 00 12 34"), None);
        assert_eq!(tel_href("+33"), None);
    }
}
