//! The lead page: one lead with its company and timeline, edited a field at a time.

use leadscout_domain::{Activity, ActivityId, Lead, LeadDetail, LeadEdit, LeadId, NewActivity};
use tauri::State;

use crate::{AppState, IpcError};

/// The lead, its company and its timeline.
#[tauri::command]
#[specta::specta]
pub async fn get_lead(state: State<'_, AppState>, id: LeadId) -> Result<LeadDetail, IpcError> {
    Ok(state.app()?.lead_detail(id).await?)
}

/// Sets one field to what the user typed, after validating it.
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
    Ok(state.app()?.set_tags(id, &tags).await?)
}

/// Moves the lead to the bin; `restore_lead` undoes it.
#[tauri::command]
#[specta::specta]
pub async fn delete_lead(state: State<'_, AppState>, id: LeadId) -> Result<(), IpcError> {
    Ok(state.app()?.delete_lead(id).await?)
}

/// Brings a deleted lead back where it was.
#[tauri::command]
#[specta::specta]
pub async fn restore_lead(state: State<'_, AppState>, id: LeadId) -> Result<Lead, IpcError> {
    Ok(state.app()?.restore_lead(id).await?)
}

/// Logs a note, call, email or meeting.
#[tauri::command]
#[specta::specta]
pub async fn add_activity(
    state: State<'_, AppState>,
    input: NewActivity,
) -> Result<Activity, IpcError> {
    Ok(state.app()?.add_activity(input).await?)
}

/// Removes a logged timeline entry.
#[tauri::command]
#[specta::specta]
pub async fn delete_activity(state: State<'_, AppState>, id: ActivityId) -> Result<(), IpcError> {
    Ok(state.app()?.delete_activity(id).await?)
}

/// The latest research run of every lead that has one, for the cards' status.
#[tauri::command]
#[specta::specta]
pub async fn research_statuses(
    state: State<'_, AppState>,
) -> Result<Vec<leadscout_domain::RunSummary>, IpcError> {
    Ok(state.app()?.research_statuses().await?)
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
    Ok(state.app()?.merge_leads(keep, other, &take).await?)
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
