//! The schema of both backends, as one ordered list of migrations: migration N brings a store
//! from version N − 1 to version N, on SQLite (its `sqlite` text; `PRAGMA user_version` holds
//! N) and on PostgreSQL (its `postgres` text; the table `relais_schema` holds N). A migration
//! is never edited once released, only followed by another, written for both backends at
//! once; each backend checks at start that its store is not newer than this list.
//!
//! PostgreSQL arrived at migration 33: the migrations before have no PostgreSQL text, and
//! 33's is the whole schema as SQLite's 1..=33 make it (`postgres/schema.sql`). A PostgreSQL
//! database is thus empty (version 0) or at 33 or later.
//!
//! The texts live in files of a few migrations each, joined here in their order.

mod v01_03;
mod v04_11;
mod v12_24;
mod v25_30;
mod v31_32;
mod v33_;

/// One step of the schema, in each backend's SQL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub(crate) sqlite: &'static str,
    /// None before PostgreSQL (see the module's documentation).
    pub(crate) postgres: Option<&'static str>,
}

/// The migrations written for SQLite alone, before PostgreSQL.
const SQLITE_ONLY: &[&[&str]] = &[
    v01_03::MIGRATIONS,
    v04_11::MIGRATIONS,
    v12_24::MIGRATIONS,
    v25_30::MIGRATIONS,
    v31_32::MIGRATIONS,
];

/// The migrations written for both.
const BOTH: &[&[Migration]] = &[v33_::MIGRATIONS];

const COUNT: usize = v01_03::MIGRATIONS.len()
    + v04_11::MIGRATIONS.len()
    + v12_24::MIGRATIONS.len()
    + v25_30::MIGRATIONS.len()
    + v31_32::MIGRATIONS.len()
    + v33_::MIGRATIONS.len();

/// The parts one after the other (evaluated at compile time: a wrong count does not compile).
const fn join<const N: usize>(
    sqlite_only: &[&[&'static str]],
    both: &[&[Migration]],
) -> [Migration; N] {
    let mut out = [Migration {
        sqlite: "",
        postgres: None,
    }; N];
    let mut k = 0;
    let mut p = 0;
    while p < sqlite_only.len() {
        let mut i = 0;
        while i < sqlite_only[p].len() {
            out[k].sqlite = sqlite_only[p][i];
            k += 1;
            i += 1;
        }
        p += 1;
    }
    p = 0;
    while p < both.len() {
        let mut i = 0;
        while i < both[p].len() {
            out[k] = both[p][i];
            k += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(k == N, "the migrations' count");
    out
}

/// Migration N (1-based) is `MIGRATIONS[N - 1]`.
pub(crate) const MIGRATIONS: &[Migration] = &join::<COUNT>(SQLITE_ONLY, BOTH);

/// The version this build brings a store to, on either backend.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// PostgreSQL's first migration (1-based): its text makes the whole schema.
pub(crate) const POSTGRES_FIRST: i64 = first_for_postgres(MIGRATIONS);

const fn first_for_postgres(migrations: &[Migration]) -> i64 {
    let mut i = 0;
    while i < migrations.len() {
        if migrations[i].postgres.is_some() {
            return i as i64 + 1;
        }
        i += 1;
    }
    migrations.len() as i64 + 1
}

#[cfg(test)]
mod tests {
    use super::{MIGRATIONS, POSTGRES_FIRST};

    /// FNV-1a over every migration's SQLite text, each followed by a zero byte: any change of
    /// a text, of their order or of their number changes it.
    fn fingerprint(texts: impl Iterator<Item = &'static str>) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for sql in texts {
            for byte in sql.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }

    #[test]
    fn the_migrations_are_those_released_in_their_order() {
        // `PRAGMA user_version` counts them: a store is at version N after MIGRATIONS[..N].
        assert_eq!(MIGRATIONS.len(), 33);
        assert_eq!(
            fingerprint(MIGRATIONS.iter().map(|m| m.sqlite)),
            0x0bc9_cc8c_da1f_a5f3
        );
    }

    #[test]
    fn every_migration_from_postgresql_s_first_has_its_postgresql_text() {
        assert_eq!(POSTGRES_FIRST, 33);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            let version = i as i64 + 1;
            assert_eq!(
                m.postgres.is_some(),
                version >= POSTGRES_FIRST,
                "migration {version}"
            );
            assert!(!m.sqlite.trim().is_empty(), "migration {version}");
        }
    }
}
