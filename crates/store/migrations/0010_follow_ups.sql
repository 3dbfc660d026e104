-- Follow-ups that remind (issue 22): the next step gets an optional local time, and a reminder
-- state that makes each reminder fire exactly once. Timestamps are Unix milliseconds (UTC).

-- `HH:MM`, the user's local time on `next_step_due`; NULL reminds at 09:00.
ALTER TABLE leads ADD COLUMN next_step_time TEXT
    CHECK (next_step_time IS NULL OR next_step_time GLOB '[0-2][0-9]:[0-5][0-9]');
-- The instant the reminder is due: the date and time in the user's zone, or a snooze. NULL
-- until the app computes it (the zone is the operating system's, which SQL cannot read).
ALTER TABLE leads ADD COLUMN follow_up_at INTEGER;
-- Set with a compare-and-set when the reminder for `follow_up_at` is claimed for showing, so
-- no restart or crash shows it twice; cleared when `follow_up_at` moves.
ALTER TABLE leads ADD COLUMN reminded_at INTEGER;

CREATE INDEX leads_by_follow_up ON leads (follow_up_at)
    WHERE deleted_at IS NULL AND follow_up_at IS NOT NULL;

-- A new date or time is a new reminder, whatever code path wrote it: the old instant and its
-- marker go, and the app schedules the new one.
CREATE TRIGGER leads_follow_up_moved AFTER UPDATE OF next_step_due, next_step_time ON leads
WHEN new.next_step_due IS NOT old.next_step_due OR new.next_step_time IS NOT old.next_step_time
BEGIN
    UPDATE leads SET follow_up_at = NULL, reminded_at = NULL WHERE id = new.id;
END;
