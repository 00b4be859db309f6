//! Slowing down password guessing without letting anyone lock an agent out.
//!
//! Each try is counted per (login, address): after a few free tries, each further one must
//! wait twice as long as the one before (2 s, 4 s, 8 s… up to a ceiling). A stranger typing
//! wrong passwords from another machine slows down only themselves; the agent at their own
//! desk signs in. Per address alone there is a far larger budget, whose waits stay short: a
//! backstop against one machine trying many logins, never a lockout of a whole site behind
//! one proxy.
//!
//! A try is reserved *before* its password is checked, under the lock: parallel requests
//! cannot all pass before the first failure is recorded. A try that was not checked after all
//! (the server too busy) is given back; a success forgets its key's failures.
//!
//! In memory, bounded: a restart forgets, which gives a guesser a few more free tries.

use std::collections::HashMap;

/// How many tries are free and how long the waits grow.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Tries per (login, address) before waits begin.
    pub free: u32,
    /// Longest wait per (login, address), in seconds.
    pub max_wait: i64,
    /// Failures per address, all logins together, before waits begin.
    pub address_free: u32,
    /// Longest wait per address, in seconds (short: a site shares one address).
    pub address_max_wait: i64,
    /// A key unused this long is forgotten, in seconds.
    pub forget_after: i64,
}

/// Tries of one key.
#[derive(Debug, Clone, Copy)]
struct Tries {
    /// Tries not (yet) known to have succeeded.
    failures: u32,
    /// No try before this instant.
    next: i64,
    /// The latest try.
    last: i64,
}

/// A try allowed: give it back with [`Throttle::release`] or [`Throttle::succeed`].
#[derive(Debug)]
pub struct Ticket {
    key: String,
    address: String,
    /// This try begins the waits of its (login, address): worth one line in the log.
    pub pauses_login: bool,
    /// This try begins the waits of its address.
    pub pauses_address: bool,
}

/// Keys kept at most, per map; past this, forgotten keys go first, then the waits that end
/// soonest.
const MAX_KEYS: usize = 50_000;
/// Login names are cut to this many characters in keys (memory bounded, whatever is typed).
const LOGIN_CHARS: usize = 128;

#[derive(Debug, Default)]
pub struct Throttle {
    logins: HashMap<String, Tries>,
    addresses: HashMap<String, Tries>,
}

/// Seconds to wait after `failures` tries when `free` are free: none before, then doubling.
fn wait(failures: u32, free: u32, max: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let k = (failures - free + 1).min(40);
    (1i64 << k).min(max)
}

impl Throttle {
    /// Reserves a try of `login` from `address` at `now`, or says when one may be made.
    pub fn reserve(
        &mut self,
        login: &str,
        address: &str,
        now: i64,
        limits: &Limits,
    ) -> Result<Ticket, i64> {
        let key = format!(
            "{}\u{0}{address}",
            login
                .chars()
                .take(LOGIN_CHARS)
                .collect::<String>()
                .to_lowercase()
        );
        let login_next = self.logins.get(&key).map_or(now, |t| t.next);
        let address_next = self.addresses.get(address).map_or(now, |t| t.next);
        let until = login_next.max(address_next);
        if until > now {
            return Err(until);
        }
        make_room(&mut self.logins, now, limits.forget_after);
        make_room(&mut self.addresses, now, limits.forget_after);
        let pauses_login = count(
            &mut self.logins,
            &key,
            now,
            limits.free,
            limits.max_wait,
            limits.forget_after,
        );
        let pauses_address = count(
            &mut self.addresses,
            address,
            now,
            limits.address_free,
            limits.address_max_wait,
            limits.forget_after,
        );
        Ok(Ticket {
            key,
            address: address.to_owned(),
            pauses_login,
            pauses_address,
        })
    }

    /// The try was never checked (the server was too busy): it does not count.
    pub fn release(&mut self, ticket: &Ticket, now: i64, limits: &Limits) {
        uncount(&mut self.logins, &ticket.key, now, limits.free);
        uncount(
            &mut self.addresses,
            &ticket.address,
            now,
            limits.address_free,
        );
    }

    /// The password was right: its (login, address) starts afresh, and the try does not
    /// count against the address (a site's agents sign in all day from one address).
    pub fn succeed(&mut self, ticket: &Ticket, now: i64, limits: &Limits) {
        self.logins.remove(&ticket.key);
        uncount(
            &mut self.addresses,
            &ticket.address,
            now,
            limits.address_free,
        );
    }
}

/// Counts a try of `key`; true when it is the one that begins the waits.
fn count(
    map: &mut HashMap<String, Tries>,
    key: &str,
    now: i64,
    free: u32,
    max_wait: i64,
    forget_after: i64,
) -> bool {
    let t = map.entry(key.to_owned()).or_insert(Tries {
        failures: 0,
        next: now,
        last: now,
    });
    if now - t.last >= forget_after {
        t.failures = 0;
    }
    t.failures = t.failures.saturating_add(1);
    t.last = now;
    t.next = now + wait(t.failures, free, max_wait);
    t.failures == free
}

