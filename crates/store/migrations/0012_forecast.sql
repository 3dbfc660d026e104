-- The forecast, the reports and saved views: a win probability per stage, an expected close
-- date per deal, a record of every stage a lead entered and when, and named filters of the
-- leads. Timestamps are Unix milliseconds (UTC).

-- The chance, in percent, that a deal in this stage is won. Closed stages are certain.
ALTER TABLE pipeline_stages ADD COLUMN probability INTEGER NOT NULL DEFAULT 50
    CHECK (probability BETWEEN 0 AND 100);

UPDATE pipeline_stages SET probability = CASE
    WHEN kind = 'won' THEN 100
    WHEN kind = 'lost' THEN 0
    WHEN name = 'New' THEN 10
    WHEN name = 'Contacted' THEN 20
    WHEN name = 'Qualified' THEN 40
    WHEN name = 'Proposal' THEN 60
    ELSE 50
END;

-- `YYYY-MM-DD`: when the salesperson expects the deal to close.
ALTER TABLE leads ADD COLUMN expected_close TEXT;

-- One row each time a lead enters a stage: when it is created (`from_stage_id` NULL) and each
-- time it moves. A stage deleted since leaves NULL behind. Kept by the triggers below, so no
-- code path (a drag, a stage deleted, an import) can forget it.
CREATE TABLE stage_moves (
    id             INTEGER PRIMARY KEY,
    lead_id        INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    from_stage_id  INTEGER REFERENCES pipeline_stages (id) ON DELETE SET NULL,
    to_stage_id    INTEGER REFERENCES pipeline_stages (id) ON DELETE SET NULL,
    moved_at       INTEGER NOT NULL,
    -- When the lead left the stage again; NULL for the stage it is in. Kept at move time so
    -- the time spent in each stage is a sum over rows, not a window over every lead's history.
    left_at        INTEGER
) STRICT;

CREATE INDEX stage_moves_by_lead ON stage_moves (lead_id, moved_at);
CREATE INDEX stage_moves_current ON stage_moves (lead_id) WHERE left_at IS NULL;
CREATE INDEX stage_moves_by_from ON stage_moves (from_stage_id);
CREATE INDEX stage_moves_by_to ON stage_moves (to_stage_id);

-- History from before this migration: the timeline's "Moved from A to B" entries whose stages
-- still have those names...
INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
SELECT a.lead_id, f.id, t.id, a.occurred_at
FROM activities a, pipeline_stages f, pipeline_stages t
WHERE a.kind = 'stage_change' AND a.deleted_at IS NULL
  AND a.body = 'Moved from ' || f.name || ' to ' || t.name;

-- ...and each lead's first stage at its creation: the stage its first recorded move left, else
-- the one it is in.
INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
SELECT l.id, NULL,
       coalesce((SELECT m.from_stage_id FROM stage_moves m WHERE m.lead_id = l.id
                 ORDER BY m.moved_at, m.id LIMIT 1), l.stage_id),
       l.created_at
FROM leads l;

UPDATE stage_moves SET left_at = (
    SELECT min(n.moved_at) FROM stage_moves n
    WHERE n.lead_id = stage_moves.lead_id
      AND (n.moved_at > stage_moves.moved_at
           OR (n.moved_at = stage_moves.moved_at AND n.id > stage_moves.id
               AND stage_moves.from_stage_id IS NOT NULL AND n.from_stage_id IS NOT NULL)
           OR (n.moved_at = stage_moves.moved_at AND stage_moves.from_stage_id IS NULL
               AND n.from_stage_id IS NOT NULL)));

CREATE TRIGGER leads_stage_enter AFTER INSERT ON leads BEGIN
    INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
    VALUES (new.id, NULL, new.stage_id, new.created_at);
END;

CREATE TRIGGER leads_stage_move AFTER UPDATE OF stage_id ON leads
WHEN new.stage_id IS NOT old.stage_id BEGIN
    UPDATE stage_moves SET left_at = new.updated_at WHERE lead_id = new.id AND left_at IS NULL;
    INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
    VALUES (new.id, old.stage_id, new.stage_id, new.updated_at);
END;

-- Saved views: a filter of the leads (JSON, spelled like the domain's ViewFilter) kept under a
-- name, pinned to the top bar or not.
CREATE TABLE saved_views (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    filter      TEXT    NOT NULL CHECK (json_valid(filter)),
    pinned      INTEGER NOT NULL CHECK (pinned IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX saved_views_name ON saved_views (name COLLATE NOCASE);
