//! The four adapters, and the steps every adapter takes once it has read an answer.

/// The `LlmClient` and `Debug` impls every adapter shares. Each adapter struct has a `config`
/// with a `model`, a `transport`, and an inherent `async fn call(&self, &StructuredRequest)`.
macro_rules! adapter_client {
    ($client:ident, $provider:expr) => {
        impl $crate::client::LlmClient for $client {
            fn provider(&self) -> $crate::client::Provider {
                $provider
            }

            fn model(&self) -> &str {
                &self.config.model
            }

            fn complete<'a>(
                &'a self,
                request: &'a $crate::request::StructuredRequest,
            ) -> $crate::client::BoxFuture<
                'a,
                Result<$crate::response::StructuredResponse, $crate::error::LlmError>,
            > {
                Box::pin(async move {
                    let result = self.call(request).await;
                    $crate::provider::log_outcome(&self.transport, &result);
                    result
                })
            }
        }

        impl std::fmt::Debug for $client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($client))
                    .field("config", &self.config)
                    .finish_non_exhaustive()
            }
        }
    };
}

pub mod anthropic;
pub mod gemini;
pub mod ollama;
pub mod openai;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{AnsweredCall, LlmError, SchemaViolation};
use crate::http::{Reply, Transport};
use crate::pricing;
use crate::request::StructuredRequest;
use crate::response::{StructuredResponse, Usage};
use crate::schema_transform::{Prepared, WRAP_KEY};
use crate::strict_nulls::strip_introduced_nulls;

/// Model output kept in an error, for a repair prompt or the logs.
const MAX_RAW_CHARS: usize = 4000;

/// What an adapter read from a 200 answer, before any judgement.
pub(crate) struct Answer {
    pub model: String,
    pub usage: Usage,
    pub finish_reason: String,
    pub content: Content,
    pub stop: Stop,
}

pub(crate) enum Content {
    /// JSON as text (most providers).
    Text(String),
    /// JSON already parsed (Anthropic's forced tool).
    Json(Value),
}

/// How generation ended, as far as the caller cares.
#[derive(Debug, PartialEq)]
pub(crate) enum Stop {
    Complete,
    Truncated,
    Refused(Option<String>),
}

/// What the adapter did to the schema, so the answer can be mapped back.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shaping {
    pub wrapped: bool,
    pub nulls_added: bool,
}

impl From<&Prepared> for Shaping {
    fn from(p: &Prepared) -> Self {
        Shaping {
            wrapped: p.wrapped,
            nulls_added: p.nulls_added,
        }
    }
}

/// Refusal, truncation, JSON parsing, unwrapping, null stripping and validation against the
/// full schema, in that order.
pub(crate) fn finish(
    transport: &Transport,
    request: &StructuredRequest,
    answer: Answer,
    latency: Duration,
    shaping: Shaping,
    priced: bool,
) -> Result<StructuredResponse, LlmError> {
    let provider = transport.provider;
    // The model's name and the finish reason are the provider's words too, and they travel into
    // errors, logs, the settings page and the database.
    let answer = Answer {
        model: transport.redact(&answer.model),
        finish_reason: transport.redact(&answer.finish_reason),
        ..answer
    };
    let cost_usd = if priced {
        pricing::cost_usd(provider, &answer.model, &answer.usage)
    } else {
        None
    };
    let call = Box::new(AnsweredCall {
        model: answer.model.clone(),
        usage: answer.usage,
        latency,
        finish_reason: answer.finish_reason.clone(),
        cost_usd,
    });
    let raw = |content: &Content| match content {
        Content::Text(t) => transport.redact_long(t, MAX_RAW_CHARS),
        Content::Json(v) => transport.redact_long(&v.to_string(), MAX_RAW_CHARS),
    };
    match answer.stop {
        Stop::Refused(message) => {
            return Err(LlmError::Refusal {
                provider,
                message: message.map(|m| transport.redact(&m)),
                call,
            })
        }
        Stop::Truncated => {
            return Err(LlmError::Truncated {
                provider,
                partial: raw(&answer.content),
                call,
            })
        }
        Stop::Complete => {}
    }
    let mut value = match &answer.content {
        Content::Json(v) => v.clone(),
        Content::Text(text) => parse_json_text(text).map_err(|message| LlmError::InvalidJson {
            provider,
            message: transport.redact(&message),
            raw: raw(&answer.content),
            call: call.clone(),
        })?,
    };
    if shaping.wrapped {
        value = match value {
            Value::Object(mut map) if map.contains_key(WRAP_KEY) => {
                map.remove(WRAP_KEY).unwrap_or(Value::Null)
            }
            _ => {
                return Err(LlmError::InvalidJson {
                    provider,
                    message: format!("expected the answer inside {{\"{WRAP_KEY}\": ...}}"),
                    raw: raw(&answer.content),
                    call,
                })
            }
        };
    }
    if shaping.nulls_added {
        strip_introduced_nulls(&mut value, request.schema.schema());
    }
    let violations = request.schema.validate(&value);
    if !violations.is_empty() {
        return Err(LlmError::SchemaMismatch {
            provider,
            violations: violations
                .into_iter()
                .map(|v| SchemaViolation {
                    instance_path: transport.redact(&v.instance_path),
                    message: transport.redact(&v.message),
                })
                .collect(),
            value: transport.redact_value(&value),
            call,
        });
    }
    Ok(StructuredResponse {
        value,
        usage: answer.usage,
        model: answer.model,
        latency,
        finish_reason: answer.finish_reason,
        provider,
        cost_usd,
    })
}

