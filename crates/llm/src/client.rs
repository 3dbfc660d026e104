//! The client trait every adapter implements, and the small values they share.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use crate::error::LlmError;
use crate::request::StructuredRequest;
use crate::response::StructuredResponse;

/// A boxed future, so `dyn LlmClient` works (async fns in traits are not object safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One structured call against one configured model.
pub trait LlmClient: Send + Sync {
    /// The wire format this client speaks.
    fn provider(&self) -> Provider;

    /// The model this client asks for (the answer names the model that actually answered).
    fn model(&self) -> &str;

    /// Sends the request and returns the schema-valid value, or a classified error.
    fn complete<'a>(
        &'a self,
        request: &'a StructuredRequest,
    ) -> BoxFuture<'a, Result<StructuredResponse, LlmError>>;
}

/// The provider wire formats this crate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// OpenAI Chat Completions, and every server that copies it (LM Studio, llama.cpp, vLLM).
    OpenAi,
    Anthropic,
    Gemini,
    Ollama,
}

impl Provider {
    /// A stable lower-case name for logs, settings and rate-limit keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Gemini => "gemini",
            Provider::Ollama => "ollama",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::OpenAi => "the OpenAI-compatible server",
            Provider::Anthropic => "Anthropic",
            Provider::Gemini => "Gemini",
            Provider::Ollama => "Ollama",
        })
    }
}

/// An API key. It has no `Display`, its `Debug` is redacted, and it is only ever written into
/// a request header marked sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into().trim().to_string())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Wall-clock time, injected so that `Retry-After: <HTTP date>` can be tested. Only read when
/// the response carries no `Date` header (the server's own clock is preferred: no skew).
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// An HTTP client suited to model calls: redirects are never followed (a redirect to another
/// host would carry `x-api-key`/`x-goog-api-key` along; reqwest strips only `Authorization`),
/// and connecting gives up after ten seconds. Per-call timeouts come from [`crate::Limits`].
///
/// A caller that injects its own `reqwest::Client` should disable redirects the same way.
pub fn build_http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("leadscout-llm/", env!("CARGO_PKG_VERSION")))
        .build()
}
