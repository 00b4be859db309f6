//! The store contract (`tests/contract/`) run against PostgreSQL: the hooks in PostgreSQL's
//! own SQL, then the contract tests. Each test gets a database of its own in the cluster that
//! `RELAIS_TEST_POSTGRES` names (started by `scripts/pg-cluster`, as `scripts/test` and CI
//! do).

mod contract;

use contract::{CouranteTamper, JournalTamper, Kept, TestBackend};
use relais_core::roles::Role;
use relais_store::{PgConfig, PgStore, Store, StoreError};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// The cluster the tests use (a libpq key-value string or URL, no password: a local socket
/// with trust authentication).
fn cluster() -> String {
    std::env::var("RELAIS_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "RELAIS_TEST_POSTGRES is not set: start a cluster with \
             `eval $(scripts/pg-cluster start /tmp/relais-pg)` (scripts/test does)"
        )
    })
}

/// A new, empty database in the test cluster; its connection string.
fn fresh_database() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "relais_t{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        jiff::Timestamp::now().as_nanosecond() % 1_000_000_007
    );
    let mut admin = postgres::Client::connect(&cluster(), postgres::NoTls).expect("cluster");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    format!("{} dbname={name}", cluster().replace("dbname=postgres", ""))
}

fn config(url: &str) -> PgConfig {
    PgConfig {
        url: url.to_owned(),
        password: None,
    }
}

/// Runs `sql` with the user triggers of `table` set aside, as an intruder owning it would.
fn behind_triggers(store: &PgStore, table: &str, sql: &str) {
    let mut c = store.raw_client();
    c.batch_execute(&format!(
        "ALTER TABLE {table} DISABLE TRIGGER USER; {sql}; ALTER TABLE {table} ENABLE TRIGGER USER;"
    ))
    .expect("tamper");
}

impl TestBackend for PgStore {
    fn create(dir: &Path) -> Self {
        let url = fresh_database();
        std::fs::write(dir.join("pg-url"), &url).expect("url");
        PgStore::connect(&config(&url)).expect("connect")
    }

    fn connect(dir: &Path) -> Self {
        let url = std::fs::read_to_string(dir.join("pg-url")).expect("url");
        PgStore::connect(&config(&url)).expect("connect again")
    }

    fn tamper_journal(&self, tamper: JournalTamper<'_>) {
        let sql = match tamper {
            JournalTamper::Alter { seq, from, to } => format!(
                "UPDATE journal SET payload = replace(payload, '{}', '{}') WHERE seq = {seq}",
                from.replace('\'', "''"),
                to.replace('\'', "''")
            ),
            JournalTamper::Remove { seq } => format!("DELETE FROM journal WHERE seq = {seq}"),
            JournalTamper::Swap { a, b } => format!(
                "UPDATE journal SET seq = -1 WHERE seq = {a};
                 UPDATE journal SET seq = {a} WHERE seq = {b};
                 UPDATE journal SET seq = {b} WHERE seq = -1"
            ),
        };
        behind_triggers(self, "journal", &sql);
    }

    fn journal_refuses_rewrite(&self, seq: u64) -> bool {
        let mut c = self.raw_client();
        let seq = seq as i64;
        let update = c.execute(
            "UPDATE journal SET actor = 'mallory' WHERE seq = $1",
            &[&seq],
        );
        let delete = c.execute("DELETE FROM journal WHERE seq = $1", &[&seq]);
        let truncate = c.batch_execute("TRUNCATE journal");
        update.is_err() && delete.is_err() && truncate.is_err()
    }

    fn tamper_courante(&self, tamper: CouranteTamper<'_>) {
        let sql = match tamper {
            CouranteTamper::Edit { id, text } => format!(
                "UPDATE courante SET text = '{}' WHERE id = {id}",
                text.replace('\'', "''")
            ),
            CouranteTamper::Remove { id } => format!("DELETE FROM courante WHERE id = {id}"),
        };
        behind_triggers(self, "courante", &sql);
    }

    fn courante_refuses_rewrite(&self, id: i64) -> bool {
        let mut c = self.raw_client();
        let refused = |r: Result<u64, postgres::Error>| {
            r.is_err_and(|e| {
                e.as_db_error()
                    .is_some_and(|d| d.message().contains("append-only"))
            })
        };
        let update = c.execute(
            "UPDATE courante SET text = 'autre chose' WHERE id = $1",
            &[&id],
        );
        let delete = c.execute("DELETE FROM courante WHERE id = $1", &[&id]);
        refused(update) && refused(delete)
    }

    fn refuses_rewrite(&self, kept: Kept) -> bool {
        let mut c = self.raw_client();
        // PostgreSQL also has TRUNCATE, which row triggers do not see.
        let truncates: &[&str] = match kept {
            Kept::Deposits => &["TRUNCATE deposits CASCADE"],
            Kept::Contacts => &["TRUNCATE contacts"],
            Kept::ValidatedRun => &["TRUNCATE run_line_blocks", "TRUNCATE runs CASCADE"],
            Kept::ValidatedClaims => &["TRUNCATE run_claims CASCADE"],
            Kept::Numbering => &["TRUNCATE numbering"],
            Kept::Regularisation => &["TRUNCATE run_regularisations"],
        };
        contract::rewrites_of(kept)
            .iter()
            .chain(truncates)
            .all(|sql| c.batch_execute(sql).is_err())
    }

