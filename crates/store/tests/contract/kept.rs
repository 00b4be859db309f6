//! What the store keeps for good refuses to be rewritten or removed by a database client, not
//! only by the store's own methods: deposits, contacts at the desk, a validated run (its
//! record, lines and claims), the numbers the exercice gave.

use super::fixtures::{add_user, import, person};
use super::runs::{prepared, with_rights};
use super::{Kept, TestBackend};
use jiff::tz::TimeZone;
use relais_core::deposits::{DepositKind, NewDeposit};
use relais_core::roles::Role;

pub fn kept_records_refuse_rewrite_and_removal<B: TestBackend>() {
    let mut f = with_rights::<B>();
    let s = &mut f.store;
    add_user(s, "courrier", &[Role::Courrier]);
    add_user(s, "acc", &[Role::Accueil]);
    let tz = TimeZone::get("Europe/Paris").expect("tz");
    s.register_deposit(
        "courrier",
        &NewDeposit::new(DepositKind::Autre, "Mme Martin"),
        &tz,
        &mut |d| Ok(format!("code-{}", d.number)),
    )
    .expect("deposit");
    // The import replaced the data: the people again, for the contact.
    import(
        s,
        &[
            person("D1", "MARTIN", "Jeanne", None),
            super::fixtures::payee(
                "T1",
                "MARTIN Jeanne",
                1,
                relais_core::records::PayeeKind::Personne,
            ),
            super::fixtures::right(
                "R1",
                "D1",
                "T1",
                relais_core::records::Benefit::ApaDom,
                100_000,
            ),
        ],
    );
    s.log_contact(
        "acc",
        "D1",
        "visite",
        "venue au guichet",
        "2026-12-02 09:10",
    )
    .expect("contact")
    .expect("person");
    let id = prepared(s, "2026-12");
    s.validate_run(id, "ord", "2026-12-01 10:00")
        .expect("validate");
    for kept in [
        Kept::Deposits,
        Kept::Contacts,
        Kept::ValidatedRun,
        Kept::ValidatedClaims,
        Kept::Numbering,
    ] {
        assert!(s.refuses_rewrite(kept), "{kept:?}");
    }
    assert!(s.verify_journal().is_ok());
}
