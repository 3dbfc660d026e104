//! Settings: read them, and save them with the model address rules applied.

use leadscout_domain::{ModelProvider, ModelSettings, Settings, Timestamp};
use leadscout_llm::discovery::{DiscoveryError, EndpointAddress};
use leadscout_llm::keys::remember_endpoint;
use leadscout_llm::Url;

use crate::{AppError, Leadscout};

/// A refused model server address, about the `baseUrl` field.
pub fn address_error(err: DiscoveryError) -> AppError {
    AppError::field("baseUrl", err.to_string())
}

/// The model part of settings about to be saved. A provider chosen with the previous
/// provider's address still in place loses it (a local server's address is no place for an
/// OpenAI key), and a provider that takes a key gets only an address its key may go to.
pub fn settle_model_settings(
    before: &ModelSettings,
    mut next: ModelSettings,
) -> Result<ModelSettings, AppError> {
    if next.provider != before.provider && next.base_url == before.base_url {
        next.base_url = None;
    }
    if let (Some(kind), Some(raw)) = (next.provider, next.base_url.as_deref()) {
        let url = Url::parse(raw).map_err(|_| {
            AppError::field(
                "baseUrl",
                "Enter the server's address, like http://127.0.0.1:11434.",
            )
        })?;
        kind.destination(Some(&url)).map_err(address_error)?;
    }
    Ok(next)
}

impl Leadscout {
    pub async fn settings(&self) -> Result<Settings, AppError> {
        Ok(self.store.settings().await?)
    }

    /// Saves the settings; the number of parallel runs applies from the next start. Runs
    /// waiting for a spent budget go again once a cap changes.
    pub async fn update_settings(&self, settings: Settings) -> Result<Settings, AppError> {
        let mut settings = settings.validate()?;
        // Saved settings this version cannot read (a provider it does not know) are replaced
        // by the ones the user saves now; reading them again would only refuse the save.
        let before = match self.store.settings().await {
            Err(leadscout_store::StoreError::Corrupt(why)) => {
                tracing::warn!(%why, "replacing saved settings that do not read");
                Settings::default()
            }
            read => read?,
        };
        settings.model = settle_model_settings(&before.model, settings.model)?;
        self.remember_model_endpoint(&before.model, &settings.model)
            .await?;
        self.store
            .save_settings(&settings, Timestamp::now())
            .await?;
        if before.budget != settings.budget
            && self.store.wake_waiting_runs(Timestamp::now()).await? > 0
        {
            if let Some(research) = &self.research {
                research.engine.wake();
            }
        }
        Ok(settings)
    }

    /// Remembers beside the key the custom address the user saved for a keyed provider, or
    /// forgets the one they cleared: research sends a key to a custom address only if the
    /// keychain remembers it, so an address that reached the settings some other way gets
    /// nothing.
    pub async fn remember_model_endpoint(
        &self,
        before: &ModelSettings,
        next: &ModelSettings,
    ) -> Result<(), AppError> {
        let Some(account) = next.provider.and_then(ModelProvider::key_account) else {
            return Ok(());
        };
        let url = next
            .base_url
            .as_deref()
            .and_then(|raw| Url::parse(raw).ok());
        let cleared = before.provider == next.provider && before.base_url.is_some();
        if url.is_none() && !cleared {
            return Ok(());
        }
        let keychain = self.keychain();
        let forget = url.is_none();
        let remembered = tokio::task::spawn_blocking(move || {
            remember_endpoint(keychain.as_ref(), account, url.as_ref())
        })
        .await
        .map_err(|e| AppError::internal(format!("keychain task: {e}")))?;
        match remembered {
            // Clearing an address must work even without a keychain: with nothing remembered,
            // research never uses a custom address anyway.
            Err(err) if forget => {
                tracing::warn!(error = %err, "could not forget a custom model address");
                Ok(())
            }
            other => Ok(other?),
        }
    }
}
