//! What a successful call returns.

use std::time::Duration;

use serde_json::Value;

use crate::client::Provider;

/// Token counts of one call, normalised across providers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Every prompt token, including those read from a cache.
    pub input_tokens: u64,
    /// Every billed output token, including thinking tokens (Gemini reports those apart; they
    /// are added here because they are billed as output).
    pub output_tokens: u64,
    /// The part of `input_tokens` served from the provider's prompt cache.
    pub cached_input_tokens: u64,
    /// The part of `output_tokens` spent thinking, where the provider says.
    pub reasoning_tokens: u64,
}

/// A schema-valid answer and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct StructuredResponse {
    /// The answer, valid against the request's full schema.
    pub value: Value,
    pub usage: Usage,
    /// The model that answered, as the provider names it (often a dated snapshot).
    pub model: String,
    /// From sending the request to the last byte of the answer.
    pub latency: Duration,
    /// The provider's own word for why generation stopped (`stop`, `end_turn`, `STOP`, ...).
    pub finish_reason: String,
    pub provider: Provider,
    /// From the committed pricing table; `None` for local servers and unknown models.
    pub cost_usd: Option<f64>,
}
