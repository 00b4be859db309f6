//! The command line, parsed into plain data (clap derive). Commands act in `cmd::*`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "relais",
    version,
    about = "Relais : continuité des paiements et du courrier d'une collectivité après une cyberattaque."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The data folder, shared by every command that reads or changes the store.
#[derive(Debug, Clone, Args)]
pub struct DataArg {
    /// Dossier de données (paramètres, base, clés, documents).
    #[arg(long, env = "RELAIS_DATA", default_value = "relais-data")]
    pub data: PathBuf,
}

/// Who acts: the local operator acts as this user, whose roles are checked.
#[derive(Debug, Clone, Args)]
pub struct UserArg {
    /// Identifiant de l'utilisateur au nom duquel la commande agit.
    #[arg(long = "user", env = "RELAIS_USER")]
    pub user: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crée un dossier de données : paramètres de la collectivité et premier administrateur.
    Init(InitArgs),
    /// Vérifie des identifiants (IBAN, BIC, NIR, SIREN, SIRET).
    CheckId(CheckIdArgs),
    /// Extractions CSV : vérification.
    #[command(subcommand)]
    Extract(ExtractCommand),
    /// Importe un dossier d'extractions dans la base (tout ou rien).
    Import(ImportArgs),
    /// Journal des opérations.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Utilisateurs et rôles.
    #[command(subcommand)]
    User(UserCommand),
    /// Lignes rejetées à l'import : le registre des dossiers à traiter.
    ATraiter(ATraiterArgs),
    /// Construit un département fictif, l'importe et sert l'interface web.
    Demo(DemoArgs),
    /// Copies scellées (chiffrées et signées) des extractions.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Exercice : ouvre une copie scellée dans une base jetable et dit si l'on pourrait payer.
    Drill(DrillArgs),
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Crée une identité age (chiffrement) et une paire de clés minisign (signature).
    Keygen(KeygenArgs),
    /// Vérifie les extractions puis les scelle : archive tar chiffrée (age) et signée (minisign).
    Seal(SealArgs),
    /// Vérifie la signature d'une copie scellée, sans la déchiffrer.
    Verify(VerifyArgs),
    /// Vérifie, déchiffre, contrôle et importe une copie scellée.
    Open(OpenArgs),
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Dossier où écrire identity.age, recipients.txt, sign.key et sign.pub.
    #[arg(long)]
    pub out: PathBuf,
    /// Protège la clé de signature par cette phrase de passe (lue dans le fichier).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SealArgs {
    /// Dossier d'extractions.
    pub extracts_dir: PathBuf,
    /// Fichier des destinataires age (un « age1… » par ligne).
    #[arg(long)]
    pub recipients: PathBuf,
    /// Clé secrète de signature minisign.
    #[arg(long)]
    pub sign_key: PathBuf,
    /// Phrase de passe de la clé de signature, si elle est protégée.
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
    /// Fichier à écrire (FILE.relais ; la signature va dans FILE.relais.minisig).
    #[arg(long)]
    pub out: PathBuf,
    /// Nom de la collectivité (dans le manifeste et le commentaire signé).
    #[arg(long)]
    pub authority: String,
    /// Logiciel d'où viennent les extractions.
    #[arg(long, default_value = "extractions")]
    pub source_system: String,
    /// Profil de correspondance (TOML) pour la vérification.
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    pub file: PathBuf,
    /// Clé publique minisign.
    #[arg(long)]
    pub pubkey: PathBuf,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    pub file: PathBuf,
    /// Identité age (clé secrète de déchiffrement).
    #[arg(long)]
    pub identity: PathBuf,
    /// Clé publique minisign.
    #[arg(long)]
    pub pubkey: PathBuf,
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Profil de correspondance (TOML).
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub identity: PathBuf,
    #[arg(long)]
    pub pubkey: PathBuf,
    /// Mois de paiement examiné (AAAA-MM) ; par défaut le mois prochain.
    #[arg(long)]
    pub month: Option<String>,
    /// Rapport en JSON.
    #[arg(long)]
    pub json: bool,
    /// Âge maximal de la copie, en jours.
    #[arg(long, default_value_t = 2)]
    pub max_age_days: u32,
    /// Part maximale de droits impayables, en pour cent.
    #[arg(long, default_value_t = 2.0)]
    pub max_unpayable_percent: f64,
    /// Fuseau horaire de la collectivité.
    #[arg(long, default_value = "Europe/Paris")]
    pub time_zone: String,
    /// Profil de correspondance (TOML).
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Nom de la collectivité, par ex. « Département de Seine-et-Marne ».
    #[arg(long)]
    pub authority: String,
    /// SIRET de la collectivité.
    #[arg(long)]
    pub siret: String,
    /// Fuseau horaire IANA (Europe/Paris, America/Martinique, Indian/Reunion…).
    #[arg(long, default_value = "Europe/Paris")]
    pub time_zone: String,
    /// Jours fériés : metropole, alsace-moselle, guadeloupe, martinique, guyane, reunion, mayotte, saint-martin.
    #[arg(long, default_value = "metropole")]
    pub holiday_zone: String,
    /// Identifiant du premier administrateur.
    #[arg(long, default_value = "admin")]
    pub admin: String,
    /// Fichier contenant son mot de passe (jamais en argument).
    #[arg(long)]
    pub password_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckIdArgs {
    /// Type : iban, bic, nir, siren, siret. Sans argument : lit « TYPE<TAB>VALEUR » sur l'entrée standard.
    pub kind: Option<String>,
    /// Valeur à vérifier.
    pub value: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExtractCommand {
    /// Vérifie un dossier d'extractions : résumé par fichier et chaque ligne rejetée.
    Check(ExtractCheckArgs),
}

#[derive(Debug, Args)]
pub struct ExtractCheckArgs {
    /// Dossier contenant beneficiaires.csv, tiers.csv, droits.csv…
    pub dir: PathBuf,
    /// Profil de correspondance (TOML) pour les colonnes d'un autre logiciel.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Écrit les rejets dans ce fichier CSV.
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// N'affiche pas chaque rejet à l'écran (seulement le résumé).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Dossier d'extractions.
    pub dir: PathBuf,
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Profil de correspondance (TOML).
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Vérifie la chaîne d'empreintes du journal ; nomme la première entrée altérée.
    Verify(DataArg),
    /// Affiche les entrées du journal.
    List(JournalListArgs),
}

#[derive(Debug, Args)]
pub struct JournalListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// À partir de l'entrée n°.
    #[arg(long, default_value_t = 1)]
    pub from: u64,
    /// Nombre maximal d'entrées.
    #[arg(long, default_value_t = 100)]
    pub limit: u64,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Ajoute un utilisateur.
    Add(UserAddArgs),
    /// Désactive un utilisateur.
    Disable(UserLoginArgs),
    /// Liste les utilisateurs.
    List(DataArg),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// L'administrateur qui crée l'utilisateur.
    #[arg(long = "user", env = "RELAIS_USER")]
    pub actor: String,
    #[arg(long)]
    pub login: String,
    /// Rôle(s), séparés par des virgules : accueil, courrier, instruction, liquidation, ordonnateur, crise, admin.
    #[arg(long)]
    pub role: String,
    /// Site de rattachement (code de l'annuaire).
    #[arg(long)]
    pub site: Option<String>,
    /// Fichier contenant le mot de passe (jamais en argument).
    #[arg(long)]
    pub password_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct UserLoginArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[arg(long = "user", env = "RELAIS_USER")]
    pub actor: String,
    /// L'utilisateur à désactiver.
    pub login: String,
}

#[derive(Debug, Args)]
pub struct ATraiterArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Format de sortie : text ou csv.
    #[arg(long, default_value = "text")]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Nombre de personnes.
    #[arg(long, default_value_t = 20_000)]
    pub size: u32,
    /// Graine : la même graine (et la même date) donne les mêmes données.
    #[arg(long, default_value_t = 77)]
    pub seed: u64,
    /// Date de référence (AAAA-MM-JJ) ; par défaut, aujourd'hui dans le fuseau de la collectivité.
    #[arg(long)]
    pub today: Option<String>,
    /// Pour mille de lignes volontairement fausses.
    #[arg(long, default_value_t = 10)]
    pub bad_per_mille: u32,
    /// Construit et importe, sans servir l'interface web.
    #[arg(long)]
    pub no_serve: bool,
    /// Adresse d'écoute de l'interface web.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
}
