//! Shared payees: home-help services (SAAD), establishments (EHPAD), guardians (tuteurs).
//!
//! Many people are paid through the same SAAD or EHPAD, so these are a small fixed pool held in
//! memory, drawn once from the seed, scaled with the size and capped, so memory does not grow
//! with the number of people. They are never made bad on purpose: a rejected EHPAD would take
//! hundreds of rights with it, and the demo must stay mostly payable.

use crate::banks::{self, Account, BANQUE_DE_FRANCE};
use crate::communes::{COMMUNES, CommuneTable, commune};
use crate::identifiers::{self, OrgKind};
use crate::rng::{Aspect, Rng, Streams};
use crate::sites::Mds;
use crate::streets::STREETS;
use std::io;

/// One shared payee, as written in `tiers.csv`.
#[derive(Debug, Clone)]
pub struct Shared {
    pub id: String,
    pub name: String,
    pub siret: String,
    pub account: Account,
    pub holder: String,
    pub address: String,
    pub commune: usize,
    /// `forme_juridique` as the source system spells it.
    pub legal_form: &'static str,
}

/// The pool, per MDS area for services and establishments (people are served near home).
#[derive(Debug, Clone)]
pub struct Pool {
    pub per_mds_services: usize,
    pub per_mds_establishments: usize,
    pub services: Vec<Shared>,
    pub establishments: Vec<Shared>,
    pub guardians: Vec<Shared>,
}

const EHPAD_NAMES: &[&str] = &[
    "Les Tilleuls",
    "La Roseraie",
    "Les Jardins d'Automne",
    "Le Clos Saint-Jean",
    "Les Glycines",
    "La Source",
    "Les Charmilles",
    "Les Cèdres",
    "Le Moulin",
    "Les Hortensias",
    "Les Marronniers",
    "Le Parc",
    "Les Quatre Saisons",
    "Le Bois Fleuri",
    "La Résidence du Lac",
    "Les Myosotis",
    "Saint-Joseph",
    "Les Lilas",
    "La Vallée de la Marne",
    "Les Terrasses du Loing",
];

const SAAD_PATTERNS: &[&str] = &[
    "Aide à domicile de {}",
    "Domicile Services {}",
    "Présence et Aide {}",
    "Association d'aide à domicile du canton de {}",
    "Services à la personne {}",
];

/// Guardians: name, town, legal form, account holder (empty: the name's management
/// accounts). An individual mandataire is a natural person, named the administrative way
/// (`NOM Prénom`) so that the PES splits last and first names; the holder gives the civility.
const GUARDIANS: &[(&str, &str, &str, &str)] = &[
    ("UDAF 77", "Melun", "Association", ""),
    (
        "ATMP 77 — Association tutélaire des majeurs protégés",
        "Meaux",
        "Association",
        "",
    ),
    (
        "Association tutélaire de la Brie",
        "Coulommiers",
        "Association",
        "",
    ),
    (
        "Service mandataire judiciaire Val de Seine",
        "Montereau-Fault-Yonne",
        "Association",
        "",
    ),
    (
        "BÉNARD Hélène",
        "Fontainebleau",
        "Particulier",
        "Mme Hélène Bénard",
    ),
    ("LE GOFF Loïc", "Chelles", "Particulier", "M. Loïc Le Goff"),
    (
        "Tutelles et curatelles de l'Est francilien",
        "Provins",
        "Association",
        "",
    ),
    (
        "Cabinet Duchêne, mandataire judiciaire",
        "Lagny-sur-Marne",
        "Société",
        "",
    ),
];

/// The `forme_juridique` of an organisation of `kind`, spelled as another tool would.
fn legal_form(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Association => "Association",
        OrgKind::Company => "Société",
        OrgKind::Public => "Établissement public",
    }
}

/// A street address in a commune ("12 rue des Tilleuls").
pub fn street_address(rng: &mut Rng) -> String {
    let number = 1 + rng.below(80);
    format!("{number} {}", rng.pick(STREETS))
}

