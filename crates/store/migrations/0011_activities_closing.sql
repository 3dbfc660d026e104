-- Logged touches and closed deals. A call keeps how it went; "last contacted" is computed from
-- the timeline (calls, emails and meetings, not notes) through the index below, so deleting an
-- entry can never leave a stale copy behind. A lead records when it was won or lost, and why it
-- was lost. Timestamps are Unix milliseconds (UTC).
ALTER TABLE activities ADD COLUMN outcome TEXT
    CHECK (outcome IS NULL OR (kind = 'call' AND outcome IN ('connected', 'no_answer', 'left_voicemail', 'wrong_number')));

CREATE INDEX activities_contacts ON activities (lead_id, occurred_at DESC)
    WHERE deleted_at IS NULL AND kind IN ('call', 'email', 'meeting');

ALTER TABLE leads ADD COLUMN closed_at INTEGER;
ALTER TABLE leads ADD COLUMN lost_reason TEXT
    CHECK (lost_reason IS NULL OR lost_reason IN ('price', 'competitor', 'no_budget', 'timing', 'no_response', 'not_a_fit', 'other'));
ALTER TABLE leads ADD COLUMN lost_note TEXT;

-- Leads already in a closed stage count as closed when they last moved (or changed).
UPDATE leads SET closed_at = coalesce(
    (SELECT max(a.occurred_at) FROM activities a
     WHERE a.lead_id = leads.id AND a.kind = 'stage_change'),
    updated_at)
WHERE stage_id IN (SELECT id FROM pipeline_stages WHERE kind IN ('won', 'lost'));
