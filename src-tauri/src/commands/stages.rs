//! Editing the pipeline: the board's columns.

use leadscout_domain::{NewStage, Stage, StageEdit, StageId};
use tauri::State;

use crate::{AppState, IpcError};

/// Adds a stage at the right end of the board.
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

/// Puts the columns in this order (every stage exactly once).
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
