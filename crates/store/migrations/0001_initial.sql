-- The pipeline and the leads on it. Timestamps are Unix milliseconds (UTC).

CREATE TABLE pipeline_stages (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    kind        TEXT    NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    color       TEXT    NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX pipeline_stages_name ON pipeline_stages (name COLLATE NOCASE);

CREATE TABLE leads (
    id            INTEGER PRIMARY KEY,
    full_name     TEXT    NOT NULL CHECK (length(trim(full_name)) > 0),
    email         TEXT,
    company_name  TEXT,
    website       TEXT,
    stage_id      INTEGER NOT NULL REFERENCES pipeline_stages (id) ON DELETE RESTRICT,
    position      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER
) STRICT;

CREATE INDEX leads_by_stage ON leads (stage_id, position) WHERE deleted_at IS NULL;
