//! The command line, parsed into plain data (clap derive). Commands act in `cmd::*`.

use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use relais_core::calendar::Month;
use std::path::PathBuf;

mod crisis;
mod invoices;
mod journal;
mod orders;
mod payments;
mod payroll;
pub mod pes;
mod store;
mod users;
pub mod values;

pub use crisis::*;
pub use invoices::*;
pub use journal::*;
pub use orders::*;
pub use payments::*;
pub use payroll::*;
pub use store::*;
pub use users::*;

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

/// How a listing is printed: for reading, for a script (`csv`: `,`, decimal point, ISO 8601,
/// unchanged for the scripts that read it), or for a French spreadsheet (`tableur`: `;`,
/// decimal comma, JJ/MM/AAAA, UTF-8 with BOM, French headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Csv,
    Tableur,
}

/// Who acts: the local operator acts as this user, whose password is checked before anything
/// else (`crate::auth`), then whose roles are.
#[derive(Debug, Clone, Args)]
pub struct UserArg {
    /// Identifiant de l'utilisateur au nom duquel la commande agit.
    #[arg(long = "user", env = "RELAIS_USER")]
    pub user: String,
    /// Fichier contenant le mot de passe de --user (lisible par lui seul) ; sans ce fichier, le
    /// mot de passe est demandé au terminal, sans écho.
    #[arg(
        long = "password-file",
        visible_alias = "user-password-file",
        env = "RELAIS_PASSWORD_FILE"
    )]
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crée un dossier de données : paramètres de la collectivité et premier administrateur.
    Init(InitArgs),
    /// Copie la base SQLite d'un dossier de données dans une base PostgreSQL vide (journal
    /// compris, vérifié à l'arrivée), puis le dossier utilise PostgreSQL.
    Migrate(MigrateArgs),
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
    /// Courrier : dépôts papier contre récépissé (enregistrer, annuler, lister).
    #[command(subcommand)]
    Deposit(DepositCommand),
    /// Récépissés : vérification hors ligne du code signé, clé publique.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// Factures : échéances du délai global de paiement, intérêts moratoires.
    #[command(subcommand)]
    Invoices(InvoicesCommand),
    /// Factures des fournisseurs : liste par échéance, service fait, liquidation, suspension,
    /// rejet.
    #[command(subcommand)]
    Factures(FacturesCommand),
    /// Bons de commande : émettre (numéro sans trou par exercice, PDF), lister avec les factures.
    #[command(subcommand)]
    Commandes(CommandesCommand),
    /// Paiements mensuels des prestations : préparer, contrôler, valider, exporter.
    #[command(subcommand)]
    Run(RunCommand),
    /// Prolonge des droits selon une décision de crise (politique de renouvellement TOML).
    Renew(RenewArgs),
    /// Rapprochement après la crise : payé par Relais, dû selon le système restauré.
    Reconcile(ReconcileArgs),
    /// Coordonnées bancaires modifiées récemment : approbation par un ordonnateur.
    #[command(subcommand)]
    Bank(BankCommand),
    /// Paie de continuité : changements de situation des agents (entrée, sortie, net, RIB),
    /// demandés puis approuvés par un autre ordonnateur.
    #[command(subcommand)]
    Paie(PaieCommand),
    /// RSA : relevé mensuel de la CAF (ce qu'elle a versé), importé et comparé aux droits.
    #[command(subcommand)]
    Caf(CafCommand),
    /// Numérotation PES d'un exercice : derniers numéros de bordereau et de mandat confirmés
    /// par la paierie, que Relais continue.
    #[command(subcommand)]
    Numbering(NumberingCommand),
    #[command(subcommand, about = "Flux PES reçus du comptable.")]
    Pes(pes::PesCommand),
    /// Mandats émis après paiement (TypPce 05) d'un paiement fait avant son mandat.
    Regularise(RegulariseArgs),
    /// Mesures de performance.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Sert l'interface web des agents.
    Serve(ServeArgs),
    /// Cellule de crise : main courante (ajouter, lister, exporter en CSV ou PDF).
    #[command(subcommand)]
    Courante(CouranteCommand),
    /// Cellule de crise : faits essentiels de l'incident, horloge CNIL, synthèse PDF.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Cellule de crise : notifications à la CNIL (initiale, complémentaire).
    #[command(subcommand)]
    Cnil(CnilCommand),
    /// Cellule de crise : inventaire des systèmes et statut de remédiation.
    #[command(subcommand)]
    Systemes(SystemesCommand),
    /// Cellule de crise : tâches et échéances.
    #[command(subcommand)]
    Taches(TachesCommand),
    /// Annuaire : modifier ou ajouter une entrée (journalisé).
    #[command(subcommand)]
    Annuaire(AnnuaireCommand),
    /// Message de la cellule de crise au public : ce qui est perturbé, ce qui est garanti.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Écrit la page publique de continuité (index.html et sa feuille de style) et, avec
    /// --posters, une affiche A4 (PDF) par site.
    Publish(PublishArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Adresse d'écoute (127.0.0.1 : cette machine seulement ; 0.0.0.0 : tout le réseau local).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Servi en HTTPS par un relais TLS : cookies Secure préfixés __Host-, et en-tête HSTS.
    #[arg(long)]
    pub secure_cookies: bool,
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
    #[arg(long, value_parser = values::month)]
    pub month: Option<Month>,
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
    /// Fenêtre d'une prolongation de crise : droits échus depuis moins de N mois.
    #[arg(long, default_value_t = 12)]
    pub renewal_window_months: u32,
    /// Dossier où créer la base jetable (par défaut le dossier temporaire du système).
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Dossier de données de travail dont vérifier la numérotation PES confirmée (une copie
    /// ne la contient jamais : la paierie la donne le jour venu).
    #[arg(long)]
    pub data: Option<PathBuf>,
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

#[derive(Debug, Args)]
pub struct ATraiterArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
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
    #[arg(long, value_parser = values::date)]
    pub today: Option<Date>,
    /// Pour mille de lignes volontairement fausses.
    #[arg(long, default_value_t = 10)]
    pub bad_per_mille: u32,
    /// Nombre d'agents payés (agents.csv, paie.csv) ; par défaut un pour 20 personnes.
    #[arg(long)]
    pub agents: Option<u64>,
    /// Construit et importe, sans servir l'interface web.
    #[arg(long)]
    pub no_serve: bool,
    /// Adresse d'écoute de l'interface web.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
}

#[derive(Debug, Subcommand)]
// Parsed once at start-up and matched once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum DepositCommand {
    /// Enregistre un dépôt : numéro chrono, heure exacte, récépissé PDF signé.
    Register(DepositRegisterArgs),
    /// Annule un numéro (il reste au registre, avec son motif).
    Cancel(DepositCancelArgs),
    /// Liste le registre des dépôts.
    List(DepositListArgs),
}

