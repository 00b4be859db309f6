//! Who a person is — name, NIR, address, phone — and `beneficiaires.csv`.
//!
//! Drawn from the person's own identity stream, so the payee file (which repeats the name and
//! address) finds the same person as the beneficiary file.

use crate::bad_rows::PersonFlaw;
use crate::communes::commune;
use crate::csv_out::Table;
use crate::dates::Day;
use crate::identifiers::{self, BirthPlace};
use crate::names::{FEMALE_OLDER, FEMALE_YOUNGER, MALE_OLDER, MALE_YOUNGER, SURNAMES};
use crate::people::{Context, PersonPlan, Profile, Walker};
use crate::rng::{Aspect, Rng};
use crate::sites::UNKNOWN_SITE;
use crate::streets::{RESIDENCES, STREETS};
use std::io;

pub const COLUMNS: [&str; 12] = [
    "dossier",
    "nir",
    "nom",
    "prenom",
    "date_naissance",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "site",
    "date_deces",
    "civilite",
];

/// The headers as this export spells them, with one column more (`Commentaire`) that the
/// reader must keep.
const HEADERS: [&str; 13] = [
    "Dossier",
    "NIR",
    "Nom",
    "Prénom",
    "Date naissance",
    "Adresse",
    "Code postal",
    "Commune",
    "Téléphone",
    "Site",
    "Date décès",
    "Civilité",
    "Commentaire",
];

/// Free-text notes of desk agents, as real exports carry them.
const NOTES: &[&str] = &[
    "Appeler avant toute visite",
    "Malentendant : privilégier le courrier",
    "Fille référente, voir dossier papier",
    "Dossier transféré depuis le Val-de-Marne",
    "Préfère être appelé le matin ; dit \"urgent\" pour tout",
    "Courrier retourné une fois (NPAI), adresse vérifiée",
    "Interprète nécessaire (portugais)",
];

#[derive(Debug, Clone)]
pub struct Identity {
    pub first_name: &'static str,
    pub last_name: String,
    /// Place of birth and order number of the NIR; `None` while the NIR is being attributed.
    pub nir_parts: Option<(BirthPlace, u16)>,
    pub address: String,
    pub phone: String,
    pub note: &'static str,
}

/// A first name for the sex and generation.
pub fn first_name(rng: &mut Rng, female: bool, birth: Day) -> &'static str {
    let older = birth.ymd().0 < 1960;
    let list = match (female, older) {
        (true, true) => FEMALE_OLDER,
        (true, false) => FEMALE_YOUNGER,
        (false, true) => MALE_OLDER,
        (false, false) => MALE_YOUNGER,
    };
    rng.skewed(list)
}

/// A surname, sometimes a compound one ("Martin-Lefèvre").
pub fn last_name(rng: &mut Rng) -> String {
    let first = rng.skewed(SURNAMES);
    if rng.per_mille(30) {
        format!("{first}-{}", rng.skewed(SURNAMES))
    } else {
        first.to_owned()
    }
}

/// A fiction phone number (ARCEP): mobile `06 39 98`, fixed `01 99 00`; spaced or not.
pub fn phone(rng: &mut Rng) -> String {
    let prefix = if rng.per_mille(650) {
        "06 39 98"
    } else {
        "01 99 00"
    };
    let (a, b) = (rng.below(100), rng.below(100));
    if rng.per_mille(250) {
        format!("{}{a:02}{b:02}", prefix.replace(' ', ""))
    } else {
        format!("{prefix} {a:02} {b:02}")
    }
}

fn home_address(rng: &mut Rng) -> String {
    // Small numbers are the most frequent in a street.
    let upper = rng.below(180) + 1;
    let number = 1 + rng.below(upper);
    let suffix = if rng.per_mille(40) {
        rng.pick(&[" bis", " ter"])
    } else {
        ""
    };
    let street = rng.pick(STREETS);
    if rng.per_mille(120) {
        let building = char::from(b'A' + rng.below(6) as u8);
        format!(
            "{}, bât. {building}, {number}{suffix} {street}",
            rng.pick(RESIDENCES)
        )
    } else {
        format!("{number}{suffix} {street}")
    }
}

