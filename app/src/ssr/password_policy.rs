//! What a new password must be: 12–128 characters, not blank, not common or breached, not a
//! repetition or a run of characters, and not the service's or the account's own name.
//!
//! Applied wherever a password is set (the admin's add and reset, `onshi user add`, the demo
//! users' start-up password). Sources: OWASP ASVS 4.0.3 2.1.1, 2.1.2 and 2.1.7; NIST SP 800-63B
//! 5.1.1.2 (compare against breached passwords, dictionary words, repetitive or sequential
//! characters and context-specific words such as the service's and the user's name).

use std::sync::OnceLock;

pub use crate::api::admin::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// The service's name, which a password must not contain (NIST SP 800-63B 5.1.1.2).
const SERVICE_NAME: &str = "onshi";

/// Pieces of the e-mail's local part shorter than this are too common to refuse
/// (「ab」 is inside many good passphrases).
const MIN_NAME_PIECE_CHARS: usize = 4;

/// Common passwords of at least [`MIN_PASSWORD_CHARS`] characters, lower-cased and sorted,
/// after a header that names their source and licence and ends with a blank line.
const COMMON_PASSWORDS_GZ: &[u8] = include_bytes!("../../data/common_passwords.txt.gz");

/// Why a password cannot be set. [`std::fmt::Display`] says in Japanese what to do instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Weakness {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters (ASVS 2.1.1).
    #[error("パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください。")]
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`] characters (ASVS 2.1.2).
    #[error("パスワードは{MAX_PASSWORD_CHARS}文字以内にしてください。")]
    TooLong,
    /// Only spaces, tabs or other whitespace.
    #[error("空白だけのパスワードは使えません。文字や数字を入れてください。")]
    Blank,
    /// In the list of common and breached passwords (ASVS 2.1.7), compared without case.
    #[error(
        "このパスワードは、流出したパスワードや多くの人が使うパスワードの一覧に含まれているため使えません。関係のない単語をいくつか組み合わせるなど、推測されにくいものにしてください。"
    )]
    Common,
    /// One piece repeated (「aaaa…」「abab…」「1234 1234」) or at most two different characters.
    #[error("同じ文字や同じ並びを繰り返しただけのパスワードは使えません。繰り返しのないものにしてください。")]
    Repetitive,
    /// A run of consecutive characters (「abcdef…」「987654…」).
    #[error("「abcdef…」「123456…」のような連続した文字の並びは使えません。別のものにしてください。")]
    Sequential,
    /// Contains the service's name.
    #[error("パスワードにサービス名（Onshi）を含めないでください。")]
    NamesService,
    /// Contains the account's e-mail local part (or a part of it of four or more characters).
    #[error("パスワードにメールアドレスの「@」より前の部分を含めないでください。")]
    NamesAccount,
}

impl Weakness {
    /// The same advice in English, for the command line's second half.
    pub fn english(self) -> String {
        match self {
            Weakness::TooShort => {
                format!("password shorter than {MIN_PASSWORD_CHARS} characters (OWASP ASVS 2.1.1): choose a longer one")
            }
            Weakness::TooLong => {
                format!("password longer than {MAX_PASSWORD_CHARS} characters (OWASP ASVS 2.1.2): choose a shorter one")
            }
            Weakness::Blank => "the password is only whitespace: choose one with letters or digits".into(),
            Weakness::Common => {
                "the password is in the list of common and breached passwords (OWASP ASVS 2.1.7): choose one nobody would guess, e.g. several unrelated words".into()
            }
            Weakness::Repetitive => "the password only repeats a character or a piece: choose one without repetition".into(),
            Weakness::Sequential => "the password is a run of consecutive characters (abcdef…, 123456…): choose another".into(),
            Weakness::NamesService => "the password contains the service's name (Onshi): leave it out".into(),
            Weakness::NamesAccount => "the password contains the part of the e-mail before the @: leave it out".into(),
        }
    }
}

/// Whether `password` may be set for the account with this e-mail (`""` when the e-mail is not
/// known yet: the account check is then skipped). The first problem found is returned.
pub fn check(password: &str, email: &str) -> Result<(), Weakness> {
    check_length(password)?;
    if password.chars().all(char::is_whitespace) {
        return Err(Weakness::Blank);
    }
    let folded = password.to_lowercase();
    if folded.contains(SERVICE_NAME) {
        return Err(Weakness::NamesService);
    }
    if names_of(email).iter().any(|name| folded.contains(name.as_str())) {
        return Err(Weakness::NamesAccount);
    }
    let chars: Vec<char> = folded.chars().filter(|c| !c.is_whitespace()).collect();
    if is_repetitive(&chars) {
        return Err(Weakness::Repetitive);
    }
    if is_sequential(&chars) {
        return Err(Weakness::Sequential);
    }
    if is_common(&folded) || is_common(folded.trim()) {
        return Err(Weakness::Common);
    }
    Ok(())
}

/// Whether the length is within 12–128 characters (counted as characters, not bytes).
pub fn check_length(password: &str) -> Result<(), Weakness> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(Weakness::TooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(Weakness::TooLong)
    } else {
        Ok(())
    }
}

/// The e-mail's local part and its pieces between `.`, `_`, `-` and `+`, lower-cased, each of
/// at least [`MIN_NAME_PIECE_CHARS`] characters.
fn names_of(email: &str) -> Vec<String> {
    let local = email.trim().rsplit_once('@').map_or("", |(local, _)| local).to_lowercase();
    std::iter::once(local.as_str())
        .chain(local.split(['.', '_', '-', '+']))
        .filter(|piece| piece.chars().count() >= MIN_NAME_PIECE_CHARS)
        .map(str::to_owned)
        .collect()
}

/// At most two different characters, or one piece repeated from start to end (the last
/// repetition may be cut short).
fn is_repetitive(chars: &[char]) -> bool {
    let mut distinct = chars.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 2 {
        return true;
    }
    // Period p: every character equals the one p before it ("abcabcab" has period 3).
    (1..=chars.len() / 2).any(|period| chars[period..] == chars[..chars.len() - period])
}

/// Every character one after (or one before) the previous: 「abcdefghijkl」, 「345678901234」
/// (digits wrap from 9 to 0), 「zyxwvutsrqpo」.
fn is_sequential(chars: &[char]) -> bool {
    let step = |a: char, b: char, up: bool| -> bool {
        let (from, to) = if up { (a, b) } else { (b, a) };
        (from.is_ascii_alphanumeric() && u32::from(to) == u32::from(from) + 1) || (from == '9' && to == '0')
    };
    [true, false].into_iter().any(|up| chars.windows(2).all(|w| step(w[0], w[1], up)))
}

/// Whether the lower-cased password is in the shipped list.
fn is_common(folded: &str) -> bool {
    common_passwords().binary_search_by(|entry| entry.as_ref().cmp(folded)).is_ok()
}

/// The list, decompressed on first use (about 44,000 entries, under 2 MB).
fn common_passwords() -> &'static [Box<str>] {
    static LIST: OnceLock<Vec<Box<str>>> = OnceLock::new();
    LIST.get_or_init(|| {
        use std::io::Read;
        let mut text = String::new();
        if let Err(e) = flate2::read::GzDecoder::new(COMMON_PASSWORDS_GZ).read_to_string(&mut text) {
            // Cannot happen with the file built in; logged rather than panicking on a request.
            tracing::error!(error = %e, "the common-password list cannot be read");
        }
        let entries = text.split_once("\n\n").map_or("", |(_header, entries)| entries);
        let mut list: Vec<Box<str>> = entries.lines().filter(|l| !l.is_empty()).map(Box::from).collect();
        list.sort_unstable();
        list
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_read_whole_and_holds_known_breached_passwords() {
        assert!(common_passwords().len() > 40_000, "{}", common_passwords().len());
        for known in ["password1234", "qwertyuiopasdfghjkl", "123456789012", "1qaz2wsx3edc"] {
            assert!(is_common(known), "{known}");
        }
        assert!(common_passwords().iter().all(|p| p.chars().count() >= MIN_PASSWORD_CHARS));
    }

    #[test]
    fn the_reported_weak_passwords_are_refused_each_with_its_reason() {
        let cases = [
            ("aaaaaaaaaaaa", Weakness::Repetitive),
            ("password1234", Weakness::Common),
            ("PassWord1234", Weakness::Common),
            (" password1234 ", Weakness::Common),
            ("            ", Weakness::Blank),
            ("\t\t\t\t\u{3000}\u{3000}      ", Weakness::Blank),
            ("abababababab", Weakness::Repetitive),
            ("abcabcabcabc", Weakness::Repetitive),
            ("tulip-river-tulip-river-tul", Weakness::Repetitive),
            ("1234 1234 1234", Weakness::Repetitive),
            ("aaaaaabbbbbb", Weakness::Repetitive),
            ("abcdefghijklmn", Weakness::Sequential),
            ("345678901234", Weakness::Sequential),
            ("zyxwvutsrqpo", Weakness::Sequential),
            ("my-Onshi-password-2026", Weakness::NamesService),
            ("short", Weakness::TooShort),
        ];
        for (password, why) in cases {
            assert_eq!(check(password, "kanri@example.jp"), Err(why), "{password:?}");
        }
        assert_eq!(check(&"あい".repeat(65), ""), Err(Weakness::TooLong));
    }

    #[test]
    fn the_accounts_own_name_is_refused_but_short_pieces_are_not() {
        let email = "taro.yamada@clinic.example.jp";
        assert_eq!(check("Yamada-tulip-river-9", email), Err(Weakness::NamesAccount));
        assert_eq!(check("taro.yamada-spring-77", email), Err(Weakness::NamesAccount));
        assert_eq!(check("Yamada-tulip-river-9", ""), Ok(()), "no e-mail, no account check");
        assert_eq!(check("ab-tulip-river-quiet", "ab@example.jp"), Ok(()), "two letters are no name");
    }

    #[test]
    fn ordinary_passphrases_and_generated_passwords_pass() {
        for good in [
            "correct-horse-battery-staple",
            "tulip river quiet 4729",
            "Zq7!mR2#pL9$",
            "ひまわり畑で朝ごはんを食べる",
            "Demo-Secret-4729-horse",
        ] {
            assert_eq!(check(good, "manager@demo.onshi.jp"), Ok(()), "{good}");
        }
    }

    #[test]
    fn every_message_is_japanese_and_says_what_to_do() {
        let all = [
            Weakness::TooShort,
            Weakness::TooLong,
            Weakness::Blank,
            Weakness::Common,
            Weakness::Repetitive,
            Weakness::Sequential,
            Weakness::NamesService,
            Weakness::NamesAccount,
        ];
        for w in all {
            let text = w.to_string();
            assert!(text.ends_with("ください。") || text.ends_with("使えません。"), "{text}");
            assert!(text.contains("ください"), "says what to do: {text}");
            assert!(w.english().chars().filter(char::is_ascii_alphabetic).count() > 10);
        }
    }
}
