//! The timeline of a lead: notes and logged touches, plus entries the app writes itself.

use leadscout_domain::{Activity, ActivityDraft, ActivityId, ActivityKind, LeadId, Timestamp};

use crate::leads::lead_in;
use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    lead_id: i64,
    kind: String,
    body: String,
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
        Ok(Activity {
            id: ActivityId(row.id),
            lead_id: LeadId(row.lead_id),
            kind,
            body: row.body,
            occurred_at: Timestamp(row.occurred_at),
            created_at: Timestamp(row.created_at),
        })
    }
}

const ACTIVITY_COLUMNS: &str = "id, lead_id, kind, body, occurred_at, created_at";

impl Store {
    /// Logs a note, call, email or meeting on a lead's timeline.
    #[tracing::instrument(skip(self, draft), fields(lead = %draft.lead_id))]
    pub async fn add_activity(
        &self,
        draft: &ActivityDraft,
        now: Timestamp,
    ) -> Result<Activity, StoreError> {
        let mut tx = self.writer.begin().await?;
        lead_in(&mut tx, draft.lead_id).await?;
        let row: ActivityRow = sqlx::query_as(&format!(
            "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
             VALUES (?, ?, ?, ?, ?) RETURNING {ACTIVITY_COLUMNS}"
        ))
        .bind(draft.lead_id.0)
        .bind(draft.kind.as_str())
        .bind(&draft.body)
        .bind(draft.occurred_at.unwrap_or(now).0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        row.try_into()
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
