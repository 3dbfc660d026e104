-- Model calls that no research run made: a drafted email's. Such a call names its lead instead
-- of a run, and is counted like every other call (the inspector's record, the spending shown in
-- Settings, the daily cap). SQLite cannot drop a NOT NULL in place, so the table is rebuilt.
CREATE TABLE model_calls_new (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER REFERENCES runs (id) ON DELETE CASCADE,
    -- Set for calls outside a run (drafts); a run's calls reach their lead through the run.
    lead_id         INTEGER REFERENCES leads (id) ON DELETE CASCADE,
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
    created_at      INTEGER NOT NULL,
    CHECK ((run_id IS NULL) != (lead_id IS NULL))
) STRICT;

INSERT INTO model_calls_new (id, run_id, lead_id, stage, attempt, turn, prompt_id, prompt_version,
    provider, model, layers, tokens_shared, tokens_stage, tokens_task, tokens_in, tokens_out,
    tokens_cached, cost_usd, latency_ms, outcome, errors, grounding, created_at)
SELECT id, run_id, NULL, stage, attempt, turn, prompt_id, prompt_version, provider, model, layers,
    tokens_shared, tokens_stage, tokens_task, tokens_in, tokens_out, tokens_cached, cost_usd,
    latency_ms, outcome, errors, grounding, created_at
FROM model_calls;

DROP TABLE model_calls;
ALTER TABLE model_calls_new RENAME TO model_calls;

CREATE INDEX model_calls_by_run ON model_calls (run_id, stage, id);
CREATE INDEX model_calls_by_time ON model_calls (created_at) WHERE cost_usd IS NOT NULL;
CREATE INDEX model_calls_by_lead ON model_calls (lead_id, id) WHERE lead_id IS NOT NULL;
