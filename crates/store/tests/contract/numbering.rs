//! PES numbering: bordereaux and mandates continue the paierie's numbers without a gap or a
//! repeat, however many writers validate at once.

use super::TestBackend;
use super::runs::{prepared, with_rights};

pub fn gap_free_bordereaux_and_mandates_under_concurrent_writers<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let months = ["2026-08", "2026-09", "2026-10", "2026-11"];
    let ids: Vec<_> = months.iter().map(|m| prepared(&mut f.store, m)).collect();
    let dir = f.dir.path().to_owned();
    // Each run validated by a writer of its own, all at once.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(ids.len()));
    let handles: Vec<_> = ids
        .iter()
        .map(|id| {
            let (id, dir, barrier) = (*id, dir.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut store = B::connect(&dir);
                barrier.wait();
                store
                    .validate_run(id, "ord", "2026-12-01 10:00")
                    .expect("validate")
            })
        })
        .collect();
    let mut runs: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("writer"))
        .collect();
    runs.sort_by_key(|r| r.bordereau);
    let bordereaux: Vec<_> = runs.iter().map(|r| r.bordereau).collect();
    assert_eq!(
        bordereaux,
        [42, 43, 44, 45].map(|b| Some((2026, b))).to_vec()
    );
    let mut next = 1_201;
    for r in &runs {
        assert_eq!(r.first_mandate, Some(next), "{:?}", r.id);
        next += u32::try_from(r.summary.mandates).expect("mandates");
    }
    let n = f.store.numbering(2026).expect("read").expect("numbering");
    assert_eq!((n.last_bordereau, n.last_mandate), (45, next - 1));
    assert!(f.store.verify_journal().is_ok());
}
