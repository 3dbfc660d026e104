//! Anthropic Messages, with `output_config.format` (structured outputs) or a forced tool.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Url;
use serde::Deserialize;
use serde_json::{json, Value};

use super::openai::f32_to_f64;
use super::{finish, parse_body, Answer, Content, Shaping, Stop};
use crate::client::{ApiKey, Clock, Provider, SystemClock};
use crate::error::LlmError;
use crate::http::{endpoint, looks_like_context_overflow, Reply, Transport};
use crate::request::{Role, StructuredRequest};
use crate::response::{StructuredResponse, Usage};
use crate::schema_transform;

const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
const ANTHROPIC_VERSION: &str = "2023-06-01";

/// How the schema is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnthropicMode {
    /// `output_config: {format: {type: "json_schema", schema}}`: constrained decoding on the
    /// models that support structured outputs; the JSON comes back as text. Structured
    /// outputs need every object closed, so a schema with free-form maps or open objects is
    /// sent as a forced tool instead (tools take any JSON Schema).
    #[default]
    OutputFormat,
    /// One tool whose `input_schema` is the schema and `tool_choice` forcing it; the JSON is
    /// the `tool_use` block's input. For models without structured outputs. Cannot be combined
    /// with extended thinking.
    ForcedTool,
}

#[derive(Debug, Clone)]
pub struct AnthropicConfig {
    /// Up to but excluding `/v1`; `None` is Anthropic's own.
    pub base_url: Option<Url>,
    pub api_key: ApiKey,
    pub model: String,
    pub mode: AnthropicMode,
}

impl AnthropicConfig {
    pub fn new(api_key: ApiKey, model: impl Into<String>) -> Self {
        AnthropicConfig {
            base_url: None,
            api_key,
            model: model.into(),
            mode: AnthropicMode::default(),
        }
    }

    pub fn with_mode(mut self, mode: AnthropicMode) -> Self {
        self.mode = mode;
        self
    }

    pub fn with_base_url(mut self, base_url: Url) -> Self {
        self.base_url = Some(base_url);
        self
    }
}

pub struct AnthropicClient {
    config: AnthropicConfig,
    transport: Transport,
}

impl AnthropicClient {
    pub fn new(config: AnthropicConfig, http: reqwest::Client) -> Self {
        let transport = Transport::new(
            Provider::Anthropic,
            http,
            Some(config.api_key.clone()),
            Arc::new(SystemClock),
        );
        AnthropicClient { config, transport }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.transport.set_clock(clock);
        self
    }

    /// The mode this request goes out in (see [`AnthropicMode::OutputFormat`]).
    fn mode_for(&self, request: &StructuredRequest) -> AnthropicMode {
        match self.config.mode {
            AnthropicMode::OutputFormat if !schema_transform::closable(request.schema.schema()) => {
                AnthropicMode::ForcedTool
            }
            mode => mode,
        }
    }

