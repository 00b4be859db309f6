//! `/courrier?format=tableur`: the register as its filters select it, for a French spreadsheet:
//! UTF-8 with a byte-order mark, `;` between fields, amounts with a decimal comma, dates
//! JJ/MM/AAAA HH:MM in the authority's time zone, kinds by their labels. A text that a
//! spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) starts with an apostrophe.

use super::register::{ListQuery, listing};
use super::{kind_label, time_zone};
use crate::Shared;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relais_core::deposits::Deposit;

/// One field: quoted when it holds `;`, a quote or a line break.
fn field(out: &mut String, value: &str) {
    if value.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// A typed text, never read as a formula.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn line(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        field(out, f);
    }
    out.push_str("\r\n");
}

/// The register's rows for a spreadsheet, with the header.
pub(super) fn csv<'d>(
    deposits: impl Iterator<Item = &'d Deposit>,
    tz: &jiff::tz::TimeZone,
    kind: impl Fn(&Deposit) -> String,
) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
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
    ];
    line(&mut out, &header.map(str::to_owned));
    let local = |t: jiff::Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%d/%m/%Y %H:%M")
            .to_string()
    };
    for d in deposits {
        let amount = d
            .facts
            .invoice
            .as_ref()
            .map(|i| i.amount.to_decimal().replace('.', ","))
            .unwrap_or_default();
        let state = match &d.cancellation {
            Some(c) => format!("annulé le {} : {}", local(c.at), c.reason),
            None => "enregistré".to_owned(),
        };
        line(
            &mut out,
            &[
                d.number.to_string(),
                local(d.received_at),
                local(d.registered_at),
                kind(d),
                text(&d.facts.depositor),
                text(d.facts.subject.as_deref().unwrap_or_default()),
                d.facts.pages.to_string(),
                text(d.facts.dossier.as_deref().unwrap_or_default()),
                amount,
                text(&state),
                d.warnings().join(" ; "),
            ],
        );
    }
    out
}

pub(super) async fn download(app: &Shared, query: &ListQuery) -> Response {
    let listing = match listing(app, query).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    if let Some(problem) = listing.filter_errors.iter().next() {
        return app.unprocessable(&format!(
            "Registre non téléchargé. {} : {}",
            problem.label, problem.message
        ));
    }
    let tz = time_zone(app);
    let body = csv(listing.found(), &tz, |d| kind_label(app, d.facts.kind));
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
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        line(
            &mut out,
            &["a;b".into(), "dit \"oui\"".into(), text("=HYPERLINK(1)")],
        );
        assert_eq!(out, "\"a;b\";\"dit \"\"oui\"\"\";'=HYPERLINK(1)\r\n");
    }
}
