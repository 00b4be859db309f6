//! Validating a run is asked for on a page of its own (`GET /paiements/{run}/valider`) that
//! states what validation does — month, rights, mandates, amounts, pay dates, what is not paid
//! — with a POST form carrying a digest of those facts. A POST without it is sent to that
//! page; a POST whose digest no longer matches the run is refused, so what is validated is
//! what the ordonnateur read.

use super::{run_id, store_error};
use crate::Shared;
use crate::error::WebError;
use crate::pages::render;
use crate::session::SignedIn;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use relais_core::run::{RunKind, RunStatus, RunSummary};
use relais_documents::french;
use sha2::{Digest, Sha256};

/// The digest of what the confirmation page states: any change of the run's status, counts,
/// totals or dates changes it.
pub(crate) fn digest_of(summary: &RunSummary) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{}|{:?}|{}|{}|{}|{}|{}",
        summary.run,
        summary.status,
        summary.month,
        summary.lines,
        summary.mandates,
        summary.total.0,
        summary.caf_total.0
    ));
    for b in &summary.benefits {
        h.update(format!(
            "|{}:{}:{}:{}",
            b.benefit.code(),
            b.rights,
            b.total.0,
            b.pay_date
        ));
    }
    hex::encode(&h.finalize()[..16])
}

#[derive(Template)]
#[template(path = "paiement_valider.html")]
pub struct ConfirmValidation {
    pub head: crate::pages::Head,
    pub csrf: String,
    pub run: String,
    pub month: String,
    pub digest: String,
    /// (benefit, rights, people, amount, pay date in words)
    pub benefits: Vec<(&'static str, String, String, String, String)>,
    pub rights: String,
    pub mandates: String,
    pub total: String,
    /// RSA: rights the CAF pays and what is mandated to it.
    pub caf: Option<(String, String)>,
    pub excluded: String,
    pub anomalies: String,
    /// A supplier run: its invoices and interest, stated instead of the benefits.
    pub suppliers: Option<super::suppliers::SupplierView>,
}

/// `GET /paiements/{run}/valider`: what validating this run does, and the form that does it.
pub async fn confirm_validation(
    State(app): State<Shared>,
    Path(run): Path<String>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let id = run_id(&run)?;
    let (record, suppliers) = app
        .with_reader(move |s| {
            let record = s.run(id).map_err(store_error)?;
            let suppliers = match &record {
                Some(r) if r.kind == RunKind::Fournisseurs => {
                    Some(super::suppliers::SupplierView::from(
                        &s.supplier_run_summary(id).map_err(store_error)?,
                    ))
                }
                _ => None,
            };
            Ok((record, suppliers))
        })
        .await?;
    let record = record.ok_or(WebError::NotFound)?;
    if record.status != RunStatus::Prepared {
        return Err(WebError::conflict(format!(
            "le paiement {id} est {} : il n'y a rien à valider",
            record.status.label_fr()
        )));
    }
    // Said here, before the ordonnateur reads the consequences; the store refuses it anyway.
    if record.summary.prepared_by == session.login {
        let why = relais_store::runs::RunStoreError::SamePerson(session.login.clone());
        return Err(WebError::refused(why.to_string()));
    }
    let s = &record.summary;
    let count = |n: u64| french::count(n);
    let page = ConfirmValidation {
        head: app.head(
            &format!("Valider le paiement {id}"),
            Some(&session),
            "/paiements",
        ),
        csrf: session.csrf.clone(),
        run: id.to_string(),
        month: french::month_long(s.month),
        digest: digest_of(s),
        benefits: s
            .benefits
            .iter()
            .map(|b| {
                (
                    b.benefit.label_fr(),
                    count(b.rights),
                    count(b.people),
                    b.total.to_string(),
                    french::date_long(b.pay_date),
                )
            })
            .collect(),
        rights: french::count_of(s.lines, "droit", "droits"),
        mandates: french::count_of(s.mandates, "mandat", "mandats"),
        total: s.total.to_string(),
        caf: (s.caf_rights > 0).then(|| {
            (
                french::count_of(s.caf_rights, "droit", "droits"),
                s.caf_mandate
                    .as_ref()
                    .map_or_else(|| s.caf_total.to_string(), |c| c.amount.to_string()),
            )
        }),
        excluded: french::count_of(
            s.excluded.iter().map(|(_, _, n)| n).sum(),
            "droit",
            "droits",
        ),
        anomalies: french::count_of(
            s.anomalies.iter().map(|(_, _, n)| n).sum(),
            "anomalie",
            "anomalies",
        ),
        suppliers,
    };
    Ok(render(StatusCode::OK, &page))
}
