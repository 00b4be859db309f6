//! Deterministic randomness: ChaCha8 from the seed, one independent stream per person and per
//! aspect.
//!
//! The extract files are written one after the other (a `DemoOutput` hands out one writer at a
//! time) and memory must not grow with the size, so a person is generated again for each file
//! that mentions them. Giving each (person, aspect) its own ChaCha stream makes that cheap and
//! exact: the plan of person 41 is the same whether it is drawn for `droits.csv` or for
//! `paiements.csv`, and never depends on what was drawn before it.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a stream is used for; part of the stream number so that aspects never share draws.
#[derive(Debug, Clone, Copy)]
pub enum Aspect {
    /// A person's benefits, rights, payees, and deliberate flaws.
    Plan = 0,
    /// A person's name, birth, address, phone.
    Identity = 1,
    /// A person's bank account.
    Bank = 2,
    /// Shared payees: home-help services, establishments, guardians.
    Pool = 8,
    Agents = 9,
    Suppliers = 10,
    Invoices = 11,
    /// Where the deliberately bad rows fall, per file and block.
    BadRows = 12,
    Directory = 13,
    /// Pay lines of the last good month (`paie.csv`).
    Payslips = 14,
}

/// The root of every stream.
#[derive(Debug, Clone)]
pub struct Streams {
    key: [u8; 32],
}

impl Streams {
    pub fn new(seed: u64) -> Streams {
        Streams {
            key: ChaCha8Rng::seed_from_u64(seed).get_seed(),
        }
    }

    /// The stream of `aspect` for item `index` (a person, a block of rows…).
    pub fn stream(&self, aspect: Aspect, index: u64) -> Rng {
        let mut inner = ChaCha8Rng::from_seed(self.key);
        inner.set_stream(index.wrapping_mul(16).wrapping_add(aspect as u64));
        Rng(inner)
    }
}

/// A ChaCha8 stream with the few draws the generator needs.
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// True with probability `per_mille` / 1000.
    pub fn per_mille(&mut self, per_mille: u32) -> bool {
        self.0.random_range(0..1000) < per_mille
    }

    /// Uniform index into a list of `len` items.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// One item, uniformly. The lists are the static tables of this crate, never empty.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = self.index(items.len());
        items[i.min(items.len().saturating_sub(1))]
    }

    /// One item, the first ones more often (density falling linearly with the rank): lists of
    /// names are in order of frequency.
    pub fn skewed<T: Copy>(&mut self, items: &[T]) -> T {
        let a = self.index(items.len());
        let b = self.index(items.len());
        items[a.min(b).min(items.len().saturating_sub(1))]
    }

    /// An index into a list of `len` items, the first ones more often.
    pub fn skewed_index(&mut self, len: usize) -> usize {
        let a = self.index(len);
        let b = self.index(len);
        a.min(b)
    }

    /// One item by weight: `(weight, item)` pairs.
    pub fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (w, item) in items {
            if x < u64::from(*w) {
                return *item;
            }
            x -= u64::from(*w);
        }
        items[items.len().saturating_sub(1)].1
    }

    /// `n` random decimal digits.
    pub fn digits(&mut self, n: usize, out: &mut String) {
        for _ in 0..n {
            out.push(char::from(b'0' + self.below(10) as u8));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let s = Streams::new(77);
        let draw = |aspect, i| {
            let mut r = s.stream(aspect, i);
            (0..8).map(|_| r.below(1_000_000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(Aspect::Plan, 41), draw(Aspect::Plan, 41));
        assert_ne!(draw(Aspect::Plan, 41), draw(Aspect::Plan, 42));
        assert_ne!(draw(Aspect::Plan, 41), draw(Aspect::Identity, 41));
        let other = Streams::new(78);
        let mut r = other.stream(Aspect::Plan, 41);
        assert_ne!(
            (0..8).map(|_| r.below(1_000_000)).collect::<Vec<_>>(),
            draw(Aspect::Plan, 41)
        );
    }
}
