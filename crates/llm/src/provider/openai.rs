//! OpenAI Chat Completions with `response_format: json_schema`, for OpenAI itself and every
//! server that copies its `/v1` API (LM Studio, llama.cpp server, vLLM, ...).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Url;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{finish, parse_body, Answer, Content, Shaping, Stop};
use crate::client::{ApiKey, Clock, Provider, SystemClock};
use crate::error::LlmError;
use crate::http::{endpoint, is_event_stream, sse_data, Reply, Transport};
use crate::request::{Role, StructuredRequest};
use crate::response::{StructuredResponse, Usage};
use crate::retry_after;
use crate::schema_transform;

const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Which field carries the output limit: OpenAI's current `max_completion_tokens` (its
/// reasoning models reject `max_tokens`), or the older `max_tokens` that local servers know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxTokensField {
    MaxCompletionTokens,
    MaxTokens,
}

/// Which schema the server is sent, by how it enforces one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaDialect {
    /// OpenAI's strict structured outputs: a subset of JSON Schema. Bounds it cannot take
    /// (`maxItems`, `maxLength`...) travel as hints in descriptions and are checked after the
    /// answer is parsed.
    OpenAiStrict,
    /// Servers that compile the whole schema into a sampling grammar (llama.cpp, LM Studio,
    /// vLLM): they get the caller's full schema, so every bound holds while the model writes.
    Grammar,
}

#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Up to and including `/v1`; `None` is OpenAI's own.
    pub base_url: Option<Url>,
    /// Optional: local servers need none.
    pub api_key: Option<ApiKey>,
    pub model: String,
    pub max_tokens_field: MaxTokensField,
    /// Price answers from OpenAI's table. Off for other servers: the same model name there
    /// costs something else, or nothing.
    pub priced: bool,
    pub schema_dialect: SchemaDialect,
    /// When set, the answer is streamed and the call gives up only after this long without a
    /// byte (local servers); `Limits::timeout` then does not apply. When `None`, the whole call
    /// must finish within `Limits::timeout` (remote providers).
    pub silence_timeout: Option<Duration>,
}

impl OpenAiConfig {
    /// OpenAI's own API.
    pub fn openai(api_key: ApiKey, model: impl Into<String>) -> Self {
        OpenAiConfig {
            base_url: None,
            api_key: Some(api_key),
            model: model.into(),
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            priced: true,
            schema_dialect: SchemaDialect::OpenAiStrict,
            silence_timeout: None,
        }
    }

    /// Any other server with an OpenAI-compatible `/v1` (LM Studio, llama.cpp, vLLM, ...).
    pub fn compatible(base_url: Url, model: impl Into<String>) -> Self {
        OpenAiConfig {
            base_url: Some(base_url),
            api_key: None,
            model: model.into(),
            max_tokens_field: MaxTokensField::MaxTokens,
            priced: false,
            schema_dialect: SchemaDialect::Grammar,
            silence_timeout: None,
        }
    }

    pub fn with_api_key(mut self, api_key: ApiKey) -> Self {
        self.api_key = Some(api_key);
        self
    }
}

pub struct OpenAiClient {
    config: OpenAiConfig,
    transport: Transport,
}

impl OpenAiClient {
    pub fn new(config: OpenAiConfig, http: reqwest::Client) -> Self {
        let transport = Transport::new(
            Provider::OpenAi,
            http,
            config.api_key.clone(),
            Arc::new(SystemClock),
        );
        OpenAiClient { config, transport }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.transport.set_clock(clock);
        self
    }

    fn body(&self, request: &StructuredRequest, schema: &schema_transform::Prepared) -> Value {
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::System => "system",
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut json_schema = Map::new();
        json_schema.insert("name".into(), json!(request.schema.name()));
        if let Some(description) = request.schema.description() {
            json_schema.insert("description".into(), json!(description));
        }
        json_schema.insert("schema".into(), schema.schema.clone());
        json_schema.insert("strict".into(), json!(schema.strict));
        let mut body = json!({
            "model": self.config.model,
            "messages": messages,
            "response_format": {"type": "json_schema", "json_schema": json_schema},
        });
        let limit_field = match self.config.max_tokens_field {
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
            MaxTokensField::MaxTokens => "max_tokens",
        };
        body[limit_field] = json!(request.limits.max_output_tokens);
        if let Some(t) = request.limits.temperature {
            body["temperature"] = json!(f32_to_f64(t));
        }
        if self.config.silence_timeout.is_some() {
            body["stream"] = json!(true);
            body["stream_options"] = json!({"include_usage": true});
            if self.config.schema_dialect == SchemaDialect::Grammar {
                // llama.cpp then sends a chunk after each batch of the prompt it reads, so a
                // long prompt on a slow machine is not mistaken for silence. Other local
                // servers ignore the field.
                body["return_progress"] = json!(true);
            }
        }
        body
    }

