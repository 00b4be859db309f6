//! One module per command. Each returns the process exit code.

mod a_traiter;
mod bank;
mod bench_pain;
mod caf;
mod check_id;
mod crisis;
mod demo;
mod deposit;
mod drill;
mod extract;
mod import;
mod init;
mod invoices;
mod journal;
mod numbering;
mod publish;
mod receipt;
mod renew;
mod run;
mod serve;
mod snapshot;
mod user;

use crate::args::Command;
use anyhow::Result;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
/// A file could not be read at all.
pub const EXIT_UNREADABLE: u8 = 2;

pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Init(a) => init::run(a),
        Command::CheckId(a) => check_id::run(a),
        Command::Extract(crate::args::ExtractCommand::Check(a)) => extract::check(a),
        Command::Import(a) => import::run(a),
        Command::Journal(c) => journal::run(c),
        Command::User(c) => user::run(c),
        Command::ATraiter(a) => a_traiter::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Snapshot(c) => snapshot::run(c),
        Command::Drill(a) => drill::run(a),
        Command::Deposit(c) => deposit::run(c),
        Command::Receipt(c) => receipt::run(c),
        Command::Invoices(c) => invoices::run(c),
        Command::Run(c) => run::run(c),
        Command::Renew(a) => renew::run(a),
        Command::Bank(b) => bank::run(b),
        Command::Caf(crate::args::CafCommand::Import(a)) => caf::import(a),
        Command::Numbering(c) => numbering::run(c),
        Command::Bench(crate::args::BenchCommand::Deposits(a)) => deposit::bench(a),
        Command::Bench(crate::args::BenchCommand::Pain001(a)) => bench_pain::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Courante(c) => crisis::courante(c),
        Command::Incident(c) => crisis::incident(c),
        Command::Cnil(c) => crisis::cnil(c),
        Command::Systemes(c) => crisis::systemes(c),
        Command::Taches(c) => crisis::taches(c),
        Command::Annuaire(c) => crisis::annuaire(c),
        Command::Message(c) => crisis::message(c),
        Command::Publish(a) => publish::run(a),
    }
}

/// Reads a mapping profile, or the empty one.
pub fn load_profile(path: Option<&std::path::Path>) -> Result<relais_formats::profile::Profile> {
    use anyhow::Context;
    match path {
        None => Ok(Default::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("lecture du profil {}", p.display()))?;
            relais_formats::profile::Profile::parse(&text)
                .with_context(|| format!("profil {}", p.display()))
        }
    }
}
