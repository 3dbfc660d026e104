//! Leads: creating them and laying them out on the board.

use std::collections::HashMap;

use leadscout_domain::{Board, BoardColumn, Lead, LeadDraft, LeadId, StageId, Timestamp};

use crate::{Store, StoreError};

const LEAD_COLUMNS: &str =
    "id, full_name, email, company_name, website, stage_id, position, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct LeadRow {
    id: i64,
    full_name: String,
    email: Option<String>,
    company_name: Option<String>,
    website: Option<String>,
    stage_id: i64,
    position: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<LeadRow> for Lead {
    fn from(row: LeadRow) -> Self {
        Lead {
            id: LeadId(row.id),
            full_name: row.full_name,
            email: row.email,
            company_name: row.company_name,
            website: row.website,
            stage_id: StageId(row.stage_id),
            position: row.position,
            created_at: Timestamp(row.created_at),
            updated_at: Timestamp(row.updated_at),
        }
    }
}

impl Store {
    /// Adds a lead at the top of its stage (the board's first stage when none is given).
    #[tracing::instrument(skip(self, draft))]
    pub async fn create_lead(&self, draft: &LeadDraft, now: Timestamp) -> Result<Lead, StoreError> {
        let mut tx = self.writer.begin().await?;
        let stage_id: i64 = match draft.stage_id {
            Some(id) => sqlx::query_scalar("SELECT id FROM pipeline_stages WHERE id = ?")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::StageNotFound(id))?,
            None => {
                sqlx::query_scalar("SELECT id FROM pipeline_stages ORDER BY position, id LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NoStages)?
            }
        };
        // New leads go on top: they are the ones that need attention next. Positions only order
        // a column, so they may go below zero.
        let top: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(position) FROM leads WHERE stage_id = ? AND deleted_at IS NULL",
        )
        .bind(stage_id)
        .fetch_one(&mut *tx)
        .await?;
        let position = top.map_or(0, |p| p - 1);
        let row: LeadRow = sqlx::query_as(&format!(
            "INSERT INTO leads (full_name, email, company_name, website, stage_id, position, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {LEAD_COLUMNS}"
        ))
        .bind(&draft.full_name)
        .bind(&draft.email)
        .bind(&draft.company_name)
        .bind(draft.website.as_ref().map(|u| u.as_str()))
        .bind(stage_id)
        .bind(position)
        .bind(now.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// One lead by id; `None` when it does not exist or was deleted.
    #[tracing::instrument(skip(self))]
    pub async fn lead(&self, id: LeadId) -> Result<Option<Lead>, StoreError> {
        let row: Option<LeadRow> = sqlx::query_as(&format!(
            "SELECT {LEAD_COLUMNS} FROM leads WHERE id = ? AND deleted_at IS NULL"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(Lead::from))
    }

    /// Every stage with its live leads, as the board shows them.
    #[tracing::instrument(skip(self))]
    pub async fn board(&self) -> Result<Board, StoreError> {
        let stages = self.stages().await?;
        let rows: Vec<LeadRow> = sqlx::query_as(&format!(
            "SELECT {LEAD_COLUMNS} FROM leads WHERE deleted_at IS NULL \
             ORDER BY stage_id, position, id"
        ))
        .fetch_all(&self.reader)
        .await?;
        let mut by_stage: HashMap<StageId, Vec<Lead>> = HashMap::new();
        for row in rows {
            let lead = Lead::from(row);
            by_stage.entry(lead.stage_id).or_default().push(lead);
        }
        let columns = stages
            .into_iter()
            .map(|stage| BoardColumn {
                leads: by_stage.remove(&stage.id).unwrap_or_default(),
                stage,
            })
            .collect();
        Ok(Board { columns })
    }
}
