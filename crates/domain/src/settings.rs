//! The user's preferences. Never secrets: API keys live in the OS keychain only.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{ModelProvider, StageInputError};

/// Most research runs at once.
pub const MAX_WORKERS: u8 = 8;

/// Which model the research stages use. No provider: research stays deterministic (the website
/// profile), with no model call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ModelSettings {
    /// `None` for no model.
    pub provider: Option<ModelProvider>,
    /// For Ollama and OpenAI-compatible servers; their default local address when empty.
    pub base_url: Option<String>,
    pub model: Option<String>,
}

/// The fewest and most seconds either model deadline may be set to.
pub const TIMEOUT_SECONDS: std::ops::RangeInclusive<u32> = 10..=3600;

/// How long a model call may take. Local servers (Ollama, OpenAI-compatible) stream their
/// answer and are given up only after `silence_seconds` without a word, however long the whole
/// answer takes; remote providers must finish within `total_seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ModelTimeouts {
    pub total_seconds: u32,
    pub silence_seconds: u32,
}

impl Default for ModelTimeouts {
    fn default() -> Self {
        ModelTimeouts {
            total_seconds: 180,
            silence_seconds: 120,
        }
    }
}

/// Who the user is, for the shared context every model stage starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct MyProfile {
    /// The user's own company.
    pub company: String,
    /// What they sell.
    pub offering: String,
    /// Who they sell to: their ideal customer.
    pub ideal_customer: String,
}

/// Spending caps for model calls, in US cents; `None` is no cap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Budget {
    pub per_lead_cents: Option<u32>,
    pub per_day_cents: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Start research as soon as a lead with a website or work email is added.
    pub research_on_create: bool,
    /// A desktop notification when research finishes or fails.
    pub notifications: bool,
    /// Research runs at the same time (1 to 8).
    pub workers: u8,
    pub model: ModelSettings,
    /// Deadlines for model calls.
    pub timeouts: ModelTimeouts,
    pub profile: MyProfile,
    pub budget: Budget,
    /// The first-run welcome was completed or dismissed.
    pub onboarded: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            research_on_create: true,
            notifications: true,
            workers: 4,
            model: ModelSettings::default(),
            timeouts: ModelTimeouts::default(),
            profile: MyProfile::default(),
            budget: Budget::default(),
            onboarded: false,
        }
    }
}

impl Settings {
    /// The settings the user may save: out-of-range numbers are refused, not clamped.
    pub fn validate(mut self) -> Result<Settings, StageInputError> {
        let refuse = |field: &'static str, message: String| StageInputError { field, message };
        if self.workers == 0 || self.workers > MAX_WORKERS {
            return Err(refuse(
                "workers",
                format!("Choose between 1 and {MAX_WORKERS} research runs at once."),
            ));
        }
        for (field, seconds, what) in [
            (
                "totalSeconds",
                self.timeouts.total_seconds,
                "A remote provider's deadline",
            ),
            (
                "silenceSeconds",
                self.timeouts.silence_seconds,
                "A local server's silence limit",
            ),
        ] {
            if !TIMEOUT_SECONDS.contains(&seconds) {
                return Err(refuse(
                    field,
                    format!(
                        "{what} must be between {} and {} seconds.",
                        TIMEOUT_SECONDS.start(),
                        TIMEOUT_SECONDS.end()
                    ),
                ));
            }
        }
        let tidy =
            |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        self.model.base_url = tidy(self.model.base_url);
        self.model.model = tidy(self.model.model);
        if let Some(base) = &self.model.base_url {
            let ok = url::Url::parse(base)
                .ok()
                .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(refuse(
                    "baseUrl",
                    "Enter the server's address, like http://127.0.0.1:11434.".into(),
                ));
            }
        }
        if let Some(model) = &self.model.model {
            if model.chars().count() > 200 || model.chars().any(char::is_control) {
                return Err(refuse("model", "That is not a model name.".into()));
            }
        }
        for (field, text) in [
            ("company", &mut self.profile.company),
            ("offering", &mut self.profile.offering),
            ("idealCustomer", &mut self.profile.ideal_customer),
        ] {
            *text = text.trim().to_owned();
            if text.chars().count() > 1000 {
                return Err(refuse(
                    field,
                    "Keep this under 1,000 characters: the model reads it on every call.".into(),
                ));
            }
        }
        for (field, cap) in [
            ("perLeadCents", self.budget.per_lead_cents),
            ("perDayCents", self.budget.per_day_cents),
        ] {
            if cap.is_some_and(|c| c > 1_000_000) {
                return Err(refuse(
                    field,
                    "A cap above $10,000 is no cap; leave it empty instead.".into(),
                ));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_tidied_and_bad_values_refused_by_field() {
        let mut s = Settings::default();
        s.model.provider = Some(ModelProvider::Ollama);
        s.model.base_url = Some("  ".into());
        s.profile.company = "  Acme  ".into();
        let s = s.validate().unwrap();
        assert_eq!(s.model.provider, Some(ModelProvider::Ollama));
        assert_eq!(s.model.base_url, None);
        assert_eq!(s.profile.company, "Acme");

        let refused = |edit: fn(&mut Settings)| {
            let mut s = Settings::default();
            edit(&mut s);
            s.validate().unwrap_err().field
        };
        assert_eq!(refused(|s| s.workers = 0), "workers");
        assert_eq!(refused(|s| s.timeouts.total_seconds = 5), "totalSeconds");
        assert_eq!(
            refused(|s| s.timeouts.silence_seconds = 3601),
            "silenceSeconds"
        );
        assert_eq!(
            refused(|s| s.model.base_url = Some("file:///etc/passwd".into())),
            "baseUrl"
        );
        assert_eq!(refused(|s| s.model.model = Some("a\u{0}b".into())), "model");
        assert_eq!(
            refused(|s| s.profile.offering = "x".repeat(1001)),
            "offering"
        );
        assert_eq!(
            refused(|s| s.budget.per_day_cents = Some(2_000_000)),
            "perDayCents"
        );
        // Settings saved by an older version read with the new fields at their defaults.
        let old: Settings =
            serde_json::from_str(r#"{"researchOnCreate":false,"workers":2}"#).unwrap();
        assert!(!old.research_on_create && old.notifications && !old.onboarded);
    }

    #[test]
    fn saved_provider_names_read_back_and_an_unknown_one_is_a_clear_error() {
        for provider in ModelProvider::ALL {
            let saved = format!(
                r#"{{"model":{{"provider":"{}","baseUrl":null,"model":"m"}}}}"#,
                provider.as_str()
            );
            let settings: Settings = serde_json::from_str(&saved).unwrap();
            assert_eq!(settings.model.provider, Some(provider));
            assert!(serde_json::to_string(&settings)
                .unwrap()
                .contains(&format!(r#""provider":"{}""#, provider.as_str())));
        }
        let err = serde_json::from_str::<Settings>(r#"{"model":{"provider":"skynet"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown variant `skynet`"), "{err}");
    }
}
