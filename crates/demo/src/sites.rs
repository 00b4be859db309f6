//! The directory (`annuaire.csv`): the 14 Maisons départementales des solidarités of seed 000,
//! the MDPH, 6 points autonomie, and the services the seed names (roads, transport, water,
//! archives, library), plus the internal lines of a crisis.
//!
//! Phone numbers come only from the ranges ARCEP reserves for fiction (docs/domain.md): mobiles
//! `06 39 98 xx xx` (as in the crisis, when fixed lines were down), fixed `01 99 00 xx xx`.
//! E-mails use the `.invalid` top-level domain, which can never be delivered.

use crate::csv_out::Table;
use crate::rng::Rng;
use crate::streets::STREETS;
use std::io;

/// The 14 MDS of Seine-et-Marne (seed 000), in the seed's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mds {
    Chelles,
    Coulommiers,
    Fontainebleau,
    Lagny,
    Meaux,
    Melun,
    MitryMory,
    Montereau,
    Nemours,
    Noisiel,
    Provins,
    RoissyEnBrie,
    Senart,
    TournanEnBrie,
}

impl Mds {
    pub const ALL: [Mds; 14] = [
        Mds::Chelles,
        Mds::Coulommiers,
        Mds::Fontainebleau,
        Mds::Lagny,
        Mds::Meaux,
        Mds::Melun,
        Mds::MitryMory,
        Mds::Montereau,
        Mds::Nemours,
        Mds::Noisiel,
        Mds::Provins,
        Mds::RoissyEnBrie,
        Mds::Senart,
        Mds::TournanEnBrie,
    ];

    /// `site_code` in the directory, and `site` of the people it follows.
    pub fn code(self) -> &'static str {
        match self {
            Mds::Chelles => "MDS-CHELLES",
            Mds::Coulommiers => "MDS-COULOMMIERS",
            Mds::Fontainebleau => "MDS-FONTAINEBLEAU",
            Mds::Lagny => "MDS-LAGNY",
            Mds::Meaux => "MDS-MEAUX",
            Mds::Melun => "MDS-MELUN",
            Mds::MitryMory => "MDS-MITRY",
            Mds::Montereau => "MDS-MONTEREAU",
            Mds::Nemours => "MDS-NEMOURS",
            Mds::Noisiel => "MDS-NOISIEL",
            Mds::Provins => "MDS-PROVINS",
            Mds::RoissyEnBrie => "MDS-ROISSY",
            Mds::Senart => "MDS-SENART",
            Mds::TournanEnBrie => "MDS-TOURNAN",
        }
    }

    /// The name used in the seed ("Melun Val-de-Seine"), and the commune where it sits.
    fn names(self) -> (&'static str, &'static str, &'static str, &'static str) {
        // (name, commune, postal code, e-mail slug)
        match self {
            Mds::Chelles => ("Chelles", "Chelles", "77500", "chelles"),
            Mds::Coulommiers => ("Coulommiers", "Coulommiers", "77120", "coulommiers"),
            Mds::Fontainebleau => ("Fontainebleau", "Fontainebleau", "77300", "fontainebleau"),
            Mds::Lagny => ("Lagny-sur-Marne", "Lagny-sur-Marne", "77400", "lagny"),
            Mds::Meaux => ("Meaux", "Meaux", "77100", "meaux"),
            Mds::Melun => ("Melun Val-de-Seine", "Melun", "77000", "melun"),
            Mds::MitryMory => ("Mitry-Mory", "Mitry-Mory", "77290", "mitry-mory"),
            Mds::Montereau => ("Montereau", "Montereau-Fault-Yonne", "77130", "montereau"),
            Mds::Nemours => ("Nemours", "Nemours", "77140", "nemours"),
            Mds::Noisiel => ("Noisiel", "Noisiel", "77186", "noisiel"),
            Mds::Provins => ("Provins", "Provins", "77160", "provins"),
            Mds::RoissyEnBrie => ("Roissy-en-Brie", "Roissy-en-Brie", "77680", "roissy"),
            Mds::Senart => ("Sénart", "Savigny-le-Temple", "77176", "senart"),
            Mds::TournanEnBrie => ("Tournan-en-Brie", "Tournan-en-Brie", "77220", "tournan"),
        }
    }
}

/// A site code no directory row has, for the "unknown site" bad rows.
pub const UNKNOWN_SITE: &str = "MDS-OZOIR";

/// The directory's columns, in order.
pub const COLUMNS: [&str; 9] = [
    "site_code",
    "site",
    "service",
    "telephone",
    "email",
    "adresse",
    "horaires",
    "depot_papier",
    "public",
];

const MDS_HOURS: &str = "Lun–ven 9h–12h30, 13h30–17h";
const OFFICE_HOURS: &str = "Lun–ven 8h45–12h, 13h30–17h15";
const ALWAYS: &str = "24h/24, 7j/7";

