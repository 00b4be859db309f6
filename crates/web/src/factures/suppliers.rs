//! Paying the suppliers from the invoices' list: a liquidation agent prepares the supplier run
//! (every invoice liquidated and not mandated, with its late interest), reviewed, validated by
//! an ordonnateur and exported on the payment screens like any run; an ordonnateur approves a
//! supplier's bank details changed since the snapshot, without which its invoices wait —
//! through `relais_app::suppliers`, as `relais run prepare --kind fournisseurs`.

use crate::Shared;
use crate::error::WebError;
use crate::session::{CsrfForm, SignedForm};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_app::AppError;
use relais_app::runs::Authority;
use relais_store::runs::RunStoreError;

/// A supplier whose bank details wait for an ordonnateur, as the list shows it.
pub(crate) struct BankRow {
    pub siret: String,
    pub name: String,
    pub iban: String,
    pub previous: String,
}

/// The suppliers whose bank details changed since the snapshot and wait for an ordonnateur.
pub(super) async fn banks_waiting(app: &Shared) -> Result<Vec<BankRow>, WebError> {
    let waiting = app
        .with_reader(|s| {
            relais_app::suppliers::banks_waiting(s)
                .map_err(|e| relais_store::StoreError::Corrupt(e.to_string()))
        })
        .await?;
    Ok(waiting
        .into_iter()
        .map(|w| BankRow {
            siret: w.siret,
            name: w.name,
            iban: w.iban_masked,
            previous: w.previous_masked,
        })
        .collect())
}

/// What the list says after `done`.
pub(super) fn notice(done: &str) -> String {
    match done {
        "rib" => "Coordonnées bancaires approuvées : ses factures liquidées seront mandatées \
                  par le prochain paiement des fournisseurs préparé."
            .to_owned(),
        _ => "Fait.".to_owned(),
    }
}

/// The server's payment settings, which a supplier run is prepared with, or why not.
fn settings(app: &crate::App) -> Result<relais_core::settings::Settings, WebError> {
    app.config.settings.clone().ok_or_else(|| {
        WebError::unprocessable("les paramètres de paiement de la collectivité ne sont pas chargés")
    })
}

/// Prepares the suppliers' payment (role liquidation): every invoice liquidated and not yet
/// mandated, with its late interest; then its page. While one waits for its validation, that
/// one is shown again (nothing is claimed twice).
pub async fn prepare_run(
    State(app): State<Shared>,
    SignedForm(session, _): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    let settings = settings(&app)?;
    let clock = crate::paiements::web_clock(&app)?;
    let tz = app.tz();
    let actor = session.login.clone();
    let payment_days = super::payment_days(&app);
    let rates = app.config.ecb_rates.clone();
    let prepared = app
        .with_store(move |s| {
            let at = Authority {
                settings: &settings,
                settings_path: None,
                tz: &tz,
                clock: &clock,
            };
            Ok(relais_app::suppliers::prepare(
                s,
                &at,
                payment_days,
                &rates,
                &actor,
            ))
        })
        .await?
        .map_err(|e| {
            crate::paiements::refused(&"fournisseurs", e, StatusCode::UNPROCESSABLE_ENTITY)
        })?;
    let run = prepared.run.id;
    Ok(if prepared.created {
        Redirect::to(&format!("/paiements/{run}"))
    } else {
        Redirect::to(&format!("/paiements/{run}?fait=deja"))
    }
    .into_response())
}

/// Approves a supplier's bank details as they are now (an ordonnateur).
pub async fn approve_bank(
    State(app): State<Shared>,
    Path(siret): Path<String>,
    SignedForm(session, _): SignedForm<CsrfForm>,
) -> Result<Response, WebError> {
    let settings = settings(&app)?;
    let clock = crate::paiements::web_clock(&app)?;
    let tz = app.tz();
    let actor = session.login.clone();
    app.with_store(move |s| {
        let at = Authority {
            settings: &settings,
            settings_path: None,
            tz: &tz,
            clock: &clock,
        };
        Ok(relais_app::suppliers::approve_bank(s, &at, &siret, &actor))
    })
    .await?
    .map_err(|e| match e {
        AppError::Run(RunStoreError::UnknownSupplier(_)) => WebError::NotFound,
        e => crate::paiements::refused(&"fournisseur", e, StatusCode::CONFLICT),
    })?;
    Ok(Redirect::to("/factures?fait=rib").into_response())
}
