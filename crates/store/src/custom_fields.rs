//! Custom fields: the definitions the user keeps in Settings and each lead's values. A value is
//! checked against its field's definition inside the write transaction, so a field renamed,
//! re-choiced or deleted meanwhile cannot let a stale value in.

use leadscout_domain::{
    check_custom_value, CustomField, CustomFieldId, CustomValue, FieldKind, LeadId, Timestamp,
};
use sqlx::SqliteConnection;

use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct FieldRow {
    id: i64,
    name: String,
    kind: String,
    choices: String,
    position: i64,
    lead_count: i64,
}

impl TryFrom<FieldRow> for CustomField {
    type Error = StoreError;

    fn try_from(row: FieldRow) -> Result<Self, StoreError> {
        let kind = FieldKind::parse(&row.kind).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "custom field {} has unknown kind {:?}",
                row.id, row.kind
            ))
        })?;
        let choices: Vec<String> = serde_json::from_str(&row.choices).map_err(|e| {
            StoreError::Corrupt(format!(
                "custom field {} has unreadable choices: {e}",
                row.id
            ))
        })?;
        Ok(CustomField {
            id: CustomFieldId(row.id),
            name: row.name,
            kind,
            choices,
            position: row.position,
            lead_count: u32::try_from(row.lead_count).unwrap_or(u32::MAX),
        })
    }
}

/// The definition columns, with the number of live leads holding a value.
const FIELD_SELECT: &str = "SELECT f.id, f.name, f.kind, f.choices, f.position, \
     (SELECT COUNT(*) FROM lead_field_values v JOIN leads l ON l.id = v.lead_id \
      WHERE v.field_id = f.id AND l.deleted_at IS NULL) AS lead_count \
     FROM custom_fields f";

/// Every field in order, on a connection (or in a transaction) of the caller's.
pub(crate) async fn all_fields(
    conn: &mut SqliteConnection,
) -> Result<Vec<CustomField>, StoreError> {
    let rows: Vec<FieldRow> = sqlx::query_as(&format!("{FIELD_SELECT} ORDER BY f.position, f.id"))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(CustomField::try_from).collect()
}

async fn field_on(
    conn: &mut SqliteConnection,
    id: CustomFieldId,
) -> Result<CustomField, StoreError> {
    let row: Option<FieldRow> = sqlx::query_as(&format!("{FIELD_SELECT} WHERE f.id = ?"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.ok_or(StoreError::CustomFieldNotFound(id))?.try_into()
}

/// A lead's values in the fields' order.
pub(crate) async fn values_on(
    conn: &mut SqliteConnection,
    lead: LeadId,
) -> Result<Vec<CustomValue>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT v.field_id, v.value FROM lead_field_values v \
         JOIN custom_fields f ON f.id = v.field_id WHERE v.lead_id = ? ORDER BY f.position, f.id",
    )
    .bind(lead.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(field, value)| CustomValue {
            field_id: CustomFieldId(field),
            value,
        })
        .collect())
}

async fn name_taken(
    conn: &mut SqliteConnection,
    name: &str,
    except: Option<CustomFieldId>,
) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM custom_fields WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
    )
    .bind(name)
    .bind(except.map(|f| f.0))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

fn duplicate(name: &str) -> StoreError {
    StoreError::Conflict(format!("There is already a field called {name}."))
}

