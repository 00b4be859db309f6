//! Budget imputations: the budget account (`Nature` in PES) and the functional code
//! (`Fonction`) a benefit is mandated on, checked against the M57 lists shipped in `data/`
//! (M57 compulsory for all collectivités since 1 January 2024, docs/domain.md).
//!
//! # What was verified, and against what
//!
//! The M57 instruction itself (instruction budgétaire et comptable M57; from the 2024 exercice
//! the annexes of the arrêté of 21 December 2023: annex 1 "cadre comptable" with the plan de
//! comptes, annex 2 "nomenclature par fonction et cadre budgétaire") could not be consulted: no
//! copy was at hand. What was checked, and against which public copy:
//!
//! Functions (`data/m57_functions.csv`):
//! - Top level 0 to 8: verified against the M57 level-1 labels of the OFGL base
//!   "ofgl-base-departements-fonctionnelle" (as quoted by a public loader of that base) and the
//!   referential below. 9 is reserved by the M57 ("fonction en réserve") and not listed.
//! - 41, 411, 412, 413, 414, 418 and 42, 421, 422, 423, 424, 425, 428: verified against the M57
//!   functional referential of beta.gouv.fr (repository
//!   `thomasguillory-betagouv-agent/schema-projet-collectivites-transition-ecologique`, file
//!   `reference-data/referentiel-competences-m57.csv`). Hence 423 is "Personnes âgées" (ASH of
//!   elderly people) and 425 "Personnes handicapées" (PCH). 410 "Services communs": seen in
//!   Toulouse Métropole's M57 budget (open data).
//! - **Not verified**: 43, 430, 431, 432, 433 (APA) and 44, 441 to 448 (RSA, 447 "Allocations
//!   RSA"). 431, 432, 433 and 447 are docs/domain.md's codes "to verify"; the rest mirrors the M52
//!   functions 55x and 56x (verified, below), assuming the M57 renumbered 55x as 43x and 56x as
//!   44x. 40, 420 and 440 were found in no source and are not listed.
//!
//! Accounts (`data/m57_accounts.csv`): **not verified against the M57 plan de comptes.** Numbers
//! and labels are those of the M52 plan de comptes of exercice 2021 (DGFiP TOTEM nomenclature
//! file `plan-de-compte-M52-M52-2021.xml`, public copy in `datalocale/dataviz-finances-gironde`),
//! verified there: 651x with chapters 016 (APA, 65114x) and 017 (RSA, 6517x), 652x, 6568 —
//! assuming the M57 kept the départements' social accounts. That file also showed what was wrong
//! with the settings' former example: 651141 is APA at home paid *to the home-help service*
//! (651142: paid to the person); 651144 is APA paid to the establishment (651143: to the person in
//! an establishment); 652421 does not exist (ASH of elderly people 65243, of disabled adults
//! 65242); 6517 is a heading (the RSA accounts are 65171, 65172, 65173); 551 (M52 "APA à
//! domicile") and 564 (M52 "Insertion professionnelle" within the RSA) are M52 functions, and 521
//! is in neither nomenclature (the M52 2021 has 52 "Personnes handicapées", undivided).
//!
//! M52 functions (`data/m52_functions.csv`): the complete list of the same M52 2021 file, used
//! only to say in an error that a refused code is an M52 one.
//!
//! Pure: the lists are embedded with `include_str!` and parsed once.

use std::fmt;
use std::sync::LazyLock;

/// One line of a list: a code and its label.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Entry {
    code: &'static str,
    label: &'static str,
}

/// A list sorted by code (so that a heading is followed by the codes that extend it).
#[derive(Debug, Default)]
struct List {
    entries: Vec<Entry>,
}

impl List {
    fn position(&self, code: &str) -> Option<usize> {
        self.entries.binary_search_by(|e| e.code.cmp(code)).ok()
    }

    fn get(&self, code: &str) -> Option<&Entry> {
        self.position(code).and_then(|i| self.entries.get(i))
    }

    /// The codes that extend the one at `i` by one level or more (empty for a detailed code).
    fn sub_codes(&self, i: usize) -> Vec<&'static str> {
        let Some(parent) = self.entries.get(i) else {
            return Vec::new();
        };
        self.entries
            .iter()
            .skip(i + 1)
            .take_while(|e| e.code.starts_with(parent.code))
            .map(|e| e.code)
            .collect()
    }
}

