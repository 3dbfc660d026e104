-- Reviewing research before it is written. Timestamps are Unix milliseconds (UTC).

-- Where each research-written company value came from: field → {"url", "quote", "by", "runId",
-- "at"}, shown on hover beside the value.
ALTER TABLE companies ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(provenance));

-- A new value research found for a field it had written before. Values are only ever filled
-- when empty; replacing one waits for the user's approval here. A value the user typed is
-- never proposed over.
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    field       TEXT    NOT NULL,
    current     TEXT,
    proposed    TEXT    NOT NULL,
    -- The page and words that state the proposed value.
    url         TEXT,
    quote       TEXT,
    -- `website` (the site's own markup) or `model` (a verified model fact).
    by          TEXT    NOT NULL CHECK (by IN ('website', 'model')),
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
) STRICT;

-- One open proposal per field and company: a newer run replaces it.
CREATE UNIQUE INDEX proposals_one_pending ON proposals (company_id, field) WHERE status = 'pending';
