//! Which model research uses and how it connects to it: the choice Settings made, the
//! keychain-backed way to a client, and the kit the model stages share.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leadscout_context::prompt::Prompts;
use leadscout_domain::ModelProvider;
use leadscout_llm::discovery::{client_for_with, stored_endpoint, HttpClient};
use leadscout_llm::keys::Keychain;
use leadscout_llm::{BoxFuture, CallTimeouts, LlmClient, Url};
use leadscout_store::Store;
use leadscout_workflow::StepError;

use crate::steps::RunFacts;
use serde::{Deserialize, Serialize};

/// Which model research uses, as Settings named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    pub provider: ModelProvider,
    pub base_url: Option<String>,
    pub model: String,
    /// Settings' deadlines: silence for local servers, total time for remote providers.
    #[serde(default)]
    pub timeouts: CallTimeouts,
}

impl ModelChoice {
    /// The model Settings names, with its deadlines; `None` when none is set up.
    pub fn from_settings(settings: &leadscout_domain::Settings) -> Option<ModelChoice> {
        match (&settings.model.provider, &settings.model.model) {
            (Some(provider), Some(model)) => Some(ModelChoice {
                provider: *provider,
                base_url: settings.model.base_url.clone(),
                model: model.clone(),
                timeouts: CallTimeouts {
                    total: Duration::from_secs(u64::from(settings.timeouts.total_seconds)),
                    silence: Duration::from_secs(u64::from(settings.timeouts.silence_seconds)),
                },
            }),
            _ => None,
        }
    }
}

/// Connects to the model Settings chose.
pub trait Models: Send + Sync {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StepError>>;
}

/// The app's way: the provider's own adapter, its API key read from the OS keychain at the
/// moment of the call (never stored anywhere else), sent only where `stored_endpoint` allows.
pub struct KeychainModels {
    keychain: Arc<dyn Keychain>,
    http: HttpClient,
}

impl KeychainModels {
    pub fn new(keychain: Arc<dyn Keychain>, http: HttpClient) -> KeychainModels {
        KeychainModels { keychain, http }
    }
}

impl Models for KeychainModels {
    fn connect<'a>(
        &'a self,
        choice: &'a ModelChoice,
    ) -> BoxFuture<'a, Result<Box<dyn LlmClient>, StepError>> {
        Box::pin(async move {
            let kind = choice.provider;
            let base_url = match &choice.base_url {
                Some(raw) => Some(Url::parse(raw).map_err(|_| {
                    StepError::permanent(format!(
                        "The model server address {raw} is not valid; fix it in Settings."
                    ))
                })?),
                None => None,
            };
            // The key, and a custom address for it only if the user saved that address.
            let keychain = Arc::clone(&self.keychain);
            let endpoint = tokio::task::spawn_blocking(move || {
                stored_endpoint(keychain.as_ref(), kind, base_url)
            })
            .await
            .map_err(|e| StepError::transient(e.to_string()))?
            .map_err(|e| StepError::permanent(e.to_string()))?;
            client_for_with(&endpoint, &choice.model, self.http.clone(), choice.timeouts)
                .map_err(|e| StepError::permanent(e.to_string()))
        })
    }
}

/// What the model stages share: the store, the way to a model and the prompts folder.
#[derive(Clone)]
pub struct ModelKit {
    pub store: Store,
    pub models: Arc<dyn Models>,
    /// The user's prompt overrides (`<data folder>/prompts`); `None` uses the shipped prompts.
    pub prompts_dir: Option<PathBuf>,
    /// How long one model call may take ([`CALL_TIMEOUT`] in the app).
    pub call_timeout: Duration,
}

impl ModelKit {
    /// The run's prompts, read from disk once per run.
    pub(super) fn prompts<'a>(&self, facts: &'a RunFacts) -> Result<&'a Prompts, StepError> {
        facts.prompts(self.prompts_dir.as_deref())
    }
}
