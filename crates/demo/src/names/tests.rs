use super::*;

#[test]
fn lists_are_large_and_mostly_latin_1() {
    let first = FEMALE_OLDER.len() + FEMALE_YOUNGER.len() + MALE_OLDER.len() + MALE_YOUNGER.len();
    assert!(first >= 300, "{first} first names");
    assert!(SURNAMES.len() >= 300, "{} surnames", SURNAMES.len());
    let outside = SURNAMES
        .iter()
        .filter(|s| s.chars().any(|c| u32::from(c) > 0xFF))
        .count();
    assert!(outside >= 3 && outside * 20 < SURNAMES.len(), "{outside}");
    assert!(!fits_windows_1252("Łukasz"));
    assert!(fits_windows_1252("Hélène Lœillet"));
}
