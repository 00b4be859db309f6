//! The desk's searches, kept on the server under a random id: a NIR typed in the search never
//! lands in an address (history, proxy logs, a copied link), yet the results have an address
//! of their own (`/accueil?r=…`), so back and reload work.

use std::collections::HashMap;

/// Searches kept at most; the oldest go first (a desk types a few hundred a day).
const SEARCHES_KEPT: usize = 10_000;
/// A search is kept this long (a working day).
const SEARCH_SECONDS: i64 = 10 * 3600;

/// The searches typed, by id: whose, what, when. Only their agent gets them back.
#[derive(Debug, Default)]
pub struct Searches {
    by_id: HashMap<String, (String, String, i64)>,
}

impl Searches {
    pub fn keep(&mut self, login: &str, q: &str, now: i64) -> String {
        if self.by_id.len() >= SEARCHES_KEPT {
            self.by_id
                .retain(|_, (_, _, at)| now - *at < SEARCH_SECONDS);
            if self.by_id.len() >= SEARCHES_KEPT {
                let oldest = self
                    .by_id
                    .iter()
                    .min_by_key(|(_, (_, _, at))| *at)
                    .map(|(id, _)| id.clone());
                if let Some(id) = oldest {
                    self.by_id.remove(&id);
                }
            }
        }
        let id = crate::auth::random_token()[..32].to_owned();
        self.by_id
            .insert(id.clone(), (login.to_owned(), q.to_owned(), now));
        id
    }

    pub fn get(&self, id: &str, login: &str, now: i64) -> Option<String> {
        self.by_id
            .get(id)
            .filter(|(who, _, at)| who == login && now - at < SEARCH_SECONDS)
            .map(|(_, q, _)| q.clone())
    }
}
