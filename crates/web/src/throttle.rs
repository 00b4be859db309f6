//! Pausing logins after repeated failures, per login and per address, so that guessing a
//! password takes years and one address cannot lock every agent out. In memory: a restart
//! forgets, which only gives a guesser a few more tries.

use std::collections::HashMap;

/// Failures of one key within the window.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: i64,
}

#[derive(Debug, Default)]
pub struct Throttle {
    failures: HashMap<String, Failures>,
}

/// Keys above this many are pruned of expired entries before a new one is added.
const PRUNE_ABOVE: usize = 10_000;

impl Throttle {
    /// Whether `key` has failed `max` times within `window` seconds before `now`.
    pub fn blocked(&self, key: &str, now: i64, max: u32, window: i64) -> bool {
        self.failures
            .get(key)
            .is_some_and(|f| now - f.first < window && f.count >= max)
    }

    pub fn fail(&mut self, key: &str, now: i64, window: i64) {
        if self.failures.len() > PRUNE_ABOVE {
            self.failures.retain(|_, f| now - f.first < window);
        }
        let f = self.failures.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            first: now,
        });
        if now - f.first >= window {
            *f = Failures {
                count: 0,
                first: now,
            };
        }
        f.count = f.count.saturating_add(1);
    }

    pub fn succeed(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_within_the_window_only() {
        let mut t = Throttle::default();
        for i in 0..4 {
            t.fail("login:a", 100 + i, 900);
        }
        assert!(!t.blocked("login:a", 105, 5, 900));
        t.fail("login:a", 105, 900);
        assert!(t.blocked("login:a", 106, 5, 900));
        assert!(!t.blocked("login:b", 106, 5, 900));
        // The window passes: free again, and counting starts anew.
        assert!(!t.blocked("login:a", 100 + 900, 5, 900));
        t.fail("login:a", 1_000, 900);
        assert!(!t.blocked("login:a", 1_001, 5, 900));
        t.succeed("login:a");
        assert!(!t.blocked("login:a", 1_001, 1, 900));
    }
}
