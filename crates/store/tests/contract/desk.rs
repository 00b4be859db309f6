//! The desk's search: beginnings of words, accents and case ignored, in French order.

use super::TestBackend;
use super::fixtures::{import, person, with_admin};
use relais_core::records::Record;
use relais_store::desk::PersonHit;

fn files(hits: &[PersonHit]) -> Vec<&str> {
    hits.iter().map(|h| h.dossier.as_str()).collect()
}

pub fn desk_search_by_word_beginnings_in_french_order<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    import(
        s,
        &[
            person("D1", "LEFÈVRE", "Jean-Marc", None),
            person("D2", "LEFEBVRE", "Anne", None),
            person("D3", "MARTIN", "Jeanne", None),
            person("D4", "LÉVÊQUE", "Luc", None),
            person("D5", "LEROY", "Paul", None),
        ],
    );
    let search = |q: &str| s.search_people(q, 10, None).expect("search");
    assert_eq!(files(&search("lefev")), ["D1"]);
    assert_eq!(files(&search("LEFE")), ["D2", "D1"]);
    assert_eq!(files(&search("jean lef")), ["D1"]);
    assert_eq!(files(&search("marc")), ["D1"]);
    assert!(search("lefevre anne").is_empty());
    assert_eq!(files(&search("D3")), ["D3"]);
    // Lévêque among the L's, accents ignored.
    assert_eq!(files(&search("le")), ["D2", "D1", "D5", "D4"]);
    assert_eq!(
        files(&s.search_people("le", 2, None).expect("search")).len(),
        2
    );
}

/// Last and first names with what trips a search up: a name beginning another (MARTIN,
/// MARTINEZ, MARTINS; JEAN, JEANNE, JEANNIN), names of several words (LE ROY, DE LA FONTAINE,
/// Jean-Marc, a repeated Jean Jean), accents and letters to fold (LÉVÊQUE, Étienne,
/// ØSTERGAARD), an apostrophe (N'DIAYE), words of one or two letters (O, LI, DE, LA).
const LAST_NAMES: &[&str] = &[
    "MARTIN",
    "MARTINEZ",
    "MARTINS",
    "LE ROY",
    "LEROY",
    "N'DIAYE",
    "DE LA FONTAINE",
    "LEFÈVRE",
    "LEFEBVRE",
    "JEANNIN",
    "JEAN",
    "MARIE",
    "PAULIN",
    "LÉVÊQUE",
    "DUPONT",
    "DU PONT",
    "ØSTERGAARD",
    "LI",
];
const FIRST_NAMES: &[&str] = &[
    "Jean",
    "Jeanne",
    "Jean-Marc",
    "Marie",
    "Marie-Thérèse",
    "Paul",
    "Pauline",
    "Léa",
    "Li",
    "O",
    "Martin",
    "Anne-Marie",
    "Jean Jean",
    "Étienne",
];

