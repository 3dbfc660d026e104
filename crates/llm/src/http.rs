//! The HTTP plumbing the adapters share: sending, capped reading, transport errors, status
//! fallbacks, and redaction of the API key from anything that reaches an error or a log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde_json::Value;

use crate::client::{ApiKey, Clock, Provider};
use crate::error::LlmError;
use crate::retry_after;

/// A model answer larger than this is not an answer (a misconfigured URL, a runaway server).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Provider messages are shown to users: long enough to be useful, short enough to read.
const MAX_MESSAGE_CHARS: usize = 600;

pub(crate) struct Transport {
    pub provider: Provider,
    http: reqwest::Client,
    key: Option<ApiKey>,
    clock: Arc<dyn Clock>,
}

/// A complete HTTP response.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub latency: Duration,
}

impl Reply {
    /// A reply as if it had just been read: no headers, no latency. An impossible status reads
    /// as a server error. For reading provider bodies without a server (fuzzing).
    pub fn given(status: u16, body: &[u8]) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            body: body.to_vec(),
            latency: Duration::ZERO,
        }
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Transport {
    pub fn new(
        provider: Provider,
        http: reqwest::Client,
        key: Option<ApiKey>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Transport {
            provider,
            http,
            key,
            clock,
        }
    }

    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// A header carrying the key, marked sensitive so no `Debug` of it shows the value.
    pub fn key_header(
        &self,
        name: &'static str,
        prefix: &str,
    ) -> Result<Option<(HeaderName, HeaderValue)>, LlmError> {
        let Some(key) = self.key.as_ref().filter(|k| !k.expose().is_empty()) else {
            return Ok(None);
        };
        let mut value =
            HeaderValue::from_str(&format!("{prefix}{}", key.expose())).map_err(|_| {
                LlmError::Auth {
                    provider: self.provider,
                    message:
                        "the API key contains characters that cannot be sent in an HTTP header"
                            .into(),
                }
            })?;
        value.set_sensitive(true);
        Ok(Some((HeaderName::from_static(name), value)))
    }

    /// POSTs JSON the way the adapter was set up: streamed with a `silence` timeout for a local
    /// server ([`Self::post_streaming`]), else whole within `timeout` ([`Self::post_json`]).
    pub async fn post(
        &self,
        url: &str,
        headers: HeaderMap,
        body: &Value,
        silence: Option<Duration>,
        timeout: Duration,
    ) -> Result<Reply, LlmError> {
        match silence {
            Some(silence) => self.post_streaming(url, headers, body, silence).await,
            None => self.post_json(url, headers, body, timeout).await,
        }
    }

    /// POSTs JSON and reads the whole answer, whatever its status, within `timeout` in total.
    pub async fn post_json(
        &self,
        url: &str,
        headers: HeaderMap,
        body: &Value,
        timeout: Duration,
    ) -> Result<Reply, LlmError> {
        let started = Instant::now();
        let response = self
            .http
            .post(url)
            .headers(headers)
            .json(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| self.transport_error(&e, timeout))?;
        self.read_all(response, started, None, timeout).await
    }

    /// POSTs JSON for a streamed answer and reads it whole, giving up only when the server
    /// sends nothing for `silence`: not on total time. A local model may read a long prompt
    /// for minutes and then write for minutes more; what matters is that it is still working.
    /// (The wait for the first byte counts as silence too: that is the prompt being read.)
    pub async fn post_streaming(
        &self,
        url: &str,
        headers: HeaderMap,
        body: &Value,
        silence: Duration,
    ) -> Result<Reply, LlmError> {
        let started = Instant::now();
        let send = self.http.post(url).headers(headers).json(body).send();
        let response = tokio::time::timeout(silence, send)
            .await
            .map_err(|_| self.stalled(silence))?
            .map_err(|e| self.transport_error(&e, silence))?;
        self.read_all(response, started, Some(silence), silence)
            .await
    }

    fn stalled(&self, after: Duration) -> LlmError {
        LlmError::Stalled {
            provider: self.provider,
            after,
        }
    }

    /// Reads the body, capped; with `silence`, each chunk must come within it.
    async fn read_all(
        &self,
        mut response: reqwest::Response,
        started: Instant,
        silence: Option<Duration>,
        timeout: Duration,
    ) -> Result<Reply, LlmError> {
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        loop {
            let next = match silence {
                Some(limit) => tokio::time::timeout(limit, response.chunk())
                    .await
                    .map_err(|_| self.stalled(limit))?,
                None => response.chunk().await,
            };
            let Some(chunk) = next.map_err(|e| self.transport_error(&e, timeout))? else {
                break;
            };
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(LlmError::UnexpectedResponse {
                    provider: self.provider,
                    message: format!("the answer is larger than {} MiB", MAX_BODY_BYTES >> 20),
                });
            }
            body.extend_from_slice(&chunk);
        }
        let latency = started.elapsed();
        tracing::debug!(
            provider = self.provider.as_str(),
            status = status.as_u16(),
            latency_ms = latency.as_millis() as u64,
            bytes = body.len(),
            streamed = silence.is_some(),
            "model answered"
        );
        Ok(Reply {
            status,
            headers,
            body,
            latency,
        })
    }

    fn transport_error(&self, error: &reqwest::Error, timeout: Duration) -> LlmError {
        if error.is_timeout() {
            return LlmError::Timeout {
                provider: self.provider,
                after: timeout,
            };
        }
        // reqwest's message names the URL (never the key: keys travel in headers only); the
        // source chain says what actually failed ("Connection refused").
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        LlmError::Connection {
            provider: self.provider,
            message: self.redact(&message),
        }
    }

    /// The text with the API key replaced, capped to a readable length. Every provider string
    /// that goes into an error passes through here: some providers echo the key they were
    /// given in their error bodies.
    pub fn redact(&self, text: &str) -> String {
        cap(&self.scrub(text), MAX_MESSAGE_CHARS)
    }

    /// [`Transport::redact`] with a longer cap, for raw model output.
    pub fn redact_long(&self, text: &str, max_chars: usize) -> String {
        cap(&self.scrub(text), max_chars)
    }

    /// A JSON value with the key replaced in every string and member name (an answer kept in
    /// an error for a repair prompt).
    pub fn redact_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.scrub(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_value(v)).collect())
            }
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (self.scrub(k), self.redact_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn scrub(&self, text: &str) -> String {
        match self.key.as_ref().map(ApiKey::expose) {
            Some(key) if !key.is_empty() => text.replace(key, "[redacted]"),
            _ => text.to_string(),
        }
    }

    /// The delay the response's headers ask for.
    pub fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        retry_after::from_headers(headers, self.clock.now())
    }

    /// The class a status alone implies, for bodies that say nothing more specific.
    pub fn by_status(
        &self,
        status: StatusCode,
        message: String,
        model: &str,
        retry_after: Option<Duration>,
    ) -> LlmError {
        let provider = self.provider;
        let code = status.as_u16();
        match code {
            401 | 403 => LlmError::Auth { provider, message },
            402 => LlmError::QuotaExceeded { provider, message },
            404 if mentions_model(&message) => LlmError::ModelNotFound {
                provider,
                model: model.to_string(),
                message,
            },
            404 => LlmError::BadRequest {
                provider,
                status: code,
                message: format!("{message} (not found: check the base URL)"),
            },
            413 => LlmError::ContextTooLong { provider, message },
            429 => LlmError::RateLimited {
                provider,
                message,
                retry_after,
            },
            503 | 529 => LlmError::Overloaded {
                provider,
                message,
                retry_after,
            },
            408 | 500..=599 => LlmError::Server {
                provider,
                status: code,
                message,
                retry_after,
            },
            _ if looks_like_context_overflow(&message) => {
                LlmError::ContextTooLong { provider, message }
            }
            _ => LlmError::BadRequest {
                provider,
                status: code,
                message,
            },
        }
    }

    /// A readable message for a body we could not make sense of.
    pub fn fallback_message(&self, reply: &Reply) -> String {
        let text = reply.body_text();
        let text = text.trim();
        if text.is_empty() || text.starts_with('<') {
            reply
                .status
                .canonical_reason()
                .unwrap_or("no message")
                .to_string()
        } else {
            self.redact(text)
        }
    }
}

