//! Saved views: named filters of the leads, kept across restarts.

use leadscout_domain::{NewView, SavedView, Timestamp, ViewFilter, ViewId};

use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: i64,
    name: String,
    filter: String,
    pinned: i64,
}

impl TryFrom<ViewRow> for SavedView {
    type Error = StoreError;

    fn try_from(row: ViewRow) -> Result<Self, StoreError> {
        let filter: ViewFilter = serde_json::from_str(&row.filter).map_err(|e| {
            StoreError::Corrupt(format!(
                "saved view {} has an unreadable filter: {e}",
                row.id
            ))
        })?;
        Ok(SavedView {
            id: ViewId(row.id),
            name: row.name,
            filter,
            pinned: row.pinned != 0,
        })
    }
}

impl Store {
    /// Every saved view, in the order they were first saved.
    #[tracing::instrument(skip(self))]
    pub async fn saved_views(&self) -> Result<Vec<SavedView>, StoreError> {
        let rows: Vec<ViewRow> =
            sqlx::query_as("SELECT id, name, filter, pinned FROM saved_views ORDER BY id")
                .fetch_all(&self.reader)
                .await?;
        rows.into_iter().map(SavedView::try_from).collect()
    }

    /// Saves a (validated) view; one with the same name, in any case, is replaced.
    #[tracing::instrument(skip(self, view), fields(name = %view.name))]
    pub async fn save_view(&self, view: &NewView, now: Timestamp) -> Result<SavedView, StoreError> {
        let filter = serde_json::to_string(&view.filter)
            .map_err(|e| StoreError::Corrupt(format!("a view's filter did not serialise: {e}")))?;
        let row: ViewRow = sqlx::query_as(
            "INSERT INTO saved_views (name, filter, pinned, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (name COLLATE NOCASE) DO UPDATE SET name = excluded.name, \
             filter = excluded.filter, pinned = excluded.pinned, updated_at = excluded.updated_at \
             RETURNING id, name, filter, pinned",
        )
        .bind(&view.name)
        .bind(filter)
        .bind(i64::from(view.pinned))
        .bind(now.0)
        .bind(now.0)
        .fetch_one(&self.writer)
        .await?;
        row.try_into()
    }

    /// Deletes a saved view; deleting one that is gone is not an error.
    #[tracing::instrument(skip(self))]
    pub async fn delete_view(&self, id: ViewId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM saved_views WHERE id = ?")
            .bind(id.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
