//! Time-based one-time passwords (RFC 6238): secrets, codes, the enrolment QR code, and the
//! key that seals secrets at rest.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng;
use std::path::{Path, PathBuf};

/// Digits of a code: 6, what every authenticator app shows (RFC 4226 §5.3).
pub const DIGITS: usize = 6;
/// Seconds per time-step: 30, the default of RFC 6238 §4.1 and of the apps.
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of now: one (RFC 6238 §5.2 recommends at most one step of
/// network delay; it also covers a phone's clock a little off).
pub const SKEW_STEPS: u8 = 1;
/// Secret length: 160 bits, what RFC 4226 §4 recommends (R6: at least 128 bits).
pub const SECRET_BYTES: usize = 20;
/// Shortest secret accepted from outside (`ONSHI_DEMO_TOTP_SECRET`): 128 bits (RFC 4226 §4, R6).
pub const MIN_SECRET_BYTES: usize = 16;
/// The issuer the authenticator app shows beside the account.
pub const ISSUER: &str = "Onshi";

/// A TOTP shared secret (raw bytes; shown to people in base32, RFC 4648 without padding).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Why a base32 secret was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSecret {
    /// Not base32 (RFC 4648: A–Z and 2–7).
    #[error("the TOTP secret is not base32 (letters A-Z and digits 2-7)")]
    NotBase32,
    /// Fewer than 128 bits.
    #[error("the TOTP secret has {0} bits; at least 128 are needed (26 base32 characters, RFC 4226 section 4)")]
    TooShort(usize),
}

impl Secret {
    /// A new random secret of [`SECRET_BYTES`] from the thread's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = vec![0_u8; SECRET_BYTES];
        rand::rng().fill(bytes.as_mut_slice());
        Secret(bytes)
    }

    /// A secret typed as base32: case, spaces and padding are ignored.
    pub fn parse_base32(text: &str) -> Result<Self, InvalidSecret> {
        let cleaned: String =
            text.chars().filter(|c| !c.is_whitespace() && *c != '=' && *c != '-').collect::<String>().to_uppercase();
        let bytes = totp_rs::Secret::Encoded(cleaned).to_bytes().map_err(|_| InvalidSecret::NotBase32)?;
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(InvalidSecret::TooShort(bytes.len() * 8));
        }
        Ok(Secret(bytes))
    }

    /// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
    pub fn base32(&self) -> String {
        totp_rs::Secret::Raw(self.0.clone()).to_encoded().to_string()
    }

    fn totp(&self) -> totp_rs::TOTP {
        // `new_unchecked`: the length is ours to check (parse_base32); RFC 6238's own test
        // vectors use SHA-1, as every authenticator app does by default.
        totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, DIGITS, SKEW_STEPS, STEP_SECONDS, self.0.clone())
    }

    /// The code of a time-step.
    pub fn code_at_step(&self, step: u64) -> String {
        self.totp().generate(step * STEP_SECONDS)
    }

    /// The step whose code `code` is, among now and [`SKEW_STEPS`] either side; the caller
    /// refuses a step already used (replay).
    pub fn matching_step(&self, code: &str, unix_now: u64) -> Option<u64> {
        let now = step_at(unix_now);
        let totp = self.totp();
        let skew = u64::from(SKEW_STEPS);
        // Every candidate is computed and compared in constant time, so timing does not say which matched.
        (now.saturating_sub(skew)..=now + skew)
            .filter(|step| constant_time_eq(totp.generate(step * STEP_SECONDS).as_bytes(), code.as_bytes()))
            .max()
    }

    /// The `otpauth://` URI that authenticator apps read from the QR code (Key Uri Format).
    pub fn otpauth_uri(&self, account: &str) -> String {
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            issuer = ISSUER,
            // An e-mail address has no spaces, which this encoding alone would write as `+`.
            account = form_urlencoded::byte_serialize(account.as_bytes()).collect::<String>(),
            secret = self.base32(),
        )
    }
}

/// The time-step of a Unix time (RFC 6238 §4.2: T = floor((now − T0) / X), T0 = 0).
pub fn step_at(unix: u64) -> u64 {
    unix / STEP_SECONDS
}

/// Seconds since the Unix epoch, as TOTP counts them.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A QR code of `text` as an SVG document without the XML prologue, to place in a page.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
    Some(svg.split_once("?>").map_or(svg.as_str(), |(_, rest)| rest).to_owned())
}

/// The key that seals TOTP secrets in the database (XChaCha20-Poly1305, 256 bits), kept in
/// a file of its own beside the database so that a copy of the database alone does not
/// reveal the secrets (OWASP ASVS 4.0.3, 2.8.2: keys of OTP verifiers highly protected).
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

/// Where the sealing key of the database at `db` lives: beside it, `<file>.totp-key`.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".totp-key");
    db.with_file_name(name)
}

impl SealingKey {
    /// A fresh random key (tests, and the first start).
    pub fn generate() -> Self {
        let mut key = [0_u8; 32];
        rand::rng().fill(&mut key);
        SealingKey(key)
    }

