//! The timeline of a lead: notes and logged touches, plus entries the app writes itself.

use leadscout_domain::{
    Activity, ActivityDraft, ActivityId, ActivityKind, CallOutcome, FollowUpDraft, Lead, LeadId,
    LostReason, StageKind, Timestamp,
};

use crate::leads::lead_in;
use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    lead_id: i64,
    kind: String,
    body: String,
    outcome: Option<String>,
    occurred_at: i64,
    created_at: i64,
}

impl TryFrom<ActivityRow> for Activity {
    type Error = StoreError;

    fn try_from(row: ActivityRow) -> Result<Self, StoreError> {
        let kind = ActivityKind::parse(&row.kind).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "timeline entry {} has unknown kind {:?}",
                row.id, row.kind
            ))
        })?;
        let outcome = match row.outcome.as_deref() {
            None => None,
            Some(value) => Some(CallOutcome::parse(value).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "timeline entry {} has unknown call outcome {value:?}",
                    row.id
                ))
            })?),
        };
        Ok(Activity {
            id: ActivityId(row.id),
            lead_id: LeadId(row.lead_id),
            kind,
            body: row.body,
            outcome,
            occurred_at: Timestamp(row.occurred_at),
            created_at: Timestamp(row.created_at),
        })
    }
}

const ACTIVITY_COLUMNS: &str = "id, lead_id, kind, body, outcome, occurred_at, created_at";

impl Store {
    /// Logs a note, call, email or meeting on a lead's timeline.
    #[tracing::instrument(skip(self, draft), fields(lead = %draft.lead_id))]
    pub async fn add_activity(
        &self,
        draft: &ActivityDraft,
        now: Timestamp,
    ) -> Result<Activity, StoreError> {
        Ok(self.log_activity(draft, None, now).await?.0)
    }

    /// Logs an activity and, in the same transaction, sets the lead's next follow-up (the next
    /// step and its due date) when one is given. Answers the entry and the lead as it is now
    /// (with its new "last contacted").
    #[tracing::instrument(skip(self, draft, follow_up), fields(lead = %draft.lead_id))]
    pub async fn log_activity(
        &self,
        draft: &ActivityDraft,
        follow_up: Option<(&FollowUpDraft, Option<Timestamp>)>,
        now: Timestamp,
    ) -> Result<(Activity, Lead), StoreError> {
        let mut tx = self.write().await?;
        lead_in(&mut tx, draft.lead_id).await?;
        let row: ActivityRow = sqlx::query_as(&format!(
            "INSERT INTO activities (lead_id, kind, body, outcome, occurred_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING {ACTIVITY_COLUMNS}"
        ))
        .bind(draft.lead_id.0)
        .bind(draft.kind.as_str())
        .bind(&draft.body)
        .bind(draft.outcome.map(CallOutcome::as_str))
        .bind(draft.occurred_at.unwrap_or(now).0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        if let Some((follow_up, due_at)) = follow_up {
            crate::followups::write_follow_up(&mut tx, draft.lead_id, follow_up, due_at, now)
                .await?;
        }
        let lead = lead_in(&mut tx, draft.lead_id).await?;
        tx.commit().await?;
        Ok((row.try_into()?, lead))
    }

    /// Records why a lead in a lost stage was lost (replacing an earlier reason), and writes it
    /// to the timeline. A lead in any other stage is refused: the reason would be cleared by
    /// the next move anyway.
    #[tracing::instrument(skip(self, note))]
    pub async fn set_lost_reason(
        &self,
        id: LeadId,
        reason: LostReason,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<Lead, StoreError> {
        let mut tx = self.write().await?;
        let lead = lead_in(&mut tx, id).await?;
        let kind: String = sqlx::query_scalar("SELECT kind FROM pipeline_stages WHERE id = ?")
            .bind(lead.stage_id.0)
            .fetch_one(&mut *tx)
            .await?;
        if StageKind::parse(&kind) != Some(StageKind::Lost) {
            return Err(StoreError::Conflict(
                "Only a lead in a lost stage has a lost reason; move it to Lost first.".into(),
            ));
        }
        sqlx::query(
            "UPDATE leads SET lost_reason = ?, lost_note = ?, \
             closed_at = coalesce(closed_at, ?), updated_at = ? WHERE id = ?",
        )
        .bind(reason.as_str())
        .bind(note)
        .bind(now.0)
        .bind(now.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let body = match note {
            Some(note) => format!("Lost: {}. {note}", reason.label()),
            None => format!("Lost: {}", reason.label()),
        };
        sqlx::query(
            "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
             VALUES (?, 'stage_change', ?, ?, ?)",
        )
        .bind(id.0)
        .bind(body)
        .bind(now.0)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let lead = lead_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(lead)
    }

    /// A lead's timeline, newest first.
    #[tracing::instrument(skip(self))]
    pub async fn activities(&self, lead: LeadId) -> Result<Vec<Activity>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        Self::activities_on(&mut conn, lead).await
    }

    /// [`Store::activities`] on a given connection (a read transaction, for one consistent view).
    pub(crate) async fn activities_on(
        conn: &mut sqlx::SqliteConnection,
        lead: LeadId,
    ) -> Result<Vec<Activity>, StoreError> {
        let rows: Vec<ActivityRow> = sqlx::query_as(&format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE lead_id = ? AND deleted_at IS NULL \
             ORDER BY occurred_at DESC, id DESC"
        ))
        .bind(lead.0)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter().map(Activity::try_from).collect()
    }

    /// Removes a logged entry (not an automatic one) from the timeline and from search.
    #[tracing::instrument(skip(self))]
    pub async fn delete_activity(&self, id: ActivityId, now: Timestamp) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE activities SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL \
             AND kind IN ('note', 'call', 'email', 'meeting')",
        )
        .bind(now.0)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ActivityNotFound(id));
        }
        Ok(())
    }
}
