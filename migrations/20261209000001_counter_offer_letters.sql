-- The counter-offer letter as its facility's manager edited it before sending: the sender's
-- details, the opening and each point's text (or that it is left out), as JSON. A quote has at
-- most one edited letter; without a row the letter is the one built from the audit. Every
-- save and reset is also in the audit trail, with the text before and after.
CREATE TABLE counter_offer_letters (
    quote_id    INTEGER PRIMARY KEY REFERENCES quotes (id) ON DELETE CASCADE,
    letter_json TEXT NOT NULL CHECK (json_valid(letter_json)),
    edited_by   INTEGER REFERENCES users (id),
    edited_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
