//! Anthropic Messages against the suite, plus the forced-tool mode, the nested-schema
//! recording, cache usage and the recorded 429/529 variants.

use std::time::Duration;

use leadscout_llm::{
    AnthropicClient, AnthropicConfig, AnthropicMode, ApiKey, ErrorKind, Limits, LlmClient,
    OutputSchema, Provider, StructuredRequest, Url, Usage,
};
use serde_json::{json, Value};

use crate::fixtures::{exchange_request_body, exchange_response_body, read};
use crate::mock_server::{MockResponse, MockServer, RecordedRequest};
use crate::suite::{call, error_for, http, Mismatch, Spec, Success, KEY};

pub struct Anthropic;

const EXCHANGE: &str = "anthropic/messages.structured_output.exchange.json";
const NESTED_EXCHANGE: &str = "anthropic/messages.structured_output.nested_schema.exchange.json";

/// A request equal to the recorded one: same message, schema and output limit.
fn recorded_request(
    exchange: &str,
    name: &str,
    tighten: impl FnOnce(&mut Value),
) -> StructuredRequest {
    let recorded = exchange_request_body(exchange);
    let mut schema = recorded["output_config"]["format"]["schema"].clone();
    tighten(&mut schema);
    StructuredRequest::new(OutputSchema::new(name, schema).unwrap())
        .user(recorded["messages"][0]["content"].as_str().unwrap())
        .limits(Limits {
            max_output_tokens: recorded["max_tokens"].as_u64().unwrap() as u32,
            timeout: Duration::from_secs(10),
            temperature: None,
        })
}

fn client_with(base_url: &str, key: &str, mode: AnthropicMode) -> AnthropicClient {
    let config = AnthropicConfig::new(ApiKey::new(key), "claude-sonnet-4-5")
        .with_base_url(Url::parse(base_url).unwrap())
        .with_mode(mode);
    AnthropicClient::new(config, http())
}

fn error(status: u16, kind: &str, message: &str) -> MockResponse {
    MockResponse::json(
        status,
        json!({"type": "error", "error": {"type": kind, "message": message}}).to_string(),
    )
}

fn message(content: Value, stop_reason: &str, usage: Value) -> MockResponse {
    // Written in the shape of the recorded exchange's response body.
    MockResponse::json(
        200,
        json!({
            "model": "claude-sonnet-4-5-20250929", "id": "msg_test", "type": "message",
            "role": "assistant", "content": content, "stop_reason": stop_reason,
            "stop_sequence": null, "usage": usage
        })
        .to_string(),
    )
}

impl Spec for Anthropic {
    const PROVIDER: Provider = Provider::Anthropic;

    fn client(base_url: &str, key: &str) -> Box<dyn LlmClient> {
        Box::new(client_with(base_url, key, AnthropicMode::OutputFormat))
    }

    fn path() -> String {
        "/v1/messages".into()
    }

