//! Login throttling that slows guessing without letting a stranger lock anyone out
//! (OWASP ASVS 4.0.3 2.2.1; NIST SP 800-63B 5.2.2).
//!
//! Three counts of failures, each forgotten [`MEMORY`] after its last failure:
//! - **account and address** (the pair): [`PAIR_FREE_FAILURES`] free, then each further failure
//!   locks that pair — that address, for that account only — for 1, 2, 4 … minutes, at most an
//!   hour. A stranger's failures lock the stranger: never the owner elsewhere, nor colleagues
//!   behind the same address (one NAT, one hospital).
//! - **account**, across addresses: after [`ACCOUNT_SLOW_AFTER`] consecutive failures, attempts
//!   from addresses that have not signed in to it before wait a delay that grows with the
//!   failures, and such an address gets one free failure instead of five. From such addresses at
//!   most [`ACCOUNT_HOURLY_LIMIT`] failures an hour reach the account (ASVS 2.2.1; NIST's 100
//!   consecutive failures). An address the owner has signed in from is never held back by
//!   others' failures.
//! - **address**, across accounts (password spraying): after [`ADDRESS_SLOW_AFTER`] failures its
//!   attempts on accounts it has not signed in to are paced, one per interval that grows with its
//!   failures. Only that address is slowed.
//!
//! [`LoginThrottle::admit`] decides and reserves in one step under one lock: an attempt in
//! flight counts as a possible failure until its outcome is known, so 60 simultaneous guesses
//! cannot all pass the check before the first one is recorded. The same rules apply to any
//! e-mail string, existing or not, so no answer tells whether an account exists.

use crate::ssr::password::HashGate;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Failures of one account from one address before that pair is locked (ASVS 2.2.1 leaves the
/// number open; five forgives a few typing mistakes).
pub const PAIR_FREE_FAILURES: u32 = 5;
/// Consecutive failures of one account, from anywhere, after which strangers are slowed.
pub const ACCOUNT_SLOW_AFTER: u32 = 10;
/// Failures an hour that may reach one account from addresses it has not signed in from
/// (ASVS 4.0.3 2.2.1: "no more than 100 failed attempts per hour"; NIST SP 800-63B 5.2.2).
pub const ACCOUNT_HOURLY_LIMIT: usize = 100;
/// Failures of one address, across accounts, after which its attempts are paced (spraying:
/// higher than a pair's, as many people may share one address).
pub const ADDRESS_SLOW_AFTER: u32 = 30;
/// Counts are forgotten this long after their last failure.
pub const MEMORY: Duration = Duration::from_secs(24 * 60 * 60);
/// An address that signed in to an account is trusted for it this long (in memory: a restart
/// forgets it, and the failure counts with it).
const TRUST: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The first lock of a pair; each further failure doubles it.
const BASE_LOCK: Duration = Duration::from_secs(60);
/// The longest lock of a pair.
const MAX_LOCK: Duration = Duration::from_secs(60 * 60);
/// The first delay for strangers on a slowed account; doubles every [`ACCOUNT_SLOW_AFTER`] more.
const ACCOUNT_DELAY: Duration = Duration::from_secs(1);
/// The longest delay for strangers on a slowed account.
const MAX_ACCOUNT_DELAY: Duration = Duration::from_secs(4);
/// The first pacing interval of a spraying address; doubles every [`ADDRESS_SLOW_AFTER`] more.
const ADDRESS_INTERVAL: Duration = Duration::from_secs(1);
/// The longest pacing interval of a spraying address.
const MAX_ADDRESS_INTERVAL: Duration = Duration::from_secs(8);
/// A paced attempt waits for its turn at most this long; later ones are refused with the wait.
const MAX_PACING_WAIT: Duration = Duration::from_secs(8);
/// Longest e-mail (RFC 5321: 254 octets in a path); longer strings are no account.
pub const MAX_EMAIL_BYTES: usize = 254;
/// Entries kept before stale ones are swept out.
const SWEEP_AT: usize = 10_000;
/// Beyond this, even recent unlocked counts are dropped (a flood of random e-mails must not
/// exhaust memory; only attackers' counts are lost).
const HARD_CAP: usize = 200_000;
const HOUR: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Default)]
struct Pair {
    failures: u32,
    in_flight: u32,
    last_failure: Option<Instant>,
    locked_until: Option<Instant>,
    trusted_until: Option<Instant>,
}

