//! The pipeline's stages: the board's columns.

use leadscout_domain::{
    check_stage_probability, normalize_stage_color, normalize_stage_name, NewStage, Stage,
    StageEdit, StageId, Timestamp,
};

use crate::{AppError, Leadscout};

impl Leadscout {
    /// Adds a stage at the right end of the board.
    pub async fn create_stage(&self, input: NewStage) -> Result<Stage, AppError> {
        let name = normalize_stage_name(&input.name)?;
        let color = input
            .color
            .as_deref()
            .map(normalize_stage_color)
            .transpose()?;
        Ok(self
            .store
            .create_stage(&name, input.kind, color.as_deref(), Timestamp::now())
            .await?)
    }

    /// Renames, recolours, changes the kind of a stage or its win probability.
    pub async fn update_stage(&self, id: StageId, edit: StageEdit) -> Result<Stage, AppError> {
        let name = edit.name.as_deref().map(normalize_stage_name).transpose()?;
        let color = edit
            .color
            .as_deref()
            .map(normalize_stage_color)
            .transpose()?;
        let probability = edit.probability.map(check_stage_probability).transpose()?;
        Ok(self
            .store
            .edit_stage(
                id,
                name.as_deref(),
                edit.kind,
                color.as_deref(),
                probability,
                Timestamp::now(),
            )
            .await?)
    }

    /// Puts the columns in this order (every stage exactly once).
    pub async fn reorder_stages(&self, order: &[StageId]) -> Result<Vec<Stage>, AppError> {
        Ok(self.store.reorder_stages(order, Timestamp::now()).await?)
    }

    /// Deletes a stage, moving its leads to the bottom of `move_to`.
    pub async fn delete_stage(&self, id: StageId, move_to: StageId) -> Result<(), AppError> {
        Ok(self
            .store
            .delete_stage(id, move_to, Timestamp::now())
            .await?)
    }

    /// The stages in board order.
    pub async fn stages(&self) -> Result<Vec<Stage>, AppError> {
        Ok(self.store.stages().await?)
    }
}
