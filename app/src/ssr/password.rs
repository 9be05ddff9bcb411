//! Password hashing with argon2id, off the async threads, with a bound on hashes in flight.
//!
//! Each hash takes 19 MiB and a core for tens of milliseconds: 60 logins at once used to take the
//! server from 121 MB to 1.18 GB. [`HashGate`] lets one hash run per core; the others wait in a
//! queue for at most [`QUEUE_DEADLINE`], and beyond that the login is answered "busy" (503).

use argon2::{Algorithm, Argon2, Params, Version};
use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use crate::ssr::password_policy::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// How long a login waits for a free hashing slot before it is answered "busy": long enough
/// for a queue of about a hundred logins on two cores (~60 ms a hash), short enough that
/// nobody stares at a spinning page.
pub const QUEUE_DEADLINE: Duration = Duration::from_secs(5);

/// At most this many logins wait for a slot per core; later ones are answered "busy" at once,
/// since they could not be served within [`QUEUE_DEADLINE`] anyway.
const WAITING_PER_SLOT: usize = 64;

/// Argon2id with OWASP's recommended minimum: m = 19 MiB, t = 2, p = 1.
/// Source: OWASP Password Storage Cheat Sheet (Argon2id).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The hashing slots of one server: one per core, so hashes never outnumber the cores and
/// memory stays at about 19 MiB a core.
#[derive(Debug, Clone)]
pub struct HashGate {
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    verified: Arc<AtomicU64>,
}

impl Default for HashGate {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        HashGate::with_slots(cores)
    }
}

/// A hashing slot, held until the hash it was taken for has finished.
#[derive(Debug)]
pub struct HashSlot {
    _permit: OwnedSemaphorePermit,
}

/// No slot came free in time (or the queue was full): answer "busy".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl HashGate {
    /// A gate with this many slots (at least one).
    pub fn with_slots(slots: usize) -> Self {
        let slots = slots.max(1);
        HashGate {
            slots: Arc::new(Semaphore::new(slots)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting: slots * WAITING_PER_SLOT,
            verified: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Waits for a slot, at most [`QUEUE_DEADLINE`].
    pub async fn slot(&self) -> Result<HashSlot, Busy> {
        if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
            return Ok(HashSlot { _permit: permit });
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let acquired = tokio::time::timeout(QUEUE_DEADLINE, Arc::clone(&self.slots).acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match acquired {
            Ok(Ok(permit)) => Ok(HashSlot { _permit: permit }),
            _ => Err(Busy),
        }
    }

    /// Checks a password against a PHC hash in `slot` (the dummy hash when None, so an unknown
    /// or disabled account costs the same as a known one). A malformed hash never matches.
    pub async fn verify(&self, slot: HashSlot, password: &str, phc: Option<&str>) -> bool {
        self.verified.fetch_add(1, Ordering::SeqCst);
        let password = password.to_owned();
        let phc = phc.unwrap_or(DUMMY_HASH).to_owned();
        tokio::task::spawn_blocking(move || {
            // The slot lives as long as the hash, even if the request is abandoned meanwhile.
            let _slot = slot;
            PasswordHash::new(&phc).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false)
    }

    /// How many passwords this gate has checked since start (for the attack tests' evidence
    /// that refused attempts were never hashed).
    pub fn verified(&self) -> u64 {
        self.verified.load(Ordering::SeqCst)
    }
}

/// Hashes a password into a PHC string. Only for setting a password (admin, command line,
/// demo users); logins go through [`HashGate`].
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        hasher().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A fixed hash of a random string, so a login for an unknown account costs
/// the same as one for a known account.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Rk0mXyF1pbNw6u2pWcQbYV/C3Gc2aZ6b2u7cBqPQy8";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_gate_of_one_slot_runs_one_hash_and_answers_busy_when_its_queue_is_full() {
        let gate = HashGate::with_slots(1);
        let held = gate.slot().await.expect("the free slot");
        // Fill the queue: these wait (they would time out after the deadline).
        let waiters: Vec<_> = (0..WAITING_PER_SLOT)
            .map(|_| {
                let g = gate.clone();
                tokio::spawn(async move { g.slot().await.is_ok() })
            })
            .collect();
        for _ in 0..100 {
            if gate.waiting.load(Ordering::SeqCst) == WAITING_PER_SLOT {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(gate.slot().await.err(), Some(Busy), "the queue is full");
        drop(held);
        let mut served = 0;
        for w in waiters {
            // Each waiter takes the slot in turn and drops it at once.
            served += usize::from(w.await.expect("join"));
        }
        assert_eq!(served, WAITING_PER_SLOT, "every queued login got the slot within the deadline");
    }

    #[tokio::test]
    async fn a_password_matches_its_own_hash_only_and_the_dummy_never_matches() {
        let gate = HashGate::with_slots(1);
        let phc = hash("tulip river quiet 4729".into()).await.expect("hash");
        assert!(gate.verify(gate.slot().await.expect("slot"), "tulip river quiet 4729", Some(&phc)).await);
        assert!(!gate.verify(gate.slot().await.expect("slot"), "tulip river quiet 4728", Some(&phc)).await);
        assert!(!gate.verify(gate.slot().await.expect("slot"), "anything", None).await);
        assert!(!gate.verify(gate.slot().await.expect("slot"), "x", Some("not a hash")).await);
        assert_eq!(gate.verified(), 4);
    }
}
