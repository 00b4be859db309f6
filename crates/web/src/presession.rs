//! Pre-sessions: what ties the login form's CSRF token to the browser that asked for it,
//! before anyone is signed in. The form's page gives the browser a random id (a cookie) and
//! the form a random token; the server keeps, under the id's hash, the token's hash and an
//! expiry. The login consumes it: a token works once, from that browser only, and a page
//! cannot sign someone in with a cookie it set itself (no bare double-submit cookie).
//!
//! In memory and bounded: a restart or a flood of form requests only means "reload the form".

use crate::auth;
use std::collections::HashMap;

/// How long a login form stays usable (an agent may open it and answer the phone).
pub const LIFETIME_SECONDS: i64 = 30 * 60;
/// Pre-sessions kept at most; past this the oldest go first.
const MAX: usize = 20_000;

#[derive(Debug, Default)]
pub struct PreSessions {
    /// Hash of the id → (hash of the token, expiry).
    open: HashMap<String, (String, i64)>,
}

impl PreSessions {
    /// A new pre-session at `now`: (id for the cookie, token for the form).
    pub fn open(&mut self, now: i64) -> (String, String) {
        if self.open.len() >= MAX {
            self.open.retain(|_, (_, expiry)| *expiry > now);
        }
        if self.open.len() >= MAX {
            let mut expiries: Vec<i64> = self.open.values().map(|(_, e)| *e).collect();
            expiries.sort_unstable();
            let cut = expiries.get(MAX / 4).copied().unwrap_or(i64::MAX);
            self.open.retain(|_, (_, expiry)| *expiry > cut);
        }
        let (id, token) = (auth::random_token(), auth::random_token());
        self.open.insert(
            auth::token_hash(&id),
            (auth::token_hash(&token), now + LIFETIME_SECONDS),
        );
        (id, token)
    }

    /// Whether `token` is the one given with pre-session `id`, still open at `now`. The
    /// pre-session is gone either way.
    pub fn consume(&mut self, id: &str, token: &str, now: i64) -> bool {
        match self.open.remove(&auth::token_hash(id)) {
            Some((hash, expiry)) => {
                expiry > now
                    && !token.is_empty()
                    && auth::same_token(&hash, &auth::token_hash(token))
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_once_with_its_own_id_before_it_expires() {
        let mut p = PreSessions::default();
        let (id, token) = p.open(100);
        let (other_id, other_token) = p.open(100);
        assert!(!p.consume(&id, &other_token, 101));
        // Consumed by the failed try: the right token no longer works either.
        assert!(!p.consume(&id, &token, 101));
        assert!(!p.consume("forgé", &other_token, 101));
        assert!(p.consume(&other_id, &other_token, 101));
        assert!(!p.consume(&other_id, &other_token, 102));
        let (id, token) = p.open(100);
        assert!(!p.consume(&id, &token, 100 + LIFETIME_SECONDS));
        let (id, _) = p.open(100);
        assert!(!p.consume(&id, "", 101));
    }

    #[test]
    fn bounded() {
        let mut p = PreSessions::default();
        for i in 0..(MAX as i64 + 10) {
            p.open(i);
        }
        assert!(p.open.len() <= MAX);
    }
}