    fn success() -> Success {
        Success {
            request: recorded_request(EXCHANGE, "OrderItem", |_| {}),
            response: MockResponse::json(200, exchange_response_body(EXCHANGE)),
            value: json!({"product_name": "Green Tea", "price": 5.5, "quantity": 2}),
            usage: Usage {
                input_tokens: 249,
                output_tokens: 26,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
            model: "claude-sonnet-4-5-20250929",
            finish_reason: "end_turn",
            // claude-sonnet-4-5: $3 in, $15 out per million.
            cost_usd: Some((249.0 * 3.0 + 26.0 * 15.0) / 1e6),
        }
    }

    fn check_request(request: &RecordedRequest, key: &str, _sent: &StructuredRequest) {
        assert_eq!(request.header("x-api-key"), Some(key));
        assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
        assert!(request.header("authorization").is_none());
        // The body the Anthropic SDK sent in the recording, field for field (the model name
        // aside: ours is the configured one).
        let recorded = exchange_request_body(EXCHANGE);
        let body = request.json();
        assert_eq!(body["model"], json!("claude-sonnet-4-5"));
        assert_eq!(body["max_tokens"], recorded["max_tokens"]);
        assert_eq!(body["messages"], recorded["messages"]);
        assert_eq!(body["output_config"], recorded["output_config"]);
        assert!(body.get("system").is_none() && body.get("tools").is_none());
    }

    fn refusal() -> Option<(MockResponse, &'static str)> {
        // Vercel AI SDK fixture (SOURCES.md: looks hand-authored, model "claude-fable-5").
        Some((
            MockResponse::json(200, read("anthropic/vercel.refusal.response.json")),
            "violative cyber content",
        ))
    }

    fn truncated() -> MockResponse {
        // Written: the only max_tokens recording is a stream; this is the non-streamed shape.
        message(
            json!([{"type": "text", "text": "{\"product_name\": \"Green Tea\", \"pri"}]),
            "max_tokens",
            json!({"input_tokens": 249, "output_tokens": 12}),
        )
    }

    fn rate_limited() -> (MockResponse, Option<Duration>) {
        // Recorded body; the header is written (no recording has Anthropic's headers), as
        // Anthropic documents `retry-after` in seconds on 429.
        let response = MockResponse::json(
            429,
            read("anthropic/errors/in-the-wild/429.rate_limit_error.json"),
        )
        .header("retry-after", "12");
        (response, Some(Duration::from_secs(12)))
    }

    fn overloaded() -> MockResponse {
        MockResponse::json(
            529,
            read("anthropic/errors/in-the-wild/529.overloaded_error.json"),
        )
    }

    fn server_error() -> MockResponse {
        // Written (no recording): Anthropic's documented api_error.
        error(500, "api_error", "Internal server error")
    }

    fn invalid_key(key: &str) -> MockResponse {
        // Written (no recording); Anthropic says "invalid x-api-key", this echoes the key too.
        error(
            401,
            "authentication_error",
            &format!("invalid x-api-key: {key}"),
        )
    }

    fn context_too_long() -> MockResponse {
        // Written (no recording): Anthropic's "prompt is too long" wording.
        error(
            400,
            "invalid_request_error",
            "prompt is too long: 208310 tokens > 200000 maximum",
        )
    }

    fn unknown_model() -> MockResponse {
        // Written (no recording): Anthropic's not_found_error for a model.
        error(404, "not_found_error", "model: claude-sonnet-9")
    }

    fn bad_request() -> MockResponse {
        // Written (no recording).
        error(
            400,
            "invalid_request_error",
            "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row",
        )
    }

    fn prose_answer() -> (MockResponse, Usage) {
        (
            MockResponse::json(200, read("anthropic/vercel.text.response.json")),
            Usage {
                input_tokens: 12,
                output_tokens: 29,
                cached_input_tokens: 0,
                reasoning_tokens: 0,
            },
        )
    }

    fn text_answer(text: &str) -> MockResponse {
        message(
            json!([{"type": "text", "text": text}]),
            "end_turn",
            json!({"input_tokens": 10, "output_tokens": 10}),
        )
    }

    fn mismatch() -> Mismatch {
        Mismatch {
            request: recorded_request(EXCHANGE, "OrderItem", |s| {
                s["properties"]["quantity"]["minimum"] = json!(3);
            }),
            response: MockResponse::json(200, exchange_response_body(EXCHANGE)),
            paths: vec!["/quantity"],
        }
    }
}

#[tokio::test]
async fn nested_schema_is_sent_as_recorded_and_its_answer_validates() {
    let request = recorded_request(NESTED_EXCHANGE, "OrderDetails", |_| {});
    let (result, server) = call::<Anthropic>(
        MockResponse::json(200, exchange_response_body(NESTED_EXCHANGE)),
        &request,
    )
    .await;
    let response = result.unwrap();
    assert_eq!(response.value["items"][1]["product_name"], json!("Coffee"));
    assert_eq!(response.value["total"], json!(14.0));
    assert_eq!(
        (response.usage.input_tokens, response.usage.output_tokens),
        (406, 50)
    );
    let sent = server.only_request().json();
    assert_eq!(
        sent["output_config"],
        exchange_request_body(NESTED_EXCHANGE)["output_config"]
    );
}

#[tokio::test]
async fn larger_recorded_answer_parses() {
    let schema = json!({
        "type": "object",
        "properties": {"recipe": {"type": "object", "properties": {
            "name": {"type": "string"},
            "ingredients": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "amount": {"type": "string"}}, "required": ["name", "amount"]}},
            "steps": {"type": "array", "items": {"type": "string"}}
        }, "required": ["name", "ingredients", "steps"]}},
        "required": ["recipe"]
    });
    let request =
        StructuredRequest::new(OutputSchema::new("recipe", schema).unwrap()).user("Lasagna?");
    let (result, _server) = call::<Anthropic>(
        MockResponse::json(
            200,
            read("anthropic/vercel.output_format_json.response.json"),
        ),
        &request,
    )
    .await;
    let response = result.unwrap();
    assert_eq!(response.value["recipe"]["name"], json!("Classic Lasagna"));
    assert_eq!(response.usage.output_tokens, 629);
}

