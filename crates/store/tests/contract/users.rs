//! Users and roles.

use super::TestBackend;
use super::fixtures::with_admin;
use relais_core::roles::Role;
use relais_store::{NewUser, StoreError};

pub fn users_and_roles<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    assert!(matches!(
        s.add_user(
            "admin",
            &NewUser {
                login: "admin".into(),
                roles: vec![Role::Crise],
                site: None,
                password_hash: "x".into()
            }
        ),
        Err(StoreError::UserExists(_))
    ));
    assert!(s.authorize("admin", Role::Admin).is_ok());
    assert!(matches!(
        s.authorize("admin", Role::Ordonnateur),
        Err(StoreError::Forbidden { .. })
    ));
    assert!(matches!(
        s.authorize("nobody", Role::Admin),
        Err(StoreError::UnknownUser(_))
    ));
    s.set_user_disabled("admin", "admin", true)
        .expect("disable");
    assert!(matches!(
        s.authorize("admin", Role::Admin),
        Err(StoreError::DisabledUser(_))
    ));
    assert_eq!(s.verify_journal().expect("verify"), 2);
}

pub fn the_password_hash_is_not_in_debug_output_nor_in_the_journal<B: TestBackend>() {
    let mut f = super::fixtures::empty::<B>();
    let s = &mut f.store;
    let user = NewUser {
        login: "a".into(),
        roles: vec![Role::Admin],
        site: None,
        password_hash: "$argon2id$SECRET".into(),
    };
    assert!(!format!("{user:?}").contains("SECRET"));
    let entry = s.add_user("a", &user).expect("add");
    assert!(!entry.payload.contains("SECRET"));
}
