//! One module per command. Each returns the process exit code.

mod bank;
mod bench_pain;
mod bench_search;
mod caf;
mod check_id;
mod crisis;
mod demo;
mod deposit;
mod drill;
mod extract;
mod flagged;
mod import;
mod init;
mod invoices;
mod journal;
mod migrate;
mod numbering;
mod orders;
mod payroll;
mod pes;
mod publish;
mod receipt;
mod receipt_key;
mod reconcile;
mod regularise;
mod renew;
mod run;
mod serve;
mod snapshot;
mod user;

use crate::args::*;
use crate::auth::Acting;
use anyhow::Result;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
/// A file could not be read at all.
pub const EXIT_UNREADABLE: u8 = 2;

/// Runs `command`, once the user it acts as, if any, has given their password.
pub fn run(command: Command) -> Result<u8> {
    // The data folder a command changes: its journal's checkpoint is looked at after it.
    let changed = acting(&command).map(|a| a.data.to_owned());
    if let Some(acting) = acting(&command) {
        crate::auth::authenticate(&acting)?;
    }
    let code = dispatch(command)?;
    if let Some(data) = changed.filter(|_| code == EXIT_OK) {
        hourly_checkpoint(&data);
    }
    Ok(code)
}

/// After a command that changed data: the journal's head signed when the last checkpoint is
/// an hour old (`relais_app::checkpoints`); a failure is said, the command's work stands.
fn hourly_checkpoint(data: &std::path::Path) {
    let signed = crate::data::DataDir::new(data).open().and_then(|opened| {
        let mut store = opened.open_store().map_err(crate::data::agent)?;
        relais_app::checkpoints::Signer::new(&opened)
            .hourly(
                &mut *store,
                relais_app::Clock::now(&relais_app::SystemClock),
            )
            .map_err(crate::data::agent)
    });
    if let Err(e) = signed {
        tracing::error!(problem = %e, "hourly journal checkpoint not signed");
        eprintln!("Attention : point de contrôle horaire du journal non signé : {e}");
    }
}

