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

impl DirectoryRow {
    /// Whether the row answers a search typed at the desk or by the crisis cell: every word of
    /// `query` begins a word of the site, its code, the service, the address, the hours or the
    /// e-mail (accents, case, dashes and apostrophes ignored: `meaux pmi`, `Ozoir`), or the
    /// query's digits are in the phone number (`12 34`, `0160`). An empty query answers all.
    pub fn matches(&self, query: &str) -> bool {
        let wanted = crate::text::search_key(query);
        if wanted.is_empty() {
            return true;
        }
        let phone_like = query
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '\u{a0}'));
        if phone_like {
            let digits: String = query.chars().filter(char::is_ascii_digit).collect();
            let phone: String = self.phone.chars().filter(char::is_ascii_digit).collect();
            return phone.contains(&digits);
        }
        let haystack = crate::text::search_key(&format!(
            "{} {} {} {} {} {}",
            self.site,
            self.site_code.replace(['-', '_'], " "),
            self.service,
            self.address,
            self.hours,
            self.email.replace(['@', '.'], " "),
        ));
        let words: Vec<&str> = haystack.split(' ').collect();
        wanted
            .split(' ')
            .all(|w| words.iter().any(|h| h.starts_with(w)))
    }

    /// The key of the directory's French order: site, then service, accents and case ignored
    /// (`Étampes` with the E's, not after `Z`).
    pub fn french_order(&self) -> (String, String, String, String) {
        (
            crate::text::search_key(&self.site),
            crate::text::search_key(&self.service),
            self.site.clone(),
            self.service.clone(),
        )
    }
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

/// Overseas departments with their own country code; their numbers are 0 + 9 digits at home
/// (+262 262 12 34 56 is 0262 12 34 56), like metropolitan +33.
const NINE_DIGIT_CODES: [&str; 6] = ["33", "262", "269", "590", "594", "596"];

/// Overseas collectivities with short numbers, kept in international form.
/// (Saint-Pierre-et-Miquelon, Wallis-et-Futuna, Nouvelle-Calédonie: 6 digits; Polynésie: 8.)
const SHORT_CODES: [(&str, usize); 4] = [("508", 6), ("681", 6), ("687", 6), ("689", 8)];

/// Digits in pairs: `0199001234` → `01 99 00 12 34`.
fn pairs(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn national(digits: &str) -> Option<String> {
    let mut chars = digits.chars();
    let ok =
        digits.len() == 10 && chars.next() == Some('0') && chars.next().is_some_and(|c| c != '0');
    ok.then(|| pairs(digits))
}

/// A French phone number, normalized as `01 99 00 12 34` (national numbers, +33 and the
/// overseas departments' codes brought back to 0 + 9 digits), `+687 12 34 56` (overseas
/// collectivities), or a short number (`3949`, `115`) as it is; `None` when it is not one.
/// The import checks the extracts' numbers with it, the directory's forms typed ones.
pub fn normalize_phone(value: &str) -> Option<String> {
    // `+33 (0)1 …`: the trunk 0 written in brackets is not dialled.
    let cleaned = if value.contains("(0)") {
        std::borrow::Cow::Owned(value.replace("(0)", ""))
    } else {
        std::borrow::Cow::Borrowed(value)
    };
    let mut digits = String::with_capacity(cleaned.len());
    let mut plus = false;
    for (i, c) in cleaned.trim().chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}' | '\u{202f}' => {}
            _ => return None,
        }
    }
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    match international {
        Some(rest) => {
            for code in NINE_DIGIT_CODES {
                if let Some(number) = rest.strip_prefix(code) {
                    // `+33 0 1 23…`: a trunk 0 kept by mistake after the country code.
                    let number = number
                        .strip_prefix('0')
                        .filter(|n| n.len() == 9)
                        .unwrap_or(number);
                    if number.len() == 9 {
                        return national(&format!("0{number}"));
                    }
                }
            }
            for (code, len) in SHORT_CODES {
                if let Some(number) = rest.strip_prefix(code)
                    && number.len() == len
                {
                    return Some(format!("+{code} {}", pairs(number)));
                }
            }
            None
        }
        None => {
            if let Some(n) = national(&digits) {
                return Some(n);
            }
            // Short numbers: 3xxx services, 1x and 11x emergency and help lines.
            let short = match digits.len() {
                4 => digits.starts_with('3'),
                2 | 3 => digits.starts_with('1'),
                _ => false,
            };
            short.then_some(digits)
        }
    }
}

/// A phone number typed by an agent (the directory's web form, `relais annuaire set`): checked
/// and normalized as at import ([`normalize_phone`]), or refused with the reason in French.
pub fn parse_phone(value: &str) -> Result<String, String> {
    normalize_phone(value).ok_or_else(|| {
        format!(
            "téléphone « {} » : ce n'est pas un numéro français ; attendu 10 chiffres commençant \
             par 0 (01 23 45 67 89), ou +33, +262, +269, +590, +594, +596 suivis de 9 chiffres, \
             ou un numéro court (3949)",
            value.trim()
        )
    })
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

    #[test]
    fn a_typed_phone_is_checked_as_at_import() {
        assert_eq!(
            parse_phone(" +33 1 99 00 12 34 "),
            Ok("01 99 00 12 34".into())
        );
        assert_eq!(parse_phone("+687 12 34 56"), Ok("+687 12 34 56".into()));
        let why = parse_phone("01 99 00 12 3").expect_err("too short");
        assert!(
            why.starts_with("téléphone « 01 99 00 12 3 » : ce n'est pas un numéro français"),
            "{why}"
        );
        for ok in ["01 99 00 12 34", "+687 12 34 56", "3949", "115"] {
            let n = parse_phone(ok).expect("a number");
            assert!(tel_href(&n).is_some(), "{n}");
        }
    }

    fn row(site: &str, code: &str, service: &str, phone: &str) -> DirectoryRow {
        DirectoryRow {
            site_code: code.to_owned(),
            site: site.to_owned(),
            service: service.to_owned(),
            phone: phone.to_owned(),
            email: "mds-meaux@example.invalid".to_owned(),
            address: "12, rue de l'Hôtel-de-Ville".to_owned(),
            hours: "lundi au vendredi".to_owned(),
            paper_deposit: true,
            public: true,
        }
    }

    #[test]
    fn the_directory_is_searched_by_word_beginnings_and_phone_digits() {
        let r = row(
            "MDS de Meaux",
            "MDS-MEAUX",
            "Protection maternelle et infantile",
            "01 60 12 34 56",
        );
        for yes in [
            "",
            "meaux",
            "MEAUX protection",
            "mds meaux",
            "hotel de ville",
            "0160",
            "12 34",
            "01.60.12",
            "lundi",
        ] {
            assert!(r.matches(yes), "{yes}");
        }
        assert!(r.matches("Méaux protec"));
        assert!(!r.matches("ozoir"));
        assert!(!r.matches("eaux"), "a word's beginning, not its middle");
        assert!(!r.matches("9999"));
        let mut rows = [
            row("Ozoir", "O", "Accueil", ""),
            row("Étampes", "E", "Accueil", ""),
            row("Évry", "V", "Accueil", ""),
            row("Dammarie", "D", "Accueil", ""),
        ];
        rows.sort_by_cached_key(DirectoryRow::french_order);
        let sites: Vec<&str> = rows.iter().map(|r| r.site.as_str()).collect();
        assert_eq!(sites, ["Dammarie", "Étampes", "Évry", "Ozoir"]);
    }
}
