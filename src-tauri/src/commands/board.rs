//! The pipeline board.

use leadscout_domain::{Board, Lead, NewLead, Timestamp};
use tauri::State;

use crate::{AppState, IpcError};

/// Every stage with its leads, in board order.
#[tauri::command]
#[specta::specta]
pub async fn get_board(state: State<'_, AppState>) -> Result<Board, IpcError> {
    Ok(state.store()?.board().await?)
}

/// Validates the form's input and adds the lead at the top of its stage.
#[tauri::command]
#[specta::specta]
pub async fn create_lead(state: State<'_, AppState>, input: NewLead) -> Result<Lead, IpcError> {
    let draft = input.validate()?;
    Ok(state.store()?.create_lead(&draft, Timestamp::now()).await?)
}
