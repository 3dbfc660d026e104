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

ALTER TABLE leads ADD COLUMN stage_entered_at INTEGER;
ALTER TABLE leads ADD COLUMN verified_fit INTEGER;
ALTER TABLE leads ADD COLUMN reached_stages TEXT NOT NULL DEFAULT ',';

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
    UPDATE stage_moves SET left_at = new.updated_at WHERE lead_id = new.id AND left_at IS NULL;
    INSERT INTO stage_moves (lead_id, from_stage_id, to_stage_id, moved_at)
    VALUES (new.id, old.stage_id, new.stage_id, new.updated_at);
    UPDATE leads SET stage_entered_at = new.updated_at,
        reached_stages = CASE WHEN instr(reached_stages, ',' || new.stage_id || ',') > 0
                         THEN reached_stages ELSE reached_stages || new.stage_id || ',' END
    WHERE id = new.id;
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

-- The closed leads (a range of stage ids): by source in index order, and their currency,
-- value, closing time and fit score.
CREATE INDEX leads_closed
    ON leads (stage_id, source, currency, deal_value, stage_entered_at, verified_fit)
    WHERE deleted_at IS NULL;

-- The furthest stage reached: live leads by the stages they reached.
CREATE INDEX leads_reached ON leads (reached_stages) WHERE deleted_at IS NULL;

-- Finished stays per stage, without the deleted leads.
CREATE INDEX stage_moves_stays ON stage_moves (to_stage_id, lead_id, moved_at, left_at)
    WHERE left_at IS NOT NULL;
CREATE INDEX leads_deleted ON leads (id) WHERE deleted_at IS NOT NULL;
