-- The reports let SQLite group the leads (docs/design.md, "Forecast and reports"). What they
-- would otherwise look up lead by lead in the record of moves and the insights is kept on the
-- lead by triggers, and the indexes below hold every column each grouped query reads, so no
-- query visits a table row. docs/benchmarks.md has what this saved at 100,000 leads.
--
-- - stage_entered_at: when the lead entered the stage it is in (the open row of its moves).
-- - verified_fit: its fit score when research verified it (insights.fit_verified), else NULL.
-- - reached_stages: the ids of every stage it was ever in, in the order it first entered them,
--   spelled ',3,1,4,'. The reports take the furthest of them by today's board positions, so
--   reordering stages rewrites nothing; a deleted stage's id is taken out (ids can be reused).
-- - lead_tags.lead_stage: the stage of the tag's lead while the lead is live, NULL once deleted.
-- - stage_stays: per stage, the finished stays of live leads and their length added up.

ALTER TABLE leads ADD COLUMN stage_entered_at INTEGER;
ALTER TABLE leads ADD COLUMN verified_fit INTEGER;
ALTER TABLE leads ADD COLUMN reached_stages TEXT NOT NULL DEFAULT ',';
ALTER TABLE lead_tags ADD COLUMN lead_stage INTEGER;

CREATE TABLE stage_stays (
    stage_id  INTEGER PRIMARY KEY REFERENCES pipeline_stages (id) ON DELETE CASCADE,
    stays     INTEGER NOT NULL,
    total_ms  INTEGER NOT NULL
) STRICT;

UPDATE leads SET
    stage_entered_at = (SELECT m.moved_at FROM stage_moves m
                        WHERE m.lead_id = leads.id AND m.left_at IS NULL
                        ORDER BY m.moved_at DESC, m.id DESC LIMIT 1),
    verified_fit = (SELECT i.fit_score FROM insights i
                    WHERE i.lead_id = leads.id AND i.fit_verified = 1),
    reached_stages = ',' || coalesce((
        SELECT group_concat(s, ',') || ',' FROM (
            SELECT m.to_stage_id AS s FROM stage_moves m
            WHERE m.lead_id = leads.id AND m.to_stage_id IS NOT NULL
            GROUP BY m.to_stage_id ORDER BY min(m.moved_at), min(m.id))), '');

UPDATE lead_tags SET lead_stage =
    (SELECT l.stage_id FROM leads l WHERE l.id = lead_tags.lead_id AND l.deleted_at IS NULL);

INSERT INTO stage_stays (stage_id, stays, total_ms)
SELECT m.to_stage_id, COUNT(*), SUM(m.left_at - m.moved_at) FROM stage_moves m
WHERE m.left_at IS NOT NULL AND m.to_stage_id IS NOT NULL
  AND m.lead_id IN (SELECT id FROM leads WHERE deleted_at IS NULL)
GROUP BY m.to_stage_id;

-- The stage a lead is in counts as reached even where the history recovered by migration 12
-- missed the move into it.
UPDATE leads SET reached_stages = reached_stages || stage_id || ','
WHERE instr(reached_stages, ',' || stage_id || ',') = 0;

DROP TRIGGER leads_stage_enter;
CREATE TRIGGER leads_stage_enter AFTER INSERT ON leads BEGIN
    INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
    VALUES (new.id, NULL, new.stage_id, new.created_at);
    UPDATE leads SET stage_entered_at = new.created_at, reached_stages = ',' || new.stage_id || ','
    WHERE id = new.id;
END;

DROP TRIGGER leads_stage_move;
CREATE TRIGGER leads_stage_move AFTER UPDATE OF stage_id ON leads
WHEN new.stage_id IS NOT old.stage_id BEGIN
    INSERT INTO stage_stays (stage_id, stays, total_ms)
    SELECT to_stage_id, 1, new.updated_at - moved_at FROM stage_moves
    WHERE lead_id = new.id AND left_at IS NULL AND to_stage_id IS NOT NULL
      AND new.deleted_at IS NULL
    ON CONFLICT (stage_id) DO UPDATE SET stays = stays + 1,
        total_ms = total_ms + excluded.total_ms;
    UPDATE stage_moves SET left_at = new.updated_at WHERE lead_id = new.id AND left_at IS NULL;
    INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
    VALUES (new.id, old.stage_id, new.stage_id, new.updated_at);
    UPDATE leads SET stage_entered_at = new.updated_at,
        reached_stages = CASE WHEN instr(reached_stages, ',' || new.stage_id || ',') > 0
                         THEN reached_stages ELSE reached_stages || new.stage_id || ',' END
    WHERE id = new.id;
    UPDATE lead_tags SET lead_stage = CASE WHEN new.deleted_at IS NULL THEN new.stage_id END
    WHERE lead_id = new.id;