impl Identity {
    /// The NIR as written: built only for the file that shows it (it costs a key
    /// computation), with a wrong key for that flaw.
    pub fn nir(&self, plan: &PersonPlan) -> io::Result<Option<String>> {
        self.nir_parts
            .map(|(place, order)| {
                let wrong_key = plan.flaw == Some(PersonFlaw::NirKey);
                identifiers::nir(plan.female, plan.birth, place, order, wrong_key)
            })
            .transpose()
    }

    pub fn draw(ctx: &Context, plan: &PersonPlan) -> Identity {
        let mut rng = ctx.streams.stream(Aspect::Identity, plan.index);
        let first_name = first_name(&mut rng, plan.female, plan.birth);
        let last_name = last_name(&mut rng);
        let place = identifiers::birth_place(&mut rng);
        let order = 1 + rng.below(999) as u16;
        // Some people born abroad have no NIR yet (attribution pending at the SANDIA).
        let pending = matches!(place, BirthPlace::Abroad(_))
            && plan.profile == Profile::Rsa
            && rng.per_mille(150);
        let nir_parts =
            (!pending || plan.flaw == Some(PersonFlaw::NirKey)).then_some((place, order));
        let address = match plan.lives_in.and_then(|e| ctx.pool.establishments.get(e)) {
            Some(e) => format!("{}, {}", e.name, e.address),
            None => home_address(&mut rng),
        };
        let mut phone = phone(&mut rng);
        // Many people have no phone on file; the reader must accept them.
        if rng.per_mille(40) && plan.flaw != Some(PersonFlaw::Phone) {
            phone.clear();
        }
        let note = if rng.per_mille(40) {
            rng.pick(NOTES)
        } else {
            ""
        };
        Identity {
            first_name,
            last_name,
            nir_parts,
            address,
            phone,
            note,
        }
    }
}

/// Writes `beneficiaires.csv`: one row per person, `size` rows.
pub fn write(ctx: &Context, table: &mut Table) -> io::Result<()> {
    table.header(&HEADERS)?;
    for plan in Walker::new(ctx) {
        let id = Identity::draw(ctx, &plan);
        let c = commune(plan.commune);
        let flaw = plan.flaw;
        let dossier = if flaw == Some(PersonFlaw::DuplicateDossier) {
            Context::dossier(plan.number - 1)
        } else {
            Context::dossier(plan.number)
        };
        table.field(&dossier);
        table.field(id.nir(&plan)?.as_deref().unwrap_or(""));
        table.field(if flaw == Some(PersonFlaw::EmptyName) {
            ""
        } else {
            &id.last_name
        });
        table.field(id.first_name);
        if flaw == Some(PersonFlaw::ImpossibleBirthDate) {
            table.field_fmt(format_args!("31/02/{}", plan.birth.ymd().0));
        } else {
            table.date(plan.birth);
        }
        table.field(&id.address);
        if flaw == Some(PersonFlaw::PostalCode) {
            table.field(c.postal_code.get(..4).unwrap_or("7700"));
        } else {
            table.field(c.postal_code);
        }
        table.field(c.name);
        if flaw == Some(PersonFlaw::TooFewColumns) {
            // The export cut the line after the phone: no site, no date of death.
            table.field(&id.phone);
            table.end_row(true)?;
            continue;
        }
        if flaw == Some(PersonFlaw::Phone) {
            table.field(
                id.phone
                    .get(..id.phone.len().saturating_sub(3))
                    .unwrap_or(""),
            );
        } else {
            table.field(&id.phone);
        }
        table.field(if flaw == Some(PersonFlaw::UnknownSite) {
            UNKNOWN_SITE
        } else {
            plan.mds.code()
        });
        table.opt_date(plan.deceased);
        table.field(if plan.female { "Mme" } else { "M." });
        table.field(id.note);
        table.end_row(flaw.is_some())?;
    }
    Ok(())
}
