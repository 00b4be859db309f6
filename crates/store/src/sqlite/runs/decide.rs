//! Deciding on one right during preparation, whichever backend reads it: excluded with its
//! reason, or claimed and its line kept (with its anomalies).

use super::candidate::Candidate;
use super::writer::{Accepted, Writer, covered_days, exclusion_label};
use crate::StoreError;
use crate::runs::{MAX_NAMED_RIGHTS, PrepareRun, RunStoreError};
use jiff::civil::Date;
use relais_core::payment;
use relais_core::records::Benefit;
use relais_core::run::{AnomalyKind, ExcludedRight, imputation_account};
use std::collections::HashMap;

/// What deciding on a right looks up in the store, rarely (each backend its way).
pub(crate) trait Lookups {
    /// Whether an ordonnateur approved `payee`'s bank details `iban`.
    fn approved(&mut self, payee: &str, iban: &str) -> Result<bool, StoreError>;
    /// The other right under which `dossier` was paid `benefit` this month, when `right`
    /// was not released by an ordonnateur (see `person_guard`).
    fn paid_under(
        &mut self,
        dossier: &str,
        benefit: Benefit,
        right: &str,
    ) -> Result<Option<String>, StoreError>;
}

/// What deciding on each right needs beside the writer.
pub(crate) struct Deciding<'a> {
    req: &'a PrepareRun<'a>,
    benefits: &'a [Benefit],
    bank_window_start: Date,
    lookups: &'a mut dyn Lookups,
    anomalies: Vec<(AnomalyKind, String)>,
    imputation_checks: HashMap<String, Option<String>>,
    bad_imputations: (u64, Vec<(String, String, String)>),
}

impl<'a> Deciding<'a> {
    pub(crate) fn new(
        req: &'a PrepareRun<'a>,
        benefits: &'a [Benefit],
        lookups: &'a mut dyn Lookups,
    ) -> Deciding<'a> {
        Deciding {
            req,
            benefits,
            bank_window_start: req
                .today
                .checked_sub(jiff::Span::new().days(i64::from(req.params.bank_change_days)))
                .unwrap_or(Date::MIN),
            lookups,
            anomalies: Vec::new(),
            // Rights whose own imputation is not M57 (checked once per distinct text: a
            // national extract has a handful).
            imputation_checks: HashMap::new(),
            bad_imputations: (0, Vec::new()),
        }
    }

    /// Refuses the run when rights carry an imputation that is not M57: nothing is kept (the
    /// transaction rolls back with its claims).
    pub(crate) fn finish(self) -> Result<(), RunStoreError> {
        if self.bad_imputations.0 > 0 {
            return Err(RunStoreError::BadImputations {
                count: self.bad_imputations.0,
                rights: self.bad_imputations.1,
            });
        }
        Ok(())
    }

    /// Excludes the right with its reason, or claims it and keeps its line (with its
    /// anomalies); a right whose own imputation is not M57 is counted, not claimed.
    pub(crate) fn right(
        &mut self,
        w: &mut Writer<'_>,
        c: &Candidate<'_>,
    ) -> Result<(), RunStoreError> {
        if !self.benefits.contains(&c.benefit) {
            return Ok(());
        }
        let exclude = |w: &mut Writer<'_>, code: &str, label: &str, amount| {
            w.exclude(&ExcludedRight {
                right_id: c.right_id.to_owned(),
                dossier: c.dossier.to_owned(),
                name: format!("{} {}", c.last_name, c.first_name),
                benefit: Some(c.benefit),
                reason: code.to_owned(),
                reason_fr: label.to_owned(),
                amount,
            })
        };
        // What the right is worth this month, whoever pays it.
        let amount = match payment::month_amount(&c.terms, self.req.month, c.death) {
            Ok(a) => a,
            Err(why) => {
                exclude(w, why.code(), why.label_fr(), None)?;
                return Ok(());
            }
        };
        if c.paid_in_history {
            exclude(
                w,
                "already_paid",
                exclusion_label("already_paid"),
                Some(amount),
            )?;
            return Ok(());
        }
        if let Some(other) = c.claimed_by {
            let label = format!("{} ({other})", exclusion_label("already_in_run"));
            exclude(w, "already_in_run", &label, Some(amount))?;
            return Ok(());
        }
        if let Some(other) = self.lookups.paid_under(c.dossier, c.benefit, c.right_id)? {
            let code = "already_paid_other_right";
            let label = format!(
                "{} ({other}) ; un ordonnateur peut lever l'exclusion (relais run release)",
                exclusion_label(code)
            );
            exclude(w, code, &label, Some(amount))?;
            return Ok(());
        }
        if amount.0 <= 0 {
            exclude(w, "zero_amount", exclusion_label("zero_amount"), None)?;
            return Ok(());
        }
        let Some(params) = self.req.params.benefits.get(&c.benefit) else {
            exclude(
                w,
                "no_imputation",
                exclusion_label("no_imputation"),
                Some(amount),
            )?;
            return Ok(());
        };
        let recent = c
            .iban_changed_on
            .filter(|d| *d >= self.bank_window_start && *d <= self.req.today);
        self.anomalies.clear();
        if c.benefit != Benefit::Rsa {
            if let Some(changed) = recent {
                let approved = self.lookups.approved(c.payee_id, c.iban)?;
                if !approved {
                    let label =
                        format!("{} le {changed}", exclusion_label("bank_change_unapproved"));
                    exclude(w, "bank_change_unapproved", &label, Some(amount))?;
                    return Ok(());
                }
                self.anomalies.push((
                    AnomalyKind::BankChanged,
                    format!("IBAN modifié le {changed}, approuvé"),
                ));
            }
            if params.ceiling.is_some_and(|ceiling| amount > ceiling) {
                self.anomalies.push((
                    AnomalyKind::AboveCeiling,
                    format!(
                        "plafond {}",
                        params.ceiling.map(|c| c.to_string()).unwrap_or_default()
                    ),
                ));
            }
            if !c.paid_before {
                self.anomalies.push((
                    AnomalyKind::FirstPayment,
                    format!("droit ouvert le {}", c.terms.start),
                ));
            }
        }
        let (account, function) = params.imputation(c.payee_kind);
        // The right's own imputation wins over the settings' account, once checked
        // against the M57 chart of accounts.
        let own = c.imputation.filter(|i| !i.trim().is_empty());
        if let Some(text) = own {
            let why = self
                .imputation_checks
                .entry(text.to_owned())
                .or_insert_with(|| {
                    relais_core::settings::check_imputation(text, function)
                        .err()
                        .map(|e| e.to_string())
                });
            if let Some(why) = why {
                self.bad_imputations.0 += 1;
                if self.bad_imputations.1.len() < MAX_NAMED_RIGHTS {
                    self.bad_imputations.1.push((
                        c.right_id.to_owned(),
                        text.to_owned(),
                        why.clone(),
                    ));
                }
                return Ok(());
            }
        }
        let accepted = Accepted {
            c,
            amount,
            params,
            account: own.and_then(imputation_account).unwrap_or(account),
            function,
            covered: covered_days(&c.terms, self.req.month, c.death),
        };
        w.accept(&accepted)?;
        for (kind, detail) in &self.anomalies {
            w.anomaly(&accepted, *kind, detail)?;
        }
        Ok(())
    }
}
