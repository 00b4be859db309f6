//! `relais receipt verify|pubkey`, and the authority's receipt signing key in `DATA/keys/`:
//! created on first use, readable by its owner only (0600), never printed or logged.

use super::{EXIT_FAILURE, EXIT_OK};
use crate::args::{ReceiptCommand, ReceiptVerifyArgs};
use crate::data::DataDir;
use anyhow::{Context, Result, anyhow, bail};
use relais_core::deposits::KindRules;
use relais_documents::code::{
    ReceiptKey, VerifyingKey, Zeroizing, depositor_digest, hex_id, parse_public_key,
    public_key_text, verify,
};
use relais_store::deposits::DepositStore;
use std::io::Write;
use std::path::{Path, PathBuf};

const SECRET: &str = "receipt-signing.key";
const PUBLIC: &str = "receipt-signing.pub";

fn keys_dir(data: &DataDir) -> PathBuf {
    data.path.join("keys")
}

/// The signing key, created (0600, atomically, once even with concurrent first uses) when the
/// data folder has none yet.
pub(crate) fn signing_key(data: &DataDir) -> Result<ReceiptKey> {
    let dir = keys_dir(data);
    let path = dir.join(SECRET);
    if !path.exists() {
        create_key(&dir, &path)?;
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("lecture de la clé de signature {}", path.display()))?;
    let text = Zeroizing::new(text);
    let key = ReceiptKey::from_file_text(&text).map_err(|e| anyhow!("{} : {e}", path.display()))?;
    let public = dir.join(PUBLIC);
    if !public.exists() {
        crate::fsio::write_atomic(&public, public_key_text(&key.public()).as_bytes())?;
    }
    Ok(key)
}

fn create_key(dir: &Path, path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("création de {}", dir.display()))?;
    let key = ReceiptKey::from_seed(&rand::random::<[u8; 32]>());
    let tmp = dir.join(format!(".{SECRET}.{}", std::process::id()));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("création de {}", tmp.display()))?;
        f.write_all(key.to_file_text().as_bytes())?;
        f.sync_all()?;
    }
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    // A hard link fails if another process created the key first: the first key wins.
    let linked = std::fs::hard_link(&tmp, path);
    std::fs::remove_file(&tmp).ok();
    match linked {
        Ok(()) => {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
            crate::fsio::write_atomic(
                &dir.join(PUBLIC),
                public_key_text(&key.public()).as_bytes(),
            )?;
            tracing::info!(key_id = %hex_id(&key.public()), "receipt signing key created");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("création de {}", path.display())),
    }
}

pub fn run(command: ReceiptCommand) -> Result<u8> {
    match command {
        ReceiptCommand::Pubkey(d) => {
            let data = DataDir::new(&d.data);
            data.load_settings()?;
            let key = signing_key(&data)?;
            print!("{}", public_key_text(&key.public()));
            Ok(EXIT_OK)
        }
        ReceiptCommand::Verify(a) => verify_cmd(a),
    }
}

fn public_key(a: &ReceiptVerifyArgs) -> Result<VerifyingKey> {
    if let Some(file) = &a.pubkey {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("lecture de {}", file.display()))?;
        return parse_public_key(&text).map_err(|e| anyhow!("{} : {e}", file.display()));
    }
    let Some(data) = &a.data else {
        bail!("indiquez --pubkey FICHIER (clé publique de la collectivité) ou --data DOSSIER");
    };
    let path = keys_dir(&DataDir::new(data)).join(PUBLIC);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "lecture de {} (aucun récépissé n'a encore été signé ici ?)",
            path.display()
        )
    })?;
    parse_public_key(&text).map_err(|e| anyhow!("{} : {e}", path.display()))
}

fn verify_cmd(a: ReceiptVerifyArgs) -> Result<u8> {
    let key = public_key(&a)?;
    let code = a.code.join("");
    let summary = match verify(&code, &key) {
        Ok(s) => s,
        Err(e) => {
            println!("NON AUTHENTIQUE — {e}");
            return Ok(EXIT_FAILURE);
        }
    };
    let data = a
        .data
        .as_ref()
        .filter(|_| a.pubkey.is_none())
        .map(|d| DataDir::new(d));
    let tz = match &data {
        Some(d) => super::deposit::time_zone(d)?.1,
        None => jiff::tz::TimeZone::UTC,
    };
    let label = KindRules::default_for(summary.kind).label;
    println!("AUTHENTIQUE — signé par la clé {}", hex_id(&key));
    println!("numéro : {}", summary.number);
    println!(
        "reçu le : {}",
        relais_documents::french::datetime_long(&summary.received_at.to_zoned(tz.clone()))
    );
    println!("type : {} ({label})", summary.kind);
    println!("pages ou pièces : {}", summary.pages);
    let mut ok = true;
    if let Some(name) = &a.depositor {
        if depositor_digest(name) == summary.depositor_digest {
            println!("déposant : {name} (conforme au code)");
        } else {
            println!("modifié : le déposant « {name} » ne correspond pas au code");
            ok = false;
        }
    }
    if let Some(data) = &data {
        let store = data.open_store()?;
        match store.deposit(summary.number)? {
            None => {
                println!("faux : le numéro {} est absent du registre", summary.number);
                ok = false;
            }
            Some(d) => {
                let same = depositor_digest(&d.facts.depositor) == summary.depositor_digest
                    && d.received_at.as_second() == summary.received_at.as_second()
                    && d.facts.kind == summary.kind;
                if same {
                    println!("déposant : {} (registre)", d.facts.depositor);
                } else {
                    println!("modifié : le code ne correspond pas au registre pour ce numéro");
                    ok = false;
                }
                if let Some(c) = &d.cancellation {
                    println!("statut : ANNULÉ le {} — {}", c.at, c.reason);
                }
            }
        }
    } else if a.depositor.is_none() {
        println!(
            "déposant : empreinte {} (comparez avec --depositor \"NOM\")",
            summary
                .depositor_digest
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        );
    }
    Ok(if ok { EXIT_OK } else { EXIT_FAILURE })
}
