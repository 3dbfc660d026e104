//! Research from the UI: start it for one lead or a selection, cancel it, and the settings that
//! govern it.

use leadscout_domain::{LeadId, RunTrigger, Settings, Timestamp};
use leadscout_research::stages::{has_identity, WORKFLOW};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::{AppState, IpcError};

/// A lead research could not start for, and why.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SkippedLead {
    pub lead: LeadId,
    pub reason: String,
}

/// What became of a "research now" request.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResearchRequest {
    pub queued: Vec<LeadId>,
    pub skipped: Vec<SkippedLead>,
}

/// Queues research for each lead: "research now" reuses fresh results where the inputs did not
/// change; `force` ("re-run") recomputes every step.
#[tauri::command]
#[specta::specta]
pub async fn research_leads(
    state: State<'_, AppState>,
    ids: Vec<LeadId>,
    force: bool,
) -> Result<ResearchRequest, IpcError> {
    let store = state.store()?;
    let trigger = if force {
        RunTrigger::Rerun
    } else {
        RunTrigger::Manual
    };
    let mut request = ResearchRequest {
        queued: Vec::new(),
        skipped: Vec::new(),
    };
    for id in ids {
        let Some(lead) = store.lead(id).await? else {
            request.skipped.push(SkippedLead {
                lead: id,
                reason: "This lead no longer exists.".into(),
            });
            continue;
        };
        if !has_identity(lead.website.as_deref(), lead.email.as_deref()) {
            request.skipped.push(SkippedLead {
                lead: id,
                reason: format!(
                    "{} has no company website or work email to research.",
                    lead.full_name
                ),
            });
            continue;
        }
        let run = store
            .enqueue_run(id, WORKFLOW, trigger, Timestamp::now())
            .await?;
        if let Some(research) = state.research() {
            research.queued(run, id);
        }
        request.queued.push(id);
    }
    Ok(request)
}

/// Stops the lead's research: a queued run at once, a running one at its next step.
#[tauri::command]
#[specta::specta]
pub async fn cancel_research(state: State<'_, AppState>, id: LeadId) -> Result<(), IpcError> {
    match state.research() {
        Some(research) => research.engine.cancel(id).await?,
        None => {
            state.store()?.cancel_runs_of(id, Timestamp::now()).await?;
        }
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, IpcError> {
    Ok(state.store()?.settings().await?)
}

/// Saves the settings; the number of parallel runs applies from the next start.
#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, IpcError> {
    let settings = settings.validate()?;
    state
        .store()?
        .save_settings(&settings, Timestamp::now())
        .await?;
    Ok(settings)
}
