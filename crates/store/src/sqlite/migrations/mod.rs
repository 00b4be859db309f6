//! The SQLite schema, as an ordered list of migrations. `PRAGMA user_version` holds how many
//! have been applied; a migration is never edited once released, only followed by another.
//! The texts live in files of a few migrations each, joined here in their order.

mod v01_03;
mod v04_11;
mod v12_24;
mod v25_;
mod v31_;

/// The migrations' texts, in order, from the files that hold them.
const PARTS: &[&[&str]] = &[
    v01_03::MIGRATIONS,
    v04_11::MIGRATIONS,
    v12_24::MIGRATIONS,
    v25_::MIGRATIONS,
    v31_::MIGRATIONS,
];

const COUNT: usize = v01_03::MIGRATIONS.len()
    + v04_11::MIGRATIONS.len()
    + v12_24::MIGRATIONS.len()
    + v25_::MIGRATIONS.len()
    + v31_::MIGRATIONS.len();

/// `parts` one after the other (evaluated at compile time: a wrong count does not compile).
const fn join<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut k, mut p) = (0, 0);
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[k] = parts[p][i];
            k += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(k == N, "the migrations' count");
    out
}

/// Migration N (1-based) is `MIGRATIONS[N - 1]`.
pub(crate) const MIGRATIONS: &[&str] = &join::<COUNT>(PARTS);

/// Secondary indexes of imported data: dropped before a bulk import and built again after it,
/// in the same transaction, which is several times faster than maintaining them row by row.
pub(crate) const IMPORT_INDEXES: &[(&str, &str)] = &[
    (
        "rights_by_dossier",
        "CREATE INDEX rights_by_dossier ON rights (dossier)",
    ),
    (
        "rights_by_payee",
        "CREATE INDEX rights_by_payee ON rights (payee_id)",
    ),
    // The history's first and latest months, which decide which month a run may pay
    // (relais_core::month_guard), without reading the whole history.
    (
        "past_payments_by_month",
        "CREATE INDEX past_payments_by_month ON past_payments (month)",
    ),
    (
        "invoices_by_siret",
        "CREATE INDEX invoices_by_siret ON invoices (siret)",
    ),
];

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    /// FNV-1a over every migration's text, each followed by a zero byte: any change of a
    /// text, of their order or of their number changes it.
    fn fingerprint(migrations: &[&str]) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for sql in migrations {
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
        assert_eq!(fingerprint(MIGRATIONS), 0x0bc9_cc8c_da1f_a5f3);
    }
}
