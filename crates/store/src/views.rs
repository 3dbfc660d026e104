//! Saved views: named filters of the leads, kept across restarts.

use std::collections::BTreeSet;

use leadscout_domain::{
    CustomCondition, CustomMatches, FieldKind, LeadId, NewView, SavedView, Timestamp, ViewFilter,
    ViewId,
};

use crate::custom_fields::field_definitions;
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

    /// Which live leads meet every condition on custom fields, read in one transaction. A
    /// condition on a field deleted since the view was saved is dropped and named in `gone`.
    #[tracing::instrument(skip(self, conditions), fields(conditions = conditions.len()))]
    pub async fn custom_matches(
        &self,
        conditions: &[CustomCondition],
    ) -> Result<CustomMatches, StoreError> {
        let mut tx = self.reader.begin().await?;
        let fields = field_definitions(&mut tx).await?;
        let mut gone = Vec::new();
        let mut kept: Option<BTreeSet<i64>> = None;
        for condition in conditions {
            let Some(field) = fields.iter().find(|f| f.id == condition.field_id) else {
                gone.push(condition.field_id);
                continue;
            };
            // Bounds as typed ("1,000") in normal form; a bad one is refused by name. A choice
            // is compared as it is: one taken away since the view was saved matches no lead.
            let condition = if field.kind == FieldKind::Choice {
                let mut choice = condition.clone();
                let wanted = choice.value.to_lowercase();
                if let Some(spelled) = field.choices.iter().find(|c| c.to_lowercase() == wanted) {
                    choice.value.clone_from(spelled);
                }
                choice
            } else {
                condition.validate(field).map_err(|e| StoreError::Invalid {
                    field: e.field,
                    message: e.message,
                })?
            };
            // A choice is found through the (field, value) index; the other kinds are read
            // whole and tested in Rust, with the rules the domain checks them by.
            let only = (field.kind == FieldKind::Choice).then_some(&condition.value);
            // One JSON document rather than a row each: decoding 10,000 rows through sqlx
            // cost about 3 µs a row (docs/benchmarks.md), as it did for the board.
            let rows: String = sqlx::query_scalar(
                "SELECT json_group_array(json_array(v.lead_id, v.value)) \
                 FROM lead_field_values v JOIN leads l ON l.id = v.lead_id \
                 WHERE v.field_id = ?1 AND (?2 IS NULL OR v.value = ?2) AND l.deleted_at IS NULL",
            )
            .bind(field.id.0)
            .bind(only)
            .fetch_one(&mut *tx)
            .await?;
            let rows: Vec<(i64, String)> = serde_json::from_str(&rows).map_err(|e| {
                StoreError::Corrupt(format!(
                    "custom values of field {} did not read: {e}",
                    field.id
                ))
            })?;
            let meeting: BTreeSet<i64> = rows
                .into_iter()
                .filter(|(_, value)| condition.matches(field.kind, value))
                .map(|(id, _)| id)
                .collect();
            kept = Some(match kept {
                Some(before) => before.intersection(&meeting).copied().collect(),
                None => meeting,
            });
        }
        tx.commit().await?;
        Ok(CustomMatches {
            lead_ids: kept.map(|ids| ids.into_iter().map(LeadId).collect()),
            gone,
        })
    }
}
