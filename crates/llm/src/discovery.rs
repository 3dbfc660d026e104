//! What models a provider offers, for the settings dropdowns, and which local model servers are
//! running on this computer. Keys travel only in headers marked sensitive; messages never
//! contain them.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use leadscout_domain::ModelProvider;

use crate::keys::{remembered_endpoint, Keychain, KeychainError};
use crate::{
    AnthropicClient, AnthropicConfig, ApiKey, CallTimeouts, GeminiClient, GeminiConfig, LlmClient,
    OllamaClient, OllamaConfig, OpenAiClient, OpenAiConfig, ShorterOnCutOff, Url,
};

/// The HTTP client the calls take (so callers need no reqwest dependency of their own).
pub use reqwest::Client as HttpClient;

/// Where a provider's requests go. A trait because the provider is the domain's
/// [`ModelProvider`] and its addresses are this crate's business.
pub trait EndpointAddress {
    /// Where requests go: `base_url` when one is set, else the provider's own address.
    ///
    /// A provider that takes an API key gets it only over https, to an address without a user
    /// name or password in it: the key travels in a header, so plain http would show it to
    /// anyone on the way, and a local server never needs one. This is checked before the key
    /// is read and before any connection, whatever wrote the address (the settings page, a
    /// restored backup, another program), and the message says what to do.
    fn destination(self, base_url: Option<&Url>) -> Result<Url, DiscoveryError>;

    /// The provider's own address.
    fn default_base(self) -> &'static str;
}

impl EndpointAddress for ModelProvider {
    fn destination(self, base_url: Option<&Url>) -> Result<Url, DiscoveryError> {
        let Some(url) = base_url else {
            return Url::parse(self.default_base())
                .map_err(|_| DiscoveryError::Unexpected(self.label().to_owned()));
        };
        let official = self.default_base();
        let refuse = |why: String| {
            DiscoveryError::UnsafeAddress(format!(
                "Leadscout sends your {} key only over https, and {why} Clear the custom \
                 address in Settings → Model to use {official}.",
                self.label(),
            ))
        };
        if self.key_account().is_some() {
            if url.scheme() != "https" {
                return Err(refuse(format!("{} is not an https address.", url.as_str())));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(refuse(
                    "the custom address has a user name or password in it.".into(),
                ));
            }
        }
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(DiscoveryError::UnsafeAddress(format!(
                "{} is not a server address; enter one like {official}.",
                url.as_str()
            )));
        }
        Ok(url.clone())
    }

    fn default_base(self) -> &'static str {
        match self {
            ModelProvider::OpenAi => "https://api.openai.com/v1",
            ModelProvider::OpenAiCompatible => "http://127.0.0.1:1234/v1",
            ModelProvider::Anthropic => "https://api.anthropic.com/v1",
            ModelProvider::Gemini => "https://generativelanguage.googleapis.com/v1beta",
            ModelProvider::Ollama => "http://127.0.0.1:11434",
        }
    }
}

/// Where models are asked for.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub kind: ModelProvider,
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
    /// The address cannot be given the key (or is not an address); nothing was sent.
    #[error("{0}")]
    UnsafeAddress(String),
    /// The keychain could not be read; nothing was sent.
    #[error("{0}")]
    Keychain(#[from] KeychainError),
}

impl Endpoint {
    /// [`EndpointAddress::destination`] of its base URL.
    pub fn destination(&self) -> Result<Url, DiscoveryError> {
        self.kind.destination(self.base_url.as_ref())
    }
}

