//! Pipeline stages: reading the board's columns.

use leadscout_domain::{Stage, StageId, StageKind};

use crate::{Store, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct StageRow {
    id: i64,
    name: String,
    kind: String,
    color: String,
    position: i64,
}

impl TryFrom<StageRow> for Stage {
    type Error = StoreError;

    fn try_from(row: StageRow) -> Result<Self, StoreError> {
        let kind = StageKind::parse(&row.kind).ok_or_else(|| {
            StoreError::Corrupt(format!("stage {} has unknown kind {:?}", row.id, row.kind))
        })?;
        Ok(Stage {
            id: StageId(row.id),
            name: row.name,
            kind,
            color: row.color,
            position: row.position,
        })
    }
}

impl Store {
    /// Every stage, in board order.
    #[tracing::instrument(skip(self))]
    pub async fn stages(&self) -> Result<Vec<Stage>, StoreError> {
        let rows: Vec<StageRow> = sqlx::query_as(
            "SELECT id, name, kind, color, position FROM pipeline_stages ORDER BY position, id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(Stage::try_from).collect()
    }
}
