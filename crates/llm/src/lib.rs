//! Leadscout's model clients: one structured call, four wire formats.
//!
//! A caller builds a [`StructuredRequest`] (messages, an [`OutputSchema`], [`Limits`]) and hands
//! it to any [`LlmClient`]. Every adapter sends the schema the way its provider enforces it,
//! validates the answer locally against the *full* original schema, and returns the value with
//! usage, cost, model, latency and finish reason — or an [`LlmError`] whose [`ErrorKind`] tells
//! the caller whether to retry, repair, or give up. Error messages never contain the API key.
//!
//! Adapters:
//! - [`OpenAiClient`]: Chat Completions with `response_format: json_schema` (OpenAI, LM Studio,
//!   llama.cpp server, vLLM, any `/v1` server).
//! - [`AnthropicClient`]: Messages with `output_config.format`, or a forced tool.
//! - [`GeminiClient`]: `generateContent` with `responseJsonSchema`.
//! - [`OllamaClient`]: native `/api/chat` with `format` and a prompt-sized `num_ctx`.

mod client;
mod cutoff;
pub mod discovery;
mod error;
mod http;
pub mod keys;
mod output_schema;
pub mod pricing;
mod provider;
mod request;
mod response;
mod retry_after;
mod schema_transform;
mod strict_nulls;

pub use client::{build_http_client, ApiKey, BoxFuture, Clock, LlmClient, Provider, SystemClock};
pub use cutoff::{ShorterOnCutOff, CUT_OFF_REPAIR};
pub use error::{AnsweredCall, ErrorKind, LlmError, SchemaViolation};
pub use output_schema::{OutputSchema, SchemaError};
pub use provider::anthropic::{AnthropicClient, AnthropicConfig, AnthropicMode};
pub use provider::gemini::{GeminiClient, GeminiConfig};
pub use provider::ollama::{NumCtxPolicy, OllamaClient, OllamaConfig};
pub use provider::openai::{MaxTokensField, OpenAiClient, OpenAiConfig, SchemaDialect};
pub use request::{
    CallTimeouts, Limits, Message, Role, StructuredRequest, DEFAULT_SILENCE_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
};
pub use response::{StructuredResponse, Usage};

/// The URL type the configs take (re-exported so callers need no direct `url` dependency).
pub use reqwest::Url;
