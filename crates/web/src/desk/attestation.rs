//! `GET /personne/{dossier}/attestation.pdf`: the payment certificate, for the same agents as
//! the person's page (an agent bound to a site gets 404 for a person of another site, as for
//! the page). Its issue is journaled (who, which file) before it is handed over.

use crate::app::Shared;
use crate::error::WebError;
use crate::next_payment::{answer_lines, benefit_fr, outlooks, status_fr};
use crate::session::SignedIn;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use relais_core::Cents;
use relais_core::calendar::Month;
use relais_documents::attestation::{
    CertificateInput, CertificatePayment, CertificateRight, write_certificate_pdf,
};
use relais_store::desk::PersonPage;

pub async fn attestation(
    State(app): State<Shared>,
    Path(dossier): Path<String>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let site = session.site.clone();
    let wanted = dossier.clone();
    let found = app
        .with_reader(move |s| {
            let Some(page) = s.person(&wanted, site.as_deref())? else {
                return Ok(None);
            };
            Ok(Some((page, s.directory()?)))
        })
        .await?;
    let (page, directory) = found.ok_or(WebError::NotFound)?;
    let today = app.today_date();
    // Issued where the agent works: their site's name, else the authority.
    let place = session
        .site
        .as_deref()
        .and_then(|code| directory.iter().find(|d| d.site_code == code))
        .map_or_else(|| app.config.authority.clone(), |d| d.site.clone());
    let input = certificate(
        &page,
        today,
        app.config.settings.as_ref(),
        &app.config.authority,
        place,
        &session.login,
    );
    let mut pdf = Vec::new();
    write_certificate_pdf(&input, &mut pdf)
        .map_err(|e| WebError::internal(&format!("payment certificate for {dossier}"), e))?;
    let actor = session.login.clone();
    let who = dossier.clone();
    app.with_store(move |s| s.log_certificate(&actor, &who))
        .await?
        .ok_or(WebError::NotFound)?;
    let name: String = dossier
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut response = (StatusCode::OK, pdf).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"attestation-paiement-{name}.pdf\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// What the certificate says of `page` on `today`: the same answer as the page's.
fn certificate(
    page: &PersonPage,
    today: Date,
    settings: Option<&relais_core::settings::Settings>,
    authority: &str,
    place: String,
    issued_by: &str,
) -> CertificateInput {
    let p = &page.person;
    let benefit_of = |right_id: &str| {
        page.rights
            .iter()
            .find(|r| r.id == right_id)
            .map(|r| benefit_fr(&r.benefit))
            .unwrap_or_default()
    };
    CertificateInput {
        authority: authority.to_owned(),
        name: format!("{} {}", p.last_name, p.first_name),
        dossier: p.dossier.clone(),
        birth_date: p.birth_date.parse().ok(),
        address: format!("{}, {} {}", page.address, page.postal_code, p.city),
        rights: page
            .rights
            .iter()
            .map(|r| CertificateRight {
                benefit: benefit_fr(&r.benefit),
                monthly: Cents(r.monthly_amount),
                start: r.start.parse().ok(),
                end: r.end.parse().ok(),
                status: status_fr(&r.status),
                payee: r.payee_name.clone(),
            })
            .collect(),
        payments: page
            .paid_months
            .iter()
            .filter_map(|pay| {
                Some(CertificatePayment {
                    month: Month::parse(&pay.month).ok()?,
                    benefit: benefit_of(&pay.right_id),
                    amount: Cents(pay.amount),
                    date: pay.date.parse().ok(),
                    state: payment_state(&pay.source).to_owned(),
                })
            })
            .collect(),
        next: answer_lines(&outlooks(page, today, settings), today),
        place,
        issued_on: today,
        issued_by: issued_by.to_owned(),
    }
}

/// A payment's state in words: the history was paid; a run is validated (sent to the public
/// accountant, who pays) or only prepared.
fn payment_state(source: &str) -> &'static str {
    if source.ends_with("(validated)") {
        "mandaté"
    } else if source.ends_with("(prepared)") {
        "préparé, à valider"
    } else {
        "versé"
    }
}