/// Whether a 200 reply is a stream of server-sent events rather than one JSON body.
pub(crate) fn is_event_stream(reply: &Reply) -> bool {
    let declared = reply
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    declared || reply.body.trim_ascii_start().starts_with(b"data:")
}

/// The `data:` payloads of a server-sent event stream, in order, without the closing
/// `[DONE]`. Multi-line data fields are joined with newlines, as the SSE format says.
pub(crate) fn sse_data(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut events = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut flush = |current: &mut Vec<&str>| {
        if !current.is_empty() {
            let data = current.join("\n");
            if data.trim() != "[DONE]" {
                events.push(data);
            }
            current.clear();
        }
    };
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            flush(&mut current);
        } else if let Some(data) = line.strip_prefix("data:") {
            current.push(data.strip_prefix(' ').unwrap_or(data));
        }
    }
    flush(&mut current);
    events
}

/// The phrases servers use when a prompt does not fit: OpenAI and vLLM ("maximum context
/// length"), llama.cpp ("exceeds the available context size"), Anthropic ("prompt is too
/// long"), Gemini ("input token count ... exceeds"), Ollama ("context length").
pub(crate) fn looks_like_context_overflow(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("context length")
        || m.contains("context_length")
        || m.contains("context window")
        || m.contains("context size")
        || m.contains("prompt is too long")
        || m.contains("too many tokens")
        || (m.contains("input token count") && m.contains("exceed"))
}