fn dispatch(command: Command) -> Result<u8> {
    match command {
        Command::Init(a) => init::run(a),
        Command::Migrate(a) => migrate::run(a),
        Command::CheckId(a) => check_id::run(a),
        Command::Extract(ExtractCommand::Check(a)) => extract::check(a),
        Command::Import(a) => import::run(a),
        Command::Journal(c) => journal::run(c),
        Command::User(c) => user::run(c),
        Command::ATraiter(a) => flagged::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Snapshot(c) => snapshot::run(c),
        Command::Drill(a) => drill::run(a),
        Command::Deposit(c) => deposit::run(c),
        Command::Receipt(c) => receipt::run(c),
        Command::Invoices(c) => invoices::run(c),
        Command::Run(c) => run::run(c),
        Command::Renew(a) => renew::run(a),
        Command::Reconcile(a) => reconcile::run(a),
        Command::Bank(b) => bank::run(b),
        Command::Paie(c) => payroll::run(c),
        Command::Factures(c) => invoices::factures(c),
        Command::Commandes(c) => orders::run(c),
        Command::Caf(CafCommand::Import(a)) => caf::import(a),
        Command::Numbering(c) => numbering::run(c),
        Command::Pes(crate::args::pes::PesCommand::Retour(a)) => pes::retour(a),
        Command::Regularise(a) => regularise::run(a),
        Command::Bench(BenchCommand::Deposits(a)) => deposit::bench(a),
        Command::Bench(BenchCommand::Search(a)) => bench_search::run(a),
        Command::Bench(BenchCommand::Pain001(a)) => bench_pain::run(a),
        Command::Bench(BenchCommand::Journal(a)) => journal::bench(a),
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

/// The user a command acts as: every command that changes the data (they all take `--user`).
/// Commands that only read, and those that make a new data folder or a throw-away store
/// (init, demo, drill, bench), have none. Matched without a wildcard, so that a new command
/// must be placed on one side or the other.
pub fn acting(command: &Command) -> Option<Acting<'_>> {
    match command {
        Command::Import(a) => Some(a.user.acting(&a.data)),
        Command::Migrate(a) => Some(Acting {
            data: &a.from,
            login: &a.user.user,
            password_file: a.user.password_file.as_deref(),
        }),
        Command::User(UserCommand::Add(a)) => Some(Acting {
            data: &a.data.data,
            login: &a.actor,
            password_file: a.actor_password_file.as_deref(),
        }),
        Command::User(UserCommand::Disable(a) | UserCommand::Enable(a)) => {
            Some(a.user.acting(&a.data))
        }
        Command::User(UserCommand::Passwd(a)) => Some(a.user.acting(&a.data)),
        Command::Snapshot(SnapshotCommand::Open(a)) => Some(a.user.acting(&a.data)),
        Command::Deposit(DepositCommand::Register(a)) => Some(a.user.acting(&a.data)),
        Command::Deposit(DepositCommand::Cancel(a)) => Some(a.user.acting(&a.data)),
        Command::Run(RunCommand::Prepare(a)) => Some(a.user.acting(&a.data)),
        Command::Run(RunCommand::Validate(a)) => Some(a.user.acting(&a.data)),
        Command::Run(RunCommand::Cancel(a)) => Some(a.user.acting(&a.data)),
        Command::Run(RunCommand::Export(a)) => Some(a.user.acting(&a.data)),
        Command::Run(RunCommand::Release(a)) => Some(a.user.acting(&a.data)),
        Command::Renew(a) => Some(a.user.acting(&a.data)),
        Command::Bank(BankCommand::Approve(a)) => Some(a.user.acting(&a.data)),
        Command::Paie(PaieCommand::Change(a)) => Some(a.user.acting(&a.data)),
        Command::Factures(FacturesCommand::ServiceFait(a)) => {
            Some(a.invoice.user.acting(&a.invoice.data))
        }
        Command::Factures(FacturesCommand::Liquider(a)) => {
            Some(a.invoice.user.acting(&a.invoice.data))
        }
        Command::Factures(FacturesCommand::Suspendre(a) | FacturesCommand::Rejeter(a)) => {
            Some(a.invoice.user.acting(&a.invoice.data))
        }
        Command::Factures(FacturesCommand::Reprendre(a)) => Some(a.user.acting(&a.data)),
        Command::Factures(FacturesCommand::Payee(a)) => {
            Some(a.invoice.user.acting(&a.invoice.data))
        }
        Command::Factures(FacturesCommand::ApprouverRib(a)) => Some(a.user.acting(&a.data)),
        Command::Factures(FacturesCommand::Lot(a)) => Some(a.user.acting(&a.data)),
        Command::Paie(PaieCommand::Approve(a)) => Some(a.user.acting(&a.data)),
        Command::Paie(PaieCommand::Refuse(a)) => Some(a.user.acting(&a.data)),
        Command::Bank(BankCommand::Refuse(a)) => Some(a.user.acting(&a.data)),
        Command::Caf(CafCommand::Import(a)) => Some(a.user.acting(&a.data)),
        Command::Numbering(NumberingCommand::Set(a)) => Some(a.user.acting(&a.data)),
        Command::Pes(crate::args::pes::PesCommand::Retour(a)) => Some(a.user.acting(&a.data)),
        Command::Regularise(a) => Some(a.user.acting(&a.data)),
        Command::Journal(JournalCommand::Export(a)) => Some(a.user.acting(&a.data)),
        Command::Journal(JournalCommand::Apply(a)) => Some(a.user.acting(&a.data)),
        Command::Commandes(CommandesCommand::Emettre(a)) => Some(a.user.acting(&a.data)),
        Command::Courante(CouranteCommand::Add(a)) => Some(a.user.acting(&a.data)),
        Command::Incident(IncidentCommand::Set(a)) => Some(a.user.acting(&a.data)),
        Command::Cnil(CnilCommand::Notify(a)) => Some(a.user.acting(&a.data)),
        Command::Systemes(SystemesCommand::Import(a)) => Some(a.user.acting(&a.data)),
        Command::Systemes(SystemesCommand::Statut(a)) => Some(a.user.acting(&a.data)),
        Command::Taches(TachesCommand::Add(a)) => Some(a.user.acting(&a.data)),
        Command::Taches(TachesCommand::Statut(a)) => Some(a.user.acting(&a.data)),
        Command::Annuaire(AnnuaireCommand::Set(a)) => Some(a.user.acting(&a.data)),
        Command::Message(MessageCommand::Set(a)) => Some(a.user.acting(&a.data)),
        // They make a data folder, or work on a store of their own.
        Command::Init(_) | Command::Demo(_) | Command::Drill(_) => None,
        Command::Bench(
            BenchCommand::Deposits(_) | BenchCommand::Pain001(_) | BenchCommand::Journal(_),
        ) => None,
        // Reads only.
        Command::Bench(BenchCommand::Search(_)) => None,
        // Reading, checking, or writing files from what anyone with the folder can read.
        Command::CheckId(_)
        | Command::Extract(ExtractCommand::Check(_))
        | Command::Journal(JournalCommand::Verify(_) | JournalCommand::List(_))
        | Command::User(UserCommand::List(_))
        | Command::ATraiter(_)
        | Command::Snapshot(
            SnapshotCommand::Keygen(_) | SnapshotCommand::Seal(_) | SnapshotCommand::Verify(_),
        )
        | Command::Deposit(DepositCommand::List(_))
        | Command::Receipt(ReceiptCommand::Verify(_) | ReceiptCommand::Pubkey(_))
        | Command::Invoices(InvoicesCommand::Due(_))
        | Command::Run(RunCommand::Show(_) | RunCommand::List(_))
        | Command::Bank(BankCommand::List(_) | BankCommand::Show(_))
        | Command::Paie(PaieCommand::List(_))
        | Command::Factures(FacturesCommand::List(_))
        | Command::Factures(FacturesCommand::RibEnAttente(_))
        | Command::Numbering(NumberingCommand::Show(_))
        | Command::Commandes(CommandesCommand::List(_) | CommandesCommand::Imprimer(_))
        | Command::Serve(_)
        | Command::Courante(CouranteCommand::List(_) | CouranteCommand::Export(_))
        | Command::Incident(IncidentCommand::Show(_) | IncidentCommand::Summary(_))
        | Command::Systemes(SystemesCommand::List(_))
        | Command::Taches(TachesCommand::List(_))
        | Command::Reconcile(_)
        | Command::Publish(_) => None,
    }
}

/// Reads a mapping profile, or the empty one.
pub fn load_profile(path: Option<&std::path::Path>) -> Result<relais_formats::profile::Profile> {
    relais_app::profile::load(path).map_err(crate::data::agent)
}
