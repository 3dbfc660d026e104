//! API keys: set, replace and delete them in the OS keychain. The UI learns whether a key is set
//! and since when, never the key itself.

use std::collections::BTreeMap;

use leadscout_domain::{ModelProvider, Timestamp};
use leadscout_llm::keys::{check_key, KeychainError};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::{AppState, IpcError, IpcErrorCode};

/// Whether a provider has a key, as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyStatus {
    pub provider: ModelProvider,
    /// When the key was saved; `None` when there is none.
    pub set_at: Option<Timestamp>,
}

/// Settings key for the (non-secret) dates keys were saved.
const SET_AT: &str = "api_keys_set_at";

/// The keychain account of a provider's key; local servers take none.
fn account(provider: ModelProvider) -> Result<&'static str, IpcError> {
    provider.key_account().ok_or_else(|| IpcError {
        code: IpcErrorCode::Validation,
        message: format!("{provider} does not take an API key here."),
        field: Some("provider".into()),
    })
}

impl From<KeychainError> for IpcError {
    fn from(err: KeychainError) -> Self {
        tracing::warn!(error = %err, "keychain unavailable");
        IpcError::new(IpcErrorCode::Keychain, err.to_string())
    }
}

async fn dates(state: &AppState) -> Result<BTreeMap<String, Timestamp>, IpcError> {
    Ok(state
        .store()?
        .setting(SET_AT)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

async fn save_dates(state: &AppState, dates: &BTreeMap<String, Timestamp>) -> Result<(), IpcError> {
    let value = serde_json::to_value(dates)
        .map_err(|e| IpcError::new(IpcErrorCode::Internal, e.to_string()))?;
    state
        .store()?
        .save_setting(SET_AT, &value, Timestamp::now())
        .await?;
    Ok(())
}

/// Runs a keychain call on the blocking pool (it talks D-Bus on Linux).
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<T, IpcError> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| IpcError::new(IpcErrorCode::Internal, format!("keychain task: {e}")))?
        .map_err(IpcError::from)
}

#[tauri::command]
#[specta::specta]
pub async fn api_keys(state: State<'_, AppState>) -> Result<Vec<ApiKeyStatus>, IpcError> {
    let dates = dates(&state).await?;
    Ok(ModelProvider::ALL
        .into_iter()
        .filter_map(|provider| {
            let account = provider.key_account()?;
            Some(ApiKeyStatus {
                provider,
                set_at: dates.get(account).copied(),
            })
        })
        .collect())
}

/// Saves (or replaces) a provider's key in the keychain.
#[tauri::command]
#[specta::specta]
pub async fn set_api_key(
    state: State<'_, AppState>,
    provider: ModelProvider,
    key: String,
) -> Result<ApiKeyStatus, IpcError> {
    let account = account(provider)?;
    let key = check_key(&key).map_err(|message| IpcError {
        code: IpcErrorCode::Validation,
        message,
        field: Some("key".into()),
    })?;
    let keychain = state.keychain.clone();
    blocking(move || keychain.set(account, &key)).await?;
    let now = Timestamp::now();
    let mut dates = dates(&state).await?;
    dates.insert(account.to_owned(), now);
    save_dates(&state, &dates).await?;
    tracing::info!(provider = account, "API key saved to the keychain");
    Ok(ApiKeyStatus {
        provider,
        set_at: Some(now),
    })
}

/// Removes a provider's key from the keychain.
#[tauri::command]
#[specta::specta]
pub async fn delete_api_key(
    state: State<'_, AppState>,
    provider: ModelProvider,
) -> Result<ApiKeyStatus, IpcError> {
    let account = account(provider)?;
    let keychain = state.keychain.clone();
    blocking(move || keychain.delete(account)).await?;
    let mut dates = dates(&state).await?;
    dates.remove(account);
    save_dates(&state, &dates).await?;
    tracing::info!(provider = account, "API key deleted from the keychain");
    Ok(ApiKeyStatus {
        provider,
        set_at: None,
    })
}
