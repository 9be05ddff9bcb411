//! The programs a scan needs, run as child processes: Tesseract (OCR with its Japanese model)
//! and poppler's pdftoppm (a scanned PDF's pages as pictures, whatever their encoding: JPEG,
//! CCITT fax, JBIG2, JPEG 2000). A child process keeps a crash or a runaway parse of a hostile
//! file out of the server, is killed when the read is told to stop or its page takes too long,
//! and runs on one thread (`OMP_THREAD_LIMIT=1`), one at a time in the whole process: a scan
//! never holds both cores of the machine, and spreadsheets are read beside it.

use crate::budget::Stop;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Longest one page may take to recognise or render (a 200 dpi A4 page takes 1–4 s on the
/// 2-core machine: BENCHMARKS.md).
pub(crate) const PAGE_TIME_LIMIT: Duration = Duration::from_secs(30);

/// Most address space a child may take (bytes): Tesseract needs about 300 MB for a 300 dpi A4
/// page and pdftoppm less; a crafted PDF (an image stream that inflates to gigabytes) makes the
/// child fail instead of pushing the server out of memory. Set through util-linux's `prlimit`
/// (in every Debian), since this crate runs no unsafe code of its own to set it.
const MOST_MEMORY: u64 = 2 * 1024 * 1024 * 1024;

/// `prlimit`, looked for once.
fn prlimit() -> Option<&'static PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND.get_or_init(|| on_path("prlimit")).as_ref()
}

/// Most bytes a child may write back (a page's TSV is about 100 KB; a 3,000-pixel page as
/// PGM 13 MB).
const MOST_OUTPUT: u64 = 64 * 1024 * 1024;

/// The programs found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Engine {
    pub(crate) tesseract: PathBuf,
    /// pdftoppm, for scanned PDFs; None when poppler-utils is missing (images still work).
    pub(crate) pdftoppm: Option<PathBuf>,
    /// 「Tesseract 5.3.0（日本語）」, for the preview.
    pub(crate) name: String,
}

/// Why a program could not do its part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The read was told to stop.
    Stopped,
    /// The page took longer than [`PAGE_TIME_LIMIT`].
    TooSlow,
    /// The program failed (its words, for the logs).
    Failed(String),
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// Tesseract with its Japanese model and pdftoppm, looked for once per process: `ONSHI_TESSERACT`
/// names the program (set it empty to turn OCR off), otherwise `tesseract` on the PATH.
pub(crate) fn engine() -> Option<&'static Engine> {
    static FOUND: OnceLock<Option<Engine>> = OnceLock::new();
    FOUND.get_or_init(find).as_ref()
}

fn find() -> Option<Engine> {
    let tesseract = match std::env::var_os("ONSHI_TESSERACT") {
        Some(p) if p.is_empty() => return None,
        Some(p) => PathBuf::from(p),
        None => on_path("tesseract")?,
    };
    let langs = Command::new(&tesseract).arg("--list-langs").stderr(Stdio::null()).output().ok()?;
    if !String::from_utf8_lossy(&langs.stdout).lines().any(|l| l.trim() == "jpn") {
        return None;
    }
    let version = Command::new(&tesseract).arg("--version").output().ok();
    let version = version
        .as_ref()
        .and_then(|v| {
            let all = [v.stdout.as_slice(), v.stderr.as_slice()].concat();
            String::from_utf8_lossy(&all).lines().next().map(|l| l.trim().to_owned())
        })
        .unwrap_or_else(|| "tesseract".to_owned());
    let name = format!("{}（日本語）", version.replacen("tesseract", "Tesseract", 1));
    Some(Engine { tesseract, pdftoppm: on_path("pdftoppm"), name })
}

/// One child process at a time in the whole process.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `program` with `args`, `input` on its standard input, and returns what it wrote to its
/// standard output — unless `stop` is raised, the page takes longer than [`PAGE_TIME_LIMIT`]
/// (waiting for the other child included), or it fails.
pub(crate) fn run(program: &Path, args: &[&str], input: &[u8], stop: &Stop) -> Result<Vec<u8>, Failure> {
    run_within(program, args, input, stop, PAGE_TIME_LIMIT)
}

