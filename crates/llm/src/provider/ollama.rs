//! Ollama's native `/api/chat` with `format: <schema>` and a `num_ctx` sized to the prompt.
//!
//! Ollama's default context can be as small as 4k tokens and it cuts longer prompts silently,
//! so every request carries `options.num_ctx`. Ollama reloads a model whenever `num_ctx`
//! changes, so the size is rounded up to a power of two: a handful of sizes, few reloads.

use std::sync::Arc;
use std::time::Duration;

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
use crate::schema_transform;

const OLLAMA_BASE_URL: &str = "http://localhost:11434";

/// Tokens a chat template adds around each message (role markers, separators).
const TEMPLATE_TOKENS_PER_MESSAGE: u64 = 8;

/// Bounds for the context size sent as `num_ctx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumCtxPolicy {
    /// Never ask for less: Ollama's own default is about this, so smaller saves nothing.
    pub floor: u32,
    /// Never ask for more: memory grows with the context. A prompt that needs more fails
    /// with `ContextTooLong` before anything is sent, instead of being cut silently.
    pub cap: u32,
}

impl Default for NumCtxPolicy {
    fn default() -> Self {
        NumCtxPolicy {
            floor: 4096,
            cap: 32768,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OllamaConfig {
    /// The server root (no `/api`); `None` is `http://localhost:11434`.
    pub base_url: Option<Url>,
    /// Only for an Ollama behind an authenticating proxy or Ollama's cloud; sent as a bearer
    /// token.
    pub api_key: Option<ApiKey>,
    pub model: String,
    pub num_ctx: NumCtxPolicy,
    /// When set, the answer is streamed and the call gives up only after this long without a
    /// byte; `Limits::timeout` then does not apply. `None` waits for one answer within
    /// `Limits::timeout`.
    pub silence_timeout: Option<Duration>,
}

impl OllamaConfig {
    pub fn new(model: impl Into<String>) -> Self {
        OllamaConfig {
            base_url: None,
            api_key: None,
            model: model.into(),
            num_ctx: NumCtxPolicy::default(),
            silence_timeout: None,
        }
    }

    pub fn with_base_url(mut self, base_url: Url) -> Self {
        self.base_url = Some(base_url);
        self
    }

    pub fn with_api_key(mut self, api_key: ApiKey) -> Self {
        self.api_key = Some(api_key);
        self
    }

    pub fn with_num_ctx(mut self, policy: NumCtxPolicy) -> Self {
        self.num_ctx = policy;
        self
    }
}

pub struct OllamaClient {
    config: OllamaConfig,
    transport: Transport,
}

impl OllamaClient {
    pub fn new(config: OllamaConfig, http: reqwest::Client) -> Self {
        let transport = Transport::new(
            Provider::Ollama,
            http,
            config.api_key.clone(),
            Arc::new(SystemClock),
        );
        OllamaClient { config, transport }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.transport.set_clock(clock);
        self
    }

    /// The `num_ctx` this request is sent with: the estimated prompt plus the output limit,
    /// rounded up to a power of two, within the policy's floor and cap.
    pub fn num_ctx_for(&self, request: &StructuredRequest) -> Result<u32, LlmError> {
        let policy = self.config.num_ctx;
        let cap = u64::from(policy.cap);
        let prompt = estimate_prompt_tokens(request);
        let needed = prompt + u64::from(request.limits.max_output_tokens);
        if needed > cap {
            return Err(LlmError::ContextTooLong {
                provider: Provider::Ollama,
                message: format!(
                    "the prompt needs about {needed} tokens of context ({prompt} estimated for \
                     the prompt, {} for the answer), more than the configured maximum of {cap}",
                    request.limits.max_output_tokens
                ),
            });
        }
        let floor = u64::from(policy.floor.min(policy.cap));
        let size = needed.next_power_of_two().clamp(floor, cap);
        Ok(u32::try_from(size).unwrap_or(policy.cap))
    }

    fn body(&self, request: &StructuredRequest, num_ctx: u32) -> Value {
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
        let mut options = json!({
            "num_ctx": num_ctx,
            "num_predict": request.limits.max_output_tokens,
        });
        if let Some(t) = request.limits.temperature {
            options["temperature"] = json!(f32_to_f64(t));
        }
        json!({
            "model": self.config.model,
            "messages": messages,
            "stream": self.config.silence_timeout.is_some(),
            "format": schema_transform::ollama(request.schema.schema()),
            "options": options,
        })
    }

    async fn call(&self, request: &StructuredRequest) -> Result<StructuredResponse, LlmError> {
        let num_ctx = self.num_ctx_for(request)?;
        let body = self.body(request, num_ctx);
        let url = endpoint(self.config.base_url.as_ref(), OLLAMA_BASE_URL, "api/chat");
        let mut headers = HeaderMap::new();
        if let Some((name, value)) = self.transport.key_header("authorization", "Bearer ")? {
            headers.insert(name, value);
        }
        tracing::debug!(
            provider = "ollama",
            model = %self.config.model,
            url = %url,
            schema = request.schema.name(),
            num_ctx,
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
        self.read(request, &reply)
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
        let chat: ChatResponse = if is_json_lines(&reply.body) {
            self.gather(reply)?
        } else {
            parse_body(&self.transport, reply)?
        };
        if let Some(error) = chat.error {
            return Err(LlmError::UnexpectedResponse {
                provider: Provider::Ollama,
                message: self.transport.redact(&error),
            });
        }
        let finish_reason = chat.done_reason.unwrap_or_else(|| "stop".into());
        let stop = if finish_reason == "length" {
            Stop::Truncated
        } else {
            Stop::Complete
        };
        let answer = Answer {
            model: chat
                .model
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| self.config.model.clone()),
            usage: Usage {
                input_tokens: chat.prompt_eval_count.unwrap_or(0),
                output_tokens: chat.eval_count.unwrap_or(0),
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
            finish_reason,
            content: Content::Text(chat.message.and_then(|m| m.content).unwrap_or_default()),
            stop,
        };
        finish(
            &self.transport,
            request,
            answer,
            reply.latency,
            Shaping::default(),
            false,
        )
    }

    /// A streamed answer (one JSON object a line) put back together: the message pieces
    /// joined; model, reason and counts from the closing `done` line. An `error` line ends it.
    fn gather(&self, reply: &Reply) -> Result<ChatResponse, LlmError> {
        let mut whole = ChatResponse {
            model: None,
            message: None,
            done_reason: None,
            prompt_eval_count: None,
            eval_count: None,
            error: None,
        };
        let mut content = String::new();
        for line in reply.body.split(|b| *b == b'\n') {
            if line.trim_ascii().is_empty() {
                continue;
            }
            let part: ChatResponse = parse_body(&self.transport, &Reply::given(200, line))?;
            if part.error.is_some() {
                return Ok(part);
            }
            if let Some(piece) = part.message.and_then(|m| m.content) {
                content.push_str(&piece);
            }
            whole.model = part.model.or(whole.model);
            whole.done_reason = part.done_reason.or(whole.done_reason);
            whole.prompt_eval_count = part.prompt_eval_count.or(whole.prompt_eval_count);
            whole.eval_count = part.eval_count.or(whole.eval_count);
        }
        whole.message = Some(ChatMessage {
            content: Some(content),
        });
        Ok(whole)
    }

    /// `{"error": "model \"x\" not found, try pulling it first"}`.
    fn map_error(&self, reply: &Reply) -> LlmError {
        let provider = Provider::Ollama;
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let message = match body.get("error").and_then(Value::as_str) {
            Some(m) if !m.is_empty() => self.transport.redact(m),
            _ => self.transport.fallback_message(reply),
        };
        let retry_after = self.transport.retry_after(&reply.headers);
        let lower = message.to_ascii_lowercase();
        if lower.contains("not found") && lower.contains("model") {
            return LlmError::ModelNotFound {
                provider,
                model: self.config.model.clone(),
                message,
            };
        }
        if looks_like_context_overflow(&message) {
            return LlmError::ContextTooLong { provider, message };
        }
        self.transport
            .by_status(reply.status, message, &self.config.model, retry_after)
    }
}

/// A deliberately high estimate of the prompt's tokens: ASCII text runs about four
/// characters a token, so a third of the ASCII characters, plus one token for every other
/// character (CJK text is close to one token each), plus the template's tokens per message.
fn estimate_prompt_tokens(request: &StructuredRequest) -> u64 {
    request
        .messages
        .iter()
        .map(|m| {
            let ascii = m.content.bytes().filter(u8::is_ascii).count() as u64;
            let other = m.content.chars().filter(|c| !c.is_ascii()).count() as u64;
            ascii.div_ceil(3) + other + TEMPLATE_TOKENS_PER_MESSAGE
        })
        .sum()
}

/// Whether a body is a stream of JSON objects, one a line, rather than one (perhaps
/// pretty-printed) JSON object.
fn is_json_lines(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err()
        && body
            .split(|b| *b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .nth(1)
            .is_some()
}

adapter_client!(OllamaClient, Provider::Ollama);

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    message: Option<ChatMessage>,
    #[serde(default)]
    done_reason: Option<String>,
    #[serde(default)]
    prompt_eval_count: Option<u64>,
    #[serde(default)]
    eval_count: Option<u64>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct ChatMessage {
    #[serde(default)]
    content: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output_schema::OutputSchema;
    use crate::request::Limits;

    fn client(policy: NumCtxPolicy) -> OllamaClient {
        OllamaClient::new(
            OllamaConfig::new("llama3.1").with_num_ctx(policy),
            reqwest::Client::new(),
        )
    }

    fn request(prompt: &str, max_output_tokens: u32) -> StructuredRequest {
        let schema = OutputSchema::new("x", json!({"type": "object"})).unwrap();
        StructuredRequest::new(schema)
            .system("Answer in JSON.")
            .user(prompt)
            .limits(Limits {
                max_output_tokens,
                ..Limits::default()
            })
    }

    #[test]
    fn estimate_rounds_up_and_counts_non_ascii_as_tokens() {
        // "Answer in JSON." is 15 ASCII chars -> 5 tokens; "abcd" -> 2; 8 per message.
        assert_eq!(estimate_prompt_tokens(&request("abcd", 1)), 5 + 8 + 2 + 8);
        // Four CJK characters count as four tokens.
        assert_eq!(
            estimate_prompt_tokens(&request("東京都庁", 1)),
            5 + 8 + 4 + 8
        );
    }

    #[test]
    fn small_prompts_get_the_floor() {
        let c = client(NumCtxPolicy::default());
        assert_eq!(c.num_ctx_for(&request("hello", 512)).unwrap(), 4096);
    }

    #[test]
    fn larger_prompts_round_up_to_a_power_of_two() {
        let c = client(NumCtxPolicy::default());
        // 30,000 ASCII chars -> 10,000 tokens, + 1,024 output + overhead -> 16,384.
        let prompt = "word ".repeat(6000);
        assert_eq!(c.num_ctx_for(&request(&prompt, 1024)).unwrap(), 16384);
        // Just under the cap but rounding past it: the cap.
        let c = client(NumCtxPolicy {
            floor: 2048,
            cap: 12000,
        });
        assert_eq!(c.num_ctx_for(&request(&prompt, 1024)).unwrap(), 12000);
    }

    #[test]
    fn prompts_beyond_the_cap_fail_before_sending() {
        let c = client(NumCtxPolicy::default());
        let prompt = "word ".repeat(30_000);
        let err = c.num_ctx_for(&request(&prompt, 1024)).unwrap_err();
        assert!(matches!(err, LlmError::ContextTooLong { .. }), "{err:?}");
        assert!(err.to_string().contains("32768"), "{err}");
    }
}