/// Parses `code;label` lines; `#` starts a comment line. Returns the list sorted by code and
/// what is wrong with the text (bad lines are skipped; a test requires none).
fn parse(text: &'static str) -> (List, Vec<String>) {
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(';') {
            Some((code, label))
                if is_code(code) && !label.trim().is_empty() && !label.contains(';') =>
            {
                entries.push(Entry {
                    code,
                    label: label.trim(),
                });
            }
            _ => problems.push(format!("line {}: {line}", n + 1)),
        }
    }
    entries.sort();
    for pair in entries.windows(2) {
        if let [a, b] = pair
            && a.code == b.code
        {
            problems.push(format!("duplicate code {}", a.code));
        }
    }
    (List { entries }, problems)
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit())
}

const ACCOUNTS_TEXT: &str = include_str!("../data/m57_accounts.csv");
const FUNCTIONS_TEXT: &str = include_str!("../data/m57_functions.csv");
const M52_FUNCTIONS_TEXT: &str = include_str!("../data/m52_functions.csv");

static ACCOUNTS: LazyLock<List> = LazyLock::new(|| parse(ACCOUNTS_TEXT).0);
static FUNCTIONS: LazyLock<List> = LazyLock::new(|| parse(FUNCTIONS_TEXT).0);
static M52_FUNCTIONS: LazyLock<List> = LazyLock::new(|| parse(M52_FUNCTIONS_TEXT).0);

/// Why an imputation is refused. `Display` is the French message for agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImputationError {
    /// Not a number: an account is written in digits.
    MalformedAccount(String),
    /// Well formed, but not in the M57 list.
    UnknownAccount(String),
    /// A heading: a mandat is imputed on one of its detailed accounts.
    AccountNotDetailed {
        account: String,
        sub_accounts: Vec<&'static str>,
    },
    /// Not a number: a functional code is written in digits.
    MalformedFunction(String),
    /// Not in the M57 functional nomenclature; `m52` is its label when it is an M52 code, and
    /// `m57` the M57 code of the same label, when there is exactly one.
    UnknownFunction {
        function: String,
        m52: Option<&'static str>,
        m57: Option<(&'static str, &'static str)>,
    },
}

impl ImputationError {
    /// For agents: what is wrong and what to do.
    pub fn message_fr(&self) -> String {
        match self {
            ImputationError::MalformedAccount(a) => format!(
                "compte budgétaire « {a} » illisible : un compte s'écrit en chiffres (ex. 651142)"
            ),
            ImputationError::UnknownAccount(a) => format!(
                "compte {a} inconnu du plan de comptes M57 des prestations sociales \
                 (chapitres 65, 016 APA et 017 RSA) : vérifiez le numéro avec la paierie"
            ),
            ImputationError::AccountNotDetailed {
                account,
                sub_accounts,
            } => format!(
                "compte {account} trop général : un mandat s'impute sur un compte détaillé ({})",
                sub_accounts.join(", ")
            ),
            ImputationError::MalformedFunction(f) => format!(
                "fonction « {f} » illisible : un code fonctionnel s'écrit en chiffres (ex. 431)"
            ),
            ImputationError::UnknownFunction { function, m52, m57 } => {
                let mut text =
                    format!("fonction {function} inconnue de la nomenclature fonctionnelle M57");
                match m52 {
                    Some(label) => {
                        text.push_str(&format!(
                            " : c'est le code M52 « {label} » (la M57 s'applique depuis le \
                             1er janvier 2024)"
                        ));
                        if let Some((code, label)) = m57 {
                            text.push_str(&format!(" ; en M57 : {code} « {label} »"));
                        }
                    }
                    None => text.push_str(" : vérifiez le code avec la paierie"),
                }
                text
            }
        }
    }

    /// For logs.
    pub fn message_en(&self) -> String {
        match self {
            ImputationError::MalformedAccount(a) => {
                format!("budget account {a:?} is not a number")
            }
            ImputationError::UnknownAccount(a) => {
                format!("budget account {a} is not in the M57 list of social-benefit accounts")
            }
            ImputationError::AccountNotDetailed {
                account,
                sub_accounts,
            } => format!(
                "budget account {account} is a heading; use a detailed account ({})",
                sub_accounts.join(", ")
            ),
            ImputationError::MalformedFunction(f) => {
                format!("functional code {f:?} is not a number")
            }
            ImputationError::UnknownFunction { function, m52, m57 } => {
                let mut text =
                    format!("functional code {function} is not in the M57 functional nomenclature");
                if let Some(label) = m52 {
                    text.push_str(&format!(" (it is the M52 code {label:?}"));
                    if let Some((code, _)) = m57 {
                        text.push_str(&format!("; M57: {code}"));
                    }
                    text.push(')');
                }
                text
            }
        }
    }
}