fn uncount(map: &mut HashMap<String, Tries>, key: &str, now: i64, free: u32) {
    if let Some(t) = map.get_mut(key) {
        t.failures = t.failures.saturating_sub(1);
        if t.failures < free {
            t.next = t.next.min(now);
        }
    }
}

/// Keeps `map` under [`MAX_KEYS`] before a key is added.
fn make_room(map: &mut HashMap<String, Tries>, now: i64, forget_after: i64) {
    if map.len() < MAX_KEYS {
        return;
    }
    map.retain(|_, t| now - t.last < forget_after);
    if map.len() < MAX_KEYS {
        return;
    }
    // Only a flood of distinct keys gets here: drop the waits that end soonest.
    let mut ends: Vec<i64> = map.values().map(|t| t.next).collect();
    ends.sort_unstable();
    let cut = ends.get(MAX_KEYS / 4).copied().unwrap_or(i64::MAX);
    map.retain(|_, t| t.next > cut);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    const LIMITS: Limits = Limits {
        free: 5,
        max_wait: 3600,
        address_free: 100,
        address_max_wait: 60,
        forget_after: 86_400,
    };

    #[test]
    fn free_tries_then_waits_that_double_per_login_and_address() {
        let mut t = Throttle::default();
        for i in 0..4 {
            let ticket = t.reserve("Agent", "10.0.0.1", 100, &LIMITS).expect("free");
            assert!(!ticket.pauses_login, "{i}");
        }
        let fifth = t.reserve("agent", "10.0.0.1", 100, &LIMITS).expect("free");
        assert!(fifth.pauses_login);
        assert_eq!(
            t.reserve("agent", "10.0.0.1", 101, &LIMITS).err(),
            Some(102)
        );
        // Another address, or another login, is not slowed down.
        assert!(t.reserve("agent", "10.0.0.2", 101, &LIMITS).is_ok());
        assert!(t.reserve("autre", "10.0.0.1", 101, &LIMITS).is_ok());
        let sixth = t
            .reserve("agent", "10.0.0.1", 102, &LIMITS)
            .expect("after 2 s");
        assert!(!sixth.pauses_login);
        assert_eq!(
            t.reserve("agent", "10.0.0.1", 102, &LIMITS).err(),
            Some(106)
        );
        // Up to the ceiling, never beyond.
        assert_eq!(wait(40, 5, 3600), 3600);
        // A success starts afresh.
        let ok = t
            .reserve("agent", "10.0.0.1", 106, &LIMITS)
            .expect("after 4 s");
        t.succeed(&ok, 106, &LIMITS);
        for _ in 0..4 {
            assert!(t.reserve("agent", "10.0.0.1", 106, &LIMITS).is_ok());
        }
    }

    #[test]
    fn a_released_try_does_not_count() {
        let mut t = Throttle::default();
        for _ in 0..10 {
            let ticket = t.reserve("agent", "a", 100, &LIMITS).expect("free");
            t.release(&ticket, 100, &LIMITS);
        }
        assert!(t.reserve("agent", "a", 100, &LIMITS).is_ok());
    }

    #[test]
    fn an_address_trying_many_logins_waits_a_minute_at_most() {
        let mut t = Throttle::default();
        for i in 0..100 {
            t.reserve(&format!("inconnu{i}"), "proxy", 100, &LIMITS)
                .expect("free");
        }
        assert!(t.reserve("agent", "proxy", 100, &LIMITS).is_err());
        let mut now = 100;
        for _ in 0..20 {
            now = match t.reserve("x", "proxy", now, &LIMITS) {
                Ok(_) => now,
                Err(until) => {
                    assert!(until - now <= 60);
                    until
                }
            };
        }
        assert!(t.reserve("agent", "ailleurs", now, &LIMITS).is_ok());
    }

    #[test]
    fn parallel_reservations_cannot_exceed_the_free_tries() {
        let t = Arc::new(Mutex::new(Throttle::default()));
        let threads: Vec<_> = (0..64)
            .map(|_| {
                let t = Arc::clone(&t);
                std::thread::spawn(move || {
                    (0..10)
                        .filter(|_| {
                            t.lock()
                                .map(|mut t| t.reserve("agent", "a", 100, &LIMITS).is_ok())
                                .unwrap_or(false)
                        })
                        .count()
                })
            })
            .collect();
        let allowed: usize = threads.into_iter().map(|h| h.join().unwrap_or(0)).sum();
        assert_eq!(allowed, LIMITS.free as usize);
    }

    #[test]
    fn the_maps_stay_bounded() {
        let mut t = Throttle::default();
        for i in 0..(MAX_KEYS + 1000) {
            let _ = t.reserve(&format!("l{i}"), &format!("a{i}"), 100, &LIMITS);
        }
        assert!(t.logins.len() <= MAX_KEYS);
        assert!(t.addresses.len() <= MAX_KEYS);
    }
}