/// One directory row, before its address and phone are drawn.
#[derive(Debug, Clone)]
struct Entry {
    code: String,
    site: String,
    service: &'static str,
    email: String,
    commune: &'static str,
    postal_code: &'static str,
    hours: &'static str,
    paper: bool,
    public: bool,
    /// A mobile line (as in the crisis) rather than a fixed one.
    mobile: bool,
}

/// A service of the Hôtel du Département or a directorate: (code, site, service, e-mail
/// slug, commune, postal code, hours, paper deposit, public, mobile).
type Service = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
    bool,
);

const SERVICES: &[Service] = &[
    (
        "HDD-STANDARD",
        "Hôtel du Département",
        "Standard et accueil général",
        "accueil",
        "Melun",
        "77000",
        OFFICE_HOURS,
        false,
        true,
        false,
    ),
    (
        "HDD-COURRIER",
        "Hôtel du Département",
        "Courrier — dépôt des dossiers papier et des factures",
        "courrier",
        "Melun",
        "77000",
        OFFICE_HOURS,
        true,
        true,
        false,
    ),
    (
        "ROUTES",
        "Direction des routes",
        "Urgences routières (astreinte)",
        "routes",
        "Melun",
        "77000",
        ALWAYS,
        false,
        true,
        true,
    ),
    (
        "ART-MEAUX",
        "Agence routière territoriale de Meaux",
        "Entretien et exploitation des routes",
        "art-meaux",
        "Villenoy",
        "77124",
        OFFICE_HOURS,
        false,
        true,
        false,
    ),
    (
        "ART-COULOMMIERS",
        "Agence routière territoriale de Coulommiers",
        "Entretien et exploitation des routes",
        "art-coulommiers",
        "Coulommiers",
        "77120",
        OFFICE_HOURS,
        false,
        true,
        false,
    ),
    (
        "ART-FONTAINEBLEAU",
        "Agence routière territoriale de Fontainebleau",
        "Entretien et exploitation des routes",
        "art-fontainebleau",
        "Avon",
        "77210",
        OFFICE_HOURS,
        false,
        true,
        false,
    ),
    (
        "ART-PROVINS",
        "Agence routière territoriale de Provins",
        "Entretien et exploitation des routes",
        "art-provins",
        "Provins",
        "77160",
        OFFICE_HOURS,
        false,
        true,
        false,
    ),
    (
        "TRANSPORTS",
        "Direction des transports",
        "Transports scolaires et des personnes handicapées",
        "transports",
        "Melun",
        "77000",
        OFFICE_HOURS,
        false,
        true,
        true,
    ),
    (
        "EAU",
        "Direction de l'eau, de l'environnement et de l'agriculture",
        "Eau potable, assainissement, environnement",
        "eau",
        "Melun",
        "77000",
        OFFICE_HOURS,
        false,
        true,
        true,
    ),
    (
        "ARCHIVES",
        "Archives départementales",
        "Salle de lecture et renseignements",
        "archives",
        "Dammarie-les-Lys",
        "77190",
        OFFICE_HOURS,
        false,
        true,
        true,
    ),
    (
        "MEDIATHEQUE",
        "Médiathèque départementale",
        "Prêt aux bibliothèques du réseau",
        "mediatheque",
        "Le Mée-sur-Seine",
        "77350",
        OFFICE_HOURS,
        false,
        true,
        true,
    ),
    (
        "ASE-PERMANENCE",
        "Aide sociale à l'enfance",
        "Permanence enfance en danger",
        "ase",
        "Melun",
        "77000",
        ALWAYS,
        false,
        true,
        false,
    ),
    (
        "CELLULE-CRISE",
        "Cellule de crise",
        "Cellule de crise — ligne interne",
        "cellule-crise",
        "Melun",
        "77000",
        ALWAYS,
        false,
        false,
        true,
    ),
    (
        "DSI-ASTREINTE",
        "Direction des systèmes d'information",
        "Astreinte informatique — ligne interne",
        "dsi-astreinte",
        "Melun",
        "77000",
        ALWAYS,
        false,
        false,
        true,
    ),
];

/// The six points autonomie territoriaux: (code, area, commune, postal code).
const POINTS_AUTONOMIE: [(&str, &str, &str, &str); 6] = [
    ("PAT-NORD-OUEST", "Nord-Ouest", "Chelles", "77500"),
    ("PAT-NORD-EST", "Nord-Est", "Meaux", "77100"),
    ("PAT-EST", "Est", "Coulommiers", "77120"),
    ("PAT-CENTRE", "Centre", "Melun", "77000"),
    ("PAT-SUD-EST", "Sud-Est", "Provins", "77160"),
    ("PAT-SUD", "Sud", "Fontainebleau", "77300"),
];

