-- What the model stages of research said, how each claim was checked, and every model call
-- with its context layers as sent. Timestamps are Unix milliseconds (UTC).

-- Company facts the footprint stage stated, each with the page it cites and the words it
-- quoted. `verified = 0` facts are shown with their problem and never written to any field.
CREATE TABLE facts (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    -- F1, F2...: what the insights cite.
    key         TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    quote       TEXT    NOT NULL,
    source_url  TEXT,
    confidence  REAL    NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    verified    INTEGER NOT NULL CHECK (verified IN (0, 1)),
    problem     TEXT,
    UNIQUE (company_id, key)
) STRICT;

-- The insights stage's judgement of a lead: the last successful run's.
CREATE TABLE insights (
    lead_id       INTEGER PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    summary       TEXT    NOT NULL,
    fit_score     INTEGER CHECK (fit_score IS NULL OR fit_score BETWEEN 0 AND 100),
    -- At least three fit reasons rest on verified facts; only then is the score the lead's.
    fit_verified  INTEGER NOT NULL CHECK (fit_verified IN (0, 1)),
    -- Reasons, talking points, risks and the next action, each with its fact ids and check.
    body          TEXT    NOT NULL CHECK (json_valid(body)),
    model         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

-- Every model call: the three layers as sent, the provider's figures, and how the answer was
-- validated and grounded. The context inspector reads it; the budget caps sum its cost.
CREATE TABLE model_calls (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stage           TEXT    NOT NULL,
    attempt         INTEGER NOT NULL,
    -- 1 for the first call of an attempt, 2 for its repair.
    turn            INTEGER NOT NULL CHECK (turn IN (1, 2)),
    prompt_id       TEXT    NOT NULL,
    prompt_version  INTEGER NOT NULL,
    provider        TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    layers          TEXT    NOT NULL CHECK (json_valid(layers)),
    tokens_shared   INTEGER NOT NULL,
    tokens_stage    INTEGER NOT NULL,
    tokens_task     INTEGER NOT NULL,
    tokens_in       INTEGER,
    tokens_out      INTEGER,
    tokens_cached   INTEGER,
    cost_usd        REAL,
    latency_ms      INTEGER,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('valid', 'invalid', 'failed')),
    errors          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(errors)),
    grounding       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(grounding)),
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX model_calls_by_run ON model_calls (run_id, stage, id);
CREATE INDEX model_calls_by_time ON model_calls (created_at) WHERE cost_usd IS NOT NULL;
