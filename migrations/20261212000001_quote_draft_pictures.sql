-- Issue 24: a quote read from a scan or a photo is checked against the picture of each of its
-- lines before it is stored; the pictures (grey PNG bands of the page, at most 1,200 pixels
-- wide) belong to the draft and go with it.
CREATE TABLE quote_draft_pictures (
    token  TEXT NOT NULL REFERENCES quote_drafts (token) ON DELETE CASCADE,
    row    INTEGER NOT NULL CHECK (row > 0),
    png    BLOB NOT NULL CHECK (length(png) <= 2097152),
    PRIMARY KEY (token, row)
) STRICT;