impl fmt::Display for ImputationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_fr())
    }
}

impl std::error::Error for ImputationError {}

/// A detailed account of the M57 list: it exists only valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct M57Account(&'static Entry);

impl M57Account {
    /// Refuses what is not digits, not in the list, or a heading. Surrounding spaces are
    /// ignored.
    pub fn parse(account: &str) -> Result<M57Account, ImputationError> {
        let code = account.trim();
        if !is_code(code) {
            return Err(ImputationError::MalformedAccount(account.to_owned()));
        }
        let Some(i) = ACCOUNTS.position(code) else {
            return Err(ImputationError::UnknownAccount(code.to_owned()));
        };
        let sub_accounts = ACCOUNTS.sub_codes(i);
        if !sub_accounts.is_empty() {
            return Err(ImputationError::AccountNotDetailed {
                account: code.to_owned(),
                sub_accounts,
            });
        }
        ACCOUNTS
            .entries
            .get(i)
            .map(M57Account)
            .ok_or_else(|| ImputationError::UnknownAccount(code.to_owned()))
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn label(self) -> &'static str {
        self.0.label
    }
}

impl fmt::Display for M57Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

/// A code of the M57 functional nomenclature: it exists only valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct M57Function(&'static Entry);

impl M57Function {
    /// Refuses what is not digits or not in the nomenclature, saying when it is an M52 code.
    /// Surrounding spaces are ignored.
    pub fn parse(function: &str) -> Result<M57Function, ImputationError> {
        let code = function.trim();
        if !is_code(code) {
            return Err(ImputationError::MalformedFunction(function.to_owned()));
        }
        if let Some(entry) = FUNCTIONS.get(code) {
            return Ok(M57Function(entry));
        }
        let m52 = M52_FUNCTIONS.get(code).map(|e| e.label);
        // The M57 code of the same label, when the label names one code only ("APA à domicile"
        // does, "Services communs" does not).
        let m57 = m52.and_then(|label| {
            let mut same = FUNCTIONS
                .entries
                .iter()
                .filter(|e| e.label.to_lowercase() == label.to_lowercase());
            match (same.next(), same.next()) {
                (Some(e), None) => Some((e.code, e.label)),
                _ => None,
            }
        });
        Err(ImputationError::UnknownFunction {
            function: code.to_owned(),
            m52,
            m57,
        })
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn label(self) -> &'static str {
        self.0.label
    }
}

impl fmt::Display for M57Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

/// Where a payment is imputed in the budget: `Nature` and `Fonction` of a PES line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Imputation {
    pub account: M57Account,
    pub function: M57Function,
}

impl Imputation {
    /// The account first, then the function: the first refusal is returned.
    pub fn parse(account: &str, function: &str) -> Result<Imputation, ImputationError> {
        Ok(Imputation {
            account: M57Account::parse(account)?,
            function: M57Function::parse(function)?,
        })
    }
}

/// Whether (`account`, `function`) is an M57 imputation: a detailed account of the list and a
/// code of the functional nomenclature.
pub fn check(account: &str, function: &str) -> Result<(), ImputationError> {
    Imputation::parse(account, function).map(|_| ())
}

/// The label of an account of the list (headings included), for documents.
pub fn account_label(account: &str) -> Option<&'static str> {
    ACCOUNTS.get(account.trim()).map(|e| e.label)
}

