//! `relais snapshot keygen|seal|verify|open`: the nightly sealed copy of the extracts, and
//! opening it on a clean machine (docs/snapshot.md).

use super::{EXIT_FAILURE, EXIT_OK, EXIT_UNREADABLE, load_profile};
use crate::args::{KeygenArgs, OpenArgs, SealArgs, SnapshotCommand, VerifyArgs};
use crate::data::DataDir;
use crate::fsio::{AtomicFile, DirSource, write_atomic};
use crate::summary;
use anyhow::{Context, Result, bail};
use relais_app::ImportError;
use relais_app::import::file_facts;
use relais_core::records::Record;
use relais_core::roles::Role;
use relais_formats::extract::{
    Entity, ExtractSink, FileSummary, FlaggedRow, Outcome, ReadError, Unreadable, read_extracts,
};
use relais_formats::profile::Profile;
use relais_vault::{
    ExposeSecret, FileDigest, Manifest, ManifestFile, PublicKey, SecretString, SigningKey,
    VaultError,
};
use serde_json::json;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

pub fn run(command: SnapshotCommand) -> Result<u8> {
    match command {
        SnapshotCommand::Keygen(a) => keygen(a),
        SnapshotCommand::Seal(a) => seal(a),
        SnapshotCommand::Verify(a) => verify(a),
        SnapshotCommand::Open(a) => open(a),
    }
}

/// Reads a secret from a file (a passphrase, an identity): never from an argument.
pub fn read_secret(path: &Path, what: &str) -> Result<SecretString> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture de {what} ({})", path.display()))?;
    Ok(SecretString::from(
        text.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".minisig");
    PathBuf::from(name)
}

/// Writes a file readable by its owner only, refusing to overwrite a key.
fn write_new(path: &Path, text: &str, private: bool) -> Result<()> {
    if path.exists() {
        bail!(
            "{} existe déjà : une clé n'est jamais écrasée",
            path.display()
        );
    }
    let mut file = AtomicFile::create(path)?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    file.file().write_all(text.as_bytes())?;
    file.commit()
}

fn keygen(args: KeygenArgs) -> Result<u8> {
    let passphrase = args
        .passphrase_file
        .as_deref()
        .map(|p| read_secret(p, "la phrase de passe"))
        .transpose()?;
    let keys = relais_vault::generate_keys(passphrase.as_ref())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("création de {}", args.out.display()))?;
    let identity = args.out.join("identity.age");
    let recipients = args.out.join("recipients.txt");
    let secret = args.out.join("sign.key");
    let public = args.out.join("sign.pub");
    for p in [&identity, &recipients, &secret, &public] {
        if p.exists() {
            bail!("{} existe déjà : une clé n'est jamais écrasée", p.display());
        }
    }
    write_new(&identity, keys.age_identity_file.expose_secret(), true)?;
    write_new(&secret, keys.minisign_secret_file.expose_secret(), true)?;
    write_new(&public, &keys.minisign_public_file, false)?;
    write_new(
        &recipients,
        &format!(
            "# Destinataires des copies scellées : une clé age1… par détenteur (ajoutez les autres ici).\n{}\n",
            keys.age_recipient
        ),
        false,
    )?;
    println!(
        "Identité de déchiffrement : {} (secrète, à garder hors ligne)",
        identity.display()
    );
    println!(
        "Destinataires : {} ({})",
        recipients.display(),
        keys.age_recipient
    );
    println!(
        "Clé de signature : {} (secrète) et {} (publique, id {})",
        secret.display(),
        public.display(),
        keys.signing_key_id
    );
    if !keys.signing_key_protected {
        eprintln!(
            "attention : la clé de signature n'est pas protégée par une phrase de passe ; ne la gardez que sur un hôte protégé (scellement de nuit sans opérateur)."
        );
    }
    Ok(EXIT_OK)
}

/// A sink that only counts (the reader's summary carries what sealing needs).
struct Quiet;

