//! The register as its filters select it: days of receipt typed JJ/MM/AAAA (today by default),
//! a kind, and a searched text (number, depositor, subject, file); for the courrier page and
//! its spreadsheet (`tableur.rs`).

use crate::app::Shared;
use crate::error::WebError;
use crate::form_errors::FormErrors;
use relais_app::deposits;
use relais_core::deposits::{Deposit, DepositKind};
use relais_core::text::search_key;
use relais_documents::french::date_short;
use relais_store::deposits::DepositFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default, rename = "type")]
    pub(super) kind: Option<String>,
    #[serde(default)]
    pub(super) du: Option<String>,
    #[serde(default)]
    pub(super) au: Option<String>,
    #[serde(default)]
    pub(super) filtre: Option<String>,
    /// Searched in the register: number, depositor, subject, file.
    #[serde(default)]
    pub(super) q: Option<String>,
    /// A deposit for this person's file (from the person's page), or kept across a change of
    /// kind with the other common fields.
    #[serde(default)]
    pub(super) dossier: Option<String>,
    /// Additional documents for this application (from the deposit's page).
    #[serde(default)]
    pub(super) completes: Option<String>,
    #[serde(default)]
    pub(super) depositor: Option<String>,
    #[serde(default)]
    pub(super) address: Option<String>,
    #[serde(default)]
    pub(super) subject: Option<String>,
    #[serde(default)]
    pub(super) pages: Option<String>,
    #[serde(default)]
    pub(super) received_at: Option<String>,
    #[serde(default)]
    pub(super) backdate_reason: Option<String>,
    /// `tableur`: the register as the filters select it, for a French spreadsheet.
    #[serde(default)]
    pub(super) format: Option<String>,
}

/// A day of the register's filters: JJ/MM/AAAA (or AAAA-MM-JJ); empty is no bound.
fn filter_day(
    typed: &str,
    field: &str,
    label: &str,
    errors: &mut FormErrors,
) -> Option<jiff::civil::Date> {
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    match relais_core::calendar::parse_date(t) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                field,
                label,
                format!("date illisible « {t} » (attendu JJ/MM/AAAA, par exemple 10/12/2026)"),
            );
            None
        }
    }
}

/// The register as the filters select it: the deposits (oldest first), the filters as typed
/// and their problems.
pub(super) struct Listing {
    pub deposits: Vec<Deposit>,
    pub key: String,
    pub q: String,
    pub from: String,
    pub to: String,
    pub from_day: Option<jiff::civil::Date>,
    pub to_day: Option<jiff::civil::Date>,
    pub filter_kind: String,
    pub filter_errors: FormErrors,
}

impl Listing {
    /// The deposits the searched text finds, most recent first.
    pub fn found(&self) -> impl Iterator<Item = &Deposit> {
        self.deposits
            .iter()
            .rev()
            .filter(|d| deposits::answers(d, &self.key))
    }
}

pub(super) async fn listing(app: &Shared, query: &ListQuery) -> Result<Listing, WebError> {
    let today = app.zoned_now().map(|z| z.date());
    let q = query.q.clone().unwrap_or_default();
    let key = search_key(&q);
    let mut filter_errors = FormErrors::new();
    // Today by default; a search looks at every day unless days are given.
    let typed_or_today = |v: &Option<String>| match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ if !key.is_empty() => String::new(),
        _ => today.map(date_short).unwrap_or_default(),
    };
    let from = typed_or_today(&query.du);
    let to = typed_or_today(&query.au);
    let from_day = filter_day(&from, "du", "Du", &mut filter_errors);
    let to_day = filter_day(&to, "au", "Au", &mut filter_errors);
    let filter_kind = query.filtre.clone().unwrap_or_default();
    let filter = DepositFilter {
        kind: DepositKind::parse(&filter_kind),
        from: from_day,
        to: to_day,
        dossier: None,
    };
    let found = if filter_errors.is_empty() {
        app.with_reader(move |s| Ok(deposits::list(s, &filter)))
            .await?
            .map_err(|e| WebError::internal("courrier: register not read", e))?
    } else {
        Vec::new()
    };
    Ok(Listing {
        deposits: found,
        key,
        q,
        from,
        to,
        from_day,
        to_day,
        filter_kind,
        filter_errors,
    })
}