/// The label of an M57 functional code, for documents.
pub fn function_label(function: &str) -> Option<&'static str> {
    FUNCTIONS.get(function.trim()).map(|e| e.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_lists_parses_without_duplicates() {
        for (name, text, at_least) in [
            ("m57_accounts.csv", ACCOUNTS_TEXT, 50),
            ("m57_functions.csv", FUNCTIONS_TEXT, 35),
            ("m52_functions.csv", M52_FUNCTIONS_TEXT, 100),
        ] {
            let (list, problems) = parse(text);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            let lines = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .count();
            assert_eq!(list.entries.len(), lines, "{name}: every line is an entry");
            assert!(list.entries.len() >= at_least, "{name}");
            assert!(
                text.lines().next().is_some_and(|l| l.starts_with('#')),
                "{name}: a header names the source"
            );
        }
    }

    #[test]
    fn parse_reports_bad_lines_and_duplicates() {
        let (list, problems) = parse("# header\n431;APA\n43a;X\n432\n431;Again\n 44 ;Y\n");
        assert_eq!(list.entries.len(), 2);
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn m52_functions_are_refused_and_named() {
        for code in ["551", "521", "564"] {
            let err = M57Function::parse(code).expect_err(code);
            assert!(err.message_fr().contains(code), "{err}");
            assert!(err.message_en().contains(code), "{}", err.message_en());
        }
        let err = M57Function::parse("551").expect_err("551");
        assert_eq!(
            err.to_string(),
            "fonction 551 inconnue de la nomenclature fonctionnelle M57 : c'est le code M52 \
             « APA à domicile » (la M57 s'applique depuis le 1er janvier 2024) ; en M57 : 431 \
             « APA à domicile »"
        );
        // 564 is the M52 "Insertion professionnelle" of the RSA, not its allocations.
        let err = M57Function::parse("564").expect_err("564");
        assert!(matches!(
            err,
            ImputationError::UnknownFunction {
                m52: Some("Insertion professionnelle"),
                m57: Some(("444", _)),
                ..
            }
        ));
        // 521 is in neither list.
        let err = M57Function::parse("521").expect_err("521");
        assert!(matches!(
            err,
            ImputationError::UnknownFunction { m52: None, .. }
        ));
        assert!(err.message_fr().contains("paierie"), "{err}");
        // An M52 label shared by several M57 codes suggests none.
        let err = M57Function::parse("550").expect_err("550");
        assert!(matches!(
            err,
            ImputationError::UnknownFunction {
                m52: Some("Services communs"),
                m57: None,
                ..
            }
        ));
    }

    #[test]
    fn accounts_must_be_listed_and_detailed() {
        // Well formed, unlisted: the former example's ASH account, and a neighbour of APA's.
        for code in ["652421", "651149", "6011"] {
            assert_eq!(
                M57Account::parse(code),
                Err(ImputationError::UnknownAccount(code.into()))
            );
        }
        let err = M57Account::parse("6517").expect_err("heading");
        assert_eq!(
            err,
            ImputationError::AccountNotDetailed {
                account: "6517".into(),
                sub_accounts: vec!["65171", "65172", "65173"],
            }
        );
        assert!(err.to_string().contains("65171, 65172, 65173"), "{err}");
        assert!(matches!(
            M57Account::parse("65114"),
            Err(ImputationError::AccountNotDetailed { .. })
        ));
        for bad in ["", "65 11", "65-651142", "6511a", "12345678901"] {
            assert!(
                matches!(
                    M57Account::parse(bad),
                    Err(ImputationError::MalformedAccount(_))
                ),
                "{bad:?}"
            );
        }
        let a = M57Account::parse(" 651142 ").expect("listed");
        assert_eq!(a.code(), "651142");
        assert_eq!(a.label(), "APA versée au bénéficiaire");
        assert_eq!(a.to_string(), "651142");
    }

    #[test]
    fn check_and_labels() {
        assert_eq!(check("651142", "431"), Ok(()));
        assert_eq!(check("65171", "447"), Ok(()));
        assert_eq!(check("65243", "423"), Ok(()));
        // The account is checked first.
        assert!(matches!(
            check("652421", "551"),
            Err(ImputationError::UnknownAccount(_))
        ));
        assert!(matches!(
            check("651142", "4 3"),
            Err(ImputationError::MalformedFunction(_))
        ));
        let i = Imputation::parse("651144", "433").expect("valid");
        assert_eq!(i.account.label(), "APA versée à l'établissement");
        assert_eq!(i.function.label(), "APA versée à l'établissement");
        assert_eq!(
            account_label("6517"),
            Some("Allocations RSA (versements aux organismes payeurs)")
        );
        assert_eq!(account_label("652421"), None);
        assert_eq!(function_label("423"), Some("Personnes âgées"));
        assert_eq!(function_label("425"), Some("Personnes handicapées"));
        assert_eq!(function_label("551"), None);
    }
}
