//! The invoices by deadline on a real store: paged, the totals over all; kept between
//! requests by `DueCache` and kept true by the journal — a step recorded since, an invoice
//! deposited at the courrier or cancelled there are folded in and give the list a fresh reading
//! gives; an entry that changes no invoice keeps the same list.

use jiff::civil::{Date, date};
use relais_app::invoices::{DueCache, DueList, due_list};
use relais_core::Cents;
use relais_core::deposits::{DepositKind, InvoiceFacts, NewDeposit};
use relais_core::ids::{Bic, Iban, Siret};
use relais_core::invoices::default_ecb_rates;
use relais_core::invoices::lifecycle::{InvoiceEvent, InvoiceState};
use relais_core::records::{Invoice, Record, Supplier};
use relais_core::roles::Role;
use relais_store::deposits::DepositStore;
use relais_store::invoices::InvoiceStore;
use relais_store::sessions::SessionStore;
use relais_store::{NewUser, SqliteStore, Store};
use std::sync::Arc;

const TODAY: Date = date(2026, 12, 10);

fn siret() -> Siret {
    Siret::parse("73282932000074").expect("siret")
}

/// A supplier and `n` invoices received a day apart back from `TODAY` (the oldest late).
fn store(dir: &std::path::Path, n: usize) -> SqliteStore {
    let mut store = SqliteStore::open(&dir.join("relais.db")).expect("open");
    for (login, role) in [
        ("instruction", Role::Instruction),
        ("liquidation", Role::Liquidation),
        ("courrier", Role::Courrier),
    ] {
        store
            .add_user(
                "system",
                &NewUser {
                    login: login.into(),
                    roles: vec![role],
                    site: None,
                    password_hash: "not used".into(),
                },
            )
            .expect("user");
    }
    let mut session = store.begin_import().expect("begin");
    session
        .insert(&Record::Supplier(Supplier {
            siret: siret(),
            name: "Fournitures SA".into(),
            iban: Iban::parse("FR7630006000011234567890189").expect("iban"),
            bic: Bic::parse("BNPAFRPP").expect("bic"),
            address: "3 rue".into(),
            postal_code: "77000".into(),
            city: "Melun".into(),
            extra: vec![],
        }))
        .expect("supplier");
    for i in 0..n {
        let received = TODAY
            .checked_sub(jiff::Span::new().days(i as i64))
            .expect("day");
        session
            .insert(&Record::Invoice(Invoice {
                id: format!("F{i:03}"),
                siret: siret(),
                number: format!("N-{i:03}"),
                invoice_date: received,
                received_on: received,
                amount_incl_tax: Cents(10_000 + i as i64),
                commitment: None,
                status: "a_payer".into(),
                extra: vec![],
            }))
            .expect("invoice");
    }
    session
        .commit("admin", serde_json::json!({}))
        .expect("commit");
    store
}

fn fresh(store: &SqliteStore) -> DueList {
    fresh_on(store, TODAY)
}

fn fresh_on(store: &SqliteStore, day: Date) -> DueList {
    let tz = jiff::tz::TimeZone::UTC;
    due_list(store, 30, day, &tz, &default_ecb_rates()).expect("list")
}

fn cached(cache: &DueCache, store: &SqliteStore) -> Arc<DueList> {
    cached_on(cache, store, TODAY)
}

fn cached_on(cache: &DueCache, store: &SqliteStore, day: Date) -> Arc<DueList> {
    let tz = jiff::tz::TimeZone::UTC;
    cache
        .get(store, 30, day, &tz, &default_ecb_rates())
        .expect("list")
}

