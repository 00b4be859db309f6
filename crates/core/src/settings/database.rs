//! `[database]` of `settings.toml`: the shared PostgreSQL database a data folder's store is
//! in, when it is not the folder's own SQLite file.

use serde::{Deserialize, Serialize};

/// `[database]`: where the shared PostgreSQL database is. The password is never here: it is
/// read from `password_file` (readable by its owner only), or from the file named by the
/// environment variable `RELAIS_PG_PASSWORD_FILE`, or from `PGPASSWORD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://user@host:port/database` (with `?host=/run/postgresql` for a local socket;
    /// `?sslrootcert=/etc/relais/pg-ca.pem`, the authority of a server on another machine,
    /// reached by TLS only: see `relais_store::postgres`).
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<std::path::PathBuf>,
}

impl DatabaseSettings {
    /// A `postgres://` or `postgresql://` URL that carries no password.
    pub fn validate(&self) -> Result<(), String> {
        let Some(rest) = self
            .url
            .strip_prefix("postgres://")
            .or_else(|| self.url.strip_prefix("postgresql://"))
        else {
            return Err(
                "adresse de base de données sans « postgres:// » au début (database.url)".into(),
            );
        };
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let query = rest.split_once('?').map_or("", |(_, q)| q);
        let in_query = query
            .split('&')
            .any(|pair| pair.split('=').next() == Some("password"));
        let in_authority = authority
            .rsplit_once('@')
            .is_some_and(|(credentials, _)| credentials.contains(':'));
        if in_authority || in_query {
            return Err("le mot de passe ne s'écrit pas dans l'adresse : donnez-le dans un fichier (database.password_file, --database-password-file) ou par RELAIS_PG_PASSWORD_FILE (database.url)".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_is_postgres_and_carries_no_password() {
        let db = |url: &str| DatabaseSettings {
            url: url.into(),
            password_file: None,
        };
        assert!(
            db("postgres://relais@db.cd77.local/relais")
                .validate()
                .is_ok()
        );
        assert!(
            db("postgresql://relais@/relais?host=/run/postgresql")
                .validate()
                .is_ok()
        );
        let e = db("postgres://relais:secret@db/relais")
            .validate()
            .expect_err("a password in the URL");
        assert!(e.contains("mot de passe") && !e.contains("secret"), "{e}");
        assert!(db("mysql://relais@db/relais").validate().is_err());
        // Nor in the query.
        let e = db("postgres://relais@db/relais?sslmode=require&password=secret")
            .validate()
            .expect_err("a password in the query");
        assert!(e.contains("mot de passe") && !e.contains("secret"), "{e}");
        assert!(
            db("postgres://relais@db/relais?sslrootcert=/etc/relais/pg-ca.pem")
                .validate()
                .is_ok()
        );
        // A colon in the path or the query is not a password.
        assert!(
            db("postgres://relais@db:5432/relais?options=a:b")
                .validate()
                .is_ok()
        );
    }
}
