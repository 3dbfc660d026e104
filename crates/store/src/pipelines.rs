//! Pipelines: boards of their own stages (new business, renewals). A lead is in the pipeline of
//! its stage, so nothing about a lead names its pipeline and moving a lead between pipelines is
//! an ordinary move to a stage of the other one.

use leadscout_domain::{
    Pipeline, PipelineId, PipelineStages, StageId, StageKind, Timestamp, NEW_PIPELINE_STAGES,
    STAGE_PALETTE,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::{Store, StoreError};

/// Every pipeline in menu order, on a connection of the caller's.
pub(crate) async fn all(conn: &mut SqliteConnection) -> Result<Vec<Pipeline>, StoreError> {
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, position FROM pipelines ORDER BY position, id")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, position)| Pipeline {
            id: PipelineId(id),
            name,
            position,
        })
        .collect())
}

/// The first pipeline in the menu: where leads and stages go when nobody names one.
pub(crate) async fn first(conn: &mut SqliteConnection) -> Result<PipelineId, StoreError> {
    sqlx::query_scalar("SELECT id FROM pipelines ORDER BY position, id LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .map(PipelineId)
        .ok_or(StoreError::NoStages)
}

pub(crate) async fn pipeline_in(
    conn: &mut SqliteConnection,
    id: PipelineId,
) -> Result<Pipeline, StoreError> {
    let row: Option<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, position FROM pipelines WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    let (id, name, position) = row.ok_or(StoreError::PipelineNotFound(id))?;
    Ok(Pipeline {
        id: PipelineId(id),
        name,
        position,
    })
}

async fn name_taken(
    tx: &mut Transaction<'_, Sqlite>,
    name: &str,
    except: Option<PipelineId>,
) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM pipelines WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
    )
    .bind(name)
    .bind(except.map(|p| p.0))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

fn duplicate(name: &str) -> StoreError {
    StoreError::Conflict(format!("There is already a pipeline called {name}."))
}

impl Store {
    /// Every pipeline, in menu order.
    #[tracing::instrument(skip(self))]
    pub async fn pipelines(&self) -> Result<Vec<Pipeline>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        all(&mut conn).await
    }

    /// Every pipeline and every stage, read together.
    #[tracing::instrument(skip(self))]
    pub async fn pipeline_stages(&self) -> Result<PipelineStages, StoreError> {
        let mut tx = self.reader.begin().await?;
        let pipelines = all(&mut tx).await?;
        let stages = crate::stages::all(&mut tx).await?;
        tx.commit().await?;
        Ok(PipelineStages { pipelines, stages })
    }

    /// Adds a pipeline at the end of the menu (`name` already normalised), with the stages of
    /// `copy_stages_from` (names, kinds, colours, probabilities) or "Open", "Won" and "Lost".
    #[tracing::instrument(skip(self))]
    pub async fn create_pipeline(
        &self,
        name: &str,
        copy_stages_from: Option<PipelineId>,
        now: Timestamp,
    ) -> Result<Pipeline, StoreError> {
        let mut tx = self.write().await?;
        if name_taken(&mut tx, name, None).await? {
            return Err(duplicate(name));
        }
        let stages: Vec<(String, String, String, i64)> = match copy_stages_from {
            Some(source) => {
                pipeline_in(&mut tx, source).await?;
                sqlx::query_as(
                    "SELECT name, kind, color, probability FROM pipeline_stages \
                     WHERE pipeline_id = ? ORDER BY position, id",
                )
                .bind(source.0)
                .fetch_all(&mut *tx)
                .await?
            }
            None => NEW_PIPELINE_STAGES
                .iter()
                .map(|(name, kind, color, probability)| {
                    (
                        (*name).to_owned(),
                        kind.as_str().to_owned(),
                        (*color).to_owned(),
                        i64::from(*probability),
                    )
                })
                .collect(),
        };
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM pipelines")
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pipelines (name, position, created_at, updated_at) VALUES (?, ?, ?, ?) \
             RETURNING id",
        )
        .bind(name)
        .bind(last.map_or(0, |p| p + 1))
        .bind(now.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        for (position, (stage, kind, color, probability)) in stages.iter().enumerate() {
            // A copied stage is as the source has it; the schema's checks hold for it already.
            let kind = StageKind::parse(kind).unwrap_or(StageKind::Open);
            let color = if color.is_empty() {
                STAGE_PALETTE[position % STAGE_PALETTE.len()]
            } else {
                color.as_str()
            };
            sqlx::query(
                "INSERT INTO pipeline_stages (pipeline_id, name, kind, color, position, \
                 probability, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(stage)
            .bind(kind.as_str())
            .bind(color)
            .bind(position as i64)
            .bind(probability)
            .bind(now.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        let pipeline = pipeline_in(&mut tx, PipelineId(id)).await?;
        tx.commit().await?;
        Ok(pipeline)
    }

    /// Renames a pipeline (`name` already normalised).
    #[tracing::instrument(skip(self))]
    pub async fn rename_pipeline(
        &self,
        id: PipelineId,
        name: &str,
        now: Timestamp,
    ) -> Result<Pipeline, StoreError> {
        let mut tx = self.write().await?;
        pipeline_in(&mut tx, id).await?;
        if name_taken(&mut tx, name, Some(id)).await? {
            return Err(duplicate(name));
        }
        sqlx::query("UPDATE pipelines SET name = ?, updated_at = ? WHERE id = ?")
            .bind(name)
            .bind(now.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let pipeline = pipeline_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(pipeline)
    }

    /// Deletes a pipeline and its stages after moving every lead in it (deleted ones included)
    /// to the bottom of `move_to`, a stage of another pipeline, stage by stage in board order,
    /// noting the move on each live lead's timeline. The last pipeline cannot go.
    #[tracing::instrument(skip(self))]
    pub async fn delete_pipeline(
        &self,
        id: PipelineId,
        move_to: StageId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let doomed = pipeline_in(&mut tx, id).await?;
        let target = crate::stages::stage_in(&mut tx, move_to).await?;
        if target.pipeline_id == id {
            return Err(StoreError::Conflict(
                "Pick a stage in another pipeline to move this pipeline's leads to.".into(),
            ));
        }
        let into = pipeline_in(&mut tx, target.pipeline_id).await?;
        let stages: Vec<StageId> = sqlx::query_scalar(
            "SELECT id FROM pipeline_stages WHERE pipeline_id = ? ORDER BY position, id",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(StageId)
        .collect();
        for stage in stages {
            let stage = crate::stages::stage_in(&mut tx, stage).await?;
            let note = format!(
                "Moved from {} · {} to {} · {} when the {} pipeline was deleted",
                doomed.name, stage.name, into.name, target.name, doomed.name
            );
            crate::stages::move_leads(&mut tx, &stage, &target, &note, now).await?;
            sqlx::query("DELETE FROM pipeline_stages WHERE id = ?")
                .bind(stage.id.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM pipelines WHERE id = ?")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
