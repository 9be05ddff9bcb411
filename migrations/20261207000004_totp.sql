-- The second factor: TOTP (RFC 6238) and recovery codes (OWASP ASVS 4.0.3 V2.6, V2.8).
--
-- The TOTP secret must be readable by the server to compute codes, so it cannot be hashed
-- like a password. It is sealed instead (XChaCha20-Poly1305, the user id as associated
-- data) with a key kept in a file beside the database, never in it: a copy of the database
-- alone (a backup, a stolen file) does not give the secrets.

-- One enrolment per user. `id` is never reused (AUTOINCREMENT): a session remembers the
-- enrolment it signed in with and ends when the enrolment is reset or replaced.
CREATE TABLE user_totp (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    -- 'v1:' then hex of nonce (24 bytes) and ciphertext with its tag.
    secret_sealed TEXT NOT NULL CHECK (secret_sealed LIKE 'v1:%'),
    -- The time-step (Unix time / 30) of the last code accepted: a code of that step or an
    -- earlier one is refused (RFC 6238 §5.2; ASVS 2.8.4: usable only once).
    last_step     INTEGER NOT NULL CHECK (last_step >= 0),
    enrolled_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Single-use recovery codes (ASVS 2.6.1), 80 random bits each, stored as a salted SHA-256
-- ('sha256$' salt hex '$' digest hex; ASVS 2.6.2 asks for a salt below 112 bits).
CREATE TABLE user_recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL CHECK (code_hash LIKE 'sha256$%$%'),
    used_at   TEXT
) STRICT;

CREATE INDEX user_recovery_codes_by_user ON user_recovery_codes (user_id) WHERE used_at IS NULL;
