//! Importing leads in batches: each batch is one transaction, so a failure loses that batch at
//! most and never half a lead. Duplicates (same email, else same name at the same company
//! domain) are skipped, merged (empty fields filled) or created anyway, as the user chose.

use leadscout_domain::{
    email_company_domain, registrable_domain, Duplicates, FieldValue, LeadField, LeadId, Timestamp,
};
use sqlx::{Sqlite, Transaction};

use crate::companies::link_company;
use crate::leads::{text_column, POSITION_GAP};
use crate::{Store, StoreError};

/// One validated row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLead {
    pub full_name: String,
    pub values: Vec<FieldValue>,
    /// Becomes the lead's first timeline note.
    pub note: Option<String>,
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created(LeadId),
    Merged(LeadId),
    Skipped(LeadId),
}

fn text(values: &[FieldValue], field: LeadField) -> Option<&str> {
    values.iter().find_map(|v| match v {
        FieldValue::Text(f, Some(t)) if *f == field => Some(t.as_str()),
        _ => None,
    })
}

fn website(values: &[FieldValue]) -> Option<&url::Url> {
    values.iter().find_map(|v| match v {
        FieldValue::Website(Some(u)) => Some(u),
        _ => None,
    })
}

/// The column and bound text of a value an import may set.
fn column(value: &FieldValue) -> Option<(&'static str, Option<String>)> {
    match value {
        FieldValue::Text(field, text) => Some((text_column(*field).ok()?, text.clone())),
        FieldValue::Website(url) => Some(("website", url.as_ref().map(|u| u.to_string()))),
        _ => None,
    }
}

async fn existing(
    tx: &mut Transaction<'_, Sqlite>,
    row: &ImportLead,
) -> Result<Option<LeadId>, StoreError> {
    let email = text(&row.values, LeadField::Email);
    if let Some(email) = email {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM leads WHERE lower(email) = lower(?) AND email IS NOT NULL \
             AND deleted_at IS NULL ORDER BY id LIMIT 1",
        )
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_some() {
            return Ok(found.map(LeadId));
        }
    }
    let domain = website(&row.values)
        .and_then(registrable_domain)
        .or_else(|| email.and_then(email_company_domain));
    let Some(domain) = domain else {
        return Ok(None);
    };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT l.id FROM leads l JOIN companies c ON c.id = l.company_id \
         WHERE c.domain = ? AND lower(l.full_name) = lower(?) AND l.deleted_at IS NULL \
         ORDER BY l.id LIMIT 1",
    )
    .bind(domain)
    .bind(&row.full_name)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.map(LeadId))
}

impl Store {
    /// Imports a batch in one transaction, at the top of the first stage, in file order.
    pub async fn import_leads(
        &self,
        batch: &[ImportLead],
        duplicates: Duplicates,
        now: Timestamp,
    ) -> Result<Vec<Imported>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let stage: i64 =
            sqlx::query_scalar("SELECT id FROM pipeline_stages ORDER BY position, id LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NoStages)?;
        let top: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(position) FROM leads WHERE stage_id = ? AND deleted_at IS NULL",
        )
        .bind(stage)
        .fetch_one(&mut *tx)
        .await?;
        // The batch goes above what is there, first row on top.
        let mut position =
            top.unwrap_or(0) - POSITION_GAP * i64::try_from(batch.len()).unwrap_or(0);
        let mut outcomes = Vec::with_capacity(batch.len());
        for row in batch {
            if duplicates != Duplicates::Create {
                if let Some(found) = existing(&mut tx, row).await? {
                    if duplicates == Duplicates::Merge {
                        fill_empty(&mut tx, found, row, now).await?;
                        outcomes.push(Imported::Merged(found));
                    } else {
                        outcomes.push(Imported::Skipped(found));
                    }
                    continue;
                }
            }
            // One INSERT with every column: each later UPDATE would re-index the lead for
            // search through the triggers.
            let get = |field: LeadField| text(&row.values, field);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO leads (full_name, title, email, phone, linkedin_url, company_name, \
                 website, source, stage_id, position, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&row.full_name)
            .bind(get(LeadField::Title))
            .bind(get(LeadField::Email))
            .bind(get(LeadField::Phone))
            .bind(get(LeadField::LinkedinUrl))
            .bind(get(LeadField::CompanyName))
            .bind(website(&row.values).map(|u| u.to_string()))
            .bind(get(LeadField::Source))
            .bind(stage)
            .bind(position)
            .bind(now.0)
            .bind(now.0)
            .fetch_one(&mut *tx)
            .await?;
            position += POSITION_GAP;
            link_company(&mut tx, LeadId(id), now).await?;
            if let Some(note) = &row.note {
                sqlx::query(
                    "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
                     VALUES (?, 'note', ?, ?, ?)",
                )
                .bind(id)
                .bind(note)
                .bind(now.0)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            outcomes.push(Imported::Created(LeadId(id)));
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

async fn fill_empty(
    tx: &mut Transaction<'_, Sqlite>,
    id: LeadId,
    row: &ImportLead,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut relink = false;
    for value in &row.values {
        let Some((column, Some(bound))) = column(value) else {
            continue;
        };
        let done = sqlx::query(&format!(
            "UPDATE leads SET {column} = ?, updated_at = ? \
             WHERE id = ? AND ({column} IS NULL OR {column} = '')"
        ))
        .bind(bound)
        .bind(now.0)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        relink |=
            done.rows_affected() > 0 && matches!(column, "website" | "email" | "company_name");
    }
    if relink {
        link_company(tx, id, now).await?;
    }
    Ok(())
}