    fn corrupt_right_benefit(&self, right_id: &str, code: &str) {
        self.raw_client()
            .execute(
                "UPDATE rights SET benefit = $2 WHERE id = $1",
                &[&right_id, &code],
            )
            .expect("tamper");
    }

    fn claim(&self, right_id: &str, month: &str, run: &str) -> Result<(), StoreError> {
        self.raw_client().execute(
            "INSERT INTO run_claims (right_id, month, run_id) VALUES ($1, $2, $3)",
            &[&right_id, &month, &run],
        )?;
        Ok(())
    }

    fn release_refused(
        &self,
        run: &str,
        right_id: &str,
        month: &str,
        mandate: (i16, u32, u64),
    ) -> bool {
        let mut c = self.raw_client();
        let release = c.execute(
            "INSERT INTO run_claim_releases (run_id, right_id, month, exercice, bordereau, piece, seq)
             VALUES ($1, $2, $3, $4, $5, $6, 1)",
            &[
                &run,
                &right_id,
                &month,
                &i64::from(mandate.0),
                &i64::from(mandate.1),
                &(mandate.2 as i64),
            ],
        );
        let delete = c.execute(
            "DELETE FROM run_claims WHERE run_id = $1 AND right_id = $2 AND month = $3",
            &[&run, &right_id, &month],
        );
        release.is_err() && delete.is_err()
    }

    fn set_roles(&self, login: &str, roles: &[Role]) {
        let codes: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        self.raw_client()
            .execute(
                "UPDATE users SET roles = $2 WHERE login = $1",
                &[&login, &codes.join(",")],
            )
            .expect("roles");
    }
}

every_contract!(PgStore);

/// The schema comes from the one list of migrations both backends share: a new database is
/// brought to the same version as a new SQLite store; at start, a database made by a newer
/// Relais is refused, as is one at a version PostgreSQL never had.
#[test]
fn the_schema_version_is_sqlite_s_and_checked_at_start() {
    let url = fresh_database();
    let store = PgStore::connect(&config(&url)).expect("connect");
    let latest = relais_store::SqliteStore::latest_schema_version();
    assert_eq!(PgStore::latest_schema_version(), latest);
    assert_eq!(store.schema_version().expect("version"), latest);
    // Starting again changes nothing.
    drop(store);
    let store = PgStore::connect(&config(&url)).expect("again");
    assert_eq!(store.schema_version().expect("version"), latest);
    let set = |version: i64| {
        store
            .raw_client()
            .execute("UPDATE relais_schema SET version = $1", &[&version])
            .expect("version");
    };
    set(latest + 1);
    match PgStore::connect(&config(&url)) {
        Err(StoreError::FutureSchema { found, known }) => {
            assert_eq!((found, known), (latest + 1, latest));
        }
        other => panic!("a newer schema was opened: {:?}", other.err()),
    }
    set(5);
    assert!(matches!(
        PgStore::connect(&config(&url)),
        Err(StoreError::Corrupt(_))
    ));
}

/// The cluster's TLS address (`scripts/pg-cluster`: TCP on 127.0.0.1, a certificate for
/// `localhost` signed by its own authority), for a database of `plain`'s (a socket address).
fn by_tls(plain: &str, ca: &str) -> String {
    let tls = std::env::var("RELAIS_TEST_POSTGRES_TLS").unwrap_or_else(|_| {
        panic!("RELAIS_TEST_POSTGRES_TLS is not set: `eval $(scripts/pg-cluster start DIR)`")
    });
    let db = plain
        .split_whitespace()
        .find(|kv| kv.starts_with("dbname="))
        .expect("dbname");
    let tls = tls.replace("dbname=postgres", db);
    match ca {
        "" => tls,
        other => tls.replace("/tls/ca.crt", &format!("/tls/{other}")),
    }
}

/// Whether the server sees `store`'s connection as encrypted.
fn encrypted(store: &PgStore) -> bool {
    store
        .raw_client()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .expect("pg_stat_ssl")
        .get(0)
}

/// A server reached over the network is reached by TLS, its certificate checked against the
/// authority the address names and its name against the certificate; the store works the
/// same through it.
#[test]
fn a_server_reached_by_tls_has_its_certificate_and_name_checked() {
    let plain = fresh_database();
    let url = by_tls(&plain, "");
    let mut store = PgStore::connect(&config(&url)).expect("connect by TLS");
    assert!(encrypted(&store), "the connection is not encrypted");
    store
        .add_user(
            "system",
            &relais_store::NewUser {
                login: "admin".into(),
                roles: vec![Role::Admin],
                site: None,
                password_hash: "$argon2id$fake".into(),
            },
        )
        .expect("a write through TLS");
    // Another authority's certificate: refused.
    let other = by_tls(&plain, "other-ca.crt");
    let said = PgStore::connect(&config(&other))
        .err()
        .expect("wrong authority")
        .to_string();
    assert!(!said.is_empty());
    // The right authority, but the server called by a name its certificate does not bear.
    let by_address = url.replace("host=localhost", "host=127.0.0.1");
    assert!(
        PgStore::connect(&config(&by_address)).is_err(),
        "name not checked"
    );
    // The same server by TCP without an authority: in clear on this machine only, which
    // the server sees as such.
    let clear = url
        .split_whitespace()
        .filter(|kv| !kv.starts_with("sslrootcert="))
        .collect::<Vec<_>>()
        .join(" ");
    let store = PgStore::connect(&config(&clear)).expect("this machine, in clear");
    assert!(!encrypted(&store));
}
