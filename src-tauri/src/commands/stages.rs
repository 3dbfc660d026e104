//! Editing the pipeline: the board's columns.

use leadscout_domain::{
    check_stage_probability, normalize_stage_color, normalize_stage_name, NewStage, Stage,
    StageEdit, StageId, Timestamp,
};
use tauri::State;

use crate::{AppState, IpcError};

/// Adds a stage at the right end of the board.
#[tauri::command]
#[specta::specta]
pub async fn create_stage(state: State<'_, AppState>, input: NewStage) -> Result<Stage, IpcError> {
    let name = normalize_stage_name(&input.name)?;
    let color = input
        .color
        .as_deref()
        .map(normalize_stage_color)
        .transpose()?;
    Ok(state
        .store()?
        .create_stage(&name, input.kind, color.as_deref(), Timestamp::now())
        .await?)
}

/// Renames, recolours, changes the kind of a stage or its win probability.
#[tauri::command]
#[specta::specta]
pub async fn update_stage(
    state: State<'_, AppState>,
    id: StageId,
    edit: StageEdit,
) -> Result<Stage, IpcError> {
    let name = edit.name.as_deref().map(normalize_stage_name).transpose()?;
    let color = edit
        .color
        .as_deref()
        .map(normalize_stage_color)
        .transpose()?;
    let probability = edit.probability.map(check_stage_probability).transpose()?;
    Ok(state
        .store()?
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
#[tauri::command]
#[specta::specta]
pub async fn reorder_stages(
    state: State<'_, AppState>,
    order: Vec<StageId>,
) -> Result<Vec<Stage>, IpcError> {
    Ok(state
        .store()?
        .reorder_stages(&order, Timestamp::now())
        .await?)
}

/// Deletes a stage, moving its leads to the bottom of `move_to`.
#[tauri::command]
#[specta::specta]
pub async fn delete_stage(
    state: State<'_, AppState>,
    id: StageId,
    move_to: StageId,
) -> Result<(), IpcError> {
    Ok(state
        .store()?
        .delete_stage(id, move_to, Timestamp::now())
        .await?)
}
