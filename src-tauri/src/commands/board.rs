//! The pipeline board.

use leadscout_domain::{BoardView, Lead, LeadId, NewLead, StageId};
use tauri::State;

use crate::{AppState, IpcError};

/// Every stage with its leads' cards, in board order.
#[tauri::command]
#[specta::specta]
pub async fn get_board(state: State<'_, AppState>) -> Result<BoardView, IpcError> {
    let board = state.app()?.board().await?.into();
    state.memory.soon();
    Ok(board)
}

/// Validates the form's input and adds the lead at the top of its stage.
#[tauri::command]
#[specta::specta]
pub async fn create_lead(state: State<'_, AppState>, input: NewLead) -> Result<Lead, IpcError> {
    Ok(state.app()?.create_lead(input).await?)
}

/// Drops a card into `stage_id`, directly above `before_id` (at the bottom when absent).
#[tauri::command]
#[specta::specta]
pub async fn move_lead(
    state: State<'_, AppState>,
    id: LeadId,
    stage_id: StageId,
    before_id: Option<LeadId>,
) -> Result<Lead, IpcError> {
    Ok(state.app()?.move_lead(id, stage_id, before_id).await?)
}
