//! The server's state, [`App`]: the store's connections, the configuration, the clock, and
//! what the server keeps between requests (login throttle, pre-sessions, desk searches). Every
//! handler gets it as `State<Shared>`; it knows no handler.

use crate::Config;
use crate::error::WebError;
use crate::pages::Head;
use crate::{auth, hasher, presession, searches, throttle};
use relais_app::data::AnyStore;
use relais_store::Backend;
use relais_store::sessions::Session;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use crate::hasher::HashStats;

/// The clock, in Unix seconds (tests move it).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Everything a request may use.
pub struct App {
    /// The connection that writes (and checks sessions).
    store: Mutex<AnyStore>,
    /// Connections that only read the screens' data, side by side (SQLite's WAL lets readers
    /// go on while the writer commits). Empty: reads use `store`.
    readers: Vec<Mutex<AnyStore>>,
    next_reader: AtomicUsize,
    pub(crate) config: Config,
    pub(crate) throttle: Mutex<throttle::Throttle>,
    pub(crate) searches: Mutex<searches::Searches>,
    /// Every Argon2 of the server, bounded.
    pub(crate) hasher: hasher::Hasher,
    pub(crate) presessions: Mutex<presession::PreSessions>,
    /// The invoices by deadline, kept while nothing is written (the Factures page and the
    /// dashboard ask for them on each request).
    pub(crate) invoices: relais_app::invoices::DueCache,
    clock: Clock,
    /// A hash checked when the login is unknown, so that time does not tell who exists.
    pub(crate) dummy_hash: String,
}

pub type Shared = Arc<App>;

impl App {
    /// The writing connection, locked, for work already off the async runtime (`None`: a
    /// thread panicked holding it).
    pub(crate) fn lock_writer(&self) -> Option<MutexGuard<'_, AnyStore>> {
        self.store.lock().ok()
    }

    /// A reading connection (the writer when the server has none), and a second one if one is
    /// free at once (never waited for: two exports each holding one would wait for each
    /// other); for work already off the async runtime.
    pub(crate) fn lock_readers(
        &self,
    ) -> Option<(MutexGuard<'_, AnyStore>, Option<MutexGuard<'_, AnyStore>>)> {
        if self.readers.is_empty() {
            return Some((self.lock_writer()?, None));
        }
        let first = match self.readers.iter().find_map(|r| r.try_lock().ok()) {
            Some(guard) => guard,
            None => {
                let n = self.next_reader.fetch_add(1, Ordering::Relaxed);
                self.readers.get(n % self.readers.len())?.lock().ok()?
            }
        };
        let second = self.readers.iter().find_map(|r| r.try_lock().ok());
        Some((first, second))
    }

    pub fn new(
        store: impl Backend + 'static,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<Shared> {
        Self::build(Box::new(store), Vec::new(), config, clock)
    }

    /// The same, with `readers`, more connections to the same store for the screens' reads.
    pub fn with_readers(
        store: AnyStore,
        readers: Vec<AnyStore>,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<Shared> {
        let readers = readers.into_iter().map(Mutex::new).collect();
        Self::build(store, readers, config, clock)
    }

    fn build(
        store: AnyStore,
        readers: Vec<Mutex<AnyStore>>,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<Shared> {
        let dummy_hash = auth::hash_password("relais: no such user")?;
        Ok(Arc::new(App {
            store: Mutex::new(store),
            readers,
            next_reader: AtomicUsize::new(0),
            hasher: hasher::Hasher::new(config.hash_workers, config.hash_queue),
            config,
            throttle: Mutex::new(throttle::Throttle::default()),
            searches: Mutex::new(searches::Searches::default()),
            presessions: Mutex::new(presession::PreSessions::default()),
            invoices: relais_app::invoices::DueCache::default(),
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

    /// Now as an instant.
    pub(crate) fn instant(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_second(self.now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// The authority's time zone.
    pub(crate) fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.config.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// Now in the authority's time zone.
    pub(crate) fn zoned_now(&self) -> Option<jiff::Zoned> {
        let tz = self.tz();
        jiff::Timestamp::from_second(self.now())
            .ok()
            .map(|t| t.to_zoned(tz))
    }

    /// Today in the authority's time zone, `AAAA-MM-JJ`.
    pub(crate) fn today(&self) -> String {
        self.zoned_now()
            .map(|z| z.date().to_string())
            .unwrap_or_default()
    }

    /// Today in the authority's time zone, as a date.
    pub(crate) fn today_date(&self) -> jiff::civil::Date {
        self.today().parse().unwrap_or(jiff::civil::Date::ZERO)
    }

    /// The local time as the store records who did what, `2026-12-01 09:14`.
    pub(crate) fn local_time(&self) -> String {
        self.zoned_now()
            .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }

    /// The header of a page.
    pub(crate) fn head(&self, title: &str, session: Option<&Session>, current: &str) -> Head {
        Head::new(&self.config.authority, title, session, current)
    }

    /// Runs `f` with the store on the blocking pool (SQLite and Argon2 must not hold up the
    /// async workers).
    pub(crate) async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, relais_store::StoreError> + Send + 'static,
    ) -> Result<T, WebError> {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = app
                .store
                .lock()
                .map_err(|_| WebError::internal("store", "lock poisoned"))?;
            Ok(f(&mut **store)?)
        })
        .await
        .map_err(|e| WebError::internal("store task", e))?
    }

    /// Runs `f` with a reading connection on the blocking pool: a free one if any, else the
    /// next in turn.
    pub(crate) async fn with_reader<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn Backend) -> Result<T, relais_store::StoreError> + Send + 'static,
    ) -> Result<T, WebError> {
        if self.readers.is_empty() {
            return self.with_store(move |s| f(s)).await;
        }
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let free = app.readers.iter().find_map(|r| r.try_lock().ok());
            let store = match free {
                Some(guard) => guard,
                None => {
                    let n = app.next_reader.fetch_add(1, Ordering::Relaxed);
                    let reader = app
                        .readers
                        .get(n % app.readers.len())
                        .ok_or_else(|| WebError::internal("reader", "no reader"))?;
                    reader
                        .lock()
                        .map_err(|_| WebError::internal("reader", "lock poisoned"))?
                }
            };
            Ok(f(&**store)?)
        })
        .await
        .map_err(|e| WebError::internal("reader task", e))?
    }
}
