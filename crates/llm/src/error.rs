//! The error classes every caller understands.
//!
//! Adapters map each provider's statuses and error bodies onto [`LlmError`]; the pipeline then
//! needs only [`LlmError::kind`], [`LlmError::is_transient`] and [`LlmError::retry_after`].
//! Every message that came from a provider passes through the adapter's redaction first, so no
//! variant ever holds the API key.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::client::Provider;
use crate::response::Usage;

/// What a model call that did answer (but unusably) consumed, so it can still be recorded and
/// priced.
#[derive(Debug, Clone, PartialEq)]
pub struct AnsweredCall {
    pub model: String,
    pub usage: Usage,
    pub latency: Duration,
    pub finish_reason: String,
    pub cost_usd: Option<f64>,
}

/// One way the answer broke the schema, located by a JSON Pointer into the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON Pointer of the offending value (`""` is the whole answer, `/items/0/price` deeper).
    pub instance_path: String,
    /// What is wrong, in the validator's words.
    pub message: String,
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "at {at}: {}", self.message)
    }
}

/// Everything that can go wrong in one structured call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("{provider} rejected the API key or its permissions: {message}")]
    Auth { provider: Provider, message: String },

    #[error("{provider} says the account's quota or credit is used up: {message}")]
    QuotaExceeded { provider: Provider, message: String },

    #[error("{provider} rate-limited the call{}: {message}", after(.retry_after))]
    RateLimited {
        provider: Provider,
        message: String,
        retry_after: Option<Duration>,
    },

    #[error("{provider} is overloaded{}: {message}", after(.retry_after))]
    Overloaded {
        provider: Provider,
        message: String,
        retry_after: Option<Duration>,
    },

    #[error("{provider} had a server error (HTTP {status}): {message}")]
    Server {
        provider: Provider,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },

    #[error("{provider} did not answer within {:.1} s", .after.as_secs_f64())]
    Timeout { provider: Provider, after: Duration },

    /// A local server streamed nothing for `after`: no new token, not even the first one after
    /// reading the prompt. Local calls time out on silence, not on total time (a laptop may
    /// spend minutes on a long prompt and still be working).
    #[error(
        "{provider} sent nothing for {:.0} s, the silence limit in Settings → Model; the server may be stuck or far too slow for this prompt",
        .after.as_secs_f64()
    )]
    Stalled { provider: Provider, after: Duration },

    #[error("could not reach {provider}: {message}")]
    Connection { provider: Provider, message: String },

    #[error("the prompt is too long for the model's context window ({provider}): {message}")]
    ContextTooLong { provider: Provider, message: String },

    #[error("the model refused to answer{}", reason(.message))]
    Refusal {
        provider: Provider,
        message: Option<String>,
        call: Box<AnsweredCall>,
    },

    #[error(
        "the model's answer was cut off at the output limit after {} tokens: it kept writing past what the answer needs (often one item over and over); a larger or instruction-tuned model avoids this",
        .call.usage.output_tokens
    )]
    /// Clients from [`crate::discovery::client_for`] have already asked once for a shorter
    /// answer ([`crate::ShorterOnCutOff`]) when they return this.
    Truncated {
        provider: Provider,
        /// What the model wrote before it was cut off (capped, for logs and debugging).
        partial: String,
        call: Box<AnsweredCall>,
    },

    #[error("the answer is not valid JSON: {message}")]
    InvalidJson {
        provider: Provider,
        message: String,
        /// The model's text (capped), for a repair prompt.
        raw: String,
        call: Box<AnsweredCall>,
    },

    #[error("the answer does not match the schema: {}", list(.violations))]
    SchemaMismatch {
        provider: Provider,
        violations: Vec<SchemaViolation>,
        /// The parsed answer, for a repair prompt.
        value: Value,
        call: Box<AnsweredCall>,
    },

    #[error("{provider} does not know the model `{model}`: {message}")]
    ModelNotFound {
        provider: Provider,
        model: String,
        message: String,
    },

    #[error("{provider} rejected the request (HTTP {status}): {message}")]
    BadRequest {
        provider: Provider,
        status: u16,
        message: String,
    },

    #[error("{provider} sent an answer that could not be read: {message}")]
    UnexpectedResponse { provider: Provider, message: String },
}

/// The class of an [`LlmError`], without its data: what the pipeline stores and what the UI
/// acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Auth,
    QuotaExceeded,
    RateLimited,
    Overloaded,
    Server,
    Timeout,
    Connection,
    ContextTooLong,
    Refusal,
    Truncated,
    InvalidJson,
    SchemaMismatch,
    ModelNotFound,
    BadRequest,
    UnexpectedResponse,
}

