use super::*;
use jiff::civil::date;

#[test]
fn months() {
    let m = Month::parse("2026-02").expect("month");
    assert_eq!((m.year(), m.month()), (2026, 2));
    assert_eq!(m.first_day(), date(2026, 2, 1));
    assert_eq!(m.last_day(), date(2026, 2, 28));
    assert_eq!(m.days(), 28);
    assert_eq!(Month::parse("2024-02").expect("leap").days(), 29);
    assert_eq!(m.to_string(), "2026-02");
    assert_eq!(
        Month::parse(" 2026-12 ").expect("spaces").to_string(),
        "2026-12"
    );
    let dec = Month::new(2025, 12).expect("december");
    assert_eq!(dec.next(), Month::new(2026, 1).expect("january"));
    assert_eq!(dec.next().previous(), dec);
    assert_eq!(
        Month::new(2026, 5).expect("may").next().to_string(),
        "2026-06"
    );
    assert_eq!(Month::of(date(2026, 7, 14)).to_string(), "2026-07");
    assert!(Month::new(2026, 0).is_none());
    assert!(Month::new(2026, 13).is_none());
    let last = Month::new(9999, 12).expect("end of calendar");
    assert_eq!(last.next(), last);
    assert_eq!(last.last_day(), date(9999, 12, 31));
    assert!(Month::parse("2024-02").expect("m") < Month::parse("2024-10").expect("m"));
    assert!(Month::parse("2023-12").expect("m") < Month::parse("2024-01").expect("m"));
}

#[test]
fn months_as_agents_type_them() {
    let december = Month::parse("2026-12").expect("month");
    for typed in [
        "12/2026",
        " 12/2026 ",
        "12.2026",
        "décembre 2026",
        "Decembre 2026",
        "2026-12",
    ] {
        assert_eq!(Month::parse_typed(typed), Ok(december), "{typed}");
    }
    assert_eq!(
        Month::parse_typed("2/2027").map(Month::short),
        Ok("02/2027".to_owned())
    );
    assert_eq!(
        Month::parse_typed("août 2026").map(Month::short),
        Ok("08/2026".to_owned())
    );
    for wrong in [
        "13/2026",
        "12/26",
        "decembr 2026",
        "12-2026",
        "",
        "/2026",
        "décembre",
    ] {
        assert!(Month::parse_typed(wrong).is_err(), "{wrong}");
    }
}

#[test]
fn months_are_strict() {
    for bad in [
        "",
        "2026",
        "2026-1",
        "26-01",
        "2026-13",
        "2026-00",
        "2026/01",
        "2026-01-05",
        "janv. 2026",
        "2026-1a",
        "+026-01",
    ] {
        assert_eq!(
            Month::parse(bad),
            Err(DateError::InvalidMonth(bad.to_owned())),
            "{bad:?}"
        );
    }
    let json = serde_json::to_string(&Month::new(2026, 3).expect("m")).expect("json");
    assert_eq!(json, "\"2026-03\"");
    assert!(serde_json::from_str::<Month>("\"2026-13\"").is_err());
}

#[test]
fn dates_in_the_usual_forms() {
    let d = date(2026, 3, 5);
    for s in [
        "05/03/2026",
        "5/3/2026",
        "05-03-2026",
        "05.03.2026",
        "2026-03-05",
        "  05/03/2026\t",
    ] {
        assert_eq!(parse_date(s), Ok(d), "{s:?}");
    }
    assert_eq!(parse_date("29/02/2024"), Ok(date(2024, 2, 29)));
}

#[test]
fn impossible_or_ambiguous_dates_are_refused() {
    assert_eq!(parse_date("  "), Err(DateError::Empty));
    for bad in [
        "31/02/2026",
        "29/02/2025",
        "05/03/26",
        "2026-02-30",
        "05/03-2026",
        "05/13/2026",
        "5 mars 2026",
        "2026/03/05",
        "05//2026",
        "005/03/2026",
        "00/03/2026",
        "05/03/0000",
        "05/03/2026/1",
        "hier",
    ] {
        assert!(
            matches!(parse_date(bad), Err(DateError::Invalid(_))),
            "{bad:?} gave {:?}",
            parse_date(bad)
        );
    }
}

