//! The replica of another journal (`relais journal apply`): events follow on from what is
//! held, or nothing is written.

use super::TestBackend;
use super::fixtures::{add_user, with_admin};
use relais_core::journal::{EntryHash, entry_hash};
use relais_core::roles::Role;
use relais_store::StoreError;
use relais_store::handback::{Origin, Pushed, ReplicaError, ReplicaEvent};
use serde_json::json;

const SIRET: &str = "21770001700019";

/// The origin's journal: entries 1..=n, entity `depot`/`D{seq % 3}`.
fn chain(n: u64) -> Vec<ReplicaEvent> {
    let mut prev = EntryHash::GENESIS;
    (1..=n)
        .map(|seq| {
            let payload = json!({ "number": format!("D{}", seq % 3), "pages": seq }).to_string();
            let at = format!("2026-12-10T09:{:02}:00Z", seq % 60);
            let hash = entry_hash(&prev, seq, &at, "courrier", "deposit.register", &payload);
            let e = ReplicaEvent {
                seq,
                at,
                actor: "courrier".into(),
                kind: "deposit.register".into(),
                after: Some(payload.clone()),
                payload,
                prev,
                hash,
                entity: Some(("depot".into(), format!("D{}", seq % 3))),
                before: None,
            };
            prev = hash;
            e
        })
        .collect()
}

fn origin(events: &[ReplicaEvent], from: u64) -> Origin {
    Origin {
        siret: SIRET.into(),
        name: "Département".into(),
        from_seq: from,
        from_hash: if from == 0 {
            EntryHash::GENESIS
        } else {
            events[from as usize - 1].hash
        },
    }
}

/// Applies `events[range]` as an export from `from`.
fn apply<B: TestBackend>(
    store: &mut B,
    all: &[ReplicaEvent],
    from: u64,
    events: &[ReplicaEvent],
) -> Result<(u64, u64, bool), ReplicaError> {
    let mut session = store.begin_apply("admin", &origin(all, from))?;
    for e in events {
        session.push(e)?;
    }
    let done = session.commit(json!({ "export": "test" }))?;
    Ok((done.new, done.known, done.entry.is_some()))
}

fn head<B: TestBackend>(store: &B) -> u64 {
    store.journal_head().expect("head").map_or(0, |(s, _)| s)
}

fn state<B: TestBackend>(store: &B) -> Vec<(String, u64, String)> {
    let mut out = Vec::new();
    store
        .each_projected_entity(SIRET, &mut |p| {
            out.push((p.entity_id.clone(), p.seq, p.state.clone()));
            Ok(())
        })
        .expect("projection");
    out
}

pub fn a_new_origin_starts_at_the_export_s_from_and_a_second_apply_changes_nothing<
    B: TestBackend,
>() {
    let mut f = with_admin::<B>();
    let all = chain(13);
    // The export starts after entry 10, which the replica never saw: it becomes the base.
    let (new, known, journaled) = apply(&mut f.store, &all, 10, &all[10..]).expect("apply");
    assert_eq!((new, known, journaled), (3, 0, true));
    let origins = f.store.replica_origins().expect("origins");
    assert_eq!(origins.len(), 1);
    let o = &origins[0];
    assert_eq!((o.base_seq, o.base_hash), (10, all[9].hash));
    assert_eq!((o.last_seq, o.last_hash, o.events), (13, all[12].hash, 3));
    let projection = state(&f.store);
    assert_eq!(
        projection
            .iter()
            .map(|p| (p.0.as_str(), p.1))
            .collect::<Vec<_>>(),
        [("D0", 12), ("D1", 13), ("D2", 11)]
    );
    assert_eq!(f.store.verify_journal().expect("verify"), 2);

    // The same export again: nothing at all, not even a journal entry.
    let before = (
        f.store.replica_origins().expect("o"),
        state(&f.store),
        head(&f.store),
    );
    let again = apply(&mut f.store, &all, 10, &all[10..]).expect("again");
    assert_eq!(again, (0, 3, false));
    assert_eq!(
        (
            f.store.replica_origins().expect("o"),
            state(&f.store),
            head(&f.store)
        ),
        before
    );

    // A longer export that overlaps: only the new events are applied.
    let (new, known, _) = apply(&mut f.store, &all, 10, &all[10..]).expect("same");
    assert_eq!((new, known), (0, 3));
    let more = chain(15);
    let (new, known, _) = apply(&mut f.store, &more, 11, &more[11..]).expect("more");
    assert_eq!((new, known), (2, 2));
    assert_eq!(f.store.replica_origins().expect("o")[0].last_seq, 15);
}

pub fn a_gap_or_a_fork_is_refused_and_nothing_is_written<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let all = chain(20);
    apply(&mut f.store, &all, 0, &all[..5]).expect("first");
    let held = (
        f.store.replica_origins().expect("o"),
        state(&f.store),
        head(&f.store),
    );

    // A gap: entries 6 and 7 never came.
    let e = apply(&mut f.store, &all, 7, &all[7..10]).expect_err("gap");
    assert!(
        matches!(
            e,
            ReplicaError::Gap {
                held: 5,
                found: 8,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("n° 6 à 7"), "{e}");

    // A fork: entry 6 of another history, whose predecessor is not the 5 held here. The
    // valid events pushed before it in the same apply are not kept either.
    let mut other = all[5..8].to_vec();
    other[1].prev = EntryHash([7; 32]);
    let e = apply(&mut f.store, &all, 5, &other).expect_err("fork");
    assert!(matches!(e, ReplicaError::ForkPrev { seq: 7, .. }), "{e}");

    // A fork: entry 3 already held, with another hash.
    let mut rewritten = all[..5].to_vec();
    rewritten[2].hash = EntryHash([9; 32]);
    let e = apply(&mut f.store, &all, 0, &rewritten).expect_err("fork");
    assert!(matches!(e, ReplicaError::ForkHash { seq: 3, .. }), "{e}");
    assert!(
        e.to_string().contains("déjà tenu avec une autre empreinte"),
        "{e}"
    );

    assert_eq!(
        (
            f.store.replica_origins().expect("o"),
            state(&f.store),
            head(&f.store)
        ),
        held
    );
    // The chain goes on where it was.
    let (new, _, _) = apply(&mut f.store, &all, 5, &all[5..8]).expect("follow on");
    assert_eq!(new, 3);
}

pub fn only_an_admin_applies_and_the_projection_merges_each_after<B: TestBackend>() {
    let mut f = with_admin::<B>();
    add_user(&mut f.store, "lea", &[Role::Liquidation]);
    let all = chain(2);
    let refused = f.store.begin_apply("lea", &origin(&all, 0)).map(|_| ());
    assert!(
        matches!(
            refused,
            Err(ReplicaError::Store(StoreError::Forbidden { .. }))
        ),
        "{refused:?}"
    );
    let mut events = chain(2);
    // Two events of one entity: the second's `after` merged over the first's.
    events[1].entity = events[0].entity.clone();
    events[0].after = Some(json!({ "a": 1, "b": 2 }).to_string());
    events[1].after = Some(json!({ "b": 3 }).to_string());
    let mut session = f
        .store
        .begin_apply("admin", &origin(&events, 0))
        .expect("begin");
    assert_eq!(session.push(&events[0]).expect("push"), Pushed::New);
    assert_eq!(session.push(&events[1]).expect("push"), Pushed::New);
    session.commit(json!({})).expect("commit");
    let p = state(&f.store);
    assert_eq!(p.len(), 1);
    let s: serde_json::Value = serde_json::from_str(&p[0].2).expect("json");
    assert_eq!(s, json!({ "a": 1, "b": 3 }));
}
