//! Parsers for the values of extracts that have no type of their own in the core: phone
//! numbers, postal codes, e-mail addresses, yes/no. Each gives the normalized value or a
//! `FieldError` with its code.

use super::messages::{self, FieldError};

/// A French phone number, normalized as `01 99 00 12 34` (see
/// [`relais_core::directory::normalize_phone`], which the directory's forms use too).
pub(crate) fn phone(field: &str, value: &str) -> Result<String, FieldError> {
    relais_core::directory::normalize_phone(value).ok_or_else(|| messages::phone(field, value))
}

/// A French postal code: 5 digits, spaces inside dropped (`77 000`). A 4-digit code is
/// refused, not padded: it may be a foreign one (Belgium) as well as a lost leading zero.
pub(crate) fn postal_code(value: &str) -> Result<String, FieldError> {
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if compact.len() == 5 && compact.bytes().all(|b| b.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(messages::postal_code(value))
    }
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// An e-mail address: one `@`, something before, a domain with a dot after, no spaces.
pub(crate) fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && !local.contains(['<', '>', ',', ';', '"'])
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
                && domain_ok(domain)
        }
        None => false,
    };
    if ok {
        Ok(value.to_owned())
    } else {
        Err(messages::email(field, value))
    }
}

/// `oui`/`non` and their usual spellings in exports (`o`/`n`, `yes`/`no`, `1`/`0`,
/// `vrai`/`faux`, `true`/`false`, `x` for a ticked box).
pub(crate) fn yes_no(field: &str, value: &str) -> Result<bool, FieldError> {
    let v = relais_core::text::strip_accents(value).to_lowercase();
    match v.as_str() {
        "oui" | "o" | "yes" | "y" | "1" | "vrai" | "true" | "x" => Ok(true),
        "non" | "n" | "no" | "0" | "faux" | "false" => Ok(false),
        _ => Err(messages::unknown_value(field, value, &["oui", "non"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ph(s: &str) -> Result<String, &'static str> {
        phone("telephone", s).map_err(|e| e.code)
    }

    #[test]
    fn phones_are_normalized() {
        assert_eq!(ph("0199001234"), Ok("01 99 00 12 34".into()));
        assert_eq!(ph("01.99.00.12.34"), Ok("01 99 00 12 34".into()));
        assert_eq!(ph("01-99-00-12-34"), Ok("01 99 00 12 34".into()));
        assert_eq!(ph("+33 1 99 00 12 34"), Ok("01 99 00 12 34".into()));
        assert_eq!(ph("+33 (0)1 99 00 12 34"), Ok("01 99 00 12 34".into()));
        assert_eq!(ph("+33 01 99 00 12 34"), Ok("01 99 00 12 34".into()));
        assert_eq!(ph("0033 6 39 98 12 34"), Ok("06 39 98 12 34".into()));
        assert_eq!(ph("+596 596 12 34 56"), Ok("05 96 12 34 56".into()));
        assert_eq!(ph("+262 262 12 34 56"), Ok("02 62 12 34 56".into()));
        assert_eq!(ph("+687 12 34 56"), Ok("+687 12 34 56".into()));
        assert_eq!(ph("3949"), Ok("3949".into()));
        assert_eq!(ph("115"), Ok("115".into()));
    }

    #[test]
    fn bad_phones() {
        for bad in [
            "01 99 00 12 3",
            "1199001234",
            "0099001234",
            "+44 20 7946 0000",
            "01 99 00 12 34 ext 2",
            "06+12345678",
            "+33 1 99 00 12",
            "abc",
            "4242",
        ] {
            assert_eq!(ph(bad), Err("telephone"), "{bad}");
        }
    }

    #[test]
    fn postal_codes() {
        assert_eq!(postal_code("77000").ok(), Some("77000".into()));
        assert_eq!(postal_code("77 000").ok(), Some("77000".into()));
        assert_eq!(postal_code("97200").ok(), Some("97200".into()));
        for bad in ["7700", "770000", "2A004", "77O00", ""] {
            assert_eq!(
                postal_code(bad).map_err(|e| e.code),
                Err("code_postal"),
                "{bad}"
            );
        }
    }

    #[test]
    fn emails() {
        for good in [
            "mds@demo.invalid",
            "a.b+c@sous.domaine.fr",
            "accueil@département.fr",
        ] {
            assert!(email("email", good).is_ok(), "{good}");
        }
        for bad in [
            "mds", "@x.fr", "a@b", "a b@c.fr", "a@b..fr", "a@-b.fr", "a@@b.fr", "a@b.fr.",
        ] {
            assert_eq!(
                email("email", bad).map_err(|e| e.code),
                Err("email"),
                "{bad}"
            );
        }
    }

    #[test]
    fn yes_and_no() {
        for (s, v) in [
            ("oui", true),
            ("OUI", true),
            ("Non", false),
            ("o", true),
            ("0", false),
            ("Vrai", true),
        ] {
            assert_eq!(yes_no("public", s).ok(), Some(v), "{s}");
        }
        assert_eq!(
            yes_no("public", "peut-être").map_err(|e| e.code),
            Err("valeur_inconnue")
        );
    }
}
