//! Changes of accounts that may pay (roles `ordonnateur` or `liquidation`), shown to every
//! ordonnateur for a week: a payment power given behind their back is seen.

/// One creation or change of such an account, from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegedChange {
    pub seq: u64,
    /// When it was committed.
    pub at: jiff::Timestamp,
    /// `true` for an account created, `false` for one changed.
    pub created: bool,
    /// The account.
    pub login: String,
    /// Its roles after the change, as journaled (`ordonnateur,liquidation`).
    pub roles: String,
    /// Who made the change.
    pub actor: String,
    /// For a change: what changed, as journaled (`enabled`, `password_reset`).
    pub change: String,
}

/// The journal kinds of these changes start with this.
pub const PRIVILEGED_KIND_PREFIX: &str = "privileged_account_";

/// Changes listed at most (the journal keeps them all).
pub const PRIVILEGED_SHOWN: usize = 50;