fn choices_json(choices: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(choices).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Every custom field in order, each with the number of live leads holding a value.
    #[tracing::instrument(skip(self))]
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        all_fields(&mut conn).await
    }

    /// One lead's custom values, in the fields' order.
    #[tracing::instrument(skip(self))]
    pub async fn custom_values(&self, lead: LeadId) -> Result<Vec<CustomValue>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        values_on(&mut conn, lead).await
    }

    /// Adds a field after the others. `name` and `choices` are already normalised.
    #[tracing::instrument(skip(self))]
    pub async fn create_custom_field(
        &self,
        name: &str,
        kind: FieldKind,
        choices: &[String],
        now: Timestamp,
    ) -> Result<CustomField, StoreError> {
        let mut tx = self.write().await?;
        if name_taken(&mut tx, name, None).await? {
            return Err(duplicate(name));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO custom_fields (name, kind, choices, position, created_at, updated_at) \
             VALUES (?, ?, ?, (SELECT coalesce(MAX(position) + 1, 0) FROM custom_fields), ?, ?) \
             RETURNING id",
        )
        .bind(name)
        .bind(kind.as_str())
        .bind(choices_json(choices)?)
        .bind(now.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let field = field_on(&mut tx, CustomFieldId(id)).await?;
        tx.commit().await?;
        Ok(field)
    }

    /// Renames a field or replaces a choice field's choices (already normalised). A choice that
    /// leads still hold cannot be taken away: the message says how many hold it.
    #[tracing::instrument(skip(self))]
    pub async fn update_custom_field(
        &self,
        id: CustomFieldId,
        name: Option<&str>,
        choices: Option<&[String]>,
        now: Timestamp,
    ) -> Result<CustomField, StoreError> {
        let mut tx = self.write().await?;
        let field = field_on(&mut tx, id).await?;
        if let Some(name) = name {
            if name_taken(&mut tx, name, Some(id)).await? {
                return Err(duplicate(name));
            }
        }
        let choices = match choices {
            Some(choices) if field.kind == FieldKind::Choice => {
                for old in &field.choices {
                    if choices.contains(old) {
                        continue;
                    }
                    let holding: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM lead_field_values WHERE field_id = ? AND value = ?",
                    )
                    .bind(id.0)
                    .bind(old)
                    .fetch_one(&mut *tx)
                    .await?;
                    if holding > 0 {
                        let leads = if holding == 1 {
                            "lead holds"
                        } else {
                            "leads hold"
                        };
                        return Err(StoreError::Invalid {
                            field: "choices",
                            message: format!(
                                "{holding} {leads} {old} in {}; change {} first, or keep the choice.",
                                field.name,
                                if holding == 1 { "it" } else { "them" }
                            ),
                        });
                    }
                }
                Some(choices_json(choices)?)
            }
            _ => None,
        };
        sqlx::query(
            "UPDATE custom_fields SET name = coalesce(?, name), choices = coalesce(?, choices), \
             updated_at = ? WHERE id = ?",
        )
        .bind(name)
        .bind(choices)
        .bind(now.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let field = field_on(&mut tx, id).await?;
        tx.commit().await?;
        Ok(field)
    }

    /// Puts the fields in this order; `order` must name every field exactly once.
    #[tracing::instrument(skip(self))]
    pub async fn reorder_custom_fields(
        &self,
        order: &[CustomFieldId],
        now: Timestamp,
    ) -> Result<Vec<CustomField>, StoreError> {
        let mut tx = self.write().await?;
        let mut existing: Vec<i64> = sqlx::query_scalar("SELECT id FROM custom_fields")
            .fetch_all(&mut *tx)
            .await?;
        let mut wanted: Vec<i64> = order.iter().map(|f| f.0).collect();
        existing.sort_unstable();
        wanted.sort_unstable();
        if existing != wanted {
            return Err(StoreError::Conflict(
                "The custom fields changed meanwhile; reopen Settings and try again.".into(),
            ));
        }
        for (position, id) in order.iter().enumerate() {
            sqlx::query("UPDATE custom_fields SET position = ?, updated_at = ? WHERE id = ?")
                .bind(position as i64)
                .bind(now.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        let fields = all_fields(&mut tx).await?;
        tx.commit().await?;
        Ok(fields)
    }

    /// Deletes a field and every lead's value of it (the UI says how many first). Returns the
    /// number of values deleted, deleted leads' included.
    #[tracing::instrument(skip(self))]
    pub async fn delete_custom_field(&self, id: CustomFieldId) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        field_on(&mut tx, id).await?;
        let values = sqlx::query("DELETE FROM lead_field_values WHERE field_id = ?")
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM custom_fields WHERE id = ?")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(values)
    }

    /// Sets one lead's value of one field after checking it against the field as it is now;
    /// an empty `raw` clears it. Returns the lead's values afterwards.
    #[tracing::instrument(skip(self, raw))]
    pub async fn set_custom_value(
        &self,
        lead: LeadId,
        field: CustomFieldId,
        raw: &str,
        now: Timestamp,
    ) -> Result<Vec<CustomValue>, StoreError> {
        let mut tx = self.write().await?;
        let definition = field_on(&mut tx, field).await?;
        let live: Option<i64> =
            sqlx::query_scalar("SELECT id FROM leads WHERE id = ? AND deleted_at IS NULL")
                .bind(lead.0)
                .fetch_optional(&mut *tx)
                .await?;
        if live.is_none() {
            return Err(StoreError::LeadNotFound(lead));
        }
        let value = check_custom_value(&definition, raw).map_err(|e| StoreError::Invalid {
            field: e.field,
            message: e.message,
        })?;
        write_value(&mut tx, lead, field, value.as_deref(), now).await?;
        sqlx::query("UPDATE leads SET updated_at = ? WHERE id = ?")
            .bind(now.0)
            .bind(lead.0)
            .execute(&mut *tx)
            .await?;
        let values = values_on(&mut tx, lead).await?;
        tx.commit().await?;
        Ok(values)
    }
}

/// Writes an already checked value (`None` clears it) inside the caller's transaction.
pub(crate) async fn write_value(
    conn: &mut SqliteConnection,
    lead: LeadId,
    field: CustomFieldId,
    value: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    match value {
        Some(value) => {
            sqlx::query(
                "INSERT INTO lead_field_values (lead_id, field_id, value, updated_at) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (lead_id, field_id) \
                 DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(lead.0)
            .bind(field.0)
            .bind(value)
            .bind(now.0)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM lead_field_values WHERE lead_id = ? AND field_id = ?")
                .bind(lead.0)
                .bind(field.0)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