#[derive(Debug, Args)]
pub struct DepositRegisterArgs {
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
    /// Type : demande_apa, demande_pch, demande_ash, demande_aide (autre aide sociale),
    /// demande_subvention, facture, offre_marche, pieces_complementaires, autre.
    #[arg(long)]
    pub kind: String,
    /// Nom du déposant (200 caractères au plus).
    #[arg(long)]
    pub from: String,
    /// Adresse du déposant (300 caractères au plus).
    #[arg(long)]
    pub address: Option<String>,
    /// Objet du dépôt (200 caractères au plus).
    #[arg(long)]
    pub subject: Option<String>,
    /// Nombre de pages ou de pièces (1 par défaut).
    #[arg(long)]
    pub pages: Option<String>,
    /// Facture : SIRET du fournisseur.
    #[arg(long)]
    pub siret: Option<String>,
    /// Facture : numéro (50 caractères au plus).
    #[arg(long)]
    pub invoice_number: Option<String>,
    /// Facture : montant TTC (1234,56).
    #[arg(long)]
    pub amount: Option<String>,
    /// Facture : le bon de commande ou l'engagement qu'elle cite (BC-2026-000123).
    #[arg(long)]
    pub engagement: Option<String>,
    /// Facture : date de la facture.
    #[arg(long)]
    pub invoice_date: Option<String>,
    /// Offre : date limite de remise des offres (AAAA-MM-JJ HH:MM).
    #[arg(long)]
    pub deadline: Option<String>,
    /// Date et heure de réception si le dépôt est enregistré après coup (AAAA-MM-JJ HH:MM) ;
    /// par défaut maintenant. Au plus 72 h avant (réglage courrier.backdate_window_hours).
    #[arg(long, visible_alias = "received-at")]
    pub at: Option<String>,
    /// Motif de l'enregistrement différé, obligatoire avec --at antérieur (300 caractères au plus).
    #[arg(long)]
    pub backdate_reason: Option<String>,
    /// Numéro de dossier de la personne concernée (le dépôt apparaît sur sa fiche à l'accueil).
    #[arg(long)]
    pub dossier: Option<String>,
    /// Demande incomplète : les pièces manquantes, séparées par « ; » (CRPA L114-5).
    #[arg(long)]
    pub missing: Option<String>,
    /// Demande incomplète : date limite pour produire les pièces manquantes.
    #[arg(long)]
    pub missing_deadline: Option<String>,
    /// Pièces complémentaires : numéro chrono de la demande qu'elles complètent.
    #[arg(long)]
    pub completes: Option<String>,
}