#[test]
fn the_list_is_paged_with_its_totals_over_all() {
    let dir = tempfile::tempdir().expect("dir");
    let s = store(dir.path(), 250);
    let list = fresh(&s);
    assert_eq!(list.open.len(), 250);
    assert_eq!(list.pages(100), 3);
    assert_eq!(list.page(1, 100).len(), 100);
    assert_eq!(list.page(3, 100).len(), 50);
    assert!(list.page(4, 100).is_empty());
    // The most urgent first: the oldest, late by 249 - 30 days.
    assert_eq!(list.page(1, 100)[0].id, "F249");
    assert_eq!(list.page(1, 100)[0].standing.days_left, -(249 - 30));
    assert_eq!(list.page(3, 100)[49].id, "F000");
    // Late: received more than 30 days ago, 219 of them, counted over every page.
    assert_eq!(list.late, 219);
    assert!(list.at_risk > Cents(219 * 4_000));
    assert_eq!(list.find(" F123 ").map(|d| d.amount), Some(Cents(10_123)));
    assert_eq!(DueList::default().pages(100), 1);
}

#[test]
fn the_list_kept_follows_the_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = store(dir.path(), 40);
    let reader = SqliteStore::open_reader(&dir.path().join("relais.db")).expect("reader");
    let cache = DueCache::default();
    let first = cached(&cache, &reader);
    assert_eq!(*first, fresh(&reader));

    // Nothing written, or only what changes no invoice: the same list.
    assert!(Arc::ptr_eq(&first, &cached(&cache, &reader)));
    s.open_session("hash", "instruction", "csrf", 0)
        .expect("session");
    assert!(Arc::ptr_eq(&first, &cached(&cache, &reader)));

    // Steps recorded: folded in, as a fresh reading gives them.
    let done = InvoiceEvent::ServiceDone {
        amount: Cents(10_005),
        checked: "bon de livraison".into(),
    };
    s.record_invoice_step("F005", &done, "instruction", TODAY)
        .expect("service fait");
    let suspend = InvoiceEvent::Suspended {
        reason: "bon de commande manquant".into(),
    };
    s.record_invoice_step("F039", &suspend, "liquidation", date(2026, 12, 1))
        .expect("suspended");
    let folded = cached(&cache, &reader);
    assert_eq!(*folded, fresh(&reader));
    let d = folded.find("F005").expect("F005");
    assert_eq!(d.state, InvoiceState::ServiceDone);
    assert_eq!(folded.steps("F005").len(), 1);
    // Suspended on 1 December: the deadline moved by the days since.
    let d = folded.find("F039").expect("F039");
    assert_eq!(d.state, InvoiceState::Suspended);
    assert_eq!(d.standing.days_left, 30 - 39 + 9);

    // A deposit of another kind: the same list.
    let kept = cached(&cache, &reader);
    let mut letter = NewDeposit::new(DepositKind::DemandeApa, "Mme Martin");
    letter.pages = 2;
    s.register_deposit("courrier", &letter, &jiff::tz::TimeZone::UTC, &mut |_| {
        Ok("code".into())
    })
    .expect("letter");
    assert!(Arc::ptr_eq(&kept, &cached(&cache, &reader)));

    // An invoice deposited at the courrier, then cancelled: in the list, then out of it.
    let mut paper = NewDeposit::new(DepositKind::Facture, "Fournitures SA");
    paper.invoice = Some(InvoiceFacts {
        siret: siret(),
        number: "P-1".into(),
        amount: Cents(50_000),
        date: None,
        commitment: None,
    });
    let deposit = s
        .register_deposit("courrier", &paper, &jiff::tz::TimeZone::UTC, &mut |_| {
            Ok("code".into())
        })
        .expect("deposit");
    let again = cached(&cache, &reader);
    assert_eq!(*again, fresh(&reader));
    assert!(again.find(&deposit.number.to_string()).is_some());
    assert_eq!(again.open.len(), 41);
    s.cancel_deposit("courrier", deposit.number, "enregistrée deux fois")
        .expect("cancel");
    let cancelled = cached(&cache, &reader);
    assert_eq!(*cancelled, fresh(&reader));
    assert_eq!(cancelled.open.len(), 40);

    // The next day, and a step of that day: every standing a day on.
    let tomorrow = date(2026, 12, 11);
    s.record_invoice_step("F039", &InvoiceEvent::Resumed, "liquidation", tomorrow)
        .expect("resumed");
    let next = cached_on(&cache, &reader, tomorrow);
    assert_eq!(*next, fresh_on(&reader, tomorrow));
    assert_eq!(next.find("F000").map(|d| d.standing.days_left), Some(29));
}
