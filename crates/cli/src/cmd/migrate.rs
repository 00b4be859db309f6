//! `relais migrate --from DATA --to postgres://…`: the folder's store moved to PostgreSQL.

use super::EXIT_OK;
use crate::args::MigrateArgs;
use crate::data::{DataDir, agent};
use anyhow::Result;
use relais_core::settings::DatabaseSettings;

pub fn run(args: MigrateArgs) -> Result<u8> {
    let data = DataDir::new(&args.from).open()?;
    let database = DatabaseSettings {
        url: args.to,
        password_file: args.database_password_file,
    };
    let done = relais_app::migrate::to_postgres(&data, &args.user.user, database).map_err(agent)?;
    println!(
        "Base copiée dans {} : {} lignes, journal vérifié ({} entrées)",
        done.shown,
        done.report.rows(),
        done.entries
    );
    for (table, rows) in done.report.tables.iter().filter(|(_, n)| *n > 0) {
        println!("  {table} : {rows}");
    }
    println!(
        "Le dossier {} utilise désormais cette base ; relais.db reste la copie d'origine.",
        args.from.display()
    );
    Ok(EXIT_OK)
}
