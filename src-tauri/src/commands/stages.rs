//! Editing the pipelines and their stages: the boards and their columns.

use leadscout_domain::{
    NewPipeline, NewStage, Pipeline, PipelineId, PipelineStages, Stage, StageEdit, StageId,
};
use tauri::State;

use crate::{AppState, IpcError};

/// Every pipeline and every stage, without the leads (Settings names stages with it; the whole
/// board is megabytes at 10,000 leads).
#[tauri::command]
#[specta::specta]
pub async fn get_stages(state: State<'_, AppState>) -> Result<PipelineStages, IpcError> {
    Ok(state.app()?.pipeline_stages().await?)
}

/// Adds a stage at the right end of its pipeline's board.
#[tauri::command]
#[specta::specta]
pub async fn create_stage(state: State<'_, AppState>, input: NewStage) -> Result<Stage, IpcError> {
    Ok(state.app()?.create_stage(input).await?)
}

/// Renames, recolours, changes the kind of a stage or its win probability.
#[tauri::command]
#[specta::specta]
pub async fn update_stage(
    state: State<'_, AppState>,
    id: StageId,
    edit: StageEdit,
) -> Result<Stage, IpcError> {
    Ok(state.app()?.update_stage(id, edit).await?)
}

/// Puts one pipeline's columns in this order (each of its stages exactly once).
#[tauri::command]
#[specta::specta]
pub async fn reorder_stages(
    state: State<'_, AppState>,
    order: Vec<StageId>,
) -> Result<Vec<Stage>, IpcError> {
    Ok(state.app()?.reorder_stages(&order).await?)
}

/// Deletes a stage, moving its leads to the bottom of `move_to`.
#[tauri::command]
#[specta::specta]
pub async fn delete_stage(
    state: State<'_, AppState>,
    id: StageId,
    move_to: StageId,
) -> Result<(), IpcError> {
    Ok(state.app()?.delete_stage(id, move_to).await?)
}

/// Adds a pipeline with the stages of `copy_stages_from` (or "Open", "Won" and "Lost").
#[tauri::command]
#[specta::specta]
pub async fn create_pipeline(
    state: State<'_, AppState>,
    input: NewPipeline,
) -> Result<Pipeline, IpcError> {
    Ok(state.app()?.create_pipeline(input).await?)
}

/// Renames a pipeline.
#[tauri::command]
#[specta::specta]
pub async fn rename_pipeline(
    state: State<'_, AppState>,
    id: PipelineId,
    name: String,
) -> Result<Pipeline, IpcError> {
    Ok(state.app()?.rename_pipeline(id, &name).await?)
}

/// Deletes a pipeline and its stages, moving its leads to the bottom of `move_to`, a stage of
/// another pipeline.
#[tauri::command]
#[specta::specta]
pub async fn delete_pipeline(
    state: State<'_, AppState>,
    id: PipelineId,
    move_to: StageId,
) -> Result<(), IpcError> {
    Ok(state.app()?.delete_pipeline(id, move_to).await?)
}
