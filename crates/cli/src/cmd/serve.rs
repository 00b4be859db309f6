//! `relais serve`: the web interface for agents (`relais_web`), on the data folder's store.

use super::EXIT_OK;
use crate::args::ServeArgs;
use crate::data::{DataDir, agent};
use anyhow::{Context, Result};
use std::net::SocketAddr;

pub fn run(a: ServeArgs) -> Result<u8> {
    serve(&DataDir::new(&a.data.data), &a.bind, a.secure_cookies)
}

/// Serves `data` on `bind` until the process is stopped.
pub fn serve(data: &DataDir, bind: &str, secure_cookies: bool) -> Result<u8> {
    let opened = data.open()?;
    let settings = opened.settings.clone();
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
            key: opened.receipt_key().map_err(agent)?,
            rules: opened.deposit_rules().map_err(agent)?,
        })),
        // The runs' files, written by the same service as `relais run export`.
        exports: Some(relais_web::paiements::Exports {
            dir: data.app().exports_path(),
        }),
        letters: Some(relais_app::invoices::letters_folder(&data.path)),
        ecb_rates: super::invoices::rates(data)?,
        ..relais_web::Config::default()
    };
    println!("Interface web : http://{addr}/ (Ctrl+C pour arrêter)");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("démarrage du serveur")?
        .block_on(relais_web::serve(&opened, addr, config))?;
    Ok(EXIT_OK)
}
