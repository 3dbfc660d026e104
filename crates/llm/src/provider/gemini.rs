//! Gemini `generateContent` with `responseMimeType: application/json` and
//! `responseJsonSchema`.

use std::sync::Arc;

use reqwest::header::HeaderMap;
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
use crate::retry_after;
use crate::schema_transform;

const GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";

/// Finish reasons that mean the model would not (or may not) answer.
const REFUSALS: &[&str] = &[
    "SAFETY",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "RECITATION",
    "IMAGE_SAFETY",
];

#[derive(Debug, Clone)]
pub struct GeminiConfig {
    /// Up to and including the API version (`.../v1beta`); `None` is Google's own.
    pub base_url: Option<Url>,
    /// Sent as `x-goog-api-key`, never in the URL (URLs end up in logs and error messages).
    pub api_key: ApiKey,
    pub model: String,
}

impl GeminiConfig {
    pub fn new(api_key: ApiKey, model: impl Into<String>) -> Self {
        GeminiConfig {
            base_url: None,
            api_key,
            model: model.into(),
        }
    }

    pub fn with_base_url(mut self, base_url: Url) -> Self {
        self.base_url = Some(base_url);
        self
    }
}

pub struct GeminiClient {
    config: GeminiConfig,
    transport: Transport,
}

impl GeminiClient {
    pub fn new(config: GeminiConfig, http: reqwest::Client) -> Self {
        let transport = Transport::new(
            Provider::Gemini,
            http,
            Some(config.api_key.clone()),
            Arc::new(SystemClock),
        );
        GeminiClient { config, transport }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.transport.set_clock(clock);
        self
    }

    fn model_id(&self) -> &str {
        self.config
            .model
            .strip_prefix("models/")
            .unwrap_or(&self.config.model)
    }

    fn body(&self, request: &StructuredRequest) -> Value {
        let contents: Vec<Value> = request
            .turns()
            .map(|m| {
                let role = if m.role == Role::Assistant {
                    "model"
                } else {
                    "user"
                };
                json!({"role": role, "parts": [{"text": m.content}]})
            })
            .collect();
        let mut generation = json!({
            "responseMimeType": "application/json",
            "responseJsonSchema": schema_transform::gemini(request.schema.schema()),
            "maxOutputTokens": request.limits.max_output_tokens,
        });
        if let Some(t) = request.limits.temperature {
            generation["temperature"] = json!(f32_to_f64(t));
        }
        let mut body = json!({"contents": contents, "generationConfig": generation});
        if let Some(system) = request.system_text() {
            body["systemInstruction"] = json!({"parts": [{"text": system}]});
        }
        body
    }

    async fn call(&self, request: &StructuredRequest) -> Result<StructuredResponse, LlmError> {
        let body = self.body(request);
        let url = endpoint(
            self.config.base_url.as_ref(),
            GEMINI_BASE_URL,
            &format!("models/{}:generateContent", self.model_id()),
        );
        let mut headers = HeaderMap::new();
        if let Some((name, value)) = self.transport.key_header("x-goog-api-key", "")? {
            headers.insert(name, value);
        }
        tracing::debug!(
            provider = "gemini",
            model = %self.config.model,
            url = %url,
            schema = request.schema.name(),
            "sending structured request"
        );
        let reply = self
            .transport
            .post_json(&url, headers, &body, request.limits.timeout)
            .await?;
        self.read(request, &reply)
    }

