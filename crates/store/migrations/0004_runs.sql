-- Durable background runs: one row per research run of a lead, one row per stage attempt.
-- Timestamps are Unix milliseconds (UTC).

CREATE TABLE runs (
    id                  INTEGER PRIMARY KEY,
    lead_id             INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    workflow            TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    trigger             TEXT    NOT NULL
                        CHECK (trigger IN ('created', 'identity_changed', 'manual', 'rerun')),
    -- A forced run recomputes every stage even when its inputs are unchanged.
    forced              INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    -- How many times a worker has claimed the run.
    claims              INTEGER NOT NULL DEFAULT 0,
    lease_owner         TEXT,
    lease_expires_at    INTEGER,
    -- A run waiting out a backoff is not claimed before this.
    not_before          INTEGER NOT NULL DEFAULT 0,
    -- Why it failed, in words a salesperson can act on.
    error               TEXT,
    cancel_requested_at INTEGER,
    -- Exactly-once effects: set in the same transaction as the effect itself.
    applied_at          INTEGER,
    notified_at         INTEGER,
    created_at          INTEGER NOT NULL,
    started_at          INTEGER,
    finished_at         INTEGER,
    updated_at          INTEGER NOT NULL
) STRICT;

-- At most one live run per lead and workflow: enqueueing again while one waits is a no-op.
CREATE UNIQUE INDEX runs_one_live_per_lead ON runs (lead_id, workflow)
    WHERE status IN ('queued', 'running');
CREATE INDEX runs_claimable ON runs (status, not_before) WHERE status IN ('queued', 'running');
CREATE INDEX runs_by_lead ON runs (lead_id, created_at DESC);

CREATE TABLE stage_runs (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stage           TEXT    NOT NULL,
    attempt         INTEGER NOT NULL CHECK (attempt >= 1),
    status          TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    input_hash      TEXT    NOT NULL,
    -- JSON output of a succeeded attempt.
    output          TEXT    CHECK (output IS NULL OR json_valid(output)),
    -- Set when the output was taken from an earlier run with the same input hash.
    reused_from     INTEGER REFERENCES stage_runs (id) ON DELETE SET NULL,
    prompt_id       TEXT,
    prompt_version  TEXT,
    model           TEXT,
    tokens_in       INTEGER,
    tokens_out      INTEGER,
    tokens_cached   INTEGER,
    cost_usd        REAL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    error           TEXT,
    error_class     TEXT,
    UNIQUE (run_id, stage, attempt)
) STRICT;

CREATE INDEX stage_runs_by_hash ON stage_runs (stage, input_hash) WHERE status = 'succeeded';

-- App settings that are not secrets (API keys live in the OS keychain only).
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    updated_at  INTEGER NOT NULL
) STRICT;