impl ErrorKind {
    /// Worth retrying the same call later: the fault is load, the network or the server.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited
                | ErrorKind::Overloaded
                | ErrorKind::Server
                | ErrorKind::Timeout
                | ErrorKind::Connection
        )
    }

    /// Worth one repair turn that sends the problem back to the model.
    pub fn is_repairable(self) -> bool {
        matches!(self, ErrorKind::InvalidJson | ErrorKind::SchemaMismatch)
    }

    /// A stable snake_case code for storage and IPC.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::QuotaExceeded => "quota_exceeded",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "connection",
            ErrorKind::ContextTooLong => "context_too_long",
            ErrorKind::Refusal => "refusal",
            ErrorKind::Truncated => "truncated",
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::SchemaMismatch => "schema_mismatch",
            ErrorKind::ModelNotFound => "model_not_found",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::UnexpectedResponse => "unexpected_response",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LlmError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            LlmError::Auth { .. } => ErrorKind::Auth,
            LlmError::QuotaExceeded { .. } => ErrorKind::QuotaExceeded,
            LlmError::RateLimited { .. } => ErrorKind::RateLimited,
            LlmError::Overloaded { .. } => ErrorKind::Overloaded,
            LlmError::Server { .. } => ErrorKind::Server,
            LlmError::Timeout { .. } | LlmError::Stalled { .. } => ErrorKind::Timeout,
            LlmError::Connection { .. } => ErrorKind::Connection,
            LlmError::ContextTooLong { .. } => ErrorKind::ContextTooLong,
            LlmError::Refusal { .. } => ErrorKind::Refusal,
            LlmError::Truncated { .. } => ErrorKind::Truncated,
            LlmError::InvalidJson { .. } => ErrorKind::InvalidJson,
            LlmError::SchemaMismatch { .. } => ErrorKind::SchemaMismatch,
            LlmError::ModelNotFound { .. } => ErrorKind::ModelNotFound,
            LlmError::BadRequest { .. } => ErrorKind::BadRequest,
            LlmError::UnexpectedResponse { .. } => ErrorKind::UnexpectedResponse,
        }
    }

    pub fn is_transient(&self) -> bool {
        self.kind().is_transient()
    }

    pub fn provider(&self) -> Provider {
        match self {
            LlmError::Auth { provider, .. }
            | LlmError::QuotaExceeded { provider, .. }
            | LlmError::RateLimited { provider, .. }
            | LlmError::Overloaded { provider, .. }
            | LlmError::Server { provider, .. }
            | LlmError::Timeout { provider, .. }
            | LlmError::Stalled { provider, .. }
            | LlmError::Connection { provider, .. }
            | LlmError::ContextTooLong { provider, .. }
            | LlmError::Refusal { provider, .. }
            | LlmError::Truncated { provider, .. }
            | LlmError::InvalidJson { provider, .. }
            | LlmError::SchemaMismatch { provider, .. }
            | LlmError::ModelNotFound { provider, .. }
            | LlmError::BadRequest { provider, .. }
            | LlmError::UnexpectedResponse { provider, .. } => *provider,
        }
    }

    /// The server's own hint for when to try again (`Retry-After`, OpenAI's
    /// `x-ratelimit-reset-*`, Gemini's `RetryInfo`), already turned into a delay.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::RateLimited { retry_after, .. }
            | LlmError::Overloaded { retry_after, .. }
            | LlmError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The call's usage when the model did answer (refusal, truncation, bad JSON, schema
    /// mismatch): those tokens were billed and belong in the stage's record.
    pub fn answered_call(&self) -> Option<&AnsweredCall> {
        match self {
            LlmError::Refusal { call, .. }
            | LlmError::Truncated { call, .. }
            | LlmError::InvalidJson { call, .. }
            | LlmError::SchemaMismatch { call, .. } => Some(call),
            _ => None,
        }
    }
}

fn after(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {:.1} s)", d.as_secs_f64()),
        None => String::new(),
    }
}

fn reason(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

fn list(violations: &[SchemaViolation]) -> String {
    const SHOWN: usize = 5;
    let mut parts: Vec<String> = violations
        .iter()
        .take(SHOWN)
        .map(|v| v.to_string())
        .collect();
    if violations.len() > SHOWN {
        parts.push(format!("and {} more", violations.len() - SHOWN));
    }
    parts.join("; ")
}
