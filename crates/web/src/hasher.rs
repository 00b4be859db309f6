//! Argon2 with bounded room: each hash takes about 19 MiB and a core for a while, so at most
//! one per core runs at a time, a few more wait their turn, and the rest are told at once
//! that the server is busy. Hundreds of parallel logins cost the memory of a handful.

use crate::auth;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// No room in the queue: nothing was hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// What the hasher did, for tests and for a look at a running server.
#[derive(Debug, Default)]
pub struct HashStats {
    /// Passwords checked against a hash (unknown logins included, against the dummy hash).
    pub verifications: AtomicU64,
    /// New hashes made.
    pub hashes: AtomicU64,
    /// Argon2 running now, and the most ever at once.
    pub running: AtomicUsize,
    pub peak: AtomicUsize,
}

pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Requests running or waiting.
    admitted: Arc<AtomicUsize>,
    /// Running and waiting at most.
    capacity: usize,
    stats: Arc<HashStats>,
}

/// One admitted request: its place is freed when the work ends (or the request is dropped
/// while it waits).
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    /// `workers` hashes at once (0: one per core), `queue` more waiting.
    pub fn new(workers: usize, queue: usize) -> Hasher {
        let workers = match workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        Hasher {
            permits: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: workers + queue,
            stats: Arc::new(HashStats::default()),
        }
    }

    pub fn stats(&self) -> &HashStats {
        &self.stats
    }

    /// Whether `password` matches `hash`.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Busy> {
        let stats = Arc::clone(&self.stats);
        self.run(move || {
            stats.verifications.fetch_add(1, Ordering::Relaxed);
            auth::verify_password(&password, &hash)
        })
        .await
    }

    /// A new Argon2id hash of `password`; `Ok(None)` if hashing itself failed.
    pub async fn hash(&self, password: String) -> Result<Option<String>, Busy> {
        let stats = Arc::clone(&self.stats);
        self.run(move || {
            stats.hashes.fetch_add(1, Ordering::Relaxed);
            auth::hash_password(&password).ok()
        })
        .await
    }

    /// Runs `work` on the blocking pool once a core is free, or refuses at once when the
    /// queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let place = Place(Arc::clone(&self.admitted));
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| Busy)?;
        let stats = Arc::clone(&self.stats);
        // The permit and the place move into the blocking task: they are freed when the hash
        // is done, even if the client has gone.
        tokio::task::spawn_blocking(move || {
            let _held = (permit, place);
            let now = stats.running.fetch_add(1, Ordering::AcqRel) + 1;
            stats.peak.fetch_max(now, Ordering::AcqRel);
            let out = work();
            stats.running.fetch_sub(1, Ordering::AcqRel);
            out
        })
        .await
        .map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn at_most_workers_run_and_the_rest_wait_or_are_refused() {
        let hasher = Arc::new(Hasher::new(2, 3));
        let hash = auth::hash_password("mot de passe").expect("hash");
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let hasher = Arc::clone(&hasher);
                let hash = hash.clone();
                tokio::spawn(async move { hasher.verify("faux".into(), hash).await })
            })
            .collect();
        let mut checked = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.expect("task") {
                Ok(ok) => {
                    assert!(!ok);
                    checked += 1;
                }
                Err(Busy) => busy += 1,
            }
        }
        assert!(checked >= 5, "{checked}");
        assert!(busy > 0);
        assert_eq!(checked + busy, 40);
        let stats = hasher.stats();
        assert!(stats.peak.load(Ordering::Acquire) <= 2);
        assert_eq!(stats.verifications.load(Ordering::Acquire), checked);
        assert_eq!(hasher.admitted.load(Ordering::Acquire), 0);
        assert!(
            hasher
                .verify("mot de passe".into(), hash)
                .await
                .expect("room")
        );
    }
}
