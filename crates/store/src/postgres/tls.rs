//! The connection to the database, encrypted when it leaves the machine.
//!
//! A département's sites reach one database over its own network, sometimes over 4G: the
//! people's names, NIR and bank details must not cross it in clear. So a server on another
//! machine is reached by TLS (rustls), its certificate checked against the certificate
//! authority the address names, and the server's name against its certificate (libpq's
//! `verify-full`); without that authority, Relais refuses to connect rather than send the data
//! in clear. A server on this machine (a unix socket, `localhost`) needs no TLS.
//!
//! The address says it with libpq's own parameters, which the driver does not read itself:
//! - `sslrootcert=/etc/relais/pg-ca.pem`: the authority's certificates (PEM); TLS is then
//!   required, whatever the host.
//! - `sslmode=disable`: in clear, knowingly (a network the département trusts, such as a VPN
//!   between its sites). `prefer`, `require` and `verify-full` are accepted and mean what is
//!   said above; `allow` and `verify-ca` (a certificate whose name is not checked) are refused.

use crate::StoreError;
use postgres::config::{Host, SslMode};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the connection goes.
pub(super) enum Transport {
    /// In clear: a server on this machine, or `sslmode=disable`.
    Plain,
    /// TLS, the server's certificate checked against the authority's (its file).
    Tls(MakeRustlsConnect, PathBuf),
}

/// The TLS parameters of an address, taken out of it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Params {
    mode: Option<String>,
    root_cert: Option<PathBuf>,
}

fn unreadable(what: String) -> StoreError {
    StoreError::Backend(what.into())
}

/// `url` without its `sslmode` and `sslrootcert` (for the driver), and their values. Both the
/// URL form (`postgres://…?sslrootcert=…`) and the key-value form (`host=… sslrootcert=…`).
pub(super) fn take_params(url: &str) -> (String, Params) {
    let mut params = Params::default();
    let mut keep = |key: &str, value: String| match key {
        "sslmode" => {
            params.mode = Some(value);
            false
        }
        "sslrootcert" => {
            params.root_cert = Some(PathBuf::from(value));
            false
        }
        _ => true,
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_owned(), params);
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                keep(key, percent_decoded(value))
            })
            .collect();
        let rest = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (rest, params)
    } else {
        let kept: Vec<&str> = url
            .split_whitespace()
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                keep(key.trim(), value.trim_matches('\'').to_owned())
            })
            .collect();
        (kept.join(" "), params)
    }
}

/// `%2F` and the like made the bytes they stand for (a path in a URL).
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether every host of `config` is this machine.
fn only_this_machine(config: &postgres::Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
    })
}

/// Connects by `transport`; a failed TLS connection says what to check, in French.
pub(super) fn connect(
    driver: &postgres::Config,
    transport: Transport,
) -> Result<postgres::Client, StoreError> {
    match transport {
        Transport::Plain => Ok(driver.connect(postgres::NoTls)?),
        Transport::Tls(tls, authority) => driver.connect(tls).map_err(|e| {
            // The driver's message and its causes (the certificate's fault is in the last).
            let mut why = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                let said = c.to_string();
                if !why.contains(&said) {
                    why = format!("{why}: {said}");
                }
                cause = c.source();
            }
            unreadable(format!(
                "connexion chiffrée impossible : le serveur accepte-t-il TLS, avec un certificat \
                 à son nom signé par l'autorité {} ? ({why})",
                authority.display()
            ))
        }),
    }
}

