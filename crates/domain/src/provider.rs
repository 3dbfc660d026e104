//! The model providers Leadscout can use: one type for Settings, the keychain, research's
//! records and the model clients. Serialised as the snake_case names settings and keychain
//! entries have always used (`openai`, `openai_compatible`, ...), so what was saved reads back.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use specta::Type;

/// A kind of model endpoint the settings page offers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
pub enum ModelProvider {
    #[serde(rename = "openai")]
    OpenAi,
    /// LM Studio, llama.cpp server, vLLM, any `/v1` server.
    #[serde(rename = "openai_compatible")]
    OpenAiCompatible,
    #[serde(rename = "anthropic")]
    Anthropic,
    #[serde(rename = "gemini")]
    Gemini,
    #[serde(rename = "ollama")]
    Ollama,
}

/// A provider name Leadscout does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a provider Leadscout knows.")]
pub struct UnknownProvider(pub String);

impl ModelProvider {
    /// Every provider, in the order the settings page lists them.
    pub const ALL: [ModelProvider; 5] = [
        ModelProvider::OpenAi,
        ModelProvider::Anthropic,
        ModelProvider::Gemini,
        ModelProvider::Ollama,
        ModelProvider::OpenAiCompatible,
    ];

    /// The stored name: settings, keychain accounts, model-call records, logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelProvider::OpenAi => "openai",
            ModelProvider::OpenAiCompatible => "openai_compatible",
            ModelProvider::Anthropic => "anthropic",
            ModelProvider::Gemini => "gemini",
            ModelProvider::Ollama => "ollama",
        }
    }

    /// A server the user runs (Ollama, LM Studio, llama.cpp, vLLM): it compiles the whole output
    /// schema into a grammar, and its calls time out on silence rather than total time.
    pub fn is_local(self) -> bool {
        matches!(
            self,
            ModelProvider::OpenAiCompatible | ModelProvider::Ollama
        )
    }

    /// The keychain account of its API key, for providers that need one.
    pub fn key_account(self) -> Option<&'static str> {
        match self {
            ModelProvider::OpenAi | ModelProvider::Anthropic | ModelProvider::Gemini => {
                Some(self.as_str())
            }
            ModelProvider::OpenAiCompatible | ModelProvider::Ollama => None,
        }
    }

    /// How the settings page names it.
    pub fn label(self) -> &'static str {
        match self {
            ModelProvider::OpenAi => "OpenAI",
            ModelProvider::OpenAiCompatible => "the OpenAI-compatible server",
            ModelProvider::Anthropic => "Anthropic",
            ModelProvider::Gemini => "Google Gemini",
            ModelProvider::Ollama => "Ollama",
        }
    }
}

impl FromStr for ModelProvider {
    type Err = UnknownProvider;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        ModelProvider::ALL
            .into_iter()
            .find(|p| p.as_str() == value)
            .ok_or_else(|| UnknownProvider(value.to_owned()))
    }
}

/// Compares with a stored name (`provider == "openai"`).
impl PartialEq<&str> for ModelProvider {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl fmt::Display for ModelProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_they_were_always_saved() {
        for (name, provider) in [
            ("openai", ModelProvider::OpenAi),
            ("openai_compatible", ModelProvider::OpenAiCompatible),
            ("anthropic", ModelProvider::Anthropic),
            ("gemini", ModelProvider::Gemini),
            ("ollama", ModelProvider::Ollama),
        ] {
            assert_eq!(name.parse::<ModelProvider>(), Ok(provider));
            assert_eq!(provider.as_str(), name);
            assert!(provider == name);
            let json = serde_json::to_string(&provider).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<ModelProvider>(&json).unwrap(),
                provider
            );
        }
    }

    #[test]
    fn an_unknown_name_is_a_clear_error() {
        assert_eq!(
            "skynet".parse::<ModelProvider>().unwrap_err().to_string(),
            "skynet is not a provider Leadscout knows."
        );
        let err = serde_json::from_str::<ModelProvider>("\"skynet\"").unwrap_err();
        assert!(err.to_string().contains("skynet"), "{err}");
    }
}