END;

-- A lead deleted (or restored) takes its finished stays and its tags out of the reports (or
-- back in).
CREATE TRIGGER leads_reports_deleted AFTER UPDATE OF deleted_at ON leads
WHEN (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN
    INSERT INTO stage_stays (stage_id, stays, total_ms)
    SELECT to_stage_id, sign * COUNT(*), sign * SUM(left_at - moved_at)
    FROM stage_moves, (SELECT CASE WHEN new.deleted_at IS NULL THEN 1 ELSE -1 END AS sign)
    WHERE lead_id = new.id AND left_at IS NOT NULL AND to_stage_id IS NOT NULL
    GROUP BY to_stage_id
    ON CONFLICT (stage_id) DO UPDATE SET stays = stays + excluded.stays,
        total_ms = total_ms + excluded.total_ms;
    UPDATE lead_tags SET lead_stage = CASE WHEN new.deleted_at IS NULL THEN new.stage_id END
    WHERE lead_id = new.id;
END;

-- No code removes a lead's row (deleting marks it), but should one go, so do its stays.
CREATE TRIGGER leads_reports_removed BEFORE DELETE ON leads WHEN old.deleted_at IS NULL BEGIN
    INSERT INTO stage_stays (stage_id, stays, total_ms)
    SELECT to_stage_id, -COUNT(*), -SUM(left_at - moved_at) FROM stage_moves
    WHERE lead_id = old.id AND left_at IS NOT NULL AND to_stage_id IS NOT NULL
    GROUP BY to_stage_id
    ON CONFLICT (stage_id) DO UPDATE SET stays = stays + excluded.stays,
        total_ms = total_ms + excluded.total_ms;
END;

CREATE TRIGGER lead_tags_stage AFTER INSERT ON lead_tags BEGIN
    UPDATE lead_tags SET lead_stage =
        (SELECT l.stage_id FROM leads l WHERE l.id = new.lead_id AND l.deleted_at IS NULL)
    WHERE lead_id = new.lead_id AND tag = new.tag;
END;

CREATE TRIGGER pipeline_stages_unreached AFTER DELETE ON pipeline_stages BEGIN
    UPDATE leads SET reached_stages = replace(reached_stages, ',' || old.id || ',', ',')
    WHERE instr(reached_stages, ',' || old.id || ',') > 0;
END;

CREATE TRIGGER insights_fit_insert AFTER INSERT ON insights BEGIN
    UPDATE leads SET verified_fit = CASE WHEN new.fit_verified = 1 THEN new.fit_score END
    WHERE id = new.lead_id;
END;

CREATE TRIGGER insights_fit_update AFTER UPDATE OF lead_id, fit_score, fit_verified ON insights
BEGIN
    UPDATE leads SET verified_fit = NULL WHERE id = old.lead_id;
    UPDATE leads SET verified_fit = CASE WHEN new.fit_verified = 1 THEN new.fit_score END
    WHERE id = new.lead_id;
END;

CREATE TRIGGER insights_fit_delete AFTER DELETE ON insights BEGIN
    UPDATE leads SET verified_fit = NULL WHERE id = old.lead_id;
END;

-- The forecast: live leads by stage, currency and expected close, in index order.
CREATE INDEX leads_reports ON leads (stage_id, currency, expected_close, deal_value)
    WHERE deleted_at IS NULL;

-- The closed leads (a range of stage ids) in the order each of their reports groups them: by
-- currency and UTC day of closing (the expression the store's query spells the same way), by
-- source, and by fit score.
CREATE INDEX leads_closing ON leads (stage_id, currency,
    (stage_entered_at - (stage_entered_at % 86400000 + 86400000) % 86400000) / 86400000,
    stage_entered_at, deal_value)
    WHERE deleted_at IS NULL AND stage_entered_at IS NOT NULL;
CREATE INDEX leads_closed ON leads (stage_id, source) WHERE deleted_at IS NULL;
CREATE INDEX leads_fit ON leads (stage_id, verified_fit) WHERE deleted_at IS NULL;

-- The furthest stage reached: live leads by the stages they reached.
CREATE INDEX leads_reached ON leads (reached_stages) WHERE deleted_at IS NULL;

-- The closed leads' tags, by stage and tag in index order.
CREATE INDEX lead_tags_by_stage ON lead_tags (lead_stage, tag) WHERE lead_stage IS NOT NULL;
