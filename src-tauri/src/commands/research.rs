//! Research from the UI: start it for one lead or a selection, cancel it, and the settings that
//! govern it.

use leadscout_domain::{
    CostLedger, LeadId, ModelCallView, RunHistory, RunTrigger, Settings, Timestamp,
};
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
    let mut settings = settings.validate()?;
    let store = state.store()?;
    let before = store.settings().await?;
    settings.model = super::models::settle_model_settings(&before.model, settings.model)?;
    super::models::remember_model_endpoint(&state, &before.model, &settings.model).await?;
    store.save_settings(&settings, Timestamp::now()).await?;
    // Runs waiting for a spent budget go again once a cap changes (a higher cap, or none).
    if before.budget != settings.budget && store.wake_waiting_runs(Timestamp::now()).await? > 0 {
        if let Some(research) = state.research() {
            research.engine.wake();
        }
    }
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
    let shipped = Prompts::load_set(&leadscout_research::draft::every_prompt(), None)
        .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?;
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
    let known = Prompts::load_set(&leadscout_research::draft::every_prompt(), None)
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

/// The lead's recent runs with every stage attempt: status, duration, tokens and cost.
#[tauri::command]
#[specta::specta]
pub async fn run_history(
    state: State<'_, AppState>,
    lead: LeadId,
) -> Result<Vec<RunHistory>, IpcError> {
    Ok(state.store()?.lead_run_history(lead).await?)
}

/// What model calls cost today, this month, by day and by lead.
#[tauri::command]
#[specta::specta]
pub async fn cost_ledger(state: State<'_, AppState>) -> Result<CostLedger, IpcError> {
    Ok(state.store()?.cost_ledger(Timestamp::now()).await?)
}

/// What researching one lead is likely to cost with the chosen model, shown before the user
/// starts it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResearchEstimate {
    /// The model research would use; `None` without one (research is then free).
    pub model: Option<String>,
    /// US dollars; `None` for a model without a known price (local models).
    pub usd: Option<f64>,
    pub tokens_in: u32,
    pub tokens_out: u32,
    /// Measured from this app's recent calls, rather than the default guess.
    pub measured: bool,
    pub today_usd: f64,
    pub per_day_cents: Option<u32>,
    pub per_lead_cents: Option<u32>,
}

/// Tokens one lead takes before any call was measured: both stages' budgets nearly full.
const DEFAULT_LEAD_TOKENS: (i64, i64) = (8_000, 1_500);

#[tauri::command]
#[specta::specta]
pub async fn research_estimate(state: State<'_, AppState>) -> Result<ResearchEstimate, IpcError> {
    let store = state.store()?;
    let settings = store.settings().await?;
    let typical = store.typical_lead_tokens().await?;
    let (tokens_in, tokens_out) = typical.unwrap_or(DEFAULT_LEAD_TOKENS);
    let model = settings
        .model
        .provider
        .as_deref()
        .and(settings.model.model.clone());
    let usd = match (
        settings
            .model
            .provider
            .as_deref()
            .and_then(leadscout_llm::discovery::EndpointKind::parse),
        &model,
    ) {
        (Some(kind), Some(model)) => leadscout_llm::pricing::cost_usd(
            kind.into(),
            model,
            &leadscout_llm::Usage {
                input_tokens: u64::try_from(tokens_in).unwrap_or(0),
                output_tokens: u64::try_from(tokens_out).unwrap_or(0),
                ..leadscout_llm::Usage::default()
            },
        ),
        _ => None,
    };
    let today_usd = store
        .model_spend_since(Timestamp::now().start_of_day())
        .await?;
    Ok(ResearchEstimate {
        model,
        usd,
        tokens_in: u32::try_from(tokens_in).unwrap_or(u32::MAX),
        tokens_out: u32::try_from(tokens_out).unwrap_or(u32::MAX),
        measured: typical.is_some(),
        today_usd,
        per_day_cents: settings.budget.per_day_cents,
        per_lead_cents: settings.budget.per_lead_cents,
    })
}

/// The window tells whether the computer is online: while it is not, research waits (queued
/// runs stay queued) and everything stored stays readable.
#[tauri::command]
#[specta::specta]
pub async fn set_online(state: State<'_, AppState>, online: bool) -> Result<(), IpcError> {
    if let Some(research) = state.research() {
        research.engine.hold(!online);
    }
    Ok(())
}
