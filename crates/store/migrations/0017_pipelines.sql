-- More than one pipeline (new business, renewals, ...), each with its own stages. A lead is in
-- the pipeline of its stage, so moving it between pipelines is moving it to a stage of another
-- one, and every trigger that follows stages (moves, stays, reached stages, search) keeps
-- working unchanged. Existing stages all belong to the first pipeline, "Sales".

CREATE TABLE pipelines (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX pipelines_name ON pipelines (name COLLATE NOCASE);

INSERT INTO pipelines (id, name, position, created_at, updated_at)
VALUES (1, 'Sales', 0, unixepoch() * 1000, unixepoch() * 1000);

-- SQLite cannot add a column with a REFERENCES clause and a non-null default while foreign keys
-- are on, so the link is kept by the two triggers below instead.
ALTER TABLE pipeline_stages ADD COLUMN pipeline_id INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER pipeline_stages_pipeline_exists BEFORE INSERT ON pipeline_stages
WHEN NOT EXISTS (SELECT 1 FROM pipelines WHERE id = new.pipeline_id) BEGIN
    SELECT RAISE(ABORT, 'a stage must belong to a pipeline');
END;

CREATE TRIGGER pipeline_stages_pipeline_moves BEFORE UPDATE OF pipeline_id ON pipeline_stages
WHEN NOT EXISTS (SELECT 1 FROM pipelines WHERE id = new.pipeline_id) BEGIN
    SELECT RAISE(ABORT, 'a stage must belong to a pipeline');
END;

CREATE TRIGGER pipelines_keep_stages BEFORE DELETE ON pipelines
WHEN EXISTS (SELECT 1 FROM pipeline_stages WHERE pipeline_id = old.id) BEGIN
    SELECT RAISE(ABORT, 'a pipeline with stages cannot be deleted');
END;

-- Stage names are unique within a pipeline: each one may have its own Won and Lost.
DROP INDEX pipeline_stages_name;
CREATE UNIQUE INDEX pipeline_stages_name ON pipeline_stages (pipeline_id, name COLLATE NOCASE);