#[derive(Debug, Default)]
struct Account {
    /// Consecutive failures (a success starts over).
    failures: u32,
    last_failure: Option<Instant>,
    /// Failures within the last hour, oldest first (at most [`ACCOUNT_HOURLY_LIMIT`]).
    last_hour: VecDeque<Instant>,
    in_flight: u32,
}

#[derive(Debug, Default)]
struct Address {
    failures: u32,
    last_failure: Option<Instant>,
    /// The next free turn of a paced address.
    next_turn: Option<Instant>,
    in_flight: u32,
}

#[derive(Debug)]
struct State {
    pairs: HashMap<(String, IpAddr), Pair>,
    accounts: HashMap<String, Account>,
    addresses: HashMap<IpAddr, Address>,
    sweep_at: usize,
}

impl Default for State {
    fn default() -> Self {
        State { pairs: HashMap::new(), accounts: HashMap::new(), addresses: HashMap::new(), sweep_at: SWEEP_AT }
    }
}

/// Shared throttle state of one server, with its hashing slots (in memory: a restart forgets
/// it, which only ever makes logins easier for legitimate users, never exposes data).
#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    state: Arc<Mutex<State>>,
    hashing: HashGate,
}

/// Why an attempt is refused before any password is checked (HTTP 429 with Retry-After).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This account is locked for this address after its failures (or its last attempts are
    /// still being checked).
    Locked(Duration),
    /// The account has had too many failures this hour, and this address has not signed in to
    /// it before.
    AccountLimited(Duration),
    /// This address has failed on many accounts; its attempts are paced.
    AddressSlowed(Duration),
}

impl Refusal {
    /// How long to wait before trying again.
    pub fn retry_after(self) -> Duration {
        match self {
            Refusal::Locked(d) | Refusal::AccountLimited(d) | Refusal::AddressSlowed(d) => {
                d.max(Duration::from_secs(1))
            }
        }
    }

    /// What the person is told, in Japanese: what happened and what to do.
    pub fn message(self) -> String {
        match self {
            Refusal::Locked(d) => format!(
                "ログインの失敗が続いたため、この接続元からのこのアカウントへのログインを一時的に制限しています。{}分後にもう一度お試しください。",
                minutes(d)
            ),
            Refusal::AccountLimited(d) => format!(
                "このアカウントへのログインの失敗が非常に多いため、これまでにログインしたことのない接続元からのログインを一時的に制限しています。いつもログインしている場所からお試しいただくか、{}分後にもう一度お試しください。",
                minutes(d)
            ),
            Refusal::AddressSlowed(d) => format!(
                "この接続元からのログインの失敗が多いため、ログインの受付を遅くしています。{}秒後にもう一度お試しください。",
                d.as_secs().max(1)
            ),
        }
    }
}

