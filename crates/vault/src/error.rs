//! What can go wrong with keys and snapshots: French for agents (`Display`), English for logs
//! (`message_en`), and a stable machine code (`code`).
//!
//! No variant ever carries a secret: identity and secret-key errors name a line or a cause,
//! never the text that was read; passphrases are never echoed.

use std::io;

/// Why a tar entry was refused before anything was written for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    /// A symbolic or hard link: it could point outside the destination.
    Link,
    /// A directory entry: the payload is flat.
    Directory,
    /// A device, FIFO or any other kind that is not a regular file.
    Special,
    /// A name with a folder, `..`, or an absolute path.
    Path,
}

impl EntryProblem {
    fn fr(self) -> &'static str {
        match self {
            EntryProblem::Link => "un lien",
            EntryProblem::Directory => "un dossier",
            EntryProblem::Special => "un fichier spécial",
            EntryProblem::Path => "un chemin hors du dossier de destination",
        }
    }
    fn en(self) -> &'static str {
        match self {
            EntryProblem::Link => "a link",
            EntryProblem::Directory => "a directory",
            EntryProblem::Special => "a special file",
            EntryProblem::Path => "a path outside the destination folder",
        }
    }
}

impl std::fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.fr())
    }
}

/// How long a truncated file is, and how long it was when signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TruncatedSizes {
    pub expected: u64,
    pub found: u64,
}

fn truncated_fr(sizes: Option<TruncatedSizes>) -> String {
    match sizes {
        // Stated as facts: the length comes from the signature file, which may itself be the
        // altered part.
        Some(s) => format!(
            "le fichier scellé fait {} octets alors que sa signature en annonce {} : copie incomplète ? procurez-vous une copie complète du fichier et de sa signature",
            s.found, s.expected
        ),
        None => {
            "le fichier scellé est tronqué : copie incomplète ? procurez-vous une copie complète"
                .into()
        }
    }
}