fn mentions_model(message: &str) -> bool {
    message.to_ascii_lowercase().contains("model")
}

fn cap(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars).collect();
    out.push('…');
    out
}

/// The configured base URL (or the provider's default) + `/` + `path`, whatever slashes the
/// base ends with.
pub(crate) fn endpoint(base: Option<&reqwest::Url>, default: &str, path: &str) -> String {
    let base = base.map(reqwest::Url::as_str).unwrap_or(default);
    format!("{}/{}", base.trim_end_matches('/'), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::SystemClock;

    fn transport(key: &str) -> Transport {
        Transport::new(
            Provider::OpenAi,
            reqwest::Client::new(),
            Some(ApiKey::new(key)),
            Arc::new(SystemClock),
        )
    }

    #[test]
    fn redact_replaces_the_key_and_caps_length() {
        let t = transport("sk-secret-123");
        assert_eq!(
            t.redact("Incorrect API key provided: sk-secret-123."),
            "Incorrect API key provided: [redacted]."
        );
        let long = "x".repeat(2000);
        assert_eq!(t.redact(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn key_header_is_marked_sensitive() {
        let t = transport("sk-secret-123");
        let (name, value) = t.key_header("authorization", "Bearer ").unwrap().unwrap();
        assert_eq!(name, "authorization");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("sk-secret"));
        let bad = transport("line\nbreak");
        let err = bad.key_header("x-api-key", "").unwrap_err();
        assert!(!err.to_string().contains("line"));
    }

    #[test]
    fn endpoint_joins_whatever_the_slashes() {
        let with = reqwest::Url::parse("http://127.0.0.1:1234/v1/").unwrap();
        let url = "http://127.0.0.1:1234/v1/chat/completions";
        assert_eq!(endpoint(Some(&with), "", "chat/completions"), url);
        assert_eq!(
            endpoint(None, "http://127.0.0.1:1234/v1", "chat/completions"),
            url
        );
    }

    #[test]
    fn event_stream_data_is_read_in_order_without_done() {
        let body = b"data: {\"a\":1}\r\n\r\n: keep-alive comment\n\ndata: {\"b\":\ndata: 2}\n\ndata: [DONE]\n\n";
        assert_eq!(sse_data(body), ["{\"a\":1}", "{\"b\":\n2}"]);
        assert!(is_event_stream(&Reply::given(200, body)));
        assert!(!is_event_stream(&Reply::given(200, b"{\"data\": 1}")));
    }

    #[test]
    fn recognises_context_overflow_wording() {
        for m in [
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
            "the request exceeds the available context size, try increasing it",
            "prompt is too long: 208310 tokens > 200000 maximum",
            "The input token count (1250000) exceeds the maximum number of tokens allowed (1048576).",
        ] {
            assert!(looks_like_context_overflow(m), "{m}");
        }
        assert!(!looks_like_context_overflow(
            "Unsupported parameter: 'max_tokens'"
        ));
    }
}
