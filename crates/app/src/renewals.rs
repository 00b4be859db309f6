//! Renewals of rights by a crisis decision (`relais_core::run::RenewalPolicy`): simulated, then
//! applied as one journal entry. What the agent confirmed is bound by a digest of the decision
//! and of what it changes; applying checks the simulation still gives that digest and applies
//! it back to back, on the same store handle (the web's one writer), so no other change of this
//! server comes between the check and the application.

use relais_core::run::RenewalPolicy;
use relais_store::runs::{RenewalOutcome, RunStore, RunStoreError};
use sha2::{Digest, Sha256};

/// The digest of a decision and of what it changes: the one the simulation's page shows.
pub fn digest(policy: &RenewalPolicy, outcome: &RenewalOutcome) -> String {
    let mut h = Sha256::new();
    for b in &policy.benefits {
        h.update(format!("{}|", b.code()));
    }
    h.update(format!(
        "{}|{}|{}|{}\u{0}{}\u{0}{}",
        policy.ends_from,
        policy.ends_to,
        policy.new_end,
        policy.legal_reference,
        policy.decided_by,
        outcome.rights
    ));
    for (b, (n, total)) in &outcome.per_benefit {
        h.update(format!("|{}:{n}:{}", b.code(), total.0));
    }
    hex::encode(&h.finalize()[..16])
}

/// Renews rights by `policy` as `actor` (`simulate`: nothing written).
pub fn renew<S: RunStore + ?Sized>(
    store: &mut S,
    policy: &RenewalPolicy,
    actor: &str,
    simulate: bool,
) -> Result<RenewalOutcome, RunStoreError> {
    store.renew_rights(policy, actor, simulate)
}

/// What applying a confirmed decision did.
#[derive(Debug)]
pub enum Applied {
    /// Applied: what it changed (with its journal entry).
    Done(RenewalOutcome),
    /// Not applied: the decision or the rights changed since the simulation confirmed; here is
    /// today's simulation.
    Changed(RenewalOutcome),
}

/// Applies `policy` only if its simulation still has the digest `confirmed`.
pub fn apply_as_simulated<S: RunStore + ?Sized>(
    store: &mut S,
    policy: &RenewalPolicy,
    actor: &str,
    confirmed: &str,
) -> Result<Applied, RunStoreError> {
    let now = store.renew_rights(policy, actor, true)?;
    if digest(policy, &now) != confirmed {
        return Ok(Applied::Changed(now));
    }
    store.renew_rights(policy, actor, false).map(Applied::Done)
}
