//! Recovery codes: single-use look-up secrets for a lost authenticator (OWASP ASVS 4.0.3 V2.6).
//!
//! Each code is 16 characters from a 32-letter alphabet, 80 random bits, shown as
//! `ABCD-EFGH-JKLM-NPQR`. ASVS 2.6.2 asks for 112 bits, or a unique random salt of at least 32
//! bits and an approved one-way hash below that: each is stored as SHA-256 over a 128-bit salt
//! and the code. A fast hash is enough for 80 random bits (2^80 guesses per code), where a
//! password needs argon2's slowness; it also keeps trying ten codes at a login cheap.

use rand::Rng;
use sha2::{Digest, Sha256};

/// Codes given at enrolment: ten, as most services give.
pub const COUNT: usize = 10;
/// Letters of a code: Crockford's base32, without I, L, O and U, so nothing reads as something
/// else; a typed O is read as 0, and I or L as 1, as Crockford's decoding does.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code: 16 × 5 bits = 80 bits.
const LENGTH: usize = 16;

/// New codes, formatted for people.
pub fn generate() -> Vec<String> {
    let mut rng = rand::rng();
    (0..COUNT)
        .map(|_| {
            let chars: Vec<char> =
                (0..LENGTH).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// A code as typed, reduced to its letters: case, spaces and hyphens (also full-width) do
/// not matter; None when it cannot be a recovery code.
pub fn normalize(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '－' | 'ー' | '―'))
        .map(|c| match c {
            // Full-width letters and digits (U+FF01..U+FF5E) as an IME may type them.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase()
        .replace('O', "0")
        .replace(['I', 'L'], "1");
    (letters.len() == LENGTH && letters.bytes().all(|b| ALPHABET.contains(&b))).then_some(letters)
}

fn digest(salt: &[u8], letters: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(letters.as_bytes());
    h.finalize().into()
}

/// The stored form of a code: `sha256$<salt hex>$<digest hex>`.
pub fn hash(code: &str) -> String {
    let letters = normalize(code).unwrap_or_default();
    let mut salt = [0_u8; 16];
    rand::rng().fill(&mut salt);
    format!("sha256${}${}", crate::ssr::totp::hex(&salt), crate::ssr::totp::hex(&digest(&salt, &letters)))
}

/// Whether the normalized code `letters` is the one stored as `stored`.
pub fn matches(letters: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("sha256"), Some(salt), Some(expected), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(salt) = (0..salt.len())
        .step_by(2)
        .map(|i| salt.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    // The salt is secret to an attacker and the digest is not a key: a plain comparison
    // tells nothing by its timing.
    crate::ssr::totp::hex(&digest(&salt, letters)) == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_distinct_groups_of_four_from_the_alphabet() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert_eq!(code.split('-').map(str::len).collect::<Vec<_>>(), [4, 4, 4, 4], "{code}");
            assert!(normalize(code).is_some(), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
    }

    #[test]
    fn a_code_matches_its_hash_however_it_is_typed_and_no_other() {
        let codes = generate();
        let stored = hash(&codes[0]);
        assert!(!stored.contains(&codes[0].replace('-', "")), "not stored in the clear");
        assert_ne!(stored, hash(&codes[0]), "a fresh salt each time");
        let typed = format!(" {} ", codes[0].to_lowercase().replace('-', " "));
        assert!(matches(&normalize(&typed).expect("normalizes"), &stored));
        let full_width: String = codes[0]
            .chars()
            .map(|c| if c == '-' { 'ー' } else { char::from_u32(u32::from(c) + 0xfee0).unwrap_or(c) })
            .collect();
        assert!(matches(&normalize(&full_width).expect("full-width normalizes"), &stored));
        assert!(!matches(&normalize(&codes[1]).expect("normalizes"), &stored));
        assert!(!matches(&normalize(&codes[0]).expect("normalizes"), "sha256$zz$00"));
    }

    #[test]
    fn six_digits_or_a_short_text_is_not_a_recovery_code() {
        assert_eq!(normalize("123456"), None);
        assert_eq!(normalize("ABCD-EFGH-JKMN"), None);
        assert_eq!(normalize("ABCD-EFGH-JKMN-PQRU"), None, "U is not in the alphabet");
        assert_eq!(
            normalize("oooo-iiii-llll-0000").as_deref(),
            Some("0000111111110000"),
            "read as Crockford reads them"
        );
    }
}
