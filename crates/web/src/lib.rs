//! The web interface for agents: axum, HTML rendered on the server (askama), one small
//! stylesheet, every asset embedded in the binary; no request ever leaves the machine.
//!
//! Security is decided on the server, route by route ([`routes::ROUTES`]): a session (a
//! random token in an HttpOnly, SameSite=Strict cookie; the store keeps its SHA-256) and the
//! roles the route needs, checked before anything is read; a CSRF token on every form; the
//! same headers on every response (CSP without inline scripts, no framing, no referrer).
//! The store is the only state: handlers call it on the blocking pool.

mod aide;
mod auth;
pub mod charts;
mod compte;
pub mod courrier;
pub mod crise;
mod dashboard;
mod desk;
mod dossiers;
pub mod form_errors;
mod hasher;
pub mod limits;
mod login;
mod next_payment;
mod pages;
pub mod paiements;
mod paiements_chart;
mod presession;
mod rib;
pub mod routes;
mod throttle;

use anyhow::Context;
use relais_store::SqliteStore;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub use auth::hash_password;
pub use hasher::HashStats;
pub use routes::router;
pub use throttle::Limits as LoginLimits;

/// How the server behaves; [`Config::default`] is what `relais serve` uses.
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
    pub ecb_rates: Vec<relais_core::deposits::EcbRate>,
    /// Where runs' files are written for download (by `relais_app::runs`, as `relais run
    /// export` writes them); `None`: this server writes no files.
    pub exports: Option<paiements::Exports>,
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
            ecb_rates: relais_core::deposits::default_ecb_rates(),
        }
    }
}

/// The clock, in Unix seconds (tests move it).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Everything a request may use.
pub struct App {
    /// The connection that writes (and checks sessions).
    store: Mutex<SqliteStore>,
    /// Connections that only read the screens' data, side by side (SQLite's WAL lets readers
    /// go on while the writer commits). Empty: reads use `store`.
    readers: Vec<Mutex<SqliteStore>>,
    next_reader: std::sync::atomic::AtomicUsize,
    config: Config,
    throttle: Mutex<throttle::Throttle>,
    searches: Mutex<desk::Searches>,
    /// Every Argon2 of the server, bounded.
    hasher: hasher::Hasher,
    presessions: Mutex<presession::PreSessions>,
    clock: Clock,
    /// A hash checked when the login is unknown, so that time does not tell who exists.
    dummy_hash: String,
}

pub type Shared = Arc<App>;

impl App {
    pub fn new(store: SqliteStore, config: Config, clock: Clock) -> anyhow::Result<Shared> {
        Self::build(store, Vec::new(), config, clock)
    }

    /// The same, with `readers` more connections to `db` for the screens' reads.
    pub fn with_readers(
        store: SqliteStore,
        db: &Path,
        readers: usize,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<Shared> {
        let readers = (0..readers)
            .map(|_| SqliteStore::open_reader(db).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("ouverture de {}", db.display()))?;
        Self::build(store, readers, config, clock)
    }

    fn build(
        store: SqliteStore,
        readers: Vec<Mutex<SqliteStore>>,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<Shared> {
        let dummy_hash = auth::hash_password("relais: no such user")?;
        Ok(Arc::new(App {
            store: Mutex::new(store),
            readers,
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            hasher: hasher::Hasher::new(config.hash_workers, config.hash_queue),
            config,
            throttle: Mutex::new(throttle::Throttle::default()),
            searches: Mutex::new(desk::Searches::default()),
            presessions: Mutex::new(presession::PreSessions::default()),
            clock,
            dummy_hash,
        }))
    }

    /// What the bounded hasher did (tests check that a flood of logins hashes little).
    pub fn hash_stats(&self) -> &HashStats {
        self.hasher.stats()
    }

    /// The cookies' names, by whether the server is behind TLS.
    pub(crate) fn cookies(&self) -> auth::CookieNames {
        auth::cookie_names(self.config.secure_cookies)
    }

    /// How long sessions stay open.
    pub(crate) fn lifetime(&self) -> relais_store::sessions::Lifetime {
        relais_store::sessions::Lifetime {
            idle_seconds: self.config.idle_seconds,
            absolute_seconds: self.config.absolute_seconds,
        }
    }

    /// The system clock.
    pub fn system_clock() -> Clock {
        Arc::new(|| jiff::Timestamp::now().as_second())
    }

    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The authority's time zone.
    pub(crate) fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// Now in the authority's time zone.
    fn zoned_now(&self) -> Option<jiff::Zoned> {
        let tz = self.tz();
        jiff::Timestamp::from_second(self.now())
            .ok()
            .map(|t| t.to_zoned(tz))
    }

    /// Today in the authority's time zone, `AAAA-MM-JJ`.
    fn today(&self) -> String {
        self.zoned_now()
            .map(|z| z.date().to_string())
            .unwrap_or_default()
    }

    /// The local time as the store records who did what, `2026-12-01 09:14`.
    pub(crate) fn local_time(&self) -> String {
        self.zoned_now()
            .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }

    /// Runs `f` with the store on the blocking pool (SQLite and Argon2 must not hold up the
    /// async workers).
    async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, relais_store::StoreError> + Send + 'static,
    ) -> Result<T, pages::Failure> {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = app.store.lock().map_err(|_| pages::Failure::Internal)?;
            f(&mut store).map_err(|e| {
                tracing::error!(error = %e, "store error");
                pages::Failure::Internal
            })
        })
        .await
        .map_err(|_| pages::Failure::Internal)?
    }
}

/// Runs `f` with a reading connection on the blocking pool: a free one if any, else the
/// next in turn.
impl App {
    async fn with_reader<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&SqliteStore) -> Result<T, relais_store::StoreError> + Send + 'static,
    ) -> Result<T, pages::Failure> {
        if self.readers.is_empty() {
            return self.with_store(move |s| f(s)).await;
        }
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let free = app.readers.iter().find_map(|r| r.try_lock().ok());
            let store = match free {
                Some(guard) => guard,
                None => {
                    let n = app
                        .next_reader
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let reader = app
                        .readers
                        .get(n % app.readers.len())
                        .ok_or(pages::Failure::Internal)?;
                    reader.lock().map_err(|_| pages::Failure::Internal)?
                }
            };
            f(&store).map_err(|e| {
                tracing::error!(error = %e, "store error");
                pages::Failure::Internal
            })
        })
        .await
        .map_err(|_| pages::Failure::Internal)?
    }
}

/// Opens the store of `data` and serves on `bind` until the process is stopped.
pub async fn serve(db: &Path, bind: SocketAddr, config: Config) -> anyhow::Result<()> {
    let store = SqliteStore::open(db).with_context(|| format!("ouverture de {}", db.display()))?;
    let readers = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let app = App::with_readers(store, db, readers, config, App::system_clock())?;
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
