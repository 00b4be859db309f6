//! The register of deposits: chrono numbers without a gap or a repeat under concurrent writers.

use super::TestBackend;
use super::fixtures::{add_user, with_admin};
use jiff::tz::TimeZone;
use relais_core::deposits::{ChronoNumber, DepositKind, NewDeposit};
use relais_core::roles::Role;

pub fn gap_free_chrono_numbers_under_concurrent_writers<B: TestBackend>() {
    let mut f = with_admin::<B>();
    add_user(&mut f.store, "courrier", &[Role::Courrier]);
    let (threads, per_thread) = (4, 25);
    let dir = f.dir.path().to_owned();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut store = B::connect(&dir);
                let tz = TimeZone::get("Europe/Paris").expect("tz");
                (0..per_thread)
                    .map(|i| {
                        let from = format!("déposant {t}-{i}");
                        store
                            .register_deposit(
                                "courrier",
                                &NewDeposit::new(DepositKind::Autre, &from),
                                &tz,
                                &mut |d| Ok(format!("code-{}", d.number)),
                            )
                            .expect("register")
                            .number
                    })
                    .collect::<Vec<ChronoNumber>>()
            })
        })
        .collect();
    let mut all: Vec<ChronoNumber> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("writer"))
        .collect();
    all.sort();
    // Each year from 1, no gap, no repeat (two years when the test ran across New Year's Eve
    // in Paris).
    let years: std::collections::BTreeSet<i16> = all.iter().map(|n| n.year()).collect();
    let mut count = 0;
    for y in years {
        let seqs: Vec<u32> = all
            .iter()
            .filter(|n| n.year() == y)
            .map(|n| n.seq())
            .collect();
        count += seqs.len();
        assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>());
    }
    assert_eq!(count, threads * per_thread);
}