#[test]
fn easter_dates() {
    for (year, expected) in [
        (2008, date(2008, 3, 23)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ] {
        assert_eq!(easter(year), Some(expected), "{year}");
    }
    assert_eq!(easter(0), None);
}

#[test]
fn metropolitan_holidays_2026() {
    let days: Vec<Date> = holidays(2026, HolidayZone::Metropole)
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(
        days,
        vec![
            date(2026, 1, 1),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 5, 8),
            date(2026, 5, 14),
            date(2026, 5, 25),
            date(2026, 7, 14),
            date(2026, 8, 15),
            date(2026, 11, 1),
            date(2026, 11, 11),
            date(2026, 12, 25),
        ]
    );
    assert_eq!(
        holiday_name(date(2026, 5, 14), HolidayZone::Metropole),
        Some("Ascension")
    );
    assert_eq!(
        holiday_name(date(2026, 5, 25), HolidayZone::Metropole),
        Some("Lundi de Pentecôte")
    );
    assert_eq!(
        holiday_name(date(2026, 5, 15), HolidayZone::Metropole),
        None
    );
}

#[test]
fn each_zone_adds_its_days() {
    use HolidayZone::*;
    let extra = |zone: HolidayZone| -> Vec<(Date, &'static str)> {
        let base = holidays(2026, Metropole);
        holidays(2026, zone)
            .into_iter()
            .filter(|h| !base.contains(h))
            .collect()
    };
    assert_eq!(
        extra(AlsaceMoselle),
        vec![
            (date(2026, 4, 3), "Vendredi saint"),
            (date(2026, 12, 26), "Saint-Étienne")
        ]
    );
    let slavery = "Abolition de l'esclavage";
    assert_eq!(extra(Mayotte), vec![(date(2026, 4, 27), slavery)]);
    assert_eq!(extra(Martinique), vec![(date(2026, 5, 22), slavery)]);
    assert_eq!(extra(Guadeloupe), vec![(date(2026, 5, 27), slavery)]);
    assert_eq!(extra(SaintMartin), vec![(date(2026, 5, 27), slavery)]);
    assert_eq!(extra(Guyane), vec![(date(2026, 6, 10), slavery)]);
    assert_eq!(extra(Reunion), vec![(date(2026, 12, 20), slavery)]);
    assert!(extra(Metropole).is_empty());
    // Good Friday is a working day outside Alsace-Moselle.
    assert!(is_working_day(date(2026, 4, 3), Metropole));
    assert!(!is_working_day(date(2026, 4, 3), AlsaceMoselle));
    assert!(!is_working_day(date(2026, 5, 22), Martinique));
    assert!(is_working_day(date(2026, 5, 22), Guadeloupe));
}

#[test]
fn shared_days_are_listed_twice_in_order() {
    // 2008: Easter on 23 March, so Ascension fell on 1 May.
    let h = holidays(2008, HolidayZone::Metropole);
    let first_may: Vec<&str> = h
        .iter()
        .filter(|(d, _)| *d == date(2008, 5, 1))
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(first_may, vec!["Fête du Travail", "Ascension"]);
    assert!(h.windows(2).all(|w| w[0].0 <= w[1].0));
    assert!(holidays(0, HolidayZone::Metropole).is_empty());
}

