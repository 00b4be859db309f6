//! The records an authority's extracts carry (docs/extracts.md), once parsed and checked.
//!
//! Every field is typed: a record that exists is valid on its own. Checks that need other
//! records (a right's person and payee exist) are made by the extract reader.

#[cfg(any(test, feature = "sample"))]
pub mod sample;

use crate::Cents;
use crate::calendar::Month;
use crate::ids::{Bic, Iban, Nir, Siret};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Columns an extract carries beyond the required ones, kept as read: (header, value).
pub type Extra = Vec<(String, String)>;

/// A benefit the authority pays or funds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Benefit {
    /// APA à domicile (CASF L232-3).
    #[serde(rename = "APA_DOM")]
    ApaDom,
    /// APA en établissement (CASF L232-8).
    #[serde(rename = "APA_ETAB")]
    ApaEtab,
    /// Prestation de compensation du handicap (CASF L245-1).
    #[serde(rename = "PCH")]
    Pch,
    /// Aide sociale à l'hébergement (CASF L113-1, L344-5).
    #[serde(rename = "ASH")]
    Ash,
    /// Revenu de solidarité active: paid by the CAF, funded by the département (CASF L262-16).
    #[serde(rename = "RSA")]
    Rsa,
}

impl Benefit {
    pub const ALL: [Benefit; 5] = [
        Benefit::ApaDom,
        Benefit::ApaEtab,
        Benefit::Pch,
        Benefit::Ash,
        Benefit::Rsa,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Benefit::ApaDom => "APA_DOM",
            Benefit::ApaEtab => "APA_ETAB",
            Benefit::Pch => "PCH",
            Benefit::Ash => "ASH",
            Benefit::Rsa => "RSA",
        }
    }

    pub fn parse(s: &str) -> Option<Benefit> {
        // The code as stored, read millions of times a payment run: no allocation.
        if let Some(b) = Benefit::ALL.into_iter().find(|b| b.code() == s) {
            return Some(b);
        }
        let s = s.trim().to_ascii_uppercase().replace([' ', '-'], "_");
        Benefit::ALL.into_iter().find(|b| b.code() == s)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Benefit::ApaDom => "APA à domicile",
            Benefit::ApaEtab => "APA en établissement",
            Benefit::Pch => "PCH",
            Benefit::Ash => "Aide sociale à l'hébergement",
            Benefit::Rsa => "RSA",
        }
    }
}

/// Who receives a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayeeKind {
    /// The person themself.
    Personne,
    /// An establishment (EHPAD, foyer): ASH, APA en établissement.
    Etablissement,
    /// A home-help service (SAAD): APA à domicile.
    Service,
    /// A guardian (tuteur, curateur) acting for the person.
    Tuteur,
    /// The CAF, to which the département pays the RSA it funds (from the settings, never a
    /// row of `tiers.csv`).
    Caf,
}

impl PayeeKind {
    pub const ALL: [PayeeKind; 4] = [
        PayeeKind::Personne,
        PayeeKind::Etablissement,
        PayeeKind::Service,
        PayeeKind::Tuteur,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PayeeKind::Personne => "personne",
            PayeeKind::Etablissement => "etablissement",
            PayeeKind::Service => "service",
            PayeeKind::Tuteur => "tuteur",
            PayeeKind::Caf => "caf",
        }
    }

    pub fn parse(s: &str) -> Option<PayeeKind> {
        // The code as stored: no Unicode folding.
        if let Some(k) = PayeeKind::ALL.into_iter().find(|k| k.code() == s) {
            return Some(k);
        }
        if s == PayeeKind::Caf.code() {
            return Some(PayeeKind::Caf);
        }
        let s = crate::text::strip_accents(s.trim()).to_ascii_lowercase();
        PayeeKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// A payee's legal form, the extract's `forme_juridique` (docs/extracts.md): what the PES
/// names its `CatTiers` and `NatJur` by (DosTech annexe 3). Absent, a payee's kind gives it:
/// a person or a guardian without a SIRET is a [`LegalForm::Particulier`], any other body an
/// [`LegalForm::Association`] (the most frequent among the establishments, home-help services
/// and guardians that take aide sociale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// A natural person: the person paid, a relative or an individual mandataire.
    Particulier,
    /// An association (loi 1901): most home-help services, associative EHPAD, UDAF, ATMP.
    Association,
    /// A company (SARL, SAS…): a commercial EHPAD or home-help business.
    Societe,
    /// A public health or social establishment (an EHPAD of a hospital, an autonomous public
    /// EHPAD): établissement public local.
    EtablissementPublic,
    /// A commune's or intercommunal social action centre (CCAS, CIAS).
    Ccas,
    /// A commune.
    Commune,
}

