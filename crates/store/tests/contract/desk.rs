//! The desk's search: beginnings of words, accents and case ignored, in French order.

use super::TestBackend;
use super::fixtures::{import, person, with_admin};
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