/// The endpoint for a model choice read from stored settings, with its key from the keychain.
/// A keyed provider's custom address is used only when it is the one the user saved in
/// Settings on this computer, which the keychain remembers beside the key
/// ([`remember_endpoint`](crate::keys::remember_endpoint)): the settings row alone may have
/// been written by a restored backup or another program. Blocks on the keychain.
pub fn stored_endpoint(
    keychain: &dyn Keychain,
    kind: ModelProvider,
    base_url: Option<Url>,
) -> Result<Endpoint, DiscoveryError> {
    let destination = kind.destination(base_url.as_ref())?;
    let Some(account) = kind.key_account() else {
        return Ok(Endpoint {
            kind,
            base_url,
            api_key: None,
        });
    };
    let official = destination.as_str().trim_end_matches('/') == kind.default_base();
    if base_url.is_some() && !official {
        let remembered = remembered_endpoint(keychain, account)?;
        if remembered.as_deref() != Some(destination.as_str()) {
            return Err(DiscoveryError::UnsafeAddress(format!(
                "The settings send your {} key to {}, but that address was not saved in \
                 Settings on this computer (a restored backup or another program may have put \
                 it there), so nothing was sent. Open Settings → Model and save the address you \
                 want, or clear it to use {}.",
                kind.label(),
                destination.as_str(),
                kind.default_base()
            )));
        }
    }
    Ok(Endpoint {
        kind,
        base_url,
        api_key: keychain.get(account)?,
    })
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
    let base = endpoint
        .destination()?
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let (url, key_header): (String, Option<(HeaderName, String)>) = match endpoint.kind {
        ModelProvider::OpenAi | ModelProvider::OpenAiCompatible => (
            format!("{base}/models"),
            endpoint.api_key.as_ref().map(|k| {
                (
                    reqwest::header::AUTHORIZATION,
                    format!("Bearer {}", k.expose()),
                )
            }),
        ),
        ModelProvider::Anthropic => (
            format!("{base}/models?limit=100"),
            endpoint
                .api_key
                .as_ref()
                .map(|k| (HeaderName::from_static("x-api-key"), k.expose().to_owned())),
        ),
        ModelProvider::Gemini => (
            format!("{base}/models?pageSize=1000"),
            endpoint.api_key.as_ref().map(|k| {
                (
                    HeaderName::from_static("x-goog-api-key"),
                    k.expose().to_owned(),
                )
            }),
        ),
        ModelProvider::Ollama => (format!("{base}/api/tags"), None),
    };
    let label = match endpoint.kind {
        ModelProvider::OpenAiCompatible | ModelProvider::Ollama => base.clone(),
        kind => crate::client::Provider::from(kind).to_string(),
    };
    if endpoint.kind.key_account().is_some() && key_header.is_none() {
        return Err(DiscoveryError::NoKey(label));
    }
    let mut request = http.get(&url).timeout(Duration::from_secs(15));
    if endpoint.kind == ModelProvider::Anthropic {
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
fn parse_models(kind: ModelProvider, body: &Value) -> Option<Vec<String>> {
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
        ModelProvider::OpenAi => Some(
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
        ModelProvider::OpenAiCompatible | ModelProvider::Anthropic => ids(body.get("data")?, "id"),
        ModelProvider::Gemini => Some(
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
        ModelProvider::Ollama => ids(body.get("models")?, "name"),
    }
}

impl From<ModelProvider> for crate::client::Provider {
    fn from(kind: ModelProvider) -> Self {
        use crate::client::Provider;
        match kind {
            ModelProvider::OpenAi | ModelProvider::OpenAiCompatible => Provider::OpenAi,
            ModelProvider::Anthropic => Provider::Anthropic,
            ModelProvider::Gemini => Provider::Gemini,
            ModelProvider::Ollama => Provider::Ollama,
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
    // Where the key may go is decided before anything is built (https, the provider's own
    // host or the endpoint the user saved).
    let destination = endpoint.destination()?;
    let label = crate::client::Provider::from(endpoint.kind).to_string();
    let key = || {
        endpoint
            .api_key
            .clone()
            .ok_or_else(|| DiscoveryError::NoKey(label.clone()))
    };
    Ok(match endpoint.kind {
        ModelProvider::OpenAi => {
            let mut config = OpenAiConfig::openai(key()?, model);
            config.base_url = endpoint.base_url.clone();
            Box::new(OpenAiClient::new(config, http))
        }
        ModelProvider::OpenAiCompatible => {
            let mut config = OpenAiConfig::compatible(destination, model);
            config.api_key = endpoint.api_key.clone();
            config.silence_timeout = Some(timeouts.silence);
            Box::new(OpenAiClient::new(config, http))
        }
        ModelProvider::Anthropic => {
            let mut config = AnthropicConfig::new(key()?, model);
            config.base_url = endpoint.base_url.clone();
            Box::new(AnthropicClient::new(config, http))
        }
        ModelProvider::Gemini => {
            let mut config = GeminiConfig::new(key()?, model);
            config.base_url = endpoint.base_url.clone();
            Box::new(GeminiClient::new(config, http))
        }
        ModelProvider::Ollama => {
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
    let Ok(destination) = endpoint.destination() else {
        return ChatTemplate::Unknown;
    };
    let base = destination.as_str().trim_end_matches('/').to_owned();
    let (request, field) = match endpoint.kind {
        ModelProvider::OpenAiCompatible => {
            let root = base.strip_suffix("/v1").unwrap_or(&base);
            (http.get(format!("{root}/props")), "chat_template")
        }
        ModelProvider::Ollama => (
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
    pub kind: ModelProvider,
    pub base_url: Url,
    pub models: Vec<String>,
}

/// Where Ollama and LM Studio listen by default.
pub fn default_local_candidates() -> Vec<(ModelProvider, Url)> {
    [
        (ModelProvider::Ollama, "http://127.0.0.1:11434"),
        (ModelProvider::OpenAiCompatible, "http://127.0.0.1:1234/v1"),
    ]
    .into_iter()
    .filter_map(|(kind, url)| Some((kind, Url::parse(url).ok()?)))
    .collect()
}

/// Which of the candidate local servers answer with a model list (each asked briefly).
pub async fn detect_local(
    http: &reqwest::Client,
    candidates: &[(ModelProvider, Url)],
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

    const CANARY: &str = "sk-canary-keys-go-only-to-their-provider";

    fn endpoint(kind: ModelProvider, base_url: &str) -> Endpoint {
        Endpoint {
            kind,
            base_url: Some(Url::parse(base_url).unwrap()),
            api_key: kind.key_account().map(|_| ApiKey::new(CANARY)),
        }
    }

    #[test]
    fn keyed_providers_get_https_addresses_only_and_local_servers_keep_http() {
        for kind in [
            ModelProvider::OpenAi,
            ModelProvider::Anthropic,
            ModelProvider::Gemini,
        ] {
            let official = kind.destination(None).unwrap();
            assert_eq!(official.scheme(), "https", "{kind:?}");
            let custom = Url::parse("https://llm-gateway.example.com/v1").unwrap();
            assert_eq!(kind.destination(Some(&custom)).unwrap(), custom);
            for refused in [
                "http://127.0.0.1:1234/v1",
                "http://api.openai.com/v1",
                "https://user:secret@llm-gateway.example.com/v1",
                "ftp://llm-gateway.example.com/",
            ] {
                let err = kind
                    .destination(Some(&Url::parse(refused).unwrap()))
                    .unwrap_err();
                let message = err.to_string();
                assert!(
                    matches!(err, DiscoveryError::UnsafeAddress(_)),
                    "{kind:?} {refused}"
                );
                assert!(message.contains(kind.label()), "{message}");
                assert!(message.contains(official.as_str()), "{message}");
            }
        }
        for kind in [ModelProvider::Ollama, ModelProvider::OpenAiCompatible] {
            let local = Url::parse("http://127.0.0.1:11434/").unwrap();
            assert_eq!(kind.destination(Some(&local)).unwrap(), local);
            assert_eq!(kind.destination(None).unwrap().scheme(), "http");
            let file = Url::parse("file:///etc/passwd").unwrap();
            assert!(kind.destination(Some(&file)).is_err());
        }
    }

    #[test]
    fn a_stored_custom_address_gets_the_key_only_when_the_keychain_remembers_it() {
        use crate::keys::{remember_endpoint, MemoryKeychain};
        let chain = MemoryKeychain::default();
        chain.set("openai", &ApiKey::new(CANARY)).unwrap();
        let official = stored_endpoint(&chain, ModelProvider::OpenAi, None).unwrap();
        assert_eq!(official.api_key, Some(ApiKey::new(CANARY)));
        let spelled_out = Url::parse("https://api.openai.com/v1").unwrap();
        assert!(stored_endpoint(&chain, ModelProvider::OpenAi, Some(spelled_out)).is_ok());

        let gateway = Url::parse("https://llm-gateway.example.com/v1").unwrap();
        let foreign = stored_endpoint(&chain, ModelProvider::OpenAi, Some(gateway.clone()))
            .unwrap_err()
            .to_string();
        assert!(foreign.contains("was not saved in Settings"), "{foreign}");
        assert!(
            foreign.contains("https://llm-gateway.example.com/v1"),
            "{foreign}"
        );
        remember_endpoint(&chain, "openai", Some(&gateway)).unwrap();
        let chosen = stored_endpoint(&chain, ModelProvider::OpenAi, Some(gateway)).unwrap();
        assert_eq!(chosen.api_key, Some(ApiKey::new(CANARY)));
        let other = Url::parse("https://attacker.example/v1").unwrap();
        assert!(stored_endpoint(&chain, ModelProvider::OpenAi, Some(other)).is_err());
        // Remembering an address never makes plain http acceptable.
        let http = Url::parse("http://127.0.0.1:8080/v1").unwrap();
        remember_endpoint(&chain, "openai", Some(&http)).unwrap();
        assert!(stored_endpoint(&chain, ModelProvider::OpenAi, Some(http)).is_err());
        // Local servers take no key and need no remembering.
        let local = Url::parse("http://127.0.0.1:11434").unwrap();
        let ollama = stored_endpoint(&chain, ModelProvider::Ollama, Some(local)).unwrap();
        assert_eq!(ollama.api_key, None);
    }

    #[tokio::test]
    async fn a_keyed_provider_pointed_at_plain_http_never_connects() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/v1", listener.local_addr().unwrap());
        let http = crate::build_http_client().unwrap();
        for kind in [
            ModelProvider::OpenAi,
            ModelProvider::Anthropic,
            ModelProvider::Gemini,
        ] {
            let endpoint = endpoint(kind, &base);
            let listed = list_models(&http, &endpoint).await.unwrap_err();
            assert!(
                matches!(listed, DiscoveryError::UnsafeAddress(_)),
                "{listed}"
            );
            assert!(
                listed.to_string().contains("not an https address"),
                "{listed}"
            );
            let built = client_for(&endpoint, "some-model", http.clone())
                .err()
                .expect("no client for a plain http address");
            assert!(matches!(built, DiscoveryError::UnsafeAddress(_)), "{built}");
            assert!(!format!("{listed} {built}").contains(CANARY));
        }
        // Nothing ever connected: the first connection would still be waiting here.
        listener.set_nonblocking(true).unwrap();
        let accepted = listener.accept();
        assert!(
            matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "the listener was contacted: {accepted:?}"
        );
    }

    #[test]
    fn each_provider_list_shape_is_read() {
        let openai = json!({"object":"list","data":[{"id":"gpt-4o-mini"},{"id":"text-embedding-3-small"},{"id":"whisper-1"},{"id":"gpt-4.1"}]});
        assert_eq!(
            parse_models(ModelProvider::OpenAi, &openai).unwrap(),
            ["gpt-4o-mini", "gpt-4.1"]
        );
        let anthropic = json!({"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5"}],"has_more":false});
        assert_eq!(
            parse_models(ModelProvider::Anthropic, &anthropic).unwrap(),
            ["claude-sonnet-4-5"]
        );
        let gemini = json!({"models":[
            {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent","countTokens"]},
            {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]}]});
        assert_eq!(
            parse_models(ModelProvider::Gemini, &gemini).unwrap(),
            ["gemini-2.5-flash"]
        );
        let ollama = json!({"models":[{"name":"llama3.2:3b","model":"llama3.2:3b"}]});
        assert_eq!(
            parse_models(ModelProvider::Ollama, &ollama).unwrap(),
            ["llama3.2:3b"]
        );
        assert!(parse_models(ModelProvider::Ollama, &json!({"error":"x"})).is_none());
    }
}