/// Every error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    // --- keys --------------------------------------------------------------------------------
    #[error("fichier des destinataires, ligne {line} : {problem}")]
    Recipient {
        line: usize,
        problem: String,
        problem_en: String,
    },
    #[error(
        "fichier des destinataires, ligne {line} : ce destinataire figure déjà ligne {first_line}"
    )]
    DuplicateRecipient { line: usize, first_line: usize },
    #[error("le fichier des destinataires ne contient aucun destinataire (une ligne age1…)")]
    NoRecipients,
    #[error(
        "fichier d'identité, ligne {line} : ce n'est pas une identité age X25519 (AGE-SECRET-KEY-1…)"
    )]
    Identity { line: usize },
    #[error("le fichier d'identité ne contient aucune identité (une ligne AGE-SECRET-KEY-1…)")]
    NoIdentity,
    #[error("clé publique de signature illisible : {0} (attendu : un fichier .pub de minisign)")]
    PublicKey(String),
    #[error("clé secrète de signature illisible : {0} (attendu : un fichier .key de minisign)")]
    SigningKey(String),
    #[error(
        "la clé de signature est protégée par une phrase de passe : donnez le fichier qui la contient"
    )]
    PassphraseRequired,
    #[error(
        "la clé de signature n'est pas protégée par une phrase de passe : n'en donnez pas (ou créez une clé protégée)"
    )]
    PassphraseNotExpected,
    #[error("phrase de passe fausse pour cette clé de signature")]
    WrongPassphrase,
    #[error("la phrase de passe est vide")]
    EmptyPassphrase,
    #[error("génération des clés impossible : {0}")]
    KeyGeneration(String),

    // --- signature ---------------------------------------------------------------------------
    #[error("commentaire signé invalide : {0}")]
    TrustedCommentInvalid(String),
    #[error("signature illisible : {0} (attendu : le fichier .minisig écrit par Relais)")]
    SignatureUnreadable(String),
    #[error(
        "le fichier de signature a été modifié (il n'est plus tel que Relais l'a écrit) : procurez-vous la signature d'origine"
    )]
    SignatureAltered,
    #[error(
        "signé par une autre clé (clé {signature_key_id}) que la clé publique donnée (clé {public_key_id}) : ce fichier ne vient pas de la collectivité attendue, ou la mauvaise clé publique a été donnée"
    )]
    WrongSigner {
        signature_key_id: String,
        public_key_id: String,
    },
    #[error(
        "la signature ne correspond pas au fichier : le fichier scellé ou sa signature a été modifié ou endommagé, ou ils ne vont pas ensemble"
    )]
    SignatureMismatch,
    #[error(
        "le commentaire signé (« {signed} ») ne correspond pas au manifeste de l'instantané (« {expected} »)"
    )]
    TrustedCommentMismatch { signed: String, expected: String },

    // --- sealed file -------------------------------------------------------------------------
    #[error("ce fichier n'est pas un instantané chiffré (format age) que Relais sait lire")]
    NotASnapshot,
    #[error(
        "aucune des identités données ne peut ouvrir ce fichier : elles ne font pas partie de ses destinataires (ou son en-tête a été modifié)"
    )]
    NotARecipient,
    #[error(
        "le fichier scellé a été modifié, endommagé ou tronqué (le déchiffrement authentifié a échoué) : procurez-vous une copie intacte"
    )]
    Altered,
    /// With the sizes when the signature's comment states the sealed length (`verify`).
    #[error("{}", truncated_fr(*.sizes))]
    Truncated { sizes: Option<TruncatedSizes> },
    #[error("lecture du fichier scellé impossible : {0}")]
    ReadSealed(io::Error),
    #[error("écriture du fichier scellé impossible : {0}")]
    WriteSealed(io::Error),

    // --- payload and manifest ----------------------------------------------------------------
    #[error("l'instantané est vide : il ne contient aucun fichier d'extraction")]
    EmptyPayload,
    #[error("l'instantané ne commence pas par son manifeste (manifest.json)")]
    ManifestMissing,
    #[error("manifeste invalide : {fr}")]
    ManifestInvalid { fr: String, en: String },
    #[error(
        "instantané au format {found}, inconnu de cette version de Relais (formats connus : jusqu'à {known}) : mettez Relais à jour"
    )]
    UnsupportedVersion { found: u64, known: u32 },
    #[error("nom de fichier refusé « {name} » : {why}")]
    InvalidFileName {
        name: String,
        why: &'static str,
        why_en: &'static str,
    },
    #[error("archive interne illisible : {0}")]
    PayloadUnreadable(String),
    #[error("l'instantané contient « {name} », {problem} : refusé")]
    UnsafeEntry { name: String, problem: EntryProblem },
    #[error("le fichier « {name} » n'est pas annoncé par le manifeste")]
    UnexpectedFile { name: String },
    #[error("le fichier « {name} » figure deux fois")]
    DuplicateFile { name: String },
    #[error("le fichier « {name} » annoncé par le manifeste est absent")]
    MissingFile { name: String },
    #[error(
        "le fichier « {name} » fait {found} octets alors que le manifeste en annonce {expected}"
    )]
    SizeMismatch {
        name: String,
        expected: u64,
        found: u64,
    },
    #[error(
        "le contenu du fichier « {name} » ne correspond pas à son empreinte SHA-256 dans le manifeste"
    )]
    HashMismatch { name: String },
    #[error("des données inattendues suivent la fin de l'archive interne")]
    TrailingData,

    // --- the caller's files ------------------------------------------------------------------
    #[error("lecture de l'extraction « {name} » impossible : {source}")]
    ReadExtract { name: String, source: io::Error },
    #[error("écriture de « {name} » dans le dossier de destination impossible : {source}")]
    WriteExtract { name: String, source: io::Error },
    #[error("dossier de destination inutilisable ({path}) : {source}")]
    Destination { path: String, source: io::Error },
    #[error("le dossier de destination ({path}) n'est pas vide : donnez un dossier neuf")]
    DestinationNotEmpty { path: String },
}