#[test]
fn zones_parse_and_print() {
    for zone in HolidayZone::ALL {
        assert_eq!(HolidayZone::parse(zone.as_str()), Some(zone));
        let json = serde_json::to_string(&zone).expect("json");
        assert_eq!(json, format!("\"{}\"", zone.as_str()));
    }
    assert_eq!(
        HolidayZone::parse(" Métropole "),
        Some(HolidayZone::Metropole)
    );
    assert_eq!(HolidayZone::parse("La Réunion"), Some(HolidayZone::Reunion));
    assert_eq!(
        HolidayZone::parse("alsace_moselle"),
        Some(HolidayZone::AlsaceMoselle)
    );
    assert_eq!(
        HolidayZone::parse("Saint Martin"),
        Some(HolidayZone::SaintMartin)
    );
    assert_eq!(HolidayZone::parse("corse"), None);
    assert_eq!(HolidayZone::parse(""), None);
}

#[test]
fn working_days_across_the_ascension_bridge() {
    let zone = HolidayZone::Metropole;
    // Wednesday 13 May 2026; Thursday 14 is Ascension; Friday 15 is a working day.
    let wed = date(2026, 5, 13);
    assert_eq!(add_working_days(wed, 1, zone), date(2026, 5, 15));
    assert_eq!(add_working_days(wed, 2, zone), date(2026, 5, 18));
    assert_eq!(add_working_days(date(2026, 5, 18), -2, zone), wed);
    assert_eq!(add_working_days(wed, 0, zone), wed);
    // Whit Monday 25 May: Friday 22 + 1 working day = Tuesday 26.
    assert_eq!(
        add_working_days(date(2026, 5, 22), 1, zone),
        date(2026, 5, 26)
    );
    assert_eq!(
        working_day_on_or_after(date(2026, 5, 14), zone),
        date(2026, 5, 15)
    );
    assert_eq!(
        working_day_on_or_before(date(2026, 5, 14), zone),
        date(2026, 5, 13)
    );
    // Saturday 23 May → Tuesday 26 (Whit Monday in between), Friday 22 before.
    assert_eq!(
        working_day_on_or_after(date(2026, 5, 23), zone),
        date(2026, 5, 26)
    );
    assert_eq!(
        working_day_on_or_before(date(2026, 5, 25), zone),
        date(2026, 5, 22)
    );
    assert_eq!(working_day_on_or_after(wed, zone), wed);
    // Across the year end: Wed 31 Dec 2025 + 1 = Fri 2 Jan 2026.
    assert_eq!(
        add_working_days(date(2025, 12, 31), 1, zone),
        date(2026, 1, 2)
    );
    // May 2026 loses 1, 8, 14 and 25 May: 16 working days after Thursday 30 April is
    // Thursday 28 May, not Friday 22.
    assert_eq!(
        add_working_days(date(2026, 4, 30), 16, zone),
        date(2026, 5, 28)
    );
}

#[test]
fn working_days_stop_at_the_end_of_the_calendar() {
    let zone = HolidayZone::Metropole;
    let end = add_working_days(date(9999, 12, 1), i32::MAX, zone);
    assert_eq!(end, Date::MAX);
    let start = add_working_days(date(1, 1, 10), i32::MIN, zone);
    assert_eq!(start, Date::MIN);
}

#[test]
fn overseas_time_zones() {
    let tz = time_zone("America/Martinique").expect("bundled tzdb");
    let at: jiff::Timestamp = "2026-01-01T03:59:59Z".parse().expect("instant");
    assert_eq!(local_date(at, &tz), date(2025, 12, 31));
    let at: jiff::Timestamp = "2026-01-01T04:00:00Z".parse().expect("instant");
    assert_eq!(local_date(at, &tz), date(2026, 1, 1));
    for name in [
        "Europe/Paris",
        "America/Guadeloupe",
        "America/Cayenne",
        "Indian/Reunion",
        "Indian/Mayotte",
    ] {
        assert!(time_zone(name).is_ok(), "{name}");
    }
    assert_eq!(
        time_zone("Mars/Olympus").map_err(|e| e.code()),
        Err("fuseau_inconnu")
    );
}