    /// Reads the key file, or creates it (readable by the owner only) when it is missing.
    /// Returns whether it was created.
    pub fn load_or_create(path: &Path) -> std::io::Result<(Self, bool)> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(text.trim())
                .map(|k| (k, false))
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not 64 hexadecimal digits")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path)?;
                std::io::Write::write_all(&mut file, format!("{}\n", hex(&key.0)).as_bytes())?;
                file.sync_all()?;
                Ok((key, true))
            }
            Err(e) => Err(e),
        }
    }

    fn from_hex(text: &str) -> Option<Self> {
        let bytes = unhex(text)?;
        Some(SealingKey(bytes.try_into().ok()?))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// The secret of `user_id` sealed for storage: `v1:` and hex of nonce and ciphertext.
    /// The user id is authenticated with it, so a sealed secret copied to another user's
    /// row does not open.
    pub fn seal(&self, user_id: i64, secret: &Secret) -> String {
        let mut nonce = [0_u8; 24];
        rand::rng().fill(&mut nonce);
        let aad = user_id.to_be_bytes();
        let sealed = self
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: &secret.0, aad: &aad })
            // Encryption only fails for messages beyond 256 GiB.
            .unwrap_or_default();
        format!("v1:{}{}", hex(&nonce), hex(&sealed))
    }

    /// The secret of `user_id`, or None when it was sealed with another key or altered.
    pub fn open(&self, user_id: i64, sealed: &str) -> Option<Secret> {
        let bytes = unhex(sealed.strip_prefix("v1:")?)?;
        let (nonce, ciphertext) = bytes.split_at_checked(24)?;
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        let aad = user_id.to_be_bytes();
        self.cipher().decrypt(&XNonce::from(nonce), Payload { msg: ciphertext, aad: &aad }).ok().map(Secret)
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890", 8-digit codes; the last
    /// six digits are the 6-digit code.
    #[test]
    fn codes_match_the_test_vectors_of_rfc_6238() {
        let secret = Secret(b"12345678901234567890".to_vec());
        for (time, eight_digits) in [
            (59_u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(secret.code_at_step(step_at(time)), eight_digits[2..], "T = {time}");
        }
    }

    #[test]
    fn a_code_matches_its_own_step_and_one_either_side_but_not_two() {
        let secret = Secret::generate();
        let now = 1_800_000_000;
        let step = step_at(now);
        for offset in [-1_i64, 0, 1] {
            let s = step.checked_add_signed(offset).expect("step");
            assert_eq!(secret.matching_step(&secret.code_at_step(s), now), Some(s), "offset {offset}");
        }
        for s in [step - 2, step + 2] {
            let code = secret.code_at_step(s);
            // A code of a far step may collide with a near one by chance (1 in 10^6 per step).
            let near = (step - 1..=step + 1).any(|n| secret.code_at_step(n) == code);
            assert_eq!(secret.matching_step(&code, now).is_some(), near, "step {s}");
        }
        assert_eq!(secret.matching_step("12345", now), None, "five digits never match");
    }

    #[test]
    fn base32_round_trips_and_reads_what_people_type() {
        let secret = Secret::generate();
        assert_eq!(secret.base32().len(), 32, "160 bits are 32 base32 characters");
        assert_eq!(Secret::parse_base32(&secret.base32()), Ok(secret.clone()));
        let typed = secret
            .base32()
            .to_lowercase()
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(Secret::parse_base32(&typed), Ok(secret));
        assert_eq!(
            Secret::parse_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").map(|s| s.0),
            Ok(b"12345678901234567890".to_vec())
        );
        assert_eq!(Secret::parse_base32("not base32!"), Err(InvalidSecret::NotBase32));
        assert_eq!(Secret::parse_base32("GEZDGNBV"), Err(InvalidSecret::TooShort(40)));
    }

    #[test]
    fn the_uri_names_issuer_account_and_parameters() {
        let secret = Secret(b"12345678901234567890".to_vec());
        assert_eq!(
            secret.otpauth_uri("a.b+c@demo.onshi.jp"),
            "otpauth://totp/Onshi:a.b%2Bc%40demo.onshi.jp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Onshi&algorithm=SHA1&digits=6&period=30"
        );
        let svg = qr_svg(&secret.otpauth_uri("x@y.jp")).expect("fits a QR code");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_its_user() {
        let key = SealingKey::generate();
        let secret = Secret::generate();
        let sealed = key.seal(7, &secret);
        assert!(!sealed.contains(&hex(&secret.0)), "the secret is not stored as it is");
        assert_ne!(sealed, key.seal(7, &secret), "a fresh nonce each time");
        assert_eq!(key.open(7, &sealed), Some(secret));
        assert_eq!(key.open(8, &sealed), None, "another user's row");
        assert_eq!(SealingKey::generate().open(7, &sealed), None, "another key");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(key.open(7, &String::from_utf8(altered).expect("ascii")), None, "an altered byte");
    }

    #[test]
    fn the_key_file_is_created_once_for_the_owner_only_and_read_back() {
        let dir = std::env::temp_dir().join(format!("onshi-key-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = key_path(&dir.join("onshi.sqlite"));
        assert_eq!(path.file_name().and_then(|n| n.to_str()), Some("onshi.sqlite.totp-key"));
        let _ = std::fs::remove_file(&path);
        let (first, created) = SealingKey::load_or_create(&path).expect("created");
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "no access for group or others: {mode:o}");
        }
        let (again, created) = SealingKey::load_or_create(&path).expect("read");
        assert!(!created);
        assert_eq!(first.0, again.0);
        std::fs::write(&path, "not a key").expect("write");
        assert!(SealingKey::load_or_create(&path).is_err(), "a damaged key file is an error, not a new key");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