/// The driver's configuration of `url` and how to connect.
pub(super) fn configure(url: &str) -> Result<(postgres::Config, Transport), StoreError> {
    let (rest, params) = take_params(url);
    let mut config: postgres::Config = rest.parse().map_err(|e| {
        unreadable(format!(
            "adresse PostgreSQL illisible ({}) : {e}",
            super::redacted_url(url)
        ))
    })?;
    let hosts = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    match params.mode.as_deref() {
        Some("disable") => {
            config.ssl_mode(SslMode::Disable);
            return Ok((config, Transport::Plain));
        }
        None | Some("prefer" | "require" | "verify-full") => {}
        Some(other) => {
            return Err(unreadable(format!(
                "sslmode={other} n'est pas pris en charge : verify-full (le certificat du serveur \
                 et son nom sont vérifiés, par défaut) ou disable (en clair, sur un réseau de \
                 confiance)"
            )));
        }
    }
    match params.root_cert {
        Some(path) => {
            config.ssl_mode(SslMode::Require);
            Ok((config, Transport::Tls(connector(&path)?, path)))
        }
        None if only_this_machine(&config) => {
            config.ssl_mode(SslMode::Disable);
            Ok((config, Transport::Plain))
        }
        None => Err(unreadable(format!(
            "connexion en clair refusée vers {hosts} : les données des personnes ne traversent \
             pas le réseau sans chiffrement. Donnez le certificat de l'autorité du serveur \
             (sslrootcert=/chemin/ca.pem dans l'adresse), ou sslmode=disable sur un réseau de \
             confiance (VPN)"
        ))),
    }
}

/// A TLS connector trusting the certificates of `path` alone.
fn connector(path: &Path) -> Result<MakeRustlsConnect, StoreError> {
    let shown = path.display();
    let mut roots = rustls::RootCertStore::empty();
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(format!("certificat d'autorité {shown} illisible : {e}")))?;
    for certificate in certificates {
        let certificate = certificate
            .map_err(|e| unreadable(format!("certificat d'autorité {shown} illisible : {e}")))?;
        roots
            .add(certificate)
            .map_err(|e| unreadable(format!("certificat d'autorité {shown} refusé : {e}")))?;
    }
    if roots.is_empty() {
        return Err(unreadable(format!(
            "aucun certificat dans {shown} (sslrootcert)"
        )));
    }
    // ring: the provider tokio-postgres-rustls already builds on. rustls now marks it
    // deprecated for want of a post-quantum key exchange, which aws-lc-rs has; that one is a C
    // library built from source, minutes on this project's two-core CI. TLS 1.2 and 1.3 with
    // X25519 meanwhile.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| unreadable(format!("TLS : {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_parameters_are_taken_out_of_both_forms() {
        let (rest, params) = take_params(
            "postgres://relais@db.cd77.fr/relais?sslmode=verify-full&sslrootcert=%2Fetc%2Frelais%2Fca.pem&application_name=x",
        );
        assert_eq!(
            rest,
            "postgres://relais@db.cd77.fr/relais?application_name=x"
        );
        assert_eq!(params.mode.as_deref(), Some("verify-full"));
        assert_eq!(params.root_cert, Some(PathBuf::from("/etc/relais/ca.pem")));
        let (rest, params) = take_params("host=db.cd77.fr user=relais sslrootcert=/ca.pem");
        assert_eq!(rest, "host=db.cd77.fr user=relais");
        assert_eq!(params.root_cert, Some(PathBuf::from("/ca.pem")));
        let (rest, params) = take_params("postgres://relais@/relais?host=/run/postgresql");
        assert_eq!(rest, "postgres://relais@/relais?host=/run/postgresql");
        assert_eq!(params, Params::default());
    }

    #[test]
    fn a_server_elsewhere_is_never_reached_in_clear_unless_said() {
        let refused = |url: &str| match configure(url) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{url} accepted"),
        };
        let said = refused("postgres://relais@db.cd77.fr/relais");
        assert!(
            said.contains("connexion en clair refusée vers db.cd77.fr"),
            "{said}"
        );
        assert!(refused("host=10.0.0.5 user=relais").contains("en clair refusée"));
        assert!(refused("postgres://relais@db/relais?sslmode=verify-ca").contains("verify-ca"));
        assert!(
            refused("postgres://relais@db/relais?sslrootcert=/nowhere/ca.pem")
                .contains("/nowhere/ca.pem")
        );
        // This machine, or a trusted network said so: in clear.
        for url in [
            "postgres://relais@/relais?host=/run/postgresql",
            "postgres://relais@localhost/relais",
            "host=127.0.0.1 user=relais",
            "postgres://relais@db.cd77.fr/relais?sslmode=disable",
        ] {
            assert!(matches!(configure(url), Ok((_, Transport::Plain))), "{url}");
        }
    }
}
