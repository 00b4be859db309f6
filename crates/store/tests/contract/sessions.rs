//! Web sessions: open until idle, past their working day, closed, or their user disabled.

use super::TestBackend;
use super::fixtures::{add_user, with_admin};
use relais_core::roles::Role;
use relais_store::sessions::Lifetime;

const LIFE: Lifetime = Lifetime {
    idle_seconds: 600,
    absolute_seconds: 3_600,
};

pub fn a_session_lives_until_idle_or_closed<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    add_user(s, "acc", &[Role::Accueil]);
    s.open_session("h1", "acc", "csrf1", 1_000).expect("open");
    let one = s.session("h1", 1_100, LIFE).expect("read").expect("open");
    assert_eq!((one.login.as_str(), one.csrf.as_str()), ("acc", "csrf1"));
    assert!(one.has(Role::Accueil));
    let (_, used) = s
        .peek_session("h1", 1_200, LIFE)
        .expect("peek")
        .expect("open");
    assert_eq!(used, 1_100);
    // Unused for longer than the idle time: closed.
    assert!(s.session("h1", 1_100 + 601, LIFE).expect("read").is_none());
    assert!(s.session("nobody", 1_100, LIFE).expect("read").is_none());
    // Used all along, but past its working day: closed.
    s.open_session("h2", "acc", "csrf2", 10_000).expect("open");
    for t in (10_500..13_600).step_by(500) {
        assert!(s.session("h2", t, LIFE).expect("read").is_some(), "{t}");
    }
    assert!(s.session("h2", 13_700, LIFE).expect("read").is_none());
    // Closed by its holder.
    s.open_session("h3", "acc", "csrf3", 20_000).expect("open");
    s.close_session("h3").expect("close");
    assert!(s.session("h3", 20_001, LIFE).expect("read").is_none());
    // Its user disabled.
    s.open_session("h4", "acc", "csrf4", 30_000).expect("open");
    s.set_user_disabled("admin", "acc", true).expect("disable");
    assert!(s.session("h4", 30_001, LIFE).expect("read").is_none());
}

pub fn a_new_own_password_closes_the_other_sessions<B: TestBackend>() {
    let mut f = with_admin::<B>();
    let s = &mut f.store;
    add_user(s, "acc", &[Role::Accueil]);
    s.open_session("here", "acc", "c1", 1_000).expect("open");
    s.open_session("there", "acc", "c2", 1_000).expect("open");
    let entry = s
        .change_own_password("acc", "$argon2id$NEW", "here")
        .expect("change");
    assert!(!entry.payload.contains("NEW"));
    assert!(s.session("here", 1_001, LIFE).expect("read").is_some());
    assert!(s.session("there", 1_001, LIFE).expect("read").is_none());
    let user = s.user("acc").expect("read").expect("user");
    assert_eq!(user.password_hash, "$argon2id$NEW");
}