impl ExtractSink for Quiet {
    type Error = std::convert::Infallible;
    fn accept(&mut self, _: Entity, _: u64, _: Record) -> Result<(), Self::Error> {
        Ok(())
    }
    fn reject(&mut self, _: FlaggedRow) -> Result<(), Self::Error> {
        Ok(())
    }
    fn file_done(&mut self, _: &FileSummary) -> Result<(), Self::Error> {
        Ok(())
    }
    fn file_unreadable(&mut self, _: &Unreadable) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Validates a folder of extracts with the same checker as `relais extract check`.
pub fn check_folder(dir: &Path, profile: &Profile) -> Result<Outcome> {
    if !dir.is_dir() {
        bail!("{} n'est pas un dossier", dir.display());
    }
    let source = DirSource {
        dir: dir.to_owned(),
    };
    match read_extracts(&source, profile, &mut Quiet) {
        Ok(o) => Ok(o),
        Err(ReadError::Sink(never)) => match never {},
    }
}

fn seal(args: SealArgs) -> Result<u8> {
    let profile = load_profile(args.profile.as_deref())?;
    let outcome = check_folder(&args.extracts_dir, &profile)?;
    if !outcome.unreadable.is_empty() {
        for u in &outcome.unreadable {
            eprintln!("{}", summary::unreadable_line(u));
        }
        eprintln!("Refus de sceller : un fichier illisible ne peut pas être ouvert en crise.");
        return Ok(EXIT_UNREADABLE);
    }
    let present: Vec<&FileSummary> = outcome.files.iter().filter(|f| f.present).collect();
    if present.is_empty() {
        eprintln!(
            "Refus de sceller : aucune extraction dans {}.",
            args.extracts_dir.display()
        );
        return Ok(EXIT_UNREADABLE);
    }
    if outcome.rejected_rows() > 0 {
        eprintln!(
            "attention : {} ligne(s) rejetée(s) (voir « relais extract check {} ») ; elles sont scellées telles quelles.",
            outcome.rejected_rows(),
            args.extracts_dir.display()
        );
    }
    let recipients_text = std::fs::read_to_string(&args.recipients)
        .with_context(|| format!("lecture de {}", args.recipients.display()))?;
    let recipients = relais_vault::parse_recipients(&recipients_text)?;
    let passphrase = args
        .passphrase_file
        .as_deref()
        .map(|p| read_secret(p, "la phrase de passe"))
        .transpose()?;
    let key = SigningKey::from_file_text(
        &read_secret(&args.sign_key, "la clé de signature")?,
        passphrase.as_ref(),
    )?;

    let mut files = Vec::new();
    for f in &present {
        let path = args.extracts_dir.join(&f.file);
        let bytes = std::fs::metadata(&path)
            .with_context(|| format!("{}", path.display()))?
            .len();
        let sha256 = FileDigest::from_hex(&f.sha256)
            .ok_or_else(|| anyhow::anyhow!("empreinte illisible pour {}", f.file))?;
        files.push(ManifestFile {
            name: f.file.clone(),
            sha256,
            bytes,
            rows: f.rows,
            amount_total_cents: f.amount_total.map(|c| c.0),
        });
    }
    let check = json!({
        "files": outcome.files.iter().map(file_facts).collect::<Vec<_>>(),
        "rejected_rows": outcome.rejected_rows(),
    });
    let manifest = Manifest::new(
        args.source_system.clone(),
        args.authority.clone(),
        jiff::Timestamp::now(),
        files,
        check,
    );

    let dir = args.extracts_dir.clone();
    let total: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    let bar = crate::progress::bytes("scellement", total);
    let reading = bar.clone();
    let mut source = move |name: &str| -> std::io::Result<Box<dyn std::io::Read>> {
        Ok(Box::new(reading.wrap_read(BufReader::with_capacity(
            256 * 1024,
            File::open(dir.join(name))?,
        ))))
    };
    let mut out = AtomicFile::create(&args.out)?;
    let sealed_bytes = {
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, out.file());
        let n = relais_vault::seal(&manifest, &mut source, &recipients, &mut w)?;
        w.flush().context("écriture de la copie scellée")?;
        n
    };
    bar.finish_and_clear();
    out.commit()?;
    let comment = relais_vault::trusted_comment(&manifest, sealed_bytes);
    let mut sealed =
        BufReader::new(File::open(&args.out).with_context(|| format!("{}", args.out.display()))?);
    let signature = relais_vault::sign(&mut sealed, &key, &comment)?;
    write_atomic(&signature_path(&args.out), signature.as_bytes())?;
    println!(
        "Copie scellée : {} ({} octets, {} destinataire(s))",
        args.out.display(),
        sealed_bytes,
        recipients.len()
    );
    println!("Signature : {}", signature_path(&args.out).display());
    println!("Commentaire signé : {comment}");
    Ok(EXIT_OK)
}

fn read_public_key(path: &Path) -> Result<PublicKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("lecture de la clé publique {}", path.display()))?;
    Ok(PublicKey::from_file_text(&text)?)
}

fn read_signature(file: &Path) -> Result<Vec<u8>> {
    let path = signature_path(file);
    std::fs::read(&path).with_context(|| format!("lecture de la signature {}", path.display()))
}

