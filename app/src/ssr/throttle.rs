//! Login throttling per account and per client address (OWASP ASVS 2.2.1).
//!
//! After [`FREE_FAILURES`] failures within [`WINDOW`], each further failure
//! locks the key for a period that doubles (1, 2, 4 … minutes, at most an
//! hour). The same rule applies to any e-mail string, existing or not, so the
//! answer never tells whether an account exists.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures allowed before locking.
pub const FREE_FAILURES: u32 = 5;
/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The first lock.
const BASE_LOCK: Duration = Duration::from_secs(60);
/// The longest lock.
const MAX_LOCK: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

/// Shared throttle state (in memory: a restart forgets it, which only ever
/// makes logins easier for legitimate users, never exposes data).
#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    entries: Arc<Mutex<HashMap<Key, Entry>>>,
}

fn account_key(email: &str) -> Key {
    Key::Account(email.trim().to_lowercase())
}

impl LoginThrottle {
    /// How long the caller must still wait, if the account or the address is locked.
    pub fn locked_for(&self, email: &str, addr: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut keys = vec![account_key(email)];
        keys.extend(addr.map(Key::Address));
        keys.iter()
            .filter_map(|k| entries.get(k))
            .filter_map(|e| e.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Records a failed attempt for the account and the address.
    pub fn record_failure(&self, email: &str, addr: Option<IpAddr>, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut keys = vec![account_key(email)];
        keys.extend(addr.map(Key::Address));
        for key in keys {
            let entry = entries.entry(key).or_insert(Entry { failures: 0, last_failure: now, locked_until: None });
            if now.duration_since(entry.last_failure) > WINDOW {
                *entry = Entry { failures: 0, last_failure: now, locked_until: None };
            }
            entry.failures += 1;
            entry.last_failure = now;
            if entry.failures >= FREE_FAILURES {
                let doublings = (entry.failures - FREE_FAILURES).min(6);
                let lock = (BASE_LOCK * 2u32.pow(doublings)).min(MAX_LOCK);
                entry.locked_until = Some(now + lock);
            }
        }
        // Keep memory bounded: forget stale entries now and then.
        if entries.len() > 10_000 {
            entries
                .retain(|_, e| now.duration_since(e.last_failure) <= WINDOW || e.locked_until.is_some_and(|u| u > now));
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, email: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.remove(&account_key(email));
    }
}

/// Minutes to wait, rounded up, for messages.
pub fn minutes(d: Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn five_failures_are_free_and_then_locks_double() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..4 {
            t.record_failure("a@x.jp", ADDR, now);
        }
        assert_eq!(t.locked_for("a@x.jp", ADDR, now), None);
        t.record_failure("a@x.jp", ADDR, now);
        assert_eq!(t.locked_for("a@x.jp", ADDR, now), Some(Duration::from_secs(60)));
        t.record_failure("a@x.jp", ADDR, now);
        assert_eq!(t.locked_for("a@x.jp", ADDR, now), Some(Duration::from_secs(120)));
    }

    #[test]
    fn an_unknown_account_is_throttled_exactly_like_a_known_one() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..5 {
            t.record_failure("nobody@x.jp", None, now);
        }
        assert_eq!(t.locked_for("NOBODY@x.jp", None, now), Some(Duration::from_secs(60)));
    }

    #[test]
    fn the_address_is_locked_across_accounts() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..5 {
            t.record_failure(&format!("user{i}@x.jp"), ADDR, now);
        }
        assert!(t.locked_for("someone-else@x.jp", ADDR, now).is_some());
        assert!(t.locked_for("someone-else@x.jp", None, now).is_none());
    }

    #[test]
    fn a_success_clears_the_account_and_old_failures_are_forgotten() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..4 {
            t.record_failure("a@x.jp", None, now);
        }
        t.record_success("a@x.jp");
        t.record_failure("a@x.jp", None, now);
        assert_eq!(t.locked_for("a@x.jp", None, now), None);
        let later = now + WINDOW + Duration::from_secs(1);
        for _ in 0..4 {
            t.record_failure("b@x.jp", None, now);
        }
        t.record_failure("b@x.jp", None, later);
        assert_eq!(t.locked_for("b@x.jp", None, later), None, "failures beyond the window start over");
    }
}