    /// Everything after the reply is in: an error body mapped to its class, or the answer read
    /// and judged against the request's schema.
    fn read(
        &self,
        request: &StructuredRequest,
        reply: &Reply,
    ) -> Result<StructuredResponse, LlmError> {
        if !reply.status.is_success() {
            return Err(self.map_error(reply));
        }
        let response: GenerateContentResponse = parse_body(&self.transport, reply)?;
        let answer = self.answer(response, reply)?;
        finish(
            &self.transport,
            request,
            answer,
            reply.latency,
            Shaping::default(),
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
        self.read(request, &Reply::given(status, body))
    }

    fn answer(&self, response: GenerateContentResponse, reply: &Reply) -> Result<Answer, LlmError> {
        let usage = response.usage_metadata.map(Usage::from).unwrap_or_default();
        let model = response
            .model_version
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| self.model_id().to_string());
        let Some(candidate) = response.candidates.into_iter().next() else {
            let feedback = response.prompt_feedback.unwrap_or_default();
            return match feedback.block_reason {
                Some(reason) => Ok(Answer {
                    model,
                    usage,
                    finish_reason: reason.clone(),
                    content: Content::Text(String::new()),
                    stop: Stop::Refused(Some(match feedback.block_reason_message {
                        Some(m) => format!("the prompt was blocked ({reason}): {m}"),
                        None => format!("the prompt was blocked ({reason})"),
                    })),
                }),
                None => Err(LlmError::UnexpectedResponse {
                    provider: Provider::Gemini,
                    message: format!(
                        "the answer has no candidates: {}",
                        self.transport.fallback_message(reply)
                    ),
                }),
            };
        };
        let finish_reason = candidate.finish_reason.unwrap_or_default();
        let text: String = candidate
            .content
            .map(|c| c.parts)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !p.thought)
            .filter_map(|p| p.text)
            .collect();
        let stop = if REFUSALS.contains(&finish_reason.as_str()) {
            Stop::Refused(Some(match candidate.finish_message {
                Some(m) => format!("stopped for {finish_reason}: {m}"),
                None => format!("stopped for {finish_reason}"),
            }))
        } else if finish_reason == "MAX_TOKENS" {
            Stop::Truncated
        } else {
            Stop::Complete
        };
        Ok(Answer {
            model,
            usage,
            finish_reason,
            content: Content::Text(text),
            stop,
        })
    }

    /// Google's `{"error": {code, message, status, details: [ErrorInfo, RetryInfo, ...]}}`,
    /// sometimes inside a one-element array.
    fn map_error(&self, reply: &Reply) -> LlmError {
        let provider = Provider::Gemini;
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let body = match body {
            Value::Array(mut list) if !list.is_empty() => list.swap_remove(0),
            other => other,
        };
        let error = body.get("error").cloned().unwrap_or(Value::Null);
        let status = error.get("status").and_then(Value::as_str).unwrap_or("");
        let message = match error.get("message").and_then(Value::as_str) {
            Some(m) if !m.is_empty() => self.transport.redact(m),
            _ => self.transport.fallback_message(reply),
        };
        let details = error
            .get("details")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let reason = details
            .iter()
            .find_map(|d| d.get("reason").and_then(Value::as_str))
            .unwrap_or("");
        let retry_delay = details
            .iter()
            .find_map(|d| d.get("retryDelay").and_then(Value::as_str))
            .and_then(retry_after::parse_go_duration);
        let retry_after = retry_delay.or_else(|| self.transport.retry_after(&reply.headers));
        match (status, reason) {
            (_, "API_KEY_INVALID") | ("UNAUTHENTICATED" | "PERMISSION_DENIED", _) => {
                LlmError::Auth { provider, message }
            }
            ("RESOURCE_EXHAUSTED", _) => LlmError::RateLimited {
                provider,
                message,
                retry_after,
            },
            ("UNAVAILABLE", _) => LlmError::Overloaded {
                provider,
                message,
                retry_after,
            },
            ("INVALID_ARGUMENT", _) if looks_like_context_overflow(&message) => {
                LlmError::ContextTooLong { provider, message }
            }
            ("NOT_FOUND", _) => LlmError::ModelNotFound {
                provider,
                model: self.config.model.clone(),
                message,
            },
            _ => self
                .transport
                .by_status(reply.status, message, &self.config.model, retry_after),
        }
    }
}

adapter_client!(GeminiClient, Provider::Gemini);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateContentResponse {
    #[serde(default)]
    candidates: Vec<Candidate>,
    #[serde(default)]
    prompt_feedback: Option<PromptFeedback>,
    #[serde(default)]
    usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    model_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    #[serde(default)]
    content: Option<CandidateContent>,
    #[serde(default)]
    finish_reason: Option<String>,
    #[serde(default)]
    finish_message: Option<String>,
}

#[derive(Deserialize)]
struct CandidateContent {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    #[serde(default)]
    text: Option<String>,
    /// A thought summary, not the answer.
    #[serde(default)]
    thought: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    #[serde(default)]
    block_reason: Option<String>,
    #[serde(default)]
    block_reason_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    #[serde(default)]
    prompt_token_count: Option<u64>,
    #[serde(default)]
    candidates_token_count: Option<u64>,
    #[serde(default)]
    cached_content_token_count: Option<u64>,
    #[serde(default)]
    thoughts_token_count: Option<u64>,
}

impl From<UsageMetadata> for Usage {
    /// Thinking tokens are reported apart from the candidates but billed as output.
    fn from(u: UsageMetadata) -> Self {
        let thoughts = u.thoughts_token_count.unwrap_or(0);
        Usage {
            input_tokens: u.prompt_token_count.unwrap_or(0),
            output_tokens: u.candidates_token_count.unwrap_or(0) + thoughts,
            cached_input_tokens: u.cached_content_token_count.unwrap_or(0),
            reasoning_tokens: thoughts,
        }
    }
}
