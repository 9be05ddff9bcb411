//! What the reader targets share: `read_quote` as the upload route calls it,
//! with panics told apart by where they end up.
//!
//! `quote_reader` runs calamine inside `catch_unwind` (`load::guarded`) and
//! turns a panic there into `ReadErrorKind::Corrupted` — by design, because
//! calamine has panicking paths on malformed files that this crate cannot fix.
//! libFuzzer's own panic hook aborts on *every* panic, caught or not, so the
//! targets replace it: a panic that `read_quote` catches is counted and its
//! place printed the first few times; a panic that escapes `read_quote` is a
//! finding and aborts, which libFuzzer records as a crash.

use quote_reader::{Limits, ReadErrorKind, read_quote};
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

/// The last panic's message and place ("panicked at src/x.rs:1:2:\n..."), set by the hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
/// Caught panics by place (file:line), to print each place once.
static CAUGHT: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Replaces libFuzzer's aborting panic hook with one that only records the
/// panic; call it from the target's `init:`.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let place = info.location().map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()));
        let text = format!("{info}");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{place}\n{text}"));
        }
    }));
}

/// Reads `data` as the quote file `name` with the server's limits. Aborts
/// (a libFuzzer crash) only if a panic escapes `read_quote`.
pub fn read(name: &str, data: &[u8]) {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| read_quote(name, data, &Limits::default())));
    let last = LAST_PANIC.lock().ok().and_then(|mut l| l.take());
    match outcome {
        Err(_) => {
            eprintln!("panic escaped quote_reader::read_quote: {}", last.unwrap_or_default());
            std::process::abort();
        }
        Ok(Err(e)) if matches!(&e.kind, ReadErrorKind::Corrupted { detail } if detail.contains("panicked")) => {
            let place = last.as_deref().and_then(|l| l.lines().next()).unwrap_or("?").to_owned();
            if let Ok(mut caught) = CAUGHT.lock() {
                let n = caught.entry(place.clone()).or_insert(0);
                *n += 1;
                if *n == 1 {
                    eprintln!("caught-panic (read_quote returned Corrupted) at {place}");
                }
            }
        }
        Ok(_) => {}
    }
}

/// Reads `data` as a registry list with the import's limits (registry_reader runs calamine
/// inside `catch_unwind` too, answering `Broken`). Aborts only if a panic escapes `read_file`.
pub fn read_registry(data: &[u8]) {
    use registry_reader::{Limits as RegistryLimits, RegistryError, read_file};
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| read_file("list", data, &RegistryLimits::default())));
    let last = LAST_PANIC.lock().ok().and_then(|mut l| l.take());
    match outcome {
        Err(_) => {
            eprintln!("panic escaped registry_reader::read_file: {}", last.unwrap_or_default());
            std::process::abort();
        }
        Ok(Err(RegistryError::Broken { .. })) if last.is_some() => {
            let place = last.as_deref().and_then(|l| l.lines().next()).unwrap_or("?").to_owned();
            if let Ok(mut caught) = CAUGHT.lock() {
                let n = caught.entry(place.clone()).or_insert(0);
                *n += 1;
                if *n == 1 {
                    eprintln!("caught-panic (read_file returned Broken) at {place}");
                }
            }
        }
        Ok(_) => {}
    }
}
