//! Research from the UI: start it for one lead or a selection, cancel it, and the settings that
//! govern it.

use leadscout_domain::{CostLedger, LeadId, ModelCallView, RunHistory, Settings};
use tauri::State;

use crate::{AppState, IpcError};

pub use leadscout_application::{PromptInfo, ResearchEstimate, ResearchRequest};

/// Queues research for each lead: "research now" reuses fresh results where the inputs did not
/// change; `force` ("re-run") recomputes every step.
#[tauri::command]
#[specta::specta]
pub async fn research_leads(
    state: State<'_, AppState>,
    ids: Vec<LeadId>,
    force: bool,
) -> Result<ResearchRequest, IpcError> {
    Ok(state.app()?.request_research(&ids, force).await?)
}

/// Stops the lead's research: a queued run at once, a running one at its next step.
#[tauri::command]
#[specta::specta]
pub async fn cancel_research(state: State<'_, AppState>, id: LeadId) -> Result<(), IpcError> {
    Ok(state.app()?.cancel_research(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, IpcError> {
    Ok(state.app()?.settings().await?)
}

/// Saves the settings; the number of parallel runs applies from the next start.
#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, IpcError> {
    Ok(state.app()?.update_settings(settings).await?)
}

/// The model calls behind the lead's latest research, with the three context layers as sent,
/// tokens, cost, latency and how each answer was validated and grounded.
#[tauri::command]
#[specta::specta]
pub async fn context_inspector(
    state: State<'_, AppState>,
    lead: LeadId,
) -> Result<Vec<ModelCallView>, IpcError> {
    Ok(state.app()?.model_calls(lead).await?)
}

/// The prompts with their override state, for Settings.
#[tauri::command]
#[specta::specta]
pub async fn prompts(state: State<'_, AppState>) -> Result<Vec<PromptInfo>, IpcError> {
    Ok(state.app()?.prompts()?)
}

/// Removes the user's override of a prompt, so the shipped one is used again. The file is
/// kept beside it as `<id>.md.bak`, never deleted.
#[tauri::command]
#[specta::specta]
pub async fn reset_prompt(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<PromptInfo>, IpcError> {
    Ok(state.app()?.reset_prompt(&id)?)
}

/// The lead's recent runs with every stage attempt: status, duration, tokens and cost.
#[tauri::command]
#[specta::specta]
pub async fn run_history(
    state: State<'_, AppState>,
    lead: LeadId,
) -> Result<Vec<RunHistory>, IpcError> {
    Ok(state.app()?.run_history(lead).await?)
}

/// What model calls cost today, this month, by day and by lead.
#[tauri::command]
#[specta::specta]
pub async fn cost_ledger(state: State<'_, AppState>) -> Result<CostLedger, IpcError> {
    Ok(state.app()?.cost_ledger().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn research_estimate(state: State<'_, AppState>) -> Result<ResearchEstimate, IpcError> {
    Ok(state.app()?.research_estimate().await?)
}

/// The window tells whether the computer is online: while it is not, research waits (queued
/// runs stay queued) and everything stored stays readable.
#[tauri::command]
#[specta::specta]
pub async fn set_online(state: State<'_, AppState>, online: bool) -> Result<(), IpcError> {
    // Research paused from the tray stays paused when the connection comes back.
    let engine = state.research().map(|r| r.engine.clone());
    state.hold.set_online(engine.as_deref(), online);
    Ok(())
}
