//! `relais demo`: a synthetic département, built, imported and served, so that anyone can see
//! every feature in minutes. Deterministic for a seed and a reference date.

mod crisis;
mod invoices;

use super::EXIT_OK;
use crate::args::DemoArgs;
use crate::data::DataDir;
use crate::fsio::AtomicFile;
use crate::passwords;
use anyhow::{Context, Result, bail};
use relais_core::calendar::{local_date, time_zone};
use relais_core::ids::Iban;
use relais_core::roles::Role;
use relais_core::settings::PaymentSettings;
use relais_demo::{DemoConfig, DemoOutput};
use relais_store::NewUser;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The demo's debtor account: a valid IBAN of the Banque de France's bank code, fictitious.
const DEMO_DEBTOR_IBAN: &str = "FR7630001007941234567890185";

/// Demo files are written whole or not at all, like every file Relais writes.
struct FolderOutput {
    dir: PathBuf,
    pending: Vec<AtomicFile>,
}

impl DemoOutput for FolderOutput {
    fn create(&mut self, file_name: &str) -> std::io::Result<Box<dyn Write + '_>> {
        let file = AtomicFile::create(&self.dir.join(file_name)).map_err(std::io::Error::other)?;
        self.pending.push(file);
        let last = self
            .pending
            .last_mut()
            .ok_or_else(|| std::io::Error::other("no file"))?;
        Ok(Box::new(std::io::BufWriter::with_capacity(
            256 * 1024,
            last.file(),
        )))
    }
}

pub fn run(args: DemoArgs) -> Result<u8> {
    let data = DataDir::new(&args.data.data);
    if data.is_initialised() {
        println!(
            "{} contient déjà un département : il est réutilisé tel quel.",
            data.path.display()
        );
        println!(
            "(Pour en construire un nouveau, choisissez un autre --data ou supprimez ce dossier.)"
        );
    } else {
        build(&data, &args)?;
    }
    let users_file = data.path.join("demo-users.txt");
    println!();
    println!(
        "Utilisateurs de démonstration (identifiant, mot de passe, rôles) : {}",
        users_file.display()
    );
    if let Ok(text) = std::fs::read_to_string(&users_file) {
        print!("{text}");
    }
    println!(
        "En ligne de commande, une commande qui modifie les données (--user) demande le mot de \
         passe de cet utilisateur, saisi sans écho ; un script le donne dans un fichier lisible \
         par lui seul : --password-file FICHIER ou la variable RELAIS_PASSWORD_FILE."
    );
    if args.no_serve {
        return Ok(EXIT_OK);
    }
    println!();
    super::serve::serve(&data, &args.bind, false)
}

fn build(data: &DataDir, args: &DemoArgs) -> Result<()> {
    let authority = relais_demo::authority();
    let tz = time_zone(&authority.time_zone)?;
    let today = match args.today {
        Some(t) => t,
        None => local_date(jiff::Timestamp::now(), &tz),
    };
    if args.size == 0 {
        bail!("--size doit être au moins 1");
    }
    let extracts = data.path.join("extracts");
    println!(
        "Construction d'un département fictif de {} personnes (graine {}, date {today})…",
        args.size, args.seed
    );
    let started = std::time::Instant::now();
    let config = DemoConfig {
        size: args.size,
        seed: args.seed,
        today,
        bad_per_mille: args.bad_per_mille,
        agents: args.agents,
    };
    let mut output = FolderOutput {
        dir: extracts.clone(),
        pending: Vec::new(),
    };
    let bar = crate::progress::spinner("génération des extractions");
    let summary =
        relais_demo::generate(&config, &mut output).context("génération des extractions")?;
    bar.finish_and_clear();
    for file in output.pending {
        file.commit()?;
    }
    for (file, rows, bad) in &summary.files {
        println!("  {file:<18} {rows:>9} lignes dont {bad} volontairement fausses");
    }
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo extracts written"
    );

    let mut settings = super::init::settings(
        &authority.name,
        &authority.siret,
        &authority.time_zone,
        &authority.holiday_zone,
    )?;
    // A fictitious account at the Banque de France (bank code 30001) for the transfers.
    let debtor_iban = Iban::parse(DEMO_DEBTOR_IBAN).context("IBAN du compte débité")?;
    settings.payments = Some(PaymentSettings::example(
        &format!("{} - PAIERIE DEPARTEMENTALE", authority.name),
        debtor_iban,
    ));
    let bar = crate::progress::spinner("comptes de démonstration (mots de passe hachés)");
    let admin_password = passwords::generate();
    let mut store = super::init::create(data, &settings, "admin", &admin_password)?;
    let mut lines = format!("admin\t{admin_password}\tadmin\n");
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
        let password = passwords::generate();
        let user = NewUser {
            login: role.as_str().to_owned(),
            roles: vec![role],
            site: None,
            password_hash: passwords::hash(&password)?,
        };
        store.add_user("admin", &user)?;
        lines.push_str(&format!(
            "{}\t{password}\t{}\n",
            role.as_str(),
            role.as_str()
        ));
    }
    write_private(&data.path.join("demo-users.txt"), lines.as_bytes())?;
    bar.finish_and_clear();

    let imported = super::import::import_dir(
        &mut *store,
        &extracts,
        &Default::default(),
        "admin",
        serde_json::json!({ "source": "demo", "seed": args.seed, "size": args.size, "today": today.to_string() }),
        &mut |_| Ok(()),
    )?;
    super::import::report(&imported);
    let bar = crate::progress::spinner("numérotation et cellule de crise de démonstration");
    confirm_numbering(&mut *store, today, &tz)?;
    crisis::seed(&mut *store, &data.path, today, &tz)
        .context("cellule de crise de démonstration")?;
    invoices::seed(&mut *store, today).context("factures de démonstration")?;
    invoices::seed_orders(&mut *store, today).context("bons de commande de démonstration")?;
    bar.finish_and_clear();
    println!(
        "Département construit et importé en {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The demo's paierie confirms the exercice's last numbers from the synthetic history (one
/// bordereau per pay date, one mandate per payment), so that its runs can be validated: the
/// exercice of the demo's date and, when the clock is in another year (a demo dated in the
/// past), the clock's, in which validations happen.
fn confirm_numbering(
    store: &mut dyn relais_store::Backend,
    today: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
) -> Result<()> {
    use relais_store::numbering::SetNumbering;
    let (local_time, clock) = super::run::local_now(tz);
    let mut years = vec![today.year()];
    if clock.year() != today.year() {
        years.push(clock.year());
    }
    for exercice in years {
        let history = store.history_in_exercice(exercice)?;
        let (n, _) = store.set_numbering(&SetNumbering {
            exercice,
            last_bordereau: history.pay_dates,
            last_mandate: u32::try_from(history.payments).unwrap_or(u32::MAX),
            cumul: history.total,
            reason: "démonstration : numéros de l'historique fictif, tenant lieu de la confirmation de la paierie",
            actor: "ordonnateur",
            local_time: &local_time,
        })?;
        println!(
            "Numérotation {exercice} confirmée (démonstration) : prochain bordereau {}, prochain mandat {}.",
            n.last_bordereau + 1,
            n.last_mandate + 1
        );
    }
    Ok(())
}

/// Passwords are readable by the owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.file().write_all(bytes)?;
    file.commit()
}