/// The JSON in a model's text: trimmed, and out of a Markdown code fence if a local model
/// put it in one.
fn parse_json_text(text: &str) -> Result<Value, String> {
    let mut body = text.trim();
    if body.is_empty() {
        return Err("the answer is empty".into());
    }
    if let Some(rest) = body.strip_prefix("```") {
        let rest = rest.strip_prefix("json").unwrap_or(rest);
        body = rest.trim().strip_suffix("```").unwrap_or(rest).trim();
    }
    serde_json::from_str(body).map_err(|e| e.to_string())
}

/// A 200 body in the provider's shape, or `UnexpectedResponse`.
pub(crate) fn parse_body<T: DeserializeOwned>(
    transport: &Transport,
    reply: &Reply,
) -> Result<T, LlmError> {
    // serde's message quotes the value it could not use, which may be anything the body holds.
    serde_json::from_slice(&reply.body).map_err(|e| LlmError::UnexpectedResponse {
        provider: transport.provider,
        message: format!(
            "HTTP {} with a body that is not a {} answer ({}): {}",
            reply.status.as_u16(),
            transport.provider.as_str(),
            transport.redact(&e.to_string()),
            transport.fallback_message(reply)
        ),
    })
}

/// Logs the outcome of a call without any secret: the error's text is redacted already.
pub(crate) fn log_outcome(transport: &Transport, result: &Result<StructuredResponse, LlmError>) {
    match result {
        Ok(r) => tracing::debug!(
            provider = transport.provider.as_str(),
            model = %r.model,
            input_tokens = r.usage.input_tokens,
            output_tokens = r.usage.output_tokens,
            "structured call succeeded"
        ),
        Err(e) => tracing::warn!(
            provider = transport.provider.as_str(),
            kind = e.kind().as_str(),
            error = %e,
            "structured call failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn transport(key: &str) -> Transport {
        Transport::new(
            crate::client::Provider::OpenAi,
            reqwest::Client::new(),
            Some(crate::client::ApiKey::new(key)),
            std::sync::Arc::new(crate::client::SystemClock),
        )
    }

    #[test]
    fn a_body_of_the_wrong_shape_is_reported_without_the_key() {
        // Found by the model_output fuzz target: serde quotes the value it could not use.
        #[derive(Debug, serde::Deserialize)]
        struct Shape {
            #[allow(dead_code)]
            tokens: u64,
        }
        let key = "sk-secret-123";
        let reply = Reply::given(200, br#"{"tokens": "sk-secret-123"}"#);
        let err = parse_body::<Shape>(&transport(key), &reply).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("invalid type: string"), "{shown}");
        assert!(!shown.contains(key), "{shown}");
    }

    #[test]
    fn the_model_name_a_provider_sends_is_redacted_too() {
        // Found by the model_output fuzz target: the key came back as the answer's model name.
        let key = "sk-secret-123";
        let schema = crate::OutputSchema::new(
            "check",
            json!({"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}),
        )
        .unwrap();
        let request = StructuredRequest::new(schema);
        let answer = |text: &str| Answer {
            model: format!("model-{key}"),
            usage: Usage::default(),
            finish_reason: format!("stop {key}"),
            content: Content::Text(text.into()),
            stop: Stop::Complete,
        };
        let t = transport(key);
        let err = finish(
            &t,
            &request,
            answer("{\"ok\": 1}"),
            Duration::ZERO,
            Shaping::default(),
            false,
        )
        .unwrap_err();
        assert!(!format!("{err} {err:?}").contains(key), "{err:?}");
        let ok = finish(
            &t,
            &request,
            answer("{\"ok\": true}"),
            Duration::ZERO,
            Shaping::default(),
            false,
        )
        .unwrap();
        assert_eq!(ok.model, "model-[redacted]");
        assert_eq!(ok.finish_reason, "stop [redacted]");
    }

    #[test]
    fn parses_json_in_and_out_of_code_fences() {
        assert_eq!(parse_json_text(" {\"a\":1}\n"), Ok(json!({"a": 1})));
        assert_eq!(
            parse_json_text("```json\n{\"a\":1}\n```"),
            Ok(json!({"a": 1}))
        );
        assert_eq!(parse_json_text("```\n[1]\n```"), Ok(json!([1])));
        assert!(parse_json_text("{\"").is_err());
        assert_eq!(parse_json_text("  "), Err("the answer is empty".into()));
    }
}
