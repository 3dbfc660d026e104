//! Research from the UI: start it for one lead or a selection, cancel it, and the settings that
//! govern it.

use leadscout_domain::{LeadId, ModelCallView, RunTrigger, Settings, Timestamp};
use leadscout_pipeline::prompt::{parse, Prompts};
use leadscout_research::stages::{has_identity, WORKFLOW};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::{AppState, IpcError, IpcErrorCode};

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

/// The model calls behind the lead's latest research, with the three context layers as sent,
/// tokens, cost, latency and how each answer was validated and grounded.
#[tauri::command]
#[specta::specta]
pub async fn context_inspector(
    state: State<'_, AppState>,
    lead: LeadId,
) -> Result<Vec<ModelCallView>, IpcError> {
    Ok(state.store()?.lead_model_calls(lead).await?)
}

/// A prompt the model stages use, and whether the user's own file replaces it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PromptInfo {
    pub id: String,
    pub version: u32,
    pub description: String,
    /// A file in the data folder replaces the shipped prompt.
    pub overridden: bool,
    /// Where an override goes (or is).
    pub path: String,
    /// Why the override cannot be used; research fails until it is fixed or reset.
    pub problem: Option<String>,
}

/// The prompts with their override state, for Settings.
#[tauri::command]
#[specta::specta]
pub async fn prompts(state: State<'_, AppState>) -> Result<Vec<PromptInfo>, IpcError> {
    let dir = state.prompts_dir();
    let shipped =
        Prompts::load(None).map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?;
    let mut out = Vec::new();
    for prompt in shipped.all() {
        let path = dir.join(format!("{}.md", prompt.id));
        let (mut info, problem) = match std::fs::read_to_string(&path) {
            Ok(text) => match parse(&prompt.id, &text) {
                Ok(custom) => (custom, None),
                Err(err) => (prompt.clone(), Some(err.to_string())),
            },
            Err(_) => (prompt.clone(), None),
        };
        info.overridden = path.exists();
        // Partials have no front matter; say what the shared one is.
        let description = if info.description.is_empty() {
            "The shared context every call starts with: today's date, your profile and the lead."
                .to_owned()
        } else {
            info.description
        };
        out.push(PromptInfo {
            id: info.id,
            version: info.version,
            description,
            overridden: info.overridden,
            path: path.display().to_string(),
            problem,
        });
    }
    Ok(out)
}

/// Removes the user's override of a prompt, so the shipped one is used again. The file is
/// kept beside it as `<id>.md.bak`, never deleted.
#[tauri::command]
#[specta::specta]
pub async fn reset_prompt(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<PromptInfo>, IpcError> {
    let known = Prompts::load(None)
        .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?
        .all()
        .any(|p| p.id == id);
    if !known {
        return Err(IpcError::new(
            IpcErrorCode::Validation,
            format!("{id} is not a prompt Leadscout uses."),
        ));
    }
    let path = state.prompts_dir().join(format!("{id}.md"));
    if path.exists() {
        let kept = path.with_extension("md.bak");
        std::fs::rename(&path, &kept).map_err(|e| {
            IpcError::new(
                IpcErrorCode::Storage,
                format!("Could not move {} aside: {e}", path.display()),
            )
        })?;
    }
    prompts(state).await
}
