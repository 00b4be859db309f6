//! `relais`: the command line of Relais. Parses arguments into plain data (`args`), then runs
//! one command (`cmd::*`). Errors reach the agent in French on stderr; logs are in English.

mod args;
mod auth;
mod cmd;
mod data;
mod fsio;
mod passwords;
mod progress;
mod summary;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RELAIS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = args::Cli::parse();
    match cmd::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        // A reader that stops early (`relais a-traiter | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(cmd::EXIT_OK),
        Err(e) => {
            tracing::info!(error = %format!("{e:#}"), "command failed");
            eprintln!("erreur : {e:#}");
            ExitCode::from(cmd::EXIT_FAILURE)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
