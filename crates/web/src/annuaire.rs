//! `/annuaire`: the directory of sites and services, for every agent, searched by a word's
//! beginning or a phone number's digits (the crisis cell edits it: `crise/public.rs`).

use crate::access::{CRISE, holds};
use crate::app::Shared;
use crate::error::WebError;
use crate::pages::{Head, render};
use crate::session::SignedIn;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use relais_store::desk::DirectoryRow;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "annuaire.html")]
pub struct Annuaire {
    pub head: Head,
    /// The rows that answer the search, in French order.
    pub rows: Vec<DirectoryRow>,
    /// What was searched (empty: everything).
    pub q: String,
    /// How many rows answer, said in French, when something was searched.
    pub found: String,
    /// The crisis cell may edit the directory.
    pub can_edit: bool,
    pub notice: Option<String>,
}

/// `/annuaire?q=…`: what is searched; `fait` after an edit.
#[derive(Deserialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    fait: Option<String>,
    #[serde(default)]
    q: String,
}

pub(crate) async fn annuaire(
    State(app): State<Shared>,
    Query(query): Query<DirectoryQuery>,
    SignedIn(session): SignedIn,
) -> Result<Response, WebError> {
    let all = app.with_reader(|s| s.directory()).await?;
    let total = all.len();
    let q = query.q.trim().to_owned();
    let rows: Vec<_> = all.into_iter().filter(|r| r.matches(&q)).collect();
    Ok(render(
        StatusCode::OK,
        &Annuaire {
            head: app.head("Annuaire", Some(&session), "/annuaire"),
            found: found_label(rows.len(), total, &q),
            rows,
            q,
            can_edit: holds(&session, CRISE),
            notice: query
                .fait
                .map(|_| "Annuaire mis à jour (journal).".to_owned()),
        },
    ))
}

/// "3 entrées sur 58 répondent à « meaux »", or nothing when nothing is searched.
fn found_label(found: usize, total: usize, q: &str) -> String {
    use relais_documents::french::count_of;
    if q.is_empty() {
        return String::new();
    }
    match found {
        0 => format!("Aucune entrée ne répond à « {q} »."),
        1 => format!("1 entrée sur {total} répond à « {q} »."),
        n => format!(
            "{} sur {total} répondent à « {q} ».",
            count_of(n as u64, "entrée", "entrées")
        ),
    }
}
