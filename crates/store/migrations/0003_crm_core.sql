-- The CRM core: richer leads, companies shared by domain, tags, a timeline per lead and a
-- full-text index over all of it. Timestamps are Unix milliseconds (UTC).

CREATE TABLE companies (
    id               INTEGER PRIMARY KEY,
    -- The registrable domain (acme.co.uk); NULL for a company known only by name.
    domain           TEXT UNIQUE,
    name             TEXT,
    website          TEXT,
    description      TEXT,
    industry         TEXT,
    size_band        TEXT,
    location         TEXT,
    -- JSON array of {"network": ..., "url": ...}.
    socials          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(socials)),
    -- JSON array of field names whose values research wrote.
    researched_fields TEXT   NOT NULL DEFAULT '[]' CHECK (json_valid(researched_fields)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (domain IS NOT NULL OR name IS NOT NULL)
) STRICT;

CREATE INDEX companies_by_name ON companies (name COLLATE NOCASE) WHERE domain IS NULL;

ALTER TABLE leads ADD COLUMN title TEXT;
ALTER TABLE leads ADD COLUMN phone TEXT;
ALTER TABLE leads ADD COLUMN linkedin_url TEXT;
ALTER TABLE leads ADD COLUMN company_id INTEGER REFERENCES companies (id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN source TEXT;
ALTER TABLE leads ADD COLUMN deal_value INTEGER CHECK (deal_value IS NULL OR deal_value >= 0);
ALTER TABLE leads ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE leads ADD COLUMN next_step TEXT;
ALTER TABLE leads ADD COLUMN next_step_due TEXT;
ALTER TABLE leads ADD COLUMN researched_fields TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(researched_fields));

CREATE INDEX leads_by_company ON leads (company_id) WHERE deleted_at IS NULL;

-- Existing leads get their company in the app (the registrable domain needs the Public Suffix
-- List); until then the name and website typed into the lead stay where they are.

CREATE TABLE lead_tags (
    lead_id   INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    tag       TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
    position  INTEGER NOT NULL,
    PRIMARY KEY (lead_id, tag)
) STRICT, WITHOUT ROWID;

CREATE INDEX lead_tags_by_tag ON lead_tags (tag COLLATE NOCASE);

CREATE TABLE activities (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('note', 'call', 'email', 'meeting', 'stage_change', 'research')),
    body         TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER
) STRICT;

CREATE INDEX activities_by_lead ON activities (lead_id, occurred_at DESC) WHERE deleted_at IS NULL;

-- One index over leads, companies and notes. `kind` and `ref_id` say what a row points at;
-- the rowid is ref_id * 4 + (1 lead, 2 company, 3 note) so a row is found by its key, not by
-- scanning the unindexed columns. Kept in sync by the triggers below, so no code path can
-- forget it.
CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED,
    ref_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Rank by BM25 with a title match worth eight body matches. Configured on the table so queries
-- can `ORDER BY rank`, which FTS5 evaluates faster than an explicit bm25() call.
INSERT INTO search_index (search_index, rank) VALUES ('rank', 'bm25(0.0, 0.0, 8.0, 1.0)');

CREATE TRIGGER leads_search_insert AFTER INSERT ON leads WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, kind, ref_id, title, body) VALUES (
        new.id * 4 + 1, 'lead', new.id, new.full_name,
        concat_ws(' ', new.title, new.email, new.phone, new.company_name, new.website, new.source, new.next_step));
END;

-- Only the indexed columns (and deletion) re-index a lead: moving a card does not.
CREATE TRIGGER leads_search_update
AFTER UPDATE OF full_name, title, email, phone, company_name, website, source, next_step, deleted_at
ON leads BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
    INSERT INTO search_index (rowid, kind, ref_id, title, body)
    SELECT new.id * 4 + 1, 'lead', new.id, new.full_name,
        concat_ws(' ', new.title, new.email, new.phone, new.company_name, new.website, new.source, new.next_step,
                  (SELECT group_concat(tag, ' ') FROM lead_tags WHERE lead_id = new.id))
    WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
END;

CREATE TRIGGER companies_search_insert AFTER INSERT ON companies BEGIN
    INSERT INTO search_index (rowid, kind, ref_id, title, body) VALUES (
        new.id * 4 + 2, 'company', new.id, coalesce(new.name, new.domain),
        concat_ws(' ', new.domain, new.description, new.industry, new.location));
END;

CREATE TRIGGER companies_search_update
AFTER UPDATE OF name, domain, description, industry, location ON companies BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
    INSERT INTO search_index (rowid, kind, ref_id, title, body) VALUES (
        new.id * 4 + 2, 'company', new.id, coalesce(new.name, new.domain),
        concat_ws(' ', new.domain, new.description, new.industry, new.location));
END;

CREATE TRIGGER companies_search_delete AFTER DELETE ON companies BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
END;

CREATE TRIGGER activities_search_insert AFTER INSERT ON activities
WHEN new.kind IN ('note', 'call', 'email', 'meeting') AND new.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, kind, ref_id, title, body)
    VALUES (new.id * 4 + 3, 'note', new.id, '', new.body);
END;

CREATE TRIGGER activities_search_update AFTER UPDATE OF body, deleted_at ON activities BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 3;
    INSERT INTO search_index (rowid, kind, ref_id, title, body)
    SELECT new.id * 4 + 3, 'note', new.id, '', new.body
    WHERE new.kind IN ('note', 'call', 'email', 'meeting') AND new.deleted_at IS NULL;
END;

CREATE TRIGGER activities_search_delete AFTER DELETE ON activities BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 3;
END;

-- Leads that existed before this migration enter the index once.
INSERT INTO search_index (rowid, kind, ref_id, title, body)
SELECT id * 4 + 1, 'lead', id, full_name, concat_ws(' ', email, company_name, website)
FROM leads WHERE deleted_at IS NULL;