#[derive(Debug, Args)]
pub struct DepositCancelArgs {
    /// Numéro chrono (AAAA-NNNNNN).
    pub number: String,
    /// Motif de l'annulation.
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub user: UserArg,
}

#[derive(Debug, Args)]
pub struct DepositListArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Seulement ce type de dépôt.
    #[arg(long)]
    pub kind: Option<String>,
    /// Reçus à partir de ce jour (inclus).
    #[arg(long, value_parser = values::date)]
    pub from: Option<Date>,
    /// Reçus jusqu'à ce jour (inclus).
    #[arg(long, value_parser = values::date)]
    pub to: Option<Date>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Vérifie hors ligne le code d'un récépissé (tel qu'imprimé ou lu dans le QR code).
    Verify(ReceiptVerifyArgs),
    /// Affiche la clé publique de signature des récépissés.
    Pubkey(DataArg),
}

#[derive(Debug, Args)]
pub struct ReceiptVerifyArgs {
    /// Le code (les espaces et tirets sont sans importance).
    #[arg(required = true, num_args = 1..)]
    pub code: Vec<String>,
    /// Dossier de données (clé publique et registre).
    #[arg(long, env = "RELAIS_DATA")]
    pub data: Option<PathBuf>,
    /// Fichier de clé publique (« relais receipt pubkey »), sans dossier de données.
    #[arg(long)]
    pub pubkey: Option<PathBuf>,
    /// Nom du déposant imprimé sur le récépissé, à comparer au code.
    #[arg(long)]
    pub depositor: Option<String>,
    /// Facture : montant TTC imprimé sur le récépissé, à comparer au code.
    #[arg(long)]
    pub amount: Option<String>,
    /// Facture : numéro imprimé sur le récépissé, à comparer au code.
    #[arg(long)]
    pub invoice_number: Option<String>,
    /// Facture : SIRET imprimé sur le récépissé, à comparer au code.
    #[arg(long)]
    pub siret: Option<String>,
    /// Demande : numéro de dossier imprimé sur le récépissé, à comparer au code.
    #[arg(long)]
    pub dossier: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum InvoicesCommand {
    /// Factures non payées, par jours restants avant l'échéance légale.
    Due(InvoicesDueArgs),
}

#[derive(Debug, Args)]
pub struct InvoicesDueArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Seulement celles dont l'échéance tombe dans ce nombre de jours (ou est dépassée).
    #[arg(long)]
    pub within: Option<i64>,
    /// Date de paiement supposée (AAAA-MM-JJ) ; par défaut aujourd'hui.
    #[arg(long, value_parser = values::date)]
    pub today: Option<Date>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Enregistrements durables concurrents et génération de récépissés PDF.
    Deposits(BenchDepositsArgs),
    /// Recherche de l'accueil par N connexions à la fois sur la base du dossier (SQLite ou
    /// PostgreSQL) : latences p50, p99, max (bench/postgres.sh).
    #[command(hide = true)]
    Search(BenchSearchArgs),
    /// Écrit un pain.001 depuis un CSV de virements (nom,iban,bic,montant_centimes,libelle) :
    /// la mesure comparée à sepaxml (bench/payments.sh).
    Pain001(BenchPain001Args),
    /// Ajoute des événements fictifs au journal (chaîne valide) : la mesure de l'export et
    /// de l'application du journal (bench/journal_export.sh).
    #[command(hide = true)]
    Journal(BenchJournalArgs),
}

#[derive(Debug, Args)]
pub struct BenchPain001Args {
    /// CSV : nom,iban,bic,montant_centimes,libelle (avec en-tête).
    #[arg(long)]
    pub transfers: PathBuf,
    /// Fichier pain.001 écrit.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchDepositsArgs {
    #[command(flatten)]
    pub data: DataArg,
    /// Nombre d'écrivains concurrents (une connexion chacun).
    #[arg(long, default_value_t = 16)]
    pub writers: usize,
    /// Nombre total d'enregistrements.
    #[arg(long, default_value_t = 16_000)]
    pub count: usize,
    /// Mesure sur cette base PostgreSQL vide (postgres://…, mot de passe par PGPASSWORD) au lieu
    /// d'un fichier SQLite jetable.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}
