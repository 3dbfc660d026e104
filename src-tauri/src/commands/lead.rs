//! The lead page: one lead with its company and timeline, edited a field at a time.

use leadscout_domain::{
    normalize_tags, Activity, ActivityId, Lead, LeadDetail, LeadEdit, LeadId, NewActivity,
    Timestamp,
};
use tauri::State;

use crate::{AppState, IpcError};

/// The lead, its company and its timeline, read in one transaction.
#[tauri::command]
#[specta::specta]
pub async fn get_lead(state: State<'_, AppState>, id: LeadId) -> Result<LeadDetail, IpcError> {
    Ok(state.app()?.lead_detail(id).await?)
}

/// Sets one field to what the user typed, after validating it; a new website or email queues
/// research of the new company.
#[tauri::command]
#[specta::specta]
pub async fn update_lead(
    state: State<'_, AppState>,
    id: LeadId,
    edit: LeadEdit,
) -> Result<Lead, IpcError> {
    Ok(state.app()?.update_lead(id, edit).await?)
}

/// Replaces the lead's tags.
#[tauri::command]
#[specta::specta]
pub async fn set_lead_tags(
    state: State<'_, AppState>,
    id: LeadId,
    tags: Vec<String>,
) -> Result<Lead, IpcError> {
    let tags = normalize_tags(&tags)?;
    Ok(state.store()?.set_tags(id, &tags, Timestamp::now()).await?)
}

/// Moves the lead to the bin; `restore_lead` undoes it.
#[tauri::command]
#[specta::specta]
pub async fn delete_lead(state: State<'_, AppState>, id: LeadId) -> Result<(), IpcError> {
    state.store()?.delete_lead(id, Timestamp::now()).await?;
    // Its research stops now rather than at the run's next lease renewal.
    if let Some(research) = state.research() {
        research.engine.cancel(id).await?;
    }
    Ok(())
}

/// Brings a deleted lead back where it was.
#[tauri::command]
#[specta::specta]
pub async fn restore_lead(state: State<'_, AppState>, id: LeadId) -> Result<Lead, IpcError> {
    Ok(state.store()?.restore_lead(id, Timestamp::now()).await?)
}

/// Logs a note, call, email or meeting.
#[tauri::command]
#[specta::specta]
pub async fn add_activity(
    state: State<'_, AppState>,
    input: NewActivity,
) -> Result<Activity, IpcError> {
    let draft = input.validate()?;
    Ok(state
        .store()?
        .add_activity(&draft, Timestamp::now())
        .await?)
}

/// Removes a logged timeline entry.
#[tauri::command]
#[specta::specta]
pub async fn delete_activity(state: State<'_, AppState>, id: ActivityId) -> Result<(), IpcError> {
    Ok(state.store()?.delete_activity(id, Timestamp::now()).await?)
}

/// The latest research run of every lead that has one, for the cards' status.
#[tauri::command]
#[specta::specta]
pub async fn research_statuses(
    state: State<'_, AppState>,
) -> Result<Vec<leadscout_domain::RunSummary>, IpcError> {
    Ok(state.store()?.latest_runs(None).await?)
}

/// Merges another lead into this one: the chosen fields come from the other lead, its timeline
/// and tags move over, and it leaves the board.
#[tauri::command]
#[specta::specta]
pub async fn merge_leads(
    state: State<'_, AppState>,
    keep: LeadId,
    other: LeadId,
    take: Vec<leadscout_domain::LeadField>,
) -> Result<Lead, IpcError> {
    let store = state.store()?;
    let merged = store
        .merge_leads(keep, other, &take, Timestamp::now())
        .await?;
    // The other lead's research stops with it.
    if let Some(research) = state.research() {
        research.engine.cancel(other).await?;
    }
    Ok(merged)
}

/// Approves or rejects research's proposed values for the lead's company; returns the lead
/// page as it is afterwards.
#[tauri::command]
#[specta::specta]
pub async fn decide_proposals(
    state: State<'_, AppState>,
    lead: LeadId,
    ids: Vec<i64>,
    approve: bool,
) -> Result<LeadDetail, IpcError> {
    Ok(state.app()?.decide_proposals(lead, &ids, approve).await?)
}