impl LegalForm {
    pub const ALL: [LegalForm; 6] = [
        LegalForm::Particulier,
        LegalForm::Association,
        LegalForm::Societe,
        LegalForm::EtablissementPublic,
        LegalForm::Ccas,
        LegalForm::Commune,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LegalForm::Particulier => "particulier",
            LegalForm::Association => "association",
            LegalForm::Societe => "societe",
            LegalForm::EtablissementPublic => "etablissement_public",
            LegalForm::Ccas => "ccas",
            LegalForm::Commune => "commune",
        }
    }

    /// The code, in any case and with or without accents (`Société`, `CCAS`).
    pub fn parse(s: &str) -> Option<LegalForm> {
        let s = crate::text::strip_accents(s.trim())
            .to_ascii_lowercase()
            .replace([' ', '-'], "_");
        LegalForm::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The legal form of a payee whose extract does not say: a person, or a guardian without
    /// a SIRET, is a natural person; any other body an association.
    pub fn default_for(kind: PayeeKind, has_siret: bool) -> LegalForm {
        match kind {
            PayeeKind::Personne => LegalForm::Particulier,
            PayeeKind::Tuteur if !has_siret => LegalForm::Particulier,
            _ => LegalForm::Association,
        }
    }
}

/// Where a right stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightStatus {
    EnPaiement,
    Suspendu,
    Clos,
}

impl RightStatus {
    pub const ALL: [RightStatus; 3] = [
        RightStatus::EnPaiement,
        RightStatus::Suspendu,
        RightStatus::Clos,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RightStatus::EnPaiement => "en_paiement",
            RightStatus::Suspendu => "suspendu",
            RightStatus::Clos => "clos",
        }
    }

    pub fn parse(s: &str) -> Option<RightStatus> {
        // The code as stored: no Unicode folding.
        if let Some(k) = RightStatus::ALL.into_iter().find(|k| k.code() == s) {
            return Some(k);
        }
        let s = crate::text::strip_accents(s.trim())
            .to_ascii_lowercase()
            .replace(' ', "_");
        RightStatus::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// `beneficiaires.csv`: a person who holds rights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Beneficiary {
    pub dossier: String,
    pub nir: Option<Nir>,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Date,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub site: String,
    pub death_date: Option<Date>,
    /// `M` or `MME` (the PES `Civilite` of a person paid themself), when the extract says it;
    /// see [`civility`].
    #[serde(default)]
    pub civility: Option<String>,
    pub extra: Extra,
}

/// A civility as source systems write it (`M`, `M.`, `Mr`, `Monsieur`, `Mme`, `Madame`, any
/// case), as the PES writes it: `M` or `MME`. `None` for anything else (`Mlle` is no longer
/// used by the administration, and a person is not refused for it: the NIR then tells).
pub fn civility(text: &str) -> Option<&'static str> {
    let t = crate::text::strip_accents(text.trim()).to_ascii_uppercase();
    match t.trim_end_matches('.') {
        "M" | "MR" | "MONSIEUR" => Some("M"),
        "MME" | "MADAME" => Some("MME"),
        _ => None,
    }
}

/// `tiers.csv`: who is paid (the person, an establishment, a service, a guardian).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payee {
    pub id: String,
    pub kind: PayeeKind,
    pub name: String,
    pub siret: Option<Siret>,
    pub iban: Iban,
    pub bic: Bic,
    pub holder: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub iban_changed_on: Option<Date>,
    /// What kind of body or person the payee is in law, when the extract says it (the PES
    /// `CatTiers`/`NatJur` follow); else the default of its kind (see [`LegalForm`]).
    #[serde(default)]
    pub legal_form: Option<LegalForm>,
    pub extra: Extra,
}

/// `droits.csv`: a right to a benefit, paid monthly to a payee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Right {
    pub id: String,
    pub dossier: String,
    pub benefit: Benefit,
    pub monthly_amount: Cents,
    pub start: Date,
    pub end: Date,
    pub status: RightStatus,
    pub payee_id: String,
    /// Budget imputation (chapter/account), when the source system gives one.
    pub imputation: Option<String>,
    pub extra: Extra,
}

/// `paiements.csv`: a payment made before the crisis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastPayment {
    pub right_id: String,
    pub month: Month,
    pub amount: Cents,
    pub paid_on: Date,
    pub reference: String,
    pub extra: Extra,
}

/// `agents.csv`: an agent on the payroll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub matricule: String,
    pub last_name: String,
    pub first_name: String,
    pub nir: Nir,
    pub iban: Iban,
    pub bic: Bic,
    pub net_monthly: Cents,
    /// Variable elements of the last month (overtime, bonuses): deferred in a crisis.
    pub variables: Cents,
    pub entry_date: Date,
    pub exit_date: Option<Date>,
    pub service: String,
    pub extra: Extra,
}

/// `fournisseurs.csv`: a supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supplier {
    pub siret: Siret,
    pub name: String,
    pub iban: Iban,
    pub bic: Bic,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub extra: Extra,
}

/// `factures.csv`: an invoice not yet paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    pub siret: Siret,
    pub number: String,
    pub invoice_date: Date,
    pub received_on: Date,
    pub amount_incl_tax: Cents,
    pub commitment: Option<String>,
    pub status: String,
    pub extra: Extra,
}

/// `annuaire.csv`: a service of a site, and how to reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub site_code: String,
    pub site: String,
    pub service: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub hours: String,
    pub paper_deposit: bool,
    pub public: bool,
    pub extra: Extra,
}

/// Any record, as the extract reader hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    Beneficiary(Beneficiary),
    Payee(Payee),
    Right(Right),
    PastPayment(PastPayment),
    Agent(Agent),
    PayLine(crate::payroll::PayLine),
    Supplier(Supplier),
    Invoice(Invoice),
    DirectoryEntry(DirectoryEntry),
}
