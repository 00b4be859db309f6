//! `/courrier?format=tableur`: the register as its filters select it, for a French spreadsheet:
//! UTF-8 with a byte-order mark, `;` between fields, amounts with a decimal comma, dates
//! JJ/MM/AAAA HH:MM in the authority's time zone, kinds by their labels. Written by
//! `relais_formats::tableur`, as the command line's `--format tableur`: a typed text that a
//! spreadsheet would take for a formula starts with an apostrophe.

use super::kind_label;
use super::listing::{ListQuery, listing};
use crate::app::Shared;
use crate::error::WebError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relais_core::deposits::Deposit;
use relais_formats::tableur::{amount, instant, text, writer};

/// The register's rows for a spreadsheet, with the header.
pub(super) fn csv<'d>(
    deposits: impl Iterator<Item = &'d Deposit>,
    tz: &jiff::tz::TimeZone,
    kind: impl Fn(&Deposit) -> String,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer(Vec::new())?;
    w.write_record([
        "Numéro",
        "Reçu le",
        "Enregistré le",
        "Type",
        "Déposant",
        "Objet",
        "Pages",
        "Dossier",
        "Montant TTC",
        "État",
        "Alertes",
    ])?;
    for d in deposits {
        let state = match &d.cancellation {
            Some(c) => format!("annulé le {} : {}", instant(c.at, tz), c.reason),
            None => "enregistré".to_owned(),
        };
        w.write_record([
            d.number.to_string(),
            instant(d.received_at, tz),
            instant(d.registered_at, tz),
            kind(d),
            text(&d.facts.depositor),
            text(d.facts.subject.as_deref().unwrap_or_default()),
            d.facts.pages.to_string(),
            text(d.facts.dossier.as_deref().unwrap_or_default()),
            d.facts
                .invoice
                .as_ref()
                .map(|i| amount(i.amount))
                .unwrap_or_default(),
            text(&state),
            d.warnings().join(" ; "),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

pub(super) async fn download(app: &Shared, query: &ListQuery) -> Result<Response, WebError> {
    let listing = listing(app, query).await?;
    if let Some(problem) = listing.filter_errors.iter().next() {
        return Err(WebError::unprocessable(format!(
            "Registre non téléchargé. {} : {}",
            problem.label, problem.message
        )));
    }
    let tz = app.tz();
    let body = csv(listing.found(), &tz, |d| kind_label(app, d.facts.kind))
        .map_err(|e| WebError::internal("courrier register: spreadsheet not written", e))?;
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"registre-depots.csv\""),
    );
    Ok(response)
}