    fn body(
        &self,
        request: &StructuredRequest,
        mode: AnthropicMode,
        schema: &schema_transform::Prepared,
    ) -> Value {
        let messages: Vec<Value> = request
            .turns()
            .map(|m| {
                let role = if m.role == Role::Assistant {
                    "assistant"
                } else {
                    "user"
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut body = json!({
            "model": self.config.model,
            "max_tokens": request.limits.max_output_tokens,
            "messages": messages,
        });
        if let Some(system) = request.system_text() {
            body["system"] = json!(system);
        }
        if let Some(t) = request.limits.temperature {
            body["temperature"] = json!(f32_to_f64(t));
        }
        match mode {
            AnthropicMode::OutputFormat => {
                body["output_config"] =
                    json!({"format": {"type": "json_schema", "schema": schema.schema}});
            }
            AnthropicMode::ForcedTool => {
                let name = request.schema.name();
                let description = request
                    .schema
                    .description()
                    .unwrap_or("Records the answer. Its input is the answer.");
                body["tools"] = json!([{
                    "name": name,
                    "description": description,
                    "input_schema": schema.schema,
                }]);
                body["tool_choice"] = json!({"type": "tool", "name": name});
            }
        }
        body
    }

    async fn call(&self, request: &StructuredRequest) -> Result<StructuredResponse, LlmError> {
        let mode = self.mode_for(request);
        let prepared = match mode {
            AnthropicMode::OutputFormat => {
                schema_transform::anthropic_output(request.schema.schema())
            }
            AnthropicMode::ForcedTool => schema_transform::anthropic_tool(request.schema.schema()),
        };
        let body = self.body(request, mode, &prepared);
        let url = endpoint(
            self.config.base_url.as_ref(),
            ANTHROPIC_BASE_URL,
            "v1/messages",
        );
        let mut headers = HeaderMap::new();
        if let Some((name, value)) = self.transport.key_header("x-api-key", "")? {
            headers.insert(name, value);
        }
        headers.insert(
            "anthropic-version",
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        tracing::debug!(
            provider = "anthropic",
            model = %self.config.model,
            url = %url,
            schema = request.schema.name(),
            mode = ?mode,
            "sending structured request"
        );
        let reply = self
            .transport
            .post_json(&url, headers, &body, request.limits.timeout)
            .await?;
        self.read(request, mode, Shaping::from(&prepared), &reply)
    }

    /// Everything after the reply is in: an error body mapped to its class, or the answer read
    /// and judged against the request's schema.
    fn read(
        &self,
        request: &StructuredRequest,
        mode: AnthropicMode,
        shaping: Shaping,
        reply: &Reply,
    ) -> Result<StructuredResponse, LlmError> {
        if !reply.status.is_success() {
            return Err(self.map_error(reply));
        }
        let message: MessageBody = parse_body(&self.transport, reply)?;
        let answer = self.answer(message, mode, request.schema.name());
        finish(
            &self.transport,
            request,
            answer,
            reply.latency,
            shaping,
            true,
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
        let mode = self.mode_for(request);
        let prepared = match mode {
            AnthropicMode::OutputFormat => {
                schema_transform::anthropic_output(request.schema.schema())
            }
            AnthropicMode::ForcedTool => schema_transform::anthropic_tool(request.schema.schema()),
        };
        let shaping = Shaping::from(&prepared);
        self.read(request, mode, shaping, &Reply::given(status, body))
    }

    fn answer(&self, message: MessageBody, mode: AnthropicMode, tool_name: &str) -> Answer {
        let usage = message.usage.map(Usage::from).unwrap_or_default();
        let model = message
            .model
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| self.config.model.clone());
        let finish_reason = message.stop_reason.unwrap_or_default();
        let tool_input = match mode {
            AnthropicMode::ForcedTool => message
                .content
                .iter()
                .find(|b| b.kind == "tool_use" && b.name.as_deref() == Some(tool_name))
                .and_then(|b| b.input.clone()),
            AnthropicMode::OutputFormat => None,
        };
        let content = match tool_input {
            Some(input) => Content::Json(input),
            None => Content::Text(
                message
                    .content
                    .iter()
                    .filter(|b| b.kind == "text")
                    .filter_map(|b| b.text.as_deref())
                    .collect(),
            ),
        };
        let stop = match finish_reason.as_str() {
            "refusal" => Stop::Refused(message.stop_details.and_then(|d| d.explanation)),
            "max_tokens" | "model_context_window_exceeded" => Stop::Truncated,
            _ => Stop::Complete,
        };
        Answer {
            model,
            usage,
            finish_reason,
            content,
            stop,
        }
    }

    /// `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`.
    fn map_error(&self, reply: &Reply) -> LlmError {
        let provider = Provider::Anthropic;
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let error_type = body
            .pointer("/error/type")
            .and_then(Value::as_str)
            .unwrap_or("");
        let message = match body.pointer("/error/message").and_then(Value::as_str) {
            Some(m) if !m.is_empty() => self.transport.redact(m),
            _ => self.transport.fallback_message(reply),
        };
        let retry_after = self.transport.retry_after(&reply.headers);
        let model = &self.config.model;
        match error_type {
            "authentication_error" | "permission_error" => LlmError::Auth { provider, message },
            "billing_error" => LlmError::QuotaExceeded { provider, message },
            "rate_limit_error" => LlmError::RateLimited {
                provider,
                message,
                retry_after,
            },
            "overloaded_error" => LlmError::Overloaded {
                provider,
                message,
                retry_after,
            },
            "request_too_large" => LlmError::ContextTooLong { provider, message },
            "invalid_request_error" if looks_like_context_overflow(&message) => {
                LlmError::ContextTooLong { provider, message }
            }
            "invalid_request_error" if message.to_ascii_lowercase().contains("credit balance") => {
                LlmError::QuotaExceeded { provider, message }
            }
            _ => self
                .transport
                .by_status(reply.status, message, model, retry_after),
        }
    }
}

adapter_client!(AnthropicClient, Provider::Anthropic);

#[derive(Deserialize)]
struct MessageBody {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    stop_details: Option<StopDetails>,
    #[serde(default)]
    usage: Option<AnthropicUsage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    input: Option<Value>,
}

#[derive(Deserialize)]
struct StopDetails {
    #[serde(default)]
    explanation: Option<String>,
}

#[derive(Deserialize)]
struct AnthropicUsage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
}

impl From<AnthropicUsage> for Usage {
    /// Anthropic's `input_tokens` leaves out cache reads and writes; here input is all of it.
    /// Cache writes cost 1.25x input, which the pricing table does not model (this crate sets
    /// no `cache_control`, so there are none unless a caller adds them).
    fn from(u: AnthropicUsage) -> Self {
        let cache_read = u.cache_read_input_tokens.unwrap_or(0);
        Usage {
            input_tokens: u.input_tokens.unwrap_or(0)
                + u.cache_creation_input_tokens.unwrap_or(0)
                + cache_read,
            output_tokens: u.output_tokens.unwrap_or(0),
            cached_input_tokens: cache_read,
            reasoning_tokens: 0,
        }
    }
}