fn shared_account(rng: &mut Rng, public: bool) -> io::Result<Account> {
    let bank = if public {
        &BANQUE_DE_FRANCE
    } else {
        banks::draw_bank(rng)
    };
    banks::french_account(rng, bank, None)
}

impl Pool {
    pub fn new(streams: &Streams, communes: &CommuneTable, size: u32) -> io::Result<Pool> {
        let mut rng = streams.stream(Aspect::Pool, 0);
        let per_mds_services = (size as usize / 30_000).clamp(2, 6);
        let per_mds_establishments = (size as usize / 15_000).clamp(3, 12);
        let mut services = Vec::new();
        let mut establishments = Vec::new();
        for mds in Mds::ALL {
            for _ in 0..per_mds_services {
                let c = communes.draw_in(&mut rng, mds);
                let name = rng.pick(SAAD_PATTERNS).replace("{}", commune(c).name);
                let kind = if rng.per_mille(600) {
                    OrgKind::Association
                } else {
                    OrgKind::Company
                };
                let siret = identifiers::siret(&mut rng, kind, false)?;
                let account = shared_account(&mut rng, false)?;
                services.push(Shared {
                    legal_form: legal_form(kind),
                    id: format!("TS{:04}", services.len() + 1),
                    holder: name.clone(),
                    name,
                    siret,
                    account,
                    address: street_address(&mut rng),
                    commune: c,
                });
            }
            for _ in 0..per_mds_establishments {
                let c = communes.draw_in(&mut rng, mds);
                let public = rng.per_mille(350);
                let base = rng.pick(EHPAD_NAMES);
                let name = format!("EHPAD {base}");
                let holder = if public {
                    format!("EHPAD public {base} {}", commune(c).name)
                } else {
                    format!("{name} {}", rng.pick(&["SAS", "SARL", "Association"]))
                };
                let kind = if public {
                    OrgKind::Public
                } else if rng.per_mille(500) {
                    OrgKind::Association
                } else {
                    OrgKind::Company
                };
                let siret = identifiers::siret(&mut rng, kind, false)?;
                let account = shared_account(&mut rng, public)?;
                establishments.push(Shared {
                    legal_form: legal_form(kind),
                    id: format!("TE{:04}", establishments.len() + 1),
                    name,
                    siret,
                    account,
                    holder,
                    address: street_address(&mut rng),
                    commune: c,
                });
            }
        }
        let mut guardians = Vec::new();
        for (name, town, legal_form, holder) in GUARDIANS {
            let c = COMMUNES.iter().position(|x| x.name == *town).unwrap_or(0);
            let siret = identifiers::siret(&mut rng, OrgKind::Association, false)?;
            let account = shared_account(&mut rng, false)?;
            guardians.push(Shared {
                legal_form,
                id: format!("TT{:04}", guardians.len() + 1),
                name: (*name).to_owned(),
                siret,
                account,
                holder: if holder.is_empty() {
                    format!("{name} — comptes de gestion")
                } else {
                    (*holder).to_owned()
                },
                address: street_address(&mut rng),
                commune: c,
            });
        }
        Ok(Pool {
            per_mds_services,
            per_mds_establishments,
            services,
            establishments,
            guardians,
        })
    }

    /// A home-help service in the area of `mds`.
    pub fn service_near(&self, rng: &mut Rng, mds: Mds) -> usize {
        mds_index(mds) * self.per_mds_services + rng.index(self.per_mds_services)
    }

    /// An establishment, mostly in the area of `mds`, sometimes anywhere.
    pub fn establishment_near(&self, rng: &mut Rng, mds: Mds) -> usize {
        if rng.per_mille(150) {
            rng.index(self.establishments.len())
        } else {
            mds_index(mds) * self.per_mds_establishments + rng.index(self.per_mds_establishments)
        }
    }
}

fn mds_index(mds: Mds) -> usize {
    Mds::ALL.iter().position(|m| *m == mds).unwrap_or(0)
}