impl VaultError {
    /// A stable machine code, for logs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::Recipient { .. } => "destinataire_invalide",
            VaultError::DuplicateRecipient { .. } => "destinataire_double",
            VaultError::NoRecipients => "aucun_destinataire",
            VaultError::Identity { .. } => "identite_invalide",
            VaultError::NoIdentity => "aucune_identite",
            VaultError::PublicKey(_) => "cle_publique_invalide",
            VaultError::SigningKey(_) => "cle_signature_invalide",
            VaultError::PassphraseRequired => "phrase_requise",
            VaultError::PassphraseNotExpected => "phrase_inattendue",
            VaultError::WrongPassphrase => "phrase_fausse",
            VaultError::EmptyPassphrase => "phrase_vide",
            VaultError::KeyGeneration(_) => "generation_cles",
            VaultError::TrustedCommentInvalid(_) => "commentaire_invalide",
            VaultError::SignatureUnreadable(_) => "signature_illisible",
            VaultError::SignatureAltered => "signature_modifiee",
            VaultError::WrongSigner { .. } => "signature_autre_cle",
            VaultError::SignatureMismatch => "signature_invalide",
            VaultError::TrustedCommentMismatch { .. } => "commentaire_discordant",
            VaultError::NotASnapshot => "pas_un_instantane",
            VaultError::NotARecipient => "identite_non_destinataire",
            VaultError::Altered => "fichier_modifie",
            VaultError::Truncated { .. } => "fichier_tronque",
            VaultError::ReadSealed(_) => "lecture_scelle",
            VaultError::WriteSealed(_) => "ecriture_scelle",
            VaultError::EmptyPayload => "contenu_vide",
            VaultError::ManifestMissing => "manifeste_absent",
            VaultError::ManifestInvalid { .. } => "manifeste_invalide",
            VaultError::UnsupportedVersion { .. } => "version_inconnue",
            VaultError::InvalidFileName { .. } => "nom_invalide",
            VaultError::PayloadUnreadable(_) => "archive_illisible",
            VaultError::UnsafeEntry { .. } => "entree_dangereuse",
            VaultError::UnexpectedFile { .. } => "fichier_inattendu",
            VaultError::DuplicateFile { .. } => "fichier_double",
            VaultError::MissingFile { .. } => "fichier_manquant",
            VaultError::SizeMismatch { .. } => "taille_fausse",
            VaultError::HashMismatch { .. } => "empreinte_fausse",
            VaultError::TrailingData => "donnees_en_trop",
            VaultError::ReadExtract { .. } => "lecture_extraction",
            VaultError::WriteExtract { .. } => "ecriture_extraction",
            VaultError::Destination { .. } => "destination_inutilisable",
            VaultError::DestinationNotEmpty { .. } => "destination_non_vide",
        }
    }

    /// The same message in English, for logs.
    pub fn message_en(&self) -> String {
        match self {
            VaultError::Recipient {
                line, problem_en, ..
            } => format!("recipients file, line {line}: {problem_en}"),
            VaultError::DuplicateRecipient { line, first_line } => {
                format!("recipients file, line {line}: same recipient as line {first_line}")
            }
            VaultError::NoRecipients => "the recipients file holds no recipient".into(),
            VaultError::Identity { line } => {
                format!("identity file, line {line}: not an age X25519 identity")
            }
            VaultError::NoIdentity => "the identity file holds no identity".into(),
            VaultError::PublicKey(why) => format!("unreadable minisign public key: {why}"),
            VaultError::SigningKey(why) => format!("unreadable minisign secret key: {why}"),
            VaultError::PassphraseRequired => {
                "the signing key is passphrase-protected: a passphrase file is needed".into()
            }
            VaultError::PassphraseNotExpected => {
                "the signing key is not passphrase-protected, yet a passphrase was given".into()
            }
            VaultError::WrongPassphrase => "wrong passphrase for this signing key".into(),
            VaultError::EmptyPassphrase => "empty passphrase".into(),
            VaultError::KeyGeneration(why) => format!("key generation failed: {why}"),
            VaultError::TrustedCommentInvalid(why) => format!("invalid trusted comment: {why}"),
            VaultError::SignatureUnreadable(why) => format!("unreadable signature: {why}"),
            VaultError::SignatureAltered => {
                "the signature file was altered (not as Relais wrote it)".into()
            }
            VaultError::WrongSigner {
                signature_key_id,
                public_key_id,
            } => format!(
                "signed by another key ({signature_key_id}) than the given public key ({public_key_id})"
            ),
            VaultError::SignatureMismatch => {
                "signature does not match the file (file or signature altered, or mismatched)"
                    .into()
            }
            VaultError::TrustedCommentMismatch { signed, expected } => format!(
                "trusted comment {signed:?} does not match the snapshot's manifest {expected:?}"
            ),
            VaultError::NotASnapshot => "not an age-encrypted snapshot".into(),
            VaultError::NotARecipient => {
                "none of the given identities is a recipient of this file (or its header was altered)"
                    .into()
            }
            VaultError::Altered => {
                "sealed file altered, damaged or truncated (authenticated decryption failed)".into()
            }
            VaultError::Truncated { sizes: None } => "sealed file truncated".into(),
            VaultError::Truncated { sizes: Some(s) } => format!(
                "sealed file has {} bytes, its signature says {} (incomplete copy?)",
                s.found, s.expected
            ),
            VaultError::ReadSealed(e) => format!("cannot read the sealed file: {e}"),
            VaultError::WriteSealed(e) => format!("cannot write the sealed file: {e}"),
            VaultError::EmptyPayload => "empty snapshot: no extract file".into(),
            VaultError::ManifestMissing => {
                "the snapshot does not start with its manifest (manifest.json)".into()
            }
            VaultError::ManifestInvalid { en, .. } => format!("invalid manifest: {en}"),
            VaultError::UnsupportedVersion { found, known } => format!(
                "snapshot format {found} unknown to this Relais (known up to {known}): upgrade Relais"
            ),
            VaultError::InvalidFileName { name, why_en, .. } => {
                format!("file name refused {name:?}: {why_en}")
            }
            VaultError::PayloadUnreadable(why) => format!("unreadable inner archive: {why}"),
            VaultError::UnsafeEntry { name, problem } => {
                format!("the snapshot holds {name:?}, {}: refused", problem.en())
            }
            VaultError::UnexpectedFile { name } => {
                format!("file {name:?} is not listed in the manifest")
            }
            VaultError::DuplicateFile { name } => format!("file {name:?} appears twice"),
            VaultError::MissingFile { name } => {
                format!("file {name:?} listed in the manifest is missing")
            }
            VaultError::SizeMismatch {
                name,
                expected,
                found,
            } => format!("file {name:?} has {found} bytes, the manifest says {expected}"),
            VaultError::HashMismatch { name } => {
                format!("file {name:?} does not match its SHA-256 in the manifest")
            }
            VaultError::TrailingData => "unexpected data after the end of the inner archive".into(),
            VaultError::ReadExtract { name, source } => {
                format!("cannot read extract {name:?}: {source}")
            }
            VaultError::WriteExtract { name, source } => {
                format!("cannot write {name:?} into the destination folder: {source}")
            }
            VaultError::Destination { path, source } => {
                format!("unusable destination folder ({path}): {source}")
            }
            VaultError::DestinationNotEmpty { path } => {
                format!("destination folder ({path}) is not empty")
            }
        }
    }
}

/// A name read from an untrusted archive, made safe to print: control characters escaped,
/// length bounded, so that an error message cannot be used to forge log lines.
pub(crate) fn shown(raw: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(raw);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_control_characters_and_bounds_length() {
        assert_eq!(shown(b"a\nb"), "a\\nb");
        assert_eq!(shown(&[b'x'; 500]).chars().count(), 121);
    }

    #[test]
    fn codes_are_stable_snake_case() {
        let e = VaultError::HashMismatch {
            name: "a.csv".into(),
        };
        assert_eq!(e.code(), "empreinte_fausse");
        assert!(e.to_string().contains("« a.csv »"));
        assert!(e.message_en().contains("\"a.csv\""));
    }
}
