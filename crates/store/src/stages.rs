//! Pipeline stages: the board's columns, which the user adds, renames, recolours, reorders and
//! deletes. Each stage belongs to one pipeline (see `pipelines.rs`); names are unique within it
//! and positions count from 0 within it.

use leadscout_domain::{PipelineId, Stage, StageId, StageKind, Timestamp, STAGE_PALETTE};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::leads::POSITION_GAP;
use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct StageRow {
    id: i64,
    pipeline_id: i64,
    name: String,
    kind: String,
    color: String,
    position: i64,
    probability: i64,
}

impl TryFrom<StageRow> for Stage {
    type Error = StoreError;

    fn try_from(row: StageRow) -> Result<Self, StoreError> {
        let kind = StageKind::parse(&row.kind).ok_or_else(|| {
            StoreError::Corrupt(format!("stage {} has unknown kind {:?}", row.id, row.kind))
        })?;
        Ok(Stage {
            id: StageId(row.id),
            pipeline_id: PipelineId(row.pipeline_id),
            name: row.name,
            kind,
            color: row.color,
            position: row.position,
            // The schema's CHECK keeps it within 0-100.
            probability: u8::try_from(row.probability).map_err(|_| {
                StoreError::Corrupt(format!(
                    "stage {} has probability {}",
                    row.id, row.probability
                ))
            })?,
        })
    }
}

impl Store {
    /// Every stage of every pipeline: pipeline by pipeline in menu order, each in board order.
    #[tracing::instrument(skip(self))]
    pub async fn stages(&self) -> Result<Vec<Stage>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        all(&mut conn).await
    }
}

/// Every stage as [`Store::stages`] orders them, on a connection (or in a transaction) of the
/// caller's.
pub(crate) async fn all(conn: &mut SqliteConnection) -> Result<Vec<Stage>, StoreError> {
    let rows: Vec<StageRow> = sqlx::query_as(
        "SELECT s.id, s.pipeline_id, s.name, s.kind, s.color, s.position, s.probability \
         FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id \
         ORDER BY p.position, p.id, s.position, s.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(Stage::try_from).collect()
}

/// The first stage of the first pipeline: where a lead goes when nobody names a stage.
pub(crate) async fn first(conn: &mut SqliteConnection) -> Result<StageId, StoreError> {
    sqlx::query_scalar(
        "SELECT s.id FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id \
         ORDER BY p.position, p.id, s.position, s.id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(StageId)
    .ok_or(StoreError::NoStages)
}

/// The first stage of `pipeline`.
pub(crate) async fn first_in(
    conn: &mut SqliteConnection,
    pipeline: PipelineId,
) -> Result<StageId, StoreError> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM pipelines WHERE id = ?")
        .bind(pipeline.0)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Err(StoreError::PipelineNotFound(pipeline));
    }
    sqlx::query_scalar(
        "SELECT id FROM pipeline_stages WHERE pipeline_id = ? ORDER BY position, id LIMIT 1",
    )
    .bind(pipeline.0)
    .fetch_optional(&mut *conn)
    .await?
    .map(StageId)
    .ok_or(StoreError::NoStages)
}

const STAGE_COLUMNS: &str = "id, pipeline_id, name, kind, color, position, probability";

pub(crate) async fn stage_in(
    tx: &mut Transaction<'_, Sqlite>,
    id: StageId,
) -> Result<Stage, StoreError> {
    let row: Option<StageRow> = sqlx::query_as(&format!(
        "SELECT {STAGE_COLUMNS} FROM pipeline_stages WHERE id = ?"
    ))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or(StoreError::StageNotFound(id))?.try_into()
}

async fn name_taken(
    tx: &mut Transaction<'_, Sqlite>,
    pipeline: PipelineId,
    name: &str,
    except: Option<StageId>,
) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM pipeline_stages WHERE pipeline_id = ? AND name = ? COLLATE NOCASE \
         AND id IS NOT ?",
    )
    .bind(pipeline.0)
    .bind(name)
    .bind(except.map(|s| s.0))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

fn duplicate(name: &str) -> StoreError {
    StoreError::Conflict(format!("There is already a stage called {name}."))
}

