//! What models a provider offers, for the settings dropdowns, and which local model servers are
//! running on this computer. Keys travel only in headers marked sensitive; messages never
//! contain them.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::{
    AnthropicClient, AnthropicConfig, ApiKey, CallTimeouts, GeminiClient, GeminiConfig, LlmClient,
    OllamaClient, OllamaConfig, OpenAiClient, OpenAiConfig, ShorterOnCutOff, Url,
};

/// The HTTP client the calls take (so callers need no reqwest dependency of their own).
pub use reqwest::Client as HttpClient;

/// The kinds of model endpoint the settings page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    OpenAi,
    /// LM Studio, llama.cpp server, vLLM, any `/v1` server.
    OpenAiCompatible,
    Anthropic,
    Gemini,
    Ollama,
}

impl EndpointKind {
    pub fn parse(value: &str) -> Option<EndpointKind> {
        Some(match value {
            "openai" => EndpointKind::OpenAi,
            "openai_compatible" => EndpointKind::OpenAiCompatible,
            "anthropic" => EndpointKind::Anthropic,
            "gemini" => EndpointKind::Gemini,
            "ollama" => EndpointKind::Ollama,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::OpenAi => "openai",
            EndpointKind::OpenAiCompatible => "openai_compatible",
            EndpointKind::Anthropic => "anthropic",
            EndpointKind::Gemini => "gemini",
            EndpointKind::Ollama => "ollama",
        }
    }

    /// A server the user runs (Ollama, LM Studio, llama.cpp, vLLM): it compiles the whole output
    /// schema into a grammar, and its calls time out on silence rather than total time.
    pub fn is_local(self) -> bool {
        matches!(self, EndpointKind::OpenAiCompatible | EndpointKind::Ollama)
    }

    /// The keychain account of its API key, for kinds that need one.
    pub fn key_account(self) -> Option<&'static str> {
        match self {
            EndpointKind::OpenAi => Some("openai"),
            EndpointKind::Anthropic => Some("anthropic"),
            EndpointKind::Gemini => Some("gemini"),
            EndpointKind::OpenAiCompatible | EndpointKind::Ollama => None,
        }
    }

    fn default_base(self) -> &'static str {
        match self {
            EndpointKind::OpenAi => "https://api.openai.com/v1",
            EndpointKind::OpenAiCompatible => "http://127.0.0.1:1234/v1",
            EndpointKind::Anthropic => "https://api.anthropic.com/v1",
            EndpointKind::Gemini => "https://generativelanguage.googleapis.com/v1beta",
            EndpointKind::Ollama => "http://127.0.0.1:11434",
        }
    }
}

/// Where models are asked for.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub kind: EndpointKind,
    /// `None` for the provider's own address.
    pub base_url: Option<Url>,
    pub api_key: Option<ApiKey>,
}

/// Why the model list could not be read, in words for the settings page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{0} refused the API key (HTTP {1}); check or replace it.")]
    Auth(String, u16),
    #[error("{0} needs an API key; add one first.")]
    NoKey(String),
    #[error("Could not reach {0}: {1}")]
    Unreachable(String, String),
    #[error("{0} answered HTTP {1}.")]
    Status(String, u16),
    #[error("{0} answered something that is not a model list.")]
    Unexpected(String),
}

fn base(endpoint: &Endpoint) -> String {
    endpoint
        .base_url
        .as_ref()
        .map(|u| u.as_str().trim_end_matches('/').to_owned())
        .unwrap_or_else(|| endpoint.kind.default_base().to_owned())
}

fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut header = HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// The models the endpoint offers that can answer chat requests, sorted.
pub async fn list_models(
    http: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Vec<String>, DiscoveryError> {
    let base = base(endpoint);
    let (url, key_header): (String, Option<(HeaderName, String)>) = match endpoint.kind {
        EndpointKind::OpenAi | EndpointKind::OpenAiCompatible => (
            format!("{base}/models"),
            endpoint.api_key.as_ref().map(|k| {
                (
                    reqwest::header::AUTHORIZATION,
                    format!("Bearer {}", k.expose()),
                )
            }),
        ),
        EndpointKind::Anthropic => (
            format!("{base}/models?limit=100"),
            endpoint
                .api_key
                .as_ref()
                .map(|k| (HeaderName::from_static("x-api-key"), k.expose().to_owned())),
        ),
        EndpointKind::Gemini => (
            format!("{base}/models?pageSize=1000"),
            endpoint.api_key.as_ref().map(|k| {
                (
                    HeaderName::from_static("x-goog-api-key"),
                    k.expose().to_owned(),
                )
            }),
        ),
        EndpointKind::Ollama => (format!("{base}/api/tags"), None),
    };
    let label = match endpoint.kind {
        EndpointKind::OpenAiCompatible | EndpointKind::Ollama => base.clone(),
        kind => crate::client::Provider::from(kind).to_string(),
    };
    if endpoint.kind.key_account().is_some() && key_header.is_none() {
        return Err(DiscoveryError::NoKey(label));
    }
    let mut request = http.get(&url).timeout(Duration::from_secs(15));
    if endpoint.kind == EndpointKind::Anthropic {
        request = request.header("anthropic-version", "2023-06-01");
    }
    if let Some((name, value)) = key_header {
        if let Some(value) = sensitive(&value) {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.map_err(|e| {
        // reqwest's message names the URL, never headers.
        DiscoveryError::Unreachable(label.clone(), e.without_url().to_string())
    })?;
    let status = response.status().as_u16();
    if status == 401 || status == 403 {
        return Err(DiscoveryError::Auth(label, status));
    }
    if !response.status().is_success() {
        return Err(DiscoveryError::Status(label, status));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|_| DiscoveryError::Unexpected(label.clone()))?;
    let mut models = parse_models(endpoint.kind, &body).ok_or(DiscoveryError::Unexpected(label))?;
    models.sort();
    models.dedup();
    Ok(models)
}

/// Reads each provider's list shape; `None` when the body is not one.
fn parse_models(kind: EndpointKind, body: &Value) -> Option<Vec<String>> {
    let ids = |list: &Value, key: &str| -> Option<Vec<String>> {
        Some(
            list.as_array()?
                .iter()
                .filter_map(|m| m.get(key).and_then(Value::as_str))
                .map(str::to_owned)
                .collect(),
        )
    };
    match kind {
        EndpointKind::OpenAi => Some(
            ids(body.get("data")?, "id")?
                .into_iter()
                // Embedding, audio, image and moderation models cannot answer a chat request.
                .filter(|id| {
                    ![
                        "embedding",
                        "whisper",
                        "tts",
                        "dall-e",
                        "moderation",
                        "davinci",
                        "babbage",
                    ]
                    .iter()
                    .any(|skip| id.contains(skip))
                })
                .collect(),
        ),
        EndpointKind::OpenAiCompatible | EndpointKind::Anthropic => ids(body.get("data")?, "id"),
        EndpointKind::Gemini => Some(
            body.get("models")?
                .as_array()?
                .iter()
                .filter(|m| {
                    m.get("supportedGenerationMethods")
                        .and_then(Value::as_array)
                        .is_some_and(|ms| ms.iter().any(|x| x == "generateContent"))
                })
                .filter_map(|m| m.get("name").and_then(Value::as_str))
                .map(|name| name.trim_start_matches("models/").to_owned())
                .collect(),
        ),
        EndpointKind::Ollama => ids(body.get("models")?, "name"),
    }
}

impl From<EndpointKind> for crate::client::Provider {
    fn from(kind: EndpointKind) -> Self {
        use crate::client::Provider;
        match kind {
            EndpointKind::OpenAi | EndpointKind::OpenAiCompatible => Provider::OpenAi,
            EndpointKind::Anthropic => Provider::Anthropic,
            EndpointKind::Gemini => Provider::Gemini,
            EndpointKind::Ollama => Provider::Ollama,
        }
    }
}

/// A client for `model` at the endpoint, with the default deadlines ([`client_for_with`]).
pub fn client_for(
    endpoint: &Endpoint,
    model: &str,
    http: reqwest::Client,
) -> Result<Box<dyn LlmClient>, DiscoveryError> {
    client_for_with(endpoint, model, http, CallTimeouts::default())
}

/// A client for `model` at the endpoint, with its provider's own adapter, as research uses it:
/// local servers get the full schema and stream their answer, timing out after
/// `timeouts.silence` without a byte; remote providers must answer within `timeouts.total`.
/// A cut-off answer is asked for once more, shorter ([`ShorterOnCutOff`]).
pub fn client_for_with(
    endpoint: &Endpoint,
    model: &str,
    http: reqwest::Client,
    timeouts: CallTimeouts,
) -> Result<Box<dyn LlmClient>, DiscoveryError> {
    let adapter = adapter_for(endpoint, model, http, timeouts)?;
    let client = ShorterOnCutOff::new(adapter);
    Ok(Box::new(if endpoint.kind.is_local() {
        client
    } else {
        client.with_deadline(timeouts.total)
    }))
}

fn adapter_for(
    endpoint: &Endpoint,
    model: &str,
    http: reqwest::Client,
    timeouts: CallTimeouts,
) -> Result<Box<dyn LlmClient>, DiscoveryError> {
    let label = crate::client::Provider::from(endpoint.kind).to_string();
    let key = || {
        endpoint
            .api_key
            .clone()
            .ok_or_else(|| DiscoveryError::NoKey(label.clone()))
    };
    Ok(match endpoint.kind {
        EndpointKind::OpenAi => {
            let mut config = OpenAiConfig::openai(key()?, model);
            config.base_url = endpoint.base_url.clone();
            Box::new(OpenAiClient::new(config, http))
        }
        EndpointKind::OpenAiCompatible => {
            let base = endpoint
                .base_url
                .clone()
                .or_else(|| Url::parse(EndpointKind::OpenAiCompatible.default_base()).ok())
                .ok_or_else(|| DiscoveryError::Unexpected(label.clone()))?;
            let mut config = OpenAiConfig::compatible(base, model);
            config.api_key = endpoint.api_key.clone();
            config.silence_timeout = Some(timeouts.silence);
            Box::new(OpenAiClient::new(config, http))
        }
        EndpointKind::Anthropic => {
            let mut config = AnthropicConfig::new(key()?, model);
            config.base_url = endpoint.base_url.clone();
            Box::new(AnthropicClient::new(config, http))
        }
        EndpointKind::Gemini => {
            let mut config = GeminiConfig::new(key()?, model);
            config.base_url = endpoint.base_url.clone();
            Box::new(GeminiClient::new(config, http))
        }
        EndpointKind::Ollama => {
            let mut config = OllamaConfig::new(model);
            config.base_url = endpoint.base_url.clone();
            config.silence_timeout = Some(timeouts.silence);
            Box::new(OllamaClient::new(config, http))
        }
    })
}

/// What a local server says about the model's chat template: the text that turns messages
/// into the prompt the model was trained on. Without one the server falls back to a generic
/// format and even a capable model answers poorly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatTemplate {
    Present,
    Missing,
    /// The server does not say (LM Studio, vLLM, remote providers) or could not be asked.
    Unknown,
}

/// The template llama.cpp's server substitutes (ChatML) when the model file carries none and
/// none was given on its command line; `/props` then reports this text.
const LLAMA_CPP_FALLBACK_TEMPLATE: &str = "{%- for message in messages -%}\n  {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}\n{%- endfor -%}\n{%- if add_generation_prompt -%}\n  {{- '<|im_start|>assistant\n' -}}\n{%- endif -%}";

/// Asks a local server whether `model` has a chat template: llama.cpp's `GET /props`
/// (`chat_template`, at the server root, beside `/v1`) or Ollama's `POST /api/show`
/// (`template`). Anything else, or any failure, is [`ChatTemplate::Unknown`].
pub async fn chat_template(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    model: &str,
) -> ChatTemplate {
    let base = base(endpoint);
    let (request, field) = match endpoint.kind {
        EndpointKind::OpenAiCompatible => {
            let root = base.strip_suffix("/v1").unwrap_or(&base);
            (http.get(format!("{root}/props")), "chat_template")
        }
        EndpointKind::Ollama => (
            http.post(format!("{base}/api/show"))
                .json(&serde_json::json!({ "model": model })),
            "template",
        ),
        _ => return ChatTemplate::Unknown,
    };
    let Ok(response) = request.timeout(Duration::from_secs(5)).send().await else {
        return ChatTemplate::Unknown;
    };
    if !response.status().is_success() {
        return ChatTemplate::Unknown;
    }
    let Ok(body) = response.json::<Value>().await else {
        return ChatTemplate::Unknown;
    };
    if !body.is_object() {
        return ChatTemplate::Unknown;
    }
    match body.get(field).and_then(Value::as_str).map(str::trim) {
        None | Some("") => ChatTemplate::Missing,
        Some(t) if t == LLAMA_CPP_FALLBACK_TEMPLATE => ChatTemplate::Missing,
        Some(_) => ChatTemplate::Present,
    }
}

/// A model server found running on this computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalServer {
    pub kind: EndpointKind,
    pub base_url: Url,
    pub models: Vec<String>,
}

/// Where Ollama and LM Studio listen by default.
pub fn default_local_candidates() -> Vec<(EndpointKind, Url)> {
    [
        (EndpointKind::Ollama, "http://127.0.0.1:11434"),
        (EndpointKind::OpenAiCompatible, "http://127.0.0.1:1234/v1"),
    ]
    .into_iter()
    .filter_map(|(kind, url)| Some((kind, Url::parse(url).ok()?)))
    .collect()
}

/// Which of the candidate local servers answer with a model list (each asked briefly).
pub async fn detect_local(
    http: &reqwest::Client,
    candidates: &[(EndpointKind, Url)],
) -> Vec<LocalServer> {
    let probes = candidates.iter().map(|(kind, url)| async move {
        let endpoint = Endpoint {
            kind: *kind,
            base_url: Some(url.clone()),
            api_key: None,
        };
        let listed =
            tokio::time::timeout(Duration::from_millis(1500), list_models(http, &endpoint));
        match listed.await {
            Ok(Ok(models)) => Some(LocalServer {
                kind: *kind,
                base_url: url.clone(),
                models,
            }),
            _ => None,
        }
    });
    futures_util::future::join_all(probes)
        .await
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_provider_list_shape_is_read() {
        let openai = json!({"object":"list","data":[{"id":"gpt-4o-mini"},{"id":"text-embedding-3-small"},{"id":"whisper-1"},{"id":"gpt-4.1"}]});
        assert_eq!(
            parse_models(EndpointKind::OpenAi, &openai).unwrap(),
            ["gpt-4o-mini", "gpt-4.1"]
        );
        let anthropic = json!({"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5"}],"has_more":false});
        assert_eq!(
            parse_models(EndpointKind::Anthropic, &anthropic).unwrap(),
            ["claude-sonnet-4-5"]
        );
        let gemini = json!({"models":[
            {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent","countTokens"]},
            {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]}]});
        assert_eq!(
            parse_models(EndpointKind::Gemini, &gemini).unwrap(),
            ["gemini-2.5-flash"]
        );
        let ollama = json!({"models":[{"name":"llama3.2:3b","model":"llama3.2:3b"}]});
        assert_eq!(
            parse_models(EndpointKind::Ollama, &ollama).unwrap(),
            ["llama3.2:3b"]
        );
        assert!(parse_models(EndpointKind::Ollama, &json!({"error":"x"})).is_none());
    }
}