/// An attempt admitted by [`LoginThrottle::admit`]: it counts as a possible failure until
/// [`Attempt::failed`] or [`Attempt::succeeded`] records its outcome; dropped without one
/// (a busy server, an error), it counts as nothing.
#[derive(Debug)]
pub struct Attempt {
    state: Arc<Mutex<State>>,
    account: String,
    address: IpAddr,
    /// Free failures of the pair when admitted (one when the account was slowed).
    allowance: u32,
    delay: Duration,
    open: bool,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The account key: the e-mail as typed, trimmed and without case.
fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The address key: IPv6 by /64 (one subscriber's network, which one attacker holds whole),
/// IPv4-mapped IPv6 as IPv4, unknown as 0.0.0.0.
fn address_key(addr: Option<IpAddr>) -> IpAddr {
    match addr {
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
        Some(v4) => v4,
        None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

/// `base` doubled once per `every` failures beyond `after`, at most `max`.
fn growing(base: Duration, failures: u32, after: u32, every: u32, max: Duration) -> Duration {
    let doublings = (failures.saturating_sub(after) / every.max(1)).min(16);
    base.saturating_mul(2u32.pow(doublings)).min(max)
}

fn stale(last_failure: Option<Instant>, now: Instant) -> bool {
    last_failure.is_none_or(|t| now.saturating_duration_since(t) > MEMORY)
}

impl Pair {
    fn trusted(&self, now: Instant) -> bool {
        self.trusted_until.is_some_and(|t| t > now)
    }
    fn locked_for(&self, now: Instant) -> Option<Duration> {
        self.locked_until.filter(|t| *t > now).map(|t| t - now)
    }
    fn forget_if_stale(&mut self, now: Instant) {
        if stale(self.last_failure, now) && self.locked_for(now).is_none() {
            self.failures = 0;
        }
    }
}

impl Account {
    fn forget_if_stale(&mut self, now: Instant) {
        if stale(self.last_failure, now) {
            self.failures = 0;
        }
        while self.last_hour.front().is_some_and(|t| now.saturating_duration_since(*t) >= HOUR) {
            self.last_hour.pop_front();
        }
    }
}

impl LoginThrottle {
    /// The hashing slots that logins wait for.
    pub fn hashing(&self) -> &HashGate {
        &self.hashing
    }

    /// Decides whether an attempt on `email` from `addr` may have its password checked, and if
    /// so reserves it (in the same step, so simultaneous attempts see each other).
    pub fn admit(&self, email: &str, addr: Option<IpAddr>, now: Instant) -> Result<Attempt, Refusal> {
        let account = account_key(email);
        let address = address_key(addr);
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        state.sweep(now);

        let pair = state.pairs.entry((account.clone(), address)).or_default();
        pair.forget_if_stale(now);
        if let Some(wait) = pair.locked_for(now) {
            return Err(Refusal::Locked(wait));
        }
        let trusted = pair.trusted(now);
        let acct = state.accounts.entry(account.clone()).or_default();
        acct.forget_if_stale(now);
        if !trusted && acct.last_hour.len() + acct.in_flight as usize >= ACCOUNT_HOURLY_LIMIT {
            let oldest = acct.last_hour.front().copied().unwrap_or(now);
            return Err(Refusal::AccountLimited((oldest + HOUR).saturating_duration_since(now)));
        }
        let slowed = !trusted && acct.failures >= ACCOUNT_SLOW_AFTER;
        let allowance = if slowed { 1 } else { PAIR_FREE_FAILURES };
        if pair.in_flight > 0 && pair.failures + pair.in_flight >= allowance {
            // The attempts in flight may lock the pair: wait for them rather than guess alongside.
            return Err(Refusal::Locked(BASE_LOCK));
        }
        let mut delay = if slowed {
            growing(ACCOUNT_DELAY, acct.failures, ACCOUNT_SLOW_AFTER, ACCOUNT_SLOW_AFTER, MAX_ACCOUNT_DELAY)
        } else {
            Duration::ZERO
        };

        let from = state.addresses.entry(address).or_default();
        if stale(from.last_failure, now) {
            from.failures = 0;
        }
        if !trusted && from.failures >= ADDRESS_SLOW_AFTER {
            let interval =
                growing(ADDRESS_INTERVAL, from.failures, ADDRESS_SLOW_AFTER, ADDRESS_SLOW_AFTER, MAX_ADDRESS_INTERVAL);
            let turn = from.next_turn.filter(|t| *t > now).unwrap_or(now);
            let wait = turn - now;
            if wait > MAX_PACING_WAIT {
                return Err(Refusal::AddressSlowed(wait - MAX_PACING_WAIT));
            }
            from.next_turn = Some(turn + interval);
            delay = delay.max(wait);
        }

        from.in_flight += 1;
        acct.in_flight += 1;
        pair.in_flight += 1;
        Ok(Attempt { state: Arc::clone(&self.state), account, address, allowance, delay, open: true })
    }

    /// Forgets the account's failures and unlocks it everywhere (after an admin's password reset,
    /// the guessing so far is moot).
    pub fn forget_account(&self, email: &str) {
        let account = account_key(email);
        let mut state = lock(&self.state);
        if let Some(acct) = state.accounts.get_mut(&account) {
            acct.failures = 0;
            acct.last_hour.clear();
        }
        for ((a, _), pair) in &mut state.pairs {
            if *a == account {
                pair.failures = 0;
                pair.locked_until = None;
            }
        }
    }
}

impl State {
    /// Drops stale counts once the maps grow, so random e-mails cannot fill memory.
    fn sweep(&mut self, now: Instant) {
        let total = self.pairs.len() + self.accounts.len() + self.addresses.len();
        if total <= self.sweep_at {
            return;
        }
        let hard = total > HARD_CAP;
        self.pairs.retain(|_, p| {
            p.in_flight > 0 || p.trusted(now) || p.locked_for(now).is_some() || (!hard && !stale(p.last_failure, now))
        });
        self.accounts
            .retain(|_, a| a.in_flight > 0 || (!hard && (!a.last_hour.is_empty() || !stale(a.last_failure, now))));
        self.addresses.retain(|_, a| a.in_flight > 0 || (!hard && !stale(a.last_failure, now)));
        let kept = self.pairs.len() + self.accounts.len() + self.addresses.len();
        if hard {
            tracing::warn!(
                event = "login_throttle_flood",
                before = total,
                kept,
                "login counts dropped to bound memory"
            );
        }
        self.sweep_at = SWEEP_AT.max(kept * 2);
    }
}

impl Attempt {
    /// Whether this attempt was admitted for this e-mail.
    pub fn is_for(&self, email: &str) -> bool {
        self.account == account_key(email)
    }

    /// How long to wait before checking the password (slowed account or paced address).
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Records a wrong password (or second factor), logs it with account and address, and locks
    /// the pair when its free failures are used up.
    pub fn failed(mut self, now: Instant) {
        self.open = false;
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        self.release(state);
        let key = (self.account.clone(), self.address);
        let (pair_failures, lock) = match state.pairs.get_mut(&key) {
            Some(pair) => {
                pair.failures += 1;
                pair.last_failure = Some(now);
                let lock = (pair.failures >= self.allowance).then(|| {
                    let lock = growing(BASE_LOCK, pair.failures - self.allowance, 0, 1, MAX_LOCK);
                    pair.locked_until = Some(now + lock);
                    lock
                });
                (pair.failures, lock)
            }
            None => (0, None),
        };
        let acct = state.accounts.entry(self.account.clone()).or_default();
        acct.failures += 1;
        acct.last_failure = Some(now);
        acct.last_hour.push_back(now);
        while acct.last_hour.len() > ACCOUNT_HOURLY_LIMIT {
            acct.last_hour.pop_front();
        }
        let (account_failures, account_hour) = (acct.failures, acct.last_hour.len());
        let from = state.addresses.entry(self.address).or_default();
        from.failures += 1;
        from.last_failure = Some(now);
        let address_failures = from.failures;
        drop(guard);

        // The e-mail as typed is attacker-chosen: Debug formatting escapes line breaks.
        let (account, address) = (&self.account, self.address);
        tracing::warn!(
            event = "login_failed",
            account = ?account,
            address = %address,
            pair_failures,
            account_failures,
            address_failures,
            "login refused: wrong e-mail or password"
        );
        if let Some(lock) = lock {
            tracing::warn!(event = "login_locked", account = ?account, address = %address, pair_failures, seconds = lock.as_secs(), "account locked for this address");
        }
        if account_failures == ACCOUNT_SLOW_AFTER {
            tracing::warn!(event = "login_account_slowed", account = ?account, address = %address, account_failures, "logins from other addresses slowed for this account");
        }
        if account_hour == ACCOUNT_HOURLY_LIMIT {
            tracing::warn!(event = "login_account_limited", account = ?account, address = %address, account_failures, "hourly failure limit reached: only addresses that signed in before may try");
        }
        if address_failures == ADDRESS_SLOW_AFTER {
            tracing::warn!(event = "login_address_slowed", address = %address, address_failures, "address paced after failures across accounts");
        }
    }

    /// Records a sign-in: the pair's failures are cleared and the address trusted for the
    /// account; the account's consecutive failures start over (its hourly count stays).
    pub fn succeeded(mut self, now: Instant) {
        self.open = false;
        let mut state = lock(&self.state);
        self.release(&mut state);
        if let Some(pair) = state.pairs.get_mut(&(self.account.clone(), self.address)) {
            pair.failures = 0;
            pair.locked_until = None;
            pair.trusted_until = Some(now + TRUST);
        }
        if let Some(acct) = state.accounts.get_mut(&self.account) {
            acct.failures = 0;
        }
    }

    /// Ends the reservation made at admission.
    fn release(&self, state: &mut State) {
        if let Some(pair) = state.pairs.get_mut(&(self.account.clone(), self.address)) {
            pair.in_flight = pair.in_flight.saturating_sub(1);
        }
        if let Some(acct) = state.accounts.get_mut(&self.account) {
            acct.in_flight = acct.in_flight.saturating_sub(1);
        }
        if let Some(from) = state.addresses.get_mut(&self.address) {
            from.in_flight = from.in_flight.saturating_sub(1);
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.open {
            self.release(&mut lock(&self.state));
        }
    }
}

/// Minutes to wait, rounded up, for messages.
pub fn minutes(d: Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
    }

    /// Fails `n` attempts in a row, each admitted.
    fn fail(t: &LoginThrottle, email: &str, addr: Option<IpAddr>, n: u32, now: Instant) {
        for i in 0..n {
            t.admit(email, addr, now).unwrap_or_else(|r| panic!("attempt {i} refused: {r:?}")).failed(now);
        }
    }

    #[test]
    fn five_failures_from_one_address_are_free_and_then_its_locks_double() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        fail(&t, "a@x.jp", ip(2), 5, now);
        assert_eq!(t.admit("a@x.jp", ip(2), now).err(), Some(Refusal::Locked(BASE_LOCK)));
        let later = now + BASE_LOCK;
        fail(&t, "a@x.jp", ip(2), 1, later);
        assert_eq!(t.admit("A@X.jp ", ip(2), later).err(), Some(Refusal::Locked(BASE_LOCK * 2)));
    }

    #[test]
    fn a_strangers_failures_never_lock_the_owner_elsewhere_nor_colleagues_behind_the_same_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        fail(&t, "owner@x.jp", ip(2), 5, now);
        assert!(t.admit("owner@x.jp", ip(2), now).is_err(), "the stranger is locked");
        let owner = t.admit("owner@x.jp", ip(1), now).expect("the owner from elsewhere");
        assert_eq!(owner.delay(), Duration::ZERO);
        drop(owner);
        let colleague = t.admit("colleague@x.jp", ip(2), now).expect("a colleague behind the stranger's address");
        assert_eq!(colleague.delay(), Duration::ZERO);
    }

    #[test]
    fn simultaneous_attempts_are_admitted_only_up_to_the_free_failures() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let outcomes: Vec<_> = (0..60).map(|_| t.admit("a@x.jp", ip(2), now)).collect();
        let admitted = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(admitted, PAIR_FREE_FAILURES as usize, "60 at once, {admitted} admitted");
        for attempt in outcomes.into_iter().flatten() {
            attempt.failed(now);
        }
        assert!(matches!(t.admit("a@x.jp", ip(2), now), Err(Refusal::Locked(_))));
    }

    #[test]
    fn an_abandoned_attempt_counts_as_nothing() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..20 {
            drop(t.admit("a@x.jp", ip(2), now).expect("admitted"));
        }
        fail(&t, "a@x.jp", ip(2), PAIR_FREE_FAILURES, now);
    }

