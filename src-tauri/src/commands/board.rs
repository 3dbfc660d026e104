//! The pipeline board.

use leadscout_domain::{BoardView, Lead, LeadId, NewLead, StageId, Timestamp};
use leadscout_research::stages::WORKFLOW;
use leadscout_store::Placement;
use tauri::State;

use crate::{AppState, IpcError};

/// Every stage with its leads' cards, in board order.
#[tauri::command]
#[specta::specta]
pub async fn get_board(state: State<'_, AppState>) -> Result<BoardView, IpcError> {
    Ok(state.store()?.board().await?.into())
}

/// Validates the form's input and adds the lead at the top of its stage.
#[tauri::command]
#[specta::specta]
pub async fn create_lead(state: State<'_, AppState>, input: NewLead) -> Result<Lead, IpcError> {
    let draft = input.validate()?;
    let store = state.store()?;
    if !store.settings().await?.research_on_create {
        return Ok(store.create_lead(&draft, Timestamp::now()).await?);
    }
    // The run is queued in the lead's own transaction: no lead without its research.
    let (lead, run) = store
        .create_lead_and_research(&draft, WORKFLOW, Timestamp::now())
        .await?;
    if let (Some(run), Some(research)) = (run, state.research()) {
        research.queued(run, lead.id);
    }
    Ok(lead)
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
    let to = Placement {
        stage_id,
        before: before_id,
    };
    Ok(state.store()?.move_lead(id, to, Timestamp::now()).await?)
}
