//! `relais init`: a new data folder with the authority's settings and a first administrator.

use super::EXIT_OK;
use crate::args::InitArgs;
use crate::data::DataDir;
use crate::passwords;
use anyhow::{Context, Result, bail};
use relais_app::data::AnyStore;
use relais_core::calendar::HolidayZone;
use relais_core::ids::Siret;
use relais_core::roles::Role;
use relais_core::settings::{Authority, DatabaseSettings, Settings};
use relais_store::NewUser;

pub fn run(args: InitArgs) -> Result<u8> {
    let data = DataDir::new(&args.data.data);
    let mut settings = settings(
        &args.authority,
        &args.siret,
        &args.time_zone,
        &args.holiday_zone,
    )?;
    if let Some(url) = args.database {
        let database = DatabaseSettings {
            url,
            password_file: args.database_password_file,
        };
        database.validate().map_err(|e| anyhow::anyhow!(e))?;
        settings.database = Some(database);
    }
    let password = passwords::read_password_file(&args.password_file)?;
    create(&data, &settings, &args.admin, &password)?;
    println!("Dossier de données créé : {}", data.path.display());
    println!("Administrateur : {}", args.admin);
    Ok(EXIT_OK)
}

pub fn settings(name: &str, siret: &str, time_zone: &str, holiday_zone: &str) -> Result<Settings> {
    let siret = Siret::parse(siret).context("--siret")?;
    let Some(holiday_zone) = HolidayZone::parse(holiday_zone) else {
        bail!(
            "--holiday-zone inconnu : « {holiday_zone} » (metropole, alsace-moselle, guadeloupe, martinique, guyane, reunion, mayotte, saint-martin)"
        );
    };
    let settings = Settings {
        authority: Authority {
            name: name.trim().to_owned(),
            siret,
            time_zone: time_zone.to_owned(),
            holiday_zone,
        },
        payments: None,
        sessions: Default::default(),
        courrier: None,
        database: None,
    };
    settings.validate().map_err(|e| anyhow::anyhow!(e))?;
    Ok(settings)
}

/// Writes the settings, creates the database and the first administrator (journaled as done
/// by that administrator: nobody else exists yet).
pub fn create(
    data: &DataDir,
    settings: &Settings,
    admin: &str,
    password: &str,
) -> Result<AnyStore> {
    if data.is_initialised() {
        bail!(
            "{} est déjà un dossier de données Relais",
            data.path.display()
        );
    }
    std::fs::create_dir_all(&data.path)
        .with_context(|| format!("création de {}", data.path.display()))?;
    let mut store = data.create_store(settings.database.as_ref())?;
    if !store.users()?.is_empty() {
        match &settings.database {
            Some(db) => bail!(
                "la base {} contient déjà des utilisateurs : une base PostgreSQL sert un seul dossier de données",
                relais_store::postgres::redacted_url(&db.url)
            ),
            None => bail!(
                "{} contient déjà une base avec des utilisateurs",
                data.db_path().display()
            ),
        }
    }
    let user = NewUser {
        login: admin.to_owned(),
        roles: vec![Role::Admin],
        site: None,
        password_hash: passwords::hash(password)?,
    };
    store.add_user(admin, &user)?;
    // Settings last: their presence marks a complete folder.
    data.write_settings(settings)?;
    Ok(store)
}