    fn prepare(&self, request: &StructuredRequest) -> schema_transform::Prepared {
        match self.config.schema_dialect {
            SchemaDialect::OpenAiStrict => schema_transform::openai(request.schema.schema()),
            SchemaDialect::Grammar => schema_transform::grammar(request.schema.schema()),
        }
    }

    async fn call(&self, request: &StructuredRequest) -> Result<StructuredResponse, LlmError> {
        let prepared = self.prepare(request);
        let body = self.body(request, &prepared);
        let url = endpoint(
            self.config.base_url.as_ref(),
            OPENAI_BASE_URL,
            "chat/completions",
        );
        let mut headers = HeaderMap::new();
        if let Some((name, value)) = self.transport.key_header("authorization", "Bearer ")? {
            headers.insert(name, value);
        }
        tracing::debug!(
            provider = "openai",
            model = %self.config.model,
            url = %url,
            schema = request.schema.name(),
            strict = prepared.strict,
            "sending structured request"
        );
        let reply = self
            .transport
            .post(
                &url,
                headers,
                &body,
                self.config.silence_timeout,
                request.limits.timeout,
            )
            .await?;
        self.read(request, Shaping::from(&prepared), &reply)
    }

    /// Everything after the reply is in: an error body mapped to its class, or the answer read
    /// and judged against the request's schema.
    fn read(
        &self,
        request: &StructuredRequest,
        shaping: Shaping,
        reply: &Reply,
    ) -> Result<StructuredResponse, LlmError> {
        if !reply.status.is_success() {
            return Err(self.map_error(reply));
        }
        let completion: Completion = if is_event_stream(reply) {
            self.gather(reply)?
        } else {
            parse_body(&self.transport, reply)?
        };
        let answer = self.answer(completion, reply)?;
        finish(
            &self.transport,
            request,
            answer,
            reply.latency,
            shaping,
            self.config.priced,
        )
    }

    /// Reads a reply to `request` exactly as [`crate::LlmClient::complete`] would, without sending
    /// anything: for the fuzz targets and the test that replays their corpus.
    #[doc(hidden)]
    pub fn read_reply(
        &self,
        request: &StructuredRequest,
        status: u16,
        body: &[u8],
    ) -> Result<StructuredResponse, LlmError> {
        let prepared = self.prepare(request);
        self.read(
            request,
            Shaping::from(&prepared),
            &Reply::given(status, body),
        )
    }

