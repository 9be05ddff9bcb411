-- Every session of a user ends when an admin resets the password, changes the role or
-- scope, or disables the account (OWASP ASVS 4.0.3 V3.3.3 / V2.5): a session records the
-- user's epoch at sign-in and is honoured only while it is still the user's epoch.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
