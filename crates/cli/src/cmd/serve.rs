//! `relais serve`: the web interface for agents (`relais_web`), on the data folder's store.

use super::EXIT_OK;
use crate::args::ServeArgs;
use crate::data::DataDir;
use anyhow::{Context, Result};
use std::net::SocketAddr;

pub fn run(a: ServeArgs) -> Result<u8> {
    serve(&DataDir::new(&a.data.data), &a.bind, a.secure_cookies)
}

/// Serves `data` on `bind` until the process is stopped.
pub fn serve(data: &DataDir, bind: &str, secure_cookies: bool) -> Result<u8> {
    let settings = data.load_settings()?;
    let addr: SocketAddr = bind.parse().with_context(|| {
        format!("adresse d'écoute illisible : {bind} (exemple : 127.0.0.1:8080)")
    })?;
    let config = relais_web::Config {
        authority: settings.authority.name.clone(),
        secure_cookies,
        idle_seconds: i64::from(settings.sessions.idle_minutes) * 60,
        absolute_seconds: i64::from(settings.sessions.absolute_hours) * 3600,
        time_zone: settings.authority.time_zone.clone(),
        settings: Some(settings.clone()),
        courrier: Some(std::sync::Arc::new(relais_web::courrier::Courrier {
            key: super::receipt::signing_key(data)?,
            rules: super::deposit::load_rules(data)?,
        })),
        exports: Some(std::sync::Arc::new(exports(data))),
        ecb_rates: super::invoices::rates(data)?,
        ..relais_web::Config::default()
    };
    println!("Interface web : http://{addr}/ (Ctrl+C pour arrêter)");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("démarrage du serveur")?
        .block_on(relais_web::serve(&data.db_path(), addr, config))?;
    Ok(EXIT_OK)
}

/// The runs' files, written by the same code as `relais run export`, in `DATA/exports/RUN/`.
fn exports(data: &DataDir) -> relais_web::paiements::Exports {
    let data = DataDir::new(&data.path);
    relais_web::paiements::Exports {
        dir: data.path.join("exports"),
        export: {
            let data = DataDir::new(&data.path);
            Box::new(move |id, user, out| {
                super::run::export::export(&data, id, user, out, false)
                    .map(|_| ())
                    .map_err(|e| format!("{e:#}"))
            })
        },
        report: Box::new(move |id, out| {
            super::run::export::report(&data, id, out).map_err(|e| format!("{e:#}"))
        }),
    }
}
