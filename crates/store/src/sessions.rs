//! Sessions of the web interface, kept in the store so that they survive a restart and can be
//! listed and closed. The browser holds a random token; the store holds only its SHA-256, so a
//! copy of the database opens no session.

use crate::StoreError;
use relais_core::journal::Entry;
use relais_core::roles::Role;

/// An open session, as a request sees it.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub login: String,
    pub roles: Vec<Role>,
    pub site: Option<String>,
    /// The token every form of this session carries (`csrf_token`).
    pub csrf: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("login", &self.login)
            .field("roles", &self.roles)
            .field("site", &self.site)
            .field("csrf", &"<redacted>")
            .finish()
    }
}

impl Session {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A session's last use is recorded at most this often.
pub const TOUCH_SECONDS: i64 = 60;

/// How long a session stays open: closed after `idle_seconds` unused, and in any case
/// `absolute_seconds` after it was opened (a working day), however busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
}

/// Where sessions live. Times are Unix seconds, given by the caller (tests move the clock).
pub trait SessionStore {
    /// Records a session for `login` (journaled as `session.open`).
    fn open_session(
        &mut self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        now: i64,
    ) -> Result<(), StoreError>;

    /// The session of `token_hash` if it is open at `now` under `lifetime` and its user is
    /// still enabled; its last use becomes `now`. An expired session is deleted.
    fn session(
        &mut self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<Session>, StoreError>;

    /// What [`SessionStore::session`] would answer, without writing: the session and when it
    /// was last used, if it is open at `now`. Callers touch it through `session` once in a
    /// while ([`TOUCH_SECONDS`]), so that most requests only read.
    fn peek_session(
        &self,
        token_hash: &str,
        now: i64,
        lifetime: Lifetime,
    ) -> Result<Option<(Session, i64)>, StoreError>;

    /// Ends a session (journaled as `session.close`); nothing if there is none.
    fn close_session(&mut self, token_hash: &str) -> Result<(), StoreError>;

    /// A user changes their own password (`password_hash` is the new Argon2id string):
    /// every other session of theirs is closed, the one of `keep_token_hash` stays open.
    /// Journaled as `user.password` with the number of sessions closed, never the hash.
    fn change_own_password(
        &mut self,
        login: &str,
        password_hash: &str,
        keep_token_hash: &str,
    ) -> Result<Entry, StoreError>;
}
