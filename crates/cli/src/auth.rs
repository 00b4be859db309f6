//! Who acts on the command line, proved: every command that changes the data names its user
//! (`--user`, `RELAIS_USER`) and gives that user's password — from a file (`--password-file`,
//! `RELAIS_PASSWORD_FILE`) for scripts, else typed at the terminal without echo. Checked with
//! Argon2id against the stored hash before the command runs ([`crate::cmd::run`]); a wrong
//! password, an unknown or a disabled login get the same refusal, and each refusal makes the
//! next attempt for that login wait longer (`relais_store::logins`), across processes.
//! Commands that only read stay open to whoever can read the data folder.

use crate::data::DataDir;
use crate::passwords;
use anyhow::{Context, Result, bail};
use relais_store::logins::Backoff;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// The user a command acts as, and where their password is (none: ask at the terminal).
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    pub data: &'a Path,
    pub login: &'a str,
    pub password_file: Option<&'a Path>,
}

impl crate::args::UserArg {
    pub fn acting<'a>(&'a self, data: &'a crate::args::DataArg) -> Acting<'a> {
        Acting {
            data: &data.data,
            login: &self.user,
            password_file: self.password_file.as_deref(),
        }
    }
}

/// Checks the password of `acting.login`, or says why the command may not run.
pub fn authenticate(acting: &Acting<'_>) -> Result<()> {
    let login = acting.login;
    let password = read_password(acting)?;
    let mut store = DataDir::new(acting.data).open_store()?;
    let backoff = backoff();
    let wait = store.login_turn(login, now_ms(), &backoff)?;
    if wait > 0 {
        let seconds = format!("{:.1}", wait as f64 / 1000.0).replace('.', ",");
        eprintln!(
            "Des mots de passe faux ont été donnés pour « {login} » : vérification dans {seconds} s."
        );
        tracing::info!(
            login,
            wait_ms = wait,
            "authentication delayed after failures"
        );
        std::thread::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0)));
    }
    let user = store.user(login)?.filter(|u| !u.disabled);
    let verified = match &user {
        Some(u) => passwords::verify(&password, &u.password_hash),
        // The same Argon2 work as a check, so that a missing login answers as slowly.
        None => passwords::hash(&password).map(|_| false)?,
    };
    if !verified {
        let failures = store.login_failed(login, now_ms(), &backoff)?;
        tracing::info!(login, failures, "command-line authentication refused");
        bail!(
            "identifiant ou mot de passe incorrect pour « {login} » (chaque essai manqué allonge \
             l'attente du suivant)"
        );
    }
    store.login_succeeded(login)?;
    tracing::info!(login, "command-line authentication");
    Ok(())
}

fn read_password(acting: &Acting<'_>) -> Result<String> {
    let login = acting.login;
    if let Some(path) = acting.password_file {
        warn_if_shared(path);
        return passwords::read_secret_file(path);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("Mot de passe de {login} : "))
            .context("lecture du mot de passe au terminal");
    }
    bail!(
        "cette commande agit au nom de « {login} » et demande son mot de passe : donnez le fichier \
         qui le contient (--password-file FICHIER, --user-password-file pour « relais user add », \
         ou la variable RELAIS_PASSWORD_FILE), ou lancez-la depuis un terminal pour le saisir"
    )
}

/// A password file others can read is a password others know: said, not refused (the check
/// that follows decides).
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "attention : {} est lisible par d'autres utilisateurs de la machine (chmod 600)",
                path.display()
            );
        }
    }
}

fn backoff() -> Backoff {
    let backoff = Backoff::default();
    // Tests of the pause shorten it; a release build has no such door.
    #[cfg(debug_assertions)]
    if let Some(base_ms) = std::env::var("RELAIS_TEST_AUTH_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
    {
        return Backoff {
            base_ms,
            cap_ms: base_ms.saturating_mul(60),
            ..backoff
        };
    }
    backoff
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