fn email(slug: &str) -> String {
    format!("{slug}@demo.seine-et-marne.invalid")
}

fn entries() -> Vec<Entry> {
    let mut v: Vec<Entry> = Mds::ALL
        .iter()
        .map(|mds| {
            let (name, commune, postal_code, slug) = mds.names();
            Entry {
                code: mds.code().to_owned(),
                site: format!("Maison départementale des solidarités de {name}"),
                service: "Accueil et action sociale",
                email: email(&format!("mds-{slug}")),
                commune,
                postal_code,
                hours: MDS_HOURS,
                paper: true,
                public: true,
                mobile: true,
            }
        })
        .collect();
    v.push(Entry {
        code: "MDPH".to_owned(),
        site: "Maison départementale des personnes handicapées".to_owned(),
        service: "Accueil, information et dépôt des demandes",
        email: email("mdph"),
        commune: "Savigny-le-Temple",
        postal_code: "77176",
        hours: OFFICE_HOURS,
        paper: true,
        public: true,
        mobile: true,
    });
    for (code, area, commune, postal_code) in POINTS_AUTONOMIE {
        v.push(Entry {
            code: code.to_owned(),
            site: format!("Point autonomie territorial {area}"),
            service: "APA, aide aux aidants, information des personnes âgées",
            email: email(&code.to_lowercase()),
            commune,
            postal_code,
            hours: OFFICE_HOURS,
            paper: true,
            public: true,
            mobile: false,
        });
    }
    for &(code, site, service, slug, commune, postal_code, hours, paper, public, mobile) in SERVICES
    {
        v.push(Entry {
            code: code.to_owned(),
            site: site.to_owned(),
            service,
            email: email(slug),
            commune,
            postal_code,
            hours,
            paper,
            public,
            mobile,
        });
    }
    v
}

/// A fiction phone number; `slot` keeps the numbers of the directory distinct.
fn phone(mobile: bool, slot: usize, rng: &mut Rng) -> String {
    let prefix = if mobile { "06 39 98" } else { "01 99 00" };
    format!("{prefix} {:02} {:02}", 10 + slot % 90, rng.below(100))
}

/// How many deliberately bad rows the directory gets: it is small, so a fixed two (one phone,
/// one e-mail) whenever bad rows are asked for, rather than a share that would round to none.
pub fn bad_rows(bad_per_mille: u32) -> u64 {
    if bad_per_mille > 0 { 2 } else { 0 }
}

/// Writes `annuaire.csv`.
pub fn write(table: &mut Table, rng: &mut Rng, bad_per_mille: u32) -> io::Result<()> {
    table.header(&COLUMNS)?;
    for (slot, e) in entries().iter().enumerate() {
        let number = 1 + rng.below(120);
        let street = rng.pick(STREETS);
        let address = format!("{number} {street}, {} {}", e.postal_code, e.commune);
        let phone = phone(e.mobile, slot, rng);
        row(table, e, &phone, &e.email, &address);
        table.end_row(false)?;
    }
    if bad_rows(bad_per_mille) > 0 {
        // Antennas typed by hand during the crisis: a phone number one pair short, an e-mail
        // without its @.
        let antenna = Entry {
            code: "MDS-MEAUX-ANTENNE".to_owned(),
            site: "Antenne de la MDS de Meaux".to_owned(),
            service: "Permanence sociale",
            email: email("antenne-meaux"),
            commune: "Lizy-sur-Ourcq",
            postal_code: "77440",
            hours: "Mar et jeu 9h–12h",
            paper: true,
            public: true,
            mobile: true,
        };
        let address = "3 place de l'Église, 77440 Lizy-sur-Ourcq";
        row(table, &antenna, "06 39 98 12", &antenna.email, address);
        table.end_row(true)?;
        let nangis = Entry {
            code: "ANTENNE-NANGIS".to_owned(),
            site: "Antenne sociale de Nangis".to_owned(),
            commune: "Nangis",
            postal_code: "77370",
            hours: "Lun 14h–17h",
            mobile: false,
            ..antenna
        };
        let address = "8 rue de la Mairie, 77370 Nangis";
        row(
            table,
            &nangis,
            "01 99 00 91 17",
            "antenne-nangis.demo.seine-et-marne.invalid",
            address,
        );
        table.end_row(true)?;
    }
    Ok(())
}

fn row(table: &mut Table, e: &Entry, phone: &str, email: &str, address: &str) {
    table.field(&e.code);
    table.field(&e.site);
    table.field(e.service);
    table.field(phone);
    table.field(email);
    table.field(address);
    table.field(e.hours);
    table.field(if e.paper { "oui" } else { "non" });
    table.field(if e.public { "oui" } else { "non" });
}