fn run_within(program: &Path, args: &[&str], input: &[u8], stop: &Stop, limit: Duration) -> Result<Vec<u8>, Failure> {
    let deadline = Instant::now() + limit;
    let _turn = loop {
        match ONE_AT_A_TIME.try_lock() {
            Ok(turn) => break turn,
            Err(std::sync::TryLockError::Poisoned(p)) => break p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {}
        }
        if stop.is_stopped() {
            return Err(Failure::Stopped);
        }
        if Instant::now() > deadline {
            return Err(Failure::TooSlow);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut command = match prlimit() {
        Some(prlimit) => {
            let mut c = Command::new(prlimit);
            c.arg(format!("--as={MOST_MEMORY}")).arg("--").arg(program);
            c
        }
        None => Command::new(program),
    };
    let mut child = command
        .args(args)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Failed(format!("{}: {e}", program.display())))?;
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.to_vec();
        std::thread::spawn(move || {
            // A child that exits early closes the pipe: its exit status tells what happened.
            let _ = stdin.write_all(&input);
        })
    });
    let reader = child.stdout.take().map(|stdout| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.take(MOST_OUTPUT).read_to_end(&mut out);
            out
        })
    });
    let errors = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stderr.take(64 * 1024).read_to_end(&mut out);
            out
        })
    });
    let status = wait(&mut child, stop, deadline);
    if let Some(w) = writer {
        let _ = w.join();
    }
    let out = reader.and_then(|r| r.join().ok()).unwrap_or_default();
    let said = errors.and_then(|r| r.join().ok()).unwrap_or_default();
    match status? {
        status if status.success() => Ok(out),
        status => {
            Err(Failure::Failed(format!("{} {status}: {}", program.display(), String::from_utf8_lossy(&said).trim())))
        }
    }
}

/// Waits for `child`, killing it when `stop` is raised or `deadline` passes.
fn wait(child: &mut Child, stop: &Stop, deadline: Instant) -> Result<std::process::ExitStatus, Failure> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) => {}
            Err(e) => return Err(Failure::Failed(e.to_string())),
        }
        let why = if stop.is_stopped() {
            Some(Failure::Stopped)
        } else if Instant::now() > deadline {
            Some(Failure::TooSlow)
        } else {
            None
        };
        if let Some(why) = why {
            let _ = child.kill();
            let _ = child.wait();
            return Err(why);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_past_its_time_is_killed_and_its_output_returned_otherwise() {
        let sleep = Path::new("/bin/sleep");
        let started = Instant::now();
        assert_eq!(run_within(sleep, &["5"], b"", &Stop::new(), Duration::from_millis(200)), Err(Failure::TooSlow));
        assert!(started.elapsed() < Duration::from_secs(2));
        let stop = Stop::new();
        stop.stop();
        assert_eq!(run_within(sleep, &["5"], b"", &stop, Duration::from_secs(5)), Err(Failure::Stopped));
        let cat = Path::new("/bin/cat");
        assert_eq!(run_within(cat, &[], b"ink", &Stop::new(), Duration::from_secs(5)), Ok(b"ink".to_vec()));
        assert!(matches!(
            run_within(Path::new("/bin/false"), &[], b"", &Stop::new(), Duration::from_secs(5)),
            Err(Failure::Failed(_))
        ));
    }

    #[test]
    fn a_program_that_asks_for_more_memory_than_allowed_fails_alone() {
        assert!(prlimit().is_some(), "prlimit (util-linux) is on every Debian");
        let env = Path::new("/usr/bin/env");
        let take = format!("x = bytearray({})", MOST_MEMORY + (1 << 30));
        let result = run_within(env, &["python3", "-c", &take], b"", &Stop::new(), Duration::from_secs(20));
        assert!(matches!(result, Err(Failure::Failed(_))), "{result:?}");
    }
}
