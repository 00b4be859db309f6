//! NIRs consistent with sex and birth date, and SIRETs, built with `relais_core` so that the
//! demo's valid identifiers are exactly what the checker accepts; and their wrong twins.

use crate::dates::Day;
use crate::rng::Rng;
use relais_core::ids::{IdError, Nir, Siren, Siret};
use std::io;

fn core_error(what: &str, e: IdError) -> io::Error {
    io::Error::other(format!("démo : {what} invalide ({e})"))
}

/// Where a person was born, as the NIR says it (positions 6 to 10).
#[derive(Debug, Clone, Copy)]
pub enum BirthPlace {
    /// A metropolitan department (2 characters, 2A/2B for Corsica) and a commune (3 digits).
    Department(&'static str, u16),
    /// An overseas department (971 to 976) and a commune (2 digits).
    Overseas(u16, u16),
    /// Abroad: department 99 and the INSEE country code.
    Abroad(u16),
}

/// Departments of birth of people living in Seine-et-Marne today, by rough weight: the
/// département itself, Paris and the inner suburbs, then the rest of France.
const DEPARTMENTS: &[(u32, &str)] = &[
    (300, "77"),
    (200, "75"),
    (50, "93"),
    (40, "94"),
    (20, "91"),
    (20, "92"),
    (15, "95"),
    (15, "78"),
    (10, "51"),
    (10, "02"),
    (10, "10"),
    (10, "89"),
    (10, "45"),
    (10, "60"),
    (8, "59"),
    (8, "62"),
    (8, "29"),
    (8, "22"),
    (8, "35"),
    (6, "69"),
    (6, "13"),
    (6, "33"),
    (6, "31"),
    (5, "57"),
    (5, "67"),
    (5, "76"),
    (5, "14"),
    (5, "21"),
    (5, "58"),
    (5, "03"),
    (4, "15"),
    (4, "19"),
    (4, "87"),
    (4, "63"),
    (4, "44"),
];

/// INSEE codes of the countries of birth most frequent in Île-de-France: Portugal, Italy,
/// Spain, Poland, Turkey, Morocco, Tunisia, Algeria, Senegal, Mali, Viet Nam.
const COUNTRIES: &[u16] = &[139, 127, 134, 122, 208, 350, 351, 352, 341, 335, 243];

/// A place of birth: mostly metropolitan France, some abroad, overseas, Corsica.
pub fn birth_place(rng: &mut Rng) -> BirthPlace {
    let x = rng.below(1000);
    if x < 90 {
        BirthPlace::Abroad(rng.pick(COUNTRIES))
    } else if x < 130 {
        BirthPlace::Overseas(971 + rng.below(6) as u16, 1 + rng.below(30) as u16)
    } else if x < 138 {
        let dept = if rng.per_mille(500) { "2A" } else { "2B" };
        BirthPlace::Department(dept, 1 + rng.below(360) as u16)
    } else {
        let dept = rng.weighted(DEPARTMENTS);
        BirthPlace::Department(dept, 1 + rng.below(500) as u16)
    }
}

/// The NIR of a person: sex (1 man, 2 woman), year and month of birth, place, order number,
/// key. `wrong_key` gives the same NIR with another key, for bad rows.
pub fn nir(
    female: bool,
    birth: Day,
    place: BirthPlace,
    order: u16,
    wrong_key: bool,
) -> io::Result<String> {
    let (y, m, _) = birth.ymd();
    let sex = if female { 2 } else { 1 };
    let yy = y.rem_euclid(100);
    let place = match place {
        BirthPlace::Department(d, c) => format!("{d}{:03}", c % 1000),
        BirthPlace::Overseas(d, c) => format!("{:03}{:02}", d % 1000, c % 100),
        BirthPlace::Abroad(country) => format!("99{:03}", country % 1000),
    };
    let first13 = format!("{sex}{yy:02}{m:02}{place}{:03}", order % 1000);
    let nir = Nir::from_first13(&first13).map_err(|e| core_error("NIR", e))?;
    let nir = nir.as_str();
    if !wrong_key {
        return Ok(nir.to_owned());
    }
    let key: u32 = nir.get(13..).and_then(|k| k.parse().ok()).unwrap_or(1);
    Ok(format!(
        "{}{:02}",
        nir.get(..13).unwrap_or(""),
        key % 97 + 1
    ))
}

/// What kind of organisation a SIRET is for: it shapes the first digits of the SIREN.
#[derive(Debug, Clone, Copy)]
pub enum OrgKind {
    /// A company (SIREN starting 3 to 8).
    Company,
    /// An association (home-help services, guardians: SIREN often starting 77 or 78 for
    /// associations declared in the prefecture, here any 7).
    Association,
    /// A public establishment (public EHPAD: SIREN starting 26).
    Public,
}

/// A valid SIRET (SIREN with its Luhn digit, establishment number, Luhn digit), or one whose
/// last digit is wrong.
pub fn siret(rng: &mut Rng, kind: OrgKind, wrong_key: bool) -> io::Result<String> {
    let mut first8 = String::with_capacity(8);
    match kind {
        OrgKind::Company => {
            first8.push(char::from(b'3' + rng.below(6) as u8));
            rng.digits(7, &mut first8);
        }
        OrgKind::Association => {
            first8.push('7');
            rng.digits(7, &mut first8);
        }
        OrgKind::Public => {
            first8.push_str("2677");
            rng.digits(4, &mut first8);
        }
    }
    // La Poste's SIREN follows another rule; the demo never draws it.
    if first8 == "35600000" {
        first8.replace_range(..1, "4");
    }
    let siren = Siren::from_first8(&first8).map_err(|e| core_error("SIREN", e))?;
    let establishments = if rng.per_mille(700) { 3 } else { 60 };
    let nic = 1 + rng.below(establishments);
    let siret = Siret::from_first13(&format!("{}{nic:04}", siren.as_str()))
        .map_err(|e| core_error("SIRET", e))?;
    let s = siret.as_str();
    if !wrong_key {
        return Ok(s.to_owned());
    }
    let last = s.get(13..).and_then(|d| d.parse::<u32>().ok()).unwrap_or(0);
    Ok(format!("{}{}", s.get(..13).unwrap_or(""), (last + 1) % 10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Aspect, Streams};

    #[test]
    fn nirs_and_sirets_are_valid_or_wrong_on_purpose() {
        let mut rng = Streams::new(5).stream(Aspect::Identity, 0);
        for i in 0..300u16 {
            let place = birth_place(&mut rng);
            let birth = Day::from_ymd(1940 + i32::from(i % 60), u32::from(i % 12) + 1, 15);
            let good = nir(i % 2 == 0, birth, place, i, false).expect("nir");
            assert!(Nir::parse(&good).is_ok(), "{good}");
            assert!(good.starts_with(if i % 2 == 0 { '2' } else { '1' }));
            let bad = nir(i % 2 == 0, birth, place, i, true).expect("nir");
            assert!(Nir::parse(&bad).is_err(), "{bad}");
            for kind in [OrgKind::Company, OrgKind::Association, OrgKind::Public] {
                let s = siret(&mut rng, kind, false).expect("siret");
                assert!(Siret::parse(&s).is_ok(), "{s}");
                let w = siret(&mut rng, kind, true).expect("siret");
                assert!(Siret::parse(&w).is_err(), "{w}");
            }
        }
        let corsica = nir(
            false,
            Day::from_ymd(1950, 3, 1),
            BirthPlace::Department("2A", 4),
            12,
            false,
        )
        .expect("nir");
        assert!(corsica.starts_with("150032A004012"), "{corsica}");
        assert!(Nir::parse(&corsica).is_ok());
    }
}