/// Prints a vault refusal and gives the failure exit code.
fn refused(e: VaultError) -> u8 {
    tracing::error!(code = e.code(), problem = %e.message_en(), "snapshot refused");
    eprintln!("Copie refusée : {e}");
    EXIT_FAILURE
}

fn verify(args: VerifyArgs) -> Result<u8> {
    let public = read_public_key(&args.pubkey)?;
    let signature = read_signature(&args.file)?;
    let mut file =
        BufReader::new(File::open(&args.file).with_context(|| format!("{}", args.file.display()))?);
    match relais_vault::verify(&mut file, &signature, &public) {
        Ok(comment) => {
            println!("Signature valide.");
            println!("Commentaire signé : {comment}");
            Ok(EXIT_OK)
        }
        Err(e) => Ok(refused(e)),
    }
}

/// Opens a sealed snapshot into a fresh folder under `work`, verified and decrypted.
pub fn open_into(
    file: &Path,
    identity: &Path,
    pubkey: &Path,
    work: &Path,
) -> Result<Result<(tempfile::TempDir, relais_vault::Opened, String), VaultError>> {
    let public = read_public_key(pubkey)?;
    let identities = relais_vault::parse_identities(&read_secret(identity, "l'identité")?)?;
    let signature = read_signature(file)?;
    let dest = tempfile::Builder::new()
        .prefix("ouverture-")
        .tempdir_in(work)
        .with_context(|| format!("dossier temporaire dans {}", work.display()))?;
    let mut sealed = BufReader::with_capacity(
        256 * 1024,
        File::open(file).with_context(|| format!("{}", file.display()))?,
    );
    let bar = crate::progress::spinner("vérification de la signature et déchiffrement");
    let opened =
        relais_vault::verify_and_open(&mut sealed, &signature, &public, &identities, dest.path());
    let opened = match opened {
        Ok(o) => o,
        Err(e) => {
            bar.finish_and_clear();
            return Ok(Err(e));
        }
    };
    bar.set_message("empreinte de la copie");
    let mut again = BufReader::new(File::open(file)?);
    let digest = relais_vault::digest_reader(&mut again).context("empreinte de la copie");
    bar.finish_and_clear();
    let (digest, _) = digest?;
    Ok(Ok((dest, opened, digest.to_hex())))
}

/// The rows and totals read must be those the manifest announced.
pub fn manifest_check(manifest: &Manifest) -> impl FnMut(&Outcome) -> Result<(), String> + '_ {
    move |outcome: &Outcome| {
        for m in &manifest.files {
            let Some(read) = outcome.files.iter().find(|f| f.present && f.file == m.name) else {
                return Err(format!("{} annoncé par le manifeste mais non lu", m.name));
            };
            if read.rows != m.rows {
                return Err(format!(
                    "{} : {} lignes lues, {} annoncées par le manifeste",
                    m.name, read.rows, m.rows
                ));
            }
            if read.amount_total.map(|c| c.0) != m.amount_total_cents {
                return Err(format!(
                    "{} : le total des montants ne correspond pas au manifeste",
                    m.name
                ));
            }
        }
        Ok(())
    }
}

fn open(args: OpenArgs) -> Result<u8> {
    let data = DataDir::new(&args.data.data);
    let mut store = data.open_store()?;
    store.authorize(&args.user.user, Role::Admin)?;
    let profile = load_profile(args.profile.as_deref())?;
    let (dest, opened, sealed_sha256) =
        match open_into(&args.file, &args.identity, &args.pubkey, &data.path)? {
            Ok(x) => x,
            Err(e) => return Ok(refused(e)),
        };
    println!("Signature valide : {}", opened.trusted_comment);
    let context = json!({
        "source": "snapshot",
        "file": args.file.display().to_string(),
        "sha256": sealed_sha256,
        "manifest": serde_json::to_value(&opened.manifest).unwrap_or_default(),
    });
    let result = super::import::import_dir(
        &mut *store,
        dest.path(),
        &profile,
        &args.user.user,
        context,
        &mut manifest_check(&opened.manifest),
    );
    drop(dest);
    match result {
        Ok(imported) => {
            super::import::report(&imported);
            Ok(EXIT_OK)
        }
        Err(ImportError::Mismatch(m)) => {
            eprintln!("Copie refusée : {m}. Rien n'a été importé.");
            Ok(EXIT_FAILURE)
        }
        Err(ImportError::Unreadable(files)) => {
            for u in &files {
                eprintln!("{}", summary::unreadable_line(u));
            }
            eprintln!("Copie refusée : rien n'a été importé.");
            Ok(EXIT_UNREADABLE)
        }
        Err(e) => Err(e.into()),
    }
}
