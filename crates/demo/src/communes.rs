//! Real communes of Seine-et-Marne (77) with their real postal codes, a population weight, and
//! the Maison départementale des solidarités (MDS) whose area they belong to; street names.
//!
//! People are drawn in proportion to population, so Meaux and Chelles are full and Larchant is
//! not. The MDS of a commune is a plausible assignment by geography, not the official map.

use crate::rng::Rng;
use crate::sites::Mds;

/// A commune: name, postal code, population in hundreds (the drawing weight), its MDS.
#[derive(Debug, Clone, Copy)]
pub struct Commune {
    pub name: &'static str,
    pub postal_code: &'static str,
    pub weight: u32,
    pub mds: Mds,
}

const fn c(name: &'static str, postal_code: &'static str, weight: u32, mds: Mds) -> Commune {
    Commune {
        name,
        postal_code,
        weight,
        mds,
    }
}

use Mds::*;

pub const COMMUNES: &[Commune] = &[
    c("Meaux", "77100", 560, Meaux),
    c("Chelles", "77500", 550, Chelles),
    c("Melun", "77000", 410, Melun),
    c("Pontault-Combault", "77340", 380, RoissyEnBrie),
    c("Savigny-le-Temple", "77176", 300, Senart),
    c("Bussy-Saint-Georges", "77600", 280, Lagny),
    c("Villeparisis", "77270", 260, MitryMory),
    c("Champs-sur-Marne", "77420", 250, Noisiel),
    c("Torcy", "77200", 230, Noisiel),
    c("Roissy-en-Brie", "77680", 230, RoissyEnBrie),
    c("Combs-la-Ville", "77380", 220, Senart),
    c("Dammarie-les-Lys", "77190", 220, Melun),
    c("Le Mée-sur-Seine", "77350", 210, Melun),
    c("Lagny-sur-Marne", "77400", 210, Lagny),
    c("Montereau-Fault-Yonne", "77130", 200, Montereau),
    c("Mitry-Mory", "77290", 200, MitryMory),
    c("Ozoir-la-Ferrière", "77330", 200, RoissyEnBrie),
    c("Brie-Comte-Robert", "77170", 180, Senart),
    c("Moissy-Cramayel", "77550", 175, Senart),
    c("Noisiel", "77186", 150, Noisiel),
    c("Fontainebleau", "77300", 150, Fontainebleau),
    c("Coulommiers", "77120", 150, Coulommiers),
    c("Lognes", "77185", 140, Noisiel),
    c("Avon", "77210", 140, Fontainebleau),
    c("Vaires-sur-Marne", "77360", 140, Chelles),
    c("Saint-Fargeau-Ponthierry", "77310", 140, Melun),
    c("Nemours", "77140", 130, Nemours),
    c("Lieusaint", "77127", 130, Senart),
    c("Moret-Loing-et-Orvanne", "77250", 128, Montereau),
    c("Provins", "77160", 120, Provins),
    c("Claye-Souilly", "77410", 120, MitryMory),
    c("Montévrain", "77144", 110, Lagny),
    c("Vaux-le-Pénil", "77000", 110, Melun),
    c("Thorigny-sur-Marne", "77400", 100, Lagny),
    c("Cesson", "77240", 100, Senart),
    c("La Ferté-sous-Jouarre", "77260", 95, Meaux),
    c("Serris", "77700", 90, Lagny),
    c("Tournan-en-Brie", "77220", 90, TournanEnBrie),
    c("Dammartin-en-Goële", "77230", 90, MitryMory),
    c("Magny-le-Hongre", "77700", 89, Lagny),
    c("Nangis", "77370", 88, Provins),
    c("Gretz-Armainvilliers", "77220", 87, TournanEnBrie),
    c("Lésigny", "77150", 75, RoissyEnBrie),
    c("Émerainville", "77184", 75, Noisiel),
    c("Vert-Saint-Denis", "77240", 75, Senart),
    c("Bailly-Romainvilliers", "77700", 75, Lagny),
    c("Othis", "77280", 68, MitryMory),
    c("Courtry", "77181", 65, Chelles),
    c("Saint-Thibault-des-Vignes", "77400", 65, Lagny),
    c("Champagne-sur-Seine", "77430", 65, Montereau),
    c("Esbly", "77450", 63, Meaux),
    c("Nandy", "77176", 60, Senart),
    c("Nanteuil-lès-Meaux", "77100", 60, Meaux),
    c("Saint-Pierre-lès-Nemours", "77140", 58, Nemours),
    c("Bois-le-Roi", "77590", 57, Fontainebleau),
    c("Quincy-Voisins", "77860", 55, Meaux),
    c("Fontenay-Trésigny", "77610", 55, TournanEnBrie),
    c("Souppes-sur-Loing", "77460", 54, Nemours),
    c("Chessy", "77700", 50, Lagny),
    c("Trilport", "77470", 50, Meaux),
    c("Villenoy", "77124", 50, Meaux),
    c("Mouroux", "77120", 50, Coulommiers),
    c("La Ferté-Gaucher", "77320", 49, Coulommiers),
    c("Mormant", "77720", 48, Provins),
    c("Crégy-lès-Meaux", "77124", 47, Meaux),
    c("Brou-sur-Chantereine", "77177", 45, Chelles),
    c("Crécy-la-Chapelle", "77580", 45, Coulommiers),
    c("Le Châtelet-en-Brie", "77820", 45, Melun),
    c("Jouarre", "77640", 43, Coulommiers),
    c("Pomponne", "77400", 39, Lagny),
    c("Boissise-le-Roi", "77310", 37, Melun),
    c("Lizy-sur-Ourcq", "77440", 37, Meaux),
    c("La Rochette", "77000", 34, Melun),
    c("Thomery", "77810", 34, Fontainebleau),
    c("Dampmart", "77400", 33, Lagny),
    c("Collégien", "77090", 33, Noisiel),
    c("Ferrières-en-Brie", "77164", 33, Noisiel),
    c("Saint-Mammès", "77670", 33, Montereau),
    c("Saint-Soupplets", "77165", 32, MitryMory),
    c("Varennes-sur-Seine", "77130", 32, Montereau),
    c("Couilly-Pont-aux-Dames", "77860", 30, Meaux),
    c("Mareuil-lès-Meaux", "77100", 30, Meaux),
    c("Château-Landon", "77570", 30, Nemours),
    c("Coupvray", "77700", 29, Lagny),
    c("Donnemarie-Dontilly", "77520", 29, Provins),
    c("Moussy-le-Neuf", "77230", 29, MitryMory),
    c("Chanteloup-en-Brie", "77600", 28, Lagny),
    c("Pringy", "77310", 28, Melun),
    c("Rozay-en-Brie", "77540", 28, TournanEnBrie),
    c("Bourron-Marlotte", "77780", 27, Fontainebleau),
    c("Cannes-Écluse", "77130", 27, Montereau),
    c("La Grande-Paroisse", "77130", 27, Montereau),
    c("Chevry-Cossigny", "77173", 25, TournanEnBrie),
    c("La Chapelle-la-Reine", "77760", 25, Fontainebleau),
    c("Conches-sur-Gondoire", "77600", 24, Lagny),
    c("Longperrier", "77230", 24, MitryMory),
    c("Bray-sur-Seine", "77480", 22, Provins),
    c("Juilly", "77230", 22, MitryMory),
    c("Rubelles", "77950", 22, Melun),
    c("Montigny-sur-Loing", "77690", 22, Fontainebleau),
    c("Villevaudé", "77410", 21, MitryMory),
    c("Presles-en-Brie", "77220", 21, TournanEnBrie),
    c("Samois-sur-Seine", "77920", 20, Fontainebleau),
    c("Chailly-en-Bière", "77930", 20, Fontainebleau),
    c("Perthes", "77930", 20, Melun),
    c("Livry-sur-Seine", "77000", 20, Melun),
    c("Seine-Port", "77240", 19, Senart),
    c("Annet-sur-Marne", "77410", 19, MitryMory),
    c("Réau", "77550", 18, Senart),
    c("Longueville", "77650", 18, Provins),
    c("Compans", "77290", 17, MitryMory),
    c("Bagneaux-sur-Loing", "77167", 17, Nemours),
    c("Héricy", "77850", 26, Fontainebleau),
    c("Vulaines-sur-Seine", "77870", 26, Fontainebleau),
    c("Chartrettes", "77590", 26, Melun),
    c("Pontcarré", "77135", 22, TournanEnBrie),
    c("Férolles-Attilly", "77150", 14, RoissyEnBrie),
    c("Pommeuse", "77515", 28, Coulommiers),
    c("Faremoutiers", "77515", 27, Coulommiers),
    c("Rebais", "77510", 23, Coulommiers),
    c("Chailly-en-Brie", "77120", 15, Coulommiers),
    c("Sourdun", "77171", 14, Provins),
    c("Villiers-Saint-Georges", "77560", 12, Provins),
    c("Saint-Brice", "77160", 8, Provins),
    c("Gressy", "77410", 9, MitryMory),
    c("Fresnes-sur-Marne", "77410", 9, MitryMory),
    c("Le Pin", "77181", 14, Chelles),
    c("Croissy-Beaubourg", "77183", 20, Noisiel),
    c("Jossigny", "77600", 7, Lagny),
    c("Guermantes", "77600", 12, Lagny),
    c("Chalifert", "77144", 13, Lagny),
    c("Saint-Germain-sur-Morin", "77860", 36, Meaux),
    c("Grez-sur-Loing", "77880", 13, Nemours),
    c("Barbizon", "77630", 12, Fontainebleau),
    c("Larchant", "77760", 7, Nemours),
    c("Le Mesnil-Amelot", "77990", 10, MitryMory),
    c("Saint-Mard", "77230", 39, MitryMory),
];