impl Store {
    /// Adds a stage at the right end of the first pipeline's board. `name` and `color` are
    /// already normalised.
    #[tracing::instrument(skip(self))]
    pub async fn create_stage(
        &self,
        name: &str,
        kind: StageKind,
        color: Option<&str>,
        now: Timestamp,
    ) -> Result<Stage, StoreError> {
        self.create_stage_in(None, name, kind, color, now).await
    }

    /// Adds a stage at the right end of `pipeline`'s board (the first pipeline's when `None`).
    #[tracing::instrument(skip(self))]
    pub async fn create_stage_in(
        &self,
        pipeline: Option<PipelineId>,
        name: &str,
        kind: StageKind,
        color: Option<&str>,
        now: Timestamp,
    ) -> Result<Stage, StoreError> {
        let mut tx = self.write().await?;
        let pipeline = match pipeline {
            Some(id) => id,
            None => crate::pipelines::first(&mut tx).await?,
        };
        crate::pipelines::pipeline_in(&mut tx, pipeline).await?;
        if name_taken(&mut tx, pipeline, name, None).await? {
            return Err(duplicate(name));
        }
        let (count, last): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(position) FROM pipeline_stages WHERE pipeline_id = ?",
        )
        .bind(pipeline.0)
        .fetch_one(&mut *tx)
        .await?;
        let color = color.map_or_else(
            || STAGE_PALETTE[count.unsigned_abs() as usize % STAGE_PALETTE.len()].to_owned(),
            str::to_owned,
        );
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pipeline_stages (pipeline_id, name, kind, color, position, probability, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(pipeline.0)
        .bind(name)
        .bind(kind.as_str())
        .bind(&color)
        .bind(last.map_or(0, |p| p + 1))
        .bind(i64::from(kind.default_probability()))
        .bind(now.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let stage = stage_in(&mut tx, StageId(id)).await?;
        tx.commit().await?;
        Ok(stage)
    }

    /// Renames, recolours or re-kinds a stage (values already normalised).
    #[tracing::instrument(skip(self))]
    pub async fn update_stage(
        &self,
        id: StageId,
        name: Option<&str>,
        kind: Option<StageKind>,
        color: Option<&str>,
        now: Timestamp,
    ) -> Result<Stage, StoreError> {
        self.edit_stage(id, name, kind, color, None, now).await
    }

    /// [`Store::update_stage`] with the stage's win probability too (percent, already checked).
    #[tracing::instrument(skip(self))]
    pub async fn edit_stage(
        &self,
        id: StageId,
        name: Option<&str>,
        kind: Option<StageKind>,
        color: Option<&str>,
        probability: Option<u8>,
        now: Timestamp,
    ) -> Result<Stage, StoreError> {
        let mut tx = self.write().await?;
        let stage = stage_in(&mut tx, id).await?;
        if let Some(name) = name {
            if name_taken(&mut tx, stage.pipeline_id, name, Some(id)).await? {
                return Err(duplicate(name));
            }
        }
        sqlx::query(
            "UPDATE pipeline_stages SET name = coalesce(?, name), kind = coalesce(?, kind), \
             color = coalesce(?, color), probability = coalesce(?, probability), updated_at = ? \
             WHERE id = ?",
        )
        .bind(name)
        .bind(kind.map(StageKind::as_str))
        .bind(color)
        .bind(probability.map(i64::from))
        .bind(now.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let stage = stage_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(stage)
    }

    /// Puts one pipeline's stages in the given order; `order` must name every stage of that
    /// pipeline exactly once (and no other). Returns every stage of every pipeline.
    #[tracing::instrument(skip(self))]
    pub async fn reorder_stages(
        &self,
        order: &[StageId],
        now: Timestamp,
    ) -> Result<Vec<Stage>, StoreError> {
        let mut tx = self.write().await?;
        let Some(first) = order.first() else {
            return Err(StoreError::Conflict(
                "The stages changed meanwhile; reload the board and try again.".into(),
            ));
        };
        let pipeline = stage_in(&mut tx, *first).await?.pipeline_id;
        let mut existing: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM pipeline_stages WHERE pipeline_id = ?")
                .bind(pipeline.0)
                .fetch_all(&mut *tx)
                .await?;
        let mut wanted: Vec<i64> = order.iter().map(|s| s.0).collect();
        existing.sort_unstable();
        wanted.sort_unstable();
        if existing != wanted {
            return Err(StoreError::Conflict(
                "The stages changed meanwhile; reload the board and try again.".into(),
            ));
        }
        for (position, id) in order.iter().enumerate() {
            sqlx::query("UPDATE pipeline_stages SET position = ?, updated_at = ? WHERE id = ?")
                .bind(position as i64)
                .bind(now.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.stages().await
    }

    /// Deletes a stage after moving all its leads (deleted ones included) to the bottom of
    /// `move_to` (in any pipeline), noting the move on each live lead's timeline. A pipeline's
    /// last stage cannot go: delete the pipeline instead.
    #[tracing::instrument(skip(self))]
    pub async fn delete_stage(
        &self,
        id: StageId,
        move_to: StageId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if id == move_to {
            return Err(StoreError::Conflict(
                "Pick another stage to move this stage's leads to.".into(),
            ));
        }
        let mut tx = self.write().await?;
        let doomed = stage_in(&mut tx, id).await?;
        let target = stage_in(&mut tx, move_to).await?;
        let siblings: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pipeline_stages WHERE pipeline_id = ?")
                .bind(doomed.pipeline_id.0)
                .fetch_one(&mut *tx)
                .await?;
        if siblings <= 1 {
            return Err(StoreError::Conflict(
                "A pipeline keeps at least one stage; delete the pipeline instead.".into(),
            ));
        }
        let note = format!(
            "Moved from {} to {} when {} was deleted",
            doomed.name, target.name, doomed.name
        );
        move_leads(&mut tx, &doomed, &target, &note, now).await?;
        sqlx::query("DELETE FROM pipeline_stages WHERE id = ?")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Moves every lead of `doomed` (deleted ones included) to the bottom of `target`, in their
/// order, writing `note` on each live lead's timeline: what deleting a stage or a pipeline does.
pub(crate) async fn move_leads(
    tx: &mut Transaction<'_, Sqlite>,
    doomed: &Stage,
    target: &Stage,
    note: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (id, move_to) = (doomed.id, target.id);
    let bottom: Option<i64> =
        sqlx::query_scalar("SELECT MAX(position) FROM leads WHERE stage_id = ?")
            .bind(move_to.0)
            .fetch_one(&mut **tx)
            .await?;
    let base = bottom.map_or(0, |b| b + POSITION_GAP);
    sqlx::query(
        "INSERT INTO activities (lead_id, kind, body, occurred_at, created_at) \
         SELECT id, 'stage_change', ?, ?, ? FROM leads \
         WHERE stage_id = ? AND deleted_at IS NULL",
    )
    .bind(note)
    .bind(now.0)
    .bind(now.0)
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    // Keep their order below the target column's last card.
    let moving: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM leads WHERE stage_id = ? ORDER BY position, id")
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?;
    // Closing follows the stage as a move does: into an open stage reopens the deal, into a
    // closed stage of another kind closes it now, and only a lost stage keeps a lost reason.
    let closed_at = match (doomed.kind, target.kind) {
        (_, StageKind::Open) => ClosedAt::Clear,
        (from, to) if from == to => ClosedAt::Keep,
        _ => ClosedAt::Now,
    };
    for (i, lead) in moving.iter().enumerate() {
        sqlx::query(
            "UPDATE leads SET stage_id = ?, position = ?, updated_at = ?, \
             closed_at = CASE ? WHEN 'clear' THEN NULL WHEN 'keep' THEN closed_at ELSE ? END, \
             lost_reason = CASE WHEN ? = 'lost' THEN lost_reason END, \
             lost_note = CASE WHEN ? = 'lost' THEN lost_note END \
             WHERE id = ?",
        )
        .bind(move_to.0)
        .bind(base + i as i64 * POSITION_GAP)
        .bind(now.0)
        .bind(closed_at.as_str())
        .bind(now.0)
        .bind(target.kind.as_str())
        .bind(target.kind.as_str())
        .bind(lead)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What a bulk move does to a lead's `closed_at`.
#[derive(Clone, Copy)]
enum ClosedAt {
    Clear,
    Keep,
    Now,
}

impl ClosedAt {
    fn as_str(self) -> &'static str {
        match self {
            ClosedAt::Clear => "clear",
            ClosedAt::Keep => "keep",
            ClosedAt::Now => "now",
        }
    }
}