/// The words of `text` as the desk reads names: folded, split on anything but letters and
/// digits.
fn folded_words(text: &str) -> Vec<String> {
    relais_core::text::search_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A person the model knows: file, words of the names, birth year, site.
struct Known {
    file: String,
    words: Vec<String>,
    year: i16,
    site: &'static str,
}

impl Known {
    /// Whether a query of these (folded) words and birth year finds the person: each word
    /// typed begins one of the person's words.
    fn found_by(&self, typed: &[String], year: Option<i16>) -> bool {
        year.is_none_or(|y| y == self.year)
            && typed
                .iter()
                .all(|t| self.words.iter().any(|w| w.starts_with(t.as_str())))
    }
}

/// The search against a model of it (each word typed, folded, begins one of the person's
/// folded words), on every pair of the names above and thousands of queries: one word, two,
/// three, of one letter to whole words, in any order, with a birth year, for a site, and with
/// a limit. Both backends pass it, so they find the same people (SQLite with its FTS5 index,
/// PostgreSQL with its tables of words and pairs of words).
pub fn desk_search_finds_exactly_the_people_whose_words_begin_with_those_typed<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let mut records = Vec::new();
    let mut known = Vec::new();
    for (i, (last, first)) in LAST_NAMES
        .iter()
        .flat_map(|l| FIRST_NAMES.iter().map(move |f| (*l, *f)))
        .enumerate()
    {
        let file = format!("P{i:04}");
        let year = 1940 + (i % 7) as i16;
        let site = if i % 3 == 0 { "MDS02" } else { "MDS01" };
        let Record::Beneficiary(mut b) = person(&file, last, first, None) else {
            unreachable!()
        };
        b.birth_date = jiff::civil::date(year, 1 + (i % 12) as i8, 1 + (i % 28) as i8);
        b.site = site.into();
        records.push(Record::Beneficiary(b));
        known.push(Known {
            file,
            words: folded_words(&format!("{last} {first}")),
            year,
            site,
        });
    }
    import(&mut f.store, &records);
    // Beginnings of every word of the names: one and two letters, three, four, the word.
    let mut beginnings: Vec<String> = known
        .iter()
        .flat_map(|k| k.words.iter())
        .flat_map(|w| {
            let letters: Vec<char> = w.chars().collect();
            [1, 2, 3, 4, letters.len()]
                .into_iter()
                .filter(|n| *n <= letters.len())
                .map(|n| letters[..n].iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    beginnings.sort();
    beginnings.dedup();
    let mut queries: Vec<String> = beginnings.clone();
    let mut n: u64 = 77;
    let mut pick = || {
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        &beginnings[(n >> 33) as usize % beginnings.len()]
    };
    for _ in 0..900 {
        let (a, b) = (pick().clone(), pick().clone());
        queries.push(format!("{a} {b}"));
    }
    for _ in 0..200 {
        let (a, b, c) = (pick().clone(), pick().clone(), pick().clone());
        queries.push(format!("{a} {b} {c}"));
    }
    for _ in 0..100 {
        let a = pick().clone();
        queries.push(format!("{} {a}", 1940 + a.len() % 7));
    }
    // As agents type them: in capitals, with accents, an implied beginning, a word twice.
    for typed in [
        "mar mart",
        "MARTIN j",
        "jea jean",
        "jean jean",
        "Jean-Marc LEF",
        "marie therese",
        "Marie-Thérèse",
        "le roy",
        "de la fontaine jean",
        "n diaye",
        "ndiaye",
        "o li",
        "li li",
        "lé lea",
        "ostergaard o",
        "du pont paul",
        "m j p",
    ] {
        queries.push(typed.to_owned());
    }
    let s = &f.store;
    for q in &queries {
        let (names, year) = match q.split_once(' ') {
            Some((y, rest)) if y.len() == 4 && y.parse::<i16>().is_ok() => {
                (rest.to_owned(), y.parse().ok())
            }
            _ => (q.clone(), None),
        };
        let typed = folded_words(&names);
        let mut expected: Vec<&str> = known
            .iter()
            .filter(|k| k.found_by(&typed, year))
            .map(|k| k.file.as_str())
            .collect();
        expected.sort_unstable();
        let mut got: Vec<String> = s
            .search_people(q, 10_000, None)
            .expect("search")
            .into_iter()
            .map(|h| h.dossier)
            .collect();
        got.sort_unstable();
        assert_eq!(got, expected, "{q:?}");
        // An agent bound to MDS02 finds that site's people only, all of them.
        let on_site: Vec<&str> = known
            .iter()
            .filter(|k| k.site == "MDS02" && k.found_by(&typed, year))
            .map(|k| k.file.as_str())
            .collect();
        let mut got: Vec<String> = s
            .search_people(q, 10_000, Some("MDS02"))
            .expect("site")
            .into_iter()
            .map(|h| h.dossier)
            .collect();
        got.sort_unstable();
        let mut on_site = on_site;
        on_site.sort_unstable();
        assert_eq!(got, on_site, "{q:?} on MDS02");
        // Three at most, of those.
        let few = s.search_people(q, 3, None).expect("limit");
        assert_eq!(few.len(), expected.len().min(3), "{q:?} limited");
        assert!(
            few.iter().all(|h| expected.contains(&h.dossier.as_str())),
            "{q:?} limited"
        );
    }
}