/// Prefix sums of the commune weights, for drawing in proportion to population.
pub struct CommuneTable {
    cumulative: Vec<u32>,
}

impl CommuneTable {
    pub fn new() -> CommuneTable {
        let mut total = 0;
        let cumulative = COMMUNES
            .iter()
            .map(|c| {
                total += c.weight;
                total
            })
            .collect();
        CommuneTable { cumulative }
    }

    /// An index into `COMMUNES`, in proportion to population.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1).max(1);
        let x = rng.below(u64::from(total)) as u32;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(COMMUNES.len() - 1)
    }

    /// An index of a commune in the area of `mds`, in proportion to population.
    pub fn draw_in(&self, rng: &mut Rng, mds: Mds) -> usize {
        for _ in 0..64 {
            let i = self.draw(rng);
            if COMMUNES[i].mds == mds {
                return i;
            }
        }
        // Every MDS has communes; this is only reached by very bad luck.
        COMMUNES.iter().position(|c| c.mds == mds).unwrap_or(0)
    }
}

/// A commune by index, the first one for an index out of range.
pub fn commune(i: usize) -> &'static Commune {
    COMMUNES.get(i).unwrap_or(&COMMUNES[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn at_least_eighty_real_communes_of_seine_et_marne() {
        assert!(COMMUNES.len() >= 80);
        let names: BTreeSet<_> = COMMUNES.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), COMMUNES.len(), "a commune is listed twice");
        for c in COMMUNES {
            assert!(
                c.postal_code.len() == 5 && c.postal_code.starts_with("77"),
                "{c:?}"
            );
        }
        let find = |n: &str| COMMUNES.iter().find(|c| c.name == n).map(|c| c.postal_code);
        assert_eq!(find("Melun"), Some("77000"));
        assert_eq!(find("Meaux"), Some("77100"));
        assert_eq!(find("Savigny-le-Temple"), Some("77176"));
        assert_eq!(find("Dammartin-en-Goële"), Some("77230"));
    }

    #[test]
    fn every_mds_has_communes() {
        for mds in Mds::ALL {
            assert!(COMMUNES.iter().any(|c| c.mds == mds), "{mds:?}");
        }
    }
}
