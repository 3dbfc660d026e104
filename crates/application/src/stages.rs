//! Pipelines and their stages: the boards and their columns.

use leadscout_domain::{
    check_stage_probability, normalize_pipeline_name, normalize_stage_color, normalize_stage_name,
    Forecast, NewPipeline, NewStage, Pipeline, PipelineId, PipelineStages, Reports, Stage,
    StageEdit, StageId, Timestamp,
};

use crate::{AppError, Leadscout};

impl Leadscout {
    /// Adds a stage at the right end of its pipeline's board (the first pipeline's when the
    /// input names none).
    pub async fn create_stage(&self, input: NewStage) -> Result<Stage, AppError> {
        let name = normalize_stage_name(&input.name)?;
        let color = input
            .color
            .as_deref()
            .map(normalize_stage_color)
            .transpose()?;
        Ok(self
            .store
            .create_stage_in(
                input.pipeline_id,
                &name,
                input.kind,
                color.as_deref(),
                Timestamp::now(),
            )
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

    /// Puts one pipeline's columns in this order (each of its stages exactly once).
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

    /// Every stage of every pipeline, pipeline by pipeline, each in board order.
    pub async fn stages(&self) -> Result<Vec<Stage>, AppError> {
        Ok(self.store.stages().await?)
    }

    /// Every pipeline and every stage, without the leads.
    pub async fn pipeline_stages(&self) -> Result<PipelineStages, AppError> {
        Ok(self.store.pipeline_stages().await?)
    }

    /// Every pipeline, in menu order.
    pub async fn pipelines(&self) -> Result<Vec<Pipeline>, AppError> {
        Ok(self.store.pipelines().await?)
    }

    /// Adds a pipeline at the end of the menu, with the stages of the one it copies or "Open",
    /// "Won" and "Lost".
    pub async fn create_pipeline(&self, input: NewPipeline) -> Result<Pipeline, AppError> {
        let name = normalize_pipeline_name(&input.name)?;
        Ok(self
            .store
            .create_pipeline(&name, input.copy_stages_from, Timestamp::now())
            .await?)
    }

    /// Renames a pipeline.
    pub async fn rename_pipeline(&self, id: PipelineId, name: &str) -> Result<Pipeline, AppError> {
        let name = normalize_pipeline_name(name)?;
        Ok(self
            .store
            .rename_pipeline(id, &name, Timestamp::now())
            .await?)
    }

    /// Deletes a pipeline and its stages, moving its leads to the bottom of `move_to`, a stage
    /// of another pipeline.
    pub async fn delete_pipeline(&self, id: PipelineId, move_to: StageId) -> Result<(), AppError> {
        Ok(self
            .store
            .delete_pipeline(id, move_to, Timestamp::now())
            .await?)
    }

    /// Every report of one pipeline (the first when `None`). `offset_minutes` is the user's
    /// offset from UTC (east positive), so months are theirs; a value beyond ±14 hours is a
    /// broken clock and read as UTC.
    pub async fn reports(
        &self,
        offset_minutes: i32,
        pipeline: Option<PipelineId>,
    ) -> Result<Reports, AppError> {
        let offset = if offset_minutes.abs() <= 14 * 60 {
            offset_minutes
        } else {
            0
        };
        Ok(self.store.pipeline_reports(offset, pipeline).await?)
    }

    /// The weighted forecast of one pipeline's board (the first when `None`).
    pub async fn forecast(&self, pipeline: Option<PipelineId>) -> Result<Forecast, AppError> {
        Ok(self.store.pipeline_forecast(pipeline).await?)
    }
}
