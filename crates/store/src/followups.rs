//! Follow-ups: scheduling a lead's next step as a reminder instant, claiming due reminders
//! exactly once, snoozing and completing them, and the Today view's queries.

use leadscout_domain::{
    due_instant, FollowUp, FollowUpDraft, Lead, LeadId, LocalZone, ResearchedLead, StaleLead,
    StaleRule, Timestamp, TodayView, MAX_STALE_DAYS,
};
use serde::Deserialize;

use crate::leads::lead_in;
use crate::{Store, StoreError};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Settings keys (JSON documents in `settings`).
const STALE_RULES: &str = "stale_days";
const TODAY_SEEN: &str = "today_seen_at";

/// One follow-up row as JSON spelled like [`FollowUp`]; `l` is the lead, `s` its stage.
const FOLLOW_UP_JSON: &str = "json_object('leadId', l.id, 'fullName', l.full_name, \
     'companyName', l.company_name, 'stageName', s.name, 'nextStep', l.next_step, \
     'date', l.next_step_due, 'time', l.next_step_time, 'dueAt', l.follow_up_at)";

/// Live leads in open stages: only they have follow-ups that remind.
const OPEN_LEADS: &str = "leads l JOIN pipeline_stages s ON s.id = l.stage_id \
     WHERE l.deleted_at IS NULL AND s.kind = 'open'";

fn parse_follow_ups(json: &str) -> Result<Vec<FollowUp>, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("a follow-up is unreadable: {e}")))
}

#[derive(Deserialize)]
struct Unscheduled {
    id: i64,
    date: String,
    time: Option<String>,
}

