//! The web interface for agents: axum, HTML rendered on the server (askama), one small
//! stylesheet, every asset embedded in the binary; no request ever leaves the machine.
//!
//! Security is decided on the server, route by route ([`routes::ROUTES`]): a session (a
//! random token in an HttpOnly, SameSite=Strict cookie; the store keeps its SHA-256) and the
//! roles the route needs, checked before its handler runs (`session.rs`); a CSRF token on
//! every form; the same headers on every response (CSP without inline scripts, no framing, no
//! referrer). The store is the only state: handlers call it on the blocking pool.
//!
//! Layers, each using only those below it: `routes` (the table, the router) → the screens
//! (`dashboard`, `desk`, `courrier/`, `crise/`, `rib`, `flagged` (the rows to handle, `/dossiers`), `paiements/`…, each with
//! its templates; one may show another's parts, without a cycle) → `session` (extractors),
//! `app` (the state), `pages` (the frame of every page), `error`, `access`, and the parts that
//! know no screen (`auth`, `throttle`, `hasher`, `limits`, `charts`…).

mod access;
mod aide;
mod annuaire;
mod app;
mod assets;
mod auth;
pub mod charts;
mod checkpoints;
mod compte;
pub mod courrier;
pub mod crise;
mod dashboard;
mod desk;
mod error;
mod factures;
mod fields;
mod flagged;
pub mod form_errors;
mod hasher;
mod layers;
pub mod limits;
mod login;
mod next_payment;
mod pages;
mod paie;
pub mod paiements;
mod paiements_chart;
mod presession;
mod rib;
pub mod routes;
mod searches;
mod session;
mod throttle;

use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;

pub use app::{App, Clock, HashStats, Shared};
pub use auth::hash_password;
pub use routes::router;
pub use throttle::Limits as LoginLimits;

/// How the server behaves; [`Config::default`] is what `relais serve` uses; the state,
/// `app.rs`, holds it.
#[derive(Clone)]
pub struct Config {
    /// The authority's name, shown in every page's header.
    pub authority: String,
    /// A session unused for this long is closed.
    pub idle_seconds: i64,
    /// A session is closed this long after it opened, however busy (a working day).
    pub absolute_seconds: i64,
    /// Served behind TLS: cookies `Secure` with the `__Host-` prefix, and HSTS.
    pub secure_cookies: bool,
    /// Free tries and growing waits of logins (`throttle`).
    pub login_limits: LoginLimits,
    /// Argon2 hashes at once (0: one per core), and how many more may wait their turn.
    pub hash_workers: usize,
    pub hash_queue: usize,
    /// The authority's time zone (IANA name): what "today" is.
    pub time_zone: String,
    /// The authority's settings (payment parameters for runs), when the data folder has them.
    pub settings: Option<relais_core::settings::Settings>,
    /// The receipt key and deposit rules, for the courrier screens.
    pub courrier: Option<Arc<courrier::Courrier>>,
    /// The ECB's rates, for late-payment interest on invoices (the dashboard).
    pub ecb_rates: Vec<relais_core::invoices::EcbRate>,
    /// Where runs' files are written for download (by `relais_app::runs`, as `relais run
    /// export` writes them); `None`: this server writes no files.
    pub exports: Option<paiements::Exports>,
    /// Where the letters to suppliers are written (`DATA/courriers/`); `None`: none written.
    pub letters: Option<std::path::PathBuf>,
    /// Signs the journal's checkpoints (at each run validated or exported, and hourly while
    /// entries are written); `None`: none signed (tests). [`serve`] sets the data folder's.
    pub checkpoints: Option<relais_app::checkpoints::Signer>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            authority: String::new(),
            idle_seconds: 30 * 60,
            absolute_seconds: 10 * 3600,
            secure_cookies: false,
            login_limits: LoginLimits {
                free: 5,
                max_wait: 3600,
                address_free: 100,
                address_max_wait: 60,
                forget_after: 24 * 3600,
            },
            hash_workers: 0,
            hash_queue: 16,
            time_zone: "Europe/Paris".into(),
            settings: None,
            courrier: None,
            exports: None,
            letters: None,
            checkpoints: None,
            ecb_rates: relais_core::invoices::default_ecb_rates(),
        }
    }
}

/// Opens the store of `data` (its writing connection, and two reading ones per core) and
/// serves on `bind` until the process is stopped.
pub async fn serve(
    data: &relais_app::Data,
    bind: SocketAddr,
    mut config: Config,
) -> anyhow::Result<()> {
    config
        .checkpoints
        .get_or_insert_with(|| relais_app::checkpoints::Signer::new(data));
    // Off the async workers: PostgreSQL's driver blocks on a runtime of its own, which must
    // not run inside this one (the handlers reach the store on the blocking pool likewise).
    let (store, readers) = tokio::task::block_in_place(|| {
        let store = data.open_store()?;
        let readers = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
        let readers = (0..readers)
            .map(|_| data.open_reader())
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, relais_app::AppError>((store, readers))
    })
    .map_err(|e| anyhow::anyhow!(e.french()))?;
    let app = App::with_readers(store, readers, config, App::system_clock())?;
    // The invoices' list read whole once now, rather than by the first agent who asks for it.
    let warm = Arc::clone(&app);
    tokio::spawn(async move {
        if let Err(e) = factures::due_list(&warm).await {
            tracing::warn!(error = ?e, "invoices' list not read at start");
        }
    });
    tokio::spawn(checkpoints::hourly(Arc::clone(&app)));
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("écoute sur {bind}"))?;
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .context("serveur web")
}
