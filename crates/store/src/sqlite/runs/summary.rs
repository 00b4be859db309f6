//! The run's summary (the control report's figures), made from the tally of `prepare`.

use super::compare::Comparison;
use super::writer::{Tally, exclusion_label};
use crate::StoreError;
use crate::runs::PrepareRun;
use crate::unpayable::Unpayable;
use relais_core::payment;
use relais_core::run::{BenefitTotals, ImputationTotals, KindTotals, RunStatus, RunSummary};
pub(crate) fn summary_of(
    req: &PrepareRun<'_>,
    run: &str,
    t: &Tally,
    compared: &Comparison,
) -> Result<RunSummary, StoreError> {
    let Comparison {
        changes,
        people,
        previous,
    } = compared;
    let changes = *changes;
    let benefits = t
        .per_benefit
        .iter()
        .map(|(b, (lines, total, payees))| BenefitTotals {
            benefit: *b,
            rights: *lines,
            people: people.get(b).copied().unwrap_or(0),
            payees: *payees,
            total: *total,
            previous_total: previous.get(b).copied(),
            pay_date: req
                .params
                .benefits
                .get(b)
                .map(|p| p.pay_date)
                .unwrap_or(req.month.first_day()),
            pay_date_note: req
                .params
                .benefits
                .get(b)
                .and_then(|p| p.pay_date_note.clone()),
        })
        .collect();
    let mut excluded: Vec<(String, String, u64)> = t
        .excluded
        .iter()
        .map(|(code, n)| (code.clone(), reason_label(code).to_owned(), *n))
        .collect();
    excluded.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut anomalies: Vec<(String, String, u64)> = t
        .anomalies
        .iter()
        .map(|(k, n)| (k.code().to_owned(), k.label_fr().to_owned(), *n))
        .collect();
    if changes > 0 {
        anomalies.push((
            "amount_changed".into(),
            "montant changé de plus du seuil par rapport au mois précédent".into(),
            changes,
        ));
    }
    Ok(RunSummary {
        authority: req.authority.to_owned(),
        run: run.to_owned(),
        month: req.month,
        status: RunStatus::Prepared,
        prepared_by: req.actor.to_owned(),
        prepared_at: req.local_time.clone(),
        validated_by: None,
        validated_at: None,
        cancelled_by: None,
        benefits,
        kinds: t
            .per_kind
            .iter()
            .map(|(k, (mandates, lines, total))| KindTotals {
                kind: *k,
                mandates: *mandates,
                lines: *lines,
                total: *total,
            })
            .collect(),
        imputations: t
            .per_imputation
            .iter()
            .flat_map(|(b, accounts)| {
                accounts.iter().flat_map(move |(account, functions)| {
                    functions
                        .iter()
                        .map(move |(function, (lines, total))| ImputationTotals {
                            benefit: *b,
                            account: account.clone(),
                            function: function.clone(),
                            lines: *lines,
                            total: *total,
                        })
                })
            })
            .collect(),
        lines: t.lines,
        mandates: u64::from(t.mandates),
        total: t.total,
        excluded,
        anomalies,
        change_threshold: req.params.change_threshold,
        caf_rights: t.caf_rights,
        caf_total: t.caf_total,
        caf_mandate: t.caf_mandate.clone(),
        bordereaux: Vec::new(),
    })
}

/// The French label of an exclusion code, whichever list it comes from.
pub(super) fn reason_label(code: &str) -> &'static str {
    if let Some(e) = payment::Exclusion::ALL.iter().find(|e| e.code() == code) {
        return e.label_fr();
    }
    for u in [
        Unpayable::Expired,
        Unpayable::InvalidIban,
        Unpayable::PayeeRejected,
        Unpayable::PersonRejected,
        Unpayable::RightRejected,
    ] {
        if u.code() == code {
            return u.label_fr();
        }
    }
    exclusion_label(code)
}