impl Store {
    /// Sets a lead's next step, its date and its time, and schedules the reminder at `due_at`
    /// (the date and time in the user's zone; `None` clears the follow-up).
    #[tracing::instrument(skip(self, draft))]
    pub async fn set_follow_up(
        &self,
        id: LeadId,
        draft: &FollowUpDraft,
        due_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Lead, StoreError> {
        let mut tx = self.write().await?;
        lead_in(&mut tx, id).await?;
        write_follow_up(&mut tx, id, draft, due_at, now).await?;
        let lead = lead_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(lead)
    }

    /// Gives every follow-up whose date or time changed (by any path: the drawer's fields, an
    /// import, a merge) its reminder instant in `zone`. Returns how many were scheduled.
    #[tracing::instrument(skip(self, zone))]
    pub async fn schedule_follow_ups(&self, zone: &dyn LocalZone) -> Result<u64, StoreError> {
        let json: String = sqlx::query_scalar(
            "SELECT json_group_array(json_object('id', id, 'date', next_step_due, \
             'time', next_step_time)) FROM leads WHERE deleted_at IS NULL \
             AND next_step_due IS NOT NULL AND follow_up_at IS NULL",
        )
        .fetch_one(&self.reader)
        .await?;
        let rows: Vec<Unscheduled> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("a follow-up date is unreadable: {e}")))?;
        let mut scheduled = 0;
        for row in rows {
            let Some(at) = due_instant(zone, &row.date, row.time.as_deref()) else {
                tracing::warn!(lead = row.id, date = %row.date, "a follow-up date is not a date");
                continue;
            };
            // Only if the date and time are still the ones the instant was computed from.
            scheduled += sqlx::query(
                "UPDATE leads SET follow_up_at = ? WHERE id = ? AND follow_up_at IS NULL \
                 AND next_step_due = ? AND next_step_time IS ?",
            )
            .bind(at.0)
            .bind(row.id)
            .bind(&row.date)
            .bind(&row.time)
            .execute(&self.writer)
            .await?
            .rows_affected();
        }
        Ok(scheduled)
    }

    /// Claims every reminder due at `now` that was never shown, oldest first. The claim is one
    /// compare-and-set on `reminded_at`, so a reminder is claimed once however many times this
    /// runs, across restarts and crashes; the caller shows what it gets.
    #[tracing::instrument(skip(self))]
    pub async fn claim_due_follow_ups(&self, now: Timestamp) -> Result<Vec<FollowUp>, StoreError> {
        let mut tx = self.write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "UPDATE leads SET reminded_at = ?1 WHERE id IN (SELECT l.id FROM {OPEN_LEADS} \
             AND l.follow_up_at <= ?1 AND l.reminded_at IS NULL) RETURNING id"
        ))
        .bind(now.0)
        .fetch_all(&mut *tx)
        .await?;
        let json: String = sqlx::query_scalar(&format!(
            "SELECT json_group_array(json(j)) FROM (SELECT {FOLLOW_UP_JSON} AS j FROM {OPEN_LEADS} \
             AND l.id IN (SELECT value FROM json_each(?)) ORDER BY l.follow_up_at, l.id)"
        ))
        .bind(serde_json::Value::from(ids).to_string())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        parse_follow_ups(&json)
    }

    /// Puts a follow-up's reminder off until `until`; it reminds again then. The date the user
    /// chose stays as it was.
    #[tracing::instrument(skip(self))]
    pub async fn snooze_follow_up(
        &self,
        id: LeadId,
        until: Timestamp,
    ) -> Result<Option<FollowUp>, StoreError> {
        let done = sqlx::query(
            "UPDATE leads SET follow_up_at = ?, reminded_at = NULL \
             WHERE id = ? AND deleted_at IS NULL AND next_step_due IS NOT NULL",
        )
        .bind(until.0)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.follow_up(id).await
    }

    /// Marks a follow-up done: the next step and its date are cleared and the timeline says
    /// what was done. `None` when the lead had no follow-up (done twice, from two places).
    #[tracing::instrument(skip(self))]
    pub async fn complete_follow_up(
        &self,
        id: LeadId,
        now: Timestamp,
    ) -> Result<Option<Lead>, StoreError> {
        let mut tx = self.write().await?;
        let step: Option<Option<String>> = sqlx::query_scalar(
            "SELECT next_step FROM leads WHERE id = ? AND deleted_at IS NULL \
             AND (next_step_due IS NOT NULL OR next_step IS NOT NULL)",
        )
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(step) = step else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE leads SET next_step = NULL, next_step_due = NULL, next_step_time = NULL, \
             updated_at = ? WHERE id = ?",
        )
        .bind(now.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let body = match step {
            Some(step) => format!("Follow-up done: {step}"),
            None => "Follow-up done.".to_owned(),
        };
        sqlx::query(
            "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
             VALUES (?, 'note', ?, ?, ?)",
        )
        .bind(id.0)
        .bind(body)
        .bind(now.0)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let lead = lead_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(lead))
    }

    /// A lead's scheduled follow-up, if it has one.
    pub async fn follow_up(&self, id: LeadId) -> Result<Option<FollowUp>, StoreError> {
        let json: String = sqlx::query_scalar(&format!(
            "SELECT json_group_array({FOLLOW_UP_JSON}) FROM {OPEN_LEADS} AND l.id = ? \
             AND l.follow_up_at IS NOT NULL"
        ))
        .bind(id.0)
        .fetch_one(&self.reader)
        .await?;
        Ok(parse_follow_ups(&json)?.into_iter().next())
    }

    /// How many idle days make a deal stale, per stage (stages without a rule never are).
    pub async fn stale_rules(&self) -> Result<Vec<StaleRule>, StoreError> {
        Ok(self
            .setting(STALE_RULES)
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// Saves the stale rules; a rule of 0 days or for a stage that does not exist is refused.
    pub async fn save_stale_rules(
        &self,
        rules: &[StaleRule],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let stages = self.stages().await?;
        for rule in rules {
            if !stages.iter().any(|s| s.id == rule.stage_id) {
                return Err(StoreError::StageNotFound(rule.stage_id));
            }
            if rule.days == 0 || rule.days > MAX_STALE_DAYS {
                return Err(StoreError::Conflict(format!(
                    "Choose between 1 and {MAX_STALE_DAYS} days."
                )));
            }
        }
        let value = serde_json::to_value(rules)
            .map_err(|e| StoreError::Corrupt(format!("stale rules: {e}")))?;
        self.save_setting(STALE_RULES, &value, now).await
    }

    /// Open deals with no activity and no edit for their stage's number of days, the longest
    /// idle first. Research writing its timeline entry is not the salesperson touching the deal.
    #[tracing::instrument(skip(self))]
    pub async fn stale_leads(&self, now: Timestamp) -> Result<Vec<StaleLead>, StoreError> {
        let rules = self.stale_rules().await?;
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let rules = serde_json::to_string(&rules)
            .map_err(|e| StoreError::Corrupt(format!("stale rules: {e}")))?;
        let json: String = sqlx::query_scalar(&format!(
            "WITH rule AS (SELECT json_extract(value, '$.stageId') AS stage_id, \
                    json_extract(value, '$.days') AS days FROM json_each(?1)), \
             touched AS (SELECT l.id, l.full_name, l.company_name, s.name AS stage_name, \
                    max(l.updated_at, coalesce((SELECT max(a.occurred_at) FROM activities a \
                    WHERE a.lead_id = l.id AND a.deleted_at IS NULL AND a.kind != 'research'), 0)) \
                    AS last, r.days FROM leads l JOIN pipeline_stages s ON s.id = l.stage_id \
                    JOIN rule r ON r.stage_id = l.stage_id \
                    WHERE l.deleted_at IS NULL AND s.kind = 'open') \
             SELECT json_group_array(json_object('leadId', id, 'fullName', full_name, \
                    'companyName', company_name, 'stageName', stage_name, \
                    'lastTouchedAt', last, 'idleDays', (?2 - last) / {DAY_MS})) \
             FROM (SELECT * FROM touched WHERE last <= ?2 - days * {DAY_MS} ORDER BY last, id)"
        ))
        .bind(rules)
        .bind(now.0)
        .fetch_one(&self.reader)
        .await?;
        serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("a stale lead is unreadable: {e}")))
    }

    /// The Today view at `now` in `zone`: follow-ups overdue (due before today), due today and
    /// in the next seven days; stale deals; research finished since Today was last looked at.
    #[tracing::instrument(skip(self, zone))]
    pub async fn today(
        &self,
        now: Timestamp,
        zone: &dyn LocalZone,
    ) -> Result<TodayView, StoreError> {
        self.schedule_follow_ups(zone).await?;
        let today = zone.date_of(now);
        let start = zone.instant(&today, 0).unwrap_or(now.start_of_day());
        let day_after = |days: i64| {
            leadscout_domain::add_days(&today, days)
                .and_then(|d| zone.instant(&d, 0))
                .unwrap_or(Timestamp(start.0 + days * DAY_MS))
        };
        let (tomorrow, week_end) = (day_after(1), day_after(8));
        let json: String = sqlx::query_scalar(&format!(
            "SELECT json_group_array(json(j)) FROM (SELECT {FOLLOW_UP_JSON} AS j FROM {OPEN_LEADS} \
             AND l.follow_up_at IS NOT NULL AND l.follow_up_at < ? \
             ORDER BY l.follow_up_at, l.id)"
        ))
        .bind(week_end.0)
        .fetch_one(&self.reader)
        .await?;
        let mut view = TodayView::default();
        for follow_up in parse_follow_ups(&json)? {
            if follow_up.due_at < start {
                view.overdue.push(follow_up);
            } else if follow_up.due_at < tomorrow {
                view.due_today.push(follow_up);
            } else {
                view.upcoming.push(follow_up);
            }
        }
        view.stale = self.stale_leads(now).await?;
        let seen = self
            .setting(TODAY_SEEN)
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        let json: String = sqlx::query_scalar(
            "SELECT json_group_array(json_object('leadId', lead_id, 'fullName', full_name, \
             'companyName', company_name, 'finishedAt', finished_at, 'failed', json(failed))) \
             FROM (SELECT r.lead_id, l.full_name, l.company_name, max(r.finished_at) AS \
             finished_at, CASE WHEN r.status = 'failed' THEN 'true' ELSE 'false' END AS failed \
             FROM runs r JOIN leads l ON l.id = r.lead_id WHERE l.deleted_at IS NULL \
             AND r.status IN ('succeeded', 'failed') AND r.finished_at > ? \
             GROUP BY r.lead_id ORDER BY finished_at DESC)",
        )
        .bind(seen)
        .fetch_one(&self.reader)
        .await?;
        view.researched = serde_json::from_str::<Vec<ResearchedLead>>(&json)
            .map_err(|e| StoreError::Corrupt(format!("a research run is unreadable: {e}")))?;
        Ok(view)
    }

    /// The user has seen the research listed in Today; it is not listed again.
    pub async fn mark_today_seen(&self, now: Timestamp) -> Result<(), StoreError> {
        self.save_setting(TODAY_SEEN, &serde_json::Value::from(now.0), now)
            .await
    }
}

/// Writes a lead's next step, date and time and its reminder instant (`None` clears the
/// follow-up) inside the caller's transaction.
pub(crate) async fn write_follow_up(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    id: LeadId,
    draft: &FollowUpDraft,
    due_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE leads SET next_step = ?, next_step_due = ?, next_step_time = ?, \
             updated_at = ?, researched_fields = (SELECT json_group_array(value) FROM \
             json_each(researched_fields) WHERE value NOT IN ('nextStep', 'nextStepDue')) \
             WHERE id = ?",
    )
    .bind(&draft.next_step)
    .bind(&draft.date)
    .bind(draft.date.as_ref().and(draft.time.as_ref()))
    .bind(now.0)
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    // A separate statement: the trigger on the date and time has just cleared the instant.
    sqlx::query("UPDATE leads SET follow_up_at = ?, reminded_at = NULL WHERE id = ?")
        .bind(draft.date.as_ref().and(due_at).map(|t| t.0))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
