//! Merging two leads that are the same person: the kept lead takes the chosen fields of the
//! other, every note, call, stage change and research entry, its tags, and its custom field
//! values where the kept lead has none; the other leaves the board (soft-deleted, so the merge
//! shows in its history). One transaction.

use leadscout_domain::{Lead, LeadField, LeadId, Timestamp};

use crate::companies::link_company;
use crate::leads::{lead_in, text_column};
use crate::{Store, StoreError};

/// Fields a merge can take from the other lead.
pub const MERGEABLE: [LeadField; 13] = [
    LeadField::FullName,
    LeadField::Title,
    LeadField::Email,
    LeadField::Phone,
    LeadField::LinkedinUrl,
    LeadField::CompanyName,
    LeadField::Website,
    LeadField::Source,
    LeadField::DealValue,
    LeadField::Currency,
    LeadField::NextStep,
    LeadField::NextStepDue,
    LeadField::ExpectedClose,
];

fn column(field: LeadField) -> Result<&'static str, StoreError> {
    match field {
        LeadField::DealValue => Ok("deal_value"),
        LeadField::Currency => Ok("currency"),
        other if MERGEABLE.contains(&other) => text_column(other),
        other => Err(StoreError::Conflict(format!(
            "{} cannot be taken in a merge",
            other.as_str()
        ))),
    }
}

impl Store {
    /// Merges `other` into `keep`, taking `take` fields from `other`.
    #[tracing::instrument(skip(self))]
    pub async fn merge_leads(
        &self,
        keep: LeadId,
        other: LeadId,
        take: &[LeadField],
        now: Timestamp,
    ) -> Result<Lead, StoreError> {
        if keep == other {
            return Err(StoreError::Conflict(
                "A lead cannot be merged with itself.".into(),
            ));
        }
        let mut tx = self.write().await?;
        lead_in(&mut tx, keep).await?;
        let gone = lead_in(&mut tx, other).await?;
        for field in take {
            let column = column(*field)?;
            // `column` comes from the fixed table above, never from input.
            sqlx::query(&format!(
                "UPDATE leads SET {column} = (SELECT {column} FROM leads WHERE id = ?1), \
                 updated_at = ?2 WHERE id = ?3"
            ))
            .bind(other.0)
            .bind(now.0)
            .bind(keep.0)
            .execute(&mut *tx)
            .await?;
        }
        if take.iter().any(|f| {
            matches!(
                f,
                LeadField::Website | LeadField::Email | LeadField::CompanyName
            )
        }) {
            link_company(&mut tx, keep, now).await?;
        }
        // Everything that happened with the other lead now belongs to the kept one.
        sqlx::query("UPDATE activities SET lead_id = ? WHERE lead_id = ?")
            .bind(keep.0)
            .bind(other.0)
            .execute(&mut *tx)
            .await?;
        let next: i64 = sqlx::query_scalar(
            "SELECT coalesce(MAX(position), -1) + 1 FROM lead_tags WHERE lead_id = ?",
        )
        .bind(keep.0)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO lead_tags (lead_id, tag, position) \
             SELECT ?1, tag, ?2 + position FROM lead_tags WHERE lead_id = ?3 \
             AND lower(tag) NOT IN (SELECT lower(tag) FROM lead_tags WHERE lead_id = ?1)",
        )
        .bind(keep.0)
        .bind(next)
        .bind(other.0)
        .execute(&mut *tx)
        .await?;
        // Custom values fill the kept lead's empty fields; its own values win. The other lead
        // keeps its copy, so restoring it from the bin brings its values back.
        sqlx::query(
            "INSERT OR IGNORE INTO lead_field_values (lead_id, field_id, value, updated_at) \
             SELECT ?1, field_id, value, ?2 FROM lead_field_values WHERE lead_id = ?3",
        )
        .bind(keep.0)
        .bind(now.0)
        .bind(other.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE leads SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2")
            .bind(now.0)
            .bind(other.0)
            .execute(&mut *tx)
            .await?;
        let mut note = format!("Merged with {}", gone.full_name);
        if let Some(email) = &gone.email {
            note.push_str(&format!(" ({email})"));
        }
        if !take.is_empty() {
            let names: Vec<&str> = take.iter().map(|f| f.as_str()).collect();
            note.push_str(&format!("; took {}", names.join(", ")));
        }
        note.push('.');
        sqlx::query(
            "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
             VALUES (?, 'note', ?, ?, ?)",
        )
        .bind(keep.0)
        .bind(note)
        .bind(now.0)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let merged = lead_in(&mut tx, keep).await?;
        tx.commit().await?;
        Ok(merged)
    }
}
