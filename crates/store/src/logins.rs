//! Wrong passwords given to the command line, remembered per login across processes, so that
//! guessing a password from a shell gets slower at each try (1 s, 2 s, 4 s… up to a minute):
//! a pause, never a lockout, so that the real holder still gets in. Nothing secret is kept:
//! the login, how many failures, and when. The web keeps its own pause in memory.

use crate::StoreError;

/// How long an attempt waits after failures. Times are milliseconds since the Unix epoch,
/// given by the caller (tests move the clock and shorten the base).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure; it doubles with each further one.
    pub base_ms: i64,
    /// The longest wait.
    pub cap_ms: i64,
    /// Failures this long after the last one are forgotten.
    pub forget_after_ms: i64,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base_ms: 1_000,
            cap_ms: 60_000,
            forget_after_ms: 60 * 60 * 1_000,
        }
    }
}

impl Backoff {
    /// The wait before the attempt that follows `failures` failures: none after none, then
    /// `base`, `2 × base`, `4 × base`… never more than `cap`.
    pub fn delay_ms(&self, failures: u32) -> i64 {
        if failures == 0 {
            return 0;
        }
        let doubling = 1i64 << (failures - 1).min(62);
        self.base_ms
            .max(0)
            .saturating_mul(doubling)
            .min(self.cap_ms.max(0))
    }
}

/// Where failures are kept.
pub trait LoginThrottle {
    /// Takes a turn for an attempt to sign in as `login` at `now_ms`: how many milliseconds
    /// the caller waits before checking the password (0 without recent failures). Turns are
    /// spaced by the current delay, so attempts launched side by side wait one after another.
    fn login_turn(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<i64, StoreError>;

    /// Records a wrong password (or an unknown or disabled login) at `now_ms`: the number of
    /// recent failures, this one included.
    fn login_failed(
        &mut self,
        login: &str,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<u32, StoreError>;

    /// The right password: the failures of `login` are forgotten.
    fn login_succeeded(&mut self, login: &str) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_its_cap() {
        let b = Backoff::default();
        let delays: Vec<i64> = (0..9).map(|n| b.delay_ms(n)).collect();
        assert_eq!(
            delays,
            vec![
                0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000
            ]
        );
        assert_eq!(b.delay_ms(u32::MAX), 60_000);
        assert_eq!(b.delay_ms(63), 60_000);
        assert_eq!(b.delay_ms(64), 60_000);
    }
}