    /// A streamed answer put back together as the one completion it stands for: the content
    /// and refusal deltas joined, the last finish reason and the usage chunk kept. An error
    /// sent mid-stream (llama.cpp does, as a `data:` event) is mapped like an error status.
    fn gather(&self, reply: &Reply) -> Result<Completion, LlmError> {
        let mut whole = Completion {
            model: None,
            choices: Vec::new(),
            usage: None,
        };
        let mut content = String::new();
        let mut refusal = String::new();
        let mut finish_reason = None;
        for data in sse_data(&reply.body) {
            let event: Value =
                serde_json::from_str(&data).map_err(|e| LlmError::UnexpectedResponse {
                    provider: Provider::OpenAi,
                    message: format!(
                        "a streamed event is not JSON ({}): {}",
                        e,
                        self.transport.redact(&data)
                    ),
                })?;
            if event.get("error").is_some() {
                let status = event["error"]["code"]
                    .as_u64()
                    .and_then(|c| u16::try_from(c).ok())
                    .filter(|c| *c >= 400)
                    .unwrap_or(500);
                return Err(self.map_error(&Reply::given(status, data.as_bytes())));
            }
            let chunk: Chunk =
                serde_json::from_value(event).map_err(|e| LlmError::UnexpectedResponse {
                    provider: Provider::OpenAi,
                    message: format!(
                        "a streamed event is not a chunk ({})",
                        self.transport.redact(&e.to_string())
                    ),
                })?;
            if whole.model.is_none() {
                whole.model = chunk.model.filter(|m| !m.is_empty());
            }
            if chunk.usage.is_some() {
                whole.usage = chunk.usage;
            }
            for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
                if let Some(delta) = choice.delta {
                    content.push_str(delta.content.as_deref().unwrap_or(""));
                    refusal.push_str(delta.refusal.as_deref().unwrap_or(""));
                }
                if choice.finish_reason.is_some() {
                    finish_reason = choice.finish_reason;
                }
            }
        }
        whole.choices.push(Choice {
            index: 0,
            message: Some(ChoiceMessage {
                content: Some(content),
                refusal: (!refusal.is_empty()).then_some(refusal),
            }),
            finish_reason,
        });
        Ok(whole)
    }

    fn answer(&self, completion: Completion, reply: &Reply) -> Result<Answer, LlmError> {
        let usage = completion.usage.map(Usage::from).unwrap_or_default();
        let model = completion
            .model
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| self.config.model.clone());
        // With `n` > 1 the first choice is the answer; this client never asks for more.
        let choice = completion
            .choices
            .into_iter()
            .min_by_key(|c| c.index)
            .ok_or_else(|| LlmError::UnexpectedResponse {
                provider: Provider::OpenAi,
                message: format!(
                    "the answer has no choices: {}",
                    self.transport.fallback_message(reply)
                ),
            })?;
        let finish_reason = choice.finish_reason.unwrap_or_default();
        let message = choice.message.unwrap_or_default();
        let stop = match (&message.refusal, finish_reason.as_str()) {
            (Some(refusal), _) if !refusal.is_empty() => Stop::Refused(Some(refusal.clone())),
            (_, "content_filter") => Stop::Refused(None),
            (_, "length") => Stop::Truncated,
            _ => Stop::Complete,
        };
        Ok(Answer {
            model,
            usage,
            finish_reason,
            content: Content::Text(message.content.unwrap_or_default()),
            stop,
        })
    }

    /// OpenAI's `{"error": {message, type, code}}`, vLLM's top-level `{message, type, code}`,
    /// or a bare `{"error": "..."}` from smaller servers.
    fn map_error(&self, reply: &Reply) -> LlmError {
        let provider = Provider::OpenAi;
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let detail = match body.get("error") {
            Some(e @ Value::Object(_)) => e,
            _ => &body,
        };
        let text = |key: &str| detail.get(key).and_then(Value::as_str).unwrap_or("");
        let (code, kind) = (text("code"), text("type"));
        let message = match (text("message"), body.get("error").and_then(Value::as_str)) {
            (m, _) if !m.is_empty() => self.transport.redact(m),
            (_, Some(m)) => self.transport.redact(m),
            _ => self.transport.fallback_message(reply),
        };
        let retry_after = self.transport.retry_after(&reply.headers);
        match (code, kind) {
            ("context_length_exceeded", _) | (_, "exceed_context_size_error") => {
                LlmError::ContextTooLong { provider, message }
            }
            ("insufficient_quota", _) | (_, "insufficient_quota") => {
                LlmError::QuotaExceeded { provider, message }
            }
            ("invalid_api_key", _) => LlmError::Auth { provider, message },
            ("model_not_found", _) => LlmError::ModelNotFound {
                provider,
                model: self.config.model.clone(),
                message,
            },
            _ if reply.status.as_u16() == 429 => {
                let retry_after = retry_after
                    .or_else(|| retry_after::from_message(&message))
                    .or_else(|| retry_after::any_limit_reset(&reply.headers));
                LlmError::RateLimited {
                    provider,
                    message,
                    retry_after,
                }
            }
            _ => self
                .transport
                .by_status(reply.status, message, &self.config.model, retry_after),
        }
    }
}

adapter_client!(OpenAiClient, Provider::OpenAi);

/// `0.2f32` as `0.2`, not `0.20000000298023224`.
pub(crate) fn f32_to_f64(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<CompletionUsage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    message: Option<ChoiceMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

/// One event of a streamed completion (`chat.completion.chunk`).
#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    #[serde(default)]
    usage: Option<CompletionUsage>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: Option<ChoiceMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct CompletionUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
    #[serde(default)]
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default)]
    reasoning_tokens: Option<u64>,
}

impl From<CompletionUsage> for Usage {
    fn from(u: CompletionUsage) -> Self {
        Usage {
            input_tokens: u.prompt_tokens.unwrap_or(0),
            output_tokens: u.completion_tokens.unwrap_or(0),
            cached_input_tokens: u
                .prompt_tokens_details
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
            reasoning_tokens: u
                .completion_tokens_details
                .and_then(|d| d.reasoning_tokens)
                .unwrap_or(0),
        }
    }
}
