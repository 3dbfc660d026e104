//! Settings: small JSON documents by key. Never secrets (API keys live in the OS keychain).

use leadscout_domain::Timestamp;
use serde_json::Value;

use crate::{Store, StoreError};

impl Store {
    /// The user's settings; defaults for anything never saved (or saved by an older version).
    /// Settings that do not read (a provider this version does not know) are an error that
    /// says so, never silently replaced by the defaults, so the next save cannot lose them.
    pub async fn settings(&self) -> Result<leadscout_domain::Settings, StoreError> {
        match self.setting("app").await? {
            None => Ok(leadscout_domain::Settings::default()),
            Some(saved) => serde_json::from_value(saved)
                .map_err(|e| StoreError::Corrupt(format!("the saved settings do not read: {e}"))),
        }
    }

    pub async fn save_settings(
        &self,
        settings: &leadscout_domain::Settings,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let value = serde_json::to_value(settings)
            .map_err(|e| StoreError::Corrupt(format!("settings: {e}")))?;
        self.save_setting("app", &value, now).await
    }

    /// A setting other than the app's main ones (never a secret), or `None` if never saved.
    pub async fn setting(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
    }

    pub async fn save_setting(
        &self,
        key: &str,
        value: &Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(now.0)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
