-- What research read and found, per company: several leads at one company share it.
-- Timestamps are Unix milliseconds (UTC).

-- The deterministic profile of the last successful research, and when it was made.
ALTER TABLE companies ADD COLUMN profile TEXT CHECK (profile IS NULL OR json_valid(profile));
ALTER TABLE companies ADD COLUMN researched_at INTEGER;

-- Pages read, one row per URL per company; a new crawl replaces the company's rows.
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    url           TEXT    NOT NULL,
    -- home, about, pricing, careers, team, customers, contact, blog
    kind          TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    fetched_at    INTEGER NOT NULL,
    content_hash  TEXT    NOT NULL,
    title         TEXT,
    -- Readable main text as Markdown.
    text          TEXT    NOT NULL,
    -- Title, description, OpenGraph, JSON-LD types, socials, contacts, headings.
    metadata      TEXT    NOT NULL CHECK (json_valid(metadata)),
    -- Passages that address an AI assistant: the page is data, never instructions.
    injection     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(injection)),
    -- The server's validators, for a conditional re-fetch (HTTP 304 keeps this row's content).
    etag          TEXT,
    last_modified TEXT,
    UNIQUE (company_id, url)
) STRICT;

CREATE TABLE signals (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    -- tech, hiring, pricing, founded, size, location
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    value       TEXT,
    -- The words or markup on the page that show it.
    evidence    TEXT    NOT NULL,
    url         TEXT    NOT NULL
) STRICT;

CREATE INDEX signals_by_company ON signals (company_id, kind, name);
