//! Deposits at the desk and their receipts: what `relais deposit …`, `relais receipt …` and
//! the web's courrier screens all call.

use crate::error::AppError;
use relais_core::deposits::{DepositKind, KindRules};

/// The rules of `kind` among `rules`.
pub fn rules_for(rules: &[KindRules], kind: DepositKind) -> Result<&KindRules, AppError> {
    rules
        .iter()
        .find(|r| r.kind == kind)
        .ok_or(AppError::NoKindRules(kind))
}