#[tokio::test]
async fn forced_tool_mode_sends_one_tool_and_reads_its_input() {
    // The Vercel AI SDK recording of JSON through a forced tool named "json".
    let schema = json!({
        "type": "object",
        "properties": {"elements": {"type": "array", "items": {"type": "object", "properties": {
            "location": {"type": "string"}, "temperature": {"type": "number"},
            "condition": {"type": "string", "enum": ["sunny", "cloudy", "rainy", "snowy"]}},
            "required": ["location", "temperature", "condition"]}}},
        "required": ["elements"]
    });
    let request = StructuredRequest::new(OutputSchema::new("json", schema.clone()).unwrap())
        .system("You report the weather.")
        .user("Weather in four cities?");
    let server = MockServer::serve(MockResponse::json(
        200,
        read("anthropic/vercel.tool_use.response.json"),
    ))
    .await;
    let client = client_with(server.url(), KEY, AnthropicMode::ForcedTool);
    let response = client.complete(&request).await.unwrap();
    assert_eq!(response.value["elements"].as_array().unwrap().len(), 4);
    assert_eq!(response.value["elements"][3]["location"], json!("Berlin"));
    assert_eq!(response.finish_reason, "tool_use");
    assert_eq!(response.model, "claude-haiku-4-5-20251001");
    // claude-haiku-4-5: $1 in, $5 out per million.
    let expected = (1151.0 + 87.0 * 5.0) / 1e6;
    assert!((response.cost_usd.unwrap() - expected).abs() < 1e-12);

    let sent = server.only_request().json();
    assert_eq!(sent["tools"][0]["name"], json!("json"));
    assert_eq!(sent["tools"][0]["input_schema"], schema);
    assert_eq!(sent["tool_choice"], json!({"type": "tool", "name": "json"}));
    assert!(sent.get("output_config").is_none());
    assert_eq!(sent["system"], json!("You report the weather."));
    assert_eq!(
        sent["messages"],
        json!([{"role": "user", "content": "Weather in four cities?"}])
    );
}

#[tokio::test]
async fn forced_tool_mode_without_a_tool_call_is_invalid_json() {
    let request =
        StructuredRequest::new(OutputSchema::new("json", json!({"type": "object"})).unwrap())
            .user("Hi");
    let server = MockServer::serve(MockResponse::json(
        200,
        read("anthropic/vercel.text.response.json"),
    ))
    .await;
    let client = client_with(server.url(), KEY, AnthropicMode::ForcedTool);
    let err = client.complete(&request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidJson);
}

#[tokio::test]
async fn recorded_overload_without_request_id_and_short_rate_limit() {
    let err = error_for::<Anthropic>(MockResponse::json(
        529,
        read("anthropic/errors/in-the-wild/529.overloaded_error.no_request_id.json"),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::Overloaded);
    assert_eq!(err.retry_after(), None);
    let err = error_for::<Anthropic>(MockResponse::json(
        429,
        read("anthropic/errors/in-the-wild/429.rate_limit_error.short.json"),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.to_string().contains("Rate limited"));
}

#[tokio::test]
async fn cache_reads_and_writes_count_as_input() {
    let response = message(
        json!([{"type": "text", "text": "{\"product_name\":\"Tea\",\"price\":1,\"quantity\":1}"}]),
        "end_turn",
        json!({"input_tokens": 100, "cache_creation_input_tokens": 50,
               "cache_read_input_tokens": 900, "output_tokens": 20}),
    );
    let (result, _server) = call::<Anthropic>(response, &Anthropic::success().request).await;
    let usage = result.unwrap().usage;
    assert_eq!(usage.input_tokens, 1050);
    assert_eq!(usage.cached_input_tokens, 900);
}

#[tokio::test]
async fn system_messages_go_to_the_top_level_field() {
    let request = Anthropic::success()
        .request
        .system("Be exact.")
        .system("Prices in USD.");
    let (_, server) = call::<Anthropic>(
        MockResponse::json(200, exchange_response_body(EXCHANGE)),
        &request,
    )
    .await;
    let sent = server.only_request().json();
    assert_eq!(sent["system"], json!("Be exact.\n\nPrices in USD."));
    assert_eq!(sent["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn credit_exhaustion_is_quota_exceeded() {
    // Written (no recording): Anthropic's low-credit wording.
    let err = error_for::<Anthropic>(error(
        400,
        "invalid_request_error",
        "Your credit balance is too low to access the Anthropic API.",
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::QuotaExceeded);
}

#[tokio::test]
async fn a_map_schema_goes_out_as_a_forced_tool() {
    // Structured outputs would close the map and force it empty; a tool keeps it open.
    let schema = json!({
        "type": "object",
        "properties": {"scores": {"type": "object", "additionalProperties": {"type": "number"}}},
        "required": ["scores"]
    });
    let request =
        StructuredRequest::new(OutputSchema::new("scores", schema.clone()).unwrap()).user("x");
    let response = message(
        json!([{"type": "tool_use", "id": "toolu_1", "name": "scores", "input": {"scores": {"fit": 0.8}}}]),
        "tool_use",
        json!({"input_tokens": 10, "output_tokens": 10}),
    );
    let (result, server) = call::<Anthropic>(response, &request).await;
    assert_eq!(result.unwrap().value, json!({"scores": {"fit": 0.8}}));
    let sent = server.only_request().json();
    assert!(sent.get("output_config").is_none());
    assert_eq!(sent["tools"][0]["input_schema"], schema);
}
