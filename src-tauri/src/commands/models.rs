//! Models for the settings page and the first run: what a provider offers, which local servers
//! are running, and a test call that proves a key, a model and structured output work.

use std::time::Duration;

use leadscout_domain::{ModelProvider, ModelTimeouts, TIMEOUT_SECONDS};
use leadscout_llm::discovery::{
    chat_template, client_for_with, default_local_candidates, detect_local, list_models,
    ChatTemplate, DiscoveryError, Endpoint, EndpointAddress, HttpClient,
};
use leadscout_llm::{build_http_client, CallTimeouts, Url};
use leadscout_research::check::run_check;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::{AppState, IpcError, IpcErrorCode};

/// A model server found on this computer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LocalModelServer {
    /// `ollama` or `openai_compatible` (LM Studio).
    pub provider: ModelProvider,
    pub base_url: String,
    pub models: Vec<String>,
}

/// What the Test button showed: whether this model can do research.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelTest {
    /// `valid`, `cut_off`, `invalid` or `too_slow`.
    pub verdict: String,
    /// What the verdict means for research, in a sentence or two.
    pub summary: String,
    /// Set when a local server has no chat template for the model: its answers will be poor
    /// whatever the verdict.
    pub template_warning: Option<String>,
    /// The model that answered, as the provider names it (empty when none did).
    pub model: String,
    pub latency_ms: u32,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub cost_usd: Option<f64>,
    /// Facts in the answer, and how many quote the test page word for word.
    pub facts: u32,
    pub verified: u32,
}

impl From<DiscoveryError> for IpcError {
    fn from(err: DiscoveryError) -> Self {
        IpcError::new(IpcErrorCode::Provider, err.to_string())
    }
}

fn address_error(err: DiscoveryError) -> IpcError {
    IpcError {
        code: IpcErrorCode::Validation,
        message: err.to_string(),
        field: Some("baseUrl".into()),
    }
}

fn http() -> Result<HttpClient, IpcError> {
    build_http_client().map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))
}

/// The endpoint for a provider as the settings page describes it, with its key from the
/// keychain when it takes one.
async fn endpoint(
    state: &AppState,
    kind: ModelProvider,
    base_url: Option<String>,
) -> Result<Endpoint, IpcError> {
    let base_url = match base_url
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty())
    {
        Some(raw) => Some(Url::parse(&raw).map_err(|_| IpcError {
            code: IpcErrorCode::Validation,
            message: "Enter the server's address, like http://127.0.0.1:11434.".into(),
            field: Some("baseUrl".into()),
        })?),
        None => None,
    };
    // Before the key is read: an address its key may not go to is refused outright.
    kind.destination(base_url.as_ref()).map_err(address_error)?;
    let api_key = match kind.key_account() {
        Some(account) => {
            let keychain = state.keychain.clone();
            tokio::task::spawn_blocking(move || keychain.get(account))
                .await
                .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))??
        }
        None => None,
    };
    Ok(Endpoint {
        kind,
        base_url,
        api_key,
    })
}

/// The models a provider offers, for the model dropdown.
#[tauri::command]
#[specta::specta]
pub async fn discover_models(
    state: State<'_, AppState>,
    provider: ModelProvider,
    base_url: Option<String>,
) -> Result<Vec<String>, IpcError> {
    let endpoint = endpoint(&state, provider, base_url).await?;
    Ok(list_models(&http()?, &endpoint).await?)
}

/// Ollama and LM Studio running on this computer, with their models.
#[tauri::command]
#[specta::specta]
pub async fn detect_local_models() -> Result<Vec<LocalModelServer>, IpcError> {
    let found = detect_local(&http()?, &default_local_candidates()).await;
    Ok(found
        .into_iter()
        .map(|s| LocalModelServer {
            provider: s.kind,
            base_url: s.base_url.to_string(),
            models: s.models,
        })
        .collect())
}

/// Research's first model call, on a small built-in page with the real prompt and schema,
/// through the same client research uses and within the deadlines as the form has them.
#[tauri::command]
#[specta::specta]
pub async fn test_model(
    state: State<'_, AppState>,
    provider: ModelProvider,
    base_url: Option<String>,
    model: String,
    timeouts: Option<ModelTimeouts>,
) -> Result<ModelTest, IpcError> {
    let model = model.trim();
    if model.is_empty() {
        return Err(IpcError {
            code: IpcErrorCode::Validation,
            message: "Choose a model first.".into(),
            field: Some("model".into()),
        });
    }
    let timeouts = timeouts.unwrap_or_default();
    for (field, seconds) in [
        ("totalSeconds", timeouts.total_seconds),
        ("silenceSeconds", timeouts.silence_seconds),
    ] {
        if !TIMEOUT_SECONDS.contains(&seconds) {
            return Err(IpcError {
                code: IpcErrorCode::Validation,
                message: format!(
                    "Choose between {} and {} seconds.",
                    TIMEOUT_SECONDS.start(),
                    TIMEOUT_SECONDS.end()
                ),
                field: Some(field.into()),
            });
        }
    }
    let deadlines = CallTimeouts {
        total: Duration::from_secs(u64::from(timeouts.total_seconds)),
        silence: Duration::from_secs(u64::from(timeouts.silence_seconds)),
    };
    let endpoint = endpoint(&state, provider, base_url).await?;
    let http = http()?;
    let client = client_for_with(&endpoint, model, http.clone(), deadlines)?;
    let prompts_dir = state.prompts_dir();
    let (checked, template) = tokio::join!(
        run_check(client.as_ref(), Some(&prompts_dir), deadlines.total),
        chat_template(&http, &endpoint, model),
    );
    let check = checked
        .map_err(|e| IpcError::new(IpcErrorCode::Validation, e.to_string()))?
        .map_err(|e| IpcError::new(IpcErrorCode::Provider, e.to_string()))?;
    let template_warning = (template == ChatTemplate::Missing).then(|| {
        format!(
            "{model} has no chat template on this server, so it reads the conversation in a \
             format it was not trained on. Use an instruction-tuned build of the model (its \
             file carries a template), or start the server with one."
        )
    });
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(ModelTest {
        verdict: check.verdict.code().to_owned(),
        summary: check.summary,
        template_warning,
        model: check.model,
        latency_ms: u32::try_from(check.latency.as_millis()).unwrap_or(u32::MAX),
        tokens_in: count(check.usage.input_tokens),
        tokens_out: count(check.usage.output_tokens),
        cost_usd: check.cost_usd,
        facts: count(check.facts as u64),
        verified: count(check.verified as u64),
    })
}