    #[test]
    fn a_slowed_account_delays_strangers_and_gives_each_new_address_one_failure() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for addr in 2..4 {
            fail(&t, "a@x.jp", ip(addr), 5, now);
        }
        let stranger = t.admit("a@x.jp", ip(9), now).expect("a new address may try");
        assert_eq!(stranger.delay(), ACCOUNT_DELAY);
        stranger.failed(now);
        assert!(matches!(t.admit("a@x.jp", ip(9), now), Err(Refusal::Locked(_))), "one failure locks it");
        // The owner's correct password from a clean address gets in, after the short delay.
        let owner = t.admit("a@x.jp", ip(1), now).expect("owner");
        assert!(owner.delay() <= MAX_ACCOUNT_DELAY);
        owner.succeeded(now);
        assert_eq!(t.admit("a@x.jp", ip(10), now).expect("start over").delay(), Duration::ZERO);
    }

    #[test]
    fn at_most_a_hundred_failures_an_hour_reach_an_account_but_its_owners_address_still_may_try() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        t.admit("a@x.jp", ip(1), now).expect("owner").succeeded(now);
        let mut failures = 0;
        for addr in 2..=254u8 {
            let Ok(attempt) = t.admit("a@x.jp", ip(addr), now) else { break };
            attempt.failed(now);
            failures += 1;
        }
        assert_eq!(failures, ACCOUNT_HOURLY_LIMIT);
        let other = Some(IpAddr::V4(Ipv4Addr::new(127, 0, 1, 1)));
        assert!(matches!(t.admit("a@x.jp", other, now), Err(Refusal::AccountLimited(w)) if w == HOUR));
        let owner = t.admit("a@x.jp", ip(1), now).expect("the owner's own address is not limited");
        assert_eq!(owner.delay(), Duration::ZERO, "nor slowed");
        drop(owner);
        assert!(t.admit("a@x.jp", other, now + HOUR).is_ok(), "an hour later strangers may try again");
    }

    #[test]
    fn a_spraying_address_is_paced_and_only_that_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..ADDRESS_SLOW_AFTER {
            fail(&t, &format!("user{i}@x.jp"), ip(2), 1, now);
        }
        let first = t.admit("next@x.jp", ip(2), now).expect("paced, not refused");
        let second = t.admit("next2@x.jp", ip(2), now).expect("the next turn");
        assert_eq!((first.delay(), second.delay()), (Duration::ZERO, ADDRESS_INTERVAL));
        let queued: Vec<_> = (0..20).map(|i| t.admit(&format!("q{i}@x.jp"), ip(2), now)).collect();
        assert!(
            queued.iter().any(|q| matches!(q, Err(Refusal::AddressSlowed(_)))),
            "turns beyond the wait are refused"
        );
        let elsewhere = t.admit("next@x.jp", ip(3), now).expect("another address");
        assert_eq!(elsewhere.delay(), Duration::ZERO);
    }

    #[test]
    fn an_unknown_account_is_throttled_exactly_like_a_known_one_and_counts_are_forgotten() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        fail(&t, "nobody@x.jp", ip(2), 5, now);
        assert_eq!(t.admit("NOBODY@x.jp", ip(2), now).err(), Some(Refusal::Locked(BASE_LOCK)));
        let later = now + MEMORY + Duration::from_secs(1);
        fail(&t, "nobody@x.jp", ip(2), 5, later);
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(Some(a)), address_key(Some(b)));
        assert_ne!(address_key(Some(a)), address_key(Some(c)));
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().expect("ip");
        assert_eq!(address_key(Some(mapped)), address_key(ip(2)));
    }

    #[test]
    fn an_admin_reset_forgets_the_accounts_failures() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        fail(&t, "a@x.jp", ip(2), 5, now);
        t.forget_account("a@x.jp");
        fail(&t, "a@x.jp", ip(2), 5, now);
    }

    #[test]
    fn a_flood_of_random_emails_keeps_the_maps_bounded() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..30_000u32 {
            let addr = Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)));
            drop(t.admit(&format!("r{i}@x.jp"), addr, now));
        }
        let state = lock(&t.state);
        assert!(state.pairs.len() <= SWEEP_AT * 2, "{}", state.pairs.len());
    }
}
